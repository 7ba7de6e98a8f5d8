/* RAG bands: exact numbers, checked band sets, councils' wording read into
 * explicit boundaries, bands from a tolerance, and scoring. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "apportion/kpi.h"
#include "base/base.h"

/* ---- names -------------------------------------------------------------- */

AP__NAMES(ap_rag, ap_rag_name, rag_names, AP_RAG_COUNT, AP_RAG_MAP,
          AP__NAME_TEXT, "unknown rag")

/* Capitalised, for messages that quote a council's bands. */
static const char *const rag_titles[AP_RAG_COUNT] = {"Green", "Amber",
                                                     "Red"};


static int ieq(const char *a, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)a[i]) != word[i])
            return 0;
    return 1;
}

ap_status ap_rag_parse(const char *name, size_t len, ap_rag *out,
                       ap_error *err)
{
    if (name == NULL)
        return ap_error_set(err, AP_E_INPUT, "a RAG rating is needed");
    if (len == (size_t)-1)
        len = strlen(name);
    static const char *const initials[AP_RAG_COUNT] = {"g", "a", "r"};
    for (int i = 0; i < AP_RAG_COUNT; i++)
        if (ieq(name, len, rag_names[i]) || ieq(name, len, initials[i])) {
            *out = (ap_rag)i;
            return AP_OK;
        }
    return ap_error_set(err, AP_E_INPUT,
                        "\"%.*s\" is not a RAG rating: expected green, amber "
                        "or red",
                        ap__utf8_prefix(name, len, 40), name);
}

ap_status ap_polarity_parse(const char *name, ap_polarity *out,
                            ap_error *err)
{
    static const char *const names[] = {"higher", "lower"};
    int i;
    ap_status st = ap__parse_name(name, names, 2, "polarity", &i, err);
    if (st == AP_OK)
        *out = (ap_polarity)i;
    return st;
}

/* ---- exact numbers ------------------------------------------------------ */

ap_status ap_number_parse(const char *text, size_t len, ap_number *out,
                          ap_error *err)
{
    return ap_decimal_parse(text, len, &out->num, &out->den, err);
}

/* Compares a/b with c/d for non-negative a, c and positive b, d, by the
 * continued-fraction expansion, so no product can overflow. */
static int cmp_unsigned(ap__u128 a, ap__u128 b, ap__u128 c, ap__u128 d)
{
    int sign = 1;
    for (;;) {
        ap__u128 qa = a / b, qc = c / d;
        if (qa != qc)
            return qa < qc ? -sign : sign;
        ap__u128 ra = a - qa * b, rc = c - qc * d;
        if (ra == 0 || rc == 0)
            return ra == rc ? 0 : ra == 0 ? -sign : sign;
        /* ra/b < rc/d  <=>  b/ra > d/rc: invert both and flip the order. */
        a = b;
        b = ra;
        c = d;
        d = rc;
        sign = -sign;
    }
}

/* Compares an/ad with bn/bd exactly; ad, bd > 0. */
static int cmp_ratio(ap__i128 an, ap__u128 ad, ap__i128 bn, ap__u128 bd)
{
    if (an < 0 && bn >= 0)
        return -1;
    if (an >= 0 && bn < 0)
        return 1;
    if (an < 0) /* both negative: compare the magnitudes, reversed */
        return -cmp_unsigned((ap__u128)(-an), ad, (ap__u128)(-bn), bd);
    return cmp_unsigned((ap__u128)an, ad, (ap__u128)bn, bd);
}

int ap_number_cmp(ap_number a, ap_number b)
{
    return cmp_ratio(a.num, (ap__u128)a.den, b.num, (ap__u128)b.den);
}

