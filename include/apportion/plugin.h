/* apportion: the plugin ABI.
 *
 * A plugin is a shared library for one service area (IASS, NCT, ...): a
 * .so on Linux, a .dylib on macOS, a .dll on Windows
 * (ap_plugin_file_suffix()).  The host finds it, opens it with every
 * symbol resolved at once and none made global (dlopen with RTLD_NOW |
 * RTLD_LOCAL; LoadLibraryEx on Windows) and looks up two exported
 * functions:
 *
 *   const ap_plugin_info *apportion_plugin_info(void);
 *   ap_status apportion_plugin_init(const ap_host *host, ap_registrar *reg,
 *                                   char **error_message);
 *
 * The info block says who the plugin is and which ABI it was built for.
 * init receives the host table: every function of the core a plugin may use
 * (money, apportionment, calendars, KPIs, allocation, errors) and the
 * registration functions through which it adds KPIs, measures, recharge
 * rules, checks, report sections and calculators to its service area.  A
 * plugin never links against the core: the host is itself a dlopen-ed Python
 * extension whose symbols are not visible to other libraries, so everything
 * goes through the table.
 *
 * Versioning.  AP_PLUGIN_ABI_MAJOR changes only when something is removed or
 * changes meaning; the host refuses a plugin of another major.  The minor
 * grows when something is appended: a field at the end of ap_plugin_info or
 * of a *_def struct, or a function at the end of ap_host.  Nothing is ever
 * reordered or removed within a major.  So a plugin built for an older
 * minor loads in a newer host, and the host refuses a plugin that declares
 * a newer minor than its own.  Every struct that crosses the boundary
 * starts with its size, so each side reads only the fields the other knew.
 * A plugin that wants a function newer than its declared minor tests for it
 * with AP_HOST_HAS(host, member).
 *
 *   1.0  the info block up to licence; ap_host up to text_append.
 *   1.1  ap_plugin_info.url; ap_host.warn, sla_rows, elapsed_parse,
 *        unit_parse, unit_name, field_figure, value_type_name,
 *        measure_within, rereferral_flags, money_text and compare_figure.
 *
 * Registration is all or nothing.  Everything registered during init is
 * staged and joins the registry only when init returns AP_OK and every
 * registration checked out; otherwise nothing of the plugin stays and the
 * library is closed again.  Once init has succeeded the library is never
 * unloaded, so pointers into it (functions, static strings) stay valid for
 * the life of the process.  The host copies every string it is given.
 *
 * Memory.  A block a plugin hands the host to free (an init error message,
 * a calculator's string result) must come from host->alloc or
 * host->strdup; the host frees it.  What the host hands a plugin is the
 * host's, read only: the host table (static, for the life of the
 * process), the registrar (until init returns), and a call's input
 * records, fields, parameters and calendar and its output sinks (for the
 * call).  Registration copies every definition and string, so they may
 * live on init's stack; only the functions and user pointers must stay
 * valid.  The info block is the plugin's, static.  A calendar from
 * host->calendar_new is the plugin's, released with host->calendar_free;
 * other host functions write into the plugin's variables and arrays or
 * return static strings (status_name, unit_name, value_type_name).
 *
 * Threads.  init runs once, on one thread.  Measures flagged
 * AP_MEASURE_THREAD_SAFE may be called on several threads at once with
 * disjoint row ranges; everything else is called on one thread at a time
 * per call, though different calls may run on different threads.
 *
 * This header compiles as C99 and C11 (and as C++), and includes only
 * headers that do. */
#ifndef APPORTION_PLUGIN_H
#define APPORTION_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/apportion.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AP_PLUGIN_ABI_MAJOR 1
#define AP_PLUGIN_ABI_MINOR 1

#define AP_PLUGIN_INFO_SYMBOL "apportion_plugin_info"
#define AP_PLUGIN_INIT_SYMBOL "apportion_plugin_init"

/* Marks the two entry points as exported when the plugin is built with
 * -fvisibility=hidden (as `python -m apportion plugin build` does), and
 * as the DLL's exports on Windows. */
#if defined(_WIN32)
#define AP_PLUGIN_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define AP_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define AP_PLUGIN_EXPORT
#endif

/* Marks the host's printf-like functions, so that the compiler checks a
 * plugin's format strings against their arguments. */
#define AP_HOST_PRINTF(fmt, first) AP_PRINTF_FORMAT(fmt, first)

/* ---- who the plugin is ------------------------------------------------- */

/* Returned by apportion_plugin_info(); static, owned by the plugin.  The
 * host checks, before init, that size covers at least the 1.0 fields, that
 * abi_major is the host's and abi_minor not newer, and that name, version,
 * service_area, description and licence are present and well formed. */
