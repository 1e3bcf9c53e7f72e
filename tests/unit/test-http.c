/*
 * Unit tests for the HTTP server's request reading (http-request.c) and
 * answers (http-route.c): parsing and its errors, percent-decoding,
 * Accept-Encoding, conditional requests by ETag and by date, gzip, HEAD,
 * max-age from the next poll, and the small error answers.
 */
#include "config.h"

#include <time.h>
#include <unistd.h>

#include "test.h"
#include "conf.h"
#include "http-internal.h"
#include "render.h"

#define NOW	1700000000

/* Parse a request (a copy: parsing writes into it); returns the result. */
static int
parse(const char *text, struct http_request *req, int *status, char **copy)
{
	*copy = xstrdup(text);
	*status = 0;
	return (http_request_parse(*copy, strlen(*copy), req, status));
}

static void
test_parse(void **state)
{
	struct http_request	 req;
	char			*c;
	int			 st, n;
	const char		*get = "GET /tags/a%2Eatom?limit=5 HTTP/1.1\r\n"
	    "Host: x\r\nIf-None-Match: \"abc\"\r\nAccept-Encoding: br, "
	    "gzip;q=0.5\r\nConnection: close\r\n\r\nGET / HTTP/1.1";

	n = parse(get, &req, &st, &c);
	assert_true(n > 0);
	assert_int_equal(n, strstr(get, "\r\n\r\n") + 4 - get);
	assert_int_equal(req.method, HTTP_GET);
	assert_int_equal(req.minor, 1);
	assert_string_equal(req.path, "/tags/a.atom");
	assert_string_equal(req.query, "limit=5");
	assert_string_equal(req.host, "x");
	assert_string_equal(req.if_none_match, "\"abc\"");
	assert_true(req.gzip);
	assert_false(req.keep_alive);
	free(c);

	/* Incomplete: more is needed. */
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n", &req, &st,
	    &c), 0);
	free(c);
	/* HTTP/1.0 closes unless asked; bare LF line ends are read too. */
	assert_true(parse("HEAD / HTTP/1.0\n\n", &req, &st, &c) > 0);
	assert_int_equal(req.method, HTTP_HEAD);
	assert_false(req.keep_alive);
	free(c);
	assert_true(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
	    &req, &st, &c) > 0);
	assert_true(req.keep_alive);
	free(c);
	/* Other methods are read, to be answered 405. */
	assert_true(parse("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", &req, &st,
	    &c) > 0);
	assert_int_equal(req.method, HTTP_OTHER);
	free(c);
	/* A body is noticed (and refused later). */
	assert_true(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
	    "\r\nabc", &req, &st, &c) > 0);
	assert_true(req.has_body);
	free(c);
	/* The absolute form keeps its path. */
	assert_true(parse("GET http://x:1/tags/t.rss HTTP/1.1\r\nHost: x\r\n"
	    "\r\n", &req, &st, &c) > 0);
	assert_string_equal(req.path, "/tags/t.rss");
	free(c);
}

