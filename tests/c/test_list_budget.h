/* C tests of MTFP roll-forward and savings by RAG (mtfp.c, savings.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_BUDGET(X)
