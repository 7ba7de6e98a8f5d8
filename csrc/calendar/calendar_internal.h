/* What the measures need of a calendar beyond its API (working_days.c).
 * Not part of the API. */
#ifndef APPORTION_CALENDAR_INTERNAL_H
#define APPORTION_CALENDAR_INTERNAL_H

#include <stdint.h>

struct ap_calendar;
/* The calendar's table of working days before each date (index date -
 * *first, for dates *first..*last + 1), for the measures' inner loops. */
const int32_t *ap__calendar_before(const struct ap_calendar *cal,
                                   int64_t *first, int64_t *last);

#endif