static void
test_parse_errors(void **state)
{
	static const struct {
		const char	*text;
		int		 status;
	} bad[] = {
		{ "GET / HTTP/1.1\r\n\r\n", 400 },		/* no Host */
		{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
		{ "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
		{ "GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
		{ "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505 },
		{ "GET / FOO/1.1\r\nHost: x\r\n\r\n", 400 },
		{ "GET noslash HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
		    400 },
		{ "GET\r\n\r\n", 400 },
	};
	struct http_request	 req;
	struct buf		 big;
	size_t			 i;
	char			*c;
	int			 st;

	for (i = 0; i < NELEM(bad); i++) {
		if (parse(bad[i].text, &req, &st, &c) != -1 ||
		    st != bad[i].status)
			fail_msg("\"%s\": status %d, want %d", bad[i].text, st,
			    bad[i].status);
		free(c);
	}
	/* A head that never ends within the limit. */
	buf_init(&big);
	buf_addstr(&big, "GET / HTTP/1.1\r\n");
	while (big.len < HTTP_MAX_HEAD)
		buf_addstr(&big, "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
	assert_int_equal(http_request_parse(big.data, big.len, &req, &st), -1);
	assert_int_equal(st, 431);
	buf_free(&big);
}

static void
test_helpers(void **state)
{
	struct http_request	 req;
	char			 s[32], out[16], *c;
	int			 st;

	strcpy(s, "/a%20b%2fc+d");
	assert_int_equal(http_percent_decode(s), 0);
	assert_string_equal(s, "/a b/c+d");
	strcpy(s, "%4");
	assert_int_equal(http_percent_decode(s), -1);

	assert_string_equal(http_query_param("limit=5&token=a%2Bb", "token",
	    out, sizeof(out)), "a+b");
	assert_string_equal(http_query_param("x=1;limit=7", "limit", out,
	    sizeof(out)), "7");
	assert_null(http_query_param("limits=5", "limit", out, sizeof(out)));
	assert_true(http_query_has("a=1&limit=", "limit"));
	assert_true(http_query_has("limit", "limit"));
	assert_false(http_query_has("nolimit=1&limits=2", "limit"));
	assert_null(http_query_param("limit=0123456789abcdefgh", "limit", out,
	    sizeof(out)));

	assert_true(http_etag_matches("\"a\", \"b\"", "\"b\""));
	assert_true(http_etag_matches("W/\"b\"", "\"b\""));
	assert_true(http_etag_matches("*", "\"b\""));
	assert_false(http_etag_matches("\"ab\"", "\"b\""));
	assert_false(http_etag_matches(NULL, "\"b\""));

	assert_int_equal(http_parse_date("Sun, 06 Nov 1994 08:49:37 GMT"),
	    784111777);
	assert_int_equal(http_parse_date("yesterday"), 0);

	/* Accept-Encoding: gzip unless refused with q=0. */
	static const struct {
		const char	*ae;
		int		 gzip;
	} enc[] = {
		{ "gzip", 1 }, { "deflate, gzip", 1 }, { "GZIP;q=1.0", 1 },
		{ "x-gzip", 1 }, { "*", 1 }, { "gzip;q=0", 0 },
		{ "gzip; q=0.000", 0 }, { "br", 0 }, { "identity", 0 },
		{ "gzipped", 0 },
	};
	size_t	i;
	char	text[128];

	for (i = 0; i < NELEM(enc); i++) {
		snprintf(text, sizeof(text), "GET / HTTP/1.1\r\nHost: x\r\n"
		    "Accept-Encoding: %s\r\n\r\n", enc[i].ae);
		assert_true(parse(text, &req, &st, &c) > 0);
		if (req.gzip != enc[i].gzip)
			fail_msg("Accept-Encoding: %s gave gzip %d", enc[i].ae,
			    req.gzip);
		free(c);
	}
}

/* Answer a request for the cache set up by the test. */
static void
answer(const char *text, struct http_response *res, struct buf *head)
{
	struct http_request	 req;
	char			*c;
	int			 st;

	assert_true(parse(text, &req, &st, &c) > 0);
	memset(res, 0, sizeof(*res));
	buf_reset(head);
	res->head = head;
	http_route(&req, res, NOW);
	free(c);
}

/* The value of a header in a response head, or NULL. */
static char *
header(struct buf *head, const char *name)
{
	static char	 v[256];
	char		 pat[64], *p;
	size_t		 n;

	snprintf(pat, sizeof(pat), "\r\n%s: ", name);
	if ((p = strstr(head->data, pat)) == NULL)
		return (NULL);
	p += strlen(pat);
	n = strcspn(p, "\r");
	snprintf(v, sizeof(v), "%.*s", (int)n, p);
	return (v);
}

static void
test_route(void **state)
{
	struct http_response	 res;
	struct buf		 head, text;
	struct conf		*conf;
	struct body		*b;
	char			*cause = NULL, req[512], etag[32];
	int			 i;

	conf = conf_load_string("t.conf", "[feed f]\nurl = http://x/\n"
	    "tags = t, later\n", &cause);
	render_cache_retain(conf);
	buf_init(&text);
	for (i = 0; i < 100; i++)
		buf_addstr(&text, "<entry>repeated words</entry>\n");
	b = render_body_new("t", RENDER_RSS, buf_steal(&text), 3000,
	    NOW - 3600, 100);
	render_cache_put(b);
	render_body_unref(b);
	render_cache_next_poll("t", NOW + 600);
	buf_init(&head);

	/* A plain answer, by reference, with validators and max-age. */
	answer("GET /tags/t.rss HTTP/1.1\r\nHost: x\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 200);
	assert_non_null(res.body);
	assert_int_equal(res.len, 3000);
	assert_ptr_equal(res.data, res.body->data);
	assert_string_equal(header(&head, "Content-Type"),
	    "application/rss+xml; charset=utf-8");
	assert_string_equal(header(&head, "Content-Length"), "3000");
	assert_string_equal(header(&head, "Cache-Control"), "max-age=600");
	assert_string_equal(header(&head, "Vary"), "Accept-Encoding");
	assert_string_equal(header(&head, "Last-Modified"),
	    "Tue, 14 Nov 2023 21:13:20 GMT");
	assert_null(header(&head, "Content-Encoding"));
	snprintf(etag, sizeof(etag), "%s", header(&head, "ETag"));
	assert_string_equal(etag, res.body->etag);
	assert_false(res.close);
	render_body_unref(res.body);

	/* gzip when accepted, with its own ETag. */
	answer("GET /tags/t.rss HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip"
	    "\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 200);
	assert_ptr_equal(res.data, res.body->gz);
	assert_string_equal(header(&head, "Content-Encoding"), "gzip");
	assert_string_equal(header(&head, "ETag"), res.body->gzetag);
	render_body_unref(res.body);

	/* 304 by ETag; If-None-Match wins over If-Modified-Since. */
	snprintf(req, sizeof(req), "GET /tags/t.rss HTTP/1.1\r\nHost: x\r\n"
	    "If-None-Match: %s\r\n\r\n", etag);
	answer(req, &res, &head);
	assert_int_equal(res.status, 304);
	assert_null(res.body);
	assert_null(header(&head, "Content-Length"));
	assert_string_equal(header(&head, "ETag"), etag);
	answer("GET /tags/t.rss HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"old\""
	    "\r\nIf-Modified-Since: Tue, 14 Nov 2023 21:13:20 GMT\r\n\r\n",
	    &res, &head);
	assert_int_equal(res.status, 200);
	render_body_unref(res.body);
	/* 304 by date, only when not modified since. */
	answer("GET /tags/t.rss HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: "
	    "Tue, 14 Nov 2023 21:13:20 GMT\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 304);
	answer("GET /tags/t.rss HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: "
	    "Tue, 14 Nov 2023 21:13:19 GMT\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 200);
	render_body_unref(res.body);

	/* HEAD: GET's headers, no body. */
	answer("HEAD /tags/t.rss HTTP/1.1\r\nHost: x\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 200);
	assert_null(res.body);
	assert_int_equal(res.len, 0);
	assert_string_equal(header(&head, "Content-Length"), "3000");

	/* Overdue polls: max-age=0. */
	render_cache_next_poll("t", NOW - 5);
	answer("GET /tags/t.rss HTTP/1.1\r\nHost: x\r\n\r\n", &res, &head);
	assert_string_equal(header(&head, "Cache-Control"), "max-age=0");
	render_body_unref(res.body);

	/* Unknown: 404; configured but not rendered: 503; POST: 405. */
	answer("GET /tags/nope.rss HTTP/1.1\r\nHost: x\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 404);
	assert_non_null(strstr(head.data, "\r\n\r\n404 Not Found\n"));
	answer("GET /tags/t.xml HTTP/1.1\r\nHost: x\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 404);
	answer("GET /tags/later.atom HTTP/1.1\r\nHost: x\r\n\r\n", &res,
	    &head);
	assert_int_equal(res.status, 503);
	assert_string_equal(header(&head, "Retry-After"), "5");
	answer("POST /tags/t.rss HTTP/1.1\r\nHost: x\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 405);
	assert_string_equal(header(&head, "Allow"), "GET, HEAD");
	assert_true(res.close);
	answer("GET /health HTTP/1.1\r\nHost: x\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 200);
	/* Errors for requests that could not be read close the connection. */
	memset(&res, 0, sizeof(res));
	res.head = &head;
	http_error(&res, 400, NOW);
	assert_int_equal(res.status, 400);
	assert_true(res.close);
	assert_string_equal(header(&head, "Connection"), "close");

	buf_free(&head);
	render_cache_clear();
	conf_unref(conf);
}

/* A private tag opens with its token only; to others it does not exist. */
static void
test_private(void **state)
{
	struct http_response	 res;
	struct buf		 head;
	struct conf		*conf;
	struct body		*b;
	char			 dir[] = "/tmp/feedmux-http.XXXXXX", path[64];
	char			 text[256], *cause = NULL;
	FILE			*fp;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/token", dir);
	fp = fopen(path, "w");
	fputs("open+sesame/0123456789\n", fp);
	fclose(fp);
	snprintf(text, sizeof(text), "[tag p]\ntoken_file = %s\n", path);
	conf = conf_load_string("t.conf", text, &cause);
	assert_non_null(conf);
	unlink(path);
	rmdir(dir);
	render_cache_retain(conf);
	b = render_body_new("p", RENDER_ATOM, xstrdup("<feed/>"), 7, NOW, 0);
	render_cache_put(b);
	render_body_unref(b);
	buf_init(&head);

	answer("GET /tags/p.atom HTTP/1.1\r\nHost: x\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 404);
	answer("GET /tags/p.atom?token=open HTTP/1.1\r\nHost: x\r\n\r\n",
	    &res, &head);
	assert_int_equal(res.status, 404);
	answer("GET /tags/p.atom?token=open%2Bsesame%2F0123456789x HTTP/1.1\r\n"
	    "Host: x\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 404);
	answer("GET /tags/p.atom?token=open%2Bsesame%2F0123456789 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 200);
	assert_non_null(strstr(header(&head, "Cache-Control"), "private"));
	render_body_unref(res.body);
	answer("GET /tags/p.atom HTTP/1.1\r\nHost: x\r\nAuthorization: "
	    "Bearer open+sesame/0123456789\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 200);
	render_body_unref(res.body);
	answer("GET /tags/p.atom HTTP/1.1\r\nHost: x\r\nAuthorization: "
	    "Basic b3Blbg==\r\n\r\n", &res, &head);
	assert_int_equal(res.status, 404);

	buf_free(&head);
	render_cache_clear();
	conf_unref(conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_private),
	};

	log_init("test-http", LOG_TO_STDERR, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
