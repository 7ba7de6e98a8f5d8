/* C tests of ledgers (ledger.c): X(name) for each TEST(name). */
#define AP_TEST_LIST_LEDGER(X)                      \
    X(ledger_sum_hand_checked)                      \
    X(ledger_sum_errors)                            \
    X(ledger_sum_first_fault_whatever_the_threads)  \
    X(ledger_sum_threads_equal)                     \
    X(ledger_sum_overflow)                          \
    X(ledger_sum_narrow_table_spills)               \
    X(ledger_periods_quarters_and_months)           \
    X(ledger_periods_errors)                        \
    X(ledger_apportion_hand_checked)                \
    X(ledger_apportion_errors)                      \
    X(ledger_conservation_random)
