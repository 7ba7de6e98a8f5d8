/* UK bank holidays: the published list 2015-2030, properties of the rules
 * over the whole span, and errors.
 *
 * Where this calendar deliberately differs from the Python holidays
 * package (0.109, which tests/data's 2029-30 rows came from), 1970-2100:
 *  - 1970, England and Wales and Northern Ireland: holidays has Whit
 *    Monday (18 May) and no August holiday.  We have the 1965-70 trial's
 *    spring and late summer holidays, 25 May and 31 August 1970.
 *  - 1974, England and Wales and Northern Ireland: New Year's Day was
 *    first a bank holiday on 1 January 1974; holidays starts in 1975.
 *  - Scotland 1970-1977: the first Monday in May has been a Scottish bank
 *    holiday since the 1871 Act (schedule 1 of the 1971 Act), while the
 *    last Monday in May was first proclaimed there for 1978; holidays has
 *    the reverse until 1978.
 *  - Scotland 1970-1971: 2 January came with the 1971 Act (from 1972);
 *    holidays has it throughout.
 *  - Scotland 1995: 8 May was added and 1 May kept (Hansard, HC Deb
 *    2 March 1995 vol 255 c709W); holidays moves 1 May to 8 May.
 *  - Scotland 2006: St Andrew's Day became a bank holiday by the 2007 Act;
 *    holidays has 30 November 2006.
 * Every other year and division has the same weekday holidays. */
#include <stdint.h>

#include "apportion/calendar.h"
#include "runner.h"

#ifndef AP_SOURCE_DIR
#define AP_SOURCE_DIR "."
#endif

static const ap_division divisions[] = {AP_DIVISION_ENGLAND_AND_WALES,
                                        AP_DIVISION_SCOTLAND,
                                        AP_DIVISION_NORTHERN_IRELAND};
#define N_DIVISIONS 3

static size_t holidays_of(ap_division d, int64_t year, ap_holiday *out)
{
    size_t n = 99;
    ap_error err;
    if (ap_bank_holidays(d, year, out, &n, &err) != AP_OK) {
        fprintf(stderr, "%s %lld: %s\n", ap_division_name(d),
                (long long)year, err.message);
        exit(1);
    }
    CHECK(n <= AP_HOLIDAYS_PER_YEAR_MAX);
    return n;
}

static int64_t ymd(int64_t y, int m, int d)
{
    return ap_date_from_ymd(y, m, d);
}

/* ---- the published list ------------------------------------------------ */

typedef struct published {
    ap_division division;
    int64_t date;
    char title[96];
    int substitute;
} published;

#define MAX_ROWS 1024
#define N_FIELDS 6

/* Splits one CSV line in place into at most N_FIELDS fields; quoted
 * fields may hold commas and doubled quotes.  Returns the field count. */
static int split_csv(char *line, char **fields)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == N_FIELDS)
            return n + 1; /* too many */
        char *w = p;
        fields[n++] = w;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0')
                    return -1; /* unterminated */
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
        } else {
            while (*p != ',' && *p != '\0' && *p != '\n' && *p != '\r')
                *w++ = *p++;
        }
        char end = *p;
        *w = '\0';
        if (end != ',')
            return end == '\0' || end == '\n' || end == '\r' ? n : -1;
        p++;
    }
}

static size_t read_published(published *rows)
{
    const char *path = AP_SOURCE_DIR "/tests/data/uk_bank_holidays_2015_2030.csv";
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    static const char *const weekdays[7] = {"Mon", "Tue", "Wed", "Thu",
                                            "Fri", "Sat", "Sun"};
    char line[512];
    char *fields[N_FIELDS];
    size_t n = 0;
    int lineno = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        CHECK(strchr(line, '\n') != NULL || feof(f)); /* line fits */
        if (split_csv(line, fields) != N_FIELDS) {
            fprintf(stderr, "%s:%d: not 6 CSV fields\n", path, lineno);
            exit(1);
        }
        if (lineno == 1) {
            CHECK_STR(fields[0], "division");
            CHECK_STR(fields[1], "date");
            CHECK_STR(fields[2], "weekday");
            CHECK_STR(fields[3], "title");
            CHECK_STR(fields[4], "substitute_day");
            continue;
        }
        CHECK(n < MAX_ROWS);
        published *row = &rows[n++];
        ap_error err;
        if (ap_division_parse(fields[0], &row->division, &err) != AP_OK ||
            ap_date_parse(fields[1], (size_t)-1, &row->date, &err) != AP_OK) {
            fprintf(stderr, "%s:%d: %s\n", path, lineno, err.message);
            exit(1);
        }
        /* The file's own weekday column agrees with its dates. */
        CHECK_STR(fields[2], weekdays[ap_date_weekday(row->date)]);
        CHECK(strlen(fields[3]) < sizeof row->title);
        strcpy(row->title, fields[3]);
        CHECK(strcmp(fields[4], "true") == 0 ||
              strcmp(fields[4], "false") == 0);
        row->substitute = strcmp(fields[4], "true") == 0;
    }
    fclose(f);
    return n;
}

