/* C tests of Holt's linear exponential smoothing (holt.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_HOLT(X)
