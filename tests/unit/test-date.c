/* Unit tests for date.c: the date forms feeds use, and unreadable ones. */
#include "config.h"

#include "test.h"
#include "date.h"
#include "util.h"


/* 2014-03-31T00:42:00Z */
#define T0	1396226520

static void
test_rfc822(void **state)
{
	assert_int_equal(date_parse("Sun, 30 Mar 2014 20:42:00 -0400"), T0);
	assert_int_equal(date_parse("Mon, 31 Mar 2014 00:42:00 GMT"), T0);
	assert_int_equal(date_parse("31 Mar 2014 00:42:00 +0000"), T0);
	assert_int_equal(date_parse("Mon, 31 Mar 2014 00:42 GMT"), T0);
	assert_int_equal(date_parse("Sun, 30 Mar 2014 20:42:00 EDT"), T0);
	/* Wrong or missing day names, full month names, dashes. */
	assert_int_equal(date_parse("Fri, 30 Mar 2014 20:42:00 EDT"), T0);
	assert_int_equal(date_parse("30 March 2014 20:42:00 -0400"), T0);
	assert_int_equal(date_parse("Sunday, 30-Mar-2014 20:42:00 EDT"), T0);
	assert_int_equal(date_parse("Sun, 30 Mar 2014 20:42:00 -04:00"), T0);
	assert_int_equal(date_parse("Sun, 30 Mar 2014 20:42:00 EDT (EDT)"),
	    T0);
	assert_int_equal(date_parse("Mon, 31 Mar 2014 02:42:00 CEST"), T0);
	assert_int_equal(date_parse("Mon, 31 Mar 2014 00:42:00 GMT+0000"), T0);
	/* Unknown zones (military letters too) are UTC, RFC 2822 4.3. */
	assert_int_equal(date_parse("Mon, 31 Mar 2014 00:42:00 XYZT"), T0);
	assert_int_equal(date_parse("Mon, 31 Mar 2014 00:42:00 A"), T0);
	/* No zone at all: UTC; no time: midnight. */
	assert_int_equal(date_parse("Mon, 31 Mar 2014 00:42:00"), T0);
	assert_int_equal(date_parse("31 Mar 2014"), T0 - 42 * 60);
	/* Two- and three-digit years, RFC 2822 4.3. */
	assert_int_equal(date_parse("Sun, 30 Mar 14 20:42:00 -0400"), T0);
	assert_int_equal(date_parse("Mon, 31 Mar 49 00:00:00 GMT"),
	    2500761600);
	assert_int_equal(date_parse("Wed, 31 Mar 99 00:00:00 GMT"),
	    922838400);
	assert_int_equal(date_parse("Fri, 31 Mar 50 00:00:00 GMT"),
	    -623462400);
	assert_int_equal(date_parse("Mon, 31 Mar 114 00:42:00 GMT"), T0);
	/* Single-digit hours, leap days. */
	assert_int_equal(date_parse("Mon, 31 Mar 2014 0:42:00 GMT"), T0);
	assert_int_equal(date_parse("29 Feb 2016 00:00:00 GMT"), 1456704000);
}

static void
test_rfc3339(void **state)
{
	assert_int_equal(date_parse("2014-03-31T00:42:00Z"), T0);
	assert_int_equal(date_parse("2014-03-30T20:42:00-04:00"), T0);
	assert_int_equal(date_parse("2014-03-31T02:42:00+0200"), T0);
	assert_int_equal(date_parse("2014-03-31T00:42:00.123456Z"), T0);
	assert_int_equal(date_parse("2014-03-31T00:42Z"), T0);
	/* No zone: read as UTC. */
	assert_int_equal(date_parse("2014-03-31T00:42:00"), T0);
	assert_int_equal(date_parse("2014-03-31 00:42:00"), T0);
	assert_int_equal(date_parse("2014-03-31"), T0 - 42 * 60);
	assert_int_equal(date_parse("2014-03-30 20:42:00 -0400"), T0);
	assert_int_equal(date_parse("2014-03-31T02:42:00+02"), T0);
	assert_int_equal(date_parse("2014-03-31t00:42:00z"), T0);
	assert_int_equal(date_parse("2014-03-31T00:42:00 UTC"), T0);
	assert_int_equal(date_parse("  2014-03-31T00:42:00Z\n"), T0);
	assert_int_equal(date_parse("2014-3-31T00:42:00Z"), T0);
}

