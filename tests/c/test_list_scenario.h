/* C tests of the cost scenarios (philox.c, cost_scenario.c, percentiles.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_SCENARIO(X)
