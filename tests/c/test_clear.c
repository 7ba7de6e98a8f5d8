/* The _clear functions (they free what a caller-owned struct holds and
 * leave it empty) and the deprecated _free names they had before, which
 * must keep doing exactly the same for one release.  Leaks show under
 * ctest-asan and ctest-valgrind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "apportion/registry.h"
#include "runner.h"

static int64_t ymd(int y, int m, int d) { return ap_date_from_ymd(y, m, d); }

/* Two groups from the real measure, so the array is the library's own. */
static void sla_two_groups(ap_sla_result *r)
{
    ap_calendar *cal;
    ap_error err;
    CHECK(ap_calendar_new(AP_DIVISION_ENGLAND_AND_WALES, AP_WEEKMASK_MON_FRI,
                          NULL, 0, &cal, &err) == AP_OK);
    int64_t start[] = {ymd(2021, 6, 4), ymd(2021, 6, 7)};
    int64_t end[] = {ymd(2021, 6, 9), AP_DATE_NAT};
    int64_t keys[] = {1, 2};
    ap_sla_options opt = {3, AP_ELAPSED_AFTER_START, ymd(2021, 6, 11)};
    CHECK(ap_sla_measure(cal, start, end, keys, 2, &opt, r, &err) == AP_OK);
    CHECK(r->n_groups == 2 && r->groups != NULL);
    ap_calendar_free(cal);
}

static void rereferral_two_groups(ap_rereferral_result *r)
{
    ap_error err;
    int64_t subjects[] = {1, 1, 2};
    int64_t dates[] = {ymd(2021, 3, 1), ymd(2021, 5, 5), ymd(2021, 5, 5)};
    int64_t keys[] = {10, 10, 20};
    CHECK(ap_rereferrals(subjects, dates, keys, 3, 12, NULL, r, &err) ==
          AP_OK);
    CHECK(r->n_groups == 2 && r->groups != NULL);
}

/* ap_area_measure and ap_area_check need a loaded plugin; their results
 * are plain malloc'd arrays, made here as the library makes them. */
static void measure_two_groups(ap_measure_result *r)
{
    r->groups = calloc(2, sizeof *r->groups);
    CHECK(r->groups != NULL);
    r->n_groups = 2;
    r->scale = 100;
}

static void two_findings(ap_finding_list *list)
{
    list->items = calloc(2, sizeof *list->items);
    CHECK(list->items != NULL);
    list->n = 2;
    for (size_t i = 0; i < 2; i++) {
        list->items[i].severity = AP_SEVERITY_WARNING;
        list->items[i].field = strdup(i ? "cases[1].amount" : "");
        list->items[i].message = strdup("stated as £1 but computed as £2");
        CHECK(list->items[i].field && list->items[i].message);
    }
}

TEST(clear_empties_the_callers_struct_and_may_repeat)
{
    ap_sla_result sla;
    sla_two_groups(&sla);
    ap_sla_result_clear(&sla);
    CHECK(sla.groups == NULL && sla.n_groups == 0);
    ap_sla_result_clear(&sla);
    CHECK(sla.groups == NULL && sla.n_groups == 0);
    ap_sla_result_clear(NULL);

    ap_rereferral_result re;
    rereferral_two_groups(&re);
    ap_rereferral_result_clear(&re);
    CHECK(re.groups == NULL && re.n_groups == 0);
    ap_rereferral_result_clear(&re);
    CHECK(re.groups == NULL && re.n_groups == 0);
    ap_rereferral_result_clear(NULL);

    ap_measure_result m;
    measure_two_groups(&m);
    ap_measure_result_clear(&m);
    CHECK(m.groups == NULL && m.n_groups == 0);
    ap_measure_result_clear(&m);
    CHECK(m.groups == NULL && m.n_groups == 0);
    ap_measure_result_clear(NULL);

    ap_finding_list list;
    two_findings(&list);
    ap_finding_list_clear(&list);
    CHECK(list.items == NULL && list.n == 0);
    ap_finding_list_clear(&list);
    CHECK(list.items == NULL && list.n == 0);
    ap_finding_list_clear(NULL);
}

/* The old names, called as code built before the rename calls them. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
TEST(deprecated_free_names_clear_as_before)
{
    ap_sla_result sla;
    sla_two_groups(&sla);
    ap_sla_result_free(&sla);
    CHECK(sla.groups == NULL && sla.n_groups == 0);
    ap_sla_result_free(&sla);
    CHECK(sla.groups == NULL && sla.n_groups == 0);
    ap_sla_result_free(NULL);

    ap_rereferral_result re;
    rereferral_two_groups(&re);
    ap_rereferral_result_free(&re);
    CHECK(re.groups == NULL && re.n_groups == 0);
    ap_rereferral_result_free(&re);
    CHECK(re.groups == NULL && re.n_groups == 0);
    ap_rereferral_result_free(NULL);

    ap_measure_result m;
    measure_two_groups(&m);
    ap_measure_result_free(&m);
    CHECK(m.groups == NULL && m.n_groups == 0);
    ap_measure_result_free(&m);
    CHECK(m.groups == NULL && m.n_groups == 0);
    ap_measure_result_free(NULL);

    ap_finding_list list;
    two_findings(&list);
    ap_finding_list_free(&list);
    CHECK(list.items == NULL && list.n == 0);
    ap_finding_list_free(&list);
    CHECK(list.items == NULL && list.n == 0);
    ap_finding_list_free(NULL);
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