void ap_number_format(ap_number x, char *buf, size_t size)
{
    /* A terminating decimal needs only 2s and 5s in the denominator. */
    int64_t d = x.den;
    int twos = 0, fives = 0;
    while (d % 2 == 0) {
        d /= 2;
        twos++;
    }
    while (d % 5 == 0) {
        d /= 5;
        fives++;
    }
    int places = twos > fives ? twos : fives;
    if (d != 1 || places > 18) {
        snprintf(buf, size, "%lld/%lld", (long long)x.num, (long long)x.den);
        return;
    }
    ap__i128 scaled = (ap__i128)x.num * (ap__pow10(places) / x.den);
    int negative = scaled < 0;
    ap__u128 mag = negative ? (ap__u128)(-scaled) : (ap__u128)scaled;
    ap__u128 unit = (ap__u128)ap__pow10(places);
    unsigned long long whole = (unsigned long long)(mag / unit);
    unsigned long long frac = (unsigned long long)(mag % unit);
    if (places == 0 || frac == 0) {
        snprintf(buf, size, "%s%llu", negative ? "-" : "", whole);
        return;
    }
    char digits[32];
    snprintf(digits, sizeof digits, "%0*llu", places, frac);
    size_t n = strlen(digits);
    while (n > 0 && digits[n - 1] == '0')
        digits[--n] = '\0';
    snprintf(buf, size, "%s%llu.%s", negative ? "-" : "", whole, digits);
}

/* ---- band sets ---------------------------------------------------------- */

/* "Green [80, 90)" or "Red (-inf, 80]". */
static void describe_band(const ap_band *b, char *buf, size_t size)
{
    char lo[48] = "-inf", hi[48] = "inf";
    if (b->lower.kind != AP_BOUND_OPEN)
        ap_number_format(b->lower.value, lo, sizeof lo);
    if (b->upper.kind != AP_BOUND_OPEN)
        ap_number_format(b->upper.value, hi, sizeof hi);
    snprintf(buf, size, "%s %c%s, %s%c", rag_titles[b->rag],
             b->lower.kind == AP_BOUND_INCLUSIVE ? '[' : '(', lo, hi,
             b->upper.kind == AP_BOUND_INCLUSIVE ? ']' : ')');
}

/* Orders bands by where they start: an open lower end first, then by the
 * lower value, an inclusive start before an exclusive one. */
static int cmp_lower(const void *pa, const void *pb)
{
    const ap_band *a = pa, *b = pb;
    int ao = a->lower.kind == AP_BOUND_OPEN, bo = b->lower.kind == AP_BOUND_OPEN;
    if (ao || bo)
        return bo - ao;
    int c = ap_number_cmp(a->lower.value, b->lower.value);
    if (c != 0)
        return c;
    return (a->lower.kind == AP_BOUND_EXCLUSIVE) -
           (b->lower.kind == AP_BOUND_EXCLUSIVE);
}

static ap_status check_number(ap_number x, const char *what, size_t i,
                              ap_error *err)
{
    if (x.den <= 0)
        return ap_error_set(err, AP_E_INPUT,
                            "bands[%zu]: the %s bound has denominator %lld; "
                            "it must be positive",
                            i, what, (long long)x.den);
    return AP_OK;
}

