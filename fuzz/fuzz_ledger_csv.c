/* libFuzzer harness of the C a ledger CSV goes through (apportion.ledger
 * reads the file with pandas and hands each column to the core): the
 * amounts read exactly as money text (ap_money_parse in a unit read by
 * ap_unit_parse), the dates (ap_date_parse) put in periods of the
 * financial year (ap_fy_parse, ap_ledger_periods), the sums by cost centre
 * and period (ap_ledger_sum), and their apportionment by a split read as
 * exact decimal weights (ap_decimal_parse, ap_weights_common,
 * ap_ledger_apportion).
 *
 * The input is the CSV: "#key: value" lines first may give the year
 * ("#year: 2021/22", the default), the unit ("#unit: £"), the periods
 * ("#periods: month" or quarter) and the split ("#split: 44.16,55.84");
 * then a header naming the columns date, cost_centre and amount (others
 * are ignored) and a line per entry.  Every penny is kept: the shares sum
 * to the totals, which sum to the amounts. */
#include "apportion/apportion.h"
#include "apportion/calendar.h"
#include "apportion/ledger.h"
#include "apportion/money.h"
#include "fuzz.h"
#include "fuzz_csv.h"

#define MAX_LINES 2048
#define MAX_CENTRES 64
#define MAX_PARTIES 8

typedef struct options {
    char year[32], unit[32], periods[32], split[256];
} options;

/* Copies value into dst, cut (at a character's start) to fit. */
static void set(char *dst, size_t size, const char *value)
{
    size_t n = strlen(value);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)value[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, value, n);
    dst[n] = '\0';
}

/* The directive lines; returns where the header starts. */
static const char *read_options(const char *p, const char *end, options *o)
{
    while (p < end && *p == '#') {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl != NULL ? nl : end;
        char *line = stripped(p + 1, (size_t)(eol - p - 1));
        if (line != NULL) {
            char *colon = strchr(line, ':');
            if (colon != NULL) {
                *colon = '\0';
                char *key = stripped(line, strlen(line));
                char *value = stripped(colon + 1, strlen(colon + 1));
                if (key != NULL && value != NULL) {
                    if (strcmp(key, "year") == 0)
                        set(o->year, sizeof o->year, value);
                    else if (strcmp(key, "unit") == 0)
                        set(o->unit, sizeof o->unit, value);
                    else if (strcmp(key, "periods") == 0)
                        set(o->periods, sizeof o->periods, value);
                    else if (strcmp(key, "split") == 0)
                        set(o->split, sizeof o->split, value);
                }
                free(key);
                free(value);
            }
            free(line);
        }
        p = nl != NULL ? nl + 1 : end;
    }
    return p;
}

static int column(const row *header, const char *name)
{
    for (size_t i = 0; i < header->n; i++) {
        char *h = stripped(header->cells[i].text,
                           strlen(header->cells[i].text));
        int same = h != NULL && strcmp(h, name) == 0;
        free(h);
        if (same)
            return (int)i;
    }
    return -1;
}

/* The split's weights on a common denominator; 0 parties when the split
 * is not one. */
static size_t read_split(const char *text, int64_t *weights)
{
    int64_t num[MAX_PARTIES], den[MAX_PARTIES];
    size_t n = 0;
    ap_error err;
    for (const char *s = text;; n++) {
        const char *comma = strchr(s, ',');
        size_t len = comma != NULL ? (size_t)(comma - s) : strlen(s);
        if (n == MAX_PARTIES)
            return 0;
        ap_status st = ap_decimal_parse(s, len, &num[n], &den[n], &err);
        fuzz_expect_status("ap_decimal_parse", st, &err);
        if (st != AP_OK)
            return 0;
        if (comma == NULL)
            break;
        s = comma + 1;
    }
    n++;
    ap_status st = ap_weights_common(num, den, n, weights, &err);
    fuzz_expect_status("ap_weights_common", st, &err);
    return st == AP_OK ? n : 0;
}

typedef struct ledger {
    size_t n, n_centres;
    char *centres[MAX_CENTRES];
    int32_t centre[MAX_LINES];
    int64_t days[MAX_LINES], amount[MAX_LINES];
    int8_t period[MAX_LINES];
} ledger;

static void ledger_clear(ledger *l)
{
    for (size_t i = 0; i < l->n_centres; i++)
        free(l->centres[i]);
}

/* Reads the entries; 0 when a line is not one (as the Python reader's
 * InputError naming the line). */
