/*
 * http-internal.h: what the HTTP server's files share.  http.c owns the
 * listener and the serving threads, http-conn.c a connection's life,
 * http-request.c reading a request, http-route.c answering it.
 */
#ifndef HTTP_INTERNAL_H
#define HTTP_INTERNAL_H

#include <stddef.h>
#include <time.h>

#include "render.h"
#include "util.h"

struct event_base;

/* Longest request head (request line and headers) read. */
#define HTTP_MAX_HEAD		16384

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_OTHER		/* answered 405 */
};

/* A parsed request head; the strings point into the connection's buffer. */
struct http_request {
	enum http_method	 method;
	int			 minor;		/* HTTP/1.minor */
	char			*path;		/* percent-decoded */
	char			*query;		/* raw, NULL: none */
	const char		*host;
	const char		*if_none_match;
	const char		*if_modified_since;
	const char		*authorization;
	int			 gzip;		/* Accept-Encoding allows it */
	int			 keep_alive;
	int			 has_body;	/* Content-Length or chunked */
};

/* A page the pager is to render before the answer can be sent. */
struct http_deferred {
	char			 tag[128];
	enum render_format	 format;
	struct render_cursor	 cursor;
	int			 has_cursor;
	int			 limit;
	long			 max_age;
};

/* What to send: a head, then a body by reference, a page, or neither. */
struct http_response {
	int			 status;
	struct buf		*head;		/* the connection's, reused */
	struct body		*body;		/* referenced, or NULL */
	const char		*data;		/* what of it to send */
	size_t			 len;
	int			 close;		/* close once sent */
	int			 private;	/* a private tag's answer */
	int			 deferred;	/* wait for the pager: page */
	struct http_deferred	 page;
};

/* What every thread reads of the configuration (set atomically). */
struct http_limits {
	long			 max_connections;
	long			 request_timeout;
	long			 keepalive_timeout;
};


/* http-request.c */
int	http_request_parse(char *, size_t, struct http_request *, int *);
int	http_percent_decode(char *);
int	http_etag_matches(const char *, const char *);
time_t	http_parse_date(const char *);
const char *http_query_param(const char *, const char *, char *, size_t);
int	http_query_has(const char *, const char *);

/* http-route.c */
void	http_route(const struct http_request *, struct http_response *,
	    time_t);
void	http_route_page(const struct http_request *, struct http_response *,
	    struct body *, time_t);
void	http_error(struct http_response *, int, time_t);
const char *http_reason(int);

/* http-conn.c */
void	http_conn_configure(const struct http_limits *);
int	http_conn_room(void);
long	http_conn_open(void);
void	http_conn_accept(struct event_base *, int, void *);
void	http_conn_close_all(void *);
void	*http_conn_list_new(struct event_base *);

#endif
