/* add_working_days with errors="coerce": a result outside the calendar's
 * span is NaT for that element alone, while errors="raise" (the plain
 * function) names the element and writes nothing more. */
#include <stdint.h>

#include "apportion/apportion.h"
#include "runner.h"

TEST(add_working_days_coerce_is_nat_for_that_element_only)
{
    ap_calendar *cal = NULL;
    ap_error err;
    CHECK(ap_calendar_new(AP_DIVISION_ENGLAND_AND_WALES, AP_WEEKMASK_MON_FRI,
                          NULL, 0, &cal, &err) == AP_OK);
    const int64_t dates[] = {
        ap_date_from_ymd(2021, 6, 4),   /* a Friday: fine */
        ap_date_from_ymd(2100, 12, 1),  /* moved beyond 2100 */
        ap_date_from_ymd(1960, 1, 4),   /* before the span */
        AP_DATE_NAT,
        ap_date_from_ymd(1970, 1, 2),   /* moved before 1970 */
    };
    const int64_t offsets[] = {3, 1000, 1, 1, -5};
    int64_t out[5];
    CHECK(ap_add_working_days_coerce(cal, dates, offsets, 5,
                                     AP_ROLL_FORWARD, out, &err) == AP_OK);
    CHECK_EQ_I64(out[0], ap_date_from_ymd(2021, 6, 9));
    CHECK(out[1] == AP_DATE_NAT);
    CHECK(out[2] == AP_DATE_NAT);
    CHECK(out[3] == AP_DATE_NAT);
    CHECK(out[4] == AP_DATE_NAT);
    /* NaT passes even under roll="raise"; a day that is not a working
     * day is still refused there. */
    CHECK(ap_add_working_days_coerce(cal, dates, offsets, 5, AP_ROLL_RAISE,
                                     out, &err) == AP_OK);
    const int64_t saturday = ap_date_from_ymd(2021, 6, 5);
    CHECK(ap_add_working_days_coerce(cal, &saturday, offsets, 1,
                                     AP_ROLL_RAISE, out, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "not a working day");
    /* errors="raise": the element is named. */
    CHECK(ap_add_working_days_many(cal, dates, offsets, 5, AP_ROLL_FORWARD,
                                   out, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "dates[1] (2100-12-01) moved 1000 working "
                                "days falls outside the calendar's dates");
    ap_calendar_free(cal);
}
