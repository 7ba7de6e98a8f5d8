/* C tests of Holt's linear exponential smoothing (holt.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_HOLT(X)                        \
    X(holt_fixed_matches_statsmodels)               \
    X(holt_interval_matches_ets)                    \
    X(holt_fitted_initial_values_are_least_squares) \
    X(holt_fitted_cla_beats_statsmodels)            \
    X(holt_missing_values)                          \
    X(holt_errors)                                  \
    X(holt_batch_matches_single_fits)               \
    X(holt_batch_strides)                           \
    X(holt_batch_first_infinite_value)
