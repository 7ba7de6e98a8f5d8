/* Reading a disaggregation paper from JSON into an ap_disaggregation.
 *
 * Every figure is kept as the paper prints it, text beside value, because
 * the report quotes the paper and the audit judges each figure at its own
 * printed precision ("£211k" is a figure to the £1,000).  Money, the unit,
 * the authorities and each basis are read as the other finance models
 * read them (finance_read.h); dates are ISO text, read by the calendar. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/calendar.h"
#include "apportion/disaggregation.h"
#include "base/base.h"
#include "base/text.h"
#include "papers/finance_read.h"

static const ap__jr_format disagg_format = {
    .name = "disaggregation",
    .tag = AP_DISAGGREGATION_FORMAT,
    .what_is = "a disaggregation file is",
    .integer = "an integer",
    .anonymous = "<disaggregation>",
    .max_bytes = (size_t)1 << 30,
};

static const char *const rule_names[] = {"divided", "once_in_each",
                                         "assigned", NULL};

const char *ap_post_rule_name(ap_post_rule rule)
{
    return (unsigned)rule < 3 ? rule_names[rule] : "unknown";
}

/* ---- small pieces ------------------------------------------------------- */

/* The text member `key` of obj, required, read as money in `unit`: the
 * text is kept in *text and its value in *out. */
static ap_status money_member(ap__jr *jr, const cJSON *obj, const char *path,
                              const char *key, ap_unit unit, char **text,
                              ap_amount *out)
{
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, key);
    const cJSON *node = ap__jr_member(obj, key);
    if (node == NULL)
        return ap__jr_fail(jr, obj, p, "missing required key \"%s\" (money "
                           "as printed, such as \"\xc2\xa3" "429k\")", key);
    ap_status st = ap__fr_money_text(jr, node, p, unit, 0, NULL, out);
    if (st != AP_OK)
        return st;
    if ((*text = ap__strdup(node->valuestring)) == NULL)
        return ap__jr_nomem(jr);
    return AP_OK;
}

/* A figure as printed ("9.48", "1,202", "100%"): its text into *text and,
 * when out is not NULL, its value. */
static ap_status figure_node(ap__jr *jr, const cJSON *node, const char *path,
                             char **text, ap_figure *out)
{
    const char *raw;
    size_t len;
    if (!ap__jr_number_text(jr, node, &raw, &len))
        return ap__jr_fail(jr, node, path, "expected a figure as printed, "
                           "such as \"9.48\" or \"1,202\", found %s",
                           ap__jr_type_name(node));
    ap_figure f;
    if (ap_figure_parse(raw, len, &f, jr->err) != AP_OK)
        return ap__jr_refail(jr, node, path);
    if (out != NULL)
        *out = f;
    if ((*text = malloc(len + 1)) == NULL)
        return ap__jr_nomem(jr);
    memcpy(*text, raw, len);
    (*text)[len] = '\0';
    return AP_OK;
}

/* A whole number of people or months: a non-negative JSON integer. */
static ap_status count_node(ap__jr *jr, const cJSON *node, const char *path,
                            const char *what, int64_t *out)
{
    ap_status st = ap__jr_integer(jr, node, path, out);
    if (st == AP_OK && *out < 0)
        return ap__jr_fail(jr, node, path, "%s cannot be negative, found "
                           "%lld", what, (long long)*out);
    return st;
}

/* The required ISO date under `key` of obj. */
static ap_status date_member(ap__jr *jr, const cJSON *obj, const char *path,
                             const char *key, int64_t *out)
{
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, key);
    const cJSON *node = ap__jr_member(obj, key);
    if (node == NULL)
        return ap__jr_fail(jr, obj, p, "missing required key \"%s\" (a date "
                           "such as \"2022-10-26\")", key);
    if (!cJSON_IsString(node))
        return ap__jr_fail(jr, node, p, "expected a date such as "
                           "\"2022-10-26\", found %s", ap__jr_type_name(node));
    if (ap_date_parse(node->valuestring, strlen(node->valuestring), out,
                      jr->err) != AP_OK)
        return ap__jr_refail(jr, node, p);
    return AP_OK;
}

