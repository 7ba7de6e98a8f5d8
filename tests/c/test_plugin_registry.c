/* Loading plugins and the registry: metadata, ABI versions, init failures,
 * registrations checked all or nothing, duplicates across plugins, the
 * host's own registrations, and the path checks.
 *
 * The plugins are linked into the test and loaded with
 * ap_plugin_load_static, so they go through the same checks, init and
 * commit as a shared library would.  One configurable plugin serves every
 * test: each sets `sc` (its info block and what its init does) before
 * loading.  Every test ends with ap_plugins_shutdown, since valgrind runs
 * them all in one process. */
#include <stdint.h>
#include <sys/stat.h> /* chmod, on POSIX systems */

#include "apportion/apportion.h"
#include "apportion/registry.h"
#include "platform/platform.h"
#include "runner.h"

/* ---- the test plugin ------------------------------------------------------ */

static ap_status measure_fn(void *user, const ap_measure_input *in,
                            size_t from, size_t to, int64_t *numerator,
                            int64_t *denominator, ap_error *err)
{
    (void)user, (void)in, (void)err;
    for (size_t r = from; r < to; r++)
        numerator[r - from] = denominator[r - from] = 1;
    return AP_OK;
}

static ap_status rule_fn(void *user, const ap_recharge_input *in,
                         int64_t *instalments, ap_error *err)
{
    (void)user, (void)in, (void)instalments, (void)err;
    return AP_OK;
}

static ap_status check_fn(void *user, const ap_fields *data,
                          ap_findings *out, ap_error *err)
{
    (void)user, (void)data, (void)out, (void)err;
    return AP_OK;
}

static ap_status section_fn(void *user, const ap_fields *data, ap_text *out,
                            ap_error *err)
{
    (void)user, (void)data, (void)out, (void)err;
    return AP_OK;
}

static int64_t add_days(int64_t date, int64_t days, ap_error *err)
{
    (void)err;
    return date + days;
}

static const ap_measure_def good_measure = {
    sizeof(ap_measure_def), "responded_within_3", "answered in 3 days",
    " received , responded", 100,
    AP_MEASURE_ROWWISE | AP_MEASURE_THREAD_SAFE, measure_fn, NULL};
static const ap_rule_def good_rule = {sizeof(ap_rule_def), "quarterly",
                                      "four equal instalments", rule_fn,
                                      NULL};
static const ap_check_def good_check = {sizeof(ap_check_def), "contract_sum",
                                        "cases add up", check_fn, NULL};
static const ap_section_def good_section = {
    sizeof(ap_section_def), "block_summary",
    "Transformation funding by block", section_fn, NULL};
static const ap_calculator_def good_calculator = {
    sizeof(ap_calculator_def), "notice_end", "date(date, int64)",
    "a notice period's last day", AP_CALCULATOR_FN(add_days)};

#define GOOD_KPIS                                                          \
    "{\"format\": \"apportion.kpis/1\", \"kpis\": ["                       \
    "{\"ref\": \"GOOD1\", \"description\": \"answered in time\", "         \
    "\"unit\": \"%\", \"polarity\": \"higher\", "                          \
    "\"bands\": \"Green = 90-100%, Amber = 80-90%, Red = 80% or below\", " \
    "\"measure\": \"responded_within_3\"},"                                \
    "{\"ref\": \"GOOD2\", \"unit\": \"status\", "                          \
    "\"states\": {\"in place\": \"green\", \"not in place\": \"red\"}}]}"

/* One more registration, made after the good ones. */
typedef enum extra {
    EXTRA_NONE,
    EXTRA_SCALE_ZERO,
    EXTRA_NULL_FN,
    EXTRA_BAD_NAME,
    EXTRA_NO_NAME,
    EXTRA_UNKNOWN_FLAG,
    EXTRA_THREAD_SAFE_ONLY,
    EXTRA_NO_COLUMNS,
    EXTRA_BAD_COLUMN,
    EXTRA_SMALL_SIZE,
    EXTRA_NULL_DEF,
    EXTRA_DUP_MEASURE,
    EXTRA_RULE_NULL_FN,
    EXTRA_CHECK_BAD_NAME,
    EXTRA_SECTION_NO_TITLE,
    EXTRA_BAD_SIGNATURE,
    EXTRA_DUP_CALCULATOR,
    EXTRA_BAD_KPIS,
    EXTRA_DUP_KPI,
    EXTRA_KPI_UNKNOWN_MEASURE,
} extra;

/* What the next load does; set by each test. */
static struct {
    ap_plugin_info info;
    int info_null;
    const char *kpis;        /* registered first, unless NULL */
    int items;               /* register the good items */
    extra extra;
    ap_status init_status;   /* what init returns */
    const char *init_message;
    /* What the plugin saw. */
    ap_status extra_status;
    ap_error extra_err;
    const ap_host *host;
    ap_registrar *reg;
} sc;