typedef struct ap_plugin_info {
    /* ABI 1.0 */
    size_t size;            /* sizeof(ap_plugin_info) as the plugin saw it */
    uint32_t abi_major;     /* AP_PLUGIN_ABI_MAJOR */
    uint32_t abi_minor;     /* AP_PLUGIN_ABI_MINOR */
    const char *name;       /* "iass": 1 to 64 lower-case letters, digits,
                               '_' or '-'; unique among loaded plugins */
    const char *version;    /* the plugin's own version, "1.0.0" */
    const char *service_area; /* "IASS": 1 to 32 upper-case letters, digits
                                 or '_'; one plugin, one service area */
    const char *description;  /* one line */
    const char *licence;      /* an SPDX identifier such as "MIT" */
    /* ABI 1.1 */
    const char *url;        /* where to read more; may be NULL */
} ap_plugin_info;

/* The first three fields, for a static initialiser:
 *   static const ap_plugin_info info = {AP_PLUGIN_INFO_HEADER, "iass", ...}; */
#define AP_PLUGIN_INFO_HEADER \
    sizeof(ap_plugin_info), AP_PLUGIN_ABI_MAJOR, AP_PLUGIN_ABI_MINOR

/* How large an info block of ABI 1.0 is: the host needs at least this. */
#define AP_PLUGIN_INFO_SIZE_1_0 \
    (offsetof(ap_plugin_info, licence) + sizeof(const char *))

/* ---- values ------------------------------------------------------------ */

/* The types a calculator's arguments and result, and a data field, may
 * have.  money is int64 pence and date int64 days since 1970-01-01 (NaT is
 * AP_DATE_NAT); they differ from int64 only in how Python converts them. */
#define AP_VALUE_TYPE_MAP(X)            \
    X(AP_TYPE_INT64, "int64")           \
    X(AP_TYPE_DOUBLE, "double")         \
    X(AP_TYPE_MONEY, "money")           \
    X(AP_TYPE_DATE, "date")             \
    X(AP_TYPE_STRING, "string")

typedef enum ap_value_type {
#define AP__ENUM(code, text) code,
    AP_VALUE_TYPE_MAP(AP__ENUM)
#undef AP__ENUM
    AP_VALUE_TYPE_COUNT
} ap_value_type;

typedef struct ap_value {
    ap_value_type type;
    union {
        int64_t i;      /* int64, money, date */
        double d;       /* double */
        const char *s;  /* string (UTF-8, NUL-terminated) */
    } as;
} ap_value;

/* "No amount": an actual share not yet known. */
#define AP_MONEY_NONE INT64_MIN

/* Named values handed to checks, report sections and as parameters:
 * nested data flattened to paths such as "contract_sum",
 * "business_cases[2].funding".  The host's, read only, valid for the call. */
typedef struct ap_field {
    const char *path;
    ap_value value;
} ap_field;

typedef struct ap_fields {
    size_t n;
    const ap_field *items;
} ap_fields;

/* Opaque sinks the host hands to a call; write through ap_host. */
typedef struct ap_registrar ap_registrar; /* registrations during init */
typedef struct ap_findings ap_findings;   /* a check's findings */
typedef struct ap_text ap_text;           /* a report section's text */

/* ---- measures on case records ------------------------------------------ */

/* Case records as int64 columns: dates as days since 1970-01-01 (NaT for
 * none), flags as 0/1, categories as codes.  The host's, read only. */
typedef struct ap_measure_input {
    size_t size;                    /* sizeof(ap_measure_input) */
    size_t n_rows;
    size_t n_columns;
    const char *const *names;       /* column names */
    const int64_t *const *columns;  /* n_columns arrays of n_rows */
    const ap_calendar *calendar;    /* never NULL */
    int64_t as_of;                  /* the reporting date, or AP_DATE_NAT */
    const ap_fields *params;        /* never NULL; may be empty */
} ap_measure_input;

/* Computes rows [from, to): for each row r, numerator[r - from] and
 * denominator[r - from] (both the host's arrays of to - from).  The host
 * sums them by group, exactly, so a rate is sum(numerator) /
 * sum(denominator) * scale.  A row outside the measure writes 0 and 0.
 * Denominators must not be negative.  Return AP_OK, or a status with err
 * set (a message naming the row and column, as the host does). */
typedef ap_status (*ap_measure_fn)(void *user, const ap_measure_input *in,
                                   size_t from, size_t to,
                                   int64_t *numerator, int64_t *denominator,
                                   ap_error *err);

/* Rows are independent: the host may call fn on row ranges. */
#define AP_MEASURE_ROWWISE 0x1u
/* With AP_MEASURE_ROWWISE: ranges may run on several threads at once. */
#define AP_MEASURE_THREAD_SAFE 0x2u