static void print_lists(const published *want, size_t n_want,
                        const ap_holiday *got, size_t n_got)
{
    char buf[24];
    fprintf(stderr, "  published:\n");
    for (size_t i = 0; i < n_want; i++) {
        ap_date_format(want[i].date, buf, sizeof buf);
        fprintf(stderr, "    %s %s%s\n", buf, want[i].title,
                want[i].substitute ? " (substitute)" : "");
    }
    fprintf(stderr, "  computed:\n");
    for (size_t i = 0; i < n_got; i++) {
        ap_date_format(got[i].date, buf, sizeof buf);
        fprintf(stderr, "    %s %s%s\n", buf, got[i].title,
                got[i].substitute ? " (substitute)" : "");
    }
}

TEST(bank_holidays_published_2015_2030)
{
    static published rows[MAX_ROWS];
    size_t n_rows = read_published(rows);
    CHECK(n_rows > 400);
    size_t matched = 0;
    for (int d = 0; d < N_DIVISIONS; d++)
        for (int64_t year = 2015; year <= 2030; year++) {
            /* The file's rows of this division and year, in date order. */
            published want[AP_HOLIDAYS_PER_YEAR_MAX + 1];
            size_t n_want = 0;
            for (size_t i = 0; i < n_rows; i++) {
                int64_t y;
                int m, day;
                ap_date_to_ymd(rows[i].date, &y, &m, &day);
                if (rows[i].division != divisions[d] || y != year)
                    continue;
                CHECK(n_want <= AP_HOLIDAYS_PER_YEAR_MAX);
                size_t j = n_want++;
                for (; j > 0 && want[j - 1].date > rows[i].date; j--)
                    want[j] = want[j - 1];
                want[j] = rows[i];
            }
            ap_holiday got[AP_HOLIDAYS_PER_YEAR_MAX];
            size_t n_got = holidays_of(divisions[d], year, got);
            for (size_t i = 0; i < n_want || i < n_got; i++) {
                char w[24] = "(none)", g[24] = "(none)";
                if (i < n_want)
                    ap_date_format(want[i].date, w, sizeof w);
                if (i < n_got)
                    ap_date_format(got[i].date, g, sizeof g);
                if (i < n_want && i < n_got &&
                    want[i].date == got[i].date &&
                    strcmp(want[i].title, got[i].title) == 0 &&
                    want[i].substitute == got[i].substitute)
                    continue;
                fprintf(stderr,
                        "%s %lld, holiday %zu: published %s \"%s\" "
                        "substitute=%d, computed %s \"%s\" substitute=%d\n",
                        ap_division_name(divisions[d]), (long long)year, i,
                        w, i < n_want ? want[i].title : "",
                        i < n_want ? want[i].substitute : -1, g,
                        i < n_got ? got[i].title : "",
                        i < n_got ? got[i].substitute : -1);
                print_lists(want, n_want, got, n_got);
                exit(1);
            }
            matched += n_want;
        }
    /* Every row of the file belongs to some division and year above. */
    CHECK_EQ_I64(matched, n_rows);
}

/* ---- rules over the whole span ------------------------------------------ */

static const ap_holiday *find(const ap_holiday *h, size_t n, int64_t date)
{
    for (size_t i = 0; i < n; i++)
        if (h[i].date == date)
            return &h[i];
    return NULL;
}

static const ap_holiday *find_title(const ap_holiday *h, size_t n,
                                    const char *title)
{
    const ap_holiday *found = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(h[i].title, title) == 0) {
            CHECK(found == NULL); /* each rule's title once a year */
            found = &h[i];
        }
    return found;
}

/* The holiday on a date, which must be one. */
static const ap_holiday *on(const ap_holiday *h, size_t n, int64_t date)
{
    const ap_holiday *found = find(h, n, date);
    if (found == NULL) {
        char buf[24];
        ap_date_format(date, buf, sizeof buf);
        fprintf(stderr, "%s is not a holiday\n", buf);
        exit(1);
    }
    return found;
}

