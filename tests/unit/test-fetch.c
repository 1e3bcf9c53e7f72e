/*
 * Unit tests for fetch.c's own decisions: which addresses a feed may not
 * make us connect to (block_private_addresses), and a URL's host (the
 * key of per-host politeness).  Transfers themselves are tested against
 * a real server by the integration tests (polite-http.sh).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "test.h"
#include "fetch.h"

static int
private4(const char *a)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, a, &sin.sin_addr), 1);
	return (fetch_private_address((struct sockaddr *)&sin));
}

static int
private6(const char *a)
{
	struct sockaddr_in6	sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, a, &sin6.sin6_addr), 1);
	return (fetch_private_address((struct sockaddr *)&sin6));
}

static void
test_private_address(void **state)
{
	static const char *const blocked4[] = { "127.0.0.1", "10.1.2.3",
	    "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.1.1",
	    "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255" };
	static const char *const public4[] = { "8.8.8.8", "172.32.0.1",
	    "192.169.0.1", "100.128.0.1", "93.184.216.34" };
	static const char *const blocked6[] = { "::1", "::", "fe80::1",
	    "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
	    "::ffff:10.0.0.1" };
	static const char *const public6[] = { "2606:4700::1111",
	    "::ffff:8.8.8.8" };
	struct sockaddr		 other;
	size_t			 i;

	for (i = 0; i < NELEM(blocked4); i++)
		assert_true(private4(blocked4[i]));
	for (i = 0; i < NELEM(public4); i++)
		assert_false(private4(public4[i]));
	for (i = 0; i < NELEM(blocked6); i++)
		assert_true(private6(blocked6[i]));
	for (i = 0; i < NELEM(public6); i++)
		assert_false(private6(public6[i]));
	/* Anything but IP is refused. */
	memset(&other, 0, sizeof(other));
	other.sa_family = AF_UNIX;
	assert_true(fetch_private_address(&other));
}

static void
test_host(void **state)
{
	char	*h;

	h = fetch_host("https://Feeds.Example.ORG:8443/a?b=c");
	assert_string_equal(h, "feeds.example.org");
	free(h);
	h = fetch_host("http://[::1]:8080/feed");
	assert_string_equal(h, "[::1]");
	free(h);
	assert_null(fetch_host("file:///etc/feed.xml"));
	assert_null(fetch_host("not a url"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private_address),
		cmocka_unit_test(test_host),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
