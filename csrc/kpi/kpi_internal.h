/* What holders of KPIs outside a set need (kpi_read.c).  Not part of the
 * API. */
#ifndef APPORTION_KPI_INTERNAL_H
#define APPORTION_KPI_INTERNAL_H

#include "apportion/kpi.h"

/* Frees every pointer one KPI owns (not the KPI itself), as
 * ap_kpi_set_free does for each of a set's: for KPIs held outside a
 * heap-allocated set, such as a plugin area's. */
void ap__kpi_release(ap_kpi *kpi);


#endif
