/* Unit tests for util.c: buffers, hashing, times, the string map. */
#include "config.h"

#include "test.h"

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
	/* HTTP and RSS dates, in English whatever the locale. */
	assert_string_equal(util_format_http_date(784111777, buf, sizeof(buf)),
	    "Sun, 06 Nov 1994 08:49:37 GMT");
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
		cmocka_unit_test(test_buf_and_hash),
		cmocka_unit_test(test_format_time),
		cmocka_unit_test(test_strmap),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
