/* Glue for the audit of stated totals and tables (audit.h). */
#include "_core.h"

PyMethodDef audit_methods[] = {
    {NULL, NULL, 0, NULL},
};