typedef struct ap_measure_def {
    size_t size;             /* sizeof(ap_measure_def) */
    const char *name;        /* "responded_within_3_working_days" */
    const char *description;
    const char *columns;     /* the columns fn reads, comma-separated:
                                "received,responded"; checked by the host */
    int64_t scale;           /* value = scale * numerator / denominator:
                                100 for a percentage, 1 for a mean */
    unsigned flags;          /* AP_MEASURE_* */
    ap_measure_fn fn;
    void *user;              /* passed to fn */
} ap_measure_def;

/* ---- recharge rules ---------------------------------------------------- */

typedef struct ap_recharge_input {
    size_t size;              /* sizeof(ap_recharge_input) */
    int64_t budget_share;     /* the authority's budgeted share, pence */
    int64_t actual_share;     /* the year's actual share, or AP_MONEY_NONE */
    size_t n_instalments;     /* instalments to write, >= 1 */
    const int64_t *billed;    /* instalments already invoiced (n_billed) */
    size_t n_billed;
    const ap_fields *params;  /* never NULL; may be empty */
} ap_recharge_input;

/* Writes in->n_instalments instalments.  The host then checks that they sum
 * exactly to the actual share when it is known, else to the budget share,
 * and refuses the result otherwise: pennies are conserved. */
typedef ap_status (*ap_rule_fn)(void *user, const ap_recharge_input *in,
                                int64_t *instalments, ap_error *err);

typedef struct ap_rule_def {
    size_t size;            /* sizeof(ap_rule_def) */
    const char *name;       /* "quarterly" */
    const char *description;
    ap_rule_fn fn;
    void *user;
} ap_rule_def;

/* ---- checks and report sections ---------------------------------------- */

#define AP_SEVERITY_MAP(X)               \
    X(AP_SEVERITY_INFO, "info")          \
    X(AP_SEVERITY_WARNING, "warning")    \
    X(AP_SEVERITY_ERROR, "error")

typedef enum ap_severity {
#define AP__ENUM(code, text) code,
    AP_SEVERITY_MAP(AP__ENUM)
#undef AP__ENUM
    AP_SEVERITY_COUNT
} ap_severity;

/* Reports what it finds through host->finding.  A status other than AP_OK
 * means the check itself could not run (err says why), not that the data
 * failed it. */
typedef ap_status (*ap_check_fn)(void *user, const ap_fields *data,
                                 ap_findings *out, ap_error *err);

typedef struct ap_check_def {
    size_t size;            /* sizeof(ap_check_def) */
    const char *name;       /* "contract_sum" */
    const char *description;
    ap_check_fn fn;
    void *user;
} ap_check_def;

/* Writes Markdown through host->text_append. */
typedef ap_status (*ap_section_fn)(void *user, const ap_fields *data,
                                   ap_text *out, ap_error *err);

typedef struct ap_section_def {
    size_t size;            /* sizeof(ap_section_def) */
    const char *name;       /* "block_summary" */
    const char *title;      /* "Transformation funding by block" */
    ap_section_fn fn;
    void *user;
} ap_section_def;

/* ---- calculators -------------------------------------------------------- */

/* A plain C function with a declared signature, called through libffi:
 *
 *   RET fn(ARG1, ..., ARGn, ap_error *err)
 *
 * where the C types are int64_t (int64, money, date), double and const
 * char * (string arguments, the host's, valid for the call).  A string
 * result is a char * from host->alloc or host->strdup, which the host
 * frees; NULL with err set is an error.  Any result is an error when the
 * function set err->status.  signature names the types:
 * "money(money, int64)" returns money and takes money and an int64;
 * "date(date)"; "string()" takes nothing.  At most AP_CALCULATOR_MAX_ARGS
 * arguments. */
#define AP_CALCULATOR_MAX_ARGS 16

typedef void (*ap_generic_fn)(void);
#define AP_CALCULATOR_FN(f) ((ap_generic_fn)(f))

typedef struct ap_calculator_def {
    size_t size;            /* sizeof(ap_calculator_def) */
    const char *name;       /* "notice_end" */
    const char *signature;  /* "date(date, int64)" */
    const char *description;
    ap_generic_fn fn;
} ap_calculator_def;

/* ---- the host table ------------------------------------------------------ */

/* Every function the core offers a plugin.  Members are appended, never
 * reordered, within an ABI major; a member past host->size, or NULL, is a
 * function this host does not have.  Functions that return pointers say
 * who owns the result, as their core counterparts do in the other
 * headers. */
