/* C tests of ledgers (ledger.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_LEDGER(X)
