/* What format a plugin file is, recognised by its first bytes, before the
 * loader reads it further: an ELF shared library (Linux and the other ELF
 * systems), a PE file (a Windows DLL) or a Mach-O file (macOS).
 *
 * Only the host's own format can be loaded; a file of another platform's
 * is refused saying what it is and what this host loads, instead of with
 * the library loader's puzzling words.  The full reader of a file's
 * structure is ELF's (plugin_file_check.c), because glibc's dlopen trusts
 * the file; on Windows and macOS the check here reads the PE or Mach-O
 * header (the processor, and that the file is a library), and the
 * system's loader (LoadLibrary, dyld), which validates the file's
 * structure itself, does the rest. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "apportion/plugin.h"
#include "platform/platform.h"
#include "plugin/plugin_internal.h"

/* The host's processor, as each format numbers it. */
#if defined(__x86_64__) || defined(_M_X64)
#define HOST_CPU "x86-64"
#define HOST_PE_MACHINE 0x8664u
#define HOST_MACHO_CPU 0x01000007u /* CPU_TYPE_X86_64 */
#elif defined(__aarch64__) || defined(_M_ARM64)
#define HOST_CPU "AArch64"
#define HOST_PE_MACHINE 0xAA64u
#define HOST_MACHO_CPU 0x0100000Cu /* CPU_TYPE_ARM64 */
#elif defined(__i386__) || defined(_M_IX86)
#define HOST_CPU "i386"
#define HOST_PE_MACHINE 0x014Cu
#define HOST_MACHO_CPU 0x00000007u /* CPU_TYPE_X86 */
#endif

#if AP__PLAT_WINDOWS
#define HOST_FORMAT "DLLs (PE files)"
#elif AP__PLAT_MACOS
#define HOST_FORMAT "Mach-O libraries (.dylib)"
#else
#define HOST_FORMAT "ELF shared libraries (.so)"
#endif

static ap_status refuse(const char *name, ap_error *err, const char *fmt,
                        ...) AP_PRINTF_FORMAT(3, 4);

