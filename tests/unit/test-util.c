/* Unit tests for util.c: durations, sizes, booleans, addresses, buffers. */
#include "config.h"

#include "test.h"


static void
test_duration(void **state)
{
	const char	*err;
	long		 v;

	assert_int_equal(util_parse_duration("30s", &v, &err), 0);
	assert_int_equal(v, 30);
	assert_int_equal(util_parse_duration("15m", &v, &err), 0);
	assert_int_equal(v, 900);
	assert_int_equal(util_parse_duration("2h", &v, &err), 0);
	assert_int_equal(v, 7200);
	assert_int_equal(util_parse_duration("1d", &v, &err), 0);
	assert_int_equal(v, 86400);
	assert_int_equal(util_parse_duration("45", &v, &err), 0);
	assert_int_equal(v, 45);
	assert_int_equal(util_parse_duration("", &v, &err), -1);
	assert_int_equal(util_parse_duration("-5m", &v, &err), -1);
	assert_int_equal(util_parse_duration("5w", &v, &err), -1);
	assert_int_equal(util_parse_duration("5mm", &v, &err), -1);
	assert_int_equal(util_parse_duration("99999999999999999999", &v,
	    &err), -1);
	assert_non_null(err);
}

static void
test_format_duration(void **state)
{
	char	*s;

	s = util_format_duration(3600);
	assert_string_equal(s, "1h");
	free(s);
	s = util_format_duration(90);
	assert_string_equal(s, "90s");
	free(s);
	s = util_format_duration(172800);
	assert_string_equal(s, "2d");
	free(s);
}

static void
test_size(void **state)
{
	const char	*err;
	uint64_t	 v;

	assert_int_equal(util_parse_size("512K", &v, &err), 0);
	assert_int_equal(v, 512 * 1024);
	assert_int_equal(util_parse_size("16m", &v, &err), 0);
	assert_int_equal(v, 16 * 1024 * 1024);
	assert_int_equal(util_parse_size("1G", &v, &err), 0);
	assert_int_equal(util_parse_size("100", &v, &err), 0);
	assert_int_equal(v, 100);
	assert_int_equal(util_parse_size("1T", &v, &err), -1);
	assert_int_equal(util_parse_size("x", &v, &err), -1);
}

static void
test_bool(void **state)
{
	int	b;

	assert_int_equal(util_parse_bool("yes", &b), 0);
	assert_true(b);
	assert_int_equal(util_parse_bool("Off", &b), 0);
	assert_false(b);
	assert_int_equal(util_parse_bool("maybe", &b), -1);
}

static void
test_hostport(void **state)
{
	const char	*err;
	char		*host;
	int		 port;

	assert_int_equal(util_split_hostport("127.0.0.1:8080", &host, &port,
	    &err), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8080);
	free(host);
	assert_int_equal(util_split_hostport("[::1]:80", &host, &port, &err),
	    0);
	assert_string_equal(host, "::1");
	free(host);
	assert_int_equal(util_split_hostport("host", &host, &port, &err), -1);
	assert_int_equal(util_split_hostport(":80", &host, &port, &err), -1);
	assert_int_equal(util_split_hostport("h:0", &host, &port, &err), -1);
	assert_int_equal(util_split_hostport("h:80x", &host, &port, &err), -1);
	assert_int_equal(util_split_hostport("[::1]80", &host, &port, &err),
	    -1);
}

static void
test_buf_and_hash(void **state)
{
	struct buf	 b;
	char		*s;

	buf_init(&b);
	buf_addstr(&b, "hello");
	buf_addc(&b, ' ');
	buf_add(&b, "world!", 5);
	assert_int_equal(b.len, 11);
	s = buf_steal(&b);
	assert_string_equal(s, "hello world");
	free(s);
	assert_null(b.data);
	/* FNV-1a is fixed: identities must survive upgrades. */
	assert_true(util_hash64("a", 1, 0) == 0xaf63dc4c8601ec8cULL);
}

static void
test_format_time(void **state)
{
	char	buf[UTIL_TIMEBUF];

	assert_string_equal(util_format_time(1396226520, buf, sizeof(buf)),
	    "2014-03-31T00:42:00Z");
}

/* The map stays right through growth and deletions (backward shift). */
static void
test_strmap(void **state)
{
	struct strmap	 m;
	char		 keys[2000][16];
	int		 i;

	strmap_init(&m);
	assert_null(strmap_get(&m, "none"));
	strmap_del(&m, "none");
	for (i = 0; i < 2000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "feed-%d", i);
		strmap_put(&m, keys[i], keys[i]);
	}
	assert_int_equal(m.n, 2000);
	for (i = 0; i < 2000; i += 2)
		strmap_del(&m, keys[i]);
	assert_int_equal(m.n, 1000);
	for (i = 0; i < 2000; i++) {
		if (i % 2 == 0)
			assert_null(strmap_get(&m, keys[i]));
		else
			assert_ptr_equal(strmap_get(&m, keys[i]), keys[i]);
	}
	strmap_put(&m, keys[1], keys[3]);	/* replace */
	assert_ptr_equal(strmap_get(&m, keys[1]), keys[3]);
	assert_int_equal(m.n, 1000);
	strmap_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_hostport),
		cmocka_unit_test(test_buf_and_hash),
		cmocka_unit_test(test_format_time),
		cmocka_unit_test(test_strmap),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
