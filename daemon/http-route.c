/*
 * http-route.c: the answer to a request, from the render cache only: no
 * store, no rendering, no compression on the request path.
 *
 * Tag feeds get strong ETags (one per encoding), Last-Modified from their
 * newest entry, Cache-Control: max-age until their feeds are next polled
 * (polling more often than that gains a reader nothing), and gzip when
 * asked for (compressed once per render).  HEAD answers what GET would,
 * without the body.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http-internal.h"
#include "metrics.h"
#include "render.h"

/* The most a tag feed may be cached; a guess when no poll is scheduled. */
#define HTTP_MAX_AGE_MAX	86400
#define HTTP_MAX_AGE_UNKNOWN	60
/* The largest page a reader may ask for (?limit=). */
#define HTTP_LIMIT_MAX		1000

static void	http_head_start(struct http_response *, int, time_t);
static void	http_header(struct http_response *, const char *,
		    const char *);
static void	http_head_end(struct http_response *, const char *, size_t,
		    int);
static void	http_send_body(const struct http_request *,
		    struct http_response *, struct body *, const char *, long,
		    time_t);
static void	http_tag(const struct http_request *, struct http_response *,
		    time_t);
static void	http_page(const struct http_request *, struct http_response *,
		    const char *, const char *, long, time_t);
static void	http_text(const struct http_request *, struct http_response *,
		    int, const char *, const char *, const char *, time_t);

const char *
http_reason(int status)
{
	switch (status) {
	case 200:
		return ("OK");
	case 304:
		return ("Not Modified");
	case 400:
		return ("Bad Request");
	case 404:
		return ("Not Found");
	case 405:
		return ("Method Not Allowed");
	case 408:
		return ("Request Timeout");
	case 431:
		return ("Request Header Fields Too Large");
	case 503:
		return ("Service Unavailable");
	case 505:
		return ("HTTP Version Not Supported");
	}
	return ("Error");
}

/* An HTTP date, formatted once a second per thread. */
static const char *
http_date(time_t now)
{
	static __thread char	date[40];
	static __thread time_t	when = -1;

	if (now != when) {
		util_format_http_date(now, date, sizeof(date));
		when = now;
	}
	return (date);
}

static void
http_head_start(struct http_response *res, int status, time_t now)
{
	char	line[64];

	res->status = status;
	buf_reset(res->head);
	if (status == 200)
		buf_addstr(res->head, "HTTP/1.1 200 OK\r\n");
	else if (status == 304)
		buf_addstr(res->head, "HTTP/1.1 304 Not Modified\r\n");
	else {
		snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", status,
		    http_reason(status));
		buf_addstr(res->head, line);
	}
	http_header(res, "Server", "feedmux/" PACKAGE_VERSION);
	http_header(res, "Date", http_date(now));
}

static void
http_header(struct http_response *res, const char *name, const char *value)
{
	buf_addstr(res->head, name);
	buf_addstr(res->head, ": ");
	buf_addstr(res->head, value);
	buf_addstr(res->head, "\r\n");
}

/* Content-Type (unless NULL), Content-Length, Connection, the blank line. */
static void
http_head_end(struct http_response *res, const char *type, size_t len,
    int has_length)
{
	char	num[32];

	if (type != NULL)
		http_header(res, "Content-Type", type);
	if (has_length) {
		snprintf(num, sizeof(num), "%zu", len);
		http_header(res, "Content-Length", num);
	}
	if (res->close)
		http_header(res, "Connection", "close");
	buf_addstr(res->head, "\r\n");
}

/* A small text answer (errors, /health), its body in the head buffer. */
static void
http_text(const struct http_request *req, struct http_response *res,
    int status, const char *text, const char *allow, const char *cache,
    time_t now)
{
	http_head_start(res, status, now);
	if (allow != NULL)
		http_header(res, "Allow", allow);
	if (status == 503)
		http_header(res, "Retry-After", "5");
	http_header(res, "Cache-Control", cache);
	http_header(res, "X-Content-Type-Options", "nosniff");
	http_head_end(res, "text/plain; charset=utf-8", strlen(text), 1);
	if (req == NULL || req->method != HTTP_HEAD)
		buf_addstr(res->head, text);
}