ap_status ap_bands_make(const ap_band *bands, size_t n, ap_band_set *out,
                        ap_error *err)
{
    if (n == 0)
        return ap_error_set(err, AP_E_INPUT, "a band set needs at least one "
                                             "band");
    if (n > AP_BANDS_MAX)
        return ap_error_set(err, AP_E_INPUT,
                            "%zu bands given; a band set holds at most %d", n,
                            AP_BANDS_MAX);
    ap_band_set set;
    memset(&set, 0, sizeof set);
    for (size_t i = 0; i < n; i++) {
        const ap_band *b = &bands[i];
        char text[128];
        if ((int)b->rag < 0 || b->rag >= AP_RAG_COUNT)
            return ap_error_set(err, AP_E_INPUT,
                                "bands[%zu] has an unknown rating %d", i,
                                (int)b->rag);
        if ((unsigned)b->lower.kind > AP_BOUND_EXCLUSIVE ||
            (unsigned)b->upper.kind > AP_BOUND_EXCLUSIVE)
            return ap_error_set(err, AP_E_INPUT,
                                "bands[%zu] has an unknown bound kind", i);
        ap_status st;
        if ((b->lower.kind != AP_BOUND_OPEN &&
             (st = check_number(b->lower.value, "lower", i, err)) != AP_OK) ||
            (b->upper.kind != AP_BOUND_OPEN &&
             (st = check_number(b->upper.value, "upper", i, err)) != AP_OK))
            return st;
        if (b->lower.kind != AP_BOUND_OPEN && b->upper.kind != AP_BOUND_OPEN) {
            int c = ap_number_cmp(b->lower.value, b->upper.value);
            if (c > 0 || (c == 0 && (b->lower.kind == AP_BOUND_EXCLUSIVE ||
                                     b->upper.kind == AP_BOUND_EXCLUSIVE))) {
                describe_band(b, text, sizeof text);
                return ap_error_set(err, AP_E_INPUT,
                                    "bands[%zu] %s holds no value: its lower "
                                    "bound is not below its upper bound",
                                    i, text);
            }
        }
        set.bands[i] = *b;
    }
    set.n = n;
    qsort(set.bands, n, sizeof set.bands[0], cmp_lower);

    for (size_t i = 0; i + 1 < n; i++) {
        const ap_band *a = &set.bands[i], *b = &set.bands[i + 1];
        char ta[128], tb[128], lo[48], hi[48];
        describe_band(a, ta, sizeof ta);
        describe_band(b, tb, sizeof tb);
        if (b->lower.kind == AP_BOUND_OPEN)
            return ap_error_set(err, AP_E_INPUT,
                                "%s and %s overlap: both hold every value "
                                "below their upper bounds",
                                ta, tb);
        ap_number_format(b->lower.value, lo, sizeof lo);
        if (a->upper.kind == AP_BOUND_OPEN)
            return ap_error_set(err, AP_E_INPUT,
                                "%s and %s overlap: both hold the values "
                                "from %s upwards",
                                ta, tb, lo);
        ap_number_format(a->upper.value, hi, sizeof hi);
        int c = ap_number_cmp(a->upper.value, b->lower.value);
        if (c > 0)
            return ap_error_set(err, AP_E_INPUT,
                                "%s and %s overlap: both hold values from "
                                "%s to %s",
                                ta, tb, lo, hi);
        if (c < 0)
            return ap_error_set(err, AP_E_INPUT,
                                "%s and %s leave a gap: no band holds the "
                                "values between %s and %s",
                                ta, tb, hi, lo);
        int ai = a->upper.kind == AP_BOUND_INCLUSIVE;
        int bi = b->lower.kind == AP_BOUND_INCLUSIVE;
        if (ai && bi)
            return ap_error_set(err, AP_E_INPUT,
                                "%s and %s overlap: both hold %s; make one "
                                "of the two ends exclusive",
                                ta, tb, lo);
        if (!ai && !bi)
            return ap_error_set(err, AP_E_INPUT,
                                "%s and %s leave a gap: neither holds %s; "
                                "make one of the two ends inclusive",
                                ta, tb, lo);
    }
    *out = set;
    return AP_OK;
}

/* Nonzero when the value lies in the band. */
static int band_holds(const ap_band *b, ap__i128 num, ap__u128 den)
{
    if (b->lower.kind != AP_BOUND_OPEN) {
        int c = cmp_ratio(num, den, b->lower.value.num,
                          (ap__u128)b->lower.value.den);
        if (c < 0 || (c == 0 && b->lower.kind == AP_BOUND_EXCLUSIVE))
            return 0;
    }
    if (b->upper.kind != AP_BOUND_OPEN) {
        int c = cmp_ratio(num, den, b->upper.value.num,
                          (ap__u128)b->upper.value.den);
        if (c > 0 || (c == 0 && b->upper.kind == AP_BOUND_EXCLUSIVE))
            return 0;
    }
    return 1;
}

/* What the set covers, for "outside every band" messages. */
static void describe_cover(const ap_band_set *set, char *buf, size_t size)
{
    ap_band whole = {AP_RAG_GREEN, set->bands[0].lower,
                     set->bands[set->n - 1].upper};
    char text[128];
    describe_band(&whole, text, sizeof text);
    /* Drop the rating word: only the interval matters here. */
    const char *space = strchr(text, ' ');
    snprintf(buf, size, "%s", space ? space + 1 : text);
}

static int find_band(const ap_band_set *set, ap__i128 num, ap__u128 den)
{
    for (size_t k = 0; k < set->n; k++)
        if (band_holds(&set->bands[k], num, den))
            return (int)k;
    return -1;
}

