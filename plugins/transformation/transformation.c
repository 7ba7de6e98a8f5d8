/* apportion plugin: TRANSFORMATION, the transformation blocks of the
 * Northamptonshire Children's Trust contract sum.
 *
 * From 2024/25 the councils (NNC and WNC) fund the Trust in three blocks
 * ("NCT Transformation and Efficiency Board Update", Joint Children's
 * Trust Committee, 6 March 2024, 7.1.2 -
 * 7.1.7 and Appendix A):
 *   Block 1  core funding                          £177.429m
 *   Block 2  named transformation items            £2.580m
 *            (of which £2.363m non-recurring)
 *            contract sum = Block 1 + Block 2 =    £180.009m
 *   Block 3  a provision, drawn down only by business cases approved by
 *            the Transformation and Efficiency Board: £3.291m
 * Block 3 funding agreed, as the report's table prints it: Circle to
 * Success £0.410m, Placement Efficiency £0.138m, Maximising Housing
 * Benefit Subsidy -, Strategic Manager £0.068m, FSWs £0.132m,
 * Exploitation Hub £0.435m, MASH Review £0.070m (£0.70m in the body of the
 * report), IV Visitors £0.203m; stated total £1.659m, stated balance
 * outstanding £1.862m.  The items sum to £1.456m, £0.203m less than the
 * stated total, and the provision less either figure (£1.835m or £1.632m)
 * is not the stated balance: the checks below report both.  Block 2 adds
 * up only with the IRO CP Chair at £0.085m (printed £0.85m): £1.280m +
 * £0.085m + £0.132m + £1.083m = £2.580m.
 *
 * Registers
 *   checks       contract_sum, block3, stated_totals
 *   section      block_summary
 *   calculator   balance_outstanding money(money, money)
 *
 * Data fields (money as Decimal pounds, or as printed text in "unit", read
 * by the host's field_figure and unit_parse: "-" is an exact nil):
 *   unit, year, as_of (date), contract_sum, blockN.amount (N = 1, 2, 3;
 *   Block 3's is the provision), blockN.total (stated total agreed),
 *   blockN.balance_outstanding, business_cases[i].{theme, project,
 *   approved (date), funding, block, duration} - a case funded from two
 *   blocks is listed once per block - and totals[i].{label, unit, stated,
 *   items[j]} for any other stated total (unit, when given, overrides the
 *   top-level one for that total). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/plugin.h"
#include "../common/first_party.h"

static const ap_plugin_info info = {
    AP_PLUGIN_INFO_HEADER,
    "transformation",
    "1.0.0",
    "TRANSFORMATION",
    "Transformation blocks of the NCT contract sum: Block 1 core funding, "
    "Block 2 transformation items, Block 3 provision for approved business "
    "cases",
    "MIT",
    NULL,
};

#define N_BLOCKS 3

/* ---- small helpers -------------------------------------------------- */

/* A stated figure against the one its parts give, by the host's rule
 * (host->compare_figure): nothing when equal, a warning within the
 * rounding of the printed figures, an error otherwise. */
#define COMPARE(path, what_stated, stated, stated_res, what_computed,      \
                computed, computed_res, unit)                               \
    ((st = host->compare_figure(out, (path), (what_stated), (stated),      \
                                (stated_res), (what_computed), (computed), \
                                (computed_res), (unit))) == AP_OK          \
         ? AP_OK                                                            \
         : out_failed(err, st))

/* ---- reading the data --------------------------------------------------- */

typedef struct figure {
    int64_t v, res;
    int has, bad;
} figure;

/* A printed figure in unit with its resolution ("-" is nil), through
 * host->field_figure.  Missing is a problem only when required;
 * unreadable always is. */
static ap_status read_figure(const ap_fields *data, const char *path,
                             ap_unit unit, ap_severity if_missing,
                             int required, figure *f, problem_fn fn,
                             void *ctx)
{
    ap_error e;
    memset(&e, 0, sizeof e);
    memset(f, 0, sizeof *f);
    if (host->field_find(data, path) == NULL)
        return required ? report(fn, ctx, if_missing, path, "%s is missing",
                                 path)
                        : AP_OK;
    if (host->field_figure(data, path, unit, &f->v, &f->res, &e) != AP_OK) {
        f->bad = 1;
        return report(fn, ctx, AP_SEVERITY_ERROR, path, "%s", e.message);
    }
    f->has = 1;
    return AP_OK;
}