typedef struct ap_host {
    size_t size;            /* sizeof(ap_host) in the host */
    uint32_t abi_major;
    uint32_t abi_minor;
    const char *library_version;    /* "0.1.0" */

    /* ---- ABI 1.0 ---- */

    /* Memory.  Strings and blocks handed to the host (an init error
     * message, a string result) must come from these. */
    void *(*alloc)(size_t size);
    void (*free)(void *p);
    char *(*strdup)(const char *s);   /* NULL when out of memory */

    /* Errors: ap_error_set and ap_status_name. */
    ap_status (*error_set)(ap_error *err, ap_status status, const char *fmt,
                           ...) AP_HOST_PRINTF(3, 4);
    const char *(*status_name)(ap_status status);

    /* Money (money.h). */
    ap_status (*money_add)(int64_t a, int64_t b, int64_t *out, ap_error *err);
    ap_status (*money_sub)(int64_t a, int64_t b, int64_t *out, ap_error *err);
    ap_status (*money_mul)(int64_t a, int64_t factor, int64_t *out,
                           ap_error *err);
    ap_status (*money_mul_ratio)(int64_t a, int64_t num, int64_t den,
                                 ap_rounding rounding, int64_t *out,
                                 ap_error *err);
    ap_status (*money_sum)(const int64_t *values, size_t n, int64_t *out,
                           ap_error *err);
    ap_status (*money_parse)(const char *text, size_t len, ap_unit unit,
                             int64_t *pence, int64_t *resolution,
                             ap_error *err);
    ap_status (*money_format)(int64_t pence, const ap_format_options *options,
                              char *buf, size_t size, ap_error *err);
    ap_format_options (*format_defaults)(void);

    /* Apportionment and schedules (apportion.h, schedule.h). */
    ap_status (*decimal_parse)(const char *text, size_t len, int64_t *num,
                               int64_t *den, ap_error *err);
    ap_status (*apportion)(int64_t total, const int64_t *weights, size_t n,
                           ap_apportion_mode mode, int64_t *shares, ap_error *err);
    ap_status (*schedule_equal)(int64_t share, size_t n, int64_t granularity,
                                ap_rounding rounding, int64_t *instalments,
                                ap_error *err);
    ap_status (*schedule_balancing)(const int64_t *billed, size_t n_billed,
                                    int64_t actual_share, int64_t *balance,
                                    ap_error *err);

    /* Dates and financial years (calendar.h). */
    int64_t (*date_from_ymd)(int64_t year, int month, int day);
    void (*date_to_ymd)(int64_t date, int64_t *year, int *month, int *day);
    ap_status (*date_parse)(const char *text, size_t len, int64_t *out,
                            ap_error *err);
    void (*date_format)(int64_t date, char *buf, size_t size);
    int64_t (*date_add_months)(int64_t date, int64_t months);
    int (*date_weekday)(int64_t date);
    int64_t (*fy_start_year)(int64_t date);
    int (*fy_quarter)(int64_t date);

    /* Calendars and working days (calendar.h).  A calendar from
     * calendar_new is the plugin's, released with calendar_free. */
    ap_status (*calendar_new)(ap_division division, unsigned weekmask,
                              const int64_t *closures, size_t n_closures,
                              ap_calendar **out, ap_error *err);
    void (*calendar_free)(ap_calendar *cal);
    int (*is_working_day)(const ap_calendar *cal, int64_t date);
    ap_status (*working_days)(const ap_calendar *cal, int64_t begin,
                              int64_t end, int64_t *out, ap_error *err);
    ap_status (*add_working_days)(const ap_calendar *cal, int64_t date,
                                  int64_t offset, ap_roll roll, int64_t *out,
                                  ap_error *err);
    ap_status (*elapsed_working_days_many)(const ap_calendar *cal,
                                           const int64_t *start,
                                           const int64_t *end, size_t n,
                                           ap_elapsed convention,
                                           int64_t missing, int64_t *out,
                                           ap_error *err);

    /* KPI arithmetic (kpi.h). */
    ap_status (*number_parse)(const char *text, size_t len, ap_number *out,
                              ap_error *err);
    int (*number_cmp)(ap_number a, ap_number b);
    ap_status (*bands_parse_text)(const char *text, size_t len,
                                  ap_polarity polarity, ap_band_set *out,
                                  ap_error *err);
    ap_status (*bands_score)(const ap_band_set *set, ap_number value,
                             ap_rag *out, ap_error *err);

    /* Registration, during init only.  Each copies what it is given and
     * checks it; a bad definition is an error naming the field, and makes
     * the whole load fail.  Item names are 1 to 64 letters, digits or '_',
     * unique within their kind.  KPIs are given as JSON text in the KPI
     * file format (docs/formats.rst, kpis.schema.json); a KPI's "measure" names
     * a measure of the same plugin. */
    ap_status (*register_kpis)(ap_registrar *reg, const char *json,
                               ap_error *err);
    ap_status (*register_measure)(ap_registrar *reg,
                                  const ap_measure_def *def, ap_error *err);
    ap_status (*register_rule)(ap_registrar *reg, const ap_rule_def *def,
                               ap_error *err);
    ap_status (*register_check)(ap_registrar *reg, const ap_check_def *def,
                                ap_error *err);
    ap_status (*register_section)(ap_registrar *reg,
                                  const ap_section_def *def, ap_error *err);
    ap_status (*register_calculator)(ap_registrar *reg,
                                     const ap_calculator_def *def,
                                     ap_error *err);

    /* Reading a call's input.  records_column returns the host's column,
     * or NULL with err naming the missing column and the ones present. */
    const int64_t *(*records_column)(const ap_measure_input *in,
                                     const char *name, ap_error *err);
    /* The field at path, or NULL when there is none. */
    const ap_value *(*field_find)(const ap_fields *fields, const char *path);
    /* A money field: money as it is, a string read as a printed figure in
     * `unit` (ap_money_parse).  Missing, of another type or unreadable is
     * an error naming the path. */
    ap_status (*field_money)(const ap_fields *fields, const char *path,
                             ap_unit unit, int64_t *out, ap_error *err);
    /* How many items the list at prefix has: 3 when "cases[0]...",
     * "cases[1]..." and "cases[2]..." are present. */
    size_t (*field_count)(const ap_fields *fields, const char *prefix);

    /* Writing a call's output.  Each returns AP_E_NOMEM when out of
     * memory, which the plugin should pass on. */
    ap_status (*finding)(ap_findings *out, ap_severity severity,
                         const char *field, const char *fmt, ...)
        AP_HOST_PRINTF(4, 5);
    ap_status (*text_append)(ap_text *out, const char *fmt, ...)
        AP_HOST_PRINTF(2, 3);

    /* ---- ABI 1.1 ---- */

    /* A warning about the plugin's own data, shown to the user when the
     * load completes (a Python warning naming the plugin). */
    ap_status (*warn)(ap_registrar *reg, const char *fmt, ...)
        AP_HOST_PRINTF(2, 3);

    /* "Within N working days" row by row (ap_sla_rows, measures.h): the
     * rule of apportion.within_working_days, for a measure's rows.  Per
     * row, within[i] is 1 when the record closed within the limit and
     * counted[i] is 1 when it is in the denominator (closed, or open and
     * already past the limit on as_of), so a measure passes its numerator
     * and denominator.  Pass the measure's `from` as first_row, so that an
     * error names the caller's row:
     *   host->sla_rows(in->calendar, start + from, end + from, to - from,
     *                  3, AP_ELAPSED_AFTER_START, in->as_of, from,
     *                  numerator, denominator, err); */
    ap_status (*sla_rows)(const ap_calendar *cal, const int64_t *start,
                          const int64_t *end, size_t n, int64_t limit,
                          ap_elapsed convention, int64_t as_of,
                          size_t first_row, int64_t *within, int64_t *counted,
                          ap_error *err);
    /* A convention's name ("after_start", "busday_count", "inclusive"),
     * as ap_elapsed_parse; an unknown one is AP_E_INPUT listing them. */
    ap_status (*elapsed_parse)(const char *name, ap_elapsed *out,
                               ap_error *err);

    /* Units of printed money (money.h).  unit_parse is ap_unit_parse,
     * which reads a table's heading ("£", "£000", "£'000", "£k", "£m",
     * "£bn", "p"; blanks around and capitals allowed).
     * unit_name returns a static string: "£", "£000", "£m", "£bn" or "p". */
    ap_status (*unit_parse)(const char *name, ap_unit *out, ap_error *err);
    const char *(*unit_name)(ap_unit unit);
    /* A printed figure: field_money, and also *resolution (may be NULL),
     * the value in pence of the figure's last printed digit (100000 for
     * "3,540" in "£000"; 1 for money, which is exact), so a check can
     * tell a difference of rounding from an error.  A lone "-", "–", "—"
     * or "nil" (any case) reads as 0, and so does the integer 0, both
     * with resolution 1.  Missing, of another type or unreadable is
     * AP_E_INPUT naming the path; *pence is then untouched. */
    ap_status (*field_figure)(const ap_fields *fields, const char *path,
                              ap_unit unit, int64_t *pence,
                              int64_t *resolution, ap_error *err);
    /* A static name for a value type: "int64", "double", "money", "date"
     * or "string" (AP_VALUE_TYPE_MAP), for messages. */
    const char *(*value_type_name)(ap_value_type type);

    /* A whole "within N working days" measure: reads the columns
     * start_column and end_column (dates; NaT end: open) and the optional
     * parameter "convention" (text, elapsed_parse's names; default
     * "after_start", as apportion.within_working_days; any other
     * parameter is AP_E_INPUT), then fills numerator and denominator for
     * rows [from, to) by sla_rows, so a measure function is one call:
     *   return host->measure_within(in, "received", "responded", 3, from,
     *                               to, numerator, denominator, err);
     * A missing column is AP_E_INPUT naming it; errors name the table's
     * row.  Touches no global state: may be called on several threads. */
    ap_status (*measure_within)(const ap_measure_input *in,
                                const char *start_column,
                                const char *end_column, int64_t limit,
                                size_t from, size_t to, int64_t *numerator,
                                int64_t *denominator, ap_error *err);
    /* Re-referrals as apportion.rereferrals (ap_rereferrals, measures.h):
     * flags[i] (the caller's, n bytes) is 1 when record i's subject had a
     * record on or after the same day window_months (1 to 1200) months
     * before record i's date, else 0.  Every date must be given: a NaT is
     * AP_E_INPUT naming the row; out of memory is AP_E_NOMEM. */
    ap_status (*rereferral_flags)(const int64_t *subjects,
                                  const int64_t *dates, size_t n,
                                  int64_t window_months, uint8_t *flags,
                                  ap_error *err);
    /* A figure in `unit` with its symbol and the fewest decimals that
     * print it exactly: "£1.862m", "£3,701k", "-£616k", "£52,913.50".
     * Always NUL-terminates a buffer of size >= 1 (64 bytes suffice). */
    void (*money_text)(int64_t pence, ap_unit unit, char *buf, size_t size);
    /* A stated figure against the one worked out from others, as a
     * check's finding at path.  Equal: nothing.  Apart by no more than
     * half of stated_resolution + computed_resolution (the printed
     * figures' rounding; field_figure's resolutions, summed over the
     * figures each side comes from): a warning, else an error, both
     * reading "WHAT_STATED is stated as £a but WHAT_COMPUTED is £b: the
     * stated figure is £c more" (or "less"), the warning adding ", within
     * the rounding of the printed figures".  Figures print as money_text
     * in unit.  Returns AP_OK, or finding's AP_E_NOMEM to pass on. */
    ap_status (*compare_figure)(ap_findings *out, const char *path,
                                const char *what_stated, int64_t stated,
                                int64_t stated_resolution,
                                const char *what_computed, int64_t computed,
                                int64_t computed_resolution, ap_unit unit);
} ap_host;

