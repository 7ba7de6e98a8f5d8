#include <stdint.h>

#include "apportion/apportion.h"
#include "runner.h"

TEST(schedule_equal)
{
    int64_t q[4];
    ap_error err;
    /* WNC's £211,654 in whole pounds: 52,914 x 3 and a balancing 52,912. */
    CHECK(ap_schedule_equal(21165400, 4, 100, AP_ROUND_HALF_UP, q, &err) ==
          AP_OK);
    CHECK(q[0] == 5291400 && q[1] == 5291400 && q[2] == 5291400);
    CHECK_EQ_I64(q[3], 5291200);
    CHECK(ap_schedule_equal(21165400, 4, 100, AP_ROUND_DOWN, q, &err) ==
          AP_OK);
    CHECK(q[0] == 5291300 && q[3] == 5291500);
    CHECK(ap_schedule_equal(21165400, 4, 1, AP_ROUND_HALF_UP, q, &err) ==
          AP_OK);
    CHECK(q[0] == 5291350 && q[3] == 5291350);
    CHECK(ap_schedule_equal(-21165400, 4, 100, AP_ROUND_HALF_UP, q, &err) ==
          AP_OK);
    CHECK(q[0] == -5291400 && q[3] == -5291200);
    CHECK(ap_schedule_equal(1, 4, 100, AP_ROUND_HALF_UP, q, &err) == AP_OK);
    CHECK(q[0] == 0 && q[3] == 1);
    CHECK(ap_schedule_equal(INT64_MIN, 4, 1, AP_ROUND_HALF_UP, q, &err) ==
          AP_OK);
    CHECK((__int128)q[0] * 3 + q[3] == INT64_MIN);
    CHECK(ap_schedule_equal(100, 0, 1, AP_ROUND_HALF_UP, q, &err) ==
          AP_E_INPUT);
    CHECK(ap_schedule_equal(100, 4, 0, AP_ROUND_HALF_UP, q, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "granularity");
}

TEST(schedule_balancing)
{
    int64_t billed[] = {5291400, 5291400, 5291400};
    int64_t balance;
    CHECK(ap_schedule_balancing(billed, 3, 20000000, &balance, NULL) ==
          AP_OK);
    CHECK_EQ_I64(balance, 20000000 - 15874200);
    CHECK(ap_schedule_balancing(billed, 3, 15000000, &balance, NULL) ==
          AP_OK);
    CHECK_EQ_I64(balance, -874200); /* a refund */
    int64_t huge[] = {INT64_MAX, 1};
    CHECK(ap_schedule_balancing(huge, 2, 0, &balance, NULL) == AP_E_OVERFLOW);
}
