/* C tests of the audit of whole tables (audit_table.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_AUDIT_TABLE(X)                       \
    X(audit_table_nct_outturn)                            \
    X(audit_table_mtfp_consistent)                        \
    X(audit_table_mtfp_broken_base)                       \
    X(audit_table_mtfp_proposals)                         \
    X(audit_table_savings_reclassification)               \
    X(audit_table_savings_as_listed)                      \
    X(audit_table_savings_row_disagrees)                  \
    X(audit_table_transformation_blocks)                  \
    X(audit_table_forms)                                  \
    X(audit_table_nil_precision)                          \
    X(audit_table_reclassification_general)               \
    X(audit_table_errors_name_path)                       \
    X(audit_table_api_misuse)                             \
    X(audit_table_overflow_is_an_error)                   \
    X(audit_table_generated_against_independent_sums)
