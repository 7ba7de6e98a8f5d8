/* placeholder: filled in by the Holt glue */
#include "_core.h"

PyMethodDef holt_methods[] = {
    {NULL, NULL, 0, NULL}
};
