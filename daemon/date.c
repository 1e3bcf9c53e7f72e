/*
 * date.c: dates as feeds write them, to time_t (0 when unreadable: never
 * the epoch shown to a reader).
 *
 * RFC 3339 / ISO 8601 (Atom, dc:date, JSON Feed) and RFC 822 / 2822 (RSS)
 * are parsed by hand, leniently, as publishers write them: any day name or
 * none, full month names, missing seconds, two- and three-digit years (RFC
 * 2822 section 4.3: 00-49 is 20xx, 50-99 is 19xx, three digits add 1900),
 * numeric zones with or without a colon, the named zones of RFC 822 plus
 * common ones, and no zone at all (read as UTC).  W3C-DTF's reduced forms
 * (a year, a year and month), ISO 8601 ordinal and week dates, and
 * Perforce's "2006/09/15" are read too.  Impossible dates (31 February)
 * and any outside 0001-9999 once in UTC are unreadable: every date we
 * give out is four digits of year.  What no parser here recognises is
 * left to curl_getdate as a last resort, within the same range.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "date.h"

/* Parser results besides a time: not this format, or an impossible date. */
#define DATE_UNRECOGNISED	((time_t)-1)
#define DATE_INVALID		((time_t)0)

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define DATE_MIN		(-62135596800LL)
#define DATE_MAX		253402300799LL

static const struct {
	const char	*name;
	int		 minutes;
} date_zones[] = {
	/* RFC 822 section 5. */
	{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
	{ "EST", -300 }, { "EDT", -240 }, { "CST", -360 }, { "CDT", -300 },
	{ "MST", -420 }, { "MDT", -360 }, { "PST", -480 }, { "PDT", -420 },
	/* Common in the wild. */
	{ "AKST", -540 }, { "AKDT", -480 }, { "HST", -600 },
	{ "AST", -240 }, { "ADT", -180 }, { "NST", -210 }, { "NDT", -150 },
	{ "WET", 0 }, { "WEST", 60 }, { "BST", 60 }, { "IST", 60 },
	{ "CET", 60 }, { "CEST", 120 }, { "MET", 60 }, { "MEST", 120 },
	{ "EET", 120 }, { "EEST", 180 }, { "MSK", 180 },
	{ "JST", 540 }, { "KST", 540 }, { "HKT", 480 }, { "SGT", 480 },
	{ "AWST", 480 }, { "ACST", 570 }, { "AEST", 600 }, { "AEDT", 660 },
	{ "NZST", 720 }, { "NZDT", 780 },
	/* US zones without their season, as feedparser reads them. */
	{ "AT", -240 }, { "ET", -300 }, { "CT", -360 }, { "MT", -420 },
	{ "PT", -480 },
};

static const char *date_months[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
	"nov", "dec"
};

static int
date_days_in_month(int year, int month)
{
	static const int	days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };

	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) ||
	    year % 400 == 0))
		return (29);
	return (days[month - 1]);
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long long
date_days(int y, int m, int d)
{
	long long	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* Is t a time we can give out (see DATE_MIN)? */
static int
date_in_range(long long t)
{
	/*
	 * 0 means unknown throughout feedmux, so the epoch itself (nearly
	 * always a placeholder) is unreadable; earlier dates are fine.
	 */
	return (t >= DATE_MIN && t <= DATE_MAX && t != 0 && t != -1 &&
	    (time_t)t == t);
}

/* A time from days since the epoch; DATE_INVALID for impossible ones. */
static time_t
date_make_days(long long days, int h, int mi, int s, int zone_minutes)
{
	long long	t;

	if (h > 24 || mi > 59 || s > 60 || (h == 24 && (mi != 0 || s != 0)))
		return (DATE_INVALID);
	if (s == 60)
		s = 59;		/* a leap second: close enough */
	t = days * 86400LL + h * 3600 + mi * 60 + s - zone_minutes * 60LL;
	return (date_in_range(t) ? (time_t)t : DATE_INVALID);
}

/* Assemble a time; DATE_INVALID for impossible fields. */
static time_t
date_make(int y, int mo, int d, int h, int mi, int s, int zone_minutes)
{
	if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > date_days_in_month(y, mo))
		return (DATE_INVALID);
	return (date_make_days(date_days(y, mo, d), h, mi, s, zone_minutes));
}

/* Read exactly n digits (n > 0) or 1..-n digits (n < 0). */
static int
date_digits(const char **p, int n, int *out)
{
	int	v = 0, count = 0, max = n < 0 ? -n : n;

	while (count < max && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		count++;
	}
	if (count == 0 || (n > 0 && count != n))
		return (-1);
	*out = v;
	return (0);
}

