/* ap_plugin_file_check and ap_plugin_probe's refusals before any fork.
 *
 * The file checked is built here byte by byte: the smallest ELF shared
 * library of this host's class, byte order and processor that the check
 * accepts (one loadable segment, a dynamic section, a SysV hash table, a
 * symbol table with the two entry points and their names), padded to a
 * chosen size; each test damages one thing of it and reads the message.
 * The processor is read from this runner's own file, so the image is the
 * host's wherever the tests run.  Every cut of the image, and thousands of
 * random byte changes, must be refused or accepted without a read out of
 * bounds (the ASan and valgrind runs see those). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/plugin.h"
#include "platform/platform.h"
#include "runner.h"

/* The ELF reader is the loader's on ELF hosts only (Windows loads PE
 * files, macOS Mach-O: plugin_file_format.c reads their headers and the
 * system's loader the rest), so its tests run there; elsewhere each is
 * skipped, saying so. */
#if AP__PLAT_ELF
#include <elf.h>
#include <link.h>
#include <sys/stat.h>

/* Where things are in the image. */
enum {
    PHDRS = sizeof(ElfW(Ehdr)),
    DYN = PHDRS + 2 * sizeof(ElfW(Phdr)),
    N_DYN = 6,
    HASH = DYN + N_DYN * sizeof(ElfW(Dyn)),
    SYMTAB = HASH + 6 * 4,
    STRTAB = SYMTAB + 3 * sizeof(ElfW(Sym)),
    CODE = 512,
};

static const char STRINGS[] = "\0apportion_plugin_info\0apportion_plugin_init";
#define INFO_NAME 1
#define INIT_NAME (1 + sizeof "apportion_plugin_info")

/* This host's ELF machine, from the runner's own header. */
static uint16_t host_machine(void)
{
    ElfW(Ehdr) eh;
    FILE *f = fopen("/proc/self/exe", "rb");
    CHECK(f != NULL);
    CHECK(fread(&eh, sizeof eh, 1, f) == 1);
    fclose(f);
    return eh.e_machine;
}

/* The image, size bytes (at least CODE + 16): the caller frees it. */
static unsigned char *image(size_t size)
{
    unsigned char *b = calloc(1, size);
    CHECK(b != NULL && size >= CODE + 16);
    ElfW(Ehdr) eh;
    memset(&eh, 0, sizeof eh);
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32;
    eh.e_ident[EI_DATA] =
        __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_DYN;
    eh.e_machine = host_machine();
    eh.e_version = EV_CURRENT;
    eh.e_phoff = PHDRS;
    eh.e_ehsize = sizeof eh;
    eh.e_phentsize = sizeof(ElfW(Phdr));
    eh.e_phnum = 2;
    memcpy(b, &eh, sizeof eh);

    ElfW(Phdr) ph[2];
    memset(ph, 0, sizeof ph);
    ph[0].p_type = PT_LOAD;
    ph[0].p_flags = PF_R | PF_X;
    ph[0].p_filesz = ph[0].p_memsz = size;
    ph[0].p_align = 0x1000;
    ph[1].p_type = PT_DYNAMIC;
    ph[1].p_flags = PF_R | PF_W;
    ph[1].p_offset = ph[1].p_vaddr = DYN;
    ph[1].p_filesz = ph[1].p_memsz = N_DYN * sizeof(ElfW(Dyn));
    ph[1].p_align = 8;
    memcpy(b + PHDRS, ph, sizeof ph);

    ElfW(Dyn) dyn[N_DYN] = {
        {.d_tag = DT_HASH, .d_un.d_ptr = HASH},
        {.d_tag = DT_STRTAB, .d_un.d_ptr = STRTAB},
        {.d_tag = DT_SYMTAB, .d_un.d_ptr = SYMTAB},
        {.d_tag = DT_STRSZ, .d_un.d_val = sizeof STRINGS},
        {.d_tag = DT_SYMENT, .d_un.d_val = sizeof(ElfW(Sym))},
        {.d_tag = DT_NULL, .d_un.d_val = 0},
    };
    memcpy(b + DYN, dyn, sizeof dyn);

    /* One bucket, every symbol in its chain: 2, then 1, then the end. */
    uint32_t hash[6] = {1, 3, 2, 0, 0, 1};
    memcpy(b + HASH, hash, sizeof hash);

    ElfW(Sym) sym[3];
    memset(sym, 0, sizeof sym);
    sym[1].st_name = INFO_NAME;
    sym[2].st_name = INIT_NAME;
    for (int i = 1; i <= 2; i++) {
        sym[i].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
        sym[i].st_shndx = 1;
        sym[i].st_value = CODE + 8 * (size_t)(i - 1);
        sym[i].st_size = 8;
    }
    memcpy(b + SYMTAB, sym, sizeof sym);
    memcpy(b + STRTAB, STRINGS, sizeof STRINGS);
    return b;
}