/* Nonzero when the host has `member` (it lies within host->size and is not
 * NULL): feature detection for functions newer than the declared minor. */
#define AP_HOST_HAS(host, member)                                          \
    ((host)->size >= offsetof(ap_host, member) + sizeof((host)->member) && \
     (host)->member != NULL)

/* ---- the entry points -------------------------------------------------- */

typedef const ap_plugin_info *(*ap_plugin_info_fn)(void);

/* Registers the plugin's service area content through host.  reg is
 * valid only until init returns: do not keep it.  On failure
 * returns a status other than AP_OK and may set *error_message to a
 * string from host->alloc or host->strdup, which the host shows (naming
 * the plugin file) and frees. */
typedef ap_status (*ap_plugin_init_fn)(const ap_host *host, ap_registrar *reg,
                                       char **error_message);

/* ---- the entry points, written for you ---------------------------------
 *
 * Every plugin's entry points do the same things: return the info block,
 * check the host table, keep it for later calls, register, and pass a
 * failed registration's message on.  Two macros write them, as SQLite's
 * SQLITE_EXTENSION_INIT1/2 do for its extensions:
 *
 *   #include "apportion/plugin.h"
 *
 *   AP_PLUGIN_HOST_DECLARE(host);   (at file scope, before host is used)
 *
 *   static const ap_plugin_info info = {AP_PLUGIN_INFO_HEADER, ...};
 *
 *   ... measures, checks and the rest, calling host->money_add(...) ...
 *
 *   static ap_status register_all(ap_registrar *reg, ap_error *err)
 *   {
 *       return host->register_measure(reg, &measure_def, err);
 *   }
 *
 *   AP_PLUGIN_DEFINE(info, register_all);
 *
 * AP_PLUGIN_HOST_DECLARE(name) declares `static const ap_host *name`, the
 * host table, under the name the plugin's code uses.  It is NULL until
 * init, then set once, before register_fn runs and so before anything
 * registered can be called, and only read afterwards: reading it from
 * several threads is safe.  Being static it is seen by its own file only:
 * a plugin of several .c files passes it to the others.
 *
 * AP_PLUGIN_DEFINE(info, register_fn), after AP_PLUGIN_HOST_DECLARE and
 * once per plugin, defines the two exported entry points (with C linkage
 * in C++ too):
 *
 *   apportion_plugin_info() returns &info (info is the static
 *   ap_plugin_info itself, not a pointer).
 *
 *   apportion_plugin_init(host, reg, error_message)
 *     - returns AP_E_PLUGIN for a NULL host or one of another ABI major,
 *       whose table it cannot read; and for a host older than the minor
 *       info declares (its abi_minor, or its size short of that minor's
 *       table), then with an *error_message such as "this plugin is built
 *       for plugin ABI 1.1 but apportion gives it 1.0 ...: update
 *       apportion".  The loader refuses such a plugin before init; this is
 *       the plugin's own guard, so register_fn may use every function of
 *       the declared minor without testing for it, and tests for newer
 *       ones with AP_HOST_HAS(host, member).  A plugin meant for older
 *       hosts too declares an older minor (0 in place of
 *       AP_PLUGIN_ABI_MINOR in its info block) and loads in those hosts;
 *     - keeps the host in the declared variable;
 *     - calls `ap_status register_fn(ap_registrar *reg, ap_error *err)`
 *       with err cleared and returns its status.  When that is not AP_OK
 *       and err has a message, *error_message is its copy from
 *       host->strdup, which the host shows naming the file; with no
 *       message the host shows the first failed registration's.
 *
 * register_fn may do more than register: what init must do once (read a
 * band text, work out a date) it does there, the host already kept.
 *
 * The macros are the plugin's side only: they change nothing in the ABI,
 * and entry points written out by hand, as plugins did before the macros,
 * load as they always have. */

