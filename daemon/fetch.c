/*
 * fetch.c: HTTP(S) transfers with libcurl's multi interface, driven by the
 * libevent loop (the hiperfifo pattern): curl tells us which sockets to
 * watch (CURLMOPT_SOCKETFUNCTION) and when to time out
 * (CURLMOPT_TIMERFUNCTION); libevent tells curl when they are ready through
 * curl_multi_socket_action.  Nothing here blocks: DNS runs in libcurl's
 * resolver thread.
 *
 * Each transfer's context hangs on CURLOPT_PRIVATE and is freed when curl
 * reports it done; the caller's callback then gets the body and the
 * validators (ETag, Last-Modified) exactly as the server sent them.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "conf.h"
#include "fetch.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define FETCH_MAX_HOPS	16

struct transfer {
	CURL			*easy;
	struct curl_slist	*headers;
	struct fetch_result	 res;
	uint64_t		 max_size;
	int			 too_big;
	int			 blocked;	/* a private address refused */
	char			 blocked_addr[64];
	long			 hops[FETCH_MAX_HOPS];	/* status of each response */
	int			 nhops;
	char			 errbuf[CURL_ERROR_SIZE];
	fetch_cb		 cb;
	void			*arg;
	TAILQ_ENTRY(transfer)	 entry;
};
TAILQ_HEAD(transfers, transfer);

struct sockwatch {
	curl_socket_t	 fd;
	struct event	*ev;
};

static struct {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	struct transfers	 active;
	int			 nactive;

	/* From the config, refreshed on reload. */
	char			*user_agent;
	long			 timeout;
	long			 connect_timeout;
	uint64_t		 max_size;
	int			 allow_file;
	int			 block_private;
} fetch;

#define FETCH_MAX_REDIRECTS	5
#define FETCH_LOW_SPEED_LIMIT	64	/* bytes/s ... */
#define FETCH_LOW_SPEED_TIME	30	/* ... for this many seconds */

static int	fetch_socket_cb(CURL *, curl_socket_t, int, void *, void *);
static int	fetch_timer_cb(CURLM *, long, void *);
static void	fetch_event_cb(evutil_socket_t, short, void *);
static void	fetch_timeout_cb(evutil_socket_t, short, void *);
static void	fetch_reap(void);
static size_t	fetch_write_cb(char *, size_t, size_t, void *);
static size_t	fetch_header_cb(char *, size_t, size_t, void *);
static curl_socket_t fetch_open_socket(void *, curlsocktype,
		    struct curl_sockaddr *);
static int	fetch_prereq(void *, char *, char *, int, int);
static void	fetch_set_opts(struct transfer *, const struct fetch_opts *);

int
fetch_init(struct event_base *base, const struct conf *conf)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("%s: curl_global_init failed", __func__);
		return (-1);
	}
	fetch.base = base;
	TAILQ_INIT(&fetch.active);
	if ((fetch.multi = curl_multi_init()) == NULL) {
		log_warnx("%s: curl_multi_init failed", __func__);
		return (-1);
	}
	fetch.timer = evtimer_new(base, fetch_timeout_cb, NULL);
	curl_multi_setopt(fetch.multi, CURLMOPT_SOCKETFUNCTION,
	    fetch_socket_cb);
	curl_multi_setopt(fetch.multi, CURLMOPT_TIMERFUNCTION, fetch_timer_cb);
	fetch_configure(conf);
	return (0);
}

void
fetch_configure(const struct conf *conf)
{
	free(fetch.user_agent);
	fetch.user_agent = xstrdup(conf->user_agent);
	fetch.timeout = conf->fetch_timeout;
	fetch.connect_timeout = conf->connect_timeout;
	fetch.max_size = conf->max_feed_size;
	fetch.allow_file = conf->allow_file_urls;
	fetch.block_private = conf->block_private_addresses;
	/* sched.c limits transfers itself; curl only keeps connections. */
}

