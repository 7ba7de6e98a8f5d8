/* C tests of outturn against budget and contract sums (outturn.c, contract_sum.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_OUTTURN(X)
