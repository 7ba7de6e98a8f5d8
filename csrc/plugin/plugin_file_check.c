/* Checking a plugin file before it is opened: its format
 * (plugin_file_format.c), and on an ELF host an ELF reader of the host's
 * own.
 *
 * glibc's dlopen trusts the file: it maps each loadable segment as the
 * program headers say, and touching a page mapped past the end of a
 * truncated file raises SIGBUS; it follows the dynamic section's
 * addresses, the hash tables, the version tables and the relocations
 * without bounds checks.  A damaged plugin thus killed the interpreter
 * instead of being refused.  So before dlopen the host reads the file
 * itself and refuses, saying what is wrong, a file that is not an ELF
 * shared library for this host, or whose headers, segments, sections,
 * dynamic section, symbol and hash tables, version tables or relocations
 * point outside the file or the loaded segments, or that lacks the two
 * entry points.  Every offset, size and count is checked before it is
 * used, with overflow-checked arithmetic, so the reader itself is safe on
 * any bytes (fuzz/fuzz_plugin_file.c runs it under libFuzzer).
 *
 * What the file's code does when it runs cannot be checked here; the
 * probe (plugin_probe.c) runs it in a child process first.
 *
 * The ELF reader is scoped to ELF hosts (AP__PLAT_ELF): the loader runs
 * it where dlopen loads ELF files.  On Windows and macOS the system's
 * loader (LoadLibrary, dyld) checks a DLL's or Mach-O file's structure
 * itself, and plugin_file_format.c reads only their headers; a file of
 * another platform's format is refused there by its magic, on every
 * host. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/plugin.h"
#include "platform/elf_types.h"
#include "platform/platform.h"
#include "plugin/plugin_internal.h"

/* How large a file the host reads to check: far beyond any plugin. */
#define MAX_FILE_BYTES ((size_t)256 << 20)

/* v with thousands separators: "28,672". */
static const char *grouped(uint64_t v, char buf[32])
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    int out = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[out++] = ',';
        buf[out++] = digits[i];
    }
    buf[out] = '\0';
    return buf;
}

#if AP__PLAT_ELF

/* The host's ELF class: the plugin must be of the same. */
#if UINTPTR_MAX > 0xffffffffu
#define HOST_CLASS ELFCLASS64
#define HOST_BITS 64
typedef Elf64_Ehdr Ehdr;
typedef Elf64_Phdr Phdr;
typedef Elf64_Shdr Shdr;
typedef Elf64_Dyn Dyn;
typedef Elf64_Sym Sym;
typedef Elf64_Rela Rela;
typedef Elf64_Rel Rel;
typedef Elf64_Verneed Verneed;
typedef Elf64_Vernaux Vernaux;
typedef Elf64_Verdef Verdef;
typedef Elf64_Verdaux Verdaux;
typedef Elf64_Addr Addr;
typedef Elf64_Xword Word;
#define R_SYM(info) ELF64_R_SYM(info)
#define R_TYPE(info) ELF64_R_TYPE(info)
#define ST_TYPE(info) ELF64_ST_TYPE(info)
#else
#define HOST_CLASS ELFCLASS32
#define HOST_BITS 32
typedef Elf32_Ehdr Ehdr;
typedef Elf32_Phdr Phdr;
typedef Elf32_Shdr Shdr;
typedef Elf32_Dyn Dyn;
typedef Elf32_Sym Sym;
typedef Elf32_Rela Rela;
typedef Elf32_Rel Rel;
typedef Elf32_Verneed Verneed;
typedef Elf32_Vernaux Vernaux;
typedef Elf32_Verdef Verdef;
typedef Elf32_Verdaux Verdaux;
typedef Elf32_Addr Addr;
typedef Elf32_Word Word;
#define R_SYM(info) ELF32_R_SYM(info)
#define R_TYPE(info) ELF32_R_TYPE(info)
#define ST_TYPE(info) ELF32_ST_TYPE(info)
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_DATA ELFDATA2LSB
#else
#define HOST_DATA ELFDATA2MSB
#endif

/* The host's processor, and the relocation types whose addend is an
 * address in the plugin (RELATIVE: a pointer the loader writes;
 * IRELATIVE: a resolver it calls).  On a processor not listed the
 * machine and these addends are not checked. */
#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#define HOST_MACHINE_NAME "x86-64"
#define HOST_R_RELATIVE R_X86_64_RELATIVE
#define HOST_R_IRELATIVE R_X86_64_IRELATIVE
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#define HOST_MACHINE_NAME "AArch64"
#define HOST_R_RELATIVE R_AARCH64_RELATIVE
#define HOST_R_IRELATIVE R_AARCH64_IRELATIVE
#elif defined(__i386__)
#define HOST_MACHINE EM_386
#define HOST_MACHINE_NAME "i386"
#define HOST_R_RELATIVE R_386_RELATIVE
#define HOST_R_IRELATIVE R_386_IRELATIVE
#endif

/* The file being checked. */
typedef struct elf_file {
    const unsigned char *b;
    size_t size;
    const char *name;
    ap_error *err;
    Ehdr eh;
    int textrel;         /* DT_TEXTREL or DF_TEXTREL: text may be written */
    uint64_t dynsym_addr, dynsym_count; /* the .dynsym section, if any */
} elf_file;

/* ---- messages ------------------------------------------------------------ */

/* "plugin NAME is refused: " followed by the reason. */
static ap_status refuse(elf_file *f, const char *fmt, ...)
    AP_PRINTF_FORMAT(2, 3);