static void
fetch_transfer_free(struct transfer *t)
{
	curl_slist_free_all(t->headers);
	fetch_result_free(&t->res);
	free(t);
}

/* Cancel everything; callbacks get a NULL result so they can let go. */
void
fetch_shutdown(void)
{
	struct transfer	*t;

	if (fetch.multi == NULL)
		return;
	while ((t = TAILQ_FIRST(&fetch.active)) != NULL) {
		TAILQ_REMOVE(&fetch.active, t, entry);
		curl_multi_remove_handle(fetch.multi, t->easy);
		curl_easy_cleanup(t->easy);
		t->cb(NULL, t->arg);
		fetch_transfer_free(t);
	}
	curl_multi_cleanup(fetch.multi);
	fetch.multi = NULL;
	event_free(fetch.timer);
	free(fetch.user_agent);
	curl_global_cleanup();
}

int
fetch_active(void)
{
	return (fetch.nactive);
}

void
fetch_result_free(struct fetch_result *r)
{
	free(r->error);
	free(r->etag);
	free(r->last_modified);
	free(r->effective_url);
	free(r->charset);
	free(r->retry_after);
	free(r->cache_control);
	free(r->expires);
	buf_free(&r->body);
	memset(r, 0, sizeof(*r));
}

static void
fetch_add_header(struct transfer *t, const char *name, const char *value)
{
	char	*h;

	xasprintf(&h, "%s: %s", name, value);
	t->headers = curl_slist_append(t->headers, h);
	free(h);
	if (t->headers == NULL)
		fatalx("%s: curl_slist_append", __func__);
}

/*
 * A feed's own headers, User-Agent and credentials.  Its Accept replaces
 * ours.  Basic authentication goes to the URL's host only: with
 * CURLOPT_UNRESTRICTED_AUTH off (set here, though it is the default),
 * libcurl drops the credentials when a redirect leads to another host,
 * port or scheme.  The custom headers do follow redirects, as libcurl
 * sends them (feedmux.conf(5) says so).
 */
static void
fetch_set_opts(struct transfer *t, const struct fetch_opts *o)
{
	CURL	*e = t->easy;
	size_t	 i;
	int	 accept = 0;

	for (i = 0; o != NULL && i < o->nheaders; i++) {
		if (strncasecmp(o->headers[i], "Accept:", 7) == 0)
			accept = 1;
		t->headers = curl_slist_append(t->headers, o->headers[i]);
		if (t->headers == NULL)
			fatalx("%s: curl_slist_append", __func__);
	}
	if (!accept)
		fetch_add_header(t, "Accept", "application/atom+xml, "
		    "application/rss+xml, application/xml;q=0.9, "
		    "text/xml;q=0.9, */*;q=0.8");
	curl_easy_setopt(e, CURLOPT_USERAGENT, o != NULL &&
	    o->user_agent != NULL ? o->user_agent : fetch.user_agent);
	if (o == NULL || o->username == NULL)
		return;
	curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(e, CURLOPT_USERNAME, o->username);
	curl_easy_setopt(e, CURLOPT_PASSWORD, o->password != NULL ?
	    o->password : "");
	curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L);
}

/*
 * Start fetching url.  etag and last_modified, if not NULL, are sent back
 * byte for byte as If-None-Match and If-Modified-Since; opts (may be NULL)
 * are the feed's own settings.  cb runs on the loop when the transfer ends
 * (result NULL if it was cancelled).
 */