/* An error answer to a request that could not be read (it is closed). */
void
http_error(struct http_response *res, int status, time_t now)
{
	char	text[64];

	res->close = 1;
	snprintf(text, sizeof(text), "%d %s\n", status, http_reason(status));
	http_text(NULL, res, status, text, NULL, "no-store", now);
}

/*
 * Answer with a cached body: 304 if the client's copy is current, else
 * the body (gzipped if it may be).  max_age < 0: revalidate each time.
 */
static void
http_send_body(const struct http_request *req, struct http_response *res,
    struct body *b, const char *type, long max_age, time_t now)
{
	int		 gzip = req->gzip && b->gz != NULL;
	const char	*etag = gzip ? b->gzetag : b->etag;
	char		 cache[48];
	time_t		 since;
	int		 fresh;

	/* A private tag's answers are for its reader, not shared caches. */
	if (max_age >= 0)
		snprintf(cache, sizeof(cache), "%smax-age=%ld", res->private ?
		    "private, " : "", max_age);
	else
		snprintf(cache, sizeof(cache), "no-cache");
	if (req->if_none_match != NULL)
		fresh = http_etag_matches(req->if_none_match, etag);
	else
		fresh = req->if_modified_since != NULL && b->updated > 0 &&
		    (since = http_parse_date(req->if_modified_since)) > 0 &&
		    b->updated <= since;

	http_head_start(res, fresh ? 304 : 200, now);
	http_header(res, "ETag", etag);
	if (*b->modified != '\0')
		http_header(res, "Last-Modified", b->modified);
	http_header(res, "Cache-Control", cache);
	if (b->gz != NULL)
		http_header(res, "Vary", "Accept-Encoding");
	if (fresh) {
		http_head_end(res, NULL, 0, 0);
		render_body_unref(b);
		return;
	}
	if (gzip)
		http_header(res, "Content-Encoding", "gzip");
	http_header(res, "X-Content-Type-Options", "nosniff");
	http_head_end(res, type, gzip ? b->gzlen : b->len, 1);
	if (req->method == HTTP_HEAD) {
		render_body_unref(b);
		return;
	}
	res->body = b;
	res->data = gzip ? b->gz : b->data;
	res->len = gzip ? b->gzlen : b->len;
}

/*
 * The page a query asks for: 0 for the cached one, 1 for another one
 * (res->page says which), -1 for a bad query.
 */
static int
http_page_query(const struct http_request *req, struct http_response *res,
    int entries)
{
	struct http_deferred	*p = &res->page;
	char			 v[64], *end;
	long			 l;

	p->limit = entries;
	if (req->query == NULL)
		return (0);
	if (http_query_param(req->query, "limit", v, sizeof(v)) != NULL) {
		l = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || l < 1 ||
		    l > HTTP_LIMIT_MAX)
			return (-1);
		p->limit = (int)l;
	} else if (http_query_has(req->query, "limit"))
		return (-1);
	if (http_query_param(req->query, "before", v, sizeof(v)) != NULL) {
		if (render_cursor_parse(v, &p->cursor) != 0)
			return (-1);
		p->has_cursor = 1;
	} else if (http_query_has(req->query, "before"))
		return (-1);
	return (p->has_cursor || p->limit != entries);
}

