/* Every C test, once: the runner and the declarations come from here. */
#define AP_TEST_LIST(X)                  \
    X(money_arithmetic)                  \
    X(money_mul_ratio)                   \
    X(money_parse_seed_figures)          \
    X(money_parse_errors)                \
    X(money_format)                      \
    X(money_round_trip)                  \
    X(decimal_parse)                     \
    X(weights_common)                    \
    X(apportion_issue_examples)          \
    X(apportion_modes)                   \
    X(apportion_errors)                  \
    X(apportion_extremes)                \
    X(apportion_many_matches_single)     \
    X(apportion_many_parallel)           \
    X(apportion_lines_exact)             \
    X(schedule_equal)                    \
    X(schedule_balancing)                \
    X(plan_iass_example)                 \
    X(plan_errors_name_path)             \
    X(plan_pence_keys_exact)