static ap_status refuse(elf_file *f, const char *fmt, ...)
{
    char why[AP_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return ap_error_set(f->err, AP_E_PLUGIN, "plugin %s is refused: %s",
                        f->name, why);
}

static ap_status truncated(elf_file *f, const char *what, uint64_t end)
{
    char a[32], b[32];
    return refuse(f, "it is truncated: %s ends at byte %s but the file has "
                  "%s", what, grouped(end, a), grouped(f->size, b));
}

/* Whether a piece found past the end of the file, ending at byte end,
 * means that the file was cut short rather than that an offset was
 * damaged: linkers put the section header table last, so a cut file has
 * lost (part of) it.  A file without section headers counts as cut when
 * end is within the size a plugin file may have. */
static int looks_cut(const elf_file *f, uint64_t end)
{
    const Ehdr *e = &f->eh;
    if (e->e_shnum == 0)
        return end <= MAX_FILE_BYTES;
    uint64_t table_end = e->e_shoff + (uint64_t)e->e_shnum * sizeof(Shdr);
    return e->e_shentsize == sizeof(Shdr) && e->e_shoff <= MAX_FILE_BYTES &&
           table_end > f->size && end <= MAX_FILE_BYTES;
}

/* ---- reading -------------------------------------------------------------- */

/* Nonzero when [off, off + len) lies inside the file. */
static int in_file(const elf_file *f, uint64_t off, uint64_t len)
{
    return off <= f->size && len <= f->size - off;
}

/* Copies len bytes at off (checked by the caller) into out: the bytes may
 * be unaligned. */
static void get(const elf_file *f, uint64_t off, void *out, size_t len)
{
    memcpy(out, f->b + off, len);
}

static Phdr phdr(const elf_file *f, size_t i)
{
    Phdr p;
    get(f, f->eh.e_phoff + (uint64_t)i * sizeof p, &p, sizeof p);
    return p;
}

static const char *segment_type(uint32_t type)
{
    switch (type) {
    case PT_LOAD: return "LOAD";
    case PT_DYNAMIC: return "DYNAMIC";
    case PT_INTERP: return "INTERP";
    case PT_NOTE: return "NOTE";
    case PT_PHDR: return "PHDR";
    case PT_TLS: return "TLS";
    case PT_GNU_EH_FRAME: return "GNU_EH_FRAME";
    case PT_GNU_STACK: return "GNU_STACK";
    case PT_GNU_RELRO: return "GNU_RELRO";
    case PT_GNU_PROPERTY: return "GNU_PROPERTY";
    default: return "of another type";
    }
}

/* The file offset of [addr, addr + len) when it lies wholly in the part
 * of one loadable segment that the file backs; else 0 returned.  flags,
 * when nonzero, are PF_* bits the segment must have. */
static int backed(const elf_file *f, uint64_t addr, uint64_t len,
                  uint32_t flags, uint64_t *off)
{
    for (size_t i = 0; i < f->eh.e_phnum; i++) {
        Phdr p = phdr(f, i);
        if (p.p_type != PT_LOAD || addr < p.p_vaddr)
            continue;
        uint64_t rel = addr - p.p_vaddr;
        if (rel > p.p_filesz || len > p.p_filesz - rel)
            continue;
        if ((p.p_flags & flags) != flags)
            continue;
        *off = p.p_offset + rel;
        return 1;
    }
    return 0;
}

/* Nonzero when [addr, addr + len) lies in the memory of one loadable
 * segment with the PF_* bits flags (the file need not back it: .bss). */
static int mapped(const elf_file *f, uint64_t addr, uint64_t len,
                  uint32_t flags)
{
    for (size_t i = 0; i < f->eh.e_phnum; i++) {
        Phdr p = phdr(f, i);
        if (p.p_type != PT_LOAD || addr < p.p_vaddr ||
            (p.p_flags & flags) != flags)
            continue;
        uint64_t rel = addr - p.p_vaddr;
        if (rel <= p.p_memsz && len <= p.p_memsz - rel)
            return 1;
    }
    return 0;
}

/* ---- the ELF header ------------------------------------------------------- */

static ap_status check_header(elf_file *f)
{
    static const unsigned char magic[SELFMAG] = {ELFMAG0, ELFMAG1, ELFMAG2,
                                                 ELFMAG3};
    char a[32];
    if (f->size == 0)
        return refuse(f, "it is empty (0 bytes), not an ELF shared "
                      "library");
    size_t head = f->size < SELFMAG ? f->size : SELFMAG;
    if (memcmp(f->b, magic, head) != 0)
        return refuse(f, "it is not a loadable shared library: it does "
                      "not start with the ELF bytes 7f 45 4c 46");
    if (f->size < EI_NIDENT || f->b[EI_CLASS] == HOST_CLASS) {
        if (f->size < sizeof f->eh)
            return refuse(f, "it is truncated: the file has %s bytes, fewer "
                          "than the %zu of an ELF header",
                          grouped(f->size, a), sizeof f->eh);
    }
    if (f->b[EI_CLASS] != HOST_CLASS)
        return refuse(f, "it is a %s ELF file, and this host loads %d-bit "
                      "ones", f->b[EI_CLASS] == ELFCLASS32 ? "32-bit"
                      : f->b[EI_CLASS] == ELFCLASS64 ? "64-bit"
                                                     : "damaged (class byte)",
                      HOST_BITS);
    if (f->b[EI_DATA] != HOST_DATA)
        return refuse(f, "its ELF byte order (EI_DATA %u) is not this "
                      "host's (%u)", (unsigned)f->b[EI_DATA],
                      (unsigned)HOST_DATA);
    if (f->b[EI_VERSION] != EV_CURRENT)
        return refuse(f, "its ELF version is %u, not %u",
                      (unsigned)f->b[EI_VERSION], (unsigned)EV_CURRENT);
    get(f, 0, &f->eh, sizeof f->eh);
    const Ehdr *e = &f->eh;
    if (e->e_type != ET_DYN)
        return refuse(f, "it is not a shared library: its ELF type is %u%s, "
                      "and a plugin is %u (ET_DYN); build it with -shared",
                      (unsigned)e->e_type,
                      e->e_type == ET_EXEC  ? " (an executable)"
                      : e->e_type == ET_REL ? " (an object file)"
                      : e->e_type == ET_CORE ? " (a core dump)"
                                             : "",
                      (unsigned)ET_DYN);
#ifdef HOST_MACHINE
    if (e->e_machine != HOST_MACHINE)
        return refuse(f, "it is built for another processor (ELF machine "
                      "%u; this host is %s, machine %u)",
                      (unsigned)e->e_machine, HOST_MACHINE_NAME,
                      (unsigned)HOST_MACHINE);
#endif
    if (e->e_version != EV_CURRENT)
        return refuse(f, "its ELF header is damaged: e_version is %u, not %u",
                      (unsigned)e->e_version, (unsigned)EV_CURRENT);
    if (e->e_ehsize < sizeof *e)
        return refuse(f, "its ELF header is damaged: it declares %u bytes, "
                      "fewer than %zu", (unsigned)e->e_ehsize, sizeof *e);
    if (e->e_phentsize != sizeof(Phdr))
        return refuse(f, "its ELF header is damaged: program headers of %u "
                      "bytes, not %zu", (unsigned)e->e_phentsize,
                      sizeof(Phdr));
    if (e->e_phnum == 0 || e->e_phnum == PN_XNUM)
        return refuse(f, "its ELF header is damaged: it declares %u program "
                      "headers", (unsigned)e->e_phnum);
    uint64_t table = (uint64_t)e->e_phnum * sizeof(Phdr);
    if (e->e_phoff > UINT64_MAX - table || !in_file(f, e->e_phoff, table)) {
        if (e->e_phoff > UINT64_MAX - table ||
            !looks_cut(f, e->e_phoff + table))
            return refuse(f, "its ELF header is damaged: the program header "
                          "table at byte %llu lies outside the file",
                          (unsigned long long)e->e_phoff);
        return truncated(f, "the program header table", e->e_phoff + table);
    }
    return AP_OK;
}

/* ---- segments and sections --------------------------------------------------- */

static ap_status check_segments(elf_file *f)
{
    char what[64], a[32], b[32];
    size_t loads = 0;
    uint64_t last_vaddr = 0;
    /* First every segment against the file, so that a cut file is called
     * truncated whatever else is wrong. */
    for (size_t i = 0; i < f->eh.e_phnum; i++) {
        Phdr p = phdr(f, i);
        if (p.p_type == PT_NULL || p.p_filesz == 0)
            continue;
        if (p.p_offset > UINT64_MAX - p.p_filesz)
            return refuse(f, "segment %zu (%s) is damaged: its offset %llu "
                          "and size %llu overflow", i, segment_type(p.p_type),
                          (unsigned long long)p.p_offset,
                          (unsigned long long)p.p_filesz);
        if (!in_file(f, p.p_offset, p.p_filesz)) {
            uint64_t end = p.p_offset + p.p_filesz;
            if (!looks_cut(f, end))
                return refuse(f, "segment %zu (%s) is damaged: it spans "
                              "bytes %s to %s, past the end of the file at "
                              "%s", i, segment_type(p.p_type),
                              grouped(p.p_offset, a), grouped(end, b),
                              grouped(f->size, what));
            snprintf(what, sizeof what, "segment %zu", i);
            return truncated(f, what, end);
        }
    }
    for (size_t i = 0; i < f->eh.e_phnum; i++) {
        Phdr p = phdr(f, i);
        if (p.p_type != PT_LOAD)
            continue;
        if (p.p_filesz > p.p_memsz)
            return refuse(f, "segment %zu (LOAD) is damaged: it takes %llu "
                          "bytes of the file into %llu of memory", i,
                          (unsigned long long)p.p_filesz,
                          (unsigned long long)p.p_memsz);
        if (p.p_vaddr > UINT64_MAX - p.p_memsz ||
            p.p_vaddr + p.p_memsz > ((uint64_t)1 << (HOST_BITS - 2)))
            return refuse(f, "segment %zu (LOAD) is damaged: its address "
                          "0x%llx and size %llu are out of range", i,
                          (unsigned long long)p.p_vaddr,
                          (unsigned long long)p.p_memsz);
        if (p.p_align > 1 && ((p.p_align & (p.p_align - 1)) != 0 ||
                              (p.p_vaddr - p.p_offset) % p.p_align != 0))
            return refuse(f, "segment %zu (LOAD) is damaged: its address "
                          "0x%llx and offset 0x%llx do not agree with its "
                          "alignment %llu", i, (unsigned long long)p.p_vaddr,
                          (unsigned long long)p.p_offset,
                          (unsigned long long)p.p_align);
        if (loads > 0 && p.p_vaddr < last_vaddr)
            return refuse(f, "segment %zu (LOAD) is damaged: loadable "
                          "segments must come in address order", i);
        last_vaddr = p.p_vaddr;
        loads++;
    }
    if (loads == 0)
        return refuse(f, "it has no loadable segment");
    /* What the loader reads from memory must be in it. */
    size_t dynamics = 0;
    for (size_t i = 0; i < f->eh.e_phnum; i++) {
        Phdr p = phdr(f, i);
        switch (p.p_type) {
        case PT_DYNAMIC:
            dynamics++;
            /* fall through */
        case PT_NOTE:
        case PT_GNU_PROPERTY:
        case PT_GNU_RELRO:
        case PT_GNU_EH_FRAME:
        case PT_TLS:
        case PT_PHDR: {
            uint64_t off;
            uint64_t len = p.p_type == PT_TLS || p.p_type == PT_GNU_RELRO
                               ? p.p_filesz
                               : p.p_memsz;
            int ok = p.p_type == PT_GNU_RELRO
                         ? mapped(f, p.p_vaddr, p.p_memsz, 0)
                         : backed(f, p.p_vaddr, len, 0, &off);
            if (!ok)
                return refuse(f, "segment %zu (%s) lies outside the loaded "
                              "segments (address 0x%llx, %llu bytes)", i,
                              segment_type(p.p_type),
                              (unsigned long long)p.p_vaddr,
                              (unsigned long long)len);
            break;
        }
        default:
            break;
        }
    }
    if (dynamics != 1)
        return refuse(f, dynamics == 0
                             ? "it has no dynamic section (PT_DYNAMIC): a "
                               "plugin is a shared library that exports "
                               "its entry points"
                             : "it has more than one dynamic section "
                               "(PT_DYNAMIC)");
    return AP_OK;
}

/* The section headers are not used to load, but a file cut anywhere in
 * them is still a damaged file. */
static ap_status check_sections(elf_file *f)
{
    const Ehdr *e = &f->eh;
    if (e->e_shnum == 0 && e->e_shoff == 0)
        return AP_OK; /* stripped of section headers: allowed */
    if (e->e_shentsize != sizeof(Shdr))
        return refuse(f, "its ELF header is damaged: section headers of %u "
                      "bytes, not %zu", (unsigned)e->e_shentsize,
                      sizeof(Shdr));
    uint64_t table = (uint64_t)e->e_shnum * sizeof(Shdr);
    if (e->e_shoff > UINT64_MAX - table || !in_file(f, e->e_shoff, table)) {
        if (e->e_shoff > UINT64_MAX - table ||
            !looks_cut(f, e->e_shoff + table))
            return refuse(f, "its ELF header is damaged: the section header "
                          "table at byte %llu lies outside the file",
                          (unsigned long long)e->e_shoff);
        return truncated(f, "the section header table", e->e_shoff + table);
    }
    for (size_t i = 0; i < e->e_shnum; i++) {
        Shdr s;
        get(f, e->e_shoff + (uint64_t)i * sizeof s, &s, sizeof s);
        if (s.sh_type == SHT_NOBITS || s.sh_type == SHT_NULL)
            continue;
        if (s.sh_type == SHT_DYNSYM) {
            f->dynsym_addr = s.sh_addr;
            f->dynsym_count = s.sh_size / sizeof(Sym);
        }
        if (s.sh_offset > UINT64_MAX - s.sh_size ||
            !in_file(f, s.sh_offset, s.sh_size)) {
            char what[32];
            snprintf(what, sizeof what, "section %zu", i);
            if (s.sh_offset > UINT64_MAX - s.sh_size ||
                !looks_cut(f, s.sh_offset + s.sh_size))
                return refuse(f, "section %zu is damaged: it lies outside "
                              "the file", i);
            return truncated(f, what, s.sh_offset + s.sh_size);
        }
    }
    return AP_OK;
}

/* ---- the dynamic section ------------------------------------------------------ */

/* What the dynamic section says, 0 for what it does not. */
typedef struct dynamic {
    uint64_t strtab, strsz, symtab, syment, hash, gnu_hash;
    uint64_t rela, relasz, relaent, rel, relsz, relent;
    uint64_t jmprel, pltrelsz, pltrel, relr, relrsz, relrent;
    uint64_t versym, verneed, verneednum, verdef, verdefnum;
    uint64_t init, fini, init_array, init_arraysz, fini_array, fini_arraysz;
    uint64_t relacount, relcount; /* leading RELATIVE relocations */
    int has[8]; /* which of strtab, symtab, strsz, ... were given */
    uint64_t dyn_off;  /* the section's file offset */
    size_t n;          /* entries up to and with DT_NULL */
    size_t nsyms;      /* symbols: from the hash tables and .dynsym */
    uint64_t strtab_off; /* the string table's file offset */
    unsigned max_version; /* the highest version index defined or needed */
} dynamic;

static ap_status read_dynamic(elf_file *f, dynamic *d)
{
    Phdr p = {0};
    for (size_t i = 0; i < f->eh.e_phnum; i++) {
        p = phdr(f, i);
        if (p.p_type == PT_DYNAMIC)
            break;
    }
    /* check_segments found it inside a loaded segment. */
    if (!backed(f, p.p_vaddr, p.p_memsz, 0, &d->dyn_off))
        return refuse(f, "its dynamic section lies outside the loaded "
                      "segments");
    size_t max = p.p_memsz / sizeof(Dyn);
    for (size_t i = 0;; i++) {
        if (i == max)
            return refuse(f, "its dynamic section is damaged: it has no "
                          "DT_NULL entry to end it");
        Dyn dyn;
        get(f, d->dyn_off + i * sizeof dyn, &dyn, sizeof dyn);
        uint64_t v = dyn.d_un.d_val;
        switch (dyn.d_tag) {
        case DT_NULL: d->n = i + 1; return AP_OK;
        case DT_STRTAB: d->strtab = v; d->has[0] = 1; break;
        case DT_SYMTAB: d->symtab = v; d->has[1] = 1; break;
        case DT_STRSZ: d->strsz = v; d->has[2] = 1; break;
        case DT_SYMENT: d->syment = v; break;
        case DT_HASH: d->hash = v; d->has[3] = 1; break;
        case DT_GNU_HASH: d->gnu_hash = v; d->has[4] = 1; break;
        case DT_RELA: d->rela = v; break;
        case DT_RELASZ: d->relasz = v; break;
        case DT_RELAENT: d->relaent = v; break;
        case DT_REL: d->rel = v; break;
        case DT_RELSZ: d->relsz = v; break;
        case DT_RELENT: d->relent = v; break;
        case DT_JMPREL: d->jmprel = v; d->has[5] = 1; break;
        case DT_PLTRELSZ: d->pltrelsz = v; break;
        case DT_PLTREL: d->pltrel = v; break;
#ifdef DT_RELR
        case DT_RELR: d->relr = v; break;
        case DT_RELRSZ: d->relrsz = v; break;
        case DT_RELRENT: d->relrent = v; break;
#endif
        case DT_VERSYM: d->versym = v; d->has[6] = 1; break;
        case DT_VERNEED: d->verneed = v; break;
        case DT_VERNEEDNUM: d->verneednum = v; break;
        case DT_VERDEF: d->verdef = v; break;
        case DT_VERDEFNUM: d->verdefnum = v; break;
        case DT_INIT: d->init = v; break;
        case DT_FINI: d->fini = v; break;
        case DT_INIT_ARRAY: d->init_array = v; break;
        case DT_INIT_ARRAYSZ: d->init_arraysz = v; break;
        case DT_FINI_ARRAY: d->fini_array = v; break;
        case DT_FINI_ARRAYSZ: d->fini_arraysz = v; break;
        case DT_RELACOUNT: d->relacount = v; break;
        case DT_RELCOUNT: d->relcount = v; break;
        case DT_TEXTREL: f->textrel = 1; break;
        case DT_FLAGS: if (v & DF_TEXTREL) f->textrel = 1; break;
        default: break;
        }
    }
}

/* The string at offset off of the dynamic string table, or NULL when it
 * does not end inside the table. */
static const char *string_at(const elf_file *f, const dynamic *d,
                             uint64_t strtab_off, uint64_t off)
{
    if (off >= d->strsz)
        return NULL;
    const char *s = (const char *)f->b + strtab_off + off;
    return memchr(s, '\0', d->strsz - off) != NULL ? s : NULL;
}

/* The table [addr, addr + size) inside the file's loaded part; its file
 * offset in *off.  what words the message. */
static ap_status table(elf_file *f, uint64_t addr, uint64_t size,
                       const char *what, uint64_t *off)
{
    if (!backed(f, addr, size, 0, off))
        return refuse(f, "its %s (address 0x%llx, %llu bytes) lies outside "
                      "the loaded segments", what, (unsigned long long)addr,
                      (unsigned long long)size);
    return AP_OK;
}

static uint32_t u32_at(const elf_file *f, uint64_t off)
{
    uint32_t v;
    get(f, off, &v, sizeof v);
    return v;
}

/* The GNU hash table: its shape, its buckets and the chains they start,
 * and from them the number of symbols. */
static ap_status check_gnu_hash(elf_file *f, dynamic *d)
{
    uint64_t off;
    ap_status st = table(f, d->gnu_hash, 16, "GNU hash table (DT_GNU_HASH)",
                         &off);
    if (st != AP_OK)
        return st;
    uint32_t nbuckets = u32_at(f, off), symoffset = u32_at(f, off + 4);
    uint32_t bloom = u32_at(f, off + 8), shift = u32_at(f, off + 12);
    if (nbuckets == 0 || bloom == 0 || (bloom & (bloom - 1)) != 0 ||
        shift >= HOST_BITS)
        return refuse(f, "its GNU hash table is damaged: %u buckets, %u "
                      "bloom words and a shift of %u", nbuckets, bloom,
                      shift);
    uint64_t head = 16 + (uint64_t)bloom * sizeof(Addr) + 4ull * nbuckets;
    if ((st = table(f, d->gnu_hash, head, "GNU hash table (DT_GNU_HASH)",
                    &off)) != AP_OK)
        return st;
    uint64_t buckets = off + 16 + (uint64_t)bloom * sizeof(Addr);
    uint32_t top = 0;
    for (uint32_t i = 0; i < nbuckets; i++) {
        uint32_t b = u32_at(f, buckets + 4ull * i);
        if (b != 0 && b < symoffset)
            return refuse(f, "its GNU hash table is damaged: bucket %u "
                          "names symbol %u, below the first hashed symbol "
                          "%u", i, b, symoffset);
        if (b > top)
            top = b;
    }
    uint64_t chain_addr = d->gnu_hash + head;
    size_t nsyms = symoffset;
    if (top != 0) {
        /* Every chain ends at an entry with its low bit set; the chain
         * starting latest ends last. */
        for (uint64_t i = top;; i++) {
            uint64_t coff;
            if (!backed(f, chain_addr + 4 * (i - symoffset), 4, 0, &coff))
                return refuse(f, "its GNU hash table is damaged: the chain "
                              "of symbol %u runs out of the loaded "
                              "segments", top);
            if (u32_at(f, coff) & 1u) {
                nsyms = (size_t)i + 1;
                break;
            }
        }
    }
    d->nsyms = nsyms;
    return AP_OK;
}

/* The SysV hash table: every bucket and chain entry names a symbol, and
 * no chain a bucket reaches loops (each symbol is reached once at most). */
static ap_status check_sysv_hash(elf_file *f, dynamic *d)
{
    uint64_t off;
    ap_status st = table(f, d->hash, 8, "hash table (DT_HASH)", &off);
    if (st != AP_OK)
        return st;
    uint32_t nbucket = u32_at(f, off), nchain = u32_at(f, off + 4);
    if (nbucket == 0)
        return refuse(f, "its hash table is damaged: it has no buckets");
    if ((st = table(f, d->hash, 8 + 4ull * nbucket + 4ull * nchain,
                    "hash table (DT_HASH)", &off)) != AP_OK)
        return st;
    unsigned char *seen = calloc(nchain ? nchain : 1, 1);
    if (seen == NULL)
        return ap_error_set(f->err, AP_E_NOMEM, "out of memory checking "
                            "plugin %s", f->name);
    st = AP_OK;
    uint64_t n = (uint64_t)nbucket + nchain;
    for (uint64_t i = 0; i < n && st == AP_OK; i++) {
        uint32_t v = u32_at(f, off + 8 + 4 * i);
        if (v == 0)
            continue;
        if (v >= nchain)
            st = refuse(f, "its hash table is damaged: an entry names "
                        "symbol %u of %u", v, nchain);
        else if (seen[v]++)
            st = refuse(f, "its hash table is damaged: symbol %u is "
                        "reached twice, so a lookup could loop", v);
    }
    free(seen);
    if (st == AP_OK && nchain > d->nsyms)
        d->nsyms = nchain; /* the number of symbols, by definition */
    return st;
}

static uint32_t gnu_hash_of(const char *s)
{
    uint32_t h = 5381;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = h * 33 + *p;
    return h;
}

static uint32_t sysv_hash_of(const char *s)
{
    uint32_t h = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h = (h << 4) + *p;
        uint32_t g = h & 0xf0000000u;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

static Sym sym_at(const elf_file *f, uint64_t symtab_off, size_t i)
{
    Sym s;
    get(f, symtab_off + (uint64_t)i * sizeof s, &s, sizeof s);
    return s;
}

/* Looks name up as dlsym does (the GNU hash table when there is one, its
 * Bloom filter first), and checks what it finds: a defined function in an
 * executable segment. */
static ap_status check_entry(elf_file *f, const dynamic *d,
                             uint64_t strtab_off, uint64_t symtab_off,
                             const char *name)
{
    uint64_t off;
    size_t found = 0;
    int hit = 0;
    if (d->has[4]) {
        backed(f, d->gnu_hash, 16, 0, &off); /* checked */
        uint32_t nbuckets = u32_at(f, off), symoffset = u32_at(f, off + 4);
        uint32_t bloom = u32_at(f, off + 8), shift = u32_at(f, off + 12);
        uint32_t h = gnu_hash_of(name);
        Addr word;
        get(f, off + 16 + (uint64_t)((h / HOST_BITS) & (bloom - 1)) *
                              sizeof(Addr),
            &word, sizeof word);
        /* glibc shifts the hash as an unsigned long. */
        if (((word >> (h % HOST_BITS)) &
             (word >> (((uint64_t)h >> shift) % HOST_BITS)) & 1) != 0) {
            uint64_t buckets = off + 16 + (uint64_t)bloom * sizeof(Addr);
            uint32_t i = u32_at(f, buckets + 4ull * (h % nbuckets));
            uint64_t chain = d->gnu_hash + 16 +
                             (uint64_t)bloom * sizeof(Addr) + 4ull * nbuckets;
            /* Every chain ends inside the table: check_gnu_hash. */
            for (uint64_t coff; i != 0 && i < d->nsyms; i++) {
                if (!backed(f, chain + 4ull * (i - symoffset), 4, 0, &coff))
                    break;
                uint32_t ch = u32_at(f, coff);
                if ((ch | 1u) == (h | 1u)) {
                    Sym s = sym_at(f, symtab_off, i);
                    const char *n = string_at(f, d, strtab_off, s.st_name);
                    if (n != NULL && strcmp(n, name) == 0) {
                        found = i;
                        hit = 1;
                        break;
                    }
                }
                if (ch & 1u)
                    break;
            }
        }
    } else {
        backed(f, d->hash, 8, 0, &off); /* checked */
        uint32_t nbucket = u32_at(f, off), nchain = u32_at(f, off + 4);
        uint32_t i = u32_at(f, off + 8 + 4ull * (sysv_hash_of(name) %
                                                 nbucket));
        for (; i != 0 && i < nchain && i < d->nsyms;
             i = u32_at(f, off + 8 + 4ull * nbucket + 4ull * i)) {
            Sym s = sym_at(f, symtab_off, i);
            const char *n = string_at(f, d, strtab_off, s.st_name);
            if (n != NULL && strcmp(n, name) == 0) {
                found = i;
                hit = 1;
                break;
            }
        }
    }
    if (!hit)
        return refuse(f, "its dynamic symbol table has no %s; a plugin "
                      "exports %s and %s (declared with AP_PLUGIN_EXPORT)",
                      name, AP_PLUGIN_INFO_SYMBOL, AP_PLUGIN_INIT_SYMBOL);
    Sym s = sym_at(f, symtab_off, found);
    if (s.st_shndx == SHN_UNDEF || ST_TYPE(s.st_info) != STT_FUNC)
        return refuse(f, "its symbol %s is not a function it defines "
                      "(section %u, type %u)", name, (unsigned)s.st_shndx,
                      (unsigned)ST_TYPE(s.st_info));
    if (!mapped(f, s.st_value, 1, PF_X))
        return refuse(f, "its function %s (address 0x%llx) lies outside its "
                      "executable segments", name,
                      (unsigned long long)s.st_value);
    return AP_OK;
}

/* Nonzero when what glibc reads for symbol i lies in the loaded
 * segments: its entry, its name and its version.  For a symbol past the
 * ones the hash tables and .dynsym count, which a relocation may name. */
static int symbol_readable(const elf_file *f, const dynamic *d, uint64_t i)
{
    uint64_t off;
    if (i > UINT64_MAX / sizeof(Sym) ||
        !backed(f, d->symtab + i * sizeof(Sym), sizeof(Sym), 0, &off))
        return 0;
    Sym s;
    get(f, off, &s, sizeof s);
    if (string_at(f, d, d->strtab_off, s.st_name) == NULL)
        return 0;
    if (d->has[6]) {
        uint16_t v;
        if (!backed(f, d->versym + 2 * i, 2, 0, &off))
            return 0;
        get(f, off, &v, sizeof v);
        if ((v & 0x7fffu) > 1 && (v & 0x7fffu) > d->max_version)
            return 0;
    }
    return 1;
}

/* A relocation at r_offset, of type, against symbol sym, with addend. */
static ap_status check_reloc(elf_file *f, const dynamic *d, const char *what,
                             size_t i, uint64_t r_offset, uint64_t type,
                             uint64_t sym, uint64_t addend, int has_addend)
{
    if (type == 0)
        return AP_OK; /* R_*_NONE */
    if (sym >= d->nsyms && !symbol_readable(f, d, sym))
        return refuse(f, "its relocation %zu of %s is damaged: it names "
                      "symbol %llu, outside the symbol table", i, what,
                      (unsigned long long)sym);
    if (!mapped(f, r_offset, sizeof(Addr), f->textrel ? 0 : PF_W))
        return refuse(f, "its relocation %zu of %s is damaged: it writes "
                      "at 0x%llx, outside the %ssegments", i, what,
                      (unsigned long long)r_offset,
                      f->textrel ? "loaded " : "writable loaded ");
#ifdef HOST_R_RELATIVE
    if (has_addend && type == HOST_R_RELATIVE && !mapped(f, addend, 0, 0))
        return refuse(f, "its relocation %zu of %s is damaged: it points "
                      "at 0x%llx, outside the loaded segments", i, what,
                      (unsigned long long)addend);
    if (has_addend && type == HOST_R_IRELATIVE &&
        !mapped(f, addend, 1, PF_X))
        return refuse(f, "its relocation %zu of %s is damaged: its "
                      "resolver at 0x%llx lies outside the executable "
                      "segments", i, what, (unsigned long long)addend);
#else
    (void)addend;
    (void)has_addend;
#endif
    return AP_OK;
}

static ap_status check_leading_relative(elf_file *f, const char *what,
                                        size_t i, uint64_t relative,
                                        uint64_t type)
{
#ifdef HOST_R_RELATIVE
    if (i < relative && type != HOST_R_RELATIVE)
        return refuse(f, "its relocation %zu of %s is damaged: the first "
                      "%llu are declared relative (DT_RELACOUNT or "
                      "DT_RELCOUNT), but it is of type %llu", i, what,
                      (unsigned long long)relative, (unsigned long long)type);
#else
    (void)f;
    (void)what;
    (void)i;
    (void)relative;
    (void)type;
#endif
    return AP_OK;
}

/* A table of relocations; the first `relative` of them (DT_RELACOUNT,
 * DT_RELCOUNT) glibc applies as RELATIVE ones without looking at their
 * type but for an assertion that ends the process, so they must be. */
static ap_status check_rela_table(elf_file *f, const dynamic *d,
                                  uint64_t addr, uint64_t size,
                                  uint64_t relative, const char *what)
{
    uint64_t off;
    ap_status st;
    if (size % sizeof(Rela) != 0)
        return refuse(f, "its %s is damaged: %llu bytes is not a whole "
                      "number of %zu-byte entries", what,
                      (unsigned long long)size, sizeof(Rela));
    if ((st = table(f, addr, size, what, &off)) != AP_OK)
        return st;
    for (size_t i = 0; i < size / sizeof(Rela); i++) {
        Rela r;
        get(f, off + i * sizeof r, &r, sizeof r);
        if ((st = check_leading_relative(f, what, i, relative,
                                         R_TYPE(r.r_info))))
            return st;
        if ((st = check_reloc(f, d, what, i, r.r_offset, R_TYPE(r.r_info),
                              R_SYM(r.r_info), (uint64_t)r.r_addend, 1)))
            return st;
    }
    return AP_OK;
}

static ap_status check_rel_table(elf_file *f, const dynamic *d,
                                 uint64_t addr, uint64_t size,
                                 uint64_t relative, const char *what)
{
    uint64_t off;
    ap_status st;
    if (size % sizeof(Rel) != 0)
        return refuse(f, "its %s is damaged: %llu bytes is not a whole "
                      "number of %zu-byte entries", what,
                      (unsigned long long)size, sizeof(Rel));
    if ((st = table(f, addr, size, what, &off)) != AP_OK)
        return st;
    for (size_t i = 0; i < size / sizeof(Rel); i++) {
        Rel r;
        get(f, off + i * sizeof r, &r, sizeof r);
        if ((st = check_leading_relative(f, what, i, relative,
                                         R_TYPE(r.r_info))))
            return st;
        if ((st = check_reloc(f, d, what, i, r.r_offset, R_TYPE(r.r_info),
                              R_SYM(r.r_info), 0, 0)))
            return st;
    }
    return AP_OK;
}

/* DT_RELR: an address, then bitmaps of the words after it. */
static ap_status check_relr(elf_file *f, const dynamic *d)
{
    uint64_t off;
    ap_status st;
    if (d->relrsz % sizeof(Addr) != 0 ||
        (d->relrent != 0 && d->relrent != sizeof(Addr)))
        return refuse(f, "its relative relocations (DT_RELR) are damaged: "
                      "%llu bytes of %llu-byte entries",
                      (unsigned long long)d->relrsz,
                      (unsigned long long)d->relrent);
    if ((st = table(f, d->relr, d->relrsz, "relative relocations (DT_RELR)",
                    &off)) != AP_OK)
        return st;
    uint64_t where = 0;
    int have = 0;
    for (size_t i = 0; i < d->relrsz / sizeof(Addr); i++) {
        Addr e;
        get(f, off + i * sizeof e, &e, sizeof e);
        if ((e & 1) == 0) {
            where = e;
            have = 1;
            if (!mapped(f, where, sizeof(Addr), f->textrel ? 0 : PF_W))
                return refuse(f, "its relative relocation %zu (DT_RELR) "
                              "writes at 0x%llx, outside the writable "
                              "segments", i, (unsigned long long)where);
            where += sizeof(Addr);
            continue;
        }
        if (!have)
            return refuse(f, "its relative relocations (DT_RELR) are "
                          "damaged: entry %zu is a bitmap with no address "
                          "before it", i);
        for (unsigned bit = 1; bit < HOST_BITS; bit++)
            if ((e >> bit) & 1) {
                uint64_t at = where + (uint64_t)(bit - 1) * sizeof(Addr);
                if (!mapped(f, at, sizeof(Addr), f->textrel ? 0 : PF_W))
                    return refuse(f, "its relative relocation %zu (DT_RELR) "
                                  "writes at 0x%llx, outside the writable "
                                  "segments", i, (unsigned long long)at);
            }
        where += (uint64_t)(HOST_BITS - 1) * sizeof(Addr);
    }
    return AP_OK;
}

/* The version tables glibc walks by their next offsets. */
static ap_status check_versions(elf_file *f, dynamic *d,
                                uint64_t strtab_off)
{
    uint64_t off;
    ap_status st;
    /* Each step moves forward through a bounded table, so the walks end. */
    if (d->verneed != 0) {
        uint64_t addr = d->verneed;
        for (;;) {
            Verneed vn;
            if ((st = table(f, addr, sizeof vn, "version needs (DT_VERNEED)",
                            &off)) != AP_OK)
                return st;
            get(f, off, &vn, sizeof vn);
            if (vn.vn_version != 1 ||
                string_at(f, d, strtab_off, vn.vn_file) == NULL)
                return refuse(f, "its version needs (DT_VERNEED) are "
                              "damaged");
            uint64_t aux = addr + vn.vn_aux;
            for (;;) { /* as glibc walks it: to a next of 0 */
                Vernaux va;
                if ((st = table(f, aux, sizeof va,
                                "version needs (DT_VERNEED)", &off)) != AP_OK)
                    return st;
                get(f, off, &va, sizeof va);
                if (string_at(f, d, strtab_off, va.vna_name) == NULL)
                    return refuse(f, "its version needs (DT_VERNEED) name a "
                                  "string outside the string table");
                if ((va.vna_other & 0x7fffu) > d->max_version)
                    d->max_version = va.vna_other & 0x7fffu;
                if (va.vna_next == 0)
                    break;
                aux += va.vna_next;
            }
            if (vn.vn_next == 0)
                break;
            addr += vn.vn_next;
        }
    }
    if (d->verdef != 0) {
        uint64_t addr = d->verdef;
        for (;;) {
            Verdef vd;
            if ((st = table(f, addr, sizeof vd,
                            "version definitions (DT_VERDEF)", &off)) != AP_OK)
                return st;
            get(f, off, &vd, sizeof vd);
            if (vd.vd_version != 1)
                return refuse(f, "its version definitions (DT_VERDEF) are "
                              "damaged");
            if ((vd.vd_ndx & 0x7fffu) > d->max_version)
                d->max_version = vd.vd_ndx & 0x7fffu;
            uint64_t aux = addr + vd.vd_aux;
            for (;;) {
                Verdaux va;
                if ((st = table(f, aux, sizeof va,
                                "version definitions (DT_VERDEF)", &off)))
                    return st;
                get(f, off, &va, sizeof va);
                if (string_at(f, d, strtab_off, va.vda_name) == NULL)
                    return refuse(f, "its version definitions (DT_VERDEF) "
                                  "name a string outside the string table");
                if (va.vda_next == 0)
                    break;
                aux += va.vda_next;
            }
            if (vd.vd_next == 0)
                break;
            addr += vd.vd_next;
        }
    }
    if (d->has[6]) {
        if ((st = table(f, d->versym, 2ull * d->nsyms,
                        "symbol versions (DT_VERSYM)", &off)) != AP_OK)
            return st;
        for (size_t i = 0; i < d->nsyms; i++) {
            uint16_t v;
            get(f, off + 2 * i, &v, sizeof v);
            if ((v & 0x7fffu) > 1 && (v & 0x7fffu) > d->max_version)
                return refuse(f, "its symbol versions (DT_VERSYM) are "
                              "damaged: symbol %zu has version %u, which no "
                              "version table defines", i, v & 0x7fffu);
        }
    }
    return AP_OK;
}

static ap_status check_dynamic(elf_file *f)
{
    dynamic d;
    memset(&d, 0, sizeof d);
    ap_status st = read_dynamic(f, &d);
    if (st != AP_OK)
        return st;
    if (!d.has[0] || !d.has[1] || !d.has[2])
        return refuse(f, "its dynamic section gives no %s, so no symbol can "
                      "be looked up", !d.has[0] ? "string table (DT_STRTAB)"
                      : !d.has[1] ? "symbol table (DT_SYMTAB)"
                                  : "string table size (DT_STRSZ)");
    if (d.syment != 0 && d.syment != sizeof(Sym))
        return refuse(f, "its dynamic section is damaged: symbols of %llu "
                      "bytes, not %zu", (unsigned long long)d.syment,
                      sizeof(Sym));
    if (!d.has[3] && !d.has[4])
        return refuse(f, "its dynamic section gives no hash table "
                      "(DT_GNU_HASH or DT_HASH), so no symbol can be looked "
                      "up");
    uint64_t strtab_off, symtab_off;
    if (d.strsz == 0)
        return refuse(f, "its dynamic string table is empty");
    if ((st = table(f, d.strtab, d.strsz, "string table (DT_STRTAB)",
                    &strtab_off)) != AP_OK)
        return st;
    if (d.has[4] && (st = check_gnu_hash(f, &d)) != AP_OK)
        return st;
    if (d.has[3] && (st = check_sysv_hash(f, &d)) != AP_OK)
        return st;
    /* A GNU hash table counts only the symbols it hashes (not those a
     * plugin imports), so .dynsym's count, when its section is there,
     * counts too. */
    if (f->dynsym_addr == d.symtab && f->dynsym_count > d.nsyms)
        d.nsyms = (size_t)f->dynsym_count;
    d.strtab_off = strtab_off;
    if ((st = table(f, d.symtab, (uint64_t)d.nsyms * sizeof(Sym),
                    "symbol table (DT_SYMTAB)", &symtab_off)) != AP_OK)
        return st;
    /* Every string the dynamic section names. */
    for (size_t i = 0; i < d.n; i++) {
        Dyn dyn;
        get(f, d.dyn_off + i * sizeof dyn, &dyn, sizeof dyn);
        if ((dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_SONAME ||
             dyn.d_tag == DT_RPATH || dyn.d_tag == DT_RUNPATH) &&
            string_at(f, &d, strtab_off, dyn.d_un.d_val) == NULL)
            return refuse(f, "its dynamic section is damaged: entry %zu "
                          "names a string outside the string table", i);
    }
    for (size_t i = 0; i < d.nsyms; i++) {
        Sym s = sym_at(f, symtab_off, i);
        if (s.st_name != 0 && string_at(f, &d, strtab_off, s.st_name) == NULL)
            return refuse(f, "its dynamic symbol %zu is damaged: its name "
                          "lies outside the string table", i);
    }
    if ((st = check_versions(f, &d, strtab_off)) != AP_OK)
        return st;
    if (d.rela != 0 || d.relasz != 0) {
        if (d.relaent != 0 && d.relaent != sizeof(Rela))
            return refuse(f, "its relocations (DT_RELA) are damaged: entries "
                          "of %llu bytes, not %zu",
                          (unsigned long long)d.relaent, sizeof(Rela));
        if ((st = check_rela_table(f, &d, d.rela, d.relasz, d.relacount,
                                   "relocations (DT_RELA)")))
            return st;
    }
    if (d.rel != 0 || d.relsz != 0) {
        if (d.relent != 0 && d.relent != sizeof(Rel))
            return refuse(f, "its relocations (DT_REL) are damaged: entries "
                          "of %llu bytes, not %zu",
                          (unsigned long long)d.relent, sizeof(Rel));
        if ((st = check_rel_table(f, &d, d.rel, d.relsz, d.relcount,
                                  "relocations (DT_REL)")))
            return st;
    }
    if (d.has[5]) {
        if (d.pltrel == DT_RELA)
            st = check_rela_table(f, &d, d.jmprel, d.pltrelsz, 0,
                                  "PLT relocations (DT_JMPREL)");
        else if (d.pltrel == DT_REL)
            st = check_rel_table(f, &d, d.jmprel, d.pltrelsz, 0,
                                 "PLT relocations (DT_JMPREL)");
        else
            st = refuse(f, "its PLT relocations are damaged: DT_PLTREL is "
                        "%llu, neither DT_RELA nor DT_REL",
                        (unsigned long long)d.pltrel);
        if (st != AP_OK)
            return st;
    }
    if ((d.relr != 0 || d.relrsz != 0) && (st = check_relr(f, &d)) != AP_OK)
        return st;
    /* What dlopen calls, and the arrays of what it calls. */
    if (d.init != 0 && !mapped(f, d.init, 1, PF_X))
        return refuse(f, "its initialiser (DT_INIT, 0x%llx) lies outside "
                      "its executable segments", (unsigned long long)d.init);
    if (d.fini != 0 && !mapped(f, d.fini, 1, PF_X))
        return refuse(f, "its finaliser (DT_FINI, 0x%llx) lies outside its "
                      "executable segments", (unsigned long long)d.fini);
    if (d.init_arraysz % sizeof(Addr) != 0 ||
        !mapped(f, d.init_array, d.init_arraysz, 0))
        return refuse(f, "its array of initialisers (DT_INIT_ARRAY) lies "
                      "outside the loaded segments");
    if (d.fini_arraysz % sizeof(Addr) != 0 ||
        !mapped(f, d.fini_array, d.fini_arraysz, 0))
        return refuse(f, "its array of finalisers (DT_FINI_ARRAY) lies "
                      "outside the loaded segments");
    if ((st = check_entry(f, &d, strtab_off, symtab_off,
                          AP_PLUGIN_INFO_SYMBOL)) ||
        (st = check_entry(f, &d, strtab_off, symtab_off,
                          AP_PLUGIN_INIT_SYMBOL)))
        return st;
    return AP_OK;
}

static ap_status check_elf(const unsigned char *bytes, size_t size,
                           const char *name, ap_error *err)
{
    elf_file f;
    memset(&f, 0, sizeof f);
    f.b = bytes;
    f.size = size;
    f.name = name;
    f.err = err;
    ap_status st;
    if ((st = check_header(&f)) || (st = check_segments(&f)) ||
        (st = check_sections(&f)) || (st = check_dynamic(&f)))
        return st;
    return AP_OK;
}
#endif /* AP__PLAT_ELF */

/* ---- the entry points ------------------------------------------------------------ */

ap_status ap_plugin_file_check(const unsigned char *bytes, size_t size,
                               const char *name, ap_error *err)
{
    ap_error_clear(err);
    if (bytes == NULL)
        size = 0;
    if (name == NULL)
        name = "(unnamed)";
    int read_elf = 0;
    ap_status st = ap__plugin_format_check(bytes, size, name, &read_elf, err);
#if AP__PLAT_ELF
    if (st == AP_OK && read_elf)
        st = check_elf(bytes, size, name, err);
#endif
    return st;
}

ap_status ap_plugin_file_check_path(const char *path, ap_error *err)
{
    ap_error_clear(err);
    if (path == NULL || path[0] == '\0')
        return ap_error_set(err, AP_E_PLUGIN, "no plugin path given");
    /* A folder first: Windows will not open one as a file at all, and its
     * "Permission denied" would not say what is wrong. */
    ap__plat_file_info info;
    char why[128];
    if (ap__plat_file_info_get(path, &info, why, sizeof why) == 0 &&
        info.kind != AP__PLAT_FILE_REGULAR)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: it is "
                            "not a regular file", path);
    FILE *fp = ap__plat_fopen(path, "rb");
    if (fp == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s cannot be read: %s",
                            path, strerror(errno));
    uint64_t file_size = 0;
    ap_status st = AP_OK;
    unsigned char *buf = NULL;
    size_t got = 0;
    if (!ap__plat_stream_size(fp, &file_size)) {
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: it is not "
                          "a regular file", path);
    } else if (file_size > MAX_FILE_BYTES) {
        char a[32];
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: it is %s "
                          "bytes, more than the %zu MiB a plugin may be",
                          path, grouped(file_size, a), MAX_FILE_BYTES >> 20);
    } else if ((buf = malloc(file_size > 0 ? (size_t)file_size : 1)) ==
               NULL) {
        st = ap_error_set(err, AP_E_NOMEM, "out of memory checking plugin %s",
                          path);
    } else {
        /* Read what is there now: the file may change under us, and the
         * check is of these bytes. */
        got = fread(buf, 1, (size_t)file_size, fp);
        if (got < (size_t)file_size && ferror(fp))
            st = ap_error_set(err, AP_E_PLUGIN, "plugin %s cannot be read: "
                              "%s", path, strerror(errno));
    }
    fclose(fp);
    if (st == AP_OK)
        st = ap_plugin_file_check(buf, got, path, err);
    free(buf);
    return st;
}