static int is_holiday(ap_division d, int64_t y, int m, int day)
{
    ap_holiday h[AP_HOLIDAYS_PER_YEAR_MAX];
    size_t n = holidays_of(d, y, h);
    return find(h, n, ymd(y, m, day)) != NULL;
}

/* Bit masks of divisions, for the proclamation table. */
#define EW (1u << AP_DIVISION_ENGLAND_AND_WALES)
#define SC (1u << AP_DIVISION_SCOTLAND)
#define NI (1u << AP_DIVISION_NORTHERN_IRELAND)
#define UK (EW | SC | NI)

/* Days each proclamation made a holiday (in), or took away (out). */
static const struct {
    int year, month, day;
    unsigned in, out;
} proclaimed[] = {
    {1977, 6, 7, UK, 0},        {1981, 7, 29, UK, 0},
    {1995, 5, 8, UK, 0},        {1995, 5, 1, SC, EW | NI},
    {1999, 12, 31, UK, 0},      {2002, 6, 3, UK, 0},
    {2002, 6, 4, UK, 0},        {2002, 5, 27, 0, UK},
    {2011, 4, 29, UK, 0},       {2012, 6, 4, UK, 0},
    {2012, 6, 5, UK, 0},        {2012, 5, 28, 0, UK},
    {2020, 5, 8, UK, 0},        {2020, 5, 4, 0, UK},
    {2022, 6, 2, UK, 0},        {2022, 6, 3, UK, 0},
    {2022, 5, 30, 0, UK},       {2022, 9, 19, UK, 0},
    {2023, 5, 8, UK, 0},        {2026, 6, 15, SC, EW | NI},
};

/* Extra days a year has over its division's standing rules, from 2007
 * (when the last standing rule, St Andrew's Day, began). */
static int extra_days(ap_division d, int64_t year)
{
    switch (year) {
    case 2011:
    case 2012:
    case 2023:
        return 1;
    case 2022:
        return 2;
    case 2026:
        return d == AP_DIVISION_SCOTLAND;
    default:
        return 0;
    }
}