void
fetch_start(const char *url, const char *etag, const char *last_modified,
    const struct fetch_opts *opts, fetch_cb cb, void *arg)
{
	struct transfer	*t;
	CURL		*e;
	CURLMcode	 mc;

	t = xcalloc(1, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
	t->max_size = fetch.max_size;
	buf_init(&t->res.body);
	if ((e = t->easy = curl_easy_init()) == NULL)
		fatalx("%s: curl_easy_init", __func__);

	fetch_set_opts(t, opts);
	if (etag != NULL && *etag != '\0')
		fetch_add_header(t, "If-None-Match", etag);
	if (last_modified != NULL && *last_modified != '\0')
		fetch_add_header(t, "If-Modified-Since", last_modified);

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, fetch_header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR,
	    fetch.allow_file ? "http,https,file" : "http,https");
	/* A redirect never leads to file:// or anything but the web. */
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRECTS);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, fetch.connect_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, fetch.timeout);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT,
	    (long)FETCH_LOW_SPEED_LIMIT);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
	    (long)FETCH_LOW_SPEED_TIME);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)t->max_size);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, fetch_open_socket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
	curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, fetch_prereq);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, t);

	TAILQ_INSERT_TAIL(&fetch.active, t, entry);
	fetch.nactive++;
	if ((mc = curl_multi_add_handle(fetch.multi, e)) != CURLM_OK)
		fatalx("%s: curl_multi_add_handle: %s", __func__,
		    curl_multi_strerror(mc));
}

/* Body bytes, after decompression: the size cap also stops gzip bombs. */
static size_t
fetch_write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct transfer	*t = arg;
	size_t		 n = size * nmemb;

	if (t->res.body.len + n > t->max_size) {
		t->too_big = 1;
		return (0);
	}
	buf_add(&t->res.body, ptr, n);
	return (n);
}

static char *
fetch_header_value(const char *line, size_t len, size_t namelen)
{
	const char	*v = line + namelen, *end = line + len;

	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
	    end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return (xstrndup(v, end - v));
}

/* The charset parameter of a Content-Type header line, if any. */
static char *
fetch_charset(const char *line, size_t len)
{
	char	*v, *c, *end, *cs = NULL;

	v = fetch_header_value(line, len, 13);
	for (c = v; (c = strchr(c, ';')) != NULL; ) {
		c++;
		while (*c == ' ' || *c == '\t')
			c++;
		if (strncasecmp(c, "charset=", 8) != 0)
			continue;
		c += 8;
		if (*c == '"')
			c++;
		end = c + strcspn(c, "\"; \t");
		if (end > c && end - c < 64)
			cs = xstrndup(c, end - c);
		break;
	}
	free(v);
	return (cs);
}

/* The value of header name (with its colon) if line is that header. */
static int
fetch_is_header(const char *line, size_t len, const char *name)
{
	size_t	n = strlen(name);

	return (len > n && strncasecmp(line, name, n) == 0);
}

static void
fetch_set_header(char **field, const char *line, size_t len, size_t n)
{
	free(*field);
	*field = fetch_header_value(line, len, n);
}

/*
 * Keep the status of every response (to tell permanent redirects from
 * temporary ones) and the headers of the last one, exactly as sent.
 */
static size_t
fetch_header_cb(char *line, size_t size, size_t nmemb, void *arg)
{
	struct transfer		*t = arg;
	struct fetch_result	*r = &t->res;
	size_t			 len = size * nmemb;
	long			 code;

	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		code = strtol(line + strcspn(line, " "), NULL, 10);
		if (code >= 200 && t->nhops < FETCH_MAX_HOPS)
			t->hops[t->nhops++] = code;
		free(r->etag);
		free(r->last_modified);
		free(r->charset);
		free(r->retry_after);
		free(r->cache_control);
		free(r->expires);
		r->etag = r->last_modified = r->charset = NULL;
		r->retry_after = r->cache_control = r->expires = NULL;
	} else if (fetch_is_header(line, len, "ETag:"))
		fetch_set_header(&r->etag, line, len, 5);
	else if (fetch_is_header(line, len, "Last-Modified:"))
		fetch_set_header(&r->last_modified, line, len, 14);
	else if (fetch_is_header(line, len, "Retry-After:"))
		fetch_set_header(&r->retry_after, line, len, 12);
	else if (fetch_is_header(line, len, "Cache-Control:"))
		fetch_set_header(&r->cache_control, line, len, 14);
	else if (fetch_is_header(line, len, "Expires:"))
		fetch_set_header(&r->expires, line, len, 8);
	else if (fetch_is_header(line, len, "Content-Type:")) {
		free(r->charset);
		r->charset = fetch_charset(line, len);
	}
	return (len);
}

