/* C tests of the audit of a stated total (audit_sum.c, figure_parse.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_AUDIT(X)               \
    X(figure_parse_accepted)                \
    X(figure_parse_refused)                 \
    X(figure_format)                        \
    X(audit_names)                          \
    X(audit_decimal_shift_item)             \
    X(audit_shares_against_exact_100)       \
    X(audit_seed_nct_outturn)               \
    X(audit_seed_mtfp)                      \
    X(audit_seed_savings_amber)             \
    X(audit_transposition)                  \
    X(audit_decimal_shift_total)            \
    X(audit_item_slips)                     \
    X(audit_total_sign_error)               \
    X(audit_ties)                           \
    X(audit_options_decimals)               \
    X(audit_errors)                         \
    X(audit_extremes)                       \
    X(audit_matches_brute_force)            \
    X(audit_many_items)
