/* placeholder: filled in by the scenario glue */
#include "_core.h"

PyMethodDef scenario_methods[] = {
    {NULL, NULL, 0, NULL}
};