/* /tags/NAME.EXT */
static void
http_tag(const struct http_request *req, struct http_response *res,
    time_t now)
{
	struct render_served	 s;
	enum render_format	 f;
	char			 tag[128], *dot, token[600];
	const char		*tok = NULL, *a = req->authorization;
	long			 max_age;
	int			 other;

	if (strlen(req->path + 6) >= sizeof(tag) ||
	    (dot = strrchr(req->path + 6, '.')) == NULL ||
	    render_format_find(dot + 1, &f) != 0) {
		http_text(req, res, 404, "404 Not Found\n", NULL, "no-store",
		    now);
		return;
	}
	memcpy(tag, req->path + 6, dot - (req->path + 6));
	tag[dot - (req->path + 6)] = '\0';
	/* A private tag's token: ?token= or Authorization: Bearer. */
	if (req->query != NULL)
		tok = http_query_param(req->query, "token", token,
		    sizeof(token));
	if (tok == NULL && a != NULL && strncasecmp(a, "Bearer ", 7) == 0)
		tok = a + 7 + strspn(a + 7, " ");
	if (!render_cache_lookup(tag, f, tok, &s)) {
		http_text(req, res, 404, "404 Not Found\n", NULL, "no-store",
		    now);
		return;
	}
	if ((other = http_page_query(req, res, s.entries)) == -1) {
		render_body_unref(s.body);
		http_text(req, res, 400, "400 Bad Request: limit is 1 to 1000, "
		    "before a cursor from a next link\n", NULL, "no-store", now);
		return;
	}
	if (s.body == NULL) {
		/* Configured, not rendered yet (just added on reload). */
		http_text(req, res, 503, "503 Service Unavailable\n", NULL,
		    "no-store", now);
		return;
	}
	if (s.next_poll == 0)
		max_age = HTTP_MAX_AGE_UNKNOWN;
	else
		max_age = s.next_poll > now ? (long)(s.next_poll - now) : 0;
	if (max_age > HTTP_MAX_AGE_MAX)
		max_age = HTTP_MAX_AGE_MAX;
	if (other) {
		/* Not the cached page: the pager renders it. */
		render_body_unref(s.body);
		res->deferred = 1;
		res->private = s.private;
		memcpy(res->page.tag, tag, sizeof(tag));
		res->page.format = f;
		res->page.max_age = max_age;
		return;
	}
	res->private = s.private;
	http_send_body(req, res, s.body, render_format_type(f), max_age, now);
}

/* The answer with a page the pager rendered (NULL: it could not). */
void
http_route_page(const struct http_request *req, struct http_response *res,
    struct body *b, time_t now)
{
	res->deferred = 0;
	if (b == NULL) {
		http_text(req, res, 503, "503 Service Unavailable\n", NULL,
		    "no-store", now);
		return;
	}
	http_send_body(req, res, b, render_format_type(res->page.format),
	    res->page.max_age, now);
}

/* /metrics: read now, from atomic counters, into the head buffer. */
static void
http_metrics(const struct http_request *req, struct http_response *res,
    time_t now)
{
	struct buf	text;

	buf_init(&text);
	buf_addstr(&text, "");
	metrics_render(&text);
	http_head_start(res, 200, now);
	http_header(res, "Cache-Control", "no-store");
	http_head_end(res, "text/plain; version=0.0.4; charset=utf-8",
	    text.len, 1);
	if (req->method != HTTP_HEAD)
		buf_add(res->head, text.data, text.len);
	buf_free(&text);
}

/* A page made on the loop thread ("/", "/opml"). */
static void
http_page(const struct http_request *req, struct http_response *res,
    const char *path, const char *type, long max_age, time_t now)
{
	struct body	*b;

	if ((b = render_cache_page_get(path)) == NULL) {
		http_text(req, res, 503, "503 Service Unavailable\n", NULL,
		    "no-store", now);
		return;
	}
	http_send_body(req, res, b, type, max_age, now);
}

/* Fill res with the answer to req. */
void
http_route(const struct http_request *req, struct http_response *res,
    time_t now)
{
	const char	*p = req->path;

	res->close = !req->keep_alive;
	if (req->method == HTTP_OTHER) {
		res->close = 1;
		http_text(req, res, 405, "405 Method Not Allowed\n",
		    "GET, HEAD", "no-store", now);
	} else if (req->has_body) {
		/* We never read request bodies: say so and hang up. */
		res->close = 1;
		http_text(req, res, 400, "400 Bad Request\n", NULL,
		    "no-store", now);
	} else if (strncmp(p, "/tags/", 6) == 0)
		http_tag(req, res, now);
	else if (strcmp(p, "/") == 0)
		http_page(req, res, "/", "text/html; charset=utf-8", -1, now);
	else if (strcmp(p, "/opml") == 0)
		http_page(req, res, "/opml", "text/x-opml; charset=utf-8", -1,
		    now);
	else if (strcmp(p, "/feed.xsl") == 0)
		http_page(req, res, "/feed.xsl", "text/xsl; charset=utf-8",
		    HTTP_MAX_AGE_MAX, now);
	else if (strcmp(p, "/metrics") == 0)
		http_metrics(req, res, now);
	else if (strcmp(p, "/health") == 0)
		http_text(req, res, 200, "ok\n", NULL, "no-store", now);
	else
		http_text(req, res, 404, "404 Not Found\n", NULL, "no-store",
		    now);
}