/*
 * Is this an address a feed must not make us connect to, when
 * block_private_addresses is set: loopback, private, link-local, CGNAT,
 * unspecified, multicast (and the IPv6 forms of all of these)?
 */
int
fetch_private_address(const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	const unsigned char		*a;
	uint32_t			 v4;

	if (sa->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)sa;
		v4 = ntohl(sin->sin_addr.s_addr);
	} else if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)sa;
		a = sin6->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) ||
		    IN6_IS_ADDR_V4COMPAT(&sin6->sin6_addr)) {
			v4 = (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 |
			    (uint32_t)a[14] << 8 | a[15];
		} else
			return (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) ||
			    IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr) ||
			    IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) ||
			    IN6_IS_ADDR_SITELOCAL(&sin6->sin6_addr) ||
			    IN6_IS_ADDR_MULTICAST(&sin6->sin6_addr) ||
			    (a[0] & 0xfe) == 0xfc);	/* fc00::/7 */
	} else
		return (1);
	return ((v4 >> 24) == 0 || (v4 >> 24) == 10 || (v4 >> 24) == 127 ||
	    (v4 >> 20) == (172 << 4 | 1) || (v4 >> 16) == (192 << 8 | 168) ||
	    (v4 >> 16) == (169 << 8 | 254) || (v4 >> 22) == (100 << 2 | 1) ||
	    (v4 >> 28) >= 0xe);
}

/* Checked on the address actually connected to, redirects included. */
static curl_socket_t
fetch_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct transfer	*t = arg;
	char		 host[64];

	if (fetch.block_private && fetch_private_address(&a->addr)) {
		t->blocked = 1;
		if (getnameinfo(&a->addr, a->addrlen, host, sizeof(host), NULL,
		    0, NI_NUMERICHOST) != 0)
			snprintf(host, sizeof(host), "?");
		snprintf(t->blocked_addr, sizeof(t->blocked_addr), "%s", host);
		return (CURL_SOCKET_BAD);
	}
	return (socket(a->family, a->socktype, a->protocol));
}

/*
 * Before each request, on a new or a reused connection: the address it is
 * really connected to.  (fetch_open_socket stops new connections early;
 * this also covers connections opened before the setting was turned on.)
 */
static int
fetch_prereq(void *arg, char *ip, char *local_ip, int port, int local_port)
{
	struct transfer			*t = arg;
	struct sockaddr_storage		 ss;
	struct sockaddr_in		*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6		*sin6 = (struct sockaddr_in6 *)&ss;

	if (!fetch.block_private)
		return (CURL_PREREQFUNC_OK);
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	if (ss.ss_family != 0 &&
	    !fetch_private_address((struct sockaddr *)&ss))
		return (CURL_PREREQFUNC_OK);
	t->blocked = 1;
	snprintf(t->blocked_addr, sizeof(t->blocked_addr), "%s", ip);
	return (CURL_PREREQFUNC_ABORT);
}

/* The host part of a URL, lower case; NULL if it has none. */
char *
fetch_host(const char *url)
{
	CURLU	*u;
	char	*host = NULL, *h = NULL;

	if ((u = curl_url()) == NULL)
		fatalx("%s: curl_url", __func__);
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		h = xstrdup(host);
		curl_free(host);
		for (host = h; *host != '\0'; host++)
			*host = tolower((unsigned char)*host);
	}
	curl_url_cleanup(u);
	return (h);
}

