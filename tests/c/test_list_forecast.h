/* C tests of the forecasts (student_t.c, trend.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_FORECAST(X)
