/* C tests of the audit of whole tables (audit_table.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_AUDIT_TABLE(X)