#ifdef __cplusplus
#define AP__PLUGIN_C_LINKAGE extern "C"
#else
#define AP__PLUGIN_C_LINKAGE
#endif

/* How large the host table of each minor is at least: up to its last
 * member.  A new minor adds its own, and ap__plugin_host_check uses it. */
#define AP_HOST_SIZE_1_0 \
    (offsetof(ap_host, text_append) + sizeof(((ap_host *)0)->text_append))
#define AP_HOST_SIZE_1_1                 \
    (offsetof(ap_host, compare_figure) + \
     sizeof(((ap_host *)0)->compare_figure))

/* AP_PLUGIN_DEFINE's check: AP_OK when host is of this major and gives at
 * least minor `minor` (its version and its size both), else AP_E_PLUGIN
 * with, when the host's table can be read and error_message is not NULL,
 * *error_message saying why. */
static inline ap_status ap__plugin_host_check(const ap_host *host,
                                              uint32_t minor,
                                              char **error_message)
{
    size_t need = minor == 0 ? AP_HOST_SIZE_1_0 : AP_HOST_SIZE_1_1;
    ap_error err;

    if (host == NULL || host->abi_major != AP_PLUGIN_ABI_MAJOR)
        return AP_E_PLUGIN;
    if (host->abi_minor >= minor && host->size >= need)
        return AP_OK;
    if (error_message != NULL && host->error_set != NULL &&
        host->strdup != NULL) {
        host->error_set(&err, AP_E_PLUGIN,
                        "this plugin is built for plugin ABI %u.%u but "
                        "apportion gives it %u.%u (a host table of %zu "
                        "bytes, %zu needed): update apportion",
                        (unsigned)AP_PLUGIN_ABI_MAJOR, (unsigned)minor,
                        (unsigned)host->abi_major,
                        (unsigned)host->abi_minor, host->size, need);
        *error_message = host->strdup(err.message);
    }
    return AP_E_PLUGIN;
}

