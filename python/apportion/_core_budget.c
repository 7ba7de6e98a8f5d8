/* Glue for MTFP roll-forward and savings by RAG (mtfp.h, savings.h). */
#include "_core.h"

PyMethodDef budget_methods[] = {
    {NULL, NULL, 0, NULL},
};