/* A reading of an ambiguous cell, {"printed", "read_as", "evidence"},
 * composed into one sentence for reports: printed "…", read as …: why. */
static ap_status reading_member(ap__jr *jr, const cJSON *obj,
                                const char *path, char **out)
{
    static const char *const keys[] = {"printed", "read_as", "evidence",
                                       NULL};
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, "reading");
    const cJSON *r = ap__jr_member(obj, "reading");
    if (r == NULL)
        return (*out = ap__strdup("")) ? AP_OK : ap__jr_nomem(jr);
    char *printed = NULL, *read_as = NULL, *evidence = NULL;
    ap_status st;
    if (!(st = ap__jr_check_object(jr, r, p, keys)) &&
        !(st = ap__jr_string(jr, r, p, "printed", 1, NULL, &printed)) &&
        !(st = ap__jr_string(jr, r, p, "read_as", 1, NULL, &read_as)) &&
        !(st = ap__jr_string(jr, r, p, "evidence", 1, NULL, &evidence))) {
        struct ap_text t = {0};
        ap__text_append(&t, "printed \"%s\", read as %s: %s", printed,
                        read_as, evidence);
        if ((*out = ap__text_take(&t)) == NULL)
            st = ap__jr_nomem(jr);
    }
    free(printed);
    free(read_as);
    free(evidence);
    return st;
}

/* ---- the budget --------------------------------------------------------- */

static ap_status read_budget(ap__jr *jr, ap_disaggregation *m,
                             const cJSON *root)
{
    static const char *const keys[] = {"total", "allocations", "source",
                                       NULL};
    const char *path = "$.budget";
    const cJSON *b = ap__jr_member(root, "budget");
    if (b == NULL)
        return ap__jr_fail(jr, root, path, "missing required key \"budget\" "
                           "(the service's budget as printed, such as "
                           "{\"total\": \"\xc2\xa3" "429k\"})");
    ap_status st;
    if ((st = ap__jr_check_object(jr, b, path, keys)) ||
        (st = money_member(jr, b, path, "total", m->unit, &m->budget_text,
                           &m->budget)) ||
        (st = ap__jr_string(jr, b, path, "source", 0, "",
                            &m->budget_source)))
        return st;
    size_t n = m->n_authorities;
    if (!(m->has_allocation = calloc(n, sizeof *m->has_allocation)) ||
        !(m->allocation_text = calloc(n, sizeof *m->allocation_text)) ||
        !(m->allocations = calloc(n, sizeof *m->allocations)))
        return ap__jr_nomem(jr);
    const cJSON *alloc = ap__jr_member(b, "allocations");
    if (alloc == NULL)
        return AP_OK;
    char ap[AP__JR_PATH_SIZE], p[AP__JR_PATH_SIZE];
    ap__jr_key_path(ap, path, "allocations");
    if (!cJSON_IsObject(alloc))
        return ap__jr_fail(jr, alloc, ap, "expected an object of authority "
                           "to money, found %s", ap__jr_type_name(alloc));
    for (const cJSON *v = alloc->child; v != NULL; v = v->next) {
        ap__jr_key_path(p, ap, v->string);
        size_t who;
        if ((st = ap__fr_find_authority(jr, m->authorities, n, v, p,
                                        v->string, &who)))
            return st;
        if (m->has_allocation[who])
            return ap__jr_fail(jr, v, p, "duplicate key \"%s\"", v->string);
        if ((st = ap__fr_money_text(jr, v, p, m->unit, 0, NULL,
                                    &m->allocations[who])))
            return st;
        if ((m->allocation_text[who] = ap__strdup(v->valuestring)) == NULL)
            return ap__jr_nomem(jr);
        m->has_allocation[who] = 1;
    }
    return AP_OK;
}

/* ---- the bases ---------------------------------------------------------- */

