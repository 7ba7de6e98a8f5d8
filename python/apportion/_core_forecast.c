/* placeholder: filled in by the forecast glue */
#include "_core.h"

PyMethodDef forecast_methods[] = {
    {NULL, NULL, 0, NULL}
};