static void scenario(const char *name, const char *area)
{
    memset(&sc, 0, sizeof sc);
    sc.info = (ap_plugin_info){AP_PLUGIN_INFO_HEADER, name, "1.2.3", area,
                               "A test plugin", "MIT",
                               "https://example.org/plugin"};
    sc.kpis = NULL;
    sc.items = 1;
    sc.init_status = AP_OK;
}

static const ap_plugin_info *test_info(void)
{
    return sc.info_null ? NULL : &sc.info;
}

static void register_extra(const ap_host *h, ap_registrar *reg)
{
    ap_measure_def m = good_measure;
    m.name = "extra_measure";
    ap_error *e = &sc.extra_err;
    ap_status st = AP_OK;
    switch (sc.extra) {
    case EXTRA_NONE:
        return;
    case EXTRA_SCALE_ZERO:
        m.scale = 0;
        break;
    case EXTRA_NULL_FN:
        m.fn = NULL;
        break;
    case EXTRA_BAD_NAME:
        m.name = "has space";
        break;
    case EXTRA_NO_NAME:
        m.name = NULL;
        break;
    case EXTRA_UNKNOWN_FLAG:
        m.flags = AP_MEASURE_ROWWISE | 0x10u;
        break;
    case EXTRA_THREAD_SAFE_ONLY:
        m.flags = AP_MEASURE_THREAD_SAFE;
        break;
    case EXTRA_NO_COLUMNS:
        m.columns = "";
        break;
    case EXTRA_BAD_COLUMN:
        m.columns = "received,,responded";
        break;
    case EXTRA_SMALL_SIZE:
        m.size = offsetof(ap_measure_def, fn);
        break;
    case EXTRA_NULL_DEF:
        sc.extra_status = h->register_measure(reg, NULL, e);
        return;
    case EXTRA_DUP_MEASURE:
        m.name = good_measure.name;
        break;
    case EXTRA_RULE_NULL_FN: {
        ap_rule_def r = good_rule;
        r.name = "extra_rule";
        r.fn = NULL;
        sc.extra_status = h->register_rule(reg, &r, e);
        return;
    }
    case EXTRA_CHECK_BAD_NAME: {
        ap_check_def c = good_check;
        c.name = "no-dashes";
        sc.extra_status = h->register_check(reg, &c, e);
        return;
    }
    case EXTRA_SECTION_NO_TITLE: {
        ap_section_def s = good_section;
        s.name = "untitled";
        s.title = "";
        sc.extra_status = h->register_section(reg, &s, e);
        return;
    }
    case EXTRA_BAD_SIGNATURE: {
        ap_calculator_def c = good_calculator;
        c.name = "bad_signature";
        c.signature = "date(date, pounds)";
        sc.extra_status = h->register_calculator(reg, &c, e);
        return;
    }
    case EXTRA_DUP_CALCULATOR:
        sc.extra_status = h->register_calculator(reg, &good_calculator, e);
        return;
    case EXTRA_BAD_KPIS:
        sc.extra_status = h->register_kpis(
            reg, "{\"format\": \"apportion.kpis/1\", \"kpis\": "
                 "[{\"ref\": \"X1\", \"unit\": \"%\"}]}", e);
        return;
    case EXTRA_DUP_KPI:
        sc.extra_status = h->register_kpis(
            reg, "{\"format\": \"apportion.kpis/1\", \"kpis\": "
                 "[{\"ref\": \"GOOD2\", \"unit\": \"yes/no\", \"states\": "
                 "{\"yes\": \"green\", \"no\": \"red\"}}]}", e);
        return;
    case EXTRA_KPI_UNKNOWN_MEASURE:
        st = h->register_kpis(
            reg, "{\"format\": \"apportion.kpis/1\", \"kpis\": "
                 "[{\"ref\": \"LATE1\", \"unit\": \"%\", \"polarity\": "
                 "\"lower\", \"bands\": \"Green = 0-5%, Red = above 5%\", "
                 "\"measure\": \"late_payments\"}]}", e);
        sc.extra_status = st;
        return;
    }
    sc.extra_status = h->register_measure(reg, &m, e);
}

/* Registers what sc says, ignoring each status (as a careless plugin
 * would): the registrar must fail the load by itself. */
static ap_status test_init(const ap_host *host, ap_registrar *reg,
                           char **error_message)
{
    sc.host = host;
    sc.reg = reg;
    ap_error err;
    if (sc.kpis != NULL)
        host->register_kpis(reg, sc.kpis, &err);
    if (sc.items) {
        CHECK(host->register_measure(reg, &good_measure, &err) == AP_OK);
        CHECK(host->register_rule(reg, &good_rule, &err) == AP_OK);
        CHECK(host->register_check(reg, &good_check, &err) == AP_OK);
        CHECK(host->register_section(reg, &good_section, &err) == AP_OK);
        CHECK(host->register_calculator(reg, &good_calculator, &err) ==
              AP_OK);
        CHECK(AP_HOST_HAS(host, warn));
        CHECK(host->warn(reg, "%d cases have no closing date", 3) == AP_OK);
    }
    register_extra(host, reg);
    if (sc.init_message != NULL)
        *error_message = host->strdup(sc.init_message);
    return sc.init_status;
}

