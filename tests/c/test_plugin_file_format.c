/* A plugin file's format, recognised by its first bytes
 * (csrc/plugin/plugin_file_format.c): a library of another platform's
 * format is refused naming what it is and what this host loads; on
 * Windows and macOS the host's own format has its header checked.  The
 * ELF reader's own tests are test_plugin_file_check.c.  Written against
 * the public API and the platform layer's macros only, so that it runs on
 * every platform. */
#include <stdint.h>
#include <string.h>

#include "apportion/plugin.h"
#include "platform/platform.h"
#include "runner.h"

/* The message ap_plugin_file_check gives bytes[0..size), which must be a
 * refusal. */
static const char *refusal(const unsigned char *bytes, size_t size)
{
    static ap_error err;
    CHECK(ap_plugin_file_check(bytes, size, "x" AP__PLAT_PLUGIN_SUFFIX,
                               &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "plugin x" AP__PLAT_PLUGIN_SUFFIX
                                " is refused: ");
    return err.message;
}

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v & 0xFF);
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A PE header: a DOS header pointing at "PE\0\0" at byte 64, the machine,
 * the characteristics and the optional header's magic. */
static void pe_image(unsigned char *b, size_t size, unsigned machine,
                     unsigned characteristics, unsigned magic)
{
    memset(b, 0, size);
    b[0] = 'M';
    b[1] = 'Z';
    put32(b + 0x3C, 64);
    memcpy(b + 64, "PE\0\0", 4);
    put16(b + 64 + 4, machine);
    put16(b + 64 + 22, characteristics);
    put16(b + 64 + 24, magic);
}

/* A 64-bit Mach-O header of a CPU type and file type. */
static void macho_image(unsigned char *b, size_t size, uint32_t cpu,
                        uint32_t type)
{
    memset(b, 0, size);
    put32(b, 0xFEEDFACFu);
    put32(b + 4, cpu);
    put32(b + 12, type);
}

static const unsigned char ELF_START[] = {0x7F, 'E', 'L', 'F', 2, 1, 1, 0};

#if defined(__x86_64__) || defined(_M_X64)
#define PE_HOST 0x8664u
#define MACHO_HOST 0x01000007u
#define PE_OTHER 0xAA64u
#define MACHO_OTHER 0x0100000Cu
#elif defined(__aarch64__) || defined(_M_ARM64)
#define PE_HOST 0xAA64u
#define MACHO_HOST 0x0100000Cu
#define PE_OTHER 0x8664u
#define MACHO_OTHER 0x01000007u
#endif

TEST(plugin_file_of_another_platform_is_named)
{
    unsigned char b[512];
    pe_image(b, sizeof b, 0x8664, 0x2022, 0x20B);
#if !AP__PLAT_WINDOWS
    CHECK_CONTAINS(refusal(b, sizeof b), "it is not a loadable shared "
                   "library here: it is a PE file (a Windows DLL), and this "
                   "host (" AP__PLAT_NAME ") loads ");
    CHECK_CONTAINS(refusal(b, sizeof b), "build the plugin on " AP__PLAT_NAME);
#endif
    macho_image(b, sizeof b, 0x01000007u, 6);
#if !AP__PLAT_MACOS
    CHECK_CONTAINS(refusal(b, sizeof b), "it is a Mach-O file (macOS's "
                   "format), and this host (" AP__PLAT_NAME ") loads ");
#endif
    /* A universal (fat) Mach-O file, big-endian. */
    memset(b, 0, sizeof b);
    b[0] = 0xCA, b[1] = 0xFE, b[2] = 0xBA, b[3] = 0xBE;
#if !AP__PLAT_MACOS
    CHECK_CONTAINS(refusal(b, sizeof b), "it is a Mach-O file");
#endif
    memset(b, 0, sizeof b);
    memcpy(b, ELF_START, sizeof ELF_START);
#if !AP__PLAT_ELF
    CHECK_CONTAINS(refusal(b, sizeof b), "it is an ELF shared library "
                   "(Linux's format), and this host (" AP__PLAT_NAME
                   ") loads ");
#else
    /* The ELF reader reads it, and says what it lacks. */
    CHECK(strstr(refusal(b, sizeof b), "Windows") == NULL);
#endif
}