/* The unit of a table at path ("£m", "£000"), when given: its text read
 * by host->unit_parse.  Not text or unreadable is a problem. */
static ap_status read_unit(const ap_fields *data, const char *path,
                           ap_unit *unit, int *ok, problem_fn fn, void *ctx)
{
    const ap_value *u = host->field_find(data, path);
    ap_error e;
    memset(&e, 0, sizeof e);
    *ok = 1;
    if (u == NULL)
        return AP_OK;
    *ok = 0;
    if (u->type != AP_TYPE_STRING)
        return report(fn, ctx, AP_SEVERITY_ERROR, path,
                      "%s is a %s; it must be text such as \"£m\"", path,
                      host->value_type_name(u->type));
    if (host->unit_parse(u->as.s, unit, &e) != AP_OK)
        return report(fn, ctx, AP_SEVERITY_ERROR, path, "%s: %s", path,
                      e.message);
    *ok = 1;
    return AP_OK;
}

typedef struct business_case {
    const char *theme, *project, *duration;
    int64_t approved; /* AP_DATE_NAT when not given or unreadable */
    figure funding;
    int block;        /* 1..3; 0 none ("-"); -1 unreadable */
} business_case;

typedef struct blocks {
    ap_unit unit;
    const char *year;
    int64_t as_of;                  /* AP_DATE_NAT when not given */
    figure contract_sum;
    figure amount[N_BLOCKS + 1];    /* [1..3] */
    figure total[N_BLOCKS + 1];     /* stated totals agreed */
    figure balance[N_BLOCKS + 1];   /* stated balances outstanding */
    size_t n_cases;
    business_case *cases;           /* malloc'd */
} blocks;

static const char *text_field(const ap_fields *data, const char *path)
{
    const ap_value *v = host->field_find(data, path);
    return v != NULL && v->type == AP_TYPE_STRING ? v->as.s : NULL;
}

/* A date field: a date, or ISO text. */
static ap_status read_date(const ap_fields *data, const char *path,
                           int64_t *out, int *present, problem_fn fn,
                           void *ctx)
{
    const ap_value *v = host->field_find(data, path);
    *out = AP_DATE_NAT;
    *present = v != NULL;
    if (v == NULL)
        return AP_OK;
    if (v->type == AP_TYPE_DATE && v->as.i != AP_DATE_NAT) {
        *out = v->as.i;
        return AP_OK;
    }
    if (v->type == AP_TYPE_STRING) {
        ap_error e;
        memset(&e, 0, sizeof e);
        if (host->date_parse(v->as.s, (size_t)-1, out, &e) == AP_OK)
            return AP_OK;
        *out = AP_DATE_NAT;
        return report(fn, ctx, AP_SEVERITY_ERROR, path,
                      "%s is not a date (%.400s)", path, e.message);
    }
    return report(fn, ctx, AP_SEVERITY_ERROR, path, "%s is a %s, not a date",
                  path, host->value_type_name(v->type));
}

/* The block a business case draws on: 1-3, 0 for none ("-"), -1 when it
 * cannot be read (reported). */
static ap_status read_block(const ap_fields *data, const char *path,
                            int *block, problem_fn fn, void *ctx)
{
    const ap_value *v = host->field_find(data, path);
    *block = 0;
    if (v == NULL)
        return AP_OK;
    if (v->type == AP_TYPE_INT64) {
        if (v->as.i >= 1 && v->as.i <= N_BLOCKS) {
            *block = (int)v->as.i;
            return AP_OK;
        }
        *block = -1;
        return report(fn, ctx, AP_SEVERITY_ERROR, path,
                      "%s is %lld; the blocks are 1, 2 and 3", path,
                      (long long)v->as.i);
    }
    if (v->type != AP_TYPE_STRING) {
        *block = -1;
        return report(fn, ctx, AP_SEVERITY_ERROR, path,
                      "%s is a %s; give the block as 1, 2, 3 or text such as "
                      "\"Block 3\"",
                      path, host->value_type_name(v->type));
    }
    int found = 0, digits = 0, letters = 0;
    for (const char *s = v->as.s; *s; s++) {
        letters += (*s | 0x20) >= 'a' && (*s | 0x20) <= 'z';
        if (*s >= '0' && *s <= '9') {
            digits++;
            found = *s - '0';
            if (s[1] >= '0' && s[1] <= '9')
                found = -1; /* 10 or more */
        }
    }
    if (digits == 0 && letters == 0)
        return AP_OK; /* "-", a dash or blank: no block */
    if (digits == 1 && found >= 1 && found <= N_BLOCKS) {
        *block = found;
        return AP_OK;
    }
    *block = -1;
    if (digits > 1)
        return report(fn, ctx, AP_SEVERITY_ERROR, path,
                      "%s is \"%s\", more than one block: list the case once "
                      "per block, each with that block's funding",
                      path, v->as.s);
    return report(fn, ctx, AP_SEVERITY_ERROR, path,
                  "%s is \"%s\"; give the block as 1, 2, 3 or text such as "
                  "\"Block 3\"",
                  path, v->as.s);
}

