/*
 * http.c: the HTTP front end (libevent's evhttp) for rendered output.
 *
 * Tag feeds are answered from cache.c only: no database, no rendering on
 * the request path.  Bodies are sent by reference, not copied.  Strong
 * ETags make conditional requests cheap (304).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "conf.h"
#include "http.h"
#include "log.h"
#include "render.h"
#include "xmalloc.h"

static struct evhttp	*http;
static struct conf	*http_conf;	/* which tags exist */

static void	http_request(struct evhttp_request *, void *);
static void	http_tag(struct evhttp_request *, const char *);
static void	http_index(struct evhttp_request *);
static void	http_error(struct evhttp_request *, int, const char *);

/* Serve conf's tags on its listen address (a reference is kept). */
int
http_start(struct event_base *base, struct conf *conf)
{
	struct evhttp_bound_socket	*bound;
	evutil_socket_t			 fd;
	int				 one = 1;

	if ((http = evhttp_new(base)) == NULL) {
		log_warnx("%s: evhttp_new failed", __func__);
		return (-1);
	}
	/* Let every method through so that we can answer 405, not 501. */
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(http, 16384);
	evhttp_set_max_body_size(http, 0);
	evhttp_set_timeout(http, 30);
	evhttp_set_gencb(http, http_request, NULL);
	if ((bound = evhttp_bind_socket_with_handle(http, conf->listen_host,
	    (ev_uint16_t)conf->listen_port)) == NULL) {
		log_warn("cannot listen on %s", conf->listen);
		evhttp_free(http);
		http = NULL;
		return (-1);
	}
	/*
	 * evhttp writes headers and body separately; without TCP_NODELAY
	 * (inherited by accepted sockets on Linux) Nagle and delayed ACKs
	 * hold each keep-alive response for 40 ms.
	 */
	fd = evhttp_bound_socket_get_fd(bound);
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
		log_warn("%s: TCP_NODELAY", conf->listen);
	log_info("serving HTTP on %s", conf->listen);
	http_configure(conf);
	return (0);
}

/* The configuration whose tags are served (a reference is kept). */
void
http_configure(struct conf *conf)
{
	conf_ref(conf);
	conf_unref(http_conf);
	http_conf = conf;
}

void
http_stop(void)
{
	if (http != NULL)
		evhttp_free(http);
	http = NULL;
	conf_unref(http_conf);
	http_conf = NULL;
}

static void
http_error(struct evhttp_request *req, int code, const char *reason)
{
	struct evbuffer	*out = evhttp_request_get_output_buffer(req);

	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; charset=utf-8");
	evbuffer_add_printf(out, "%d %s\n", code, reason);
	evhttp_send_reply(req, code, reason, NULL);
}

static void
http_request(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = evhttp_uri_get_path(uri);
	size_t			 len;
	char			*tag;

	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
	case EVHTTP_REQ_HEAD:
		break;
	default:
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		http_error(req, 405, "Method Not Allowed");
		return;
	}
	if (path == NULL || *path == '\0')
		path = "/";
	if (strcmp(path, "/") == 0) {
		http_index(req);
		return;
	}
	len = strlen(path);
	if (strncmp(path, "/tags/", 6) == 0 && len > 11 &&
	    strcmp(path + len - 5, ".atom") == 0) {
		tag = xstrndup(path + 6, len - 11);
		http_tag(req, tag);
		free(tag);
		return;
	}
	http_error(req, HTTP_NOTFOUND, "Not Found");
}

static void
http_body_done(const void *data, size_t len, void *arg)
{
	render_body_unref(arg);
}

/* Does an If-None-Match header list this ETag (or "*")? */
static int
http_etag_matches(const char *header, const char *etag)
{
	const char	*p;
	size_t		 n = strlen(etag);

	if (header == NULL)
		return (0);
	if (strcmp(header, "*") == 0)
		return (1);
	for (p = header; (p = strstr(p, etag)) != NULL; p += n) {
		if ((p == header || p[-1] == ' ' || p[-1] == ',' ||
		    p[-1] == '/') && (p[n] == '\0' || p[n] == ',' ||
		    p[n] == ' '))
			return (1);
	}
	return (0);
}

static void
http_tag(struct evhttp_request *req, const char *tag)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct body		*b;
	char			 date[64];
	struct tm		 tm;

	if (!conf_has_tag(http_conf, tag)) {
		http_error(req, HTTP_NOTFOUND, "Not Found");
		return;
	}
	if ((b = render_cache_get(tag)) == NULL) {
		/* Configured, not rendered yet (just added on reload). */
		evhttp_add_header(out, "Retry-After", "5");
		http_error(req, 503, "Service Unavailable");
		return;
	}
	evhttp_add_header(out, "ETag", b->etag);
	evhttp_add_header(out, "Cache-Control", "no-cache");
	if (b->updated != 0 && gmtime_r(&b->updated, &tm) != NULL &&
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm))
		evhttp_add_header(out, "Last-Modified", date);
	if (http_etag_matches(evhttp_find_header(in, "If-None-Match"),
	    b->etag)) {
		evhttp_send_reply(req, HTTP_NOTMODIFIED, "Not Modified", NULL);
		return;
	}
	evhttp_add_header(out, "Content-Type",
	    "application/atom+xml; charset=utf-8");
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	render_body_ref(b);
	evbuffer_add_reference(evhttp_request_get_output_buffer(req),
	    b->data, b->len, http_body_done, b);
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

static void
http_index(struct evhttp_request *req)
{
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/html; charset=utf-8");
	render_html_index(evhttp_request_get_output_buffer(req), http_conf);
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}
