/* Running what a plugin's service area offers: calculator signatures and
 * calls through libffi, measures (row-wise on threads, and whole), recharge
 * rules and penny conservation, checks, report sections, the field
 * helpers, and the KPI file's "measure".
 *
 * The plugin is linked into the test and loaded with
 * ap_plugin_load_static, so it goes through the same checks, init and
 * registration as a shared library would. */
#include <stdint.h>

#include "apportion/apportion.h"
#include "apportion/registry.h"
#include "base/text.h"
#include "platform/platform.h"
#include "plugin/plugin_internal.h"
#include "runner.h"

/* ---- the test plugin ------------------------------------------------------ */

static const ap_host *H;
static ap__plat_thread caller; /* the thread that loaded the area */

/* Calculators. */
static int64_t add_pounds(int64_t pence, int64_t pounds, ap_error *err)
{
    (void)err;
    return pence + pounds * 100;
}

static int64_t next_day(int64_t date, ap_error *err)
{
    (void)err;
    return date + 1;
}

static double half(double x, ap_error *err)
{
    (void)err;
    return x / 2;
}

static char *greet(const char *name, int64_t times, ap_error *err)
{
    char buf[128];
    int n = snprintf(buf, sizeof buf, "Hello, %s x%lld", name,
                     (long long)times);
    if (n < 0 || (size_t)n >= sizeof buf) {
        H->error_set(err, AP_E_INPUT, "name too long");
        return NULL;
    }
    return H->strdup(buf);
}

static int64_t at_most_ten(int64_t x, ap_error *err)
{
    if (x > 10)
        H->error_set(err, AP_E_INPUT, "%lld is more than 10", (long long)x);
    return x;
}

static char *no_string(ap_error *err)
{
    (void)err;
    return NULL;
}

/* Allocates and then fails: the host must free the string. */
static char *string_then_error(ap_error *err)
{
    char *s = H->strdup("half-made");
    H->error_set(err, AP_E_PLUGIN, "gave up");
    return s;
}

/* Sets a status that is not one of the host's. */
static int64_t odd_status_calc(ap_error *err)
{
    H->error_set(err, (ap_status)99, "odd");
    return 0;
}

/* Sixteen arguments, integers and doubles interleaved, so some go on the
 * stack: each is weighted by its position to catch a swapped one. */
static double weighted(int64_t a1, double a2, int64_t a3, double a4,
                       int64_t a5, double a6, int64_t a7, double a8,
                       int64_t a9, double a10, int64_t a11, double a12,
                       int64_t a13, double a14, const char *a15, double a16,
                       ap_error *err)
{
    (void)err;
    return 1.0 * (double)a1 + 2 * a2 + 3.0 * (double)a3 + 4 * a4 +
           5.0 * (double)a5 + 6 * a6 + 7.0 * (double)a7 + 8 * a8 +
           9.0 * (double)a9 + 10 * a10 + 11.0 * (double)a11 + 12 * a12 +
           13.0 * (double)a13 + 14 * a14 + 15.0 * (double)strlen(a15) +
           16 * a16;
}

/* Measures.  within_3 reads start and end: numerator 1 when a closed
 * record took at most 3 days, denominator 1 when it closed. */
static size_t within_calls, within_max_block, within_off_caller;