/* Reads everything the checks and the section use.  Which figures are
 * required is for each caller to say; here a missing figure is simply
 * absent.  *usable is 0 when the unit cannot be read. */
static ap_status blocks_read(const ap_fields *data, blocks *b, int *usable,
                             problem_fn fn, void *ctx, ap_error *err)
{
    ap_status st;
    char path[96];
    memset(b, 0, sizeof *b);
    b->unit = AP_UNIT_POUNDS;
    b->as_of = AP_DATE_NAT;
    *usable = 0;
    int readable, present;
    if ((st = read_unit(data, "unit", &b->unit, &readable, fn, ctx)) !=
            AP_OK ||
        !readable)
        return st; /* an unreadable unit is reported; nothing is usable */
    b->year = text_field(data, "year");
    if ((st = read_date(data, "as_of", &b->as_of, &present, fn, ctx)) != AP_OK)
        return st;
    if ((st = read_figure(data, "contract_sum", b->unit, AP_SEVERITY_ERROR, 0,
                          &b->contract_sum, fn, ctx)) != AP_OK)
        return st;
    for (int k = 1; k <= N_BLOCKS; k++) {
        snprintf(path, sizeof path, "block%d.amount", k);
        if ((st = read_figure(data, path, b->unit, AP_SEVERITY_ERROR, 0,
                              &b->amount[k], fn, ctx)) != AP_OK)
            return st;
        snprintf(path, sizeof path, "block%d.total", k);
        if ((st = read_figure(data, path, b->unit, AP_SEVERITY_ERROR, 0,
                              &b->total[k], fn, ctx)) != AP_OK)
            return st;
        snprintf(path, sizeof path, "block%d.balance_outstanding", k);
        if ((st = read_figure(data, path, b->unit, AP_SEVERITY_ERROR, 0,
                              &b->balance[k], fn, ctx)) != AP_OK)
            return st;
    }
    b->n_cases = host->field_count(data, "business_cases");
    if (b->n_cases > 0) {
        b->cases = calloc(b->n_cases, sizeof *b->cases);
        if (b->cases == NULL)
            return host->error_set(err, AP_E_NOMEM,
                                   "out of memory reading %zu business cases",
                                   b->n_cases);
    }
    for (size_t i = 0; i < b->n_cases; i++) {
        business_case *c = &b->cases[i];
        snprintf(path, sizeof path, "business_cases[%zu].theme", i);
        c->theme = text_field(data, path);
        snprintf(path, sizeof path, "business_cases[%zu].project", i);
        c->project = text_field(data, path);
        snprintf(path, sizeof path, "business_cases[%zu].duration", i);
        c->duration = text_field(data, path);
        snprintf(path, sizeof path, "business_cases[%zu].approved", i);
        if ((st = read_date(data, path, &c->approved, &present, fn, ctx)) !=
            AP_OK)
            return st;
        snprintf(path, sizeof path, "business_cases[%zu].funding", i);
        if ((st = read_figure(data, path, b->unit, AP_SEVERITY_ERROR, 0,
                              &c->funding, fn, ctx)) != AP_OK)
            return st;
        snprintf(path, sizeof path, "business_cases[%zu].block", i);
        if ((st = read_block(data, path, &c->block, fn, ctx)) != AP_OK)
            return st;
    }
    *usable = 1;
    return AP_OK;
}

/* The funding of the cases in block k: its sum, the sum of the figures'
 * resolutions, how many cases, and whether every one could be read. */
typedef struct agreed {
    int64_t sum, res;
    size_t n;
    int complete;
    int overflow;
} agreed;