/* Loads the plugin sc describes under `label`. */
static ap_status load(const char *label, const ap_plugin **p, ap_error *err)
{
    return ap_plugin_load_static(test_info, test_init, label, p, err);
}

static void load_ok(const char *label, const ap_plugin **p)
{
    ap_error err;
    if (load(label, p, &err) != AP_OK) {
        fprintf(stderr, "load %s: %s\n", label, err.message);
        exit(1);
    }
}

/* ---- a good plugin -------------------------------------------------------- */

TEST(plugin_registry_good)
{
    scenario("goodplug", "GOOD");
    sc.kpis = GOOD_KPIS;
    const ap_plugin *p;
    load_ok("<builtin:good>", &p);

    CHECK_EQ_I64(ap_plugin_count(), 1);
    CHECK(ap_plugin_get(0) == p && ap_plugin_get(1) == NULL);
    CHECK(ap_plugin_find("goodplug") == p && ap_plugin_find("bad") == NULL);
    CHECK_STR(ap_plugin_name(p), "goodplug");
    CHECK_STR(ap_plugin_version(p), "1.2.3");
    CHECK_STR(ap_plugin_service_area(p), "GOOD");
    CHECK_STR(ap_plugin_description(p), "A test plugin");
    CHECK_STR(ap_plugin_licence(p), "MIT");
    CHECK_STR(ap_plugin_url(p), "https://example.org/plugin");
    CHECK_STR(ap_plugin_path(p), "<builtin:good>");
    CHECK_EQ_I64(ap_plugin_abi_minor(p), AP_PLUGIN_ABI_MINOR);
    CHECK_EQ_I64(ap_plugin_warning_count(p), 1);
    CHECK_STR(ap_plugin_warning(p, 0), "3 cases have no closing date");
    CHECK(ap_plugin_warning(p, 1) == NULL);
    /* Copies, not the plugin's pointers. */
    CHECK(ap_plugin_name(p) != sc.info.name);

    const ap_area *a = ap_plugin_area(p);
    CHECK(a != NULL && ap_area_find("GOOD") == a && ap_area_find("X") == NULL);
    CHECK_STR(ap_area_code(a), "GOOD");
    CHECK(ap_area_plugin(a) == p);
    const ap_kpi_set *kpis = ap_area_kpis(a);
    CHECK_EQ_I64(kpis->n, 2);
    CHECK_STR(kpis->source, "<builtin:good>");
    CHECK_STR(kpis->kpis[0].ref, "GOOD1");
    CHECK_STR(kpis->kpis[0].measure, "responded_within_3");
    CHECK_STR(kpis->kpis[1].ref, "GOOD2");
    CHECK(kpis->kpis[1].measure == NULL);

    for (int k = 0; k < AP_ITEM_KIND_COUNT; k++)
        CHECK_EQ_I64(ap_area_item_count(a, (ap_item_kind)k), 1);
    ap_item_info info;
    ap_error err;
    CHECK(ap_area_item(a, AP_ITEM_MEASURE, 0, &info, &err) == AP_OK);
    CHECK_STR(info.name, "responded_within_3");
    CHECK_STR(info.description, "answered in 3 days");
    CHECK_STR(info.detail, " received , responded");
    CHECK_EQ_I64(info.scale, 100);
    CHECK_EQ_I64(info.flags, AP_MEASURE_ROWWISE | AP_MEASURE_THREAD_SAFE);
    CHECK(ap_area_item(a, AP_ITEM_MEASURE, 1, &info, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "GOOD");

    CHECK(ap_area_item_find(a, AP_ITEM_CALCULATOR, "notice_end", &info,
                            &err) == AP_OK);
    CHECK_STR(info.detail, "date(date, int64)");
    CHECK_STR(info.description, "a notice period's last day");
    CHECK(info.result == AP_TYPE_DATE && info.n_args == 2 &&
          info.args[0] == AP_TYPE_DATE && info.args[1] == AP_TYPE_INT64);
    CHECK(ap_area_item_find(a, AP_ITEM_SECTION, "block_summary", &info,
                            &err) == AP_OK);
    CHECK_STR(info.description, "Transformation funding by block");
    CHECK_STR(info.detail, "");
    CHECK(ap_area_item_find(a, AP_ITEM_RULE, "quarterly", &info, &err) ==
          AP_OK);
    CHECK(ap_area_item_find(a, AP_ITEM_CHECK, "contract_sum", &info, &err) ==
          AP_OK);

    /* A missing item: the area named and what it has listed. */
    CHECK(ap_area_item_find(a, AP_ITEM_RULE, "monthly", &info, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "\"GOOD\"");
    CHECK_CONTAINS(err.message, "no rule \"monthly\"");
    CHECK_CONTAINS(err.message, "\"quarterly\"");

    CHECK_STR(ap_item_kind_name(AP_ITEM_CALCULATOR), "calculator");
    CHECK_STR(ap_value_type_name(AP_TYPE_MONEY), "money");
    CHECK_STR(ap_severity_name(AP_SEVERITY_WARNING), "warning");
    CHECK_STR(ap_item_kind_name((ap_item_kind)99), "unknown item kind");

    /* The table as a plugin sees it. */
    const ap_host *h = ap_host_table();
    CHECK(sc.host == h);
    CHECK_EQ_I64(h->size, sizeof(ap_host));
    CHECK_EQ_I64(h->abi_major, AP_PLUGIN_ABI_MAJOR);
    CHECK_EQ_I64(h->abi_minor, AP_PLUGIN_ABI_MINOR);
    CHECK_STR(h->library_version, AP_VERSION_STRING);
    int64_t sum;
    CHECK(h->money_add(150, 250, &sum, &err) == AP_OK && sum == 400);
    CHECK(h->date_from_ymd(1970, 1, 2) == 1);
    CHECK_STR(h->status_name(AP_E_PLUGIN), "plugin error");

    /* After init the registrar is closed: nothing can be slipped in behind
     * the registry's checks. */
    ap_measure_def late = good_measure;
    late.name = "late";
    err.message[0] = '\0';
    CHECK(h->register_measure(sc.reg, &late, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "<builtin:good>");
    CHECK_CONTAINS(err.message, "after init returned");
    CHECK(h->register_kpis(sc.reg, GOOD_KPIS, &err) == AP_E_PLUGIN);
    CHECK(h->warn(sc.reg, "late") == AP_E_PLUGIN);
    CHECK_EQ_I64(ap_area_item_count(a, AP_ITEM_MEASURE), 1);
    CHECK_EQ_I64(ap_plugin_warning_count(p), 1);
    CHECK_EQ_I64(ap_area_kpis(a)->n, 2);

    ap_plugins_shutdown();
    CHECK_EQ_I64(ap_plugin_count(), 0);
    CHECK(ap_plugin_find("goodplug") == NULL && ap_area_find("GOOD") == NULL);

    /* A test can start again. */
    scenario("goodplug", "GOOD");
    load_ok("<builtin:good>", &p);
    CHECK_EQ_I64(ap_plugin_count(), 1);
    CHECK(ap_plugin_warning_count(p) == 1);
    ap_plugins_shutdown();
}

/* ---- duplicates across plugins ------------------------------------------- */

TEST(plugin_registry_duplicates)
{
    const ap_plugin *first, *p;
    ap_error err;
    scenario("alpha", "ALPHA");
    sc.kpis = GOOD_KPIS;
    load_ok("<builtin:alpha>", &first);

    /* The same name, another area. */
    scenario("alpha", "BETA");
    CHECK(load("<builtin:alpha2>", &p, &err) == AP_E_PLUGIN);
    CHECK(p == NULL);
    CHECK_CONTAINS(err.message, "<builtin:alpha2>");
    CHECK_CONTAINS(err.message, "named \"alpha\" is already loaded");
    CHECK_CONTAINS(err.message, "<builtin:alpha>");

    /* Another name, the same area. */
    scenario("beta", "ALPHA");
    CHECK(load("<builtin:beta>", &p, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "service area \"ALPHA\" is already provided");
    CHECK_CONTAINS(err.message, "\"alpha\"");

    /* A KPI ref another area has. */
    scenario("gamma", "GAMMA");
    sc.kpis = GOOD_KPIS;
    CHECK(load("<builtin:gamma>", &p, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "<builtin:gamma>");
    CHECK_CONTAINS(err.message, "KPI \"GOOD1\"");
    CHECK_CONTAINS(err.message, "\"ALPHA\"");

    /* Unchanged by the three failures. */
    CHECK_EQ_I64(ap_plugin_count(), 1);
    CHECK(ap_plugin_get(0) == first);
    CHECK(ap_area_find("BETA") == NULL && ap_area_find("GAMMA") == NULL);
    CHECK(ap_plugin_find("beta") == NULL && ap_plugin_find("gamma") == NULL);
    CHECK_EQ_I64(ap_area_item_count(ap_plugin_area(first), AP_ITEM_MEASURE),
                 1);

    /* And a plugin that differs in every way loads after them, in order. */
    scenario("gamma", "GAMMA");
    load_ok("<builtin:gamma>", &p);
    CHECK_EQ_I64(ap_plugin_count(), 2);
    CHECK(ap_plugin_get(0) == first && ap_plugin_get(1) == p);
    ap_plugins_shutdown();
}

/* ---- init failing ---------------------------------------------------------- */

TEST(plugin_registry_init_failure)
{
    const ap_plugin *p;
    ap_error err;

    scenario("failing", "FAIL");
    sc.kpis = GOOD_KPIS;
    sc.init_status = AP_E_INPUT;
    sc.init_message = "the closures file is missing";
    CHECK(load("<builtin:failing>", &p, &err) == AP_E_PLUGIN);
    CHECK(p == NULL);
    CHECK_CONTAINS(err.message, "plugin <builtin:failing>: init failed "
                                "(invalid input): the closures file is "
                                "missing");
    /* What it registered before failing is gone. */
    CHECK_EQ_I64(ap_plugin_count(), 0);
    CHECK(ap_area_find("FAIL") == NULL);

    scenario("failing", "FAIL");
    sc.init_status = AP_E_IO;
    CHECK(load("<builtin:failing>", &p, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "init failed (input/output error) and gave "
                                "no message");

    /* Passing on a registration's failure without a message of its own:
     * the registration's message is shown. */
    scenario("failing", "FAIL");
    sc.extra = EXTRA_SCALE_ZERO;
    sc.init_status = AP_E_PLUGIN;
    CHECK(load("<builtin:failing>", &p, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "init failed (plugin error)");
    CHECK_CONTAINS(err.message, "scale");

    /* An OK init with a message: loads, the message is freed. */
    scenario("failing", "FAIL");
    sc.init_message = "nothing wrong";
    load_ok("<builtin:failing>", &p);
    CHECK_EQ_I64(ap_plugin_count(), 1);
    ap_plugins_shutdown();
}

/* ---- bad registrations ------------------------------------------------------ */

TEST(plugin_registry_bad_registrations)
{
    static const struct {
        extra extra;
        const char *expect[3];
    } cases[] = {
        {EXTRA_SCALE_ZERO,
         {"measure \"extra_measure\"", "scale must be 1 or more", "not 0"}},
        {EXTRA_NULL_FN, {"measure \"extra_measure\"", "fn is NULL", NULL}},
        {EXTRA_BAD_NAME,
         {"measure \"has space\"", "the name must be", NULL}},
        {EXTRA_NO_NAME, {"a measure has no name", NULL, NULL}},
        {EXTRA_UNKNOWN_FLAG,
         {"measure \"extra_measure\"", "flags 0x11", "(0x10)"}},
        {EXTRA_THREAD_SAFE_ONLY,
         {"AP_MEASURE_THREAD_SAFE needs AP_MEASURE_ROWWISE", NULL, NULL}},
        {EXTRA_NO_COLUMNS, {"\"extra_measure\"", "columns is empty", NULL}},
        {EXTRA_BAD_COLUMN, {"columns \"received,,responded\"",
                            "column 2 is empty", NULL}},
        {EXTRA_SMALL_SIZE, {"measure definition's size", "ABI 1.0", NULL}},
        {EXTRA_NULL_DEF, {"no measure definition", NULL, NULL}},
        {EXTRA_DUP_MEASURE,
         {"measure \"responded_within_3\" is registered twice", NULL, NULL}},
        {EXTRA_RULE_NULL_FN, {"rule \"extra_rule\"", "fn is NULL", NULL}},
        {EXTRA_CHECK_BAD_NAME, {"check \"no-dashes\"", "the name", NULL}},
        {EXTRA_SECTION_NO_TITLE,
         {"section \"untitled\"", "title is empty", NULL}},
        /* "calculator" once: the signature's own message does not
         * repeat it. */
        {EXTRA_BAD_SIGNATURE,
         {"<builtin:careless>: calculator \"bad_signature\": signature "
          "\"date(date, pounds)\": unknown type \"pounds\" for argument 2",
          NULL, NULL}},
        {EXTRA_DUP_CALCULATOR,
         {"calculator \"notice_end\" is registered twice", NULL, NULL}},
        {EXTRA_BAD_KPIS, {"registered KPIs", "$.kpis[0]", "polarity"}},
        {EXTRA_DUP_KPI, {"KPI \"GOOD2\" is registered twice", NULL, NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scenario("careless", "CARELESS");
        sc.kpis = GOOD_KPIS;
        sc.extra = cases[i].extra;
        const ap_plugin *p;
        ap_error err;
        /* init returned AP_OK, yet the load fails. */
        ap_status st = load("<builtin:careless>", &p, &err);
        if (st != AP_E_PLUGIN) {
            fprintf(stderr, "case %zu: status %d: %s\n", i, (int)st,
                    err.message);
            exit(1);
        }
        CHECK(sc.extra_status != AP_OK);
        CHECK_CONTAINS(err.message, "<builtin:careless>");
        for (int k = 0; k < 3 && cases[i].expect[k] != NULL; k++) {
            CHECK_CONTAINS(err.message, cases[i].expect[k]);
            /* The plugin was told the same. */
            CHECK_CONTAINS(sc.extra_err.message, cases[i].expect[k]);
        }
        CHECK(p == NULL);
        CHECK_EQ_I64(ap_plugin_count(), 0);
        CHECK(ap_area_find("CARELESS") == NULL);
    }

    /* A KPI file's line and column survive into the load's error. */
    scenario("careless", "CARELESS");
    sc.extra = EXTRA_BAD_KPIS;
    const ap_plugin *p;
    ap_error err;
    CHECK(load("<builtin:careless>", &p, &err) == AP_E_PLUGIN);
    CHECK(err.line == 1 && err.column > 1);

    /* A KPI naming a measure the plugin never registered: found at commit,
     * naming the KPI and the measure and listing the measures there are. */
    scenario("careless", "CARELESS");
    sc.extra = EXTRA_KPI_UNKNOWN_MEASURE;
    CHECK(load("<builtin:careless>", &p, &err) == AP_E_PLUGIN);
    CHECK(sc.extra_status == AP_OK);
    CHECK_CONTAINS(err.message, "<builtin:careless>");
    CHECK_CONTAINS(err.message, "KPI \"LATE1\"");
    CHECK_CONTAINS(err.message, "\"late_payments\"");
    CHECK_CONTAINS(err.message, "\"responded_within_3\"");
    scenario("careless", "CARELESS");
    sc.items = 0;
    sc.extra = EXTRA_KPI_UNKNOWN_MEASURE;
    CHECK(load("<builtin:careless>", &p, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "it has no measures");

    /* Nothing stayed behind: the same plugin, done right, loads. */
    CHECK_EQ_I64(ap_plugin_count(), 0);
    scenario("careless", "CARELESS");
    sc.kpis = GOOD_KPIS;
    load_ok("<builtin:careless>", &p);
    for (int k = 0; k < AP_ITEM_KIND_COUNT; k++)
        CHECK_EQ_I64(ap_area_item_count(ap_plugin_area(p), (ap_item_kind)k),
                     1);
    ap_plugins_shutdown();
}

/* ---- the info block ----------------------------------------------------------- */

TEST(plugin_registry_metadata)
{
    static const struct {
        int field; /* 0 name, 1 version, 2 service_area, 3 description,
                      4 licence */
        const char *value;
        const char *expect;
    } cases[] = {
        {0, NULL, "has no name"},
        {0, "", "has no name"},
        {0, "Has Caps", "name \"Has Caps\" must be"},
        {0, "a-name-of-sixty-five-characters-one-more-than-the-limit-of-sixty4",
         "must be 1 to 64"},
        {1, NULL, "has no version"},
        {1, "", "has no version"},
        {2, NULL, "has no service_area"},
        {2, "iass", "service_area \"iass\" must be"},
        {2, "IASS-2", "service_area \"IASS-2\""},
        {3, NULL, "has no description"},
        {3, "", "has no description"},
        {4, NULL, "has no licence"},
        {4, "", "has no licence"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scenario("meta", "META");
        const char **fields[] = {&sc.info.name, &sc.info.version,
                                 &sc.info.service_area,
                                 &sc.info.description, &sc.info.licence};
        *fields[cases[i].field] = cases[i].value;
        const ap_plugin *p;
        ap_error err;
        CHECK(load("<builtin:meta>", &p, &err) == AP_E_PLUGIN);
        CHECK_CONTAINS(err.message, "plugin <builtin:meta>");
        CHECK_CONTAINS(err.message, cases[i].expect);
        CHECK(sc.reg == NULL); /* refused before init */
    }

    scenario("meta", "META");
    sc.info_null = 1;
    const ap_plugin *p;
    ap_error err;
    CHECK(load("<builtin:meta>", &p, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "apportion_plugin_info() returned NULL");

    scenario("meta", "META");
    sc.info.size = AP_PLUGIN_INFO_SIZE_1_0 - 1;
    CHECK(load("<builtin:meta>", &p, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "info block");
    CHECK_CONTAINS(err.message, "ABI 1.0");

    /* Arguments. */
    CHECK(ap_plugin_load_static(test_info, test_init, NULL, &p, &err) ==
          AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "label");
    CHECK(ap_plugin_load_static(NULL, test_init, "<x>", &p, &err) ==
          AP_E_PLUGIN);
    CHECK(ap_plugin_load_static(test_info, NULL, "<x>", &p, &err) ==
          AP_E_PLUGIN);
    CHECK(ap_plugin_load_static(test_info, test_init, "<x>", NULL, &err) ==
          AP_E_INPUT);
    CHECK_EQ_I64(ap_plugin_count(), 0);
    ap_plugins_shutdown();
}

/* ---- ABI versions ------------------------------------------------------------ */

TEST(plugin_registry_abi_versions)
{
    const ap_plugin *p;
    ap_error err;
    char expect[128];

    scenario("abi", "ABI");
    sc.info.abi_major = AP_PLUGIN_ABI_MAJOR + 1;
    sc.info.abi_minor = 0;
    CHECK(load("<builtin:abi>", &p, &err) == AP_E_PLUGIN);
    snprintf(expect, sizeof expect, "built for plugin ABI %d.0, but this "
             "host speaks ABI %d.%d", AP_PLUGIN_ABI_MAJOR + 1,
             AP_PLUGIN_ABI_MAJOR, AP_PLUGIN_ABI_MINOR);
    CHECK_CONTAINS(err.message, "plugin <builtin:abi>");
    CHECK_CONTAINS(err.message, expect);
    CHECK_CONTAINS(err.message, "upgrade apportion");

    scenario("abi", "ABI");
    sc.info.abi_major = AP_PLUGIN_ABI_MAJOR - 1;
    CHECK(load("<builtin:abi>", &p, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "rebuild the plugin");

    scenario("abi", "ABI");
    sc.info.abi_minor = AP_PLUGIN_ABI_MINOR + 1;
    CHECK(load("<builtin:abi>", &p, &err) == AP_E_PLUGIN);
    snprintf(expect, sizeof expect, "built for plugin ABI %d.%d, newer than "
             "this host's %d.%d; upgrade apportion", AP_PLUGIN_ABI_MAJOR,
             AP_PLUGIN_ABI_MINOR + 1, AP_PLUGIN_ABI_MAJOR,
             AP_PLUGIN_ABI_MINOR);
    CHECK_CONTAINS(err.message, expect);
    CHECK(sc.reg == NULL);
    CHECK_EQ_I64(ap_plugin_count(), 0);

    /* An older minor loads.  Its info block ends at licence, so url is
     * not read, even though this test's struct has one. */
    scenario("old", "OLD");
    sc.info.size = AP_PLUGIN_INFO_SIZE_1_0;
    sc.info.abi_minor = 0;
    sc.info.url = "https://example.org/not-read";
    load_ok("<builtin:old>", &p);
    CHECK(ap_plugin_url(p) == NULL);
    CHECK_EQ_I64(ap_plugin_abi_minor(p), 0);
    CHECK_STR(ap_plugin_name(p), "old");

    /* A 1.1 block may leave url NULL. */
    scenario("new", "NEW");
    sc.info.url = NULL;
    load_ok("<builtin:new>", &p);
    CHECK(ap_plugin_url(p) == NULL);
    CHECK_EQ_I64(ap_plugin_count(), 2);
    ap_plugins_shutdown();
}

/* ---- the host's own registrations --------------------------------------------- */

TEST(plugin_registry_area_add)
{
    scenario("host", "HOST");
    const ap_plugin *p;
    load_ok("<builtin:host>", &p);
    const ap_area *a = ap_plugin_area(p);
    ap_error err;

    ap_measure_def m = good_measure;
    m.name = "from_python";
    m.columns = "received";
    m.flags = 0;
    CHECK(ap_area_add_measure("HOST", &m, &err) == AP_OK);
    CHECK_EQ_I64(ap_area_item_count(a, AP_ITEM_MEASURE), 2);
    ap_item_info info;
    CHECK(ap_area_item(a, AP_ITEM_MEASURE, 1, &info, &err) == AP_OK);
    CHECK_STR(info.name, "from_python");
    CHECK_STR(info.detail, "received");

    /* A name the area has, whoever registered it. */
    CHECK(ap_area_add_measure("HOST", &m, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "\"HOST\" already has a measure named "
                                "\"from_python\"");
    CHECK(ap_area_add_measure("HOST", &good_measure, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "\"responded_within_3\"");

    /* The same checks as during init, naming the area. */
    m.name = "zero";
    m.scale = 0;
    CHECK(ap_area_add_measure("HOST", &m, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "service area \"HOST\": measure \"zero\": "
                                "scale");
    m.scale = 1;
    CHECK(ap_area_add_measure("NOWHERE", &m, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "\"NOWHERE\"");
    CHECK(ap_area_add_measure(NULL, &m, &err) == AP_E_INPUT);
    CHECK_EQ_I64(ap_area_item_count(a, AP_ITEM_MEASURE), 2);

    ap_rule_def r = good_rule;
    r.name = "monthly";
    CHECK(ap_area_add_rule("HOST", &r, &err) == AP_OK);
    CHECK(ap_area_add_rule("HOST", &r, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "rule named \"monthly\"");
    r.name = "nofn";
    r.fn = NULL;
    CHECK(ap_area_add_rule("HOST", &r, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "fn is NULL");
    CHECK_EQ_I64(ap_area_item_count(a, AP_ITEM_RULE), 2);
    CHECK(ap_area_item_find(a, AP_ITEM_RULE, "monthly", &info, &err) ==
          AP_OK);
    ap_plugins_shutdown();
}

/* Threads adding measures to one area while others look items up: every
 * addition lands once, and lookups see a consistent list. */
#define ADDERS 4
#define ADDS_PER_THREAD 40

static void adder(void *arg)
{
    int t = (int)(intptr_t)arg;
    for (int i = 0; i < ADDS_PER_THREAD; i++) {
        char name[32];
        snprintf(name, sizeof name, "m_%d_%d", t, i);
        ap_measure_def m = good_measure;
        m.name = name; /* copied by the registry */
        ap_error err;
        if (ap_area_add_measure("HOST", &m, &err) != AP_OK) {
            fprintf(stderr, "add %s: %s\n", name, err.message);
            exit(1);
        }
    }
}

static void reader(void *arg)
{
    const ap_area *a = arg;
    for (int i = 0; i < 200; i++) {
        size_t n = ap_area_item_count(a, AP_ITEM_MEASURE);
        ap_item_info info;
        ap_error err;
        CHECK(n >= 1);
        CHECK(ap_area_item(a, AP_ITEM_MEASURE, n - 1, &info, &err) == AP_OK);
        CHECK(info.name != NULL && info.name[0] != '\0');
        CHECK(ap_area_item_find(a, AP_ITEM_MEASURE, "responded_within_3",
                                &info, &err) == AP_OK);
    }
}

TEST(plugin_registry_threads)
{
    scenario("host", "HOST");
    const ap_plugin *p;
    load_ok("<builtin:host>", &p);
    const ap_area *a = ap_plugin_area(p);
    ap__plat_thread threads[ADDERS + 2];
    for (int t = 0; t < ADDERS; t++)
        CHECK(ap__plat_thread_start(&threads[t], adder, (void *)(intptr_t)t) ==
              0);
    for (int t = ADDERS; t < ADDERS + 2; t++)
        CHECK(ap__plat_thread_start(&threads[t], reader, (void *)a) == 0);
    for (int t = 0; t < ADDERS + 2; t++)
        ap__plat_thread_join(&threads[t]);
    CHECK_EQ_I64(ap_area_item_count(a, AP_ITEM_MEASURE),
                 1 + ADDERS * ADDS_PER_THREAD);
    ap_item_info info;
    ap_error err;
    CHECK(ap_area_item_find(a, AP_ITEM_MEASURE, "m_3_39", &info, &err) ==
          AP_OK);
    ap_plugins_shutdown();
}

/* ---- paths ----------------------------------------------------------------------- */

TEST(plugin_registry_paths)
{
    ap_error err;
    const ap_plugin *p;
    int already = -1;

    CHECK(ap_plugin_load("noslash.so", &p, &already, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "noslash.so");
    CHECK_CONTAINS(err.message, "'/'");
    CHECK(already == 0 && p == NULL);
    CHECK(ap_plugin_load("/nonexistent/x.so", &p, NULL, &err) ==
          AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "/nonexistent/x.so");

    char dir[512];
    ap_test_temp_dir("ap_plugin_test", dir, sizeof dir);
    char file[600];
    snprintf(file, sizeof file, "%s/fake%s", dir, AP__PLAT_PLUGIN_SUFFIX);
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    fputs("not a shared library\n", f);
    fclose(f);
    CHECK(ap_plugin_check_path(file, &err) == AP_OK);

    /* Readable, but not a library: refused, naming the file by its real
     * path (on Windows with backslashes). */
    CHECK(ap_plugin_load(file, &p, &already, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, ap_test_base_name(dir));
    CHECK_CONTAINS(err.message, "fake" AP__PLAT_PLUGIN_SUFFIX);
    CHECK_EQ_I64(ap_plugin_count(), 0);

    CHECK(ap_plugin_check_path(dir, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "not a regular file");
    CHECK(ap_plugin_check_path("/nonexistent/x.so", &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "cannot be read");

    ap_test_remove(file);
    ap_test_remove_dir(dir);
    ap_plugins_shutdown();
}

/* The permission checks as POSIX modes give them: a file or folder that
 * others may write is refused.  (Windows keeps no mode bits: chmod there
 * only sets or clears read-only, so these files cannot be made.) */
TEST(plugin_registry_paths_writable_by_others)
{
#if AP__PLAT_WINDOWS
    SKIP("a platform limit: Windows files have no POSIX mode bits for "
         "chmod to set (the loader reads their access lists instead)");
#else
    ap_error err;
    const ap_plugin *p;
    int already = -1;
    char dir[512];
    ap_test_temp_dir("ap_plugin_test", dir, sizeof dir);
    char file[600];
    snprintf(file, sizeof file, "%s/fake.so", dir);
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    fputs("not a shared library\n", f);
    fclose(f);
    CHECK(chmod(file, 0644) == 0);
    CHECK(ap_plugin_check_path(file, &err) == AP_OK);

    /* Readable, but not a library: dlopen's reason is quoted. */
    CHECK(ap_plugin_load(file, &p, &already, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, file);
    CHECK_CONTAINS(err.message, "is not a loadable shared library: ");
    CHECK_EQ_I64(ap_plugin_count(), 0);

    CHECK(chmod(file, 0646) == 0);
    CHECK(ap_plugin_check_path(file, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, file);
    CHECK_CONTAINS(err.message, "writable by others (mode 0646)");
    CHECK_CONTAINS(err.message, "chmod o-w");
    CHECK(ap_plugin_load(file, &p, NULL, &err) == AP_E_PLUGIN);
    CHECK_CONTAINS(err.message, "writable by others");
    CHECK(chmod(file, 0644) == 0);

    CHECK(chmod(dir, 0777) == 0);
    CHECK(ap_plugin_check_path(file, &err) == AP_E_PLUGIN);
    char expect[1400];
    snprintf(expect, sizeof expect, "its folder %s is writable by others "
             "(mode 0777); remove that permission (chmod o-w %s)", dir, dir);
    CHECK_CONTAINS(err.message, expect);
    CHECK(chmod(dir, 0700) == 0);

    ap_test_remove(file);
    ap_test_remove_dir(dir);
    ap_plugins_shutdown();
#endif
}