TEST(bank_holidays_rules_1970_2100)
{
    static const int min_count[N_DIVISIONS] = {6, 5, 8};
    static const int max_count[N_DIVISIONS] = {10, 11, 12};
    static const int base_count[N_DIVISIONS] = {8, 9, 10};
    for (int d = 0; d < N_DIVISIONS; d++) {
        ap_division div = divisions[d];
        for (int64_t y = AP_CALENDAR_FIRST_YEAR; y <= AP_CALENDAR_LAST_YEAR;
             y++) {
            ap_holiday h[AP_HOLIDAYS_PER_YEAR_MAX];
            size_t n = holidays_of(div, y, h);
            CHECK((int)n >= min_count[d] && (int)n <= max_count[d]);
            if (y >= 2007)
                CHECK_EQ_I64(n, base_count[d] + extra_days(div, y));
            for (size_t i = 0; i < n; i++) {
                CHECK(h[i].title != NULL && h[i].title[0] != '\0');
                CHECK(h[i].substitute == 0 || h[i].substitute == 1);
                CHECK(ap_date_weekday(h[i].date) < 5);
                CHECK(h[i].date >= ymd(y, 1, 1) &&
                      h[i].date <= ymd(y, 12, 31));
                if (i > 0)
                    CHECK(h[i - 1].date < h[i].date);
            }

            /* Easter: Sunday between 22 March and 25 April; Good Friday
             * everywhere, Easter Monday outside Scotland. */
            const ap_holiday *gf = find_title(h, n, "Good Friday");
            CHECK(gf != NULL && ap_date_weekday(gf->date) == 4);
            int64_t easter = gf->date + 2;
            CHECK(easter >= ymd(y, 3, 22) && easter <= ymd(y, 4, 25));
            const ap_holiday *em = find_title(h, n, "Easter Monday");
            if (div == AP_DIVISION_SCOTLAND)
                CHECK(em == NULL);
            else
                CHECK(em != NULL && em->date == easter + 1);

            /* Christmas and Boxing Day, by the weekday of 25 December;
             * Scotland had no Boxing Day before 1974. */
            const ap_holiday *xmas = find_title(h, n, "Christmas Day");
            const ap_holiday *boxing = find_title(h, n, "Boxing Day");
            CHECK(xmas != NULL);
            if (div == AP_DIVISION_SCOTLAND && y < 1974) {
                CHECK(boxing == NULL);
                continue;
            }
            CHECK(boxing != NULL);
            int64_t c = xmas->date - ymd(y, 12, 25);
            int64_t b = boxing->date - ymd(y, 12, 25);
            switch (ap_date_weekday(ymd(y, 12, 25))) {
            case 4: /* Friday: Boxing Day Monday 28 */
                CHECK(c == 0 && b == 3 && boxing->substitute);
                break;
            case 5: /* Saturday: Monday 27 and Tuesday 28 */
                CHECK(c == 2 && b == 3 && xmas->substitute &&
                      boxing->substitute);
                break;
            case 6: /* Sunday: Boxing Day Monday 26, Christmas Tuesday 27 */
                CHECK(c == 2 && b == 1 && xmas->substitute &&
                      !boxing->substitute);
                break;
            default:
                CHECK(c == 0 && b == 1 && !xmas->substitute &&
                      !boxing->substitute);
            }
        }
    }

    /* Easter Sunday spot checks: ordinary, latest possible, early, and the
     * last year covered. */
    static const int easter_sundays[][3] = {{1970, 3, 29}, {1981, 4, 19},
                                    {2000, 4, 23}, {2008, 3, 23},
                                    {2019, 4, 21}, {2038, 4, 25},
                                    {2100, 3, 28}};
    for (size_t i = 0; i < sizeof easter_sundays / sizeof easter_sundays[0]; i++) {
        ap_holiday h[AP_HOLIDAYS_PER_YEAR_MAX];
        int64_t y = easter_sundays[i][0];
        size_t n = holidays_of(AP_DIVISION_ENGLAND_AND_WALES, y, h);
        const ap_holiday *gf = find_title(h, n, "Good Friday");
        CHECK(gf != NULL);
        CHECK_EQ_I64(gf->date + 2, ymd(y, easter_sundays[i][1], easter_sundays[i][2]));
    }

    /* Each proclamation's days, division by division. */
    for (size_t i = 0; i < sizeof proclaimed / sizeof proclaimed[0]; i++)
        for (int d = 0; d < N_DIVISIONS; d++) {
            unsigned bit = 1u << divisions[d];
            int want = (proclaimed[i].in & bit) != 0;
            if (!want && !(proclaimed[i].out & bit))
                continue;
            if (is_holiday(divisions[d], proclaimed[i].year,
                           proclaimed[i].month, proclaimed[i].day) != want) {
                fprintf(stderr, "%s: %d-%02d-%02d should%s be a holiday\n",
                        ap_division_name(divisions[d]), proclaimed[i].year,
                        proclaimed[i].month, proclaimed[i].day,
                        want ? "" : " not");
                exit(1);
            }
        }
    ap_holiday h[AP_HOLIDAYS_PER_YEAR_MAX];
    size_t n = holidays_of(AP_DIVISION_ENGLAND_AND_WALES, 1977, h);
    CHECK_STR(on(h, n, ymd(1977, 6, 7))->title, "Queen's Silver Jubilee");
    n = holidays_of(AP_DIVISION_SCOTLAND, 2026, h);
    CHECK_STR(on(h, n, ymd(2026, 6, 15))->title, "World Cup bank holiday");

    /* Start dates of the 1970s holidays. */
    const ap_division ew = AP_DIVISION_ENGLAND_AND_WALES;
    const ap_division sc = AP_DIVISION_SCOTLAND;
    const ap_division ni = AP_DIVISION_NORTHERN_IRELAND;
    CHECK(is_holiday(ew, 1970, 5, 25) && is_holiday(ew, 1970, 8, 31));
    CHECK(!is_holiday(ew, 1970, 5, 18)); /* Whit Monday: replaced */
    CHECK(!is_holiday(ew, 1973, 1, 1) && is_holiday(ew, 1974, 1, 1));
    CHECK(!is_holiday(ni, 1973, 1, 1) && is_holiday(ni, 1974, 1, 1));
    CHECK(!is_holiday(ew, 1977, 5, 2) && is_holiday(ew, 1978, 5, 1));
    CHECK(is_holiday(sc, 1970, 1, 1) && is_holiday(sc, 1970, 5, 4));
    CHECK(is_holiday(sc, 1970, 8, 3) && !is_holiday(sc, 1970, 8, 31));
    CHECK(!is_holiday(sc, 1971, 1, 4) && is_holiday(sc, 1973, 1, 2));
    CHECK(!is_holiday(sc, 1977, 5, 30) && is_holiday(sc, 1978, 5, 29));
    CHECK(!is_holiday(sc, 1973, 12, 26) && is_holiday(sc, 1974, 12, 26));
    CHECK(!is_holiday(sc, 2006, 11, 30) && is_holiday(sc, 2007, 11, 30));
    CHECK(is_holiday(ni, 1970, 3, 17) && is_holiday(ni, 1971, 7, 12));

    /* Substitutes: Scottish New Year with 1 January on a Sunday (2034)
     * and a Saturday (2028); St Andrew's Day on a Sunday (2025). */
    n = holidays_of(sc, 2034, h);
    CHECK_STR(on(h, n, ymd(2034, 1, 2))->title, "New Year's Day");
    CHECK_STR(on(h, n, ymd(2034, 1, 3))->title, "2nd January");
    CHECK(on(h, n, ymd(2034, 1, 3))->substitute);
    n = holidays_of(sc, 2028, h);
    CHECK(find(h, n, ymd(2028, 1, 3)) && find(h, n, ymd(2028, 1, 4)));
    n = holidays_of(sc, 2025, h);
    CHECK(on(h, n, ymd(2025, 12, 1))->substitute);
}