/* Checks b as "t.so"; returns the status, the message in err. */
static ap_status check(const unsigned char *b, size_t size, ap_error *err)
{
    return ap_plugin_file_check(b, size, "t.so", err);
}

/* b, checked, is refused with a message holding `expect`. */
static void refused(const unsigned char *b, size_t size, const char *expect)
{
    ap_error err;
    CHECK(check(b, size, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "plugin t.so is refused: ");
    CHECK_CONTAINS(err.message, expect);
}

static void put_phdr(unsigned char *b, int i, const ElfW(Phdr) *p)
{
    memcpy(b + PHDRS + (size_t)i * sizeof *p, p, sizeof *p);
}

static ElfW(Phdr) get_phdr(const unsigned char *b, int i)
{
    ElfW(Phdr) p;
    memcpy(&p, b + PHDRS + (size_t)i * sizeof p, sizeof p);
    return p;
}

static void put_u32(unsigned char *b, size_t at, uint32_t v)
{
    memcpy(b + at, &v, sizeof v);
}

TEST(plugin_file_check_accepts_a_whole_image)
{
    ap_error err;
    unsigned char *b = image(1024);
    CHECK(check(b, 1024, &err) == AP_OK);
    CHECK_STR(err.message, "");
    free(b);
}

TEST(plugin_file_check_truncated_names_segment_and_sizes)
{
    /* The message of the issue, with thousands separated. */
    unsigned char *b = image(28960);
    ap_error err;
    CHECK(check(b, 28672, &err) == AP_E_PLUGIN);
    CHECK_STR(err.message, "plugin t.so is refused: it is truncated: "
                           "segment 0 ends at byte 28,960 but the file has "
                           "28,672");
    /* Inside the headers. */
    refused(b, 100, "it is truncated: the program header table ends at "
                    "byte 176 but the file has 100");
    refused(b, 40, "it is truncated: the file has 40 bytes, fewer than the");
    refused(b, 2, "it is truncated: the file has 2 bytes");
    refused(b, 0, "it is empty");
    free(b);
}

TEST(plugin_file_check_refuses_every_cut)
{
    size_t size = 1024;
    unsigned char *b = image(size);
    for (size_t cut = 0; cut < size; cut++) {
        ap_error err;
        CHECK(check(b, cut, &err) == AP_E_PLUGIN);
        if (strstr(err.message, "it is truncated: ") == NULL)
            CHECK_CONTAINS(err.message, "it is empty");
    }
    free(b);
}

TEST(plugin_file_check_refuses_a_foreign_header)
{
    unsigned char *b = image(1024);
    b[3] = 'G';
    refused(b, 1024, "it is not a loadable shared library: it does not "
                     "start with the ELF bytes 7f 45 4c 46");
    b[3] = 'F';

    b[EI_CLASS] = sizeof(void *) == 8 ? ELFCLASS32 : ELFCLASS64;
    refused(b, 1024, sizeof(void *) == 8 ? "it is a 32-bit ELF file, and "
                                           "this host loads 64-bit ones"
                                         : "it is a 64-bit ELF file");
    free(b);

    b = image(1024);
    ElfW(Ehdr) eh;
    memcpy(&eh, b, sizeof eh);
    eh.e_type = ET_EXEC;
    memcpy(b, &eh, sizeof eh);
    refused(b, 1024, "it is not a shared library: its ELF type is 2 (an "
                     "executable), and a plugin is 3 (ET_DYN)");
    eh.e_type = ET_DYN;
    eh.e_machine = eh.e_machine == EM_S390 ? EM_SPARC : EM_S390;
    memcpy(b, &eh, sizeof eh);
    refused(b, 1024, "it is built for another processor (ELF machine ");
    free(b);
}

TEST(plugin_file_check_refuses_tables_outside_the_file)
{
    unsigned char *b = image(1024);
    ElfW(Ehdr) eh;
    memcpy(&eh, b, sizeof eh);
    eh.e_phoff = (ElfW(Off))1 << 40;
    memcpy(b, &eh, sizeof eh);
    refused(b, 1024, "its ELF header is damaged: the program header table "
                     "at byte 1099511627776 lies outside the file");
    free(b);

    /* A segment far past the end: damaged, not cut. */
    b = image(1024);
    ElfW(Phdr) p = get_phdr(b, 0);
    p.p_offset = (ElfW(Off))1 << 36;
    p.p_vaddr = p.p_offset;
    put_phdr(b, 0, &p);
    refused(b, 1024, "segment 0 (LOAD) is damaged: it spans bytes "
                     "68,719,476,736 to ");
    free(b);

    b = image(1024);
    p = get_phdr(b, 1);
    p.p_vaddr = 0x100000;
    put_phdr(b, 1, &p);
    refused(b, 1024, "segment 1 (DYNAMIC) lies outside the loaded segments");
    free(b);

    b = image(1024);
    p = get_phdr(b, 0);
    p.p_memsz = p.p_filesz - 1;
    put_phdr(b, 0, &p);
    refused(b, 1024, "segment 0 (LOAD) is damaged: it takes 1024 bytes of "
                     "the file into 1023 of memory");
    free(b);
}

TEST(plugin_file_check_refuses_a_damaged_dynamic_section)
{
    unsigned char *b = image(1024);
    /* DT_NULL made DT_DEBUG: nothing ends the section. */
    ElfW(Dyn) d = {.d_tag = DT_DEBUG, .d_un.d_val = 0};
    memcpy(b + DYN + (N_DYN - 1) * sizeof d, &d, sizeof d);
    refused(b, 1024, "its dynamic section is damaged: it has no DT_NULL");
    free(b);

    b = image(1024);
    d.d_tag = DT_DEBUG; /* in place of DT_HASH */
    memcpy(b + DYN, &d, sizeof d);
    refused(b, 1024, "its dynamic section gives no hash table (DT_GNU_HASH "
                     "or DT_HASH)");
    free(b);

    b = image(1024);
    d.d_tag = DT_STRSZ;
    d.d_un.d_val = 100000;
    memcpy(b + DYN + 3 * sizeof d, &d, sizeof d);
    refused(b, 1024, "its string table (DT_STRTAB) (address 0x");
    refused(b, 1024, "lies outside the loaded segments");
    free(b);
}

TEST(plugin_file_check_refuses_a_damaged_hash_table)
{
    unsigned char *b = image(1024);
    put_u32(b, HASH + 8, 7); /* the bucket names symbol 7 of 3 */
    refused(b, 1024, "its hash table is damaged: an entry names symbol 7 "
                     "of 3");
    free(b);

    b = image(1024);
    put_u32(b, HASH + 12 + 4, 2); /* chain[1] = 2: 2 -> 1 -> 2 ... */
    refused(b, 1024, "its hash table is damaged: symbol 2 is reached "
                     "twice, so a lookup could loop");
    free(b);

    b = image(1024);
    put_u32(b, HASH, 0);
    refused(b, 1024, "its hash table is damaged: it has no buckets");
    free(b);
}

TEST(plugin_file_check_needs_both_entry_points_as_functions)
{
    unsigned char *b = image(1024);
    b[STRTAB + INFO_NAME + 10] = 'X'; /* apportion_Xlugin_info */
    refused(b, 1024, "its dynamic symbol table has no apportion_plugin_info; "
                     "a plugin exports apportion_plugin_info and "
                     "apportion_plugin_init");
    free(b);

    b = image(1024);
    ElfW(Sym) s;
    memcpy(&s, b + SYMTAB + 2 * sizeof s, sizeof s);
    s.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
    memcpy(b + SYMTAB + 2 * sizeof s, &s, sizeof s);
    refused(b, 1024, "its symbol apportion_plugin_init is not a function it "
                     "defines");
    free(b);

    b = image(1024);
    ElfW(Phdr) p = get_phdr(b, 0);
    p.p_flags = PF_R;
    put_phdr(b, 0, &p);
    refused(b, 1024, "its function apportion_plugin_info (address 0x200) "
                     "lies outside its executable segments");
    free(b);
}

static uint32_t gnu_hash(const char *s)
{
    uint32_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

/* The image with a GNU hash table in place of the SysV one, at byte GNU:
 * one bucket, one Bloom word with every bit set, and the given shift. */
static unsigned char *gnu_image(size_t size, uint32_t shift, size_t GNU)
{
    unsigned char *b = image(size);
    ElfW(Dyn) d = {.d_tag = DT_GNU_HASH, .d_un.d_ptr = GNU};
    memcpy(b + DYN, &d, sizeof d);
    uint32_t head[4] = {1, 1, 1, shift};
    memcpy(b + GNU, head, sizeof head);
    memset(b + GNU + 16, 0xff, sizeof(ElfW(Addr)));
    size_t at = GNU + 16 + sizeof(ElfW(Addr));
    put_u32(b, at, 1); /* bucket 0: symbol 1 */
    put_u32(b, at + 4, gnu_hash("apportion_plugin_info") & ~1u);
    put_u32(b, at + 8, gnu_hash("apportion_plugin_init") | 1u);
    return b;
}

TEST(plugin_file_check_reads_a_gnu_hash_table)
{
    ap_error err;
    /* A shift past 31 (found by fuzz_plugin_file: shifting the 32-bit
     * hash by it was undefined), as glibc takes it. */
    for (uint32_t shift = 0; shift < 8 * sizeof(ElfW(Addr)); shift++) {
        unsigned char *b = gnu_image(1024, shift, 416);
        CHECK(check(b, 1024, &err) == AP_OK);
        free(b);
    }
    unsigned char *b = gnu_image(1024, 8 * sizeof(ElfW(Addr)), 416);
    refused(b, 1024, "its GNU hash table is damaged: 1 buckets, 1 bloom "
                     "words and a shift of ");
    free(b);

    /* The table at the end of the file, its last chain entry without the
     * end bit: the chain runs out of the file. */
    size_t at = 1024 - (16 + sizeof(ElfW(Addr)) + 12);
    b = gnu_image(1024, 6, at);
    put_u32(b, 1024 - 4, gnu_hash("apportion_plugin_init") & ~1u);
    refused(b, 1024, "its GNU hash table is damaged: the chain of symbol 1 "
                     "runs out of the loaded segments");
    free(b);
}

/* A small generator of its own, so that every run damages alike. */
static uint64_t next_random(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return *state >> 33;
}

TEST(plugin_file_check_survives_random_damage)
{
    size_t size = 1024;
    unsigned char *good = image(size);
    unsigned char *b = malloc(size);
    CHECK(b != NULL);
    uint64_t state = 20261207;
    size_t accepted = 0;
    for (int round = 0; round < 20000; round++) {
        memcpy(b, good, size);
        /* Damage falls in the headers and tables, where it matters. */
        int changes = 1 + (int)(next_random(&state) % 3);
        for (int k = 0; k < changes; k++)
            b[next_random(&state) % CODE] ^=
                (unsigned char)(1 + next_random(&state) % 255);
        ap_error err;
        ap_status st = check(b, size, &err);
        CHECK(st == AP_OK || st == AP_E_PLUGIN);
        if (st == AP_OK)
            accepted++;
        else
            CHECK_CONTAINS(err.message, "plugin t.so is refused: ");
    }
    /* Damage to padding and unused bytes is harmless, so some pass. */
    CHECK(accepted > 0 && accepted < 20000);
    free(b);
    free(good);
}

TEST(plugin_file_check_path_reads_an_elf_file)
{
    ap_error err;
    /* The runner itself: a real file, no plugin. */
    CHECK(ap_plugin_file_check_path("/proc/self/exe", &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "plugin /proc/self/exe is refused: ");

    char dir[512];
    ap_test_temp_dir("ap_file_check", dir, sizeof dir);
    char file[600];
    snprintf(file, sizeof file, "%s/t.so", dir);
    unsigned char *b = image(2048);
    FILE *f = fopen(file, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(b, 1, 1500, f) == 1500);
    fclose(f);
    CHECK(ap_plugin_file_check_path(file, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, file);
    CHECK_CONTAINS(err.message, "is refused: it is truncated: segment 0 ends "
                                "at byte 2,048 but the file has 1,500");
    f = fopen(file, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(b, 1, 2048, f) == 2048);
    fclose(f);
    CHECK(ap_plugin_file_check_path(file, &err) == AP_OK);
    free(b);

    ap_test_remove(file);
    ap_test_remove_dir(dir);
}

TEST(plugin_probe_refuses_a_cut_file_before_forking)
{
    /* A cut file is refused by the check, never run in a child. */
    ap_error err;
    char dir[512];
    ap_test_temp_dir("ap_probe", dir, sizeof dir);
    CHECK(chmod(dir, 0755) == 0);
    char file[600];
    snprintf(file, sizeof file, "%s/t.so", dir);
    unsigned char *b = image(2048);
    FILE *f = fopen(file, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(b, 1, 1000, f) == 1000);
    fclose(f);
    CHECK(chmod(file, 0644) == 0);
    CHECK(ap_plugin_probe(file, 1000, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "is refused: it is truncated: segment 0 ends "
                                "at byte 2,048 but the file has 1,000");
    free(b);
    ap_test_remove(file);
    ap_test_remove_dir(dir);
}
#else /* not an ELF host */
#define NOT_ELF                                                              \
    "a platform limit: the ELF reader runs only where plugins are ELF "      \
    "files; plugins here are " AP__PLAT_PLUGIN_SUFFIX " files"
#define ELF_ONLY(name)                                                       \
    void test_##name(void)                                                   \
    {                                                                        \
        SKIP(NOT_ELF);                                                       \
    }
ELF_ONLY(plugin_file_check_accepts_a_whole_image)
ELF_ONLY(plugin_file_check_truncated_names_segment_and_sizes)
ELF_ONLY(plugin_file_check_refuses_every_cut)
ELF_ONLY(plugin_file_check_refuses_a_foreign_header)
ELF_ONLY(plugin_file_check_refuses_tables_outside_the_file)
ELF_ONLY(plugin_file_check_refuses_a_damaged_dynamic_section)
ELF_ONLY(plugin_file_check_refuses_a_damaged_hash_table)
ELF_ONLY(plugin_file_check_needs_both_entry_points_as_functions)
ELF_ONLY(plugin_file_check_reads_a_gnu_hash_table)
ELF_ONLY(plugin_file_check_survives_random_damage)
ELF_ONLY(plugin_file_check_path_reads_an_elf_file)
ELF_ONLY(plugin_probe_refuses_a_cut_file_before_forking)
#endif

TEST(plugin_file_check_path_reads_the_file)
{
    ap_error err;
    CHECK(ap_plugin_file_check_path("/nonexistent/t.so", &err) ==
          AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "plugin /nonexistent/t.so cannot be read: ");
    CHECK(ap_plugin_file_check_path("", &err) == AP_E_PLUGIN);
    CHECK_STR(err.message, "no plugin path given");

    char dir[512];
    ap_test_temp_dir("ap_file_check", dir, sizeof dir);
    CHECK(ap_plugin_file_check_path(dir, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "is refused: it is not a regular file");
    ap_test_remove_dir(dir);
}

TEST(plugin_probe_refuses_before_forking)
{
    ap_error err;
    CHECK(ap_plugin_probe("", 1000, &err) == AP_E_PLUGIN);
    CHECK_STR(err.message, "no plugin path given");
    CHECK(ap_plugin_probe("t.so", 1000, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "give a path holding '/'");
    CHECK(ap_plugin_probe("/nonexistent/t.so", 1000, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "cannot be found");
}

/* ---- the info block's text ------------------------------------------------ */

#include "apportion/registry.h"
#include "plugin/plugin_internal.h"

static ap_plugin_info utf8_info = {
    AP_PLUGIN_INFO_HEADER, "utf8-test", "1.0.0", "UTF8_TEST",
    "A plugin whose url is not UTF-8", "MIT", "http://\xff",
};

static const ap_plugin_info *utf8_info_fn(void)
{
    return &utf8_info;
}

static ap_status utf8_init(const ap_host *host, ap_registrar *reg,
                           char **error_message)
{
    (void)host;
    (void)reg;
    (void)error_message;
    return AP_OK;
}

TEST(plugin_info_text_must_be_utf8)
{
    const ap_plugin *p = NULL;
    ap_error err;
    size_t before = ap_plugin_count();
    CHECK(ap_plugin_load_static(utf8_info_fn, utf8_init, "<utf8>", &p, &err) ==
          AP_E_PLUGIN);
    CHECK_STR(err.message, "plugin <utf8> is refused: its info block's url "
                           "is not valid UTF-8 (byte 8 is 0xff)");
    CHECK(p == NULL && ap_plugin_count() == before);
    CHECK(ap_area_find("UTF8_TEST") == NULL);

    utf8_info.url = NULL;
    utf8_info.description = "caf\xc3\xa9 \xed\xa0\x80"; /* a surrogate */
    CHECK(ap_plugin_load_static(utf8_info_fn, utf8_init, "<utf8>", &p, &err) ==
          AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "its info block's description is not valid "
                                "UTF-8 (byte 7 is 0xed)");
    utf8_info.description = "caf\xc3\xa9, \xe2\x82\xac and \xf0\x9f\x98\x80";
    CHECK(ap_plugin_load_static(utf8_info_fn, utf8_init, "<utf8>", &p, &err) ==
          AP_OK);
    CHECK(ap_area_find("UTF8_TEST") != NULL);
    ap_plugins_shutdown();
}

TEST(plugin_utf8_validator)
{
    size_t bad = 99;
    CHECK(ap__utf8_valid("", &bad) && ap__utf8_valid("plain", &bad));
    CHECK(ap__utf8_valid("\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf"
                         "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", &bad));
    static const struct {
        const char *s;
        size_t at;
    } bad_cases[] = {
        {"ab\xff", 2},           /* never in UTF-8 */
        {"\xc0\xaf", 0},         /* overlong */
        {"a\xe0\x9f\xbf", 1},    /* overlong */
        {"\xed\xa0\x80", 0},     /* a surrogate */
        {"\xf4\x90\x80\x80", 0}, /* past U+10FFFF */
        {"x\xe2\x82", 1},        /* cut by the end */
        {"\x80", 0},             /* a lone continuation */
    };
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        CHECK(!ap__utf8_valid(bad_cases[i].s, &bad));
        CHECK_EQ_I64(bad, bad_cases[i].at);
    }
}
