/* Unit tests for date.c: the date forms feeds use, and unreadable ones. */
#include "config.h"

#include "test.h"


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
