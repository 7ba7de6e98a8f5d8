/* The audit of a stated total (audit_sum.c) and printed figures
 * (figure_parse.c): the committee papers' real tables, one case for each cause, the
 * ties, and a brute-force check of the search against random sums. */
#include <stdint.h>
#include <time.h>

#include "apportion/audit.h"
#include "runner.h"

/* ---- helpers ------------------------------------------------------------- */

static ap_figure fig(const char *text)
{
    ap_figure f;
    ap_error err;
    if (ap_figure_parse(text, (size_t)-1, &f, &err) != AP_OK) {
        fprintf(stderr, "fig(%s) failed: %s\n", text, err.message);
        exit(1);
    }
    return f;
}

static void check_figure(const char *text, int64_t value, int decimals)
{
    ap_figure f = fig(text);
    if (f.value != value || f.decimals != decimals) {
        fprintf(stderr, "\"%s\" read as {%lld, %d}, expected {%lld, %d}\n",
                text, (long long)f.value, f.decimals, (long long)value,
                decimals);
        exit(1);
    }
}

/* Parses a refused text; returns the message (static). */
static const char *refused(const char *text)
{
    static ap_error err;
    ap_figure f = {777, 7};
    if (ap_figure_parse(text, (size_t)-1, &f, &err) != AP_E_INPUT) {
        fprintf(stderr, "\"%s\" was not refused\n", text);
        exit(1);
    }
    CHECK(f.value == 777 && f.decimals == 7); /* untouched */
    CHECK_CONTAINS(err.message, "expected");
    return err.message;
}

/* Audits texts[0..n) (signs may be NULL) against stated; fails the test
 * if the call fails. */
static void audit(const char *const *texts, const int *signs, size_t n,
                  const char *stated, const ap_audit_options *o,
                  ap_audit_finding *f)
{
    ap_figure items[16];
    CHECK(n <= 16);
    for (size_t i = 0; i < n; i++)
        items[i] = fig(texts[i]);
    ap_figure s = fig(stated);
    ap_error err;
    if (ap_audit_sum(items, signs, n, &s, o, f, &err) != AP_OK) {
        fprintf(stderr, "audit failed: %s\n", err.message);
        exit(1);
    }
    CHECK(f->suggestion != NULL);
}

