/* apportion: the single source of the library's version (setup.py reads it).
 *
 * Memory.  Macros only: nothing to allocate or free. */
#ifndef APPORTION_VERSION_H
#define APPORTION_VERSION_H

#define AP_VERSION_MAJOR 0
#define AP_VERSION_MINOR 1
#define AP_VERSION_PATCH 0
#define AP_VERSION_STRING "0.1.0"

#endif
