/* C tests of the cost scenarios (philox.c, cost_scenario.c, percentiles.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_SCENARIO(X)                    \
    X(philox_known_answers)                         \
    X(scenario_uniform_coordinates)                 \
    X(scenario_uniform_open_interval)               \
    X(scenario_normal_moments)                      \
    X(cost_project_worked_example)                  \
    X(cost_project_rounds_half_to_even)             \
    X(cost_model_errors_name_the_field)             \
    X(cost_overflow_names_year_and_scenario)        \
    X(cost_simulate_same_for_any_threads_and_split) \
    X(cost_simulate_sd_zero_is_the_projection)      \
    X(cost_simulate_draws_as_documented)            \
    X(percentiles_hand_example)                     \
    X(percentiles_exact_beyond_2_53)                \
    X(percentiles_match_a_sorted_reference)         \
    X(percentiles_errors)