static int read_lines(const char *p, const char *end, ap_unit unit,
                      ledger *l)
{
    row header = {0}, r = {0};
    if (!read_record(&p, end, &header))
        return 0;
    int date_col = column(&header, "date");
    int centre_col = column(&header, "cost_centre");
    int amount_col = column(&header, "amount");
    size_t width = header.n;
    row_clear(&header);
    if (date_col < 0 || centre_col < 0 || amount_col < 0)
        return 0;
    ap_error err;
    int ok = 1;
    while (ok && l->n < MAX_LINES && read_record(&p, end, &r)) {
        if (r.n != width) {
            ok = r.n == 1 && r.cells[0].text[0] == '\0'; /* a blank line */
            row_clear(&r);
            continue;
        }
        const char *a = r.cells[amount_col].text;
        ap_status st = ap_money_parse(a, strlen(a), unit, &l->amount[l->n],
                                      NULL, &err);
        fuzz_expect_status("ap_money_parse", st, &err);
        const char *d = r.cells[date_col].text;
        if (st == AP_OK) {
            st = ap_date_parse(d, strlen(d), &l->days[l->n], &err);
            fuzz_expect_status("ap_date_parse", st, &err);
        }
        const char *c = r.cells[centre_col].text;
        size_t k = 0;
        while (k < l->n_centres && strcmp(l->centres[k], c) != 0)
            k++;
        if (st == AP_OK && k == l->n_centres) {
            if (k == MAX_CENTRES || (l->centres[k] = strdup(c)) == NULL)
                st = AP_E_INPUT;
            else
                l->n_centres++;
        }
        l->centre[l->n] = (int32_t)k;
        ok = st == AP_OK;
        l->n += ok;
        row_clear(&r);
    }
    return ok && l->n > 0;
}

static void check_pennies(const char *what, int64_t want, const int64_t *v,
                          size_t n)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        if (__builtin_add_overflow(sum, v[i], &sum))
            return; /* an intermediate beyond int64: nothing to compare */
    if (sum != want) {
        fprintf(stderr, "the %s sum to %lld, not %lld\n", what,
                (long long)sum, (long long)want);
        abort();
    }
}

static void run(ledger *l, const options *o)
{
    ap_error err;
    int64_t start_year;
    ap_status st = ap_fy_parse(o->year, strlen(o->year), &start_year, &err);
    fuzz_expect_status("ap_fy_parse", st, &err);
    if (st != AP_OK)
        return;
    int64_t year_start = ap_date_from_ymd(start_year, 4, 1);
    ap_period_kind kind = strcmp(o->periods, "month") == 0
                              ? AP_PERIOD_MONTH
                              : AP_PERIOD_QUARTER;
    st = ap_ledger_periods(l->days, l->n, year_start, kind, l->period, &err);
    fuzz_expect_status("ap_ledger_periods", st, &err);
    if (st != AP_OK)
        return;
    size_t n_periods = (size_t)kind;
    size_t cells = l->n_centres * n_periods;
    int64_t *totals = calloc(cells, sizeof *totals);
    int64_t weights[MAX_PARTIES * MAX_CENTRES];
    size_t n_parties = read_split(o->split, weights);
    int64_t *shares = calloc(cells * (n_parties ? n_parties : 1),
                             sizeof *shares);
    if (totals == NULL || shares == NULL)
        goto done;
    ap_codes centre = {l->centre, AP_CODE_I32};
    ap_codes period = {l->period, AP_CODE_I8};
    st = ap_ledger_sum(centre, period, l->amount, l->n, l->n_centres,
                       n_periods, 1, totals, &err);
    fuzz_expect_status("ap_ledger_sum", st, &err);
    if (st != AP_OK || n_parties == 0)
        goto done;
    int64_t ledger_total = 0;
    int whole = 1;
    for (size_t i = 0; i < l->n; i++)
        whole &= !__builtin_add_overflow(ledger_total, l->amount[i],
                                         &ledger_total);
    if (whole)
        check_pennies("ledger's totals", ledger_total, totals, cells);
    for (size_t c = 1; c < l->n_centres; c++)
        memcpy(weights + c * n_parties, weights, n_parties * sizeof *weights);
    st = ap_ledger_apportion(totals, l->n_centres, n_periods, weights,
                             n_parties, AP_LARGEST_REMAINDER, shares, &err);
    fuzz_expect_status("ap_ledger_apportion", st, &err);
    if (st == AP_OK)
        for (size_t cell = 0; cell < cells; cell++)
            check_pennies("shares of a cell", totals[cell],
                          shares + cell * n_parties, n_parties);
done:
    free(shares);
    free(totals);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    fuzz_begin(data, size);
    options o;
    set(o.year, sizeof o.year, "2021/22");
    set(o.unit, sizeof o.unit, "£");
    set(o.periods, sizeof o.periods, "quarter");
    set(o.split, sizeof o.split, "44.16,55.84");
    p = read_options(p, end, &o);
    ap_error err;
    ap_unit unit;
    ap_status st = ap_unit_parse(o.unit, &unit, &err);
    fuzz_expect_status("ap_unit_parse", st, &err);
    if (st != AP_OK)
        return 0;
    static ledger l;
    l.n = 0;
    l.n_centres = 0;
    if (read_lines(p, end, unit, &l))
        run(&l, &o);
    ledger_clear(&l);
    return 0;
}