static ap_status refuse(const char *name, ap_error *err, const char *fmt, ...)
{
    char why[AP_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: %s", name,
                        why);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

ap__plugin_format ap__plugin_format_of(const unsigned char *b, size_t size)
{
    if (b == NULL)
        return AP__FORMAT_UNKNOWN;
    if (size >= 4 && b[0] == 0x7F && b[1] == 'E' && b[2] == 'L' &&
        b[3] == 'F')
        return AP__FORMAT_ELF;
    if (size >= 2 && b[0] == 'M' && b[1] == 'Z')
        return AP__FORMAT_PE;
    if (size >= 4) {
        uint32_t m = le32(b), mb = be32(b);
        if (m == 0xFEEDFACFu || m == 0xFEEDFACEu || mb == 0xCAFEBABEu ||
            mb == 0xCAFEBABFu)
            return AP__FORMAT_MACHO;
    }
    return AP__FORMAT_UNKNOWN;
}

const char *ap__plugin_format_name(ap__plugin_format format)
{
    switch (format) {
    case AP__FORMAT_ELF: return "an ELF shared library (Linux's format)";
    case AP__FORMAT_PE: return "a PE file (a Windows DLL)";
    case AP__FORMAT_MACHO: return "a Mach-O file (macOS's format)";
    case AP__FORMAT_UNKNOWN:
    default: return "of no format a plugin can have";
    }
}

/* ---- PE (Windows) ---------------------------------------------------------- */

#if AP__PLAT_WINDOWS
static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static ap_status check_pe(const unsigned char *b, size_t size,
                          const char *name, ap_error *err)
{
    if (size < 64)
        return refuse(name, err, "it is truncated: the file has %zu bytes, "
                      "fewer than the 64 of a DOS header", size);
    uint32_t pe = le32(b + 0x3C);
    if (pe > size || size - pe < 24 + 2)
        return refuse(name, err, "its PE header at byte %lu lies outside "
                      "the file (%zu bytes)", (unsigned long)pe, size);
    if (memcmp(b + pe, "PE\0\0", 4) != 0)
        return refuse(name, err, "it is a DOS program, not a DLL: no PE "
                      "signature at byte %lu", (unsigned long)pe);
    uint32_t machine = le16(b + pe + 4);
    uint32_t characteristics = le16(b + pe + 22);
    uint32_t optional_magic = le16(b + pe + 24);
#ifdef HOST_PE_MACHINE
    if (machine != HOST_PE_MACHINE)
        return refuse(name, err, "it is built for another processor (PE "
                      "machine 0x%04lx; this host is %s, 0x%04x)",
                      (unsigned long)machine, HOST_CPU,
                      (unsigned)HOST_PE_MACHINE);
#endif
    if ((characteristics & 0x2000u) == 0) /* IMAGE_FILE_DLL */
        return refuse(name, err, "it is not a DLL but a program (its PE "
                      "header lacks IMAGE_FILE_DLL); build it with -shared");
    if (optional_magic != (sizeof(void *) == 8 ? 0x20Bu : 0x10Bu))
        return refuse(name, err, "it is a %s PE file, and this host loads "
                      "%d-bit ones",
                      optional_magic == 0x20Bu ? "64-bit"
                      : optional_magic == 0x10Bu ? "32-bit"
                                                 : "damaged (optional header)",
                      (int)(sizeof(void *) * 8));
    return AP_OK;
}
#endif

/* ---- Mach-O (macOS) ------------------------------------------------------- */

#if AP__PLAT_MACOS
static ap_status check_macho(const unsigned char *b, size_t size,
                             const char *name, ap_error *err)
{
    uint32_t mb = be32(b);
    if (mb == 0xCAFEBABEu || mb == 0xCAFEBABFu) {
        /* A universal file: dyld takes the host's slice, if there is one. */
        size_t entry = mb == 0xCAFEBABEu ? 20 : 32;
        uint32_t n = size >= 8 ? be32(b + 4) : 0;
        if (n == 0 || (size - 8) / entry < n)
            return refuse(name, err, "it is a damaged universal Mach-O "
                          "file: %lu architectures in %zu bytes",
                          (unsigned long)n, size);
#ifdef HOST_MACHO_CPU
        for (uint32_t i = 0; i < n; i++)
            if (be32(b + 8 + (size_t)i * entry) == HOST_MACHO_CPU)
                return AP_OK;
        return refuse(name, err, "it is a universal Mach-O file without "
                      "an %s slice", HOST_CPU);
#else
        return AP_OK;
#endif
    }
    if (le32(b) != 0xFEEDFACFu)
        return refuse(name, err, "it is a 32-bit Mach-O file, and this host "
                      "loads 64-bit ones");
    if (size < 32)
        return refuse(name, err, "it is truncated: the file has %zu bytes, "
                      "fewer than the 32 of a Mach-O header", size);
    uint32_t cpu = le32(b + 4), type = le32(b + 12);
#ifdef HOST_MACHO_CPU
    if (cpu != HOST_MACHO_CPU)
        return refuse(name, err, "it is built for another processor (Mach-O "
                      "CPU type 0x%08lx; this host is %s)",
                      (unsigned long)cpu, HOST_CPU);
#else
    (void)cpu;
#endif
    if (type != 6 && type != 8) /* MH_DYLIB, MH_BUNDLE */
        return refuse(name, err, "it is not a library: its Mach-O file type "
                      "is %lu, and a plugin is 6 (MH_DYLIB) or 8 (MH_BUNDLE); "
                      "build it with -dynamiclib", (unsigned long)type);
    return AP_OK;
}
#endif

ap_status ap__plugin_format_check(const unsigned char *b, size_t size,
                                  const char *name, int *read_elf,
                                  ap_error *err)
{
    ap__plugin_format format = ap__plugin_format_of(b, size);
    *read_elf = 0;
#if AP__PLAT_ELF
    /* ELF, or no format at all: the ELF reader says what is wrong, as it
     * always has. */
    if (format == AP__FORMAT_ELF || format == AP__FORMAT_UNKNOWN) {
        *read_elf = 1;
        return AP_OK;
    }
#elif AP__PLAT_WINDOWS
    if (format == AP__FORMAT_PE)
        return check_pe(b, size, name, err);
#else
    if (format == AP__FORMAT_MACHO)
        return check_macho(b, size, name, err);
#endif
    if (format == AP__FORMAT_UNKNOWN)
        return refuse(name, err, "it is not a loadable shared library: %s "
                      "(%zu bytes), and this host (%s) loads %s",
                      size == 0 ? "it is empty" : "its first bytes are of no "
                      "library format", size, AP__PLAT_NAME, HOST_FORMAT);
    return refuse(name, err, "it is not a loadable shared library here: it "
                  "is %s, and this host (%s) loads %s; build the plugin on "
                  "%s", ap__plugin_format_name(format), AP__PLAT_NAME,
                  HOST_FORMAT, AP__PLAT_NAME);
}