static agreed block_agreed(const blocks *b, int k)
{
    agreed a = {0, 0, 0, 1, 0};
    for (size_t i = 0; i < b->n_cases; i++) {
        const business_case *c = &b->cases[i];
        if (c->block == -1)
            a.complete = 0; /* it may belong to block k */
        if (c->block != k)
            continue;
        a.n++;
        if (!c->funding.has) {
            a.complete = 0;
            continue;
        }
        if (host->money_add(a.sum, c->funding.v, &a.sum, NULL) != AP_OK)
            a.overflow = 1;
        a.res += c->funding.res;
    }
    return a;
}

/* Reads the data for a check; problems become findings. */
static ap_status check_read(const ap_fields *data, ap_findings *out,
                            blocks *b, int *usable, ap_error *err)
{
    check_ctx ctx = {out};
    ap_status st = blocks_read(data, b, usable, to_finding, &ctx, err);
    if (st != AP_OK && err->status == AP_OK)
        st = out_failed(err, st);
    return st;
}

static ap_status need(ap_findings *out, const figure *f, const char *path,
                      const char *why, ap_error *err)
{
    if (!f->has && !f->bad)
        FIND(AP_SEVERITY_ERROR, path, "%s is missing: %s", path, why);
    return AP_OK;
}

/* ---- check: contract_sum ---------------------------------------------- */

/* 7.1.2: "a Contract Sum of £180.009m made up of Block 1 core funding
 * (£177.429m) and Block 2 transformation individual items (£2.580m)". */
static ap_status contract_sum_check(void *user, const ap_fields *data,
                                    ap_findings *out, ap_error *err)
{
    (void)user;
    blocks b;
    int usable;
    ap_status st = check_read(data, out, &b, &usable, err);
    if (st == AP_OK && usable) {
        const char *why = "the contract sum is Block 1 + Block 2";
        if ((st = need(out, &b.contract_sum, "contract_sum", why, err)) ==
                AP_OK &&
            (st = need(out, &b.amount[1], "block1.amount", why, err)) ==
                AP_OK &&
            (st = need(out, &b.amount[2], "block2.amount", why, err)) ==
                AP_OK &&
            b.contract_sum.has && b.amount[1].has && b.amount[2].has) {
            int64_t sum;
            ap_error e;
            memset(&e, 0, sizeof e);
            if (host->money_add(b.amount[1].v, b.amount[2].v, &sum, &e) !=
                AP_OK) {
                st = host->finding(out, AP_SEVERITY_ERROR, "contract_sum",
                                   "Block 1 + Block 2: %s", e.message);
                if (st != AP_OK)
                    st = out_failed(err, st);
            } else {
                st = COMPARE("contract_sum", "the contract sum",
                             b.contract_sum.v, b.contract_sum.res,
                             "Block 1 + Block 2", sum,
                             b.amount[1].res + b.amount[2].res, b.unit);
            }
        }
    }
    free(b.cases);
    return st;
}

/* ---- check: block3 ------------------------------------------------------ */

/* Each Block 3 business case states its theme, project, approval date,
 * funding and duration (Appendix A's columns); an approval after the
 * summary's as-of date is an error. */
static ap_status block3_cases(const ap_fields *data, const blocks *b,
                              ap_findings *out, ap_error *err)
{
    static const char *const what[] = {"theme", "project", "duration"};
    char path[96], when[32], limit[32];
    for (size_t i = 0; i < b->n_cases; i++) {
        const business_case *c = &b->cases[i];
        if (c->block != 3)
            continue;
        const char *have[] = {c->theme, c->project, c->duration};
        for (int k = 0; k < 3; k++)
            if (have[k] == NULL) {
                snprintf(path, sizeof path, "business_cases[%zu].%s", i,
                         what[k]);
                FIND(AP_SEVERITY_WARNING, path,
                     "%s is missing or not text: a Block 3 business case "
                     "states its theme, project and duration",
                     path);
            }
        snprintf(path, sizeof path, "business_cases[%zu].approved", i);
        if (host->field_find(data, path) == NULL)
            FIND(AP_SEVERITY_WARNING, path,
                 "%s is missing: when did the Transformation and Efficiency "
                 "Board approve the business case?",
                 path);
        if (c->approved != AP_DATE_NAT && b->as_of != AP_DATE_NAT &&
            c->approved > b->as_of) {
            host->date_format(c->approved, when, sizeof when);
            host->date_format(b->as_of, limit, sizeof limit);
            FIND(AP_SEVERITY_ERROR, path,
                 "%s is %s, after the as-of date of the summary (%s)", path,
                 when, limit);
        }
        snprintf(path, sizeof path, "business_cases[%zu].funding", i);
        if (!c->funding.has && !c->funding.bad)
            FIND(AP_SEVERITY_ERROR, path,
                 "%s is missing: Block 3 is drawn down only by business "
                 "cases with approved funding",
                 path);
    }
    return AP_OK;
}