TEST(plugin_file_of_no_format)
{
    const unsigned char text[] = "int main(void) { return 0; }\n";
#if AP__PLAT_ELF
    /* As ever on an ELF host: the ELF reader's words. */
    CHECK_CONTAINS(refusal(text, sizeof text - 1),
                   "does not start with the ELF bytes 7f 45 4c 46");
    CHECK_CONTAINS(refusal(text, 0), "it is empty (0 bytes)");
#else
    CHECK_CONTAINS(refusal(text, sizeof text - 1), "it is not a loadable "
                   "shared library: its first bytes are of no library "
                   "format");
    CHECK_CONTAINS(refusal(text, 0), "it is empty");
#endif
}

/* On Windows the DLL's header is read; elsewhere every such file is a
 * Windows DLL, whatever is wrong with it. */
TEST(plugin_file_pe_header_is_checked)
{
    unsigned char b[512];
#if AP__PLAT_WINDOWS && defined(PE_HOST)
    ap_error err;
    pe_image(b, sizeof b, PE_HOST, 0x2022, 0x20B);
    CHECK(ap_plugin_file_check(b, sizeof b, "x.dll", &err) == AP_OK);
    pe_image(b, sizeof b, PE_OTHER, 0x2022, 0x20B);
    CHECK_CONTAINS(refusal(b, sizeof b), "it is built for another processor "
                   "(PE machine ");
    pe_image(b, sizeof b, PE_HOST, 0x0022, 0x20B);
    CHECK_CONTAINS(refusal(b, sizeof b), "it is not a DLL but a program");
    pe_image(b, sizeof b, PE_HOST, 0x2022, 0x10B);
    CHECK_CONTAINS(refusal(b, sizeof b), "it is a 32-bit PE file");
    pe_image(b, sizeof b, PE_HOST, 0x2022, 0x20B);
    put32(b + 0x3C, 4000);
    CHECK_CONTAINS(refusal(b, sizeof b), "its PE header at byte 4000 lies "
                   "outside the file");
    CHECK_CONTAINS(refusal(b, 40), "it is truncated");
#else
    const unsigned machines[] = {0x8664u, 0xAA64u, 0x014Cu};
    for (int i = 0; i < 3; i++) {
        pe_image(b, sizeof b, machines[i], 0x0022, 0x10B);
        CHECK_CONTAINS(refusal(b, sizeof b), "it is a PE file (a Windows "
                       "DLL)");
    }
    CHECK_CONTAINS(refusal(b, 2), "it is a PE file (a Windows DLL)");
#endif
}

/* On macOS the Mach-O header is read; elsewhere every such file is a
 * macOS one. */
TEST(plugin_file_macho_header_is_checked)
{
    unsigned char b[512];
#if AP__PLAT_MACOS && defined(MACHO_HOST)
    ap_error err;
    macho_image(b, sizeof b, MACHO_HOST, 6);
    CHECK(ap_plugin_file_check(b, sizeof b, "x.dylib", &err) == AP_OK);
    macho_image(b, sizeof b, MACHO_HOST, 8);
    CHECK(ap_plugin_file_check(b, sizeof b, "x.dylib", &err) == AP_OK);
    macho_image(b, sizeof b, MACHO_OTHER, 6);
    CHECK_CONTAINS(refusal(b, sizeof b), "it is built for another processor");
    macho_image(b, sizeof b, MACHO_HOST, 2);
    CHECK_CONTAINS(refusal(b, sizeof b), "it is not a library: its Mach-O "
                   "file type is 2");
    CHECK_CONTAINS(refusal(b, 20), "it is truncated");
#else
    const uint32_t cpus[] = {0x01000007u, 0x0100000Cu};
    for (int i = 0; i < 2; i++) {
        macho_image(b, sizeof b, cpus[i], 2);
        CHECK_CONTAINS(refusal(b, sizeof b), "it is a Mach-O file (macOS's "
                       "format)");
    }
    CHECK_CONTAINS(refusal(b, 4), "it is a Mach-O file (macOS's format)");
#endif
}

TEST(plugin_file_suffix_and_probe_are_the_platforms)
{
    CHECK_STR(ap_plugin_file_suffix(), AP__PLAT_PLUGIN_SUFFIX);
    CHECK(ap_plugin_probe_available() == !AP__PLAT_WINDOWS);
}