ap_status ap_bands_score(const ap_band_set *set, ap_number value, ap_rag *out,
                         ap_error *err)
{
    if (value.den <= 0)
        return ap_error_set(err, AP_E_INPUT,
                            "a value's denominator must be positive, not "
                            "%lld", (long long)value.den);
    int k = find_band(set, value.num, (ap__u128)value.den);
    if (k < 0) {
        char v[48], cover[128];
        ap_number_format(value, v, sizeof v);
        describe_cover(set, cover, sizeof cover);
        return ap_error_set(err, AP_E_INPUT,
                            "%s is outside every band: the bands cover %s", v,
                            cover);
    }
    *out = set->bands[k].rag;
    return AP_OK;
}

ap_status ap_bands_score_rates(const ap_band_set *set, const int64_t *num,
                               const int64_t *den, size_t n, int64_t scale,
                               uint8_t no_data, uint8_t *out, ap_error *err)
{
    if (scale <= 0)
        return ap_error_set(err, AP_E_INPUT, "scale must be positive, not "
                                             "%lld", (long long)scale);
    for (size_t i = 0; i < n; i++) {
        if (den[i] == 0) {
            out[i] = no_data;
            continue;
        }
        if (den[i] < 0)
            return ap_error_set(err, AP_E_INPUT,
                                "denominators[%zu] is %lld; a count cannot "
                                "be negative",
                                i, (long long)den[i]);
        int k = find_band(set, (ap__i128)num[i] * scale, (ap__u128)den[i]);
        if (k < 0) {
            char cover[128];
            describe_cover(set, cover, sizeof cover);
            return ap_error_set(err, AP_E_INPUT,
                                "rate %lld/%lld (x%lld) at [%zu] is outside "
                                "every band: the bands cover %s",
                                (long long)num[i], (long long)den[i],
                                (long long)scale, i, cover);
        }
        out[i] = (uint8_t)set->bands[k].rag;
    }
    return AP_OK;
}

/* ---- bands from a tolerance -------------------------------------------- */

ap_status ap_bands_from_tolerance(ap_polarity polarity, ap_number target,
                                  ap_number tolerance, ap_tolerance_kind kind,
                                  ap_band_set *out, ap_error *err)
{
    if (target.den <= 0 || tolerance.den <= 0)
        return ap_error_set(err, AP_E_INPUT,
                            "target and tolerance need positive "
                            "denominators");
    if (tolerance.num < 0)
        return ap_error_set(err, AP_E_INPUT,
                            "tolerance is negative; it must be 0 or more");
    /* The width of the Amber band: points as given, or percent of the
     * target's magnitude. */
    ap__i128 wn, wd;
    if (kind == AP_TOLERANCE_POINTS) {
        wn = tolerance.num;
        wd = tolerance.den;
    } else if (kind == AP_TOLERANCE_PERCENT) {
        ap__i128 t = target.num < 0 ? -(ap__i128)target.num : target.num;
        wn = t * tolerance.num;
        wd = (ap__i128)target.den * tolerance.den * 100;
    } else {
        return ap_error_set(err, AP_E_INPUT, "unknown tolerance kind %d",
                            (int)kind);
    }
    /* edge = target -/+ width, over the common denominator. */
    int sign = polarity == AP_POLARITY_HIGHER ? -1 : 1;
    ap__i128 en = (ap__i128)target.num * wd + sign * wn * target.den;
    ap__i128 ed = (ap__i128)target.den * wd;
    /* Reduce, then it must fit int64 again. */
    ap__i128 a = en < 0 ? -en : en, b = ed;
    while (b != 0) {
        ap__i128 t = a % b;
        a = b;
        b = t;
    }
    if (a > 1) {
        en /= a;
        ed /= a;
    }
    if (!ap__fits_i64(en) || !ap__fits_i64(ed))
        return ap_error_set(err, AP_E_OVERFLOW,
                            "the tolerance edge does not fit a 64-bit "
                            "fraction");
    ap_number edge = {(int64_t)en, (int64_t)ed};
    if (wn == 0) {
        /* No tolerance: no Amber band. */
        ap_band two[2];
        if (polarity == AP_POLARITY_HIGHER) {
            two[0] = (ap_band){AP_RAG_RED, {AP_BOUND_OPEN, {0, 1}},
                               {AP_BOUND_EXCLUSIVE, target}};
            two[1] = (ap_band){AP_RAG_GREEN, {AP_BOUND_INCLUSIVE, target},
                               {AP_BOUND_OPEN, {0, 1}}};
        } else {
            two[0] = (ap_band){AP_RAG_GREEN, {AP_BOUND_OPEN, {0, 1}},
                               {AP_BOUND_INCLUSIVE, target}};
            two[1] = (ap_band){AP_RAG_RED, {AP_BOUND_EXCLUSIVE, target},
                               {AP_BOUND_OPEN, {0, 1}}};
        }
        return ap_bands_make(two, 2, out, err);
    }
    ap_band three[3];
    if (polarity == AP_POLARITY_HIGHER) {
        three[0] = (ap_band){AP_RAG_RED, {AP_BOUND_OPEN, {0, 1}},
                             {AP_BOUND_EXCLUSIVE, edge}};
        three[1] = (ap_band){AP_RAG_AMBER, {AP_BOUND_INCLUSIVE, edge},
                             {AP_BOUND_EXCLUSIVE, target}};
        three[2] = (ap_band){AP_RAG_GREEN, {AP_BOUND_INCLUSIVE, target},
                             {AP_BOUND_OPEN, {0, 1}}};
    } else {
        three[0] = (ap_band){AP_RAG_GREEN, {AP_BOUND_OPEN, {0, 1}},
                             {AP_BOUND_INCLUSIVE, target}};
        three[1] = (ap_band){AP_RAG_AMBER, {AP_BOUND_EXCLUSIVE, target},
                             {AP_BOUND_INCLUSIVE, edge}};
        three[2] = (ap_band){AP_RAG_RED, {AP_BOUND_EXCLUSIVE, edge},
                             {AP_BOUND_OPEN, {0, 1}}};
    }
    return ap_bands_make(three, 3, out, err);
}

