/* C tests of outturn against budget and contract sums (outturn.c, contract_sum.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_OUTTURN(X)             \
    X(outturn_nct_example)                  \
    X(outturn_sign_conventions)             \
    X(outturn_percent_exact)                \
    X(outturn_areas_and_authorities)        \
    X(outturn_units_widen)                  \
    X(outturn_many_lines)                   \
    X(outturn_errors_name_path)             \
    X(outturn_in_plan_file)                 \
    X(recharge_balance_iass)                \
    X(recharge_balance_needs_a_recharge)    \
    X(contract_sum_nct_example)             \
    X(contract_sum_errors_name_path)        \
    X(contract_sum_in_plan_file)            \
    X(contract_sum_tables_leave_cases_out)
