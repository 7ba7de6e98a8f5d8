/* apportion: status codes and the per-call error record.
 *
 * Every fallible function takes an `ap_error *err` (which may be NULL when the
 * caller only wants the status) and returns an ap_status.  On failure the
 * record says what went wrong in a sentence that names the offending field,
 * and for plan files the JSON path, line and column.  Nothing is global, so
 * calls on different threads never share an error.
 *
 * Memory.  Nothing here allocates.  An ap_error is a fixed-size record the
 * caller owns (usually on its stack); ap_error_clear resets its fields and
 * frees nothing.  ap_status_name returns a static string.  The library's
 * rule for what it allocates (_free and _clear) is in apportion.h. */
#ifndef APPORTION_ERROR_H
#define APPORTION_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks a public name kept for one release after a rename: the compiler
 * warns at each use with msg (which says what to call instead), while the
 * symbol stays exported, so code built against the old name still links.
 * Written before the declaration:
 *   AP_DEPRECATED("use ap_new") void ap_old(void); */
#if defined(__GNUC__) || defined(__clang__)
#define AP_DEPRECATED(msg) __attribute__((deprecated(msg)))
#elif defined(_MSC_VER)
#define AP_DEPRECATED(msg) __declspec(deprecated(msg))
#else
#define AP_DEPRECATED(msg)
#endif

/* Marks a printf-like function, so that the compiler checks the format
 * strings given to it against their arguments.  The formats are C99's
 * (%zu, %lld): on Windows with mingw-w64 its own printf, which C11 builds
 * use, gives them, and GCC checks them as gnu_printf there (its "printf"
 * would mean the old Microsoft runtime's). */
#if defined(__MINGW32__) && defined(__GNUC__)
#define AP_PRINTF_FORMAT(fmt, first)                                         \
    __attribute__((format(gnu_printf, fmt, first)))
#elif defined(__GNUC__) || defined(__clang__)
#define AP_PRINTF_FORMAT(fmt, first) __attribute__((format(printf, fmt, first)))
#else
#define AP_PRINTF_FORMAT(fmt, first)
#endif

/* One X-macro feeds the enum and the names, so they cannot drift apart. */
#define AP_STATUS_MAP(X)                                               \
    X(AP_OK, "ok")                                                     \
    X(AP_E_INPUT, "invalid input")                                     \
    X(AP_E_OVERFLOW, "arithmetic overflow")                            \
    X(AP_E_PLAN, "invalid plan")                                       \
    X(AP_E_IO, "input/output error")                                   \
    X(AP_E_NOMEM, "out of memory")                                     \
    X(AP_E_PLUGIN, "plugin error")

typedef enum ap_status {
#define AP__ENUM(code, text) code,
    AP_STATUS_MAP(AP__ENUM)
#undef AP__ENUM
    AP_STATUS_COUNT
} ap_status;

#define AP_ERROR_MESSAGE_SIZE 512
#define AP_ERROR_PATH_SIZE 256

typedef struct ap_error {
    ap_status status;
    char message[AP_ERROR_MESSAGE_SIZE];
    /* Set only for plan errors: JSON path such as $.budget_lines[0].total,
     * and the 1-based line and column in the file (0 when unknown). */
    char path[AP_ERROR_PATH_SIZE];
    int line;
    int column;
} ap_error;

/* Returns a static string; never NULL. */
const char *ap_status_name(ap_status status);

/* Clears err (no-op on NULL). */
void ap_error_clear(ap_error *err);

/* Records status and a printf-style message in err (if not NULL) and returns
 * status, so callers can write `return ap_error_set(err, AP_E_INPUT, ...)`. */
ap_status ap_error_set(ap_error *err, ap_status status, const char *fmt, ...)
    AP_PRINTF_FORMAT(3, 4)
    ;

#ifdef __cplusplus
}
#endif
#endif
