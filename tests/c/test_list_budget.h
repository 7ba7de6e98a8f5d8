/* C tests of MTFP roll-forward and savings by RAG (mtfp.c, savings.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_BUDGET(X)            \
    X(mtfp_seed_roll_forward)             \
    X(mtfp_broken_copies)                 \
    X(mtfp_errors_name_path)              \
    X(mtfp_in_plan_file)                  \
    X(savings_seed_by_rag)                \
    X(savings_amber_at_risk_and_options)  \
    X(savings_errors_name_path)           \
    X(savings_in_plan_file)
