/* C tests of the audit of a stated total (audit_sum.c, figure_parse.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_AUDIT(X)
