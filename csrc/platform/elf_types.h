/* The ELF format's structures and constants (<elf.h>), for the reader of
 * plugin files on ELF hosts (plugin/plugin_file_check.c): the system
 * header stays inside the platform layer.  Empty where the host does not
 * load ELF files (Windows, macOS), which have no <elf.h>. */
#ifndef APPORTION_PLATFORM_ELF_TYPES_H
#define APPORTION_PLATFORM_ELF_TYPES_H

#include "platform/platform.h"

#if AP__PLAT_ELF
#include <elf.h>
#endif

#endif