/* 7.1.4: Block 3, £3.291m, is used only through business cases approved by
 * the Transformation and Efficiency Board; 7.1.7: funding agreed and the
 * balance outstanding (= provision - funding agreed). */
static ap_status block3_check(void *user, const ap_fields *data,
                              ap_findings *out, ap_error *err)
{
    (void)user;
    blocks b;
    int usable;
    ap_status st = check_read(data, out, &b, &usable, err);
    if (st != AP_OK || !usable) {
        free(b.cases);
        return st;
    }
    char p[64], a[64], d[64];
    st = block3_cases(data, &b, out, err);
    if (st == AP_OK)
        st = need(out, &b.amount[3], "block3.amount",
                  "Block 3's provision is needed to check the funding "
                  "approved against it",
                  err);
    agreed g = block_agreed(&b, 3);
    if (st != AP_OK || !b.amount[3].has || !g.complete || g.overflow) {
        free(b.cases);
        return st;
    }
    int64_t approved = g.sum, approved_res = g.res;
    const char *source = "the Block 3 business cases' funding";
    if (g.n == 0) {
        if (b.total[3].has) {
            approved = b.total[3].v;
            approved_res = b.total[3].res;
            source = "the stated total agreed, block3.total,";
        } else if ((st = host->finding(out, AP_SEVERITY_INFO,
                                       "business_cases",
                                       "no business case draws on Block 3, "
                                       "so none of its provision is "
                                       "approved")) != AP_OK) {
            free(b.cases);
            return out_failed(err, st);
        }
    }
    host->money_text(b.amount[3].v, b.unit, p, sizeof p);
    host->money_text(approved, b.unit, a, sizeof a);
    if (approved > b.amount[3].v) {
        host->money_text(approved - b.amount[3].v, b.unit, d, sizeof d);
        st = host->finding(out, AP_SEVERITY_ERROR, "block3.amount",
                           "funding approved from Block 3 (%s, %s) exceeds "
                           "the provision of %s by %s",
                           a, source, p, d);
        if (st != AP_OK)
            st = out_failed(err, st);
    }
    int64_t balance;
    ap_error e;
    memset(&e, 0, sizeof e);
    if (st == AP_OK &&
        host->money_sub(b.amount[3].v, approved, &balance, &e) == AP_OK) {
        if (b.balance[3].has) {
            char how[192];
            snprintf(how, sizeof how, "the provision less %s (%s - %s)",
                     source, p, a);
            st = COMPARE("block3.balance_outstanding",
                         "Block 3's balance outstanding", b.balance[3].v,
                         b.balance[3].res, how, balance,
                         b.amount[3].res + approved_res, b.unit);
        } else if (!b.balance[3].bad) {
            host->money_text(balance, b.unit, d, sizeof d);
            st = host->finding(out, AP_SEVERITY_INFO,
                               "block3.balance_outstanding",
                               "block3.balance_outstanding is not stated; "
                               "the provision less the funding approved is "
                               "%s",
                               d);
            if (st != AP_OK)
                st = out_failed(err, st);
        }
    }
    free(b.cases);
    return st;
}

/* ---- check: stated_totals ----------------------------------------------- */

