/* The helpers the host table offers plugins since ABI 1.1 (sla_rows,
 * elapsed_parse, unit_parse, unit_name, field_figure, value_type_name),
 * called through the table as a plugin calls them.
 *
 * sla_rows is checked against ap_sla_measure on random records: summed by
 * group over row ranges, as the host runs a plugin's measure, it must give
 * the kernel's within and total for every group, convention and as-of
 * date, and name the same faulty row with the same message. */
#include <stdint.h>
#include <string.h>

#include "apportion/apportion.h"
#include "apportion/registry.h"
#include "plugin/plugin_internal.h"
#include "runner.h"

static ap_calendar *england(void)
{
    ap_calendar *cal = NULL;
    ap_error err;
    CHECK(ap_calendar_new(AP_DIVISION_ENGLAND_AND_WALES, AP_WEEKMASK_MON_FRI,
                          NULL, 0, &cal, &err) == AP_OK);
    return cal;
}

/* xorshift64*: the same records on every run. */
static uint64_t rng_state;

static uint64_t next_random(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static int64_t below(int64_t n)
{
    return (int64_t)(next_random() % (uint64_t)n);
}

#define N_RECORDS 5000
#define N_KEYS 7

static int64_t starts[N_RECORDS], ends[N_RECORDS], keys[N_RECORDS];

/* Records received over a year, closed 0 to 3 * limit + 2 calendar days
 * later, one in eight still open; keys 0..N_KEYS-1. */
static void random_records(uint64_t seed, int64_t limit)
{
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    int64_t first = ap_date_from_ymd(2021, 4, 1);
    for (size_t i = 0; i < N_RECORDS; i++) {
        starts[i] = first + below(365);
        ends[i] = below(8) == 0 ? AP_DATE_NAT
                                : starts[i] + below(3 * limit + 3);
        keys[i] = below(N_KEYS);
    }
}

/* The host's way: rows [from, to) at a time, each range's within and
 * counted summed into its rows' groups. */
static ap_status rows_by_group(const ap_host *h, const ap_calendar *cal,
                               size_t n, int64_t limit, ap_elapsed convention,
                               int64_t as_of, int64_t *within, int64_t *total,
                               ap_error *err)
{
    static int64_t w[N_RECORDS], c[N_RECORDS];
    memset(within, 0, N_KEYS * sizeof *within);
    memset(total, 0, N_KEYS * sizeof *total);
    for (size_t from = 0; from < n;) {
        size_t to = from + 1 + (size_t)below(700);
        if (to > n)
            to = n;
        ap_status st = h->sla_rows(cal, starts + from, ends + from, to - from,
                                   limit, convention, as_of, from, w, c, err);
        if (st != AP_OK)
            return st;
        for (size_t i = from; i < to; i++) {
            CHECK(w[i - from] == 0 || w[i - from] == 1);
            CHECK(c[i - from] == 0 || c[i - from] == 1);
            CHECK(w[i - from] <= c[i - from]);
            within[keys[i]] += w[i - from];
            total[keys[i]] += c[i - from];
        }
        from = to;
    }
    return AP_OK;
}

TEST(plugin_host_sla_rows_matches_measure)
{
    const ap_host *h = ap_host_table();
    CHECK(AP_HOST_HAS(h, sla_rows) && AP_HOST_HAS(h, value_type_name));
    ap_calendar *cal = england();
    ap_error err;
    const int64_t limits[] = {0, 2, 3, 10, 45};
    const int64_t as_ofs[] = {AP_DATE_NAT, ap_date_from_ymd(2022, 3, 31),
                              ap_date_from_ymd(2022, 4, 5),
                              ap_date_from_ymd(2023, 1, 1)};
    size_t compared = 0;
    for (uint64_t seed = 1; seed <= 3; seed++)
        for (size_t l = 0; l < sizeof limits / sizeof *limits; l++) {
            random_records(seed * 100 + l, limits[l]);
            for (int conv = 0; conv < AP_ELAPSED_COUNT; conv++)
                for (size_t a = 0; a < sizeof as_ofs / sizeof *as_ofs; a++) {
                    ap_sla_options opt = {limits[l], (ap_elapsed)conv,
                                          as_ofs[a]};
                    ap_sla_result r;
                    CHECK(ap_sla_measure(cal, starts, ends, keys, N_RECORDS,
                                         &opt, &r, &err) == AP_OK);
                    int64_t within[N_KEYS], total[N_KEYS];
                    CHECK(rows_by_group(h, cal, N_RECORDS, limits[l],
                                        (ap_elapsed)conv, as_ofs[a], within,
                                        total, &err) == AP_OK);
                    CHECK_EQ_I64(r.n_groups, N_KEYS);
                    for (size_t g = 0; g < r.n_groups; g++) {
                        int64_t k = r.groups[g].key;
                        CHECK_EQ_I64(within[k], r.groups[g].within);
                        CHECK_EQ_I64(total[k], r.groups[g].total);
                        compared++;
                    }
                    ap_sla_result_clear(&r);
                }
        }
    CHECK_EQ_I64(compared, 3 * 5 * AP_ELAPSED_COUNT * 4 * N_KEYS);
    ap_calendar_free(cal);
}

/* Each fault, planted at a row: sla_rows over ranges names that row, with
 * ap_sla_measure's message. */
TEST(plugin_host_sla_rows_faults)
{
    const ap_host *h = ap_host_table();
    ap_calendar *cal = england();
    ap_error want, got;
    int64_t as_of = ap_date_from_ymd(2022, 4, 30);
    struct {
        int64_t start, end;
        const char *says;
    } faults[] = {
        {AP_DATE_NAT, ap_date_from_ymd(2021, 6, 1), "start is NaT"},
        {ap_date_from_ymd(1969, 12, 31), AP_DATE_NAT, "start is 1969-12-31"},
        {ap_date_from_ymd(2021, 6, 4), ap_date_from_ymd(2101, 1, 1),
         "end is 2101-01-01, outside"},
        {ap_date_from_ymd(2021, 6, 4), ap_date_from_ymd(2021, 6, 3),
         "ends (2021-06-03) before it starts (2021-06-04)"},
        {ap_date_from_ymd(2022, 5, 3), AP_DATE_NAT,
         "is open and starts (2022-05-03) after the as-of date (2022-04-30)"},
    };
    for (size_t f = 0; f < sizeof faults / sizeof *faults; f++) {
        random_records(40 + f, 3);
        /* Keep every other record within as_of, then plant the fault. */
        for (size_t i = 0; i < N_RECORDS; i++)
            if (ends[i] == AP_DATE_NAT && starts[i] > as_of)
                starts[i] = as_of;
        size_t row = 1234 + 517 * f;
        starts[row] = faults[f].start;
        ends[row] = faults[f].end;
        ap_sla_options opt = {3, AP_ELAPSED_AFTER_START, as_of};
        ap_sla_result r;
        CHECK(ap_sla_measure(cal, starts, ends, keys, N_RECORDS, &opt, &r,
                             &want) == AP_E_INPUT);
        int64_t within[N_KEYS], total[N_KEYS];
        CHECK(rows_by_group(h, cal, N_RECORDS, 3, AP_ELAPSED_AFTER_START,
                            as_of, within, total, &got) == AP_E_INPUT);
        CHECK_STR(got.message, want.message);
        char named[32];
        snprintf(named, sizeof named, "row %zu", row);
        CHECK_CONTAINS(got.message, named);
        CHECK_CONTAINS(got.message, faults[f].says);
    }

    /* The settings, before any row. */
    int64_t s = ap_date_from_ymd(2021, 6, 4), e = AP_DATE_NAT, w = 7, c = 7;
    CHECK(h->sla_rows(cal, &s, &e, 1, -1, AP_ELAPSED_AFTER_START, as_of, 0,
                      &w, &c, &got) == AP_E_INPUT);
    CHECK_CONTAINS(got.message, "the limit is -1 working days");
    CHECK(h->sla_rows(cal, &s, &e, 1, 3, AP_ELAPSED_COUNT, as_of, 0, &w, &c,
                      &got) == AP_E_INPUT);
    CHECK_CONTAINS(got.message, "unknown convention");
    CHECK(h->sla_rows(cal, &s, &e, 1, 3, AP_ELAPSED_AFTER_START,
                      ap_date_from_ymd(2101, 1, 1), 0, &w, &c,
                      &got) == AP_E_INPUT);
    CHECK_CONTAINS(got.message, "as_of is 2101-01-01, outside");
    CHECK(h->sla_rows(NULL, &s, &e, 1, 3, AP_ELAPSED_AFTER_START, as_of, 0,
                      &w, &c, &got) == AP_E_INPUT);
    CHECK(h->sla_rows(cal, &s, &e, 1, 3, AP_ELAPSED_AFTER_START, as_of, 0,
                      NULL, &c, &got) == AP_E_INPUT);
    CHECK_EQ_I64(w, 7); /* untouched by the failures */
    CHECK(h->sla_rows(cal, NULL, NULL, 0, 3, AP_ELAPSED_AFTER_START, as_of, 0,
                      NULL, NULL, &got) == AP_OK);

    /* The example of docs/domain.rst: received Friday 7 January 2022, answered
     * Wednesday 12th is 3 working days after the day of receipt; Thursday
     * is late.  Open since Monday 10th: pending on the 13th (3 days),
     * late on the 14th (4). */
    int64_t st[] = {ap_date_from_ymd(2022, 1, 7), ap_date_from_ymd(2022, 1, 7),
                    ap_date_from_ymd(2022, 1, 10)};
    int64_t en[] = {ap_date_from_ymd(2022, 1, 12),
                    ap_date_from_ymd(2022, 1, 13), AP_DATE_NAT};
    int64_t wi[3], co[3];
    CHECK(h->sla_rows(cal, st, en, 3, 3, AP_ELAPSED_AFTER_START,
                      ap_date_from_ymd(2022, 1, 13), 0, wi, co, &got) == AP_OK);
    CHECK(wi[0] == 1 && co[0] == 1 && wi[1] == 0 && co[1] == 1 &&
          wi[2] == 0 && co[2] == 0);
    CHECK(h->sla_rows(cal, st, en, 3, 3, AP_ELAPSED_AFTER_START,
                      ap_date_from_ymd(2022, 1, 14), 0, wi, co, &got) == AP_OK);
    CHECK(wi[2] == 0 && co[2] == 1);
    CHECK(h->sla_rows(cal, st, en, 3, 3, AP_ELAPSED_AFTER_START, AP_DATE_NAT,
                      0, wi, co, &got) == AP_OK);
    CHECK(wi[2] == 0 && co[2] == 0);
    ap_calendar_free(cal);
}

static ap_field f_text(const char *path, const char *text)
{
    ap_field f = {path, {AP_TYPE_STRING, {.s = text}}};
    return f;
}

static ap_field f_money(const char *path, int64_t pence)
{
    ap_field f = {path, {AP_TYPE_MONEY, {.i = pence}}};
    return f;
}

static ap_field f_int(const char *path, int64_t i)
{
    ap_field f = {path, {AP_TYPE_INT64, {.i = i}}};
    return f;
}

TEST(plugin_host_field_figure)
{
    const ap_host *h = ap_host_table();
    ap_error err;
    ap_field items[] = {
        f_text("budget", "43,998"),
        f_text("covid", "(1,656)"),
        f_text("pounds", "\xc2\xa3" "52,913.50"),
        f_text("suffixed", "\xc2\xa3" "0.410m"),
        f_text("dash", " - "),
        f_text("en", "\xe2\x80\x93"),
        f_text("em", "\xe2\x80\x94"),
        f_text("nil", "NIL"),
        f_text("dashes", "--"),
        f_text("empty", ""),
        f_text("words", "none"),
        f_money("exact", 12345),
        f_int("zero", 0),
        f_int("five", 5),
        {"ratio", {AP_TYPE_DOUBLE, {.d = 0.5}}},
        {"due", {AP_TYPE_DATE, {.i = 19000}}},
    };
    ap_fields data = {sizeof items / sizeof items[0], items};
    struct {
        const char *path;
        ap_unit unit;
        int64_t pence, resolution;
    } good[] = {
        {"budget", AP_UNIT_THOUSANDS, 4399800000, 100000},
        {"covid", AP_UNIT_THOUSANDS, -165600000, 100000},
        {"pounds", AP_UNIT_POUNDS, 5291350, 1},
        {"suffixed", AP_UNIT_POUNDS, 41000000, 100000},
        {"dash", AP_UNIT_MILLIONS, 0, 1},
        {"en", AP_UNIT_THOUSANDS, 0, 1},
        {"em", AP_UNIT_POUNDS, 0, 1},
        {"nil", AP_UNIT_THOUSANDS, 0, 1},
        {"exact", AP_UNIT_MILLIONS, 12345, 1},
        {"zero", AP_UNIT_THOUSANDS, 0, 1},
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        int64_t pence = -1, res = -1;
        CHECK(h->field_figure(&data, good[i].path, good[i].unit, &pence, &res,
                              &err) == AP_OK);
        CHECK_EQ_I64(pence, good[i].pence);
        CHECK_EQ_I64(res, good[i].resolution);
        /* field_money agrees wherever it reads the field at all. */
        int64_t money = -1;
        if (h->field_money(&data, good[i].path, good[i].unit, &money, &err) ==
            AP_OK)
            CHECK_EQ_I64(money, pence);
    }
    /* The resolution may be left out. */
    int64_t pence = 7;
    CHECK(h->field_figure(&data, "budget", AP_UNIT_THOUSANDS, &pence, NULL,
                          &err) == AP_OK);
    CHECK_EQ_I64(pence, 4399800000);

    /* Nil and 0 are figures only: field_money refuses them as before. */
    CHECK(h->field_money(&data, "dash", AP_UNIT_POUNDS, &pence, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "field 'dash': ");
    CHECK(h->field_money(&data, "zero", AP_UNIT_POUNDS, &pence, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "field 'zero' is an int64, not money");

    /* Faults name the path and leave the outputs alone. */
    int64_t res = 9;
    pence = 7;
    struct {
        const char *path, *says;
    } bad[] = {
        {"missing", "field 'missing' is missing; money is given as text"},
        {"dashes", "field 'dashes': "},
        {"empty", "field 'empty': cannot read money: the text is empty"},
        {"words", "field 'words': "},
        {"five", "field 'five' is an int64, not money"},
        {"ratio", "field 'ratio' is a double, not money"},
        {"due", "field 'due' is a date, not money"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK(h->field_figure(&data, bad[i].path, AP_UNIT_POUNDS, &pence,
                              &res, &err) == AP_E_INPUT);
        CHECK_CONTAINS(err.message, bad[i].says);
        CHECK_CONTAINS(err.message, "money");
    }
    CHECK(h->field_figure(&data, "missing", AP_UNIT_POUNDS, &pence, &res,
                          &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "(\"-\" for nil)");
    CHECK_EQ_I64(pence, 7);
    CHECK_EQ_I64(res, 9);
    CHECK(h->field_figure(&data, NULL, AP_UNIT_POUNDS, &pence, &res, &err) ==
          AP_E_INPUT);
    CHECK(h->field_figure(&data, "budget", AP_UNIT_POUNDS, NULL, &res,
                          &err) == AP_E_INPUT);
    CHECK(h->field_figure(NULL, "budget", AP_UNIT_POUNDS, &pence, &res,
                          &err) == AP_E_INPUT);
    CHECK_EQ_I64(pence, 7);
}

TEST(plugin_host_units_and_names)
{
    const ap_host *h = ap_host_table();
    ap_error err;
    struct {
        const char *name;
        ap_unit unit;
    } good[] = {
        {"\xc2\xa3", AP_UNIT_POUNDS},
        {"\xc2\xa3" "000", AP_UNIT_THOUSANDS},
        {"\xc2\xa3'000", AP_UNIT_THOUSANDS},
        {" \xc2\xa3" "000\n", AP_UNIT_THOUSANDS},
        {"'000", AP_UNIT_THOUSANDS},
        {"\xc2\xa3k", AP_UNIT_THOUSANDS},
        {"\xc2\xa3K", AP_UNIT_THOUSANDS},
        {"\xc2\xa3m", AP_UNIT_MILLIONS},
        {"\xc2\xa3M", AP_UNIT_MILLIONS},
        {"m", AP_UNIT_MILLIONS},
        {"\xc2\xa3" "bn", AP_UNIT_BILLIONS},
        {"BN", AP_UNIT_BILLIONS},
        {"p", AP_UNIT_PENCE},
        {"P", AP_UNIT_PENCE},
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        ap_unit u = AP_UNIT_PENCE;
        if (h->unit_parse(good[i].name, &u, &err) != AP_OK)
            fprintf(stderr, "unit \"%s\": %s\n", good[i].name, err.message);
        CHECK(h->unit_parse(good[i].name, &u, &err) == AP_OK);
        CHECK_EQ_I64(u, good[i].unit);
    }
    const char *bad[] = {"\xc2\xa3p", "\xc2\xa3x", "pounds", "''000",
                         "\xc2\xa3 000 000 000 000 000"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ap_unit u = AP_UNIT_BILLIONS;
        CHECK(h->unit_parse(bad[i], &u, &err) == AP_E_INPUT);
        CHECK_CONTAINS(err.message, "unknown unit");
        CHECK_CONTAINS(err.message, bad[i]);
        CHECK_EQ_I64(u, AP_UNIT_BILLIONS);
    }
    CHECK(h->unit_parse(NULL, NULL, &err) == AP_E_INPUT);

    /* unit_name reads back through unit_parse. */
    const ap_unit units[] = {AP_UNIT_PENCE, AP_UNIT_POUNDS, AP_UNIT_THOUSANDS,
                             AP_UNIT_MILLIONS, AP_UNIT_BILLIONS};
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        ap_unit back;
        CHECK(h->unit_parse(h->unit_name(units[i]), &back, &err) == AP_OK);
        CHECK_EQ_I64(back, units[i]);
    }
    CHECK_STR(h->unit_name(AP_UNIT_THOUSANDS), "\xc2\xa3" "000");

    ap_elapsed e = AP_ELAPSED_COUNT;
    CHECK(h->elapsed_parse("busday_count", &e, &err) == AP_OK);
    CHECK_EQ_I64(e, AP_ELAPSED_BUSDAY_COUNT);
    CHECK(h->elapsed_parse("calendar_days", &e, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "after_start, busday_count, inclusive");

    CHECK_STR(h->value_type_name(AP_TYPE_MONEY), "money");
    CHECK_STR(h->value_type_name(AP_TYPE_INT64), "int64");
    CHECK_STR(h->value_type_name(AP_VALUE_TYPE_COUNT), "unknown type");
}

/* ---- measure_within, rereferral_flags, money_text, compare_figure ------ */

/* measure_within over row ranges gives sla_rows' rows exactly, for each
 * convention given as the parameter; bad parameters and missing columns
 * are errors naming them. */
TEST(plugin_host_measure_within)
{
    const ap_host *h = ap_host_table();
    CHECK(AP_HOST_HAS(h, measure_within));
    ap_calendar *cal = england();
    ap_error err;
    random_records(77, 3);
    const char *names[] = {"received", "other", "responded"};
    static int64_t zeros[N_RECORDS];
    const int64_t *cols[] = {starts, zeros, ends};
    ap_fields none = {0, NULL};
    ap_measure_input in = {sizeof in, N_RECORDS, 3, names, cols, cal,
                           ap_date_from_ymd(2022, 6, 10), &none};
    static int64_t num[N_RECORDS], den[N_RECORDS], w[N_RECORDS],
        c[N_RECORDS];
    const char *conv_names[] = {NULL, "after_start", "busday_count",
                                "inclusive"};
    for (size_t k = 0; k < sizeof conv_names / sizeof *conv_names; k++) {
        ap_field param = {"convention", {AP_TYPE_STRING, {0}}};
        param.value.as.s = conv_names[k];
        ap_fields params = {1, &param};
        in.params = conv_names[k] ? &params : &none;
        ap_elapsed conv = AP_ELAPSED_AFTER_START;
        if (conv_names[k])
            CHECK(h->elapsed_parse(conv_names[k], &conv, &err) == AP_OK);
        CHECK(h->sla_rows(cal, starts, ends, N_RECORDS, 3, conv, in.as_of, 0,
                          w, c, &err) == AP_OK);
        for (size_t from = 0; from < N_RECORDS; from += 1234) {
            size_t to = from + 1234 > N_RECORDS ? N_RECORDS : from + 1234;
            CHECK(h->measure_within(&in, "received", "responded", 3, from, to,
                                    num, den, &err) == AP_OK);
            for (size_t i = from; i < to; i++) {
                CHECK_EQ_I64(num[i - from], w[i]);
                CHECK_EQ_I64(den[i - from], c[i]);
            }
        }
    }

    ap_field bad_name = {"limit", {AP_TYPE_INT64, {0}}};
    ap_fields p1 = {1, &bad_name};
    in.params = &p1;
    CHECK(h->measure_within(&in, "received", "responded", 3, 0, 10, num, den,
                            &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "unknown parameter \"limit\"");
    ap_field bad_type = {"convention", {AP_TYPE_INT64, {0}}};
    ap_fields p2 = {1, &bad_type};
    in.params = &p2;
    CHECK(h->measure_within(&in, "received", "responded", 3, 0, 10, num, den,
                            &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "the parameter convention is a int64");
    ap_field bad_conv = {"convention", {AP_TYPE_STRING, {0}}};
    bad_conv.value.as.s = "calendar_days";
    ap_fields p3 = {1, &bad_conv};
    in.params = &p3;
    CHECK(h->measure_within(&in, "received", "responded", 3, 0, 10, num, den,
                            &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "after_start, busday_count, inclusive");
    in.params = &none;
    CHECK(h->measure_within(&in, "received", "closed", 3, 0, 10, num, den,
                            &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "closed");
    CHECK(h->measure_within(&in, "opened", "responded", 3, 0, 10, num, den,
                            &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "opened");
    CHECK(h->measure_within(&in, "received", "responded", 3, 10, 5, num, den,
                            &err) == AP_E_INPUT);
    CHECK(h->measure_within(&in, "received", "responded", 3, 0,
                            N_RECORDS + 1, num, den, &err) == AP_E_INPUT);
    CHECK(h->measure_within(NULL, "received", "responded", 3, 0, 0, num, den,
                            &err) == AP_E_INPUT);

    /* A fault names the table's row, not the range's. */
    int64_t saved = ends[2500];
    ends[2500] = starts[2500] - 1;
    CHECK(h->measure_within(&in, "received", "responded", 3, 2000, 3000, num,
                            den, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "row 2500");
    ends[2500] = saved;
    ap_calendar_free(cal);
}

/* rereferral_flags gives ap_rereferrals' flags, and its errors. */
TEST(plugin_host_rereferral_flags)
{
    const ap_host *h = ap_host_table();
    CHECK(AP_HOST_HAS(h, rereferral_flags));
    ap_error err;
    rng_state = 12345;
    static int64_t subjects[N_RECORDS], dates[N_RECORDS];
    static uint8_t got[N_RECORDS], want[N_RECORDS];
    int64_t first = ap_date_from_ymd(2020, 1, 1);
    for (size_t i = 0; i < N_RECORDS; i++) {
        subjects[i] = below(900);
        dates[i] = first + below(4 * 365);
    }
    size_t flagged = 0;
    for (int64_t window = 1; window <= 24; window += 11) {
        ap_rereferral_result r;
        CHECK(ap_rereferrals(subjects, dates, NULL, N_RECORDS, window, want,
                             &r, &err) == AP_OK);
        ap_rereferral_result_clear(&r);
        memset(got, 7, sizeof got);
        CHECK(h->rereferral_flags(subjects, dates, N_RECORDS, window, got,
                                  &err) == AP_OK);
        for (size_t i = 0; i < N_RECORDS; i++) {
            CHECK_EQ_I64(got[i], want[i]);
            flagged += got[i];
        }
    }
    CHECK(flagged > 0);

    /* Within 12 months: on or after the same day a year before. */
    int64_t s2[] = {1, 1, 1, 2};
    int64_t d2[] = {ap_date_from_ymd(2023, 3, 1), ap_date_from_ymd(2022, 3, 1),
                    ap_date_from_ymd(2021, 2, 28),
                    ap_date_from_ymd(2022, 3, 1)};
    uint8_t f2[4];
    CHECK(h->rereferral_flags(s2, d2, 4, 12, f2, &err) == AP_OK);
    CHECK_EQ_I64(f2[0], 1);
    CHECK_EQ_I64(f2[1], 0);
    CHECK_EQ_I64(f2[2], 0);
    CHECK_EQ_I64(f2[3], 0);

    CHECK(h->rereferral_flags(NULL, NULL, 0, 12, NULL, &err) == AP_OK);
    d2[2] = AP_DATE_NAT;
    CHECK(h->rereferral_flags(s2, d2, 4, 12, f2, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "row 2");
    CHECK_CONTAINS(err.message, "every referral needs a date");
    d2[2] = ap_date_from_ymd(2021, 2, 28);
    CHECK(h->rereferral_flags(s2, d2, 4, 0, f2, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "window_months");
    CHECK(h->rereferral_flags(s2, NULL, 4, 12, f2, &err) == AP_E_INPUT);
}

TEST(plugin_host_money_text)
{
    const ap_host *h = ap_host_table();
    CHECK(AP_HOST_HAS(h, money_text));
    struct {
        int64_t pence;
        ap_unit unit;
        const char *text;
    } cases[] = {
        {186200000, AP_UNIT_MILLIONS, "\xc2\xa3" "1.862m"},
        {41000000, AP_UNIT_MILLIONS, "\xc2\xa3" "0.41m"},
        {100000000, AP_UNIT_MILLIONS, "\xc2\xa3" "1m"},
        {370100000, AP_UNIT_THOUSANDS, "\xc2\xa3" "3,701k"},
        {-61600000, AP_UNIT_THOUSANDS, "-\xc2\xa3" "616k"},
        {5291400, AP_UNIT_POUNDS, "\xc2\xa3" "52,914"},
        {5291350, AP_UNIT_POUNDS, "\xc2\xa3" "52,913.5"},
        {5291351, AP_UNIT_POUNDS, "\xc2\xa3" "52,913.51"},
        {0, AP_UNIT_THOUSANDS, "\xc2\xa3" "0k"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        h->money_text(cases[i].pence, cases[i].unit, buf, sizeof buf);
        CHECK_STR(buf, cases[i].text);
    }
    /* Truncated, never overrun; a zero size writes nothing. */
    char small[4] = "xyz";
    h->money_text(186200000, AP_UNIT_MILLIONS, small, sizeof small);
    CHECK(strlen(small) < sizeof small);
    h->money_text(1, AP_UNIT_POUNDS, small, 0);
    h->money_text(1, AP_UNIT_POUNDS, NULL, 10);
}

TEST(plugin_host_compare_figure)
{
    const ap_host *h = ap_host_table();
    CHECK(AP_HOST_HAS(h, compare_figure));
    ap_findings f;
    memset(&f, 0, sizeof f);
    const int64_t k = 100000; /* one printed £000 digit */
    /* Equal: nothing. */
    CHECK(h->compare_figure(&f, "total", "the total", 370100000, k,
                            "the sum of the lines", 370100000, 3 * k,
                            AP_UNIT_THOUSANDS) == AP_OK);
    CHECK_EQ_I64(f.list.n, 0);
    /* One digit apart, four figures' rounding: a warning. */
    CHECK(h->compare_figure(&f, "total.gross", "the total", 370100000, k,
                            "the sum of the lines", 370200000, 3 * k,
                            AP_UNIT_THOUSANDS) == AP_OK);
    CHECK_EQ_I64(f.list.n, 1);
    CHECK_EQ_I64(f.list.items[0].severity, AP_SEVERITY_WARNING);
    CHECK_STR(f.list.items[0].field, "total.gross");
    CHECK_STR(f.list.items[0].message,
              "the total is stated as \xc2\xa3" "3,701k but the sum of the "
              "lines is \xc2\xa3" "3,702k: the stated figure is \xc2\xa3"
              "1k less, within the rounding of the printed figures");
    /* Exactly half the summed resolutions is still rounding. */
    CHECK(h->compare_figure(&f, "a", "A", k, k, "B", 0, k,
                            AP_UNIT_THOUSANDS) == AP_OK);
    CHECK_EQ_I64(f.list.items[1].severity, AP_SEVERITY_WARNING);
    CHECK_CONTAINS(f.list.items[1].message, "is \xc2\xa3" "1k more, within");
    /* One penny more than that: an error, without the rounding clause. */
    CHECK(h->compare_figure(&f, "a", "A", k + 1, k, "B", 0, k,
                            AP_UNIT_THOUSANDS) == AP_OK);
    CHECK_EQ_I64(f.list.items[2].severity, AP_SEVERITY_ERROR);
    CHECK_STR(f.list.items[2].message,
              "A is stated as \xc2\xa3" "1.00001k but B is \xc2\xa3"
              "0k: the stated figure is \xc2\xa3" "1.00001k more");
    /* Exact figures (resolution 1): any difference above a penny... */
    CHECK(h->compare_figure(&f, "m", "The sum", 186200000, 1, "its parts",
                            186100000, 1, AP_UNIT_MILLIONS) == AP_OK);
    CHECK_EQ_I64(f.list.items[3].severity, AP_SEVERITY_ERROR);
    CHECK_STR(f.list.items[3].message,
              "The sum is stated as \xc2\xa3" "1.862m but its parts is "
              "\xc2\xa3" "1.861m: the stated figure is \xc2\xa3" "0.001m more");
    /* ...and a penny with two exact figures is rounding. */
    CHECK(h->compare_figure(&f, "p", "X", 1, 1, "Y", 0, 1,
                            AP_UNIT_POUNDS) == AP_OK);
    CHECK_EQ_I64(f.list.items[4].severity, AP_SEVERITY_WARNING);
    /* A difference past 64 bits is an error naming the stated figure. */
    CHECK(h->compare_figure(&f, "big", "the big one", INT64_MAX, 1, "Y",
                            -1, 1, AP_UNIT_POUNDS) == AP_OK);
    CHECK_EQ_I64(f.list.items[5].severity, AP_SEVERITY_ERROR);
    CHECK_CONTAINS(f.list.items[5].message, "the big one: ");
    CHECK_CONTAINS(f.list.items[5].message, "overflows");
    CHECK(h->compare_figure(&f, "big", "the big one", -1, 1, "Y", INT64_MAX,
                            1, AP_UNIT_POUNDS) == AP_OK);
    CHECK_EQ_I64(f.list.items[6].severity, AP_SEVERITY_ERROR);
    CHECK_CONTAINS(f.list.items[6].message, "the big one: ");
    /* Huge resolutions saturate rather than overflow. */
    CHECK(h->compare_figure(&f, "r", "X", 10, INT64_MAX, "Y", 0, INT64_MAX,
                            AP_UNIT_POUNDS) == AP_OK);
    CHECK_EQ_I64(f.list.items[7].severity, AP_SEVERITY_WARNING);
    CHECK_EQ_I64(f.list.n, 8);
    ap_finding_list_clear(&f.list);
}
