/* C tests of the forecasts (student_t.c, trend.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_FORECAST(X)                 \
    X(student_t_known_quantiles)                 \
    X(student_t_known_cdf)                       \
    X(student_t_round_trips)                     \
    X(trend_county_children_looked_after)        \
    X(trend_exact_lines)                         \
    X(trend_missing_values_skipped)              \
    X(trend_errors)                              \
    X(trend_batch_matches_single)                \
    X(trend_batch_long_series)                   \
    X(trend_batch_threads_equal)                 \
    X(trend_batch_errors)