/* The setter is how AP_PLUGIN_DEFINE reaches a variable it does not name;
 * inline, so a plugin that writes its own init is not warned of it. */
#define AP_PLUGIN_HOST_DECLARE(name)                                 \
    static const ap_host *name;                                      \
    static inline void ap__plugin_keep_host(const ap_host *ap_host_) \
    {                                                                \
        name = ap_host_;                                             \
    }                                                                \
    struct ap__plugin_host_declared /* so that the macro takes a ';' */

#define AP_PLUGIN_DEFINE(info, register_fn)                                  \
    AP__PLUGIN_C_LINKAGE AP_PLUGIN_EXPORT const ap_plugin_info *            \
    apportion_plugin_info(void);                                            \
    AP__PLUGIN_C_LINKAGE AP_PLUGIN_EXPORT ap_status apportion_plugin_init(   \
        const ap_host *ap_host_, ap_registrar *ap_reg_,                     \
        char **ap_error_message_);                                          \
    const ap_plugin_info *apportion_plugin_info(void) { return &(info); }   \
    ap_status apportion_plugin_init(const ap_host *ap_host_,                \
                                    ap_registrar *ap_reg_,                  \
                                    char **ap_error_message_)               \
    {                                                                       \
        ap_error ap_err_;                                                   \
        ap_status ap_st_ = ap__plugin_host_check(                           \
            ap_host_, (info).abi_minor, ap_error_message_);                 \
        if (ap_st_ != AP_OK)                                                \
            return ap_st_;                                                  \
        ap__plugin_keep_host(ap_host_);                                     \
        ap_err_.status = AP_OK;                                             \
        ap_err_.message[0] = '\0';                                          \
        ap_err_.path[0] = '\0';                                             \
        ap_err_.line = ap_err_.column = 0;                                  \
        ap_st_ = (register_fn)(ap_reg_, &ap_err_);                          \
        if (ap_st_ != AP_OK && ap_err_.message[0] != '\0' &&                \
            ap_error_message_ != NULL)                                      \
            *ap_error_message_ = ap_host_->strdup(ap_err_.message);         \
        return ap_st_;                                                      \
    }                                                                       \
    struct ap__plugin_defined /* so that the macro takes a ';' */

