/* Glue for outturn against budget and contract sums (outturn.h, contract_sum.h). */
#include "_core.h"

PyMethodDef outturn_methods[] = {
    {NULL, NULL, 0, NULL},
};
