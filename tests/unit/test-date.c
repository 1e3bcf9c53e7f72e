/* Unit tests for date.c: the date forms feeds use, and unreadable ones. */
#include "config.h"

#include "test.h"
#include "date.h"


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
	assert_int_equal(date_parse("1899-12-31T23:59:58Z"), 0);
	assert_int_equal(date_parse("Mon, 31 Foo 2014 00:42:00 GMT"), 0);
	assert_int_equal(date_parse("31/03/2014"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc822),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_unreadable),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