/* ---- for the host only --------------------------------------------------
 *
 * Not part of the plugin ABI: a plugin never calls these (it does not link
 * the core); the host uses them to judge a plugin file before it runs any
 * of it.  Each returns AP_OK, or AP_E_PLUGIN with err saying "plugin NAME
 * is refused: ..." and what is wrong (AP_E_NOMEM when out of memory). */

/* Checks bytes[0..size), a plugin file's contents, as far as the host can
 * without loading it: an ELF shared library (ET_DYN) of this host's class,
 * byte order and processor; the program header table and every segment
 * inside the file; the segments the loader reads (dynamic section, notes,
 * RELRO, TLS image) inside the loaded ones; the section header table and
 * sections inside the file; the dynamic section's string, symbol, hash
 * (DT_GNU_HASH, DT_HASH), version and relocation tables inside the loaded
 * segments, every entry of them in range; and apportion_plugin_info and
 * apportion_plugin_init found through the hash table as functions in an
 * executable segment.  name is how messages name the file.  Reads only
 * bytes[0..size): safe on any input.
 *
 * That reading is of ELF files, on the hosts that load them (Linux).  A
 * file of another platform's format (a Windows DLL, a macOS Mach-O file)
 * is recognised by its first bytes and refused saying what it is and what
 * this host loads.  On Windows and macOS a DLL's PE header or a Mach-O
 * header is read (the processor, that the file is a library), and the
 * system's loader checks the rest (csrc/plugin/plugin_file_format.c). */
ap_status ap_plugin_file_check(const unsigned char *bytes, size_t size,
                               const char *name, ap_error *err);

/* ap_plugin_file_check on the file at path, read whole (at most 256 MiB). */
ap_status ap_plugin_file_check_path(const char *path, ap_error *err);

/* Loads and initialises the plugin at path in a child process and waits
 * for it at most timeout_ms milliseconds.  The child (fork) runs all of
 * ap_plugin_load but the append to the registry: the library's opening,
 * the info block's checks, init, the checks of what init registered and
 * of names, service area and KPI refs already loaded; then the library's
 * closing (the finalisers) and it exits.  AP_OK when it completed, or when the file is loaded already;
 * else the refusal the child met, word for word, or AP_E_PLUGIN naming
 * the signal that killed it ("the plugin crashed the probe process with
 * SIGSEGV") or the time it overran.  path's checks (permissions,
 * ap_plugin_file_check) run here first.  Nothing is registered in this
 * process: ap_plugin_load follows.  The child calls no Python, and the
 * registry's lock is held across the fork so that its copy is free.
 *
 * Windows has no fork: there, after path's checks, the probe refuses with
 * AP_E_PLUGIN "plugin P cannot be probed: loading a plugin first in a
 * child process is not available on Windows; ...".  The caller asks
 * ap_plugin_probe_available() first and decides whether to load the
 * plugin without it. */
ap_status ap_plugin_probe(const char *path, long timeout_ms, ap_error *err);

/* Nonzero where ap_plugin_probe can run its child process (Linux, macOS);
 * 0 on Windows. */
int ap_plugin_probe_available(void);

/* A plugin file's name ending on this platform: ".so" on Linux, ".dylib"
 * on macOS, ".dll" on Windows.  Static. */
const char *ap_plugin_file_suffix(void);

#ifdef __cplusplus
}
#endif

#endif
