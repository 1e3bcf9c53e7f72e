/* date.h: dates as feeds and HTTP write them, to time_t (0: unreadable). */
#ifndef DATE_H
#define DATE_H

#include <time.h>

time_t	date_parse(const char *);
time_t	date_parse_rfc3339(const char *);

#endif