/* "+hhmm", "+hh:mm", "+hh", "Z" or a zone name; -1 if none is here. */
static int
date_zone(const char **p, int *minutes)
{
	const char	*s = *p;
	char		 name[8];
	int		 sign, hh, mm = 0;
	size_t		 i, n;

	if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (date_digits(&s, 2, &hh) != 0)
			return (-1);
		if (*s == ':')
			s++;
		if (isdigit((unsigned char)*s) && date_digits(&s, 2, &mm) != 0)
			return (-1);
		if (hh > 23 || mm > 59)
			return (-1);
		*minutes = sign * (hh * 60 + mm);
		*p = s;
		return (0);
	}
	if (strncasecmp(s, "Etc/", 4) == 0)
		s += 4;		/* tz database names: "Etc/GMT" */
	for (n = 0; n < sizeof(name) - 1 && isalpha((unsigned char)s[n]); n++)
		name[n] = toupper((unsigned char)s[n]);
	name[n] = '\0';
	if (n == 0 || isalpha((unsigned char)s[n]))
		return (-1);
	*p = s + n;
	for (i = 0; i < sizeof(date_zones) / sizeof(date_zones[0]); i++) {
		if (strcmp(date_zones[i].name, name) == 0) {
			*minutes = date_zones[i].minutes;
			/* "GMT+2" style offsets after a name. */
			if ((**p == '+' || **p == '-') &&
			    date_zone(p, &mm) == 0)
				*minutes += mm;
			return (0);
		}
	}
	/* RFC 2822 4.3: unknown zones (and military letters) mean UTC. */
	*minutes = 0;
	return (0);
}

/* The Monday of ISO 8601 week 1 of year y, in days since the epoch. */
static long long
date_week1(int y)
{
	long long	jan4 = date_days(y, 1, 4);

	/* 1970-01-01 was a Thursday; ISO weekdays run Monday 1 to Sunday 7. */
	return (jan4 - ((jan4 % 7 + 7 + 3) % 7));
}

/* "2014-W14-1" (or "2014-W14", its Monday) after the year. */
static int
date_iso_week(const char **p, int y, long long *days)
{
	const char	*s = *p;
	int		 w, wd = 1;

	if (date_digits(&s, 2, &w) != 0 || (*s == '-' && (s++,
	    date_digits(&s, 1, &wd) != 0)))
		return (-1);
	if (w < 1 || w > 53 || wd < 1 || wd > 7)
		return (-1);
	*days = date_week1(y) + (w - 1) * 7 + wd - 1;
	if (y >= 9999 || *days >= date_week1(y + 1))
		return (-1);	/* no week 53 this year */
	*p = s;
	return (0);
}

/*
 * The calendar part of an ISO 8601 date, as days since the epoch:
 * "2014-03-31" ("2014-3-31", Google's "2014-003-31"), W3C-DTF's reduced
 * "2014-03" and "2014" (the first day), an ordinal "2014-090" or a week
 * date "2014-W14-1".
 */
static int
date_iso_day(const char **p, long long *days)
{
	const char	*s = *p;
	int		 y, mo = 1, d = 1, n;

	if (date_digits(&s, 4, &y) != 0 || isdigit((unsigned char)*s) ||
	    y < 1)
		return (-1);
	if (*s == '-' && s[1] == 'W') {
		s += 2;
		if (date_iso_week(&s, y, days) != 0)
			return (-1);
		*p = s;
		return (0);
	}
	if (*s == '-') {
		s++;
		for (n = 0; isdigit((unsigned char)s[n]); n++)
			;
		if (n == 3 && s[n] != '-') {
			/* An ordinal date: the day of the year. */
			if (date_digits(&s, 3, &d) != 0 || d < 1 ||
			    d > 365 + (date_days_in_month(y, 2) == 29))
				return (-1);
			*days = date_days(y, 1, 1) + d - 1;
			*p = s;
			return (0);
		}
		if (n > 3 || date_digits(&s, -3, &mo) != 0)
			return (-1);
		if (*s == '-' && (s++, date_digits(&s, -2, &d) != 0))
			return (-1);
	}
	if (mo < 1 || mo > 12 || d < 1 || d > date_days_in_month(y, mo))
		return (-1);
	*days = date_days(y, mo, d);
	*p = s;
	return (0);
}