/* ---- councils' wording -------------------------------------------------- */

/* One end of a band as read from text: explicit when the wording says
 * which side the value is on ("80% or below", "< 80"); soft for an end of
 * "80-90", which councils write for both neighbouring bands. */
typedef struct text_bound {
    ap_bound bound;
    int soft;
} text_bound;

typedef struct text_band {
    ap_rag rag;
    text_bound lower, upper;
    const char *item;
    size_t item_len;
} text_band;

typedef struct cursor {
    const char *s;
    size_t i, n;
} cursor;

static void skip_spaces(cursor *c)
{
    while (c->i < c->n &&
           (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\r'))
        c->i++;
}

/* Consumes a word or phrase (case-insensitive, followed by a non-letter). */
static int accept(cursor *c, const char *word)
{
    skip_spaces(c);
    size_t n = strlen(word);
    if (c->i + n > c->n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (tolower((unsigned char)c->s[c->i + k]) != (unsigned char)word[k])
            return 0; /* unsigned on both sides, so ≤, ≥ and dashes match */
    if (isalpha((unsigned char)word[n - 1]) && c->i + n < c->n &&
        isalpha((unsigned char)c->s[c->i + n]))
        return 0;
    c->i += n;
    return 1;
}

/* Reads a number with an optional "%" after it. */
static int read_number(cursor *c, ap_number *out)
{
    skip_spaces(c);
    size_t start = c->i;
    if (c->i < c->n && (c->s[c->i] == '-' || c->s[c->i] == '+'))
        c->i++;
    while (c->i < c->n &&
           ((c->s[c->i] >= '0' && c->s[c->i] <= '9') || c->s[c->i] == '.'))
        c->i++;
    if (c->i == start)
        return 0;
    if (ap_number_parse(c->s + start, c->i - start, out, NULL) != AP_OK) {
        c->i = start;
        return 0;
    }
    skip_spaces(c);
    if (c->i < c->n && c->s[c->i] == '%')
        c->i++;
    return 1;
}

static int at_end(cursor *c)
{
    skip_spaces(c);
    return c->i == c->n;
}

static const ap_bound open_bound = {AP_BOUND_OPEN, {0, 1}};

/* The range after the colour: fills the band's two ends. */
static int read_range(cursor *c, text_band *b)
{
    static const char *const up_to_incl[] = {"or below", "or less",
                                             "or under", "or lower",
                                             "and below", "and under",
                                             "or fewer", NULL};
    static const char *const from_incl[] = {"or above", "or more", "or over",
                                            "or higher", "and above",
                                            "and over", "or greater", "+",
                                            NULL};
    ap_number x, y;
    b->lower = (text_bound){open_bound, 0};
    b->upper = (text_bound){open_bound, 0};
    size_t mark = c->i;

    /* Prefix forms: "below 80", "at least 90", "<= 80", "≥ 90". */
    static const struct prefix {
        const char *word;
        int upper;
        ap_bound_kind kind;
    } prefixes[] = {
        {"at least", 0, AP_BOUND_INCLUSIVE},
        {"not less than", 0, AP_BOUND_INCLUSIVE},
        {"at most", 1, AP_BOUND_INCLUSIVE},
        {"no more than", 1, AP_BOUND_INCLUSIVE},
        {"not more than", 1, AP_BOUND_INCLUSIVE},
        {"less than", 1, AP_BOUND_EXCLUSIVE},
        {"lower than", 1, AP_BOUND_EXCLUSIVE},
        {"fewer than", 1, AP_BOUND_EXCLUSIVE},
        {"below", 1, AP_BOUND_EXCLUSIVE},
        {"under", 1, AP_BOUND_EXCLUSIVE},
        {"more than", 0, AP_BOUND_EXCLUSIVE},
        {"greater than", 0, AP_BOUND_EXCLUSIVE},
        {"higher than", 0, AP_BOUND_EXCLUSIVE},
        {"above", 0, AP_BOUND_EXCLUSIVE},
        {"over", 0, AP_BOUND_EXCLUSIVE},
        {"<=", 1, AP_BOUND_INCLUSIVE},
        {"\xe2\x89\xa4", 1, AP_BOUND_INCLUSIVE}, /* ≤ */
        {">=", 0, AP_BOUND_INCLUSIVE},
        {"\xe2\x89\xa5", 0, AP_BOUND_INCLUSIVE}, /* ≥ */
        {"<", 1, AP_BOUND_EXCLUSIVE},
        {">", 0, AP_BOUND_EXCLUSIVE},
    };
    for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++) {
        c->i = mark;
        if (accept(c, prefixes[k].word) && read_number(c, &x) && at_end(c)) {
            text_bound tb = {{prefixes[k].kind, x}, 0};
            if (prefixes[k].upper)
                b->upper = tb;
            else
                b->lower = tb;
            return 1;
        }
    }

    c->i = mark;
    accept(c, "between");
    if (!read_number(c, &x))
        return 0;
    size_t after_first = c->i;
    /* "80% or below" and "90% or above" */
    for (int k = 0; up_to_incl[k]; k++) {
        c->i = after_first;
        if (accept(c, up_to_incl[k]) && at_end(c)) {
            b->upper = (text_bound){{AP_BOUND_INCLUSIVE, x}, 0};
            return 1;
        }
    }
    for (int k = 0; from_incl[k]; k++) {
        c->i = after_first;
        if (accept(c, from_incl[k]) && at_end(c)) {
            b->lower = (text_bound){{AP_BOUND_INCLUSIVE, x}, 0};
            return 1;
        }
    }
    /* "80-90", "80 - 90%", "80 to 90", "80 and 90", "80–90" (en dash) */
    c->i = after_first;
    if (accept(c, "-") || accept(c, "to") || accept(c, "and") ||
        accept(c, "\xe2\x80\x93") || accept(c, "\xe2\x80\x94")) {
        if (!read_number(c, &y) || !at_end(c))
            return 0;
        b->lower = (text_bound){{AP_BOUND_INCLUSIVE, x}, 1};
        b->upper = (text_bound){{AP_BOUND_INCLUSIVE, y}, 1};
        return 1;
    }
    /* A single value: "Green = 100%". */
    c->i = after_first;
    if (at_end(c)) {
        b->lower = (text_bound){{AP_BOUND_INCLUSIVE, x}, 0};
        b->upper = (text_bound){{AP_BOUND_INCLUSIVE, x}, 0};
        return 1;
    }
    return 0;
}

static ap_status read_item(const char *s, size_t n, size_t index,
                           text_band *b, ap_error *err)
{
    cursor c = {s, 0, n};
    skip_spaces(&c);
    size_t word = c.i;
    while (c.i < c.n && isalpha((unsigned char)s[c.i]))
        c.i++;
    if (ap_rag_parse(s + word, c.i - word, &b->rag, NULL) != AP_OK)
        return ap_error_set(err, AP_E_INPUT,
                            "band %zu (\"%.*s\") does not start with Green, "
                            "Amber or Red",
                            index + 1, ap__utf8_prefix(s, n, 60), s);
    skip_spaces(&c);
    if (c.i < c.n && (s[c.i] == '=' || s[c.i] == ':'))
        c.i++;
    b->item = s;
    b->item_len = n;
    if (!read_range(&c, b))
        return ap_error_set(
            err, AP_E_INPUT,
            "band %zu (\"%.*s\"): cannot read its range; write it as "
            "\"80-90%%\", \"80%% or below\", \"below 80\", \"at least 90\" "
            "or \"<= 80\"",
            index + 1, ap__utf8_prefix(s, n, 60), s);
    return AP_OK;
}

static int cmp_text_lower(const void *pa, const void *pb)
{
    const text_band *a = pa, *b = pb;
    ap_band x = {a->rag, a->lower.bound, a->upper.bound};
    ap_band y = {b->rag, b->lower.bound, b->upper.bound};
    return cmp_lower(&x, &y);
}

/* Appends to the warning, keeping it NUL-terminated. */
static void warn(ap_band_set *set, size_t *used, const char *fmt, ...)
    AP_PRINTF_FORMAT(3, 4);

static void warn(ap_band_set *set, size_t *used, const char *fmt, ...)
{
    if (*used >= sizeof set->warning)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(set->warning + *used, sizeof set->warning - *used, fmt,
                      ap);
    va_end(ap);
    if (k > 0)
        *used += (size_t)k;
}

/* "Green >= 90", "80 < Amber < 90", "Red <= 80". */
static void reading_of(const ap_band *b, char *buf, size_t size)
{
    char lo[48], hi[48];
    const char *name = rag_titles[b->rag];
    int has_lo = b->lower.kind != AP_BOUND_OPEN;
    int has_hi = b->upper.kind != AP_BOUND_OPEN;
    if (has_lo)
        ap_number_format(b->lower.value, lo, sizeof lo);
    if (has_hi)
        ap_number_format(b->upper.value, hi, sizeof hi);
    const char *lop = b->lower.kind == AP_BOUND_INCLUSIVE ? "<=" : "<";
    const char *hip = b->upper.kind == AP_BOUND_INCLUSIVE ? "<=" : "<";
    if (has_lo && has_hi)
        snprintf(buf, size, "%s %s %s %s %s", lo, lop, name, hip, hi);
    else if (has_lo)
        snprintf(buf, size, "%s %s %s", name,
                 b->lower.kind == AP_BOUND_INCLUSIVE ? ">=" : ">", lo);
    else if (has_hi)
        snprintf(buf, size, "%s %s %s", name, hip, hi);
    else
        snprintf(buf, size, "%s: any value", name);
}

static int rag_rank(ap_rag r) /* higher is better */
{
    return r == AP_RAG_GREEN ? 2 : r == AP_RAG_AMBER ? 1 : 0;
}

ap_status ap_bands_parse_text(const char *text, size_t len,
                              ap_polarity polarity, ap_band_set *out,
                              ap_error *err)
{
    if (text == NULL)
        return ap_error_set(err, AP_E_INPUT, "no band text given");
    if (len == (size_t)-1)
        len = strlen(text);
    text_band items[AP_BANDS_MAX];
    size_t n = 0, from = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != ',' && text[i] != ';' && text[i] != '\n')
            continue;
        size_t a = from, b = i;
        from = i + 1;
        while (a < b && isspace((unsigned char)text[a]))
            a++;
        while (b > a && (isspace((unsigned char)text[b - 1]) ||
                         text[b - 1] == '.'))
            b--;
        if (a == b)
            continue;
        if (n == AP_BANDS_MAX)
            return ap_error_set(err, AP_E_INPUT,
                                "more than %d bands in \"%.*s\"",
                                AP_BANDS_MAX, ap__utf8_prefix(text, len, 80),
                                text);
        ap_status st = read_item(text + a, b - a, n, &items[n], err);
        if (st != AP_OK)
            return st;
        n++;
    }
    if (n == 0)
        return ap_error_set(err, AP_E_INPUT,
                            "no bands in \"%.*s\": expected wording such as "
                            "\"Green = 90-100%%, Amber = 80-90%%, Red = 80%% "
                            "or below\"",
                            ap__utf8_prefix(text, len, 80), text);
    qsort(items, n, sizeof items[0], cmp_text_lower);

    ap_band_set set;
    memset(&set, 0, sizeof set);
    size_t used = 0;
    int ambiguous = 0;
    /* Settle each end two neighbouring bands share. */
    for (size_t k = 0; k + 1 < n; k++) {
        text_band *a = &items[k], *b = &items[k + 1];
        if (a->upper.bound.kind == AP_BOUND_OPEN ||
            b->lower.bound.kind == AP_BOUND_OPEN ||
            ap_number_cmp(a->upper.bound.value, b->lower.bound.value) != 0)
            continue;
        if (!a->upper.soft && !b->lower.soft)
            continue; /* both explicit: ap_bands_make judges them */
        /* "8-12%" beside "over 12%": only the range claims 12, which is
         * how it reads anyway; nothing is ambiguous. */
        if ((!a->upper.soft && a->upper.bound.kind == AP_BOUND_EXCLUSIVE) ||
            (!b->lower.soft && b->lower.bound.kind == AP_BOUND_EXCLUSIVE))
            continue;
        char v[48];
        ap_number_format(b->lower.bound.value, v, sizeof v);
        int to_upper; /* does the shared value go to b, the upper band? */
        const char *why;
        if (!a->upper.soft) {
            to_upper = a->upper.bound.kind != AP_BOUND_INCLUSIVE;
            why = "the wording of that band says so";
        } else if (!b->lower.soft) {
            to_upper = b->lower.bound.kind == AP_BOUND_INCLUSIVE;
            why = "the wording of that band says so";
        } else {
            int ra = rag_rank(a->rag), rb = rag_rank(b->rag);
            to_upper = rb != ra ? rb > ra : polarity == AP_POLARITY_HIGHER;
            why = "it is the better band, so the target counts as met";
        }
        a->upper.bound.kind = to_upper ? AP_BOUND_EXCLUSIVE
                                       : AP_BOUND_INCLUSIVE;
        b->lower.bound.kind = to_upper ? AP_BOUND_INCLUSIVE
                                       : AP_BOUND_EXCLUSIVE;
        const text_band *won = to_upper ? b : a;
        warn(&set, &used, "%s%s is in both %s (\"%.*s\") and %s (\"%.*s\"); "
             "read as %s, as %s",
             ambiguous ? "; " : "The wording puts a boundary in two bands: ",
             v, rag_titles[a->rag], (int)a->item_len, a->item,
             rag_titles[b->rag], (int)b->item_len, b->item,
             rag_titles[won->rag], why);
        ambiguous = 1;
    }
    ap_band bands[AP_BANDS_MAX];
    for (size_t k = 0; k < n; k++)
        bands[k] = (ap_band){items[k].rag, items[k].lower.bound,
                             items[k].upper.bound};
    char warning[AP_BANDS_WARNING_SIZE];
    memcpy(warning, set.warning, sizeof warning);
    ap_status st = ap_bands_make(bands, n, &set, err);
    if (st != AP_OK)
        return st;
    memcpy(set.warning, warning, sizeof warning);
    if (ambiguous) {
        /* Close with the whole reading, best band first. */
        warn(&set, &used, ". So: ");
        for (size_t k = 0; k < n; k++) {
            size_t idx = polarity == AP_POLARITY_HIGHER ? n - 1 - k : k;
            char r[128];
            reading_of(&set.bands[idx], r, sizeof r);
            warn(&set, &used, "%s%s", k ? "; " : "", r);
        }
        warn(&set, &used, ".");
    }
    *out = set;
    return AP_OK;
}
