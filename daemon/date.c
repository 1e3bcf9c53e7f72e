/*
 * date.c: dates as feeds write them, to time_t (0 when unreadable).
 *
 * RFC 3339 / ISO 8601 (Atom, dc:date) is parsed here; RFC 822 and its
 * variants (RSS pubDate) are left to curl_getdate, which libcurl already
 * maintains for HTTP dates.  A date that cannot be read is 0 ("unknown"),
 * never the epoch shown to a reader.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "feedmux.h"

static int
date_digits(const char **p, int n, int *out)
{
	int	v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return (-1);
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return (0);
}

/* "2013-09-14T10:41:00-04:00", fractions and a missing zone allowed (UTC). */
time_t
date_parse_rfc3339(const char *s)
{
	struct tm	tm;
	int		y, mo, d, h = 0, mi = 0, sec = 0, zh, zm, sign;
	time_t		t;

	while (isspace((unsigned char)*s))
		s++;
	if (date_digits(&s, 4, &y) != 0 || *s++ != '-' ||
	    date_digits(&s, 2, &mo) != 0 || *s++ != '-' ||
	    date_digits(&s, 2, &d) != 0)
		return (0);
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (date_digits(&s, 2, &h) != 0 || *s++ != ':' ||
		    date_digits(&s, 2, &mi) != 0)
			return (0);
		if (*s == ':') {
			s++;
			if (date_digits(&s, 2, &sec) != 0)
				return (0);
			if (*s == '.' || *s == ',') {
				s++;
				while (isdigit((unsigned char)*s))
					s++;
			}
		}
	}
	if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 ||
	    mi > 59 || sec > 60)
		return (0);

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return (0);

	if (*s == 'Z' || *s == 'z' || *s == '\0' || isspace((unsigned char)*s))
		return (t);
	if (*s != '+' && *s != '-')
		return (0);
	sign = *s++ == '-' ? -1 : 1;
	if (date_digits(&s, 2, &zh) != 0)
		return (0);
	if (*s == ':')
		s++;
	if (date_digits(&s, 2, &zm) != 0)
		zm = 0;
	if (zh > 23 || zm > 59)
		return (0);
	return (t - sign * (zh * 3600 + zm * 60));
}

/* Any date a feed may carry. */
time_t
date_parse(const char *s)
{
	time_t	t;

	if (s == NULL || *s == '\0')
		return (0);
	if ((t = date_parse_rfc3339(s)) > 0)
		return (t);
	t = curl_getdate(s, NULL);
	return (t > 0 ? t : 0);
}
