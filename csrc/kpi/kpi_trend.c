/* How a KPI moves over periods: direction of travel and escalation. */
#include "apportion/kpi.h"
#include "base/base.h"

AP__NAMES(ap_escalation, ap_escalation_name, escalation_names,
          AP_ESCALATION_COUNT, AP_ESCALATION_MAP, AP__NAME_TEXT,
          "unknown escalation")

const char *ap_direction_name(ap_direction d)
{
    switch (d) {
    case AP_DIRECTION_IMPROVING: return "improving";
    case AP_DIRECTION_UNCHANGED: return "unchanged";
    case AP_DIRECTION_WORSENING: return "worsening";
    }
    return "unknown direction";
}

ap_direction ap_direction_of(ap_polarity polarity, ap_number current,
                             ap_number previous)
{
    int c = ap_number_cmp(current, previous);
    if (c == 0)
        return AP_DIRECTION_UNCHANGED;
    int better = polarity == AP_POLARITY_HIGHER ? c > 0 : c < 0;
    return better ? AP_DIRECTION_IMPROVING : AP_DIRECTION_WORSENING;
}

ap_status ap_escalation_run(const uint8_t *rags, size_t n, uint8_t no_data,
                            const ap_escalation_rule *rule, uint8_t *out,
                            ap_error *err)
{
    if (rule->failure_after < 1 || rule->rectification_after < 1)
        return ap_error_set(err, AP_E_INPUT,
                            "escalation needs failure_after >= 1 and "
                            "rectification_after >= 1, not %lld and %lld",
                            (long long)rule->failure_after,
                            (long long)rule->rectification_after);
    int64_t run = 0; /* consecutive periods out of tolerance */
    for (size_t i = 0; i < n; i++) {
        if (rags[i] == no_data) {
            /* A missing period neither resolves a failure nor adds to it. */
            out[i] = AP_ESC_NO_DATA;
            continue;
        }
        if (rags[i] >= AP_RAG_COUNT)
            return ap_error_set(err, AP_E_INPUT,
                                "period %zu has rating %d, which is not a "
                                "RAG rating", i, rags[i]);
        if (rags[i] != AP_RAG_RED) {
            run = 0;
            out[i] = AP_ESC_NONE;
            continue;
        }
        run++;
        if (run < rule->failure_after)
            out[i] = AP_ESC_OUT_OF_TOLERANCE;
        else if (run - rule->failure_after < rule->rectification_after)
            out[i] = AP_ESC_PERFORMANCE_FAILURE;
        else
            out[i] = AP_ESC_RECTIFICATION_PLAN;
    }
    return AP_OK;
}