static ap_status generic_totals(const ap_fields *data, const blocks *b,
                                ap_findings *out, ap_error *err)
{
    size_t n = host->field_count(data, "totals");
    char path[96], prefix[64], subject[256];
    ap_status st;
    check_ctx ctx = {out};
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "totals[%zu].label", i);
        const char *label = text_field(data, path);
        /* A table of its own may be in a unit of its own. */
        ap_unit unit = b->unit;
        int readable;
        snprintf(path, sizeof path, "totals[%zu].unit", i);
        if ((st = read_unit(data, path, &unit, &readable, to_finding,
                            &ctx)) != AP_OK)
            return out_failed(err, st);
        if (!readable)
            continue;
        snprintf(path, sizeof path, "totals[%zu].stated", i);
        figure stated;
        if ((st = read_figure(data, path, unit, AP_SEVERITY_ERROR, 1,
                              &stated, to_finding, &ctx)) != AP_OK)
            return out_failed(err, st);
        snprintf(prefix, sizeof prefix, "totals[%zu].items", i);
        size_t m = host->field_count(data, prefix);
        if (m == 0) {
            FIND(AP_SEVERITY_ERROR, prefix,
                 "%s is empty: a stated total needs the items it totals",
                 prefix);
            continue;
        }
        int64_t sum = 0, res = 0;
        int complete = stated.has, overflow = 0;
        for (size_t j = 0; j < m; j++) {
            figure item;
            snprintf(path, sizeof path, "totals[%zu].items[%zu]", i, j);
            if ((st = read_figure(data, path, unit, AP_SEVERITY_ERROR, 1,
                                  &item, to_finding, &ctx)) != AP_OK)
                return out_failed(err, st);
            if (!item.has) {
                complete = 0;
                continue;
            }
            if (host->money_add(sum, item.v, &sum, NULL) != AP_OK)
                overflow = 1;
            res += item.res;
        }
        snprintf(path, sizeof path, "totals[%zu].stated", i);
        if (overflow)
            FIND(AP_SEVERITY_ERROR, path,
                 "%s: the items' sum overflows 64-bit pence", path);
        if (!complete || overflow)
            continue;
        if (label != NULL)
            snprintf(subject, sizeof subject, "the total \"%.100s\" (%s)",
                     label, path);
        else
            snprintf(subject, sizeof subject, "the total (%s)", path);
        if (COMPARE(path, subject, stated.v, stated.res,
                    "the sum of its items", sum, res, unit) != AP_OK)
            return st;
    }
    return AP_OK;
}

/* Every stated total against its items: each block's stated total agreed
 * (blockN.total) against its business cases' funding, Block 2's stated
 * balance outstanding against amount - agreed (Block 3's is the block3
 * check's), and each totals[i].stated against totals[i].items[j]. */
static ap_status stated_totals_check(void *user, const ap_fields *data,
                                     ap_findings *out, ap_error *err)
{
    (void)user;
    blocks b;
    int usable;
    ap_status st = check_read(data, out, &b, &usable, err);
    if (st != AP_OK || !usable) {
        free(b.cases);
        return st;
    }
    char path[96], subject[160];
    int checked = 0;
    for (int k = 1; k <= N_BLOCKS && st == AP_OK; k++) {
        agreed g = block_agreed(&b, k);
        snprintf(path, sizeof path, "block%d.total", k);
        if (b.total[k].has) {
            checked++;
            if (g.n == 0) {
                st = host->finding(out, AP_SEVERITY_WARNING, path,
                                   "%s is stated but no business case "
                                   "draws on Block %d, so it cannot be "
                                   "checked",
                                   path, k);
                if (st != AP_OK)
                    st = out_failed(err, st);
            } else if (g.complete && !g.overflow) {
                snprintf(subject, sizeof subject,
                         "Block %d's total agreed (%s)", k, path);
                char how[96];
                snprintf(how, sizeof how,
                         "the sum of its %zu business case%s' funding", g.n,
                         g.n == 1 ? "" : "s");
                st = COMPARE(path, subject, b.total[k].v, b.total[k].res,
                             how, g.sum, g.res, b.unit);
            }
        }
        if (k != 2 || st != AP_OK || !b.balance[2].has || !b.amount[2].has)
            continue;
        /* Block 2: balance outstanding = amount - agreed. */
        checked++;
        int64_t used = g.sum, res = g.res, balance;
        const char *how = "Block 2's amount less its business cases' funding";
        if (g.n == 0 && b.total[2].has) {
            used = b.total[2].v;
            res = b.total[2].res;
            how = "Block 2's amount less its stated total agreed";
        } else if (!g.complete || g.overflow) {
            continue;
        }
        if (host->money_sub(b.amount[2].v, used, &balance, NULL) != AP_OK)
            continue;
        st = COMPARE("block2.balance_outstanding",
                     "Block 2's balance outstanding", b.balance[2].v,
                     b.balance[2].res, how, balance, b.amount[2].res + res,
                     b.unit);
    }
    size_t n_generic = host->field_count(data, "totals");
    if (st == AP_OK)
        st = generic_totals(data, &b, out, err);
    if (st == AP_OK && checked == 0 && n_generic == 0) {
        st = host->finding(out, AP_SEVERITY_WARNING, "",
                           "no stated totals to check: give blockN.total "
                           "(with business_cases[i].funding and .block), "
                           "block2.balance_outstanding or "
                           "totals[i].stated with totals[i].items[j]");
        if (st != AP_OK)
            st = out_failed(err, st);
    }
    free(b.cases);
    return st;
}