static ap_status within_3(void *user, const ap_measure_input *in, size_t from,
                          size_t to, int64_t *num, int64_t *den, ap_error *err)
{
    (void)user;
    const int64_t *start = H->records_column(in, "start", err);
    const int64_t *end = H->records_column(in, "end", err);
    if (start == NULL || end == NULL)
        return AP_E_INPUT;
    __atomic_add_fetch(&within_calls, 1, __ATOMIC_RELAXED);
    if (!ap__plat_thread_is_current(&caller))
        __atomic_add_fetch(&within_off_caller, 1, __ATOMIC_RELAXED);
    size_t block = to - from, seen = __atomic_load_n(&within_max_block,
                                                     __ATOMIC_RELAXED);
    while (block > seen &&
           !__atomic_compare_exchange_n(&within_max_block, &seen, block, 0,
                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    for (size_t r = from; r < to; r++) {
        int closed = end[r] != AP_DATE_NAT;
        den[r - from] = closed;
        num[r - from] = closed && end[r] - start[r] <= 3;
    }
    return AP_OK;
}

/* Whole: the sum of "value" per group, and a record of how it was
 * called. */
static size_t total_calls, total_from, total_to;
static int total_on_caller;

static ap_status total_value(void *user, const ap_measure_input *in,
                             size_t from, size_t to, int64_t *num,
                             int64_t *den, ap_error *err)
{
    (void)user;
    const int64_t *value = H->records_column(in, "value", err);
    if (value == NULL)
        return AP_E_INPUT;
    total_calls++;
    total_from = from;
    total_to = to;
    total_on_caller = ap__plat_thread_is_current(&caller);
    for (size_t r = from; r < to; r++) {
        num[r - from] = value[r];
        den[r - from] = 1;
    }
    return AP_OK;
}

/* Row-wise: the value itself is the denominator, so a negative one is
 * refused by the host; 13 is refused by the measure.  Not thread-safe, so
 * every block runs on the calling thread. */
static size_t value_off_caller;

static ap_status value_as_den(void *user, const ap_measure_input *in,
                              size_t from, size_t to, int64_t *num,
                              int64_t *den, ap_error *err)
{
    (void)user;
    const int64_t *value = H->records_column(in, "value", err);
    if (value == NULL)
        return AP_E_INPUT;
    value_off_caller += !ap__plat_thread_is_current(&caller);
    for (size_t r = from; r < to; r++) {
        if (value[r] == 13)
            return H->error_set(err, AP_E_INPUT, "row %zu: 13 is unlucky", r);
        num[r - from] = 1;
        den[r - from] = value[r];
    }
    return AP_OK;
}

/* Every row's numerator is INT64_MAX: two rows overflow. */
static ap_status huge(void *user, const ap_measure_input *in, size_t from,
                      size_t to, int64_t *num, int64_t *den, ap_error *err)
{
    (void)user;
    (void)in;
    (void)err;
    for (size_t r = from; r < to; r++) {
        num[r - from] = INT64_MAX;
        den[r - from] = 1;
    }
    return AP_OK;
}

/* Rules: "equal" puts the remainder on the last instalment; "leaky" drops
 * it. */
static ap_status equal_rule(void *user, const ap_recharge_input *in,
                            int64_t *out, ap_error *err)
{
    (void)err;
    int leaky = user != NULL;
    int64_t share = in->actual_share != AP_MONEY_NONE ? in->actual_share
                                                      : in->budget_share;
    int64_t n = (int64_t)in->n_instalments, each = share / n;
    for (int64_t i = 0; i < n; i++)
        out[i] = each;
    if (!leaky)
        out[n - 1] += share - each * n;
    return AP_OK;
}

static ap_status failing_rule(void *user, const ap_recharge_input *in,
                              int64_t *out, ap_error *err)
{
    (void)user;
    (void)in;
    (void)out;
    return H->error_set(err, AP_E_INPUT, "no schedule for this authority");
}

static ap_status odd_status_rule(void *user, const ap_recharge_input *in,
                                 int64_t *out, ap_error *err)
{
    (void)user;
    (void)in;
    (void)out;
    (void)err;
    return (ap_status)99;
}

/* Checks: the funding of the cases must add up to the contract sum. */
static ap_status contract_sum(void *user, const ap_fields *data,
                              ap_findings *out, ap_error *err)
{
    (void)user;
    int64_t total;
    ap_status st = H->field_money(data, "contract_sum", AP_UNIT_POUNDS,
                                  &total, err);
    if (st != AP_OK)
        return st;
    size_t n = H->field_count(data, "cases");
    if ((st = H->finding(out, AP_SEVERITY_INFO, "cases", "%zu cases", n)))
        return st;
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "cases[%zu].funding", i);
        int64_t f;
        if ((st = H->field_money(data, path, AP_UNIT_POUNDS, &f, err)))
            return st;
        sum += f;
    }
    if (sum != total)
        return H->finding(out, AP_SEVERITY_ERROR, "contract_sum",
                          "the cases add up to %lld pence, not %lld",
                          (long long)sum, (long long)total);
    return AP_OK;
}

static ap_status bad_severity(void *user, const ap_fields *data,
                              ap_findings *out, ap_error *err)
{
    (void)user;
    (void)data;
    (void)err;
    /* The plugin ignores the status: the host must still fail the call. */
    H->finding(out, (ap_severity)7, "", "odd");
    H->finding(out, AP_SEVERITY_INFO, "", "after");
    return AP_OK;
}

/* Enough findings to grow the list past its first allocation twice. */
static ap_status many_findings(void *user, const ap_fields *data,
                               ap_findings *out, ap_error *err)
{
    (void)user;
    (void)data;
    (void)err;
    ap_status st;
    for (int i = 0; i < 20; i++)
        if ((st = H->finding(out, AP_SEVERITY_WARNING, "row", "finding %d",
                             i)))
            return st;
    return AP_OK;
}

/* Sections. */
static ap_status summary(void *user, const ap_fields *data, ap_text *out,
                         ap_error *err)
{
    (void)user;
    (void)err;
    ap_status st;
    if ((st = H->text_append(out, "## Summary\n\n")))
        return st;
    /* Long enough to make the buffer grow several times. */
    for (int i = 0; i < 100; i++)
        if ((st = H->text_append(out, "- line %d of %zu\n", i,
                                 H->field_count(data, "cases"))))
            return st;
    return AP_OK;
}

static ap_status empty_section(void *user, const ap_fields *data,
                               ap_text *out, ap_error *err)
{
    (void)user;
    (void)data;
    (void)out;
    (void)err;
    return AP_OK;
}

static ap_status failing_section(void *user, const ap_fields *data,
                                 ap_text *out, ap_error *err)
{
    (void)user;
    (void)data;
    H->text_append(out, "partial");
    return H->error_set(err, AP_E_INPUT, "no data for the section");
}

static const ap_plugin_info *test_info(void)
{
    static const ap_plugin_info info = {
        AP_PLUGIN_INFO_HEADER, "runtest",       "1.0.0",
        "RUNTEST",             "Test plugin",   "MIT",
        NULL};
    return &info;
}

#define REG(call)                                                      \
    do {                                                               \
        ap_status st_ = (call);                                        \
        if (st_ != AP_OK) {                                            \
            *error_message = host->strdup(err.message);                \
            return st_;                                                \
        }                                                              \
    } while (0)