/* Nonzero when the finding has a candidate with these fields. */
static int has_candidate(const ap_audit_finding *f, ap_audit_cause cause,
                         size_t item, int64_t value, int decimals, int exact)
{
    for (size_t k = 0; k < f->n_candidates; k++) {
        const ap_audit_candidate *c = &f->candidates[k];
        if (c->cause == cause && c->item == item &&
            c->corrected.value == value && c->corrected.decimals == decimals &&
            !c->exact == !exact)
            return 1;
    }
    return 0;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- printed figures ---------------------------------------------------- */

TEST(figure_parse_accepted)
{
    check_figure("0.410", 410, 3);
    check_figure("0.85", 85, 2);
    check_figure("(3,540)", -3540, 0);
    check_figure("-3,540", -3540, 0);
    check_figure("\xe2\x88\x92" "5", -5, 0);     /* U+2212 */
    check_figure("£1,070", 1070, 0);
    check_figure("£0.85", 85, 2);
    check_figure("44.16%", 4416, 2);
    check_figure("+12", 12, 0);
    check_figure("1,070", 1070, 0);
    check_figure("123,348", 123348, 0);
    check_figure("1,234,567.891", 1234567891, 3);
    check_figure("0", 0, 0);
    check_figure("0.00", 0, 2);
    check_figure("-0", 0, 0);
    check_figure("(0)", 0, 0);
    check_figure("007", 7, 0);
    /* nils: a lone hyphen, en dash or em dash */
    check_figure("-", 0, 0);
    check_figure("\xe2\x80\x93", 0, 0);
    check_figure("\xe2\x80\x94", 0, 0);
    check_figure("  -  ", 0, 0);
    /* brackets with £ and %, signs before or after £ */
    check_figure("(£3,540)", -3540, 0);
    check_figure("-£3,540", -3540, 0);
    check_figure("£-3,540", -3540, 0);
    check_figure("+£12", 12, 0);
    check_figure("£ 1,070", 1070, 0);
    check_figure("(5.5%)", -55, 1);
    check_figure("(5.5)%", -55, 1);
    check_figure("-44.16%", -4416, 2);
    /* blanks around, including no-break spaces from PDFs */
    check_figure(" \t1,070\n", 1070, 0);
    check_figure("\xc2\xa0" "1,070" "\xe2\x80\xaf", 1070, 0);
    /* the extremes */
    check_figure("9,223,372,036,854,775,807", INT64_MAX, 0);
    check_figure("(9223372036854775807)", -INT64_MAX, 0);
    check_figure("0.123456789012345", 123456789012345, 15);
    /* len: only the first len bytes are read */
    ap_figure f;
    ap_error err;
    CHECK(ap_figure_parse("1,070 and more", 5, &f, &err) == AP_OK);
    CHECK(f.value == 1070 && f.decimals == 0);
    CHECK(ap_figure_parse("12", 1, &f, &err) == AP_OK && f.value == 1);
}

TEST(figure_parse_refused)
{
    CHECK_CONTAINS(refused(""), "empty");
    CHECK_CONTAINS(refused("   "), "blank");
    CHECK_CONTAINS(refused("abc"), "expected a digit");
    CHECK_CONTAINS(refused("12a"), "unexpected text at character 3 ('a')");
    CHECK_CONTAINS(refused("£12m"), "unexpected text");
    CHECK_CONTAINS(refused("--5"), "a second sign");
    CHECK_CONTAINS(refused("+-5"), "a second sign");
    CHECK_CONTAINS(refused("-£-5"), "a second sign");
    CHECK_CONTAINS(refused("(-5)"), "a sign inside brackets");
    CHECK_CONTAINS(refused("(£-5)"), "a sign inside brackets");
    CHECK_CONTAINS(refused("-(5)"), "a bracket after a sign");
    CHECK_CONTAINS(refused("((5))"), "a second bracket");
    CHECK_CONTAINS(refused("(5"), "expected a closing bracket");
    CHECK_CONTAINS(refused("££5"), "expected a digit");
    CHECK_CONTAINS(refused("5)"), "unexpected text");
    CHECK_CONTAINS(refused("(5%)%"), "unexpected text");
    CHECK_CONTAINS(refused("£5%"), "both £ and %");
    CHECK_CONTAINS(refused("\xe2\x80\x93" "5"), "a dash used as a sign");
    CHECK_CONTAINS(refused("1,0700"), "more than three digits after a comma");
    CHECK_CONTAINS(refused("10,70"), "fewer than three digits after a comma");
    CHECK_CONTAINS(refused("1000,000"), "after more than three digits");
    CHECK_CONTAINS(refused("1,00,000"), "after fewer than three digits");
    CHECK_CONTAINS(refused(",100"), "a comma without digits before it");
    CHECK_CONTAINS(refused("1,,000"), "a comma without digits before it");
    CHECK_CONTAINS(refused("1,00.5"), "fewer than three digits before the point");
    CHECK_CONTAINS(refused("1,000,"), "fewer than three digits after a comma");
    CHECK_CONTAINS(refused(".85"), "a point without a digit before it");
    CHECK_CONTAINS(refused("85."), "a point without a digit after it");
    CHECK_CONTAINS(refused("1.2.3"), "unexpected text");
    CHECK_CONTAINS(refused("1.5,000"), "unexpected text");
    CHECK_CONTAINS(refused("1 000"), "unexpected text");
    CHECK_CONTAINS(refused("44.16 %"), "unexpected text");
    CHECK_CONTAINS(refused("0.1234567890123456"),
                   "more than 15 digits after the point");
    CHECK_CONTAINS(refused("9,223,372,036,854,775,808"),
                   "more digits than a 64-bit integer holds");
    CHECK_CONTAINS(refused("123456789012345678901234567890"),
                   "more digits than a 64-bit integer holds");
    CHECK_CONTAINS(refused("\xe2\x88\x92"), "expected a digit");
    CHECK_CONTAINS(refused("£"), "expected a digit");
    CHECK_CONTAINS(refused("%"), "expected a digit");
    /* The message quotes the text, cut at a character boundary. */
    const char *m = refused("££££££££££££££££££££££££££££££££££££££££x");
    CHECK_CONTAINS(m, "\"££££");
    CHECK_CONTAINS(m, "...\"");
    CHECK(strstr(m, "£x") == NULL);
    /* Character positions count characters, not bytes. */
    CHECK_CONTAINS(refused("£12x"), "at character 4 ('x')");
    ap_figure f;
    ap_error err;
    CHECK(ap_figure_parse(NULL, 0, &f, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "no text");
    CHECK(ap_figure_parse("5", 1, NULL, &err) == AP_E_INPUT);
}

TEST(figure_format)
{
    char buf[48];
    ap_figure_format(-354000, 2, buf, sizeof buf);
    CHECK_STR(buf, "-3,540.00");
    ap_figure_format(85, 3, buf, sizeof buf);
    CHECK_STR(buf, "0.085");
    ap_figure_format(-765, 3, buf, sizeof buf);
    CHECK_STR(buf, "-0.765");
    ap_figure_format(123348, 0, buf, sizeof buf);
    CHECK_STR(buf, "123,348");
    ap_figure_format(0, 0, buf, sizeof buf);
    CHECK_STR(buf, "0");
    ap_figure_format(0, 2, buf, sizeof buf);
    CHECK_STR(buf, "0.00");
    ap_figure_format(999, 0, buf, sizeof buf);
    CHECK_STR(buf, "999");
    ap_figure_format(1000, 0, buf, sizeof buf);
    CHECK_STR(buf, "1,000");
    ap_figure_format(100000000, 2, buf, sizeof buf);
    CHECK_STR(buf, "1,000,000.00");
    ap_figure_format(INT64_MAX, 0, buf, sizeof buf);
    CHECK_STR(buf, "9,223,372,036,854,775,807");
    ap_figure_format(INT64_MIN, 0, buf, sizeof buf);
    CHECK_STR(buf, "-9,223,372,036,854,775,808");
    ap_figure_format(INT64_MIN, 15, buf, sizeof buf);
    CHECK_STR(buf, "-9,223.372036854775808");
    ap_figure_format(1, 15, buf, sizeof buf);
    CHECK_STR(buf, "0.000000000000001");
    ap_figure_format(5, -1, buf, sizeof buf); /* negative decimals: 0 */
    CHECK_STR(buf, "5");
    /* A short buffer gets a truncated, terminated text. */
    char small[6];
    memset(small, 'x', sizeof small);
    ap_figure_format(-354000, 2, small, sizeof small);
    CHECK_STR(small, "-3,54");
    ap_figure_format(12, 0, small, 1);
    CHECK_STR(small, "");
    ap_figure_format(12, 0, NULL, 0); /* nothing to write to: no crash */
    /* Round trip through the parser. */
    const int64_t values[] = {0, 7, -7, 1234, -1234567, 100, INT64_MAX,
                              -INT64_MAX};
    for (size_t i = 0; i < N(values); i++)
        for (int d = 0; d <= AP_FIGURE_MAX_DECIMALS; d++) {
            ap_figure_format(values[i], d, buf, sizeof buf);
            ap_figure f = fig(buf);
            CHECK(f.value == values[i] && f.decimals == d);
        }
}

TEST(audit_names)
{
    CHECK_STR(ap_audit_status_name(AP_AUDIT_OK), "ok");
    CHECK_STR(ap_audit_status_name(AP_AUDIT_ROUNDING), "rounding");
    CHECK_STR(ap_audit_status_name(AP_AUDIT_ERROR), "error");
    CHECK_STR(ap_audit_status_name((ap_audit_status)9), "unknown");
    CHECK_STR(ap_audit_cause_name(AP_CAUSE_NONE), "none");
    CHECK_STR(ap_audit_cause_name(AP_CAUSE_DECIMAL_SHIFT), "decimal_shift");
    CHECK_STR(ap_audit_cause_name(AP_CAUSE_RECLASSIFICATION),
              "reclassification");
    CHECK_STR(ap_audit_cause_name(AP_CAUSE_UNEXPLAINED), "unexplained");
    CHECK_STR(ap_audit_cause_name(AP_AUDIT_CAUSE_COUNT), "unknown");
    ap_audit_options o = ap_audit_defaults();
    CHECK(o.decimals == -1 && !o.stated_exact && o.labels == NULL &&
          o.stated_label == NULL && o.suffix == NULL);
    ap_audit_finding_clear(NULL);
}

/* ---- the brief's pinned cases ------------------------------------------- */

TEST(audit_decimal_shift_item)
{
    const char *items[] = {"1.280", "0.85", "0.132", "1.083"};
    const char *labels[] = {"a", "b", "c", "d"};
    ap_audit_options o = ap_audit_defaults();
    o.labels = labels;
    ap_audit_finding f;
    audit(items, NULL, 4, "2.580", &o, &f);
    CHECK(f.status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f.scale, 3);
    CHECK_EQ_I64(f.stated, 2580);
    CHECK_EQ_I64(f.computed, 3345);
    CHECK_EQ_I64(f.difference, -765);
    /* resolutions 1 + 10 + 1 + 1 and the stated 1: 14 / 2 */
    CHECK_EQ_I64(f.tolerance, 7);
    CHECK(f.cause == AP_CAUSE_DECIMAL_SHIFT);
    CHECK(f.item == 1);
    CHECK_STR(f.item_label, "b");
    CHECK(f.n_candidates == 1);
    CHECK(has_candidate(&f, AP_CAUSE_DECIMAL_SHIFT, 1, 85, 3, 1));
    CHECK_STR(f.candidates[0].label, "b");
    CHECK_STR(f.suggestion,
              "The items sum to 3.345, not the stated 2.580 (difference "
              "-0.765). b is printed as 0.85; 0.085 would make the total "
              "agree: a decimal shift (the point in the wrong place).");
    ap_audit_finding_clear(&f);
    CHECK(f.candidates == NULL && f.suggestion == NULL && f.n_candidates == 0);
}

TEST(audit_shares_against_exact_100)
{
    ap_audit_options o = ap_audit_defaults();
    o.stated_exact = 1;
    o.suffix = "%";
    const char *nnc_wnc[] = {"44.16", "55.84"};
    const char *wrong[] = {"44.16", "56.84"};
    const char *thirds[] = {"33.33", "33.33", "33.33"};
    ap_audit_finding f;

    audit(nnc_wnc, NULL, 2, "100", &o, &f);
    CHECK(f.status == AP_AUDIT_OK && f.cause == AP_CAUSE_NONE);
    CHECK(f.item == AP_AUDIT_NO_ITEM && f.item_label == NULL);
    CHECK_STR(f.suggestion, "The items sum to the stated total.");
    ap_audit_finding_clear(&f);

    /* 101.00 against an exact 100: the allowance is half of 0.01 + 0.01.
     * The needed correction of 1.00 (100 hundredths, give or take 1) holds
     * one multiple of 9, 99, but no swap of 44.16 or 56.84 changes either
     * by 0.99 (a swap of the units and hundredths digits x, y changes the
     * figure by 0.99 (y - x), which needs digits one apart: 4 and 6, 6
     * and 4 are two apart), no shift of the point comes near, 100 has no
     * swap that keeps a leading digit, and neither share is 1.00 or 0.50:
     * nothing explains it. */
    audit(wrong, NULL, 2, "100", &o, &f);
    CHECK(f.status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f.scale, 2);
    CHECK_EQ_I64(f.difference, -100);
    CHECK_EQ_I64(f.tolerance, 1);
    CHECK(f.cause == AP_CAUSE_UNEXPLAINED && f.item == AP_AUDIT_NO_ITEM);
    CHECK(f.n_candidates == 0 && f.item_label == NULL);
    CHECK_STR(f.suggestion,
              "The items sum to 101.00%, not the stated 100% (difference "
              "-1.00%). No single transposition, decimal shift, duplicated, "
              "omitted or sign-reversed item explains it.");
    ap_audit_finding_clear(&f);

    audit(thirds, NULL, 3, "100", &o, &f);
    CHECK(f.status == AP_AUDIT_ROUNDING && f.cause == AP_CAUSE_ROUNDING);
    CHECK_EQ_I64(f.difference, 1);
    CHECK_EQ_I64(f.tolerance, 1);
    CHECK(f.item == AP_AUDIT_NO_ITEM && f.n_candidates == 0);
    CHECK_STR(f.suggestion,
              "The items sum to 99.99%, not the stated 100% (difference "
              "0.01%), which is within the rounding of the printed figures "
              "(up to 0.01% either way).");
    ap_audit_finding_clear(&f);

    /* Not exact, the printed 100 may itself be 0.5 off: still rounding,
     * with a wider allowance. */
    o.stated_exact = 0;
    audit(thirds, NULL, 3, "100", &o, &f);
    CHECK(f.status == AP_AUDIT_ROUNDING);
    CHECK_EQ_I64(f.tolerance, 51); /* (100 + 3) / 2 */
    ap_audit_finding_clear(&f);
}

/* The SDC annual report 2021/22: NCT outturn 2021/22 by service area, £000. */
TEST(audit_seed_nct_outturn)
{
    const char *areas[] = {"Corporate Parent Service",
                           "Children, Young People and Family Support",
                           "Prevention & Safeguarding",
                           "Quality Assurance and Commissioning",
                           "NCT Central",
                           "Northamptonshire Children's Trust"};
    ap_audit_options o = ap_audit_defaults();
    o.labels = areas;
    ap_audit_finding f;

    /* Gross outturn: the printed rows make 3,702 against the stated 3,701,
     * within the 3.5 that seven figures rounded to £000 allow. */
    const char *gross[] = {"45,026", "5,076",  "15,784",
                           "59,399", "1,765", "(123,348)"};
    audit(gross, NULL, 6, "3,701", &o, &f);
    CHECK(f.status == AP_AUDIT_ROUNDING && f.cause == AP_CAUSE_ROUNDING);
    CHECK_EQ_I64(f.computed, 3702);
    CHECK_EQ_I64(f.difference, -1);
    CHECK_EQ_I64(f.tolerance, 3);
    CHECK_CONTAINS(f.suggestion, "The items sum to 3,702, not the stated "
                                 "3,701 (difference -1), which is within");
    ap_audit_finding_clear(&f);

    /* Covid funding: (856) + (1,656) + (120) = (2,632) against (2,631). */
    const char *funding[] = {"(856)", "-", "(1,656)", "(120)", "-", "-"};
    audit(funding, NULL, 6, "(2,631)", &o, &f);
    CHECK(f.status == AP_AUDIT_ROUNDING);
    CHECK_EQ_I64(f.computed, -2632);
    CHECK_EQ_I64(f.difference, 1);
    ap_audit_finding_clear(&f);

    /* Outturn variance (outturn - budget, positive = overspend): exact. */
    const char *variance[] = {"172", "(616)", "(186)", "1,700", "0", "0"};
    audit(variance, NULL, 6, "1,070", &o, &f);
    CHECK(f.status == AP_AUDIT_OK);
    CHECK_EQ_I64(f.computed, 1070);
    ap_audit_finding_clear(&f);
}

/* The CFE business plan 2017-21: MTFP 2017-18, £000: base + growth - savings = requirement.
 * The savings total is printed in brackets, (18,021); the MTFP takes it
 * away, so its sign is -1 on the magnitude 18,021. */
TEST(audit_seed_mtfp)
{
    const char *items[] = {"123,015", "26,003", "18,021"};
    const int signs[] = {1, 1, -1};
    ap_audit_finding f;
    audit(items, signs, 3, "130,997", NULL, &f);
    CHECK(f.status == AP_AUDIT_OK);
    CHECK_EQ_I64(f.computed, 130997);
    ap_audit_finding_clear(&f);
    /* The same with the savings as printed, (18,021), added. */
    const char *printed[] = {"123,015", "26,003", "(18,021)"};
    audit(printed, NULL, 3, "130,997", NULL, &f);
    CHECK(f.status == AP_AUDIT_OK);
    ap_audit_finding_clear(&f);
    /* A sign slip in the paper would be named: adding 18,021 instead. */
    audit(items, NULL, 3, "130,997", NULL, &f);
    CHECK(f.status == AP_AUDIT_ERROR && f.cause == AP_CAUSE_SIGN_ERROR);
    CHECK(f.item == 2 && f.n_candidates == 1);
    CHECK_STR(f.item_label, "item 3");
    ap_audit_finding_clear(&f);
}

/* The Children's Trust Joint Committee papers of 6 March 2024: savings 2023/24, £000, the Amber column of the first table.
 * Its items are 100 (transport) and 200 (asset management) and zeros; the
 * TOTAL row prints 770.  The stated total is 470 over the items.  470 is
 * not a multiple of 9 (no transposition of an item: 100 and 200 swap only
 * into a leading zero anyway), and 470 +- 2 holds no multiple of 9 either
 * (468 = 9 x 52 is 2 away, just inside: but 770 -> a swap making 302 or
 * 298 does not exist: its digits are 7, 7, 0 and 770 -> 707 changes it by
 * 63); no item is 470 or 235; shifts give 10, 20, 1,000, 2,000, 77 or
 * 7,700; so nothing fits and the finding says so.  (The Green column is
 * 470 short the other way: that is reclassification, a whole-table
 * finding.) */
TEST(audit_seed_savings_amber)
{
    const char *amber[] = {"100", "0", "0", "0", "0", "0", "200",
                           "0",   "0", "0", "0", "0", "0"};
    ap_audit_finding f;
    audit(amber, NULL, N(amber), "770", NULL, &f);
    CHECK(f.status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f.computed, 300);
    CHECK_EQ_I64(f.difference, 470);
    CHECK_EQ_I64(f.tolerance, 7); /* 14 figures of resolution 1 */
    CHECK(f.cause == AP_CAUSE_UNEXPLAINED && f.n_candidates == 0);
    CHECK(f.item == AP_AUDIT_NO_ITEM);
    ap_audit_finding_clear(&f);
}

/* ---- one case per cause ---------------------------------------------------- */

TEST(audit_transposition)
{
    const char *labels[] = {"a", "b"};
    ap_audit_options o = ap_audit_defaults();
    o.labels = labels;
    ap_audit_finding f;

    /* 1,250 + 2,375 = 3,625 printed as 3,652: the total's last two digits
     * swapped (no swap of an item changes it by 27). */
    const char *items[] = {"1,250", "2,375"};
    audit(items, NULL, 2, "3,652", &o, &f);
    CHECK(f.status == AP_AUDIT_ERROR && f.cause == AP_CAUSE_TRANSPOSITION);
    CHECK_EQ_I64(f.difference, 27);
    CHECK(f.item == AP_AUDIT_TOTAL && f.n_candidates == 1);
    CHECK_STR(f.item_label, "the stated total");
    CHECK(has_candidate(&f, AP_CAUSE_TRANSPOSITION, AP_AUDIT_TOTAL, 3625, 0,
                        1));
    CHECK_STR(f.suggestion,
              "The items sum to 3,625, not the stated 3,652 (difference 27). "
              "The stated total is printed as 3,652; 3,625 would agree with "
              "the items: a transposition (two digits swapped).");
    ap_audit_finding_clear(&f);

    /* The same slip in an item: a printed as 1,520 (true 1,250). */
    const char *slipped[] = {"1,520", "2,375"};
    audit(slipped, NULL, 2, "3,625", &o, &f);
    CHECK(f.cause == AP_CAUSE_TRANSPOSITION && f.item == 0);
    CHECK(f.n_candidates == 1);
    CHECK(has_candidate(&f, AP_CAUSE_TRANSPOSITION, 0, 1250, 0, 1));
    CHECK_CONTAINS(f.suggestion, "a is printed as 1,520; 1,250 would make "
                                 "the total agree: a transposition");
    ap_audit_finding_clear(&f);

    /* Non-adjacent digits and a swap across the point. */
    const char *far[] = {"3.07", "1.00"};
    audit(far, NULL, 2, "8.03", &o, &f); /* 3.07 -> 7.03 */
    CHECK(f.cause == AP_CAUSE_TRANSPOSITION && f.item == 0);
    CHECK(has_candidate(&f, AP_CAUSE_TRANSPOSITION, 0, 703, 2, 1));
    ap_audit_finding_clear(&f);

    /* Two figures whose swaps both fit: 1,223 -> 1,232 and 4,556 -> 4,565
     * each add 9.  The cause is clear, the figure is not. */
    const char *two[] = {"1,223", "4,556"};
    audit(two, NULL, 2, "5,788", &o, &f);
    CHECK(f.status == AP_AUDIT_ERROR && f.cause == AP_CAUSE_TRANSPOSITION);
    CHECK(f.item == AP_AUDIT_NO_ITEM && f.item_label == NULL);
    CHECK(f.n_candidates == 2);
    CHECK(has_candidate(&f, AP_CAUSE_TRANSPOSITION, 0, 1232, 0, 1));
    CHECK(has_candidate(&f, AP_CAUSE_TRANSPOSITION, 1, 4565, 0, 1));
    CHECK_STR(f.suggestion,
              "The items sum to 5,779, not the stated 5,788 (difference 9). "
              "A transposition (two digits swapped) would explain it in more "
              "than one figure: either a, printed as 1,223, should be 1,232, "
              "or b, printed as 4,556, should be 4,565; the figures alone "
              "cannot tell which.");
    ap_audit_finding_clear(&f);

    /* A swap that would put a zero first is no transposition: 1,000 + 5
     * stated as 105 is 900 short, which "0,100" for 1,000 would explain,
     * but nobody prints that; 100.0 for 1,000 is a decimal shift. */
    const char *lead[] = {"1,000", "5"};
    audit(lead, NULL, 2, "105", &o, &f);
    CHECK(f.cause == AP_CAUSE_DECIMAL_SHIFT && f.item == 0);
    CHECK(f.n_candidates == 1);
    CHECK(has_candidate(&f, AP_CAUSE_DECIMAL_SHIFT, 0, 1000, 1, 1));
    ap_audit_finding_clear(&f);
    /* A zero before the point of a figure under 1 is printed, and may be
     * swapped: 0.85 for 8.05. */
    const char *under[] = {"0.85", "1.00"};
    audit(under, NULL, 2, "9.05", &o, &f);
    CHECK(f.cause == AP_CAUSE_TRANSPOSITION && f.item == 0);
    CHECK(has_candidate(&f, AP_CAUSE_TRANSPOSITION, 0, 805, 2, 1));
    ap_audit_finding_clear(&f);
}

TEST(audit_decimal_shift_total)
{
    /* 12.5 + 13.0 = 25.5, the total printed as 255: its point lost. */
    const char *items[] = {"12.5", "13.0"};
    ap_audit_finding f;
    audit(items, NULL, 2, "255", NULL, &f);
    CHECK(f.status == AP_AUDIT_ERROR && f.cause == AP_CAUSE_DECIMAL_SHIFT);
    CHECK(f.item == AP_AUDIT_TOTAL && f.n_candidates == 1);
    CHECK(has_candidate(&f, AP_CAUSE_DECIMAL_SHIFT, AP_AUDIT_TOTAL, 255, 1,
                        1));
    CHECK_CONTAINS(f.suggestion, "The stated total is printed as 255; 25.5 "
                                 "would agree with the items: a decimal "
                                 "shift");
    ap_audit_finding_clear(&f);

    /* The other way: 1,250 + 375 = 1,625 printed as 16.25; the corrected
     * figure moves the point right and keeps the digits. */
    const char *b[] = {"1,250", "375"};
    audit(b, NULL, 2, "16.25", NULL, &f);
    CHECK(f.cause == AP_CAUSE_DECIMAL_SHIFT && f.item == AP_AUDIT_TOTAL);
    CHECK(has_candidate(&f, AP_CAUSE_DECIMAL_SHIFT, AP_AUDIT_TOTAL, 1625, 0,
                        1));
    ap_audit_finding_clear(&f);

    /* An item shifted beyond its digits: 5 printed for 5,000. */
    const char *c[] = {"5", "1,000"};
    audit(c, NULL, 2, "6,000", NULL, &f);
    CHECK(f.cause == AP_CAUSE_DECIMAL_SHIFT && f.item == 0);
    CHECK(has_candidate(&f, AP_CAUSE_DECIMAL_SHIFT, 0, 5000, 0, 1));
    ap_audit_finding_clear(&f);
}

TEST(audit_item_slips)
{
    const char *labels[] = {"a", "b", "c"};
    ap_audit_options o = ap_audit_defaults();
    o.labels = labels;
    const char *items[] = {"500", "300", "200"};
    ap_audit_finding f;

    /* Omitted: the total leaves c out. */
    audit(items, NULL, 3, "800", &o, &f);
    CHECK(f.status == AP_AUDIT_ERROR && f.cause == AP_CAUSE_OMITTED_ITEM);
    CHECK(f.item == 2 && f.n_candidates == 1);
    CHECK_STR(f.item_label, "c");
    CHECK(has_candidate(&f, AP_CAUSE_OMITTED_ITEM, 2, 200, 0, 1));
    CHECK_STR(f.suggestion,
              "The items sum to 1,000, not the stated 800 (difference -200). "
              "The stated total differs from the items by exactly c (200), as "
              "if it left c out: an omitted item.");
    ap_audit_finding_clear(&f);

    /* Duplicated: the total counts b twice. */
    audit(items, NULL, 3, "1,300", &o, &f);
    CHECK(f.cause == AP_CAUSE_DUPLICATED_ITEM && f.item == 1);
    CHECK(f.n_candidates == 1);
    CHECK(has_candidate(&f, AP_CAUSE_DUPLICATED_ITEM, 1, 300, 0, 1));
    CHECK_CONTAINS(f.suggestion, "The stated total differs from the items by "
                                 "exactly b (300), as if it counted b twice: "
                                 "a duplicated item.");
    ap_audit_finding_clear(&f);

    /* Sign error: c is to be taken away (500 + 300 - 200 = 600), but the
     * total added it. */
    const int signs[] = {1, 1, -1};
    audit(items, signs, 3, "1,000", &o, &f);
    CHECK(f.status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f.computed, 600);
    CHECK(f.cause == AP_CAUSE_SIGN_ERROR && f.item == 2);
    CHECK(f.n_candidates == 1);
    CHECK(has_candidate(&f, AP_CAUSE_SIGN_ERROR, 2, -200, 0, 1));
    CHECK_STR(f.suggestion, "The items sum to 600, not the stated 1,000 "
                            "(difference 400). The difference is exactly "
                            "twice c (200), as if the stated total took c "
                            "with the wrong sign: a sign error.");
    ap_audit_finding_clear(&f);

    /* With a sign of -1, a duplicate takes the item away twice: the total
     * is short by it. */
    audit(items, signs, 3, "400", &o, &f);
    CHECK(f.cause == AP_CAUSE_DUPLICATED_ITEM && f.item == 2);
    ap_audit_finding_clear(&f);
    /* ... and leaving it out leaves the total over by it. */
    audit(items, signs, 3, "800", &o, &f);
    CHECK(f.cause == AP_CAUSE_OMITTED_ITEM && f.item == 2);
    ap_audit_finding_clear(&f);

    /* A zero item never explains anything. */
    const char *zeros[] = {"0", "-", "500"};
    audit(zeros, NULL, 3, "1,000", &o, &f);
    CHECK(f.cause == AP_CAUSE_DUPLICATED_ITEM && f.item == 2);
    CHECK(f.n_candidates == 1);
    ap_audit_finding_clear(&f);

    /* Within rounding but not exactly: 500 left out of a total printed
     * to units, 700 for 700.3; the candidate is not exact and the text
     * says so. */
    const char *r[] = {"700.3", "2,345"};
    audit(r, NULL, 2, "700", &o, &f);
    CHECK_EQ_I64(f.difference, -23453);
    CHECK_EQ_I64(f.tolerance, 10);
    CHECK(f.cause == AP_CAUSE_OMITTED_ITEM && f.item == 1);
    CHECK(f.n_candidates == 1);
    CHECK(has_candidate(&f, AP_CAUSE_OMITTED_ITEM, 1, 2345, 0, 0));
    CHECK_CONTAINS(f.suggestion, "by b (2,345) within rounding");
    ap_audit_finding_clear(&f);
}

TEST(audit_ties)
{
    const char *labels[] = {"a", "b", "c"};
    ap_audit_options o = ap_audit_defaults();
    o.labels = labels;
    ap_audit_finding f;

    /* Two equal items, either left out: the cause is clear, not which. */
    const char *equal[] = {"250", "250", "100"};
    audit(equal, NULL, 3, "350", &o, &f);
    CHECK(f.status == AP_AUDIT_ERROR && f.cause == AP_CAUSE_OMITTED_ITEM);
    CHECK(f.item == AP_AUDIT_NO_ITEM && f.item_label == NULL);
    CHECK(f.n_candidates == 2);
    CHECK(has_candidate(&f, AP_CAUSE_OMITTED_ITEM, 0, 250, 0, 1));
    CHECK(has_candidate(&f, AP_CAUSE_OMITTED_ITEM, 1, 250, 0, 1));
    CHECK_STR(f.suggestion,
              "The items sum to 600, not the stated 350 (difference -250). "
              "An omitted item would explain it in more than one figure: "
              "either a (250) left out of the total, or b (250) left out of "
              "the total; the figures alone cannot tell which.");
    ap_audit_finding_clear(&f);

    /* Two causes: b (9) counted twice, or a's last digits swapped
     * (1,223 -> 1,232).  Neither is named. */
    const char *two[] = {"1,223", "9"};
    audit(two, NULL, 2, "1,241", &o, &f);
    CHECK(f.status == AP_AUDIT_ERROR && f.cause == AP_CAUSE_UNEXPLAINED);
    CHECK(f.item == AP_AUDIT_NO_ITEM && f.item_label == NULL);
    CHECK(f.n_candidates == 2);
    CHECK(has_candidate(&f, AP_CAUSE_TRANSPOSITION, 0, 1232, 0, 1));
    CHECK(has_candidate(&f, AP_CAUSE_DUPLICATED_ITEM, 1, 9, 0, 1));
    CHECK_STR(f.suggestion,
              "The items sum to 1,232, not the stated 1,241 (difference 9). "
              "More than one explanation fits equally well: either a, printed "
              "as 1,223, should be 1,232 (a transposition), or b (9) counted "
              "twice in the total (a duplicated item); the figures alone "
              "cannot tell which.");
    ap_audit_finding_clear(&f);

    /* One figure, two corrections of the same kind within rounding: the
     * figure is singled out, its true value is not.  Nine rows in £000,
     * eight of them nil, allow 5 either way: 100 for 10 leaves -4, for 1
     * leaves +5. */
    const char *one[] = {"100", "-", "-", "-", "-", "-", "-", "-", "-"};
    audit(one, NULL, 9, "6", NULL, &f);
    CHECK(f.status == AP_AUDIT_ERROR && f.cause == AP_CAUSE_DECIMAL_SHIFT);
    CHECK_EQ_I64(f.tolerance, 5);
    CHECK(f.item == 0 && f.n_candidates == 2);
    CHECK_STR(f.item_label, "item 1");
    CHECK(has_candidate(&f, AP_CAUSE_DECIMAL_SHIFT, 0, 100, 1, 0));
    CHECK(has_candidate(&f, AP_CAUSE_DECIMAL_SHIFT, 0, 100, 2, 0));
    CHECK_STR(f.suggestion,
              "The items sum to 100, not the stated 6 (difference -94). Item "
              "1 is printed as 100; either 10.0 or 1.00 would make the total "
              "agree within rounding: a decimal shift (the point in the "
              "wrong place).");
    ap_audit_finding_clear(&f);
}

TEST(audit_options_decimals)
{
    const char *items[] = {"1", "2"};
    ap_audit_finding f;
    /* As printed, 1 and 2 may each be 0.5 off: 3.4 is rounding. */
    audit(items, NULL, 2, "3.4", NULL, &f);
    CHECK(f.status == AP_AUDIT_ROUNDING);
    CHECK_EQ_I64(f.scale, 1);
    CHECK_EQ_I64(f.tolerance, 10); /* (10 + 10 + 1) / 2 */
    ap_audit_finding_clear(&f);
    /* Printed to one decimal throughout, "1" is 1.0: 0.4 is an error. */
    ap_audit_options o = ap_audit_defaults();
    o.decimals = 1;
    audit(items, NULL, 2, "3.4", &o, &f);
    CHECK(f.status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f.scale, 1);
    CHECK_EQ_I64(f.difference, 4);
    CHECK_EQ_I64(f.tolerance, 1);
    ap_audit_finding_clear(&f);
    /* A finer precision than the text sets the scale too. */
    o.decimals = 3;
    audit(items, NULL, 2, "3.4", &o, &f);
    CHECK_EQ_I64(f.scale, 3);
    CHECK_EQ_I64(f.stated, 3400);
    CHECK_EQ_I64(f.difference, 400);
    CHECK_EQ_I64(f.tolerance, 1);
    ap_audit_finding_clear(&f);
    /* A coarser one widens the allowance of finer prints. */
    const char *fine[] = {"1.23", "2.34"};
    o.decimals = 0;
    audit(fine, NULL, 2, "3.0", &o, &f);
    CHECK_EQ_I64(f.scale, 2);
    CHECK_EQ_I64(f.tolerance, 150);
    CHECK(f.status == AP_AUDIT_ROUNDING);
    ap_audit_finding_clear(&f);
}

TEST(audit_errors)
{
    ap_audit_finding f;
    ap_error err;
    ap_figure items[3] = {{INT64_MAX, 0}, {5, 1}, {1, 0}};
    ap_figure stated = {0, 0};
    const char *labels[] = {"big", "small", "one"};
    ap_audit_options o = ap_audit_defaults();
    o.labels = labels;

    /* A figure too large at the common scale, named. */
    memset(&f, 0xAB, sizeof f);
    CHECK(ap_audit_sum(items, NULL, 2, &stated, &o, &f, &err) ==
          AP_E_OVERFLOW);
    CHECK_CONTAINS(err.message, "big: 9,223,372,036,854,775,807 is too "
                                "large for a 64-bit integer at 1 decimals");
    CHECK(f.suggestion == NULL && f.candidates == NULL && f.status == 0);
    /* The stated total too. */
    ap_figure big_stated = {INT64_MAX / 5, 0};
    ap_figure small[1] = {{1, 1}};
    CHECK(ap_audit_sum(small, NULL, 1, &big_stated, NULL, &f, &err) ==
          AP_E_OVERFLOW);
    CHECK_CONTAINS(err.message, "the stated total:");
    /* A sum too large, naming the item at which it overflows. */
    ap_figure halves[3] = {{INT64_MAX / 2 + 1, 0}, {1, 0},
                           {INT64_MAX / 2 + 1, 0}};
    CHECK(ap_audit_sum(halves, NULL, 3, &stated, &o, &f, &err) ==
          AP_E_OVERFLOW);
    CHECK_CONTAINS(err.message, "when one is added");
    /* An overflow on the way that the last item brings back is fine. */
    int back[3] = {1, 1, -1};
    CHECK(ap_audit_sum(halves, back, 3, &stated, &o, &f, &err) == AP_OK);
    CHECK_EQ_I64(f.computed, 1);
    ap_audit_finding_clear(&f);
    /* A difference too large. */
    ap_figure top[1] = {{INT64_MAX, 0}};
    ap_figure bottom = {-INT64_MAX, 0};
    CHECK(ap_audit_sum(top, NULL, 1, &bottom, NULL, &f, &err) ==
          AP_E_OVERFLOW);
    CHECK_CONTAINS(err.message, "difference");
    /* The largest difference that fits is audited. */
    ap_figure near_top[1] = {{INT64_MAX, 0}};
    ap_figure zero = {0, 0};
    CHECK(ap_audit_sum(near_top, NULL, 1, &zero, NULL, &f, &err) == AP_OK);
    CHECK(f.status == AP_AUDIT_ERROR && f.cause == AP_CAUSE_OMITTED_ITEM);
    ap_audit_finding_clear(&f);

    /* Bad input. */
    memset(&f, 0xAB, sizeof f);
    CHECK(ap_audit_sum(items, NULL, 0, &stated, NULL, &f, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "no items");
    CHECK(f.suggestion == NULL && f.n_candidates == 0);
    CHECK(ap_audit_sum(NULL, NULL, 2, &stated, NULL, &f, &err) == AP_E_INPUT);
    CHECK(ap_audit_sum(items, NULL, 2, NULL, NULL, &f, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "stated total is missing");
    CHECK(ap_audit_sum(items, NULL, 2, &stated, NULL, NULL, &err) ==
          AP_E_INPUT);
    int bad_signs[2] = {1, 0};
    ap_figure ok[2] = {{1, 0}, {2, 0}};
    CHECK(ap_audit_sum(ok, bad_signs, 2, &stated, &o, &f, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "small: sign 0 is not +1 or -1");
    ap_figure bad_dec[2] = {{1, 0}, {2, 16}};
    CHECK(ap_audit_sum(bad_dec, NULL, 2, &stated, NULL, &f, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "item 2: 16 decimals is outside 0..15");
    ap_figure neg_dec = {1, -1};
    CHECK(ap_audit_sum(ok, NULL, 2, &neg_dec, NULL, &f, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "the stated total: -1 decimals");
    o.decimals = 16;
    CHECK(ap_audit_sum(ok, NULL, 2, &stated, &o, &f, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "decimals 16");
    o.decimals = -2;
    CHECK(ap_audit_sum(ok, NULL, 2, &stated, &o, &f, &err) == AP_E_INPUT);
    CHECK(f.suggestion == NULL);
    /* err may be NULL. */
    CHECK(ap_audit_sum(ok, NULL, 0, &stated, NULL, &f, NULL) == AP_E_INPUT);
}

TEST(audit_extremes)
{
    /* The finest figures: 15 decimals; a shift of the point right is
     * still tried, to the left it would pass the limit. */
    ap_figure items[2] = {{123456789012345, 15}, {1, 15}};
    ap_figure stated = {123456789012346, 14}; /* the point one place out */
    ap_audit_finding f;
    ap_error err;
    CHECK(ap_audit_sum(items, NULL, 2, &stated, NULL, &f, &err) == AP_OK);
    CHECK(f.status == AP_AUDIT_ERROR && f.cause == AP_CAUSE_DECIMAL_SHIFT);
    CHECK(f.item == AP_AUDIT_TOTAL);
    CHECK(has_candidate(&f, AP_CAUSE_DECIMAL_SHIFT, AP_AUDIT_TOTAL,
                        123456789012346, 15, 1));
    ap_audit_finding_clear(&f);
    /* 19-digit figures: every swap is tried without overflow.  INT64_MAX
     * (...807) with its last two digits swapped would be ...870, past
     * int64: no candidate, though the arithmetic fits, so only the total
     * (...770, its own 7 and 0 swapped) is named. */
    ap_figure big[2] = {{INT64_MAX, 0}, {-100, 0}};
    ap_figure total_big = {INT64_MAX - 37, 0}; /* ...770 */
    CHECK(ap_audit_sum(big, NULL, 2, &total_big, NULL, &f, &err) == AP_OK);
    CHECK_EQ_I64(f.difference, 63);
    CHECK(f.cause == AP_CAUSE_TRANSPOSITION && f.n_candidates == 1);
    CHECK(f.item == AP_AUDIT_TOTAL);
    CHECK(has_candidate(&f, AP_CAUSE_TRANSPOSITION, AP_AUDIT_TOTAL,
                        INT64_MAX - 100, 0, 1));
    ap_audit_finding_clear(&f);
    /* ...708 against ...807: the item's swap and the total's both fit. */
    ap_figure near[1] = {{INT64_MAX - 99, 0}};
    ap_figure top = {INT64_MAX, 0};
    CHECK(ap_audit_sum(near, NULL, 1, &top, NULL, &f, &err) == AP_OK);
    CHECK(f.cause == AP_CAUSE_TRANSPOSITION && f.item == AP_AUDIT_NO_ITEM);
    CHECK(has_candidate(&f, AP_CAUSE_TRANSPOSITION, 0, INT64_MAX, 0, 1));
    CHECK(has_candidate(&f, AP_CAUSE_TRANSPOSITION, AP_AUDIT_TOTAL,
                        INT64_MAX - 99, 0, 1));
    ap_audit_finding_clear(&f);
    /* Negative figures swap their digits and keep their sign. */
    ap_figure neg[2] = {{-1520, 0}, {100, 0}};
    ap_figure total = {-1150, 0};
    CHECK(ap_audit_sum(neg, NULL, 2, &total, NULL, &f, &err) == AP_OK);
    CHECK(f.cause == AP_CAUSE_TRANSPOSITION && f.item == 0);
    CHECK(has_candidate(&f, AP_CAUSE_TRANSPOSITION, 0, -1250, 0, 1));
    ap_audit_finding_clear(&f);
}

/* ---- a brute-force check ---------------------------------------------------
 * An independent, slow search: transpositions by swapping the characters
 * of the printed text and reading it back, every value at 18 decimals, no
 * pruning.  Its best candidates must be the finding's. */

typedef struct oracle_cand {
    ap_audit_cause cause;
    size_t item;
    __int128 value18; /* the corrected figure at 18 decimals */
    int exact;
} oracle_cand;

static __int128 p10(int k)
{
    __int128 p = 1;
    while (k-- > 0)
        p *= 10;
    return p;
}

static __int128 at18(ap_figure f)
{
    return (__int128)f.value * p10(18 - f.decimals);
}

typedef struct oracle {
    oracle_cand v[4096];
    size_t n;
    __int128 diff, allowance2;
} oracle;

static void oracle_add(oracle *o, ap_audit_cause cause, size_t item,
                       __int128 value18, __int128 remaining)
{
    __int128 a = remaining < 0 ? -remaining : remaining;
    if (2 * a > o->allowance2)
        return;
    for (size_t k = 0; k < o->n; k++)
        if (o->v[k].cause == cause && o->v[k].item == item &&
            o->v[k].value18 == value18)
            return;
    CHECK(o->n < 4096);
    o->v[o->n].cause = cause;
    o->v[o->n].item = item;
    o->v[o->n].value18 = value18;
    o->v[o->n].exact = remaining == 0;
    o->n++;
}

/* effect: how a rise in the figure moves the difference (+1 the total,
 * -sign an item). */
static void oracle_figure(oracle *o, size_t item, ap_figure f, int effect,
                          int sign)
{
    if (f.value == 0)
        return;
    __int128 was = at18(f);
    /* The digits as printed, without grouping or sign. */
    char raw[32], digits[32];
    unsigned long long mag = f.value < 0 ? 0ull - (unsigned long long)f.value
                                         : (unsigned long long)f.value;
    snprintf(raw, sizeof raw, "%llu", mag);
    int pad = f.decimals + 1 - (int)strlen(raw);
    if (pad < 0)
        pad = 0;
    memset(digits, '0', (size_t)pad);
    strcpy(digits + pad, raw);
    int len = (int)strlen(digits);
    int int_len = len - f.decimals;
    for (int i = 0; i < len; i++)
        for (int j = i + 1; j < len; j++) {
            if (digits[i] == digits[j])
                continue;
            char s[32];
            memcpy(s, digits, sizeof s);
            char t = s[i];
            s[i] = s[j];
            s[j] = t;
            if (int_len >= 2 && s[0] == '0')
                continue;
            unsigned long long m = strtoull(s, NULL, 10);
            if (m > (unsigned long long)INT64_MAX)
                continue;
            ap_figure c = {f.value < 0 ? -(int64_t)m : (int64_t)m,
                           f.decimals};
            oracle_add(o, AP_CAUSE_TRANSPOSITION, item, at18(c),
                       o->diff + effect * (at18(c) - was));
        }
    for (int k = 1; k <= 3; k++) {
        __int128 up = was * p10(k), down = was / p10(k);
        if (up / p10(18 - (f.decimals > k ? f.decimals - k : 0)) <=
            INT64_MAX)
            oracle_add(o, AP_CAUSE_DECIMAL_SHIFT, item, up,
                       o->diff + effect * (up - was));
        if (f.decimals + k <= 15)
            oracle_add(o, AP_CAUSE_DECIMAL_SHIFT, item, down,
                       o->diff + effect * (down - was));
    }
    if (sign != 0) {
        oracle_add(o, AP_CAUSE_DUPLICATED_ITEM, item, was,
                   o->diff - sign * was);
        oracle_add(o, AP_CAUSE_OMITTED_ITEM, item, was, o->diff + sign * was);
        oracle_add(o, AP_CAUSE_SIGN_ERROR, item, -was,
                   o->diff + 2 * sign * was);
    } else {
        /* The stated total itself printed with the wrong sign. */
        oracle_add(o, AP_CAUSE_SIGN_ERROR, item, -was, o->diff - 2 * was);
    }
}

/* A variance printed in the other convention: the total's sign is wrong,
 * and the audit says so rather than "unexplained". */
TEST(audit_total_sign_error)
{
    const char *items[] = {"172", "(616)", "(186)", "1,700"};
    ap_audit_finding f;
    audit(items, NULL, 4, "(1,070)", NULL, &f);
    CHECK(f.status == AP_AUDIT_ERROR);
    CHECK(f.cause == AP_CAUSE_SIGN_ERROR && f.item == AP_AUDIT_TOTAL);
    CHECK(has_candidate(&f, AP_CAUSE_SIGN_ERROR, AP_AUDIT_TOTAL, 1070, 0, 1));
    CHECK_STR(f.suggestion, "The items sum to 1,070, not the stated -1,070 "
                            "(difference -2,140). The stated total is printed "
                            "as -1,070; 1,070 would agree with the items: a "
                            "sign error.");
    ap_audit_finding_clear(&f);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(uint64_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state % n;
}

static ap_figure random_figure(void)
{
    static const int64_t ranges[] = {10, 100, 1000, 10000, 1000000};
    ap_figure f;
    f.decimals = (int)rnd(4);
    f.value = (int64_t)rnd((uint64_t)ranges[rnd(5)]);
    if (rnd(8) == 0)
        f.value = -f.value;
    return f;
}

/* The truncation oracle: does some choice of true values explain diff
 * (at 18 decimals), with every item printed cut toward zero and the total
 * rounded, cut or exact?  Each printed figure's term in diff (sign * item
 * for an item, -total for the total) leans one way when cut: its true
 * term lies between the printed term and one unit further from zero, the
 * far end open; a nil is only ever rounded (half a unit either way).
 * Counted as a sum of open and closed intervals scaled by
 * two. */
static int oracle_truncated(const ap_figure *items, const int *signs, size_t n,
                            const ap_figure *stated,
                            const ap_audit_options *opt, __int128 diff)
{
    __int128 lo = 0, hi = 0;
    int lo_open = 0, hi_open = 0;
    for (size_t i = 0; i < n; i++) {
        int rd = opt->decimals >= 0 ? opt->decimals : items[i].decimals;
        __int128 r2 = 2 * p10(18 - rd);
        __int128 term = signs[i] * (__int128)items[i].value;
        /* true term - printed term */
        if (term > 0) {
            hi += r2;
            hi_open = 1;
        } else if (term < 0) {
            lo -= r2;
            lo_open = 1;
        } else { /* a nil is taken as rounded, never cut */
            hi += r2 / 2;
            lo -= r2 / 2;
        }
    }
    if (!opt->stated_exact) {
        int rd = opt->decimals >= 0 ? opt->decimals : stated->decimals;
        __int128 r2 = 2 * p10(18 - rd);
        /* diff = (true items) - (true total) + (true total - stated) ...
         * written as: printed total - true total in [-r, r/2] above zero
         * (cut: (-r, 0]; rounded: [-r/2, r/2]), mirrored below. */
        if (stated->value > 0) {
            lo -= r2;
            lo_open = 1;
            hi += r2 / 2;
        } else if (stated->value < 0) {
            lo -= r2 / 2;
            hi += r2;
            hi_open = 1;
        } else {
            lo -= r2 / 2;
            hi += r2 / 2;
        }
    }
    __int128 d2 = 2 * diff;
    return (lo_open ? d2 > lo : d2 >= lo) && (hi_open ? d2 < hi : d2 <= hi);
}

TEST(audit_matches_brute_force)
{
    static oracle o;
    size_t seen[AP_AUDIT_CAUSE_COUNT] = {0};
    for (int round = 0; round < 6000; round++) {
        size_t n = 1 + (size_t)rnd(5);
        ap_figure items[6];
        int signs[6];
        for (size_t i = 0; i < n; i++) {
            items[i] = random_figure();
            signs[i] = rnd(4) == 0 ? -1 : 1;
        }
        ap_audit_options opt = ap_audit_defaults();
        opt.stated_exact = rnd(4) == 0;
        if (rnd(5) == 0)
            opt.decimals = (int)rnd(4);
        /* The stated total: the true sum (at the finest decimals, so that
         * the rounding allowance is not all used), then a slip in a copy
         * of the figures, or a random figure. */
        ap_figure truth[6];
        memcpy(truth, items, sizeof truth);
        size_t j = (size_t)rnd(n);
        int kind = (int)rnd(7);
        int dmax = 0;
        for (size_t i = 0; i < n; i++)
            if (items[i].decimals > dmax)
                dmax = items[i].decimals;
        __int128 sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += signs[i] * at18(truth[i]);
        if (kind == 1) { /* a digit swap in item j */
            ap_figure f = items[j];
            int64_t m = f.value < 0 ? -f.value : f.value;
            int a = (int)rnd(4), b = (int)rnd(4);
            int64_t pa = (int64_t)p10(a), pb = (int64_t)p10(b);
            int64_t da = m / pa % 10, db = m / pb % 10;
            m += (db - da) * pa + (da - db) * pb;
            items[j].value = f.value < 0 ? -m : m;
        } else if (kind == 2) { /* a shift of item j */
            items[j].decimals = items[j].decimals >= 1 && rnd(2)
                                    ? items[j].decimals - 1
                                    : items[j].decimals + 1;
        } else if (kind == 3) { /* the sum counts j twice */
            sum += signs[j] * at18(truth[j]);
        } else if (kind == 4) { /* or leaves it out */
            sum -= signs[j] * at18(truth[j]);
        } else if (kind == 5) { /* or takes it with the wrong sign */
            sum -= 2 * signs[j] * at18(truth[j]);
        }
        ap_figure stated;
        stated.decimals = dmax;
        stated.value = (int64_t)(sum / p10(18 - dmax));
        if (kind == 6)
            stated = random_figure();
        if (rnd(6) == 0 && stated.decimals < 15) { /* shift the total */
            stated.decimals++;
        }

        ap_audit_finding f;
        ap_error err;
        CHECK(ap_audit_sum(items, signs, n, &stated, &opt, &f, &err) ==
              AP_OK);

        /* The oracle. */
        o.n = 0;
        __int128 computed = 0;
        o.allowance2 = 0;
        for (size_t i = 0; i < n; i++) {
            computed += signs[i] * at18(items[i]);
            int rd = opt.decimals >= 0 ? opt.decimals : items[i].decimals;
            o.allowance2 += p10(18 - rd);
        }
        if (!opt.stated_exact)
            o.allowance2 +=
                p10(18 - (opt.decimals >= 0 ? opt.decimals : stated.decimals));
        o.diff = at18(stated) - computed;
        CHECK(o.diff == (__int128)f.difference * p10(18 - f.scale));
        ap_audit_status status =
            o.diff == 0 ? AP_AUDIT_OK
            : 2 * (o.diff < 0 ? -o.diff : o.diff) <= o.allowance2
                ? AP_AUDIT_ROUNDING
                : AP_AUDIT_ERROR;
        if (status == AP_AUDIT_ERROR &&
            oracle_truncated(items, signs, n, &stated, &opt, o.diff)) {
            status = AP_AUDIT_ROUNDING;
            CHECK(f.cause == AP_CAUSE_TRUNCATION);
        }
        CHECK(f.status == status);
        if (status == AP_AUDIT_ERROR) {
            for (size_t i = 0; i < n; i++)
                oracle_figure(&o, i, items[i], -signs[i], signs[i]);
            oracle_figure(&o, AP_AUDIT_TOTAL, stated, 1, 0);
        }
        int any_exact = 0;
        for (size_t k = 0; k < o.n; k++)
            any_exact |= o.v[k].exact;
        size_t best = 0;
        for (size_t k = 0; k < o.n; k++)
            if (o.v[k].exact || !any_exact)
                o.v[best++] = o.v[k];
        if (best != f.n_candidates) {
            fprintf(stderr, "round %d: oracle %zu candidates, audit %zu: %s\n",
                    round, best, f.n_candidates, f.suggestion);
            exit(1);
        }
        for (size_t k = 0; k < best; k++) {
            int found = 0;
            for (size_t q = 0; q < f.n_candidates; q++) {
                const ap_audit_candidate *c = &f.candidates[q];
                found |= c->cause == o.v[k].cause && c->item == o.v[k].item &&
                         at18(c->corrected) == o.v[k].value18 &&
                         !c->exact == !o.v[k].exact;
            }
            if (!found) {
                fprintf(stderr, "round %d: the audit misses %s of %zu: %s\n",
                        round, ap_audit_cause_name(o.v[k].cause),
                        o.v[k].item, f.suggestion);
                exit(1);
            }
        }
        /* The classification of the best. */
        if (status == AP_AUDIT_ERROR) {
            int one_cause = 1, one_item = 1;
            for (size_t k = 1; k < best; k++) {
                one_cause &= o.v[k].cause == o.v[0].cause;
                one_item &= o.v[k].item == o.v[0].item;
            }
            ap_audit_cause want = best == 0 || !one_cause
                                      ? AP_CAUSE_UNEXPLAINED
                                      : o.v[0].cause;
            size_t want_item = best > 0 && one_cause && one_item
                                   ? o.v[0].item
                                   : AP_AUDIT_NO_ITEM;
            CHECK(f.cause == want && f.item == want_item);
            CHECK(!(f.item == AP_AUDIT_NO_ITEM) == !(f.item_label == NULL) ||
                  f.item != AP_AUDIT_NO_ITEM);
            /* Every candidate corrected figure is a valid figure. */
            for (size_t q = 0; q < f.n_candidates; q++)
                CHECK(f.candidates[q].corrected.decimals >= 0 &&
                      f.candidates[q].corrected.decimals <=
                          AP_FIGURE_MAX_DECIMALS);
        }
        seen[f.cause]++;
        ap_audit_finding_clear(&f);
    }
    /* The rounds reach every outcome of a sum (reclassification is a
     * table's, illegible a check not made). */
    for (int c = AP_CAUSE_NONE; c < AP_AUDIT_CAUSE_COUNT; c++)
        if (c != AP_CAUSE_RECLASSIFICATION && c != AP_CAUSE_ILLEGIBLE &&
            seen[c] == 0) {
            fprintf(stderr, "no round ended in %s\n",
                    ap_audit_cause_name((ap_audit_cause)c));
            exit(1);
        }
}

/* ---- many items --------------------------------------------------------- */

/* 200,000 nine-digit items, the stated total 900,000 over: the allowance
 * is 100,000, so every item passes the cheap test and has its digit swaps
 * tried.  Exactly the items whose digit at 10^5 is one more than their
 * digit at 10^6 swap into +900,000 (no other swap, shift or slip of a
 * nine-digit item makes exactly that), and the stated total if its digit
 * at 10^6 is one more than at 10^5.  The search must stay linear. */
static int digit_at(int64_t v, int place)
{
    for (int k = 0; k < place; k++)
        v /= 10;
    return (int)(v % 10);
}

TEST(audit_many_items)
{
    size_t n = 200000;
    ap_figure *items = malloc(n * sizeof *items);
    CHECK(items != NULL);
    int64_t sum = 0;
    size_t expect = 0;
    rng_state = 12345;
    for (size_t i = 0; i < n; i++) {
        items[i].value = 100000000 + (int64_t)rnd(900000000);
        items[i].decimals = 0;
        sum += items[i].value;
        expect += digit_at(items[i].value, 5) == digit_at(items[i].value, 6) + 1;
    }
    ap_figure stated = {sum + 900000, 0};
    expect += digit_at(stated.value, 6) == digit_at(stated.value, 5) + 1;
    ap_audit_finding f;
    ap_error err;
    clock_t t0 = clock();
    CHECK(ap_audit_sum(items, NULL, n, &stated, NULL, &f, &err) == AP_OK);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    if (getenv("AP_AUDIT_TIMING"))
        fprintf(stderr, "%zu items: %.3f s\n", n, secs);
    CHECK(f.status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f.tolerance, 100000);
    CHECK(expect > 1);
    CHECK_EQ_I64(f.n_candidates, expect);
    CHECK(f.cause == AP_CAUSE_TRANSPOSITION && f.item == AP_AUDIT_NO_ITEM);
    for (size_t k = 0; k < f.n_candidates; k++) {
        const ap_audit_candidate *c = &f.candidates[k];
        CHECK(c->exact && c->cause == AP_CAUSE_TRANSPOSITION);
        int64_t was = c->item == AP_AUDIT_TOTAL ? stated.value
                                                : items[c->item].value;
        CHECK_EQ_I64(c->corrected.value - was,
                     c->item == AP_AUDIT_TOTAL ? -900000 : 900000);
    }
    /* The suggestion lists a few and counts the rest. */
    CHECK_CONTAINS(f.suggestion, "more like them");
    CHECK(strlen(f.suggestion) < 1000);
    ap_audit_finding_clear(&f);

    /* One item left out among them is found exactly. */
    ap_figure left = {sum - items[777].value, 0};
    CHECK(ap_audit_sum(items, NULL, n, &left, NULL, &f, &err) == AP_OK);
    CHECK(has_candidate(&f, AP_CAUSE_OMITTED_ITEM, 777, items[777].value, 0,
                        1));
    ap_audit_finding_clear(&f);
    free(items);
}

/* ---- one printed figure against its exact value (audit_figure.c) ------- */

/* The finding of ap_audit_figure (value in pence as num/den), or of
 * ap_audit_rate when rate; exits on an error. */
static ap_audit_finding judged(const char *text, int64_t num, int64_t den,
                               int rate)
{
    ap_audit_finding f;
    ap_error err;
    ap_status st = rate ? ap_audit_rate(num, den, text, (size_t)-1, &f, &err)
                        : ap_audit_figure(text, (size_t)-1, num, den, &f, &err);
    if (st != AP_OK) {
        fprintf(stderr, "judging \"%s\" failed: %s\n", text, err.message);
        exit(1);
    }
    return f;
}

static int judged_as(const char *text, int64_t num, int64_t den, int rate,
                     ap_audit_status status, ap_audit_cause cause)
{
    ap_audit_finding f = judged(text, num, den, rate);
    int ok = f.status == status && f.cause == cause;
    if (!ok)
        fprintf(stderr, "\"%s\" against %lld/%lld: %s (%s): %s\n", text,
                (long long)num, (long long)den,
                ap_audit_status_name(f.status), ap_audit_cause_name(f.cause),
                f.suggestion);
    ap_audit_finding_clear(&f);
    return ok;
}

TEST(audit_figure_seed_figures)
{
    /* NCT annual report 2021/22, section 3.1: 29 of 37 support-service
     * KPIs met, printed "78.3%"; 29/37 is 78.378...%, so that is the cut. */
    ap_audit_finding f = judged("78.3%", 29, 37, 1);
    CHECK(f.status == AP_AUDIT_ROUNDING && f.cause == AP_CAUSE_TRUNCATION);
    CHECK(f.item == AP_AUDIT_TOTAL);
    CHECK_STR(f.item_label, "the stated figure");
    CHECK(f.scale == 5);
    CHECK_EQ_I64(f.stated, 7830000);
    CHECK_EQ_I64(f.computed, 7837838);
    CHECK_EQ_I64(f.tolerance, 5000);
    CHECK_STR(f.suggestion, "78.3% is about 78.37838% cut toward zero to the "
                            "nearest 0.1% (truncation); rounded it would be "
                            "78.4%.");
    ap_audit_finding_clear(&f);
    CHECK(judged_as("78.4%", 29, 37, 1, AP_AUDIT_OK, AP_CAUSE_ROUNDING));
    CHECK(judged_as("78.5%", 29, 37, 1, AP_AUDIT_ERROR, AP_CAUSE_UNEXPLAINED));

    /* IASS service plan 2021/22, section 5, Table 1: a quarter of the
     * £211,654 budget is £52,913.50, printed £52,914: a tie rounded. */
    f = judged("£52,914", 21165400, 4, 0);
    CHECK(f.status == AP_AUDIT_OK && f.cause == AP_CAUSE_ROUNDING);
    CHECK(f.scale == 2 && f.item == AP_AUDIT_NO_ITEM && !f.item_label);
    CHECK_EQ_I64(f.stated, 5291400);
    CHECK_EQ_I64(f.computed, 5291350);
    CHECK_EQ_I64(f.difference, 50);
    CHECK_STR(f.suggestion,
              "£52,914 is £52,913.50 rounded to the nearest £1.");
    ap_audit_finding_clear(&f);

    /* The IASS variation notice of 26 October 2022, paragraph 7.1.2: the
     * WNC budget "£211k", beside the plan's £211,654: cut, not rounded. */
    f = judged("£211k", 21165400, 1, 0);
    CHECK(f.status == AP_AUDIT_ROUNDING && f.cause == AP_CAUSE_TRUNCATION);
    CHECK_EQ_I64(f.difference, -65400);
    CHECK_EQ_I64(f.tolerance, 50000);
    CHECK_STR(f.suggestion,
              "£211k is £211,654.00 cut toward zero to the nearest £1,000 "
              "(truncation); rounded it would be £212,000.");
    ap_audit_finding_clear(&f);
}

TEST(audit_figure_ties_units_and_signs)
{
    /* Ties: half up (away from zero) and half to even are both ok. */
    CHECK(judged_as("£2", 250, 1, 0, AP_AUDIT_OK, AP_CAUSE_ROUNDING));
    CHECK(judged_as("£3", 250, 1, 0, AP_AUDIT_OK, AP_CAUSE_ROUNDING));
    CHECK(judged_as("£3", 350, 1, 0, AP_AUDIT_ROUNDING, AP_CAUSE_TRUNCATION));
    CHECK(judged_as("-£2", -250, 1, 0, AP_AUDIT_OK, AP_CAUSE_ROUNDING));
    CHECK(judged_as("(£3)", -250, 1, 0, AP_AUDIT_OK, AP_CAUSE_ROUNDING));
    CHECK(judged_as("-£3", -350, 1, 0, AP_AUDIT_ROUNDING,
                    AP_CAUSE_TRUNCATION));
    CHECK(judged_as("-£4", -350, 1, 0, AP_AUDIT_OK, AP_CAUSE_ROUNDING));
    /* Multipliers, inside brackets too, and in words. */
    CHECK(judged_as("£1.2m", 124999999, 1, 0, AP_AUDIT_OK, AP_CAUSE_ROUNDING));
    CHECK(judged_as("(£1.2m)", -124999999, 1, 0, AP_AUDIT_OK,
                    AP_CAUSE_ROUNDING));
    CHECK(judged_as("£1.2M", 129999999, 1, 0, AP_AUDIT_ROUNDING,
                    AP_CAUSE_TRUNCATION));
    CHECK(judged_as("£2 million", 200000000, 1, 0, AP_AUDIT_OK,
                    AP_CAUSE_NONE));
    CHECK(judged_as("£0.3bn", 30000000000, 1, 0, AP_AUDIT_OK,
                    AP_CAUSE_NONE));
    CHECK(judged_as("£407K", 40650000, 1, 0, AP_AUDIT_OK, AP_CAUSE_ROUNDING));
    CHECK(judged_as("£406k", 40650000, 1, 0, AP_AUDIT_OK, AP_CAUSE_ROUNDING));
    CHECK(judged_as("£405k", 40650000, 1, 0, AP_AUDIT_ERROR,
                    AP_CAUSE_UNEXPLAINED));
    /* A value with no short decimal form is shown "about". */
    ap_audit_finding f = judged("£0.33", 100, 3, 0);
    CHECK(f.status == AP_AUDIT_OK && f.scale == 6);
    CHECK_EQ_I64(f.computed, 333333);
    CHECK_CONTAINS(f.suggestion, "about £0.333333");
    ap_audit_finding_clear(&f);
    /* An error says what rounding and cutting would print. */
    f = judged("£6", 500, 1, 0);
    CHECK(f.status == AP_AUDIT_ERROR);
    CHECK_STR(f.suggestion, "£6 is not £5.00 rounded or cut to the nearest "
                            "£1: rounded it is £5, cut £5 (difference "
                            "£1.00).");
    ap_audit_finding_clear(&f);
    /* Rates: bare, percent, negative denominators. */
    CHECK(judged_as("0.375", 3, 8, 1, AP_AUDIT_OK, AP_CAUSE_NONE));
    CHECK(judged_as("0.37", 3, 8, 1, AP_AUDIT_ROUNDING, AP_CAUSE_TRUNCATION));
    CHECK(judged_as("50%", -1, -2, 1, AP_AUDIT_OK, AP_CAUSE_NONE));
    CHECK(judged_as("-50%", 1, -2, 1, AP_AUDIT_OK, AP_CAUSE_NONE));
}

static const char *figure_refused(const char *text, int64_t num, int64_t den,
                                  int rate, ap_status want)
{
    static ap_error err;
    ap_audit_finding f;
    memset(&f, 0x5a, sizeof f);
    ap_status st = rate ? ap_audit_rate(num, den, text, (size_t)-1, &f, &err)
                        : ap_audit_figure(text, (size_t)-1, num, den, &f, &err);
    if (st != want) {
        fprintf(stderr, "\"%s\": status %d, expected %d\n",
                text ? text : "(null)", (int)st, (int)want);
        exit(1);
    }
    /* On an error the finding is zeroed: clearing it is harmless. */
    CHECK(f.suggestion == NULL && f.candidates == NULL);
    ap_audit_finding_clear(&f);
    return err.message;
}

TEST(audit_figure_refusals)
{
    CHECK_CONTAINS(figure_refused("44.16%", 1, 1, 0, AP_E_INPUT),
                   "percentage");
    CHECK_CONTAINS(figure_refused("£1", 1, 1, 1, AP_E_INPUT), "money");
    CHECK_CONTAINS(figure_refused("£1.2x", 1, 1, 0, AP_E_INPUT), "£1.2x");
    CHECK_CONTAINS(figure_refused("m", 1, 1, 0, AP_E_INPUT), "\"m\"");
    CHECK_CONTAINS(figure_refused("£1", 1, 0, 0, AP_E_INPUT), "denominator");
    CHECK_CONTAINS(figure_refused("1%", 1, 0, 1, AP_E_INPUT), "zero");
    CHECK_CONTAINS(figure_refused(NULL, 1, 1, 0, AP_E_INPUT), "no stated");
    CHECK_CONTAINS(figure_refused("£900,000,000bn", 1, 1, 0, AP_E_OVERFLOW),
                   "too large");
    CHECK_CONTAINS(figure_refused("0.123456789012345", 1, 3, 1, AP_E_INPUT),
                   "at most 14");
    ap_error err;
    CHECK(ap_audit_figure("£1", 2, 100, 1, NULL, &err) == AP_E_INPUT);
}

/* Every printed value near a random exact one, judged against the rule
 * worked out here with a different formulation: the multiples of the
 * printed unit nearest the value from below and above. */
TEST(audit_figure_matches_brute_force)
{
    for (int round = 0; round < 3000; round++) {
        int64_t den = 1 + (int64_t)rnd(1000);
        int64_t num = (int64_t)rnd(20000000) - 10000000;
        int decimals = (int)rnd(3); /* of pounds */
        int64_t unit = decimals == 0 ? 100 : decimals == 1 ? 10 : 1; /* p */
        /* value in printed units: num / (den * unit) */
        __int128 q = (__int128)den * unit;
        __int128 lo = num >= 0 ? num / q : -((-num + q - 1) / q); /* floor */
        __int128 r2 = 2 * ((__int128)num - lo * q); /* twice the part above */
        for (__int128 d = lo - 2; d <= lo + 3; d++) {
            int is_tie = r2 == q;
            int nearest = r2 < q ? d == lo : r2 > q ? d == lo + 1
                          : (d == lo || d == lo + 1);
            /* A tie rounds away from zero or to even. */
            if (is_tie && nearest) {
                __int128 away = num >= 0 ? lo + 1 : lo;
                nearest = d == away || d % 2 == 0;
            }
            int exact = r2 == 0 && d == lo;
            __int128 toward = num >= 0 ? lo : (r2 == 0 ? lo : lo + 1);
            ap_audit_status status = nearest ? AP_AUDIT_OK
                                     : d == toward ? AP_AUDIT_ROUNDING
                                                   : AP_AUDIT_ERROR;
            char text[64], digits[48];
            int64_t d64 = (int64_t)d;
            ap_figure_format(d64 < 0 ? -d64 : d64, decimals, digits,
                             sizeof digits);
            snprintf(text, sizeof text, "%s£%s", d64 < 0 ? "-" : "", digits);
            ap_audit_finding f = judged(text, num, den, 0);
            if (f.status != status ||
                (status == AP_AUDIT_OK &&
                 f.cause != (exact ? AP_CAUSE_NONE : AP_CAUSE_ROUNDING))) {
                fprintf(stderr, "%s against %lld/%lld p: %s (%s)\n", text,
                        (long long)num, (long long)den,
                        ap_audit_status_name(f.status),
                        ap_audit_cause_name(f.cause));
                exit(1);
            }
            ap_audit_finding_clear(&f);
        }
    }
}

/* A total off only because its items were cut: 1.9, 2.9 and 3.95 printed
 * cut as 1, 2 and 3, their total 8.75 rounded to 9.  The difference, 3, is
 * beyond the 2 that rounding four figures allows but within what cutting
 * three leaves; with the items' signs turned it leans the other way. */
TEST(audit_sum_truncation)
{
    static const char *const items[] = {"1", "2", "3"};
    ap_audit_finding f;
    audit(items, NULL, 3, "9", NULL, &f);
    CHECK(f.status == AP_AUDIT_ROUNDING && f.cause == AP_CAUSE_TRUNCATION);
    CHECK(f.item == AP_AUDIT_NO_ITEM && f.n_candidates == 0);
    CHECK_EQ_I64(f.difference, 3);
    CHECK_EQ_I64(f.tolerance, 2);
    CHECK_STR(f.suggestion,
              "The items sum to 6, not the stated 9 (difference 3), more "
              "than the rounding of the printed figures allows (up to 2 "
              "either way) but what printing them cut toward zero rather "
              "than rounded leaves: truncation.");
    ap_audit_finding_clear(&f);
    /* Cut items leave the sum short, never over. */
    audit(items, NULL, 3, "3", NULL, &f);
    CHECK(f.status == AP_AUDIT_ERROR);
    ap_audit_finding_clear(&f);
    static const int minus[] = {-1, -1, -1};
    audit(items, minus, 3, "-9", NULL, &f);
    CHECK(f.cause == AP_CAUSE_TRUNCATION);
    ap_audit_finding_clear(&f);
    audit(items, minus, 3, "-3", NULL, &f);
    CHECK(f.status == AP_AUDIT_ERROR);
    ap_audit_finding_clear(&f);
    /* Cutting leaves each item under a unit short; 9.5, printed to a
     * tenth, is itself at most a tenth out, so the most cutting explains
     * is under 3.05, and 3.5 is an error. */
    audit(items, NULL, 3, "9.5", NULL, &f);
    CHECK(f.status == AP_AUDIT_ERROR);
    ap_audit_finding_clear(&f);
    /* A nil is a nil: never cut. */
    static const char *const small[] = {"0.7"};
    audit(small, NULL, 1, "-", NULL, &f);
    CHECK(f.status == AP_AUDIT_ERROR);
    ap_audit_finding_clear(&f);
}
