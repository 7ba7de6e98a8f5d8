/* Re-referrals: records whose subject had an earlier record within a
 * window of months.
 *
 * Sorting (subject, date, row) triples puts each subject's records in
 * date order, so a record is a re-referral exactly when the record just
 * before it in that order has the same subject and a date inside the
 * window: the one just before is the latest earlier record. */
#include <stdlib.h>
#include <string.h>

#include "apportion/measures.h"
#include "kpi/group_map.h"

typedef struct referral {
    int64_t subject, date;
    size_t row;
} referral;

static int cmp_referral(const void *pa, const void *pb)
{
    const referral *a = pa, *b = pb;
    if (a->subject != b->subject)
        return a->subject < b->subject ? -1 : 1;
    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

typedef struct emit {
    ap_rereferral_group *groups;
    size_t n;
} emit;

static void emit_group(void *ctx, int64_t key, const int64_t *acc)
{
    emit *e = ctx;
    e->groups[e->n++] = (ap_rereferral_group){key, acc[0], acc[1]};
}

static int cmp_group_key(const void *a, const void *b)
{
    int64_t x = ((const ap_rereferral_group *)a)->key;
    int64_t y = ((const ap_rereferral_group *)b)->key;
    return (x > y) - (x < y);
}

/* Dates are limited to where month arithmetic is plainly safe. */
#define DATE_LIMIT 3000000

ap_status ap_rereferrals(const int64_t *subjects, const int64_t *dates,
                         const int64_t *keys, size_t n, int64_t window_months,
                         uint8_t *flags, ap_rereferral_result *out,
                         ap_error *err)
{
    out->groups = NULL;
    out->n_groups = 0;
    if (window_months < 1 || window_months > 1200)
        return ap_error_set(err, AP_E_INPUT,
                            "window_months is %lld; it must be from 1 to "
                            "1200",
                            (long long)window_months);
    for (size_t i = 0; i < n; i++)
        if (dates[i] < -DATE_LIMIT || dates[i] > DATE_LIMIT) {
            char text[32];
            ap_date_format(dates[i], text, sizeof text);
            return ap_error_set(err, AP_E_INPUT,
                                "row %zu: the date is %s; every referral "
                                "needs a date",
                                i, text);
        }
    referral *order = malloc((n ? n : 1) * sizeof *order);
    uint8_t *is_re = flags ? flags : malloc(n ? n : 1);
    if (order == NULL || is_re == NULL) {
        free(order);
        if (is_re != flags)
            free(is_re);
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory sorting %zu referrals", n);
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (referral){subjects[i], dates[i], i};
    qsort(order, n, sizeof *order, cmp_referral);
    memset(is_re, 0, n);
    for (size_t k = 1; k < n; k++) {
        const referral *prev = &order[k - 1], *cur = &order[k];
        if (prev->subject == cur->subject &&
            prev->date >= ap_date_add_months(cur->date, -window_months))
            is_re[cur->row] = 1;
    }
    free(order);

    int64_t kmin = 0, kmax = 0;
    if (keys != NULL && n > 0)
        ap__keys_range(keys, n, &kmin, &kmax);
    ap__group_map map;
    ap_status st = AP_OK;
    if (ap__group_map_init(&map, 2, kmin, kmax) < 0) {
        st = ap_error_set(err, AP_E_NOMEM, "out of memory grouping");
    } else {
        for (size_t i = 0; i < n; i++) {
            int64_t *acc = keys ? ap__group_acc(&map, keys[i]) : map.acc;
            if (acc == NULL) {
                st = ap_error_set(err, AP_E_NOMEM, "out of memory grouping");
                break;
            }
            acc[0]++;
            acc[1] += is_re[i];
        }
    }
    if (st == AP_OK) {
        size_t groups = n == 0 ? 0 : ap__group_map_size(&map);
        emit e = {malloc((groups ? groups : 1) * sizeof *e.groups), 0};
        if (e.groups == NULL) {
            st = ap_error_set(err, AP_E_NOMEM, "out of memory grouping");
        } else {
            if (n > 0)
                ap__group_map_each(&map, emit_group, &e);
            qsort(e.groups, e.n, sizeof *e.groups, cmp_group_key);
            out->groups = e.groups;
            out->n_groups = e.n;
        }
    }
    ap__group_map_free(&map);
    if (is_re != flags)
        free(is_re);
    return st;
}

void ap_rereferral_result_clear(ap_rereferral_result *result)
{
    if (result == NULL)
        return;
    free(result->groups);
    result->groups = NULL;
    result->n_groups = 0;
}

/* The old name, kept for one release so that programs built against it
 * still link: it only ever freed the members, which is what _clear means. */
void ap_rereferral_result_free(ap_rereferral_result *result)
{
    ap_rereferral_result_clear(result);
}