static ap_status test_init(const ap_host *host, ap_registrar *reg,
                           char **error_message)
{
    H = host;
    ap_error err;
    static const ap_calculator_def calcs[] = {
        {sizeof(ap_calculator_def), "add_pounds", "money(money, int64)",
         "pence plus pounds", AP_CALCULATOR_FN(add_pounds)},
        {sizeof(ap_calculator_def), "next_day", "date(date)", "the day after",
         AP_CALCULATOR_FN(next_day)},
        {sizeof(ap_calculator_def), "half", " double ( double ) ", "x / 2",
         AP_CALCULATOR_FN(half)},
        {sizeof(ap_calculator_def), "greet", "string(string,int64)",
         "a greeting", AP_CALCULATOR_FN(greet)},
        {sizeof(ap_calculator_def), "at_most_ten", "int64(int64)",
         "refuses more than 10", AP_CALCULATOR_FN(at_most_ten)},
        {sizeof(ap_calculator_def), "no_string", "string()", "NULL",
         AP_CALCULATOR_FN(no_string)},
        {sizeof(ap_calculator_def), "string_then_error", "string()",
         "fails after allocating", AP_CALCULATOR_FN(string_then_error)},
        {sizeof(ap_calculator_def), "odd_status", "int64()",
         "sets an unknown status", AP_CALCULATOR_FN(odd_status_calc)},
        {sizeof(ap_calculator_def), "weighted",
         "double(int64, double, int64, double, int64, double, int64, "
         "double, int64, double, int64, double, int64, double, string, "
         "double)",
         "sixteen arguments", AP_CALCULATOR_FN(weighted)},
    };
    for (size_t i = 0; i < sizeof calcs / sizeof calcs[0]; i++)
        REG(host->register_calculator(reg, &calcs[i], &err));

    static const ap_measure_def measures[] = {
        {sizeof(ap_measure_def), "within_3", "closed within 3 days",
         "start, end", 100, AP_MEASURE_ROWWISE | AP_MEASURE_THREAD_SAFE,
         within_3, NULL},
        {sizeof(ap_measure_def), "total_value", "sum of value", "value", 1, 0,
         total_value, NULL},
        {sizeof(ap_measure_def), "value_as_den", "value as denominator",
         "value", 1, AP_MEASURE_ROWWISE, value_as_den, NULL},
        {sizeof(ap_measure_def), "huge", "overflows", "value", 1,
         AP_MEASURE_ROWWISE, huge, NULL},
    };
    for (size_t i = 0; i < sizeof measures / sizeof measures[0]; i++)
        REG(host->register_measure(reg, &measures[i], &err));

    static int leaky_flag = 1;
    const ap_rule_def rules[] = {
        {sizeof(ap_rule_def), "equal", "equal instalments", equal_rule,
         NULL},
        {sizeof(ap_rule_def), "leaky", "loses the remainder", equal_rule,
         &leaky_flag},
        {sizeof(ap_rule_def), "failing", "always fails", failing_rule, NULL},
        {sizeof(ap_rule_def), "odd_status", "returns an unknown status",
         odd_status_rule, NULL},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        REG(host->register_rule(reg, &rules[i], &err));

    static const ap_check_def checks[] = {
        {sizeof(ap_check_def), "contract_sum", "cases add up", contract_sum,
         NULL},
        {sizeof(ap_check_def), "bad_severity", "misbehaves", bad_severity,
         NULL},
        {sizeof(ap_check_def), "many", "twenty findings", many_findings,
         NULL},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        REG(host->register_check(reg, &checks[i], &err));

    static const ap_section_def sections[] = {
        {sizeof(ap_section_def), "summary", "Summary", summary, NULL},
        {sizeof(ap_section_def), "empty", "Nothing", empty_section, NULL},
        {sizeof(ap_section_def), "failing", "Fails", failing_section, NULL},
    };
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        REG(host->register_section(reg, &sections[i], &err));
    return AP_OK;
}

static const ap_area *load_area(void)
{
    const ap_plugin *p = NULL;
    ap_error err;
    if (ap_plugin_load_static(test_info, test_init, "<builtin:runtest>", &p,
                              &err) != AP_OK) {
        fprintf(stderr, "load: %s\n", err.message);
        exit(1);
    }
    const ap_area *a = ap_area_find("RUNTEST");
    CHECK(a != NULL && a == ap_plugin_area(p));
    ap__plat_thread_self(&caller);
    return a;
}

/* ---- signatures ------------------------------------------------------------ */

TEST(plugin_signatures)
{
    ap__calculator c;
    ap_error err;
    memset(&c, 0, sizeof c);
    CHECK(ap__calculator_prepare(&c, "money(money, int64)", &err) == AP_OK);
    CHECK(c.result == AP_TYPE_MONEY && c.n_args == 2 &&
          c.args[0] == AP_TYPE_MONEY && c.args[1] == AP_TYPE_INT64);
    CHECK(c.ffi_args[0] == &ffi_type_sint64 &&
          c.ffi_args[1] == &ffi_type_sint64 &&
          c.ffi_args[2] == &ffi_type_pointer);
    CHECK(c.cif.nargs == 3 && c.cif.rtype == &ffi_type_sint64);

    CHECK(ap__calculator_prepare(&c, "date(date)", &err) == AP_OK);
    CHECK(c.result == AP_TYPE_DATE && c.n_args == 1 &&
          c.args[0] == AP_TYPE_DATE);
    CHECK(ap__calculator_prepare(&c, "string()", &err) == AP_OK);
    CHECK(c.result == AP_TYPE_STRING && c.n_args == 0 &&
          c.cif.nargs == 1 && c.cif.rtype == &ffi_type_pointer);
    CHECK(ap__calculator_prepare(&c, " \tdouble ( string ,double )\n", &err) ==
          AP_OK);
    CHECK(c.result == AP_TYPE_DOUBLE && c.n_args == 2 &&
          c.args[0] == AP_TYPE_STRING && c.args[1] == AP_TYPE_DOUBLE &&
          c.ffi_args[0] == &ffi_type_pointer &&
          c.ffi_args[1] == &ffi_type_double &&
          c.cif.rtype == &ffi_type_double);
    CHECK(ap__calculator_prepare(&c, "string( )", &err) == AP_OK);
    CHECK(c.n_args == 0);

    char sig[512] = "int64(";
    for (int i = 0; i < AP_CALCULATOR_MAX_ARGS; i++)
        strcat(sig, i ? ", int64" : "int64");
    strcat(sig, ")");
    CHECK(ap__calculator_prepare(&c, sig, &err) == AP_OK);
    CHECK_EQ_I64(c.n_args, AP_CALCULATOR_MAX_ARGS);
    sig[strlen(sig) - 1] = '\0';
    strcat(sig, ", int64)");
    CHECK(ap__calculator_prepare(&c, sig, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "more than 16 arguments");

    static const struct {
        const char *signature, *needle;
    } bad[] = {
        {"int(int64)", "unknown type \"int\" for the result"},
        {"money(money, float)", "unknown type \"float\" for argument 2"},
        {"money(money int64)", "expected \",\" or \")\" after an argument, "
                               "found \"int64)\""},
        {"money(money,", "argument 2 has no type"},
        {"money(money,)", "expected a type for argument 2, found \")\""},
        {"money", "expected \"(\" after the result type, but the signature "
                  "ends"},
        {"money(money))", "expected nothing after \")\", found \")\""},
        {"(int64)", "expected a type for the result, found \"(int64)\""},
        {"", "the result has no type"},
        {"Money(money)", "unknown type \"Money\""},
        {"money[money]", "expected \"(\" after the result type, found "
                         "\"[money]\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ap_error_clear(&err);
        CHECK(ap__calculator_prepare(&c, bad[i].signature, &err) ==
              AP_E_PLUGIN);
        CHECK_CONTAINS(err.message, bad[i].needle);
        /* Every message starts with the signature; the caller adds
         * which calculator it is. */
        char quoted[64];
        snprintf(quoted, sizeof quoted, "signature \"%s\": ",
                 bad[i].signature);
        CHECK(strncmp(err.message, quoted, strlen(quoted)) == 0);
    }
    CHECK(ap__calculator_prepare(&c, NULL, &err) == AP_E_PLUGIN);
}

/* ---- calculators ----------------------------------------------------------- */

static ap_value v_int(ap_value_type t, int64_t i)
{
    ap_value v;
    v.type = t;
    v.as.i = i;
    return v;
}

static ap_value v_double(double d)
{
    ap_value v;
    v.type = AP_TYPE_DOUBLE;
    v.as.d = d;
    return v;
}

static ap_value v_string(const char *s)
{
    ap_value v;
    v.type = AP_TYPE_STRING;
    v.as.s = s;
    return v;
}

TEST(plugin_calculators)
{
    const ap_area *a = load_area();
    ap_error err;
    ap_value r;

    ap_value money_args[] = {v_int(AP_TYPE_MONEY, 150),
                             v_int(AP_TYPE_INT64, 3)};
    CHECK(ap_area_call(a, "add_pounds", money_args, 2, &r, &err) == AP_OK);
    CHECK(r.type == AP_TYPE_MONEY);
    CHECK_EQ_I64(r.as.i, 450);
    /* Large values survive the trip: no narrowing anywhere. */
    money_args[0].as.i = INT64_C(4000000000000000000);
    money_args[1].as.i = -1;
    CHECK(ap_area_call(a, "add_pounds", money_args, 2, &r, &err) == AP_OK);
    CHECK_EQ_I64(r.as.i, INT64_C(3999999999999999900));

    ap_value date_arg = v_int(AP_TYPE_DATE, 19000);
    CHECK(ap_area_call(a, "next_day", &date_arg, 1, &r, &err) == AP_OK);
    CHECK(r.type == AP_TYPE_DATE);
    CHECK_EQ_I64(r.as.i, 19001);

    ap_value d = v_double(5.0);
    CHECK(ap_area_call(a, "half", &d, 1, &r, &err) == AP_OK);
    CHECK(r.type == AP_TYPE_DOUBLE && r.as.d == 2.5);

    ap_value greet_args[] = {v_string("Kent"), v_int(AP_TYPE_INT64, 3)};
    CHECK(ap_area_call(a, "greet", greet_args, 2, &r, &err) == AP_OK);
    CHECK(r.type == AP_TYPE_STRING);
    CHECK_STR(r.as.s, "Hello, Kent x3");
    free((char *)r.as.s);

    ap_value many[16];
    for (int i = 0; i < 16; i++)
        many[i] = i % 2 == 0 ? v_int(AP_TYPE_INT64, i + 1)
                             : v_double((double)(i + 1) + 0.5);
    many[14] = v_string("fifteen"); /* 7 characters */
    double want = 0;
    for (int i = 0; i < 16; i++)
        want += (i + 1) * (i == 14 ? 7.0 : i % 2 == 0 ? (double)(i + 1)
                                                      : (i + 1) + 0.5);
    CHECK(ap_area_call(a, "weighted", many, 16, &r, &err) == AP_OK);
    CHECK(r.type == AP_TYPE_DOUBLE && r.as.d == want);

    /* Wrong number or type of arguments: named, with the signature. */
    CHECK(ap_area_call(a, "add_pounds", money_args, 1, &r, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "RUNTEST.add_pounds takes 2 arguments");
    CHECK_CONTAINS(err.message, "money(money, int64)");
    CHECK_CONTAINS(err.message, "1 given");
    ap_value swapped[] = {v_int(AP_TYPE_INT64, 1), v_int(AP_TYPE_INT64, 2)};
    CHECK(ap_area_call(a, "add_pounds", swapped, 2, &r, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "RUNTEST.add_pounds: argument 1 should be "
                                "money, but int64 was given");
    CHECK_CONTAINS(err.message, "money(money, int64)");
    ap_value dbl = v_double(1.0);
    CHECK(ap_area_call(a, "next_day", &dbl, 1, &r, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "argument 1 should be date, but double");
    ap_value null_string[] = {v_string(NULL), v_int(AP_TYPE_INT64, 1)};
    CHECK(ap_area_call(a, "greet", null_string, 2, &r, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "argument 1 is a string but NULL");

    /* The calculator's own error comes back under its name. */
    ap_value eleven = v_int(AP_TYPE_INT64, 11);
    CHECK(ap_area_call(a, "at_most_ten", &eleven, 1, &r, &err) == AP_E_INPUT);
    CHECK_STR(err.message, "RUNTEST.at_most_ten: 11 is more than 10");
    eleven.as.i = 10;
    CHECK(ap_area_call(a, "at_most_ten", &eleven, 1, &r, &err) == AP_OK);
    CHECK_EQ_I64(r.as.i, 10);
    CHECK(err.status == AP_OK);

    CHECK(ap_area_call(a, "no_string", NULL, 0, &r, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "RUNTEST.no_string returned no string");
    CHECK(ap_area_call(a, "string_then_error", NULL, 0, &r, &err) ==
          AP_E_PLUGIN);
    CHECK_STR(err.message, "RUNTEST.string_then_error: gave up");
    CHECK(r.as.s == NULL);
    /* A status that is not the host's is the plugin's fault, worded as for
     * the other items. */
    CHECK(ap_area_call(a, "odd_status", NULL, 0, &r, &err) == AP_E_PLUGIN);
    CHECK_STR(err.message, "RUNTEST.odd_status: failed with the unknown "
                           "status 99: odd");

    CHECK(ap_area_call(a, "nonesuch", NULL, 0, &r, &err) != AP_OK);
    CHECK_CONTAINS(err.message, "nonesuch");
    CHECK(ap_area_call(a, "half", &d, 1, NULL, &err) == AP_E_INPUT);
    ap_plugins_shutdown();
}

/* ---- measures --------------------------------------------------------------- */

typedef struct expect_group {
    int64_t rows, num, den;
} expect_group;

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

static ap_calendar *calendar(void)
{
    ap_calendar *cal = NULL;
    CHECK(ap_calendar_new(AP_DIVISION_NONE, AP_WEEKMASK_MON_FRI, NULL, 0, &cal,
                          NULL) == AP_OK);
    return cal;
}

/* Runs within_3 on n records grouped by keys and checks every group
 * against a plain loop. */
static void check_within(const ap_area *a, const ap_measure_input *in,
                         const int64_t *keys, int64_t key_mul,
                         size_t n_keys)
{
    const int64_t *start = in->columns[1], *end = in->columns[0];
    expect_group *want = calloc(n_keys, sizeof *want);
    CHECK(want != NULL);
    for (size_t r = 0; r < in->n_rows; r++) {
        size_t g = keys ? (size_t)(keys[r] / key_mul) : 0;
        int closed = end[r] != AP_DATE_NAT;
        want[g].rows++;
        want[g].den += closed;
        want[g].num += closed && end[r] - start[r] <= 3;
    }
    ap_measure_result res;
    ap_error err;
    within_calls = within_max_block = within_off_caller = 0;
    CHECK(ap_area_measure(a, "within_3", in, keys, &res, &err) == AP_OK);
    CHECK_EQ_I64(res.scale, 100);
    size_t used = 0;
    for (size_t g = 0; g < n_keys; g++)
        used += want[g].rows > 0;
    CHECK_EQ_I64(res.n_groups, used);
    size_t i = 0;
    for (size_t g = 0; g < n_keys; g++) {
        if (want[g].rows == 0)
            continue;
        CHECK_EQ_I64(res.groups[i].key, (int64_t)g * key_mul);
        CHECK_EQ_I64(res.groups[i].rows, want[g].rows);
        CHECK_EQ_I64(res.groups[i].numerator, want[g].num);
        CHECK_EQ_I64(res.groups[i].denominator, want[g].den);
        i++;
    }
    /* Called in blocks, never on the whole input at once. */
    CHECK(within_max_block <= 4096);
    CHECK(within_calls >= in->n_rows / 4096);
    /* Thread-safe and large enough: some blocks ran on other threads. */
    if (in->n_rows >= 100000 && ap__plat_cpu_count() > 1)
        CHECK(within_off_caller > 0);
    ap_measure_result_clear(&res);
    CHECK(res.groups == NULL && res.n_groups == 0);
    free(want);
}

TEST(plugin_measure_rowwise_threads)
{
    const ap_area *a = load_area();
    enum { N = 200000, KEYS = 150 };
    int64_t *start = malloc(N * sizeof *start);
    int64_t *end = malloc(N * sizeof *end);
    int64_t *keys = malloc(N * sizeof *keys);
    int64_t *spread = malloc(N * sizeof *spread);
    CHECK(start && end && keys && spread);
    uint64_t s = 42;
    for (size_t r = 0; r < N; r++) {
        start[r] = 18000 + (int64_t)(lcg(&s) % 400);
        end[r] = lcg(&s) % 10 == 0 ? AP_DATE_NAT
                                   : start[r] + (int64_t)(lcg(&s) % 8);
        keys[r] = (int64_t)(lcg(&s) % KEYS);
        /* Keys too far apart to index directly: the hash path. */
        spread[r] = keys[r] * INT64_C(1000000007);
    }
    ap_calendar *cal = calendar();
    /* Columns in another order than the measure declares them, plus one it
     * does not read. */
    const char *names[] = {"end", "start", "extra"};
    const int64_t *cols[] = {end, start, keys};
    ap_measure_input in = {sizeof in, N, 3, names, cols, cal, AP_DATE_NAT,
                           NULL};
    check_within(a, &in, keys, 1, KEYS);
    check_within(a, &in, spread, INT64_C(1000000007), KEYS);
    check_within(a, &in, NULL, 1, 1);
    /* Fewer rows than a block, and none. */
    in.n_rows = 1000;
    check_within(a, &in, keys, 1, KEYS);
    in.n_rows = 0;
    ap_measure_result res;
    ap_error err;
    CHECK(ap_area_measure(a, "within_3", &in, keys, &res, &err) == AP_OK);
    CHECK_EQ_I64(res.n_groups, 0);
    CHECK_EQ_I64(res.scale, 100);
    ap_measure_result_clear(&res);

    ap_calendar_free(cal);
    free(start);
    free(end);
    free(keys);
    free(spread);
    ap_plugins_shutdown();
}

TEST(plugin_measure_whole_and_errors)
{
    const ap_area *a = load_area();
    ap_calendar *cal = calendar();
    int64_t value[10000], keys[10000];
    for (size_t r = 0; r < 10000; r++) {
        value[r] = (int64_t)(r % 7);
        keys[r] = 3 - (int64_t)(r % 3); /* 1, 2, 3: sorted on the way out */
    }
    const char *names[] = {"value"};
    const int64_t *cols[] = {value};
    ap_measure_input in = {sizeof in, 10000, 1, names, cols, cal, AP_DATE_NAT,
                           NULL};
    ap_measure_result res;
    ap_error err;

    /* Not row-wise: one call on every row, on the calling thread. */
    total_calls = 0;
    CHECK(ap_area_measure(a, "total_value", &in, keys, &res, &err) == AP_OK);
    CHECK_EQ_I64(total_calls, 1);
    CHECK_EQ_I64(total_from, 0);
    CHECK_EQ_I64(total_to, 10000);
    CHECK(total_on_caller);
    CHECK_EQ_I64(res.n_groups, 3);
    CHECK_EQ_I64(res.scale, 1);
    for (size_t g = 0; g < 3; g++) {
        int64_t rows = 0, sum = 0;
        for (size_t r = 0; r < 10000; r++)
            if (keys[r] == (int64_t)g + 1) {
                rows++;
                sum += value[r];
            }
        CHECK_EQ_I64(res.groups[g].key, (int64_t)g + 1);
        CHECK_EQ_I64(res.groups[g].rows, rows);
        CHECK_EQ_I64(res.groups[g].numerator, sum);
        CHECK_EQ_I64(res.groups[g].denominator, rows);
    }
    ap_measure_result_clear(&res);

    /* A declared column missing: named with the measure and the columns
     * given. */
    const char *wrong[] = {"amount", "authority"};
    const int64_t *wrong_cols[] = {value, keys};
    ap_measure_input bad = {sizeof bad, 10000, 2, wrong, wrong_cols, cal,
                            AP_DATE_NAT, NULL};
    CHECK(ap_area_measure(a, "total_value", &bad, keys, &res, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "RUNTEST.total_value");
    CHECK_CONTAINS(err.message, "no column 'value'");
    CHECK_CONTAINS(err.message, "it has: amount, authority");
    CHECK(res.groups == NULL && res.n_groups == 0);
    CHECK(ap_area_measure(a, "within_3", &in, keys, &res, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "no column 'start'; it has: value");

    /* A negative denominator: the area, measure, row and value. */
    value[5000] = -4;
    CHECK(ap_area_measure(a, "value_as_den", &in, keys, &res, &err) ==
          AP_E_INPUT);
    CHECK_STR(err.message, "RUNTEST.value_as_den: row 5000 has denominator "
                           "-4; denominators must not be negative");
    /* The measure's own error, with its status, under its name; the
     * earliest bad row wins. */
    value[4097] = 13;
    CHECK(ap_area_measure(a, "value_as_den", &in, keys, &res, &err) ==
          AP_E_INPUT);
    CHECK_STR(err.message, "RUNTEST.value_as_den: row 4097: 13 is unlucky");
    CHECK_EQ_I64(value_off_caller, 0);
    value[5000] = 0;
    value[4097] = 1;

    /* Sums that do not fit in 64 bits. */
    in.n_rows = 2;
    CHECK(ap_area_measure(a, "huge", &in, NULL, &res, &err) == AP_E_OVERFLOW);
    CHECK_CONTAINS(err.message, "RUNTEST.huge");
    in.n_rows = 1;
    CHECK(ap_area_measure(a, "huge", &in, NULL, &res, &err) == AP_OK);
    CHECK_EQ_I64(res.n_groups, 1);
    CHECK_EQ_I64(res.groups[0].key, 0);
    CHECK_EQ_I64(res.groups[0].numerator, INT64_MAX);
    ap_measure_result_clear(&res);

    /* Malformed input. */
    in.n_rows = 10;
    in.size = 8;
    CHECK(ap_area_measure(a, "total_value", &in, keys, &res, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "sizeof(ap_measure_input)");
    in.size = sizeof in;
    in.calendar = NULL;
    CHECK(ap_area_measure(a, "total_value", &in, keys, &res, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "no calendar");
    in.calendar = cal;
    CHECK(ap_area_measure(a, "nonesuch", &in, keys, &res, &err) != AP_OK);
    CHECK_CONTAINS(err.message, "nonesuch");

    ap_calendar_free(cal);
    ap_plugins_shutdown();
}

/* ---- rules ------------------------------------------------------------------- */

TEST(plugin_recharge_rules)
{
    const ap_area *a = load_area();
    ap_error err;
    int64_t inst[4];
    ap_recharge_input in = {sizeof in, 1000001, AP_MONEY_NONE, 4, NULL, 0,
                            NULL};
    CHECK(ap_area_recharge(a, "equal", &in, inst, &err) == AP_OK);
    CHECK_EQ_I64(inst[0], 250000);
    CHECK_EQ_I64(inst[3], 250001);
    in.actual_share = 999999;
    CHECK(ap_area_recharge(a, "equal", &in, inst, &err) == AP_OK);
    CHECK_EQ_I64(inst[0] + inst[1] + inst[2] + inst[3], 999999);

    CHECK(ap_area_recharge(a, "leaky", &in, inst, &err) == AP_E_PLUGIN);
    CHECK_STR(err.message, "rule RUNTEST.leaky broke penny conservation: "
                           "instalments sum to \xc2\xa3" "9,999.96, expected "
                           "\xc2\xa3" "9,999.99 (the actual share)");
    in.actual_share = AP_MONEY_NONE;
    CHECK(ap_area_recharge(a, "leaky", &in, inst, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "expected \xc2\xa3" "10,000.01 (the budget "
                                "share)");
    in.budget_share = 1000000; /* divides evenly: nothing lost */
    CHECK(ap_area_recharge(a, "leaky", &in, inst, &err) == AP_OK);

    CHECK(ap_area_recharge(a, "failing", &in, inst, &err) == AP_E_INPUT);
    CHECK_STR(err.message, "RUNTEST.failing: no schedule for this authority");
    CHECK(ap_area_recharge(a, "odd_status", &in, inst, &err) == AP_E_PLUGIN);
    CHECK_STR(err.message, "RUNTEST.odd_status: failed with the unknown "
                           "status 99");
    in.n_instalments = 0;
    CHECK(ap_area_recharge(a, "equal", &in, inst, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "at least one");
    ap_plugins_shutdown();
}

/* ---- checks, sections and fields --------------------------------------------- */

static ap_field f_money(const char *path, int64_t pence)
{
    ap_field f;
    f.path = path;
    f.value.type = AP_TYPE_MONEY;
    f.value.as.i = pence;
    return f;
}

static ap_field f_text(const char *path, const char *s)
{
    ap_field f;
    f.path = path;
    f.value.type = AP_TYPE_STRING;
    f.value.as.s = s;
    return f;
}

TEST(plugin_checks_and_sections)
{
    const ap_area *a = load_area();
    ap_error err;
    ap_field items[] = {
        f_text("contract_sum", "\xc2\xa3" "1,234.56"),
        f_money("cases[0].funding", 100000),
        f_text("cases[0].name", "Ashford"),
        f_text("cases[1].funding", "\xc2\xa3" "234.56"),
        f_money("cases[2].funding", 0),
    };
    ap_fields data = {5, items};
    ap_finding_list found;
    CHECK(ap_area_check(a, "contract_sum", &data, &found, &err) == AP_OK);
    CHECK_EQ_I64(found.n, 1);
    CHECK(found.items[0].severity == AP_SEVERITY_INFO);
    CHECK_STR(found.items[0].field, "cases");
    CHECK_STR(found.items[0].message, "3 cases");
    ap_finding_list_clear(&found);
    CHECK(found.items == NULL && found.n == 0);

    items[4].value.as.i = 1;
    CHECK(ap_area_check(a, "contract_sum", &data, &found, &err) == AP_OK);
    CHECK_EQ_I64(found.n, 2);
    CHECK(found.items[1].severity == AP_SEVERITY_ERROR);
    CHECK_STR(found.items[1].field, "contract_sum");
    CHECK_STR(found.items[1].message,
              "the cases add up to 123457 pence, not 123456");
    ap_finding_list_clear(&found);

    /* The check fails to run: its error, and no findings. */
    items[3].value.as.s = "lots";
    CHECK(ap_area_check(a, "contract_sum", &data, &found, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "RUNTEST.contract_sum: field "
                                "'cases[1].funding': ");
    CHECK(found.items == NULL && found.n == 0);
    /* A bad finding fails the call even though the check ignored it. */
    CHECK(ap_area_check(a, "bad_severity", &data, &found, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "RUNTEST.bad_severity: gave a finding with "
                                "an unknown severity");
    CHECK(found.n == 0);
    items[3].value.as.s = "\xc2\xa3" "234.56";
    CHECK(ap_area_check(a, "many", &data, &found, &err) == AP_OK);
    CHECK_EQ_I64(found.n, 20);
    CHECK_STR(found.items[0].message, "finding 0");
    CHECK_STR(found.items[19].message, "finding 19");
    ap_finding_list_clear(&found);

    char *text = NULL;
    CHECK(ap_area_section(a, "summary", &data, &text, &err) == AP_OK);
    CHECK(strncmp(text, "## Summary\n\n- line 0 of 3\n", 26) == 0);
    CHECK_CONTAINS(text, "- line 99 of 3\n");
    free(text);
    CHECK(ap_area_section(a, "empty", NULL, &text, &err) == AP_OK);
    CHECK_STR(text, "");
    free(text);
    CHECK(ap_area_section(a, "failing", &data, &text, &err) == AP_E_INPUT);
    CHECK_STR(err.message, "RUNTEST.failing: no data for the section");
    CHECK(text == NULL);
    ap_plugins_shutdown();
}

TEST(plugin_fields)
{
    const ap_host *h = ap_host_table();
    ap_error err;
    ap_field items[] = {
        f_text("contract_sum", "\xc2\xa3" "1,234.56"),
        f_text("in_thousands", "3,540"),
        f_money("cases[0].funding", 100),
        f_money("cases[3]", 7),
        f_text("cases[1].name", "x"),
        f_text("cases", "not an item"),
        f_text("casesx[9].y", "another list"),
        f_text("cases[2x].y", "not an index"),
        {"count", {AP_TYPE_INT64, {.i = 5}}},
        {"ratio", {AP_TYPE_DOUBLE, {.d = 0.5}}},
        {"due", {AP_TYPE_DATE, {.i = 19000}}},
    };
    ap_fields data = {sizeof items / sizeof items[0], items};
    int64_t pence = 0;
    CHECK(h->field_money(&data, "contract_sum", AP_UNIT_POUNDS, &pence,
                         &err) == AP_OK);
    CHECK_EQ_I64(pence, 123456);
    CHECK(h->field_money(&data, "in_thousands", AP_UNIT_THOUSANDS, &pence,
                         &err) == AP_OK);
    CHECK_EQ_I64(pence, 354000000);
    CHECK(h->field_money(&data, "cases[0].funding", AP_UNIT_POUNDS, &pence,
                         &err) == AP_OK);
    CHECK_EQ_I64(pence, 100);
    CHECK(h->field_money(&data, "count", AP_UNIT_POUNDS, &pence, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "field 'count' is an int64");
    CHECK_CONTAINS(err.message, "\"\xc2\xa3" "1,234\"");
    CHECK(h->field_money(&data, "ratio", AP_UNIT_POUNDS, &pence, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "field 'ratio' is a double");
    CHECK(h->field_money(&data, "due", AP_UNIT_POUNDS, &pence, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "field 'due' is a date");
    CHECK(h->field_money(&data, "nothing", AP_UNIT_POUNDS, &pence, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "field 'nothing' is missing");
    CHECK(h->field_money(&data, "cases[1].name", AP_UNIT_POUNDS, &pence,
                         &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "field 'cases[1].name': ");
    CHECK_EQ_I64(pence, 100); /* untouched by the failures */

    CHECK_EQ_I64(h->field_count(&data, "cases"), 4);
    CHECK_EQ_I64(h->field_count(&data, "casesx"), 10);
    CHECK_EQ_I64(h->field_count(&data, "nothing"), 0);
    CHECK_EQ_I64(h->field_count(&data, "case"), 0);
    CHECK_EQ_I64(h->field_count(NULL, "cases"), 0);

    const ap_value *v = h->field_find(&data, "ratio");
    CHECK(v != NULL && v->type == AP_TYPE_DOUBLE && v->as.d == 0.5);
    CHECK(h->field_find(&data, "cases[9]") == NULL);

    int64_t col[] = {1, 2};
    const char *names[] = {"a", "b", "c"};
    const int64_t *cols[] = {col, col, col};
    ap_measure_input in = {sizeof in, 2, 3, names, cols, NULL, AP_DATE_NAT,
                           NULL};
    CHECK(h->records_column(&in, "b", &err) == col);
    CHECK(h->records_column(&in, "x", &err) == NULL);
    CHECK_STR(err.message, "measure input has no column 'x'; it has: a, b, c");

    /* The sinks directly: formatting, growth and the sticky failure. */
    ap_findings f;
    memset(&f, 0, sizeof f);
    for (int i = 0; i < 100; i++)
        CHECK(h->finding(&f, AP_SEVERITY_WARNING, NULL, "n=%d", i) == AP_OK);
    CHECK_EQ_I64(f.list.n, 100);
    CHECK_STR(f.list.items[99].message, "n=99");
    CHECK_STR(f.list.items[99].field, "");
    CHECK(h->finding(&f, AP_SEVERITY_COUNT, "x", "bad") == AP_E_INPUT);
    CHECK(h->finding(&f, AP_SEVERITY_INFO, "x", "good") == AP_E_INPUT);
    CHECK_EQ_I64(f.list.n, 100);
    ap_finding_list_clear(&f.list);

    ap_text t;
    memset(&t, 0, sizeof t);
    CHECK(h->text_append(&t, "%s", "") == AP_OK);
    CHECK(t.buf != NULL && t.len == 0 && t.buf[0] == '\0');
    for (int i = 0; i < 1000; i++)
        CHECK(h->text_append(&t, "%03d,", i) == AP_OK);
    CHECK_EQ_I64(t.len, 4000);
    CHECK(strncmp(t.buf + 3996, "999,", 5) == 0);
    free(t.buf);
    ap_plugins_shutdown();
}

/* ---- the KPI file's "measure" -------------------------------------------- */

static ap_status parse_kpi(const char *measure_json, ap_kpi_set **set,
                           ap_error *err)
{
    char text[512];
    snprintf(text, sizeof text,
             "{\"format\": \"apportion.kpis/1\", \"kpis\": [\n"
             "  {\"ref\": \"A1\", \"polarity\": \"higher\",\n"
             "   \"bands\": \"Green = 90-100%%, Red = below 90\"%s}]}",
             measure_json);
    return ap_kpis_parse(text, strlen(text), "test", set, err);
}

TEST(plugin_kpi_measure_field)
{
    ap_kpi_set *set = NULL;
    ap_error err;
    CHECK(parse_kpi(", \"measure\": \"within_3\"", &set, &err) == AP_OK);
    CHECK_STR(set->kpis[0].measure, "within_3");
    ap_kpi_set_free(set);
    CHECK(parse_kpi("", &set, &err) == AP_OK);
    CHECK(set->kpis[0].measure == NULL);
    ap_kpi_set_free(set);

    CHECK(parse_kpi(", \"measure\": \"\"", &set, &err) == AP_E_PLAN);
    CHECK(set == NULL);
    CHECK_STR(err.path, "$.kpis[0].measure");
    CHECK_EQ_I64(err.line, 3);
    CHECK_CONTAINS(err.message, "cannot be empty");
    CHECK(parse_kpi(", \"measure\": 3", &set, &err) == AP_E_PLAN);
    CHECK_STR(err.path, "$.kpis[0].measure");
    CHECK_CONTAINS(err.message, "found a number");
    ap_plugins_shutdown();
}