/* ---- errors ------------------------------------------------------------- */

TEST(bank_holidays_errors)
{
    ap_holiday h[AP_HOLIDAYS_PER_YEAR_MAX];
    size_t n = 99;
    ap_error err;
    static const int64_t bad_years[] = {1969, 2101, -5, INT64_MAX};
    for (size_t i = 0; i < sizeof bad_years / sizeof bad_years[0]; i++) {
        char year[32];
        snprintf(year, sizeof year, "%lld", (long long)bad_years[i]);
        n = 99;
        CHECK(ap_bank_holidays(AP_DIVISION_SCOTLAND, bad_years[i], h, &n,
                               &err) == AP_E_INPUT);
        CHECK_EQ_I64(n, 0);
        CHECK_CONTAINS(err.message, year);
        CHECK_CONTAINS(err.message, "1970");
        CHECK_CONTAINS(err.message, "2100");
    }
    CHECK(ap_bank_holidays(AP_DIVISION_NONE, 2101, h, &n, NULL) ==
          AP_E_INPUT);
    CHECK(ap_bank_holidays(AP_DIVISION_ENGLAND_AND_WALES, 2020, NULL, &n,
                           &err) == AP_E_INPUT);
    CHECK(ap_bank_holidays(AP_DIVISION_ENGLAND_AND_WALES, 2020, h, NULL,
                           &err) == AP_E_INPUT);
    CHECK(ap_bank_holidays((ap_division)AP_DIVISION_COUNT, 2020, h, &n,
                           &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "scotland");
    CHECK(ap_bank_holidays((ap_division)-1, 2020, h, &n, &err) ==
          AP_E_INPUT);

    ap_division d = AP_DIVISION_SCOTLAND;
    CHECK(ap_division_parse("wales", &d, &err) == AP_E_INPUT);
    CHECK(d == AP_DIVISION_SCOTLAND); /* untouched on failure */
    CHECK_CONTAINS(err.message, "\"wales\"");
    CHECK_CONTAINS(err.message,
                   "england-and-wales, scotland, northern-ireland, none");
    CHECK(ap_division_parse("Scotland", &d, &err) == AP_E_INPUT);
    CHECK(ap_division_parse("", &d, &err) == AP_E_INPUT);
    CHECK(ap_division_parse(NULL, &d, &err) == AP_E_INPUT);
    CHECK(ap_division_parse("wales", &d, NULL) == AP_E_INPUT);

    for (int i = 0; i < AP_DIVISION_COUNT; i++) {
        const char *name = ap_division_name((ap_division)i);
        CHECK(ap_division_parse(name, &d, &err) == AP_OK);
        CHECK_EQ_I64(d, i);
    }
    CHECK_STR(ap_division_name(AP_DIVISION_NORTHERN_IRELAND),
              "northern-ireland");
    CHECK(ap_division_name(AP_DIVISION_COUNT) != NULL);
    CHECK(ap_division_name((ap_division)-1) != NULL);

    for (int64_t y = AP_CALENDAR_FIRST_YEAR; y <= AP_CALENDAR_LAST_YEAR;
         y++) {
        n = 99;
        CHECK(ap_bank_holidays(AP_DIVISION_NONE, y, h, &n, &err) == AP_OK);
        CHECK_EQ_I64(n, 0);
    }
}