/* ---- section: block_summary --------------------------------------------- */

static void widen(int *decimals, const figure *f, ap_unit unit)
{
    if (f->has && exact_decimals(f->v, unit) > *decimals)
        *decimals = exact_decimals(f->v, unit);
}

static ap_status block_summary(void *user, const ap_fields *data,
                               ap_text *out, ap_error *err)
{
    (void)user;
    static const char *const names[N_BLOCKS + 1] = {
        "", "Block 1: core funding", "Block 2: transformation items",
        "Block 3: provision for business cases"};
    blocks b;
    int usable;
    section_ctx ctx = {err, 0};
    ap_status st = blocks_read(data, &b, &usable, to_error, &ctx, err);
    if (st == AP_OK && (ctx.failed || !usable))
        st = AP_E_INPUT;
    int any = b.contract_sum.has || b.n_cases > 0;
    for (int k = 1; k <= N_BLOCKS; k++)
        any = any || b.amount[k].has;
    if (st == AP_OK && !any)
        st = host->error_set(err, AP_E_INPUT,
                             "no data: the summary reads contract_sum, "
                             "blockN.amount and business_cases[i]");
    if (st != AP_OK) {
        free(b.cases);
        if (err->status == AP_OK)
            host->error_set(err, st, "the transformation blocks cannot be "
                                     "read");
        return st;
    }
    figure agreed_f[N_BLOCKS + 1], left[N_BLOCKS + 1];
    memset(agreed_f, 0, sizeof agreed_f);
    memset(left, 0, sizeof left);
    int decimals = 0;
    widen(&decimals, &b.contract_sum, b.unit);
    for (int k = 1; k <= N_BLOCKS; k++) {
        agreed g = block_agreed(&b, k);
        if (g.n > 0 && g.complete && !g.overflow) {
            agreed_f[k].v = g.sum;
            agreed_f[k].has = 1;
        } else if (g.n == 0 && b.total[k].has) {
            agreed_f[k] = b.total[k];
        }
        if (k > 1 && agreed_f[k].has && b.amount[k].has &&
            host->money_sub(b.amount[k].v, agreed_f[k].v, &left[k].v,
                            NULL) == AP_OK)
            left[k].has = 1;
        widen(&decimals, &b.amount[k], b.unit);
        widen(&decimals, &agreed_f[k], b.unit);
        widen(&decimals, &left[k], b.unit);
        widen(&decimals, &b.total[k], b.unit);
        widen(&decimals, &b.balance[k], b.unit);
    }
    for (size_t i = 0; i < b.n_cases; i++)
        widen(&decimals, &b.cases[i].funding, b.unit);

    char cell[3][64];
    st = host->text_append(out,
                           "Transformation funding%s%s, figures in %s.  "
                           "Agreed is the funding of the business cases "
                           "approved by the Transformation and Efficiency "
                           "Board that draw on the block; the balance "
                           "outstanding is the block's amount less that."
                           "\n\n"
                           "| Block | Amount | Agreed | Balance outstanding "
                           "|\n|:--|--:|--:|--:|\n",
                           b.year ? " " : "", b.year ? b.year : "",
                           host->unit_name(b.unit));
    for (int k = 1; k <= N_BLOCKS && st == AP_OK; k++) {
        if (!b.amount[k].has && !agreed_f[k].has)
            continue;
        const figure *f[3] = {&b.amount[k], &agreed_f[k], &left[k]};
        for (int j = 0; j < 3; j++) {
            cell[j][0] = '\0';
            if (f[j]->has)
                fmt_cell(f[j]->v, b.unit, decimals, cell[j], sizeof cell[j]);
        }
        st = host->text_append(out, "| %s | %s | %s | %s |\n", names[k],
                               cell[0], cell[1], cell[2]);
    }
    if (st == AP_OK) {
        int64_t sum;
        int have = 0;
        if (b.contract_sum.has) {
            sum = b.contract_sum.v;
            have = 1;
        } else if (b.amount[1].has && b.amount[2].has &&
                   host->money_add(b.amount[1].v, b.amount[2].v, &sum,
                                   NULL) == AP_OK) {
            have = 1;
        }
        if (have) {
            fmt_cell(sum, b.unit, decimals, cell[0], sizeof cell[0]);
            st = host->text_append(out,
                                   "| **Contract sum (Blocks 1 and 2)** | "
                                   "**%s** | | |\n",
                                   cell[0]);
        }
    }
    /* Stated figures that differ from the ones above. */
    for (int k = 1; k <= N_BLOCKS && st == AP_OK; k++) {
        int total_differs = b.total[k].has && agreed_f[k].has &&
                            b.total[k].v != agreed_f[k].v;
        int balance_differs = b.balance[k].has && left[k].has &&
                              b.balance[k].v != left[k].v;
        if (!total_differs && !balance_differs)
            continue;
        fmt_cell(b.total[k].v, b.unit, decimals, cell[0], sizeof cell[0]);
        fmt_cell(b.balance[k].v, b.unit, decimals, cell[1], sizeof cell[1]);
        st = host->text_append(
            out, "\nBlock %d's stated figures differ from these:%s%s%s%s%s "
                 "(see the stated_totals and block3 checks).\n",
            k, total_differs ? " total agreed " : "",
            total_differs ? cell[0] : "",
            total_differs && balance_differs ? ";" : "",
            balance_differs ? " balance outstanding " : "",
            balance_differs ? cell[1] : "");
    }
    if (st == AP_OK && b.n_cases > 0)
        st = host->text_append(out, "\n### Business cases\n\n"
                                    "| Theme | Project | Approved | Block | "
                                    "Funding | Duration |\n"
                                    "|:--|:--|:--|:--|--:|:--|\n");
    for (size_t i = 0; i < b.n_cases && st == AP_OK; i++) {
        const business_case *c = &b.cases[i];
        char when[32] = "", block[16] = "-";
        if (c->approved != AP_DATE_NAT)
            host->date_format(c->approved, when, sizeof when);
        if (c->block > 0)
            snprintf(block, sizeof block, "%d", c->block);
        cell[0][0] = '\0';
        if (c->funding.has)
            fmt_cell(c->funding.v, b.unit, decimals, cell[0], sizeof cell[0]);
        st = host->text_append(out, "| %s | %s | %s | %s | %s | %s |\n",
                               c->theme ? c->theme : "",
                               c->project ? c->project : "", when, block,
                               cell[0], c->duration ? c->duration : "");
    }
    free(b.cases);
    if (st != AP_OK)
        return out_failed(err, st);
    return AP_OK;
}

