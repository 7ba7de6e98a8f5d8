/* What apportion's own plugins (IASS, NCT, TRANSFORMATION) share: the
 * host pointer (declared here, as the helpers use it), error and finding
 * helpers, and table-cell formatting.  Each plugin includes this once and
 * ends with AP_PLUGIN_DEFINE; everything here is static, so each shared
 * library keeps its own copy and still exports only its two entry points.
 * Third-party plugins start from plugins/template instead, which stands
 * alone. */
#ifndef APPORTION_FIRST_PARTY_H
#define APPORTION_FIRST_PARTY_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "apportion/plugin.h"

/* The host table, set once in init by AP_PLUGIN_DEFINE. */
AP_PLUGIN_HOST_DECLARE(host);

static inline ap_status out_failed(ap_error *err, ap_status st)
{
    return host->error_set(err, st, "out of memory writing the result");
}

/* Case-insensitive ASCII comparison of a whole string. */
static inline int same_text(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x += 'a' - 'A';
        if (y >= 'A' && y <= 'Z')
            y += 'a' - 'A';
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* Digits after the point that print pence exactly in unit (a unit is a
 * power of ten of pence: ap_unit's value is the exponent). */
static inline int exact_decimals(int64_t pence, ap_unit unit)
{
    int d = (int)unit;
    for (; d > 0 && pence % 10 == 0; d--)
        pence /= 10;
    return d;
}

/* A figure as a table cell: no symbol, brackets for negatives, `decimals`
 * digits after the point. */
static inline void fmt_cell(int64_t pence, ap_unit unit, int decimals,
                            char *buf, size_t size)
{
    ap_format_options o = host->format_defaults();
    o.unit = unit;
    o.decimals = decimals;
    o.symbol = 0;
    o.negative = AP_NEGATIVE_BRACKETS;
    if (host->money_format(pence, &o, buf, size, NULL) != AP_OK)
        snprintf(buf, size, "%lldp", (long long)pence);
}

/* In a check (`out` an ap_findings *, `err` the call's ap_error *): a
 * finding, or the call fails when it cannot be recorded. */
#define FIND(sev, field, ...)                                            \
    do {                                                                 \
        ap_status st_ = host->finding(out, (sev), (field), __VA_ARGS__); \
        if (st_ != AP_OK)                                                \
            return out_failed(err, st_);                                 \
    } while (0)

/* In a section (`out` an ap_text *): appended text, or the call fails. */
#define TEXT(...)                                            \
    do {                                                     \
        ap_status st_ = host->text_append(out, __VA_ARGS__); \
        if (st_ != AP_OK)                                    \
            return out_failed(err, st_);                     \
    } while (0)

/* ---- problems with a table's data ---------------------------------------
 * A reader reports what it cannot read as a problem; a check turns each
 * into a finding (to_finding), a section refuses the data at the first
 * error (to_error). */

typedef struct problem {
    ap_severity severity;
    char path[96];
    char message[AP_ERROR_MESSAGE_SIZE];
} problem;

typedef ap_status (*problem_fn)(void *ctx, const problem *p);

static inline ap_status report(problem_fn fn, void *ctx, ap_severity sev,
                               const char *path, const char *fmt, ...)
    AP_PRINTF_FORMAT(5, 6)
    ;

static inline ap_status report(problem_fn fn, void *ctx, ap_severity sev,
                               const char *path, const char *fmt, ...)
{
    problem p;
    va_list ap;
    p.severity = sev;
    snprintf(p.path, sizeof p.path, "%s", path);
    va_start(ap, fmt);
    vsnprintf(p.message, sizeof p.message, fmt, ap);
    va_end(ap);
    return fn(ctx, &p);
}

typedef struct check_ctx {
    ap_findings *out;
} check_ctx;

static inline ap_status to_finding(void *ctx, const problem *p)
{
    check_ctx *c = ctx;
    return host->finding(c->out, p->severity, p->path, "%s", p->message);
}

typedef struct section_ctx {
    ap_error *err;
    int failed;
} section_ctx;

static inline ap_status to_error(void *ctx, const problem *p)
{
    section_ctx *c = ctx;
    if (p->severity != AP_SEVERITY_ERROR || c->failed)
        return AP_OK;
    c->failed = 1;
    host->error_set(c->err, AP_E_INPUT, "%s", p->message);
    return AP_OK;
}

#endif