static void
test_unreadable(void **state)
{
	assert_int_equal(date_parse(NULL), 0);
	assert_int_equal(date_parse(""), 0);
	assert_int_equal(date_parse("yesterday-ish"), 0);
	assert_int_equal(date_parse("2014-13-45T99:00:00Z"), 0);
	assert_int_equal(date_parse_rfc3339("2014-03-31T00:42:00X"), 0);
	assert_int_equal(date_parse_rfc3339("2014-03-31T00:42:00+25:00"), 0);
	/* Impossible dates are unreadable, not moved to another day. */
	assert_int_equal(date_parse("Tue, 31 Feb 2014 10:00:00 GMT"), 0);
	assert_int_equal(date_parse("29 Feb 2015 00:00:00 GMT"), 0);
	assert_int_equal(date_parse("2014-02-30T00:00:00Z"), 0);
	assert_int_equal(date_parse("Mon, 31 Mar 2014 25:00:00 GMT"), 0);
	/* The epoch is a placeholder, never shown; earlier dates are fine. */
	assert_int_equal(date_parse("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(date_parse("1969-12-31T23:59:58Z"), -2);
	assert_int_equal(date_parse("1899-12-31T23:59:58Z"), -2208988802LL);
	assert_int_equal(date_parse("Mon, 31 Foo 2014 00:42:00 GMT"), 0);
	assert_int_equal(date_parse("31/03/2014"), 0);
}

/* Years 0001-9999 in UTC, and nothing else, so every date has 4 digits. */
static void
test_year_range(void **state)
{
	char	buf[UTIL_TIMEBUF];

	assert_int_equal(date_parse("0001-01-01T00:00:00Z"), -62135596800LL);
	assert_int_equal(date_parse("9999-12-31T23:59:59Z"), 253402300799LL);
	assert_int_equal(date_parse("10000-06-10T04:00:00Z"), 0);
	assert_int_equal(date_parse("9999-12-31T23:59:59-01:00"), 0);
	assert_int_equal(date_parse("0001-01-01T00:00:00+01:00"), 0);
	assert_int_equal(date_parse("0000-01-01T00:00:00Z"), 0);
	assert_int_equal(date_parse("Sun, 31 Dec 9999 23:59:59 -9999"), 0);
	assert_int_equal(date_parse("Sat, 01 Jan 10000 00:00:00 GMT"), 0);
	assert_int_equal(date_parse("Fri, 31 Dec 9999 23:59:59 -0100"), 0);
	assert_int_equal(date_parse("Thu, 01 Jan 0100 00:00:01 +0100"),
	    -59011462799LL);
	assert_string_equal(util_format_time(-59011462799LL, buf,
	    sizeof(buf)), "0099-12-31T23:00:01Z");
	assert_string_equal(util_format_time(253402300799LL, buf,
	    sizeof(buf)), "9999-12-31T23:59:59Z");
}

/* The forms python3-feedparser's own date tests accept (in English). */
static void
test_feedparser_forms(void **state)
{
	/* W3C-DTF reduced forms, ordinal and week dates. */
	assert_int_equal(date_parse("2003-12"), 1070236800);
	assert_int_equal(date_parse("2003"), 1041379200);
	assert_int_equal(date_parse("2003-335"), 1070236800);
	assert_int_equal(date_parse("2004-366"), 1104451200);
	assert_int_equal(date_parse("2003-366"), 0);
	assert_int_equal(date_parse("2004-W53-6"), 1104537600);
	assert_int_equal(date_parse("2009-W53-7"), 1262476800);
	assert_int_equal(date_parse("2009-W01-1"), 1230508800);
	assert_int_equal(date_parse("2010-W53-1"), 0);
	/* Google's extra zero; a part too many is not a zone. */
	assert_int_equal(date_parse("2003-012-31T10:14:55+00:00"),
	    1072865695);
	assert_int_equal(date_parse("2013-01-27-01"), 0);
	assert_int_equal(date_parse("22013"), 0);
	assert_int_equal(date_parse("013"), 0);
	/* RFC 822 variants. */
	assert_int_equal(date_parse("Wed, 19 Aug 2009 18:28:00 Etc/GMT"),
	    1250706480);
	assert_int_equal(date_parse("Mon, 26 January 2004 16:31:00 AT"),
	    1075149060);
	assert_int_equal(date_parse("Mon, 26 January 2004 16:31:00 PT"),
	    1075163460);
	assert_int_equal(date_parse("Mon, 13 Feb, 2012 06:28:00 UTC"),
	    1329114480);
	assert_int_equal(date_parse("Fri,24 Nov 2023 18:28:36 -0000"),
	    1700850516);
	assert_int_equal(date_parse("Wed, 19 Feb 2012 22:40:00 GMT-01:01"),
	    1329694860);
	assert_int_equal(date_parse("Thu Aug 30 2012 17:26:16 +0200"),
	    1346340376);
	/* asctime, and Perforce. */
	assert_int_equal(date_parse("Sun Jan  4 16:29:06 2004"), 1073233746);
	assert_int_equal(date_parse("Sun Jul 15 01:16:00 +0000 2012"),
	    1342314960);
	assert_int_equal(date_parse("Fri, 2006/09/15 08:19:53 EDT"),
	    1158322793);
	/* What it refuses, we refuse. */
	assert_int_equal(date_parse("Sun, 16 Dec 2012 1:2:3:4 GMT"), 0);
	assert_int_equal(date_parse("Sun, 16 Dec 2012 11:47:32 +zz:00"), 0);
	assert_int_equal(date_parse("Sun, 99 Jun 2009 12:00:00 GMT"), 0);
	assert_int_equal(date_parse("2013-01-28T11:30:00-06:00Textra"), 0);
	assert_int_equal(date_parse("2003-12-31T10:14:61Z"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc822),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_year_range),
		cmocka_unit_test(test_feedparser_forms),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