static ap_status read_basis(ap__jr *jr, const cJSON *o, const char *p,
                            size_t i, size_t n, void *ctx)
{
    static const ap__fr_weight_words words = {
        "basis", "522", "one value per authority", 0, 1};
    ap_disaggregation *m = ctx;
    ap_disagg_basis *b = AP__JR_ELEMENT(m->bases, m->n_bases, i, n);
    if (b == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    char q[AP__JR_PATH_SIZE];
    if ((st = ap__fr_basis_members(jr, o, p, m->authorities,
                                   m->n_authorities, &words, &b->basis)) ||
        (st = ap__jr_string(jr, o, p, "what", 0, "", &b->what)) ||
        (st = ap__jr_string(jr, o, p, "source", 0, "", &b->source)) ||
        (st = reading_member(jr, o, p, &b->reading)))
        return st;
    if (b->basis.name[0] == '\0') {
        ap__jr_key_path(q, p, "name");
        return ap__jr_fail(jr, o, q, "missing required key \"name\" (the "
                           "basis's name, such as \"caseload\")");
    }
    for (size_t j = 0; j < i; j++)
        if (strcmp(m->bases[j].basis.name, b->basis.name) == 0) {
            ap__jr_key_path(q, p, "name");
            return ap__jr_fail(jr, ap__jr_member(o, "name"), q, "basis "
                               "\"%s\" is listed twice", b->basis.name);
        }
    const cJSON *total = ap__jr_member(o, "stated_total");
    if (total != NULL) {
        ap__jr_key_path(q, p, "stated_total");
        if ((st = figure_node(jr, total, q, &b->stated_total, NULL)))
            return st;
        b->has_stated_total = 1;
    }
    return AP_OK;
}

static ap_status read_bases(ap__jr *jr, ap_disaggregation *m,
                            const cJSON *root)
{
    static const char *const keys[] = {"name", "kind", "values", "mode",
                                       "what", "source", "reading",
                                       "stated_total", NULL};
    static const ap__jr_objects how = {.what = "an array of bases",
                                       .empty = NULL,
                                       .keys = keys,
                                       .each = read_basis};
    const cJSON *arr = ap__jr_member(root, "bases");
    return arr ? ap__jr_each_object(jr, arr, "$.bases", &how, m) : AP_OK;
}

/* ---- staffing ----------------------------------------------------------- */

static ap_status read_assigned(ap__jr *jr, const ap_disaggregation *m,
                               ap_disagg_post *post, const cJSON *o,
                               const char *p)
{
    char ap[AP__JR_PATH_SIZE], q[AP__JR_PATH_SIZE];
    ap__jr_key_path(ap, p, "assigned");
    const cJSON *a = ap__jr_member(o, "assigned");
    if (post->rule != AP_POST_ASSIGNED) {
        if (a != NULL)
            return ap__jr_fail(jr, a, ap, "\"assigned\" is for a post group "
                               "whose rule is \"assigned\"; this one's is "
                               "\"%s\"", ap_post_rule_name(post->rule));
        return AP_OK;
    }
    if (a == NULL)
        return ap__jr_fail(jr, o, ap, "missing required key \"assigned\" "
                           "(each authority's FTE of the group, as printed)");
    if (!cJSON_IsObject(a))
        return ap__jr_fail(jr, a, ap, "expected an object of authority to "
                           "FTE, found %s", ap__jr_type_name(a));
    size_t n = m->n_authorities;
    if (!(post->assigned_text = calloc(n, sizeof *post->assigned_text)) ||
        !(post->assigned = calloc(n, sizeof *post->assigned)))
        return ap__jr_nomem(jr);
    ap_status st;
    for (const cJSON *v = a->child; v != NULL; v = v->next) {
        ap__jr_key_path(q, ap, v->string);
        size_t who;
        if ((st = ap__fr_find_authority(jr, m->authorities, n, v, q,
                                        v->string, &who)))
            return st;
        if (post->assigned_text[who] != NULL)
            return ap__jr_fail(jr, v, q, "duplicate key \"%s\"", v->string);
        if ((st = figure_node(jr, v, q, &post->assigned_text[who],
                              &post->assigned[who])))
            return st;
        if (post->assigned[who].value < 0)
            return ap__jr_fail(jr, v, q, "an FTE cannot be negative");
    }
    for (size_t i = 0; i < n; i++)
        if (post->assigned_text[i] == NULL) {
            ap__jr_key_path(q, ap, m->authorities[i].code);
            return ap__jr_fail(jr, a, q, "no FTE for authority \"%s\"; write "
                               "\"0\" if it has none",
                               m->authorities[i].code);
        }
    return AP_OK;
}

static ap_status read_post(ap__jr *jr, const cJSON *o, const char *p,
                           size_t i, size_t n, void *ctx)
{
    ap_disaggregation *m = ctx;
    ap_disagg_staffing *s = &m->staffing;
    ap_disagg_post *post = AP__JR_ELEMENT(s->posts, s->n_posts, i, n);
    if (post == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    char q[AP__JR_PATH_SIZE];
    size_t k;
    ap__jr_key_path(q, p, "rule");
    if ((st = ap__jr_string(jr, o, p, "role", 1, NULL, &post->role)) ||
        (st = ap__jr_string(jr, o, p, "source", 0, "", &post->source)) ||
        (st = ap__jr_required_choice(jr, o, "rule", q,
                                     " (\"divided\", \"once_in_each\" or "
                                     "\"assigned\")",
                                     rule_names, &k)))
        return st;
    post->rule = (ap_post_rule)k;
    ap__jr_key_path(q, p, "fte");
    const cJSON *fte = ap__jr_member(o, "fte");
    if (fte == NULL)
        return ap__jr_fail(jr, o, q, "missing required key \"fte\" (the "
                           "group's full-time equivalents as printed, such "
                           "as \"5.48\")");
    if ((st = figure_node(jr, fte, q, &post->fte_text, &post->fte)))
        return st;
    if (post->fte.value < 0)
        return ap__jr_fail(jr, fte, q, "an FTE cannot be negative");
    const cJSON *heads = ap__jr_member(o, "headcount");
    if (heads != NULL) {
        ap__jr_key_path(q, p, "headcount");
        if ((st = count_node(jr, heads, q, "a headcount", &post->headcount)))
            return st;
        post->has_headcount = 1;
    }
    return read_assigned(jr, m, post, o, p);
}

static ap_status read_extra_cost(ap__jr *jr, ap_disaggregation *m,
                                 const cJSON *obj, const char *path)
{
    static const char *const keys[] = {"printed", "low", "high", "what",
                                       "source", NULL};
    ap_disagg_staffing *s = &m->staffing;
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, "extra_cost");
    const cJSON *x = ap__jr_member(obj, "extra_cost");
    if (x == NULL)
        return AP_OK;
    char *low = NULL, *high = NULL;
    ap_status st;
    if (!(st = ap__jr_check_object(jr, x, p, keys)) &&
        !(st = ap__jr_string(jr, x, p, "printed", 1, NULL,
                             &s->extra_cost_printed)) &&
        !(st = ap__jr_string(jr, x, p, "what", 0, "", &s->extra_cost_what)) &&
        !(st = ap__jr_string(jr, x, p, "source", 0, "",
                             &s->extra_cost_source)) &&
        !(st = money_member(jr, x, p, "low", m->unit, &low,
                            &s->extra_cost_low)) &&
        !(st = money_member(jr, x, p, "high", m->unit, &high,
                            &s->extra_cost_high))) {
        s->has_extra_cost = 1;
        if (s->extra_cost_low.pence > s->extra_cost_high.pence) {
            char q[AP__JR_PATH_SIZE];
            ap__jr_key_path(q, p, "high");
            st = ap__jr_fail(jr, ap__jr_member(x, "high"), q, "the range's "
                             "high end (%s) is below its low end (%s)",
                             high, low);
        }
    }
    free(low);
    free(high);
    return st;
}

static ap_status read_staffing(ap__jr *jr, ap_disaggregation *m,
                               const cJSON *root)
{
    static const char *const keys[] = {"headcount", "fte", "source",
                                       "posts", "extra_cost", NULL};
    static const char *const post_keys[] = {"role", "rule", "fte",
                                            "headcount", "assigned",
                                            "source", NULL};
    static const ap__jr_objects how = {.what = "an array of post groups",
                                       .empty = "expected at least one post "
                                                "group",
                                       .keys = post_keys,
                                       .each = read_post};
    const char *path = "$.staffing";
    const cJSON *s = ap__jr_member(root, "staffing");
    if (s == NULL)
        return AP_OK;
    ap_disagg_staffing *st_ = &m->staffing;
    ap_status st;
    char p[AP__JR_PATH_SIZE];
    if ((st = ap__jr_check_object(jr, s, path, keys)) ||
        (st = ap__jr_string(jr, s, path, "source", 0, "", &st_->source)))
        return st;
    st_->present = 1;
    const cJSON *heads = ap__jr_member(s, "headcount");
    if (heads != NULL) {
        ap__jr_key_path(p, path, "headcount");
        if ((st = count_node(jr, heads, p, "a headcount", &st_->headcount)))
            return st;
        st_->has_headcount = 1;
    }
    const cJSON *fte = ap__jr_member(s, "fte");
    if (fte != NULL) {
        ap__jr_key_path(p, path, "fte");
        if ((st = figure_node(jr, fte, p, &st_->fte_text, NULL)))
            return st;
        st_->has_fte = 1;
    }
    ap__jr_key_path(p, path, "posts");
    const cJSON *posts = ap__jr_member(s, "posts");
    if (posts == NULL)
        return ap__jr_fail(jr, s, p, "missing required key \"posts\" (the "
                           "service's post groups)");
    if ((st = ap__jr_each_object(jr, posts, p, &how, m)))
        return st;
    return read_extra_cost(jr, m, s, path);
}

/* ---- figures carried from another paper --------------------------------- */

static ap_status read_cross_check(ap__jr *jr, const cJSON *o, const char *p,
                                  size_t i, size_t n, void *ctx)
{
    ap_disaggregation *m = ctx;
    ap_disagg_cross_check *c =
        AP__JR_ELEMENT(m->cross_checks, m->n_cross_checks, i, n);
    if (c == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    ap_amount stated; /* checked here, judged by the audit from its text */
    if ((st = ap__jr_string(jr, o, p, "label", 1, NULL, &c->label)) ||
        (st = money_member(jr, o, p, "stated", m->unit, &c->stated,
                           &stated)) ||
        (st = ap__jr_string(jr, o, p, "stated_source", 0, "",
                            &c->stated_source)) ||
        (st = money_member(jr, o, p, "against", m->unit, &c->against_text,
                           &c->against)) ||
        (st = ap__jr_string(jr, o, p, "against_source", 1, NULL,
                            &c->against_source)) ||
        (st = ap__jr_string(jr, o, p, "reading", 0, "", &c->reading)))
        return st;
    return AP_OK;
}

static ap_status read_cross_checks(ap__jr *jr, ap_disaggregation *m,
                                   const cJSON *root)
{
    static const char *const keys[] = {"label", "stated", "stated_source",
                                       "against", "against_source",
                                       "reading", NULL};
    static const ap__jr_objects how = {.what = "an array of cross checks",
                                       .empty = NULL,
                                       .keys = keys,
                                       .each = read_cross_check};
    const cJSON *arr = ap__jr_member(root, "cross_checks");
    return arr ? ap__jr_each_object(jr, arr, "$.cross_checks", &how, m)
               : AP_OK;
}

/* ---- the timeline ------------------------------------------------------- */

static ap_status read_event(ap__jr *jr, const cJSON *o, const char *p,
                            size_t i, size_t n, void *ctx)
{
    ap_disagg_timeline *t = ctx;
    ap_disagg_event *e = AP__JR_ELEMENT(t->events, t->n_events, i, n);
    if (e == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    if ((st = date_member(jr, o, p, "date", &e->date)) ||
        (st = ap__jr_string(jr, o, p, "what", 1, NULL, &e->what)) ||
        (st = ap__jr_string(jr, o, p, "source", 0, "", &e->source)))
        return st;
    if (i > 0 && e->date < t->events[i - 1].date)
        return ap__jr_fail(jr, ap__jr_member(o, "date"), p, "events are "
                           "listed in date order; this one is before the "
                           "one above it");
    return AP_OK;
}

static ap_status read_timeline(ap__jr *jr, ap_disaggregation *m,
                               const cJSON *root)
{
    static const char *const keys[] = {"notice_months", "notice_source",
                                       "notice_from", "target", "events",
                                       NULL};
    static const char *const from_keys[] = {"date", "what", NULL};
    static const char *const target_keys[] = {"date", "printed", "source",
                                              NULL};
    static const char *const event_keys[] = {"date", "what", "source", NULL};
    static const ap__jr_objects how = {.what = "an array of events",
                                       .empty = NULL,
                                       .keys = event_keys,
                                       .each = read_event};
    const char *path = "$.timeline";
    const cJSON *t = ap__jr_member(root, "timeline");
    if (t == NULL)
        return AP_OK;
    ap_disagg_timeline *tl = &m->timeline;
    ap_status st;
    char p[AP__JR_PATH_SIZE];
    if ((st = ap__jr_check_object(jr, t, path, keys)) ||
        (st = ap__jr_string(jr, t, path, "notice_source", 0, "",
                            &tl->notice_source)))
        return st;
    ap__jr_key_path(p, path, "notice_months");
    const cJSON *months = ap__jr_member(t, "notice_months");
    if (months == NULL)
        return ap__jr_fail(jr, t, p, "missing required key "
                           "\"notice_months\" (the agreement's notice "
                           "period, such as 9)");
    if ((st = count_node(jr, months, p, "a notice period",
                         &tl->notice_months)))
        return st;
    if (tl->notice_months > 1200)
        return ap__jr_fail(jr, months, p, "a notice period of %lld months "
                           "is not credible; expected at most 1200",
                           (long long)tl->notice_months);
    ap__jr_key_path(p, path, "notice_from");
    const cJSON *from = ap__jr_member(t, "notice_from");
    if (from == NULL)
        return ap__jr_fail(jr, t, p, "missing required key \"notice_from\" "
                           "({\"date\", \"what\"}: when notice is read as "
                           "given)");
    if ((st = ap__jr_check_object(jr, from, p, from_keys)) ||
        (st = date_member(jr, from, p, "date", &tl->notice_from)) ||
        (st = ap__jr_string(jr, from, p, "what", 1, NULL,
                            &tl->notice_from_what)))
        return st;
    ap__jr_key_path(p, path, "target");
    const cJSON *target = ap__jr_member(t, "target");
    if (target == NULL)
        return ap__jr_fail(jr, t, p, "missing required key \"target\" "
                           "({\"date\", \"printed\", \"source\"}: the date "
                           "the paper sets)");
    if ((st = ap__jr_check_object(jr, target, p, target_keys)) ||
        (st = date_member(jr, target, p, "date", &tl->target)) ||
        (st = ap__jr_string(jr, target, p, "printed", 1, NULL,
                            &tl->target_printed)) ||
        (st = ap__jr_string(jr, target, p, "source", 0, "",
                            &tl->target_source)))
        return st;
    const cJSON *events = ap__jr_member(t, "events");
    ap__jr_key_path(p, path, "events");
    if (events != NULL && (st = ap__jr_each_object(jr, events, p, &how, tl)))
        return st;
    tl->present = 1;
    return AP_OK;
}

/* ---- the whole -------------------------------------------------------- */

static ap_status read_host(ap__jr *jr, ap_disaggregation *m,
                           const cJSON *root)
{
    const cJSON *host = ap__jr_member(root, "host");
    if (host == NULL)
        return ap__jr_fail(jr, root, "$.host", "missing required key "
                           "\"host\" (the code of the authority that hosts "
                           "the service now)");
    if (!cJSON_IsString(host))
        return ap__jr_fail(jr, host, "$.host", "expected an authority's "
                           "code, found %s", ap__jr_type_name(host));
    return ap__fr_find_authority(jr, m->authorities, m->n_authorities, host,
                                 "$.host", host->valuestring, &m->host);
}

static ap_status read_disaggregation(ap__jr *jr, void *model)
{
    ap_disaggregation *m = model;
    static const char *const keys[] = {
        "$schema", "format",   "title",        "reference", "source",
        "notes",   "unit",     "authorities",  "host",      "budget",
        "bases",   "staffing", "cross_checks", "timeline",  NULL};
    const cJSON *root = jr->root;
    m->unit = AP_UNIT_POUNDS;
    ap_status st;
    if ((st = ap__jr_check_object(jr, root, "$", keys)) ||
        (st = ap__fr_notes(jr, root, "$")) ||
        (st = ap__fr_unit(jr, root, "$", &m->unit)) ||
        (st = ap__jr_string(jr, root, "$", "title", 0, "", &m->title)) ||
        (st = ap__jr_string(jr, root, "$", "reference", 0, "",
                            &m->reference)) ||
        (st = ap__fr_authorities(jr, root, "$", 1, &m->authorities,
                                 &m->n_authorities)) ||
        (st = read_host(jr, m, root)) || (st = read_budget(jr, m, root)) ||
        (st = read_bases(jr, m, root)) || (st = read_staffing(jr, m, root)) ||
        (st = read_cross_checks(jr, m, root)) ||
        (st = read_timeline(jr, m, root)))
        return st;
    return AP_OK;
}

AP__JR_ENTRY_POINTS(ap_disaggregation, ap_disaggregation_parse,
                    ap_disaggregation_load, ap_disaggregation_free,
                    disagg_format, read_disaggregation, NULL, 0)

void ap_disaggregation_free(ap_disaggregation *m)
{
    if (m == NULL)
        return;
    free(m->source);
    free(m->title);
    free(m->reference);
    free(m->budget_text);
    free(m->budget_source);
    if (m->allocation_text != NULL)
        for (size_t i = 0; i < m->n_authorities; i++)
            free(m->allocation_text[i]);
    free(m->allocation_text);
    free(m->has_allocation);
    free(m->allocations);
    for (size_t i = 0; i < m->n_bases; i++) {
        ap_disagg_basis *b = &m->bases[i];
        ap__fr_split_free(&b->basis, m->n_authorities);
        free(b->what);
        free(b->source);
        free(b->reading);
        free(b->stated_total);
    }
    free(m->bases);
    ap_disagg_staffing *s = &m->staffing;
    for (size_t i = 0; i < s->n_posts; i++) {
        ap_disagg_post *p = &s->posts[i];
        free(p->role);
        free(p->source);
        free(p->fte_text);
        if (p->assigned_text != NULL)
            for (size_t a = 0; a < m->n_authorities; a++)
                free(p->assigned_text[a]);
        free(p->assigned_text);
        free(p->assigned);
    }
    free(s->posts);
    free(s->fte_text);
    free(s->source);
    free(s->extra_cost_printed);
    free(s->extra_cost_source);
    free(s->extra_cost_what);
    for (size_t i = 0; i < m->n_cross_checks; i++) {
        ap_disagg_cross_check *c = &m->cross_checks[i];
        free(c->label);
        free(c->stated);
        free(c->stated_source);
        free(c->against_text);
        free(c->against_source);
        free(c->reading);
    }
    free(m->cross_checks);
    ap_disagg_timeline *t = &m->timeline;
    free(t->notice_source);
    free(t->notice_from_what);
    free(t->target_printed);
    free(t->target_source);
    for (size_t i = 0; i < t->n_events; i++) {
        free(t->events[i].what);
        free(t->events[i].source);
    }
    free(t->events);
    ap__fr_authorities_free(m->authorities, m->n_authorities);
    free(m);
}
