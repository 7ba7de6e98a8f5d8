/* Glue for ledgers summed and apportioned (ledger.h). */
#include "_core.h"

PyMethodDef ledger_methods[] = {
    {NULL, NULL, 0, NULL},
};