/* ---- calculator ---------------------------------------------------------- */

/* Provision less funding agreed: balance_outstanding(£3.291m, £1.456m) is
 * £1.835m. */
static int64_t balance_outstanding(int64_t provision, int64_t agreed_sum,
                                   ap_error *err)
{
    int64_t balance = 0;
    if (host->money_sub(provision, agreed_sum, &balance, err) != AP_OK)
        return 0;
    return balance;
}

/* ---- registration -------------------------------------------------------- */

static ap_status register_all(ap_registrar *reg, ap_error *err)
{
    ap_status st;
    const ap_check_def checks[] = {
        {sizeof(ap_check_def), "contract_sum",
         "The contract sum equals Block 1 + Block 2 (contract_sum, "
         "block1.amount, block2.amount)",
         contract_sum_check, NULL},
        {sizeof(ap_check_def), "block3",
         "Block 3: each business case has a theme, project, approval date, "
         "funding and duration; the funding approved does not exceed the "
         "provision (block3.amount); the stated balance outstanding equals "
         "provision - approved",
         block3_check, NULL},
        {sizeof(ap_check_def), "stated_totals",
         "Every stated total agrees with its items: blockN.total against "
         "the business cases' funding, block2.balance_outstanding, and "
         "totals[i].stated against totals[i].items[j]",
         stated_totals_check, NULL},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if ((st = host->register_check(reg, &checks[i], err)) != AP_OK)
            return st;
    const ap_section_def section = {
        sizeof(ap_section_def),
        "block_summary",
        "Transformation funding by block",
        block_summary,
        NULL,
    };
    if ((st = host->register_section(reg, &section, err)) != AP_OK)
        return st;
    const ap_calculator_def calculator = {
        sizeof(ap_calculator_def),
        "balance_outstanding",
        "money(money, money)",
        "A block's balance outstanding: (provision, funding agreed) -> "
        "provision - funding agreed",
        AP_CALCULATOR_FN(balance_outstanding),
    };
    return host->register_calculator(reg, &calculator, err);
}

/* The entry points (plugin.h): init refuses a host older than the ABI 1.1
 * that info declares (this file uses compare_figure), keeps it in host and
 * calls register_all. */
AP_PLUGIN_DEFINE(info, register_all);