/* "2013-09-14T10:41:00-04:00" and its lenient variants. */
static time_t
date_parse_iso(const char *s)
{
	long long	days;
	int		h = 0, mi = 0, sec = 0, zone = 0, n, timed = 0;

	if (date_iso_day(&s, &days) != 0)
		return (DATE_UNRECOGNISED);
	if (*s == 'T' || *s == 't' || (*s == ' ' &&
	    isdigit((unsigned char)s[1]))) {
		s++;
		timed = 1;
		if (date_digits(&s, -2, &h) != 0 || *s++ != ':' ||
		    date_digits(&s, 2, &mi) != 0)
			return (DATE_UNRECOGNISED);
		if (*s == ':') {
			s++;
			if (date_digits(&s, 2, &sec) != 0)
				return (DATE_UNRECOGNISED);
		}
		if (*s == '.' || *s == ',')
			for (s++; isdigit((unsigned char)*s); s++)
				;
	}
	while (*s == ' ')
		s++;
	/* "2013-01-27-01" has a part too many, not a zone. */
	if (!timed && (*s == '+' || *s == '-'))
		return (DATE_UNRECOGNISED);
	/* Only numeric zones and UTC by its names belong here. */
	for (n = 0; isalpha((unsigned char)s[n]); n++)
		;
	if (n > 0 && !(n == 1 && (*s == 'Z' || *s == 'z')) &&
	    !(n == 3 && (strncasecmp(s, "UTC", 3) == 0 ||
	    strncasecmp(s, "GMT", 3) == 0)))
		return (DATE_UNRECOGNISED);
	if (*s != '\0' && date_zone(&s, &zone) != 0)
		return (DATE_UNRECOGNISED);
	while (isspace((unsigned char)*s))
		s++;
	if (*s != '\0')
		return (DATE_UNRECOGNISED);
	return (date_make_days(days, h, mi, sec, zone));
}

/* A day name, right or wrong, is skipped. */
static const char *
date_skip_day_name(const char *s)
{
	if (isalpha((unsigned char)*s)) {
		while (isalpha((unsigned char)*s))
			s++;
		if (*s == ',')
			s++;
		while (*s == ' ')
			s++;
	}
	return (s);
}

/* The optional "20:42:00 -0400" after an RFC 822 style date. */
static time_t
date_clock(const char *s, int y, int mo, int d)
{
	int	h = 0, mi = 0, sec = 0, zone = 0;

	while (*s == ' ')
		s++;
	if (isdigit((unsigned char)*s)) {
		if (date_digits(&s, -2, &h) != 0 || *s++ != ':' ||
		    date_digits(&s, 2, &mi) != 0)
			return (DATE_UNRECOGNISED);
		if (*s == ':' && (s++, date_digits(&s, 2, &sec) != 0))
			return (DATE_UNRECOGNISED);
		while (*s == ' ')
			s++;
	}
	if (*s != '\0' && date_zone(&s, &zone) != 0)
		return (DATE_UNRECOGNISED);
	while (isspace((unsigned char)*s) || *s == ')')
		s++;
	if (*s != '\0' && *s != '(')	/* "(EDT)" comments are fine */
		return (DATE_UNRECOGNISED);
	return (date_make(y, mo, d, h, mi, sec, zone));
}

/* "Sun, 30 Mar 2014 20:42:00 -0400" and the ways feeds get it wrong. */
static time_t
date_parse_rfc822(const char *s)
{
	int	d, mo = 0, y, i, n;

	s = date_skip_day_name(s);
	if (date_digits(&s, -2, &d) != 0)
		return (DATE_UNRECOGNISED);
	if (*s == ' ' || *s == '-')
		s++;
	for (i = 0; i < 12; i++) {
		if (strncasecmp(s, date_months[i], 3) == 0) {
			mo = i + 1;
			break;
		}
	}
	if (mo == 0)
		return (DATE_UNRECOGNISED);
	while (isalpha((unsigned char)*s) || *s == '.')
		s++;
	if (*s == ' ' || *s == '-')
		s++;
	for (n = 0; isdigit((unsigned char)s[n]); n++)
		;
	if (n < 2 || n > 4 || date_digits(&s, n, &y) != 0)
		return (DATE_UNRECOGNISED);
	if (n == 2)
		y += y < 50 ? 2000 : 1900;
	else if (n == 3)
		y += 1900;
	return (date_clock(s, y, mo, d));
}

/* Perforce's "Fri, 2006/09/15 08:19:53 EDT". */
static time_t
date_parse_slashed(const char *s)
{
	int	y, mo, d;

	s = date_skip_day_name(s);
	if (date_digits(&s, 4, &y) != 0 || *s++ != '/' ||
	    date_digits(&s, -2, &mo) != 0 || *s++ != '/' ||
	    date_digits(&s, -2, &d) != 0)
		return (DATE_UNRECOGNISED);
	return (date_clock(s, y, mo, d));
}

time_t
date_parse_rfc3339(const char *s)
{
	time_t	t;

	while (isspace((unsigned char)*s))
		s++;
	t = date_parse_iso(s);
	return (t == DATE_UNRECOGNISED ? 0 : t);
}

/* Any date a feed may carry. */
time_t
date_parse(const char *s)
{
	time_t	t;

	if (s == NULL)
		return (0);
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return (0);
	if ((t = date_parse_iso(s)) != DATE_UNRECOGNISED)
		return (t);
	if ((t = date_parse_rfc822(s)) != DATE_UNRECOGNISED)
		return (t);
	if ((t = date_parse_slashed(s)) != DATE_UNRECOGNISED)
		return (t);
	t = curl_getdate(s, NULL);
	return (date_in_range(t) ? t : 0);
}