static int
fetch_socket_cb(CURL *e, curl_socket_t fd, int what, void *cbp, void *sockp)
{
	struct sockwatch	*sw = sockp;
	short			 kind;

	if (what == CURL_POLL_REMOVE) {
		if (sw != NULL) {
			event_free(sw->ev);
			free(sw);
		}
		curl_multi_assign(fetch.multi, fd, NULL);
		return (0);
	}
	kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (sw == NULL) {
		sw = xcalloc(1, sizeof(*sw));
		sw->fd = fd;
		curl_multi_assign(fetch.multi, fd, sw);
	} else {
		event_free(sw->ev);
	}
	sw->ev = event_new(fetch.base, fd, kind, fetch_event_cb, NULL);
	if (sw->ev == NULL || event_add(sw->ev, NULL) != 0)
		fatalx("%s: cannot watch socket %d", __func__, (int)fd);
	return (0);
}

static int
fetch_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct timeval	tv;

	if (timeout_ms < 0) {
		evtimer_del(fetch.timer);
		return (0);
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(fetch.timer, &tv);
	return (0);
}

static void
fetch_event_cb(evutil_socket_t fd, short kind, void *arg)
{
	int	running, action = 0;

	if (kind & EV_READ)
		action |= CURL_CSELECT_IN;
	if (kind & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(fetch.multi, fd, action, &running);
	fetch_reap();
}

static void
fetch_timeout_cb(evutil_socket_t fd, short kind, void *arg)
{
	int	running;

	curl_multi_socket_action(fetch.multi, CURL_SOCKET_TIMEOUT, 0,
	    &running);
	fetch_reap();
}

/* What went wrong, in words an admin can act on. */
static void
fetch_classify(struct transfer *t, CURLcode rc)
{
	struct fetch_result	*r = &t->res;
	int			 i;

	/* Every hop but the last was a permanent redirect? */
	r->permanent = r->redirects > 0 && t->nhops == r->redirects + 1;
	for (i = 0; i < t->nhops - 1; i++) {
		if (t->hops[i] != 301 && t->hops[i] != 308)
			r->permanent = 0;
	}
	if (rc == CURLE_OK) {
		r->ok = 1;
		return;
	}
	if (t->blocked)
		xasprintf(&r->error, "refused to connect to %s, a private "
		    "address (block_private_addresses)", t->blocked_addr);
	else if (t->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		xasprintf(&r->error, "feed larger than max_feed_size (%llu "
		    "bytes)", (unsigned long long)t->max_size);
	else if (rc == CURLE_TOO_MANY_REDIRECTS)
		xasprintf(&r->error, "more than %d redirects (a loop?)",
		    FETCH_MAX_REDIRECTS);
	else if (rc == CURLE_UNSUPPORTED_PROTOCOL && r->redirects > 0)
		r->error = xstrdup("redirected to a scheme other than http or "
		    "https");
	else if (rc == CURLE_OPERATION_TIMEDOUT && t->errbuf[0] != '\0')
		xasprintf(&r->error, "timed out: %s", t->errbuf);
	else
		r->error = xstrdup(t->errbuf[0] != '\0' ? t->errbuf :
		    curl_easy_strerror(rc));
}

/* Hand finished transfers to their callbacks. */
static void
fetch_reap(void)
{
	CURLMsg		*msg;
	struct transfer	*t;
	char		*url;
	long		 redirects;
	int		 left;

	while ((msg = curl_multi_info_read(fetch.multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE,
		    &t->res.http_status);
		if (curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL,
		    &url) == CURLE_OK && url != NULL)
			t->res.effective_url = xstrdup(url);
		curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_COUNT, &redirects);
		t->res.redirects = (int)redirects;
		fetch_classify(t, msg->data.result);
		TAILQ_REMOVE(&fetch.active, t, entry);
		fetch.nactive--;
		curl_multi_remove_handle(fetch.multi, t->easy);
		curl_easy_cleanup(t->easy);
		t->cb(&t->res, t->arg);
		fetch_transfer_free(t);
	}
}
