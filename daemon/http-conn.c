/*
 * http-conn.c: one HTTP connection on a serving thread.
 *
 * (A page other than a tag's cached first one is rendered by the pager,
 * render-pager.c; the connection waits for it without reading, and its
 * request clock keeps running.)
 *
 * A connection reads a request head into its buffer, answers it (a head
 * and a body sent by reference with writev), and then waits for the next
 * one.  Two clocks, neither restarted by a byte: a request must arrive
 * whole within request_timeout of its first byte (or of the connection),
 * and a response be taken within request_timeout too; an idle
 * connection goes after keepalive_timeout.  Pipelined requests are
 * answered in order.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "http-internal.h"
#include "log.h"
#include "metrics.h"
#include "render.h"
#include "xmalloc.h"

#define CONN_INBUF_MIN	2048

enum conn_state {
	CONN_IDLE,		/* between requests */
	CONN_READING,		/* a request has begun */
	CONN_WAITING,		/* for the pager to render its page */
	CONN_WRITING
};

/*
 * A page asked of the pager for a connection.  Owned by the pager until
 * its callback queues it on the connection's thread, then by that thread;
 * a connection that goes meanwhile only forgets it (conn = NULL).
 */
struct conn_ticket {
	struct conn		*conn;
	struct conn_list	*list;
	struct body		*body;
	TAILQ_ENTRY(conn_ticket) entry;
};
TAILQ_HEAD(conn_tickets, conn_ticket);

struct conn {
	int			 fd;
	enum conn_state		 state;
	struct event		*ev;		/* read or write, as state says */
	struct event		*timer;
	struct conn_list	*list;

	char			*in;		/* the request bytes read */
	size_t			 inlen;
	size_t			 insize;
	size_t			 consumed;	/* by the request answered */

	struct buf		 head;		/* the response head (reused) */
	size_t			 head_off;
	struct http_request	 req;		/* the request being answered */
	struct http_response	 res;
	size_t			 body_off;
	struct conn_ticket	*ticket;	/* while CONN_WAITING */
	TAILQ_ENTRY(conn)	 entry;
};
TAILQ_HEAD(conns, conn);

/* A serving thread's connections, and the pages rendered for them. */
struct conn_list {
	struct conns		 all;
	pthread_mutex_t		 lock;		/* done */
	struct conn_tickets	 done;
	struct event		*notify;
};

/* Shared by the serving threads: atomic reads and writes only. */
static struct http_limits	conn_limits;
static long			conn_count;

static void	conn_read_cb(evutil_socket_t, short, void *);
static void	conn_write_cb(evutil_socket_t, short, void *);
static void	conn_timer_cb(evutil_socket_t, short, void *);
static void	conn_watch(struct conn *, short, long);
static void	conn_process(struct conn *);
static void	conn_send(struct conn *);
static void	conn_defer(struct conn *);
static void	conn_page_ready(struct body *, void *);
static void	conn_pages_cb(evutil_socket_t, short, void *);
static int	conn_flush(struct conn *);
static void	conn_done(struct conn *);
static void	conn_free(struct conn *);
static void	http_limits_get(struct http_limits *);

/* The limits of a (re)loaded configuration (any thread). */
void
http_conn_configure(const struct http_limits *l)
{
	__atomic_store_n(&conn_limits.max_connections, l->max_connections,
	    __ATOMIC_RELAXED);
	__atomic_store_n(&conn_limits.request_timeout, l->request_timeout,
	    __ATOMIC_RELAXED);
	__atomic_store_n(&conn_limits.keepalive_timeout, l->keepalive_timeout,
	    __ATOMIC_RELAXED);
}

static void
http_limits_get(struct http_limits *l)
{
	l->max_connections = __atomic_load_n(&conn_limits.max_connections,
	    __ATOMIC_RELAXED);
	l->request_timeout = __atomic_load_n(&conn_limits.request_timeout,
	    __ATOMIC_RELAXED);
	l->keepalive_timeout = __atomic_load_n(&conn_limits.keepalive_timeout,
	    __ATOMIC_RELAXED);
}

/* Is there room for one more connection under max_connections? */
int
http_conn_room(void)
{
	return (__atomic_load_n(&conn_count, __ATOMIC_RELAXED) <
	    __atomic_load_n(&conn_limits.max_connections, __ATOMIC_RELAXED));
}

/* Connections open now. */
long
http_conn_open(void)
{
	return (__atomic_load_n(&conn_count, __ATOMIC_RELAXED));
}


void *
http_conn_list_new(struct event_base *base)
{
	struct conn_list	*l = xcalloc(1, sizeof(*l));

	TAILQ_INIT(&l->all);
	TAILQ_INIT(&l->done);
	pthread_mutex_init(&l->lock, NULL);
	if ((l->notify = event_new(base, -1, 0, conn_pages_cb, l)) == NULL)
		fatalx("%s: event_new", __func__);
	return (l);
}

/* The pager rendered a page (on its thread): queue it for the conn's. */
static void
conn_page_ready(struct body *b, void *arg)
{
	struct conn_ticket	*t = arg;
	struct conn_list	*l = t->list;

	t->body = b;
	pthread_mutex_lock(&l->lock);
	TAILQ_INSERT_TAIL(&l->done, t, entry);
	pthread_mutex_unlock(&l->lock);
	event_active(l->notify, 0, 0);
}

/* Pages are ready: answer the connections still waiting for them. */
static void
conn_pages_cb(evutil_socket_t fd, short events, void *arg)
{
	struct conn_list	*l = arg;
	struct conn_tickets	 ready;
	struct conn_ticket	*t;
	struct conn		*c;

	TAILQ_INIT(&ready);
	pthread_mutex_lock(&l->lock);
	TAILQ_CONCAT(&ready, &l->done, entry);
	pthread_mutex_unlock(&l->lock);
	while ((t = TAILQ_FIRST(&ready)) != NULL) {
		TAILQ_REMOVE(&ready, t, entry);
		if ((c = t->conn) == NULL) {
			render_body_unref(t->body);
			free(t);
			continue;
		}
		c->ticket = NULL;
		http_route_page(&c->req, &c->res, t->body, time(NULL));
		free(t);
		conn_send(c);
	}
}

/* Ask the pager for the page the response waits for. */
static void
conn_defer(struct conn *c)
{
	struct http_deferred	*p = &c->res.page;
	struct conn_ticket	*t;

	t = xcalloc(1, sizeof(*t));
	t->conn = c;
	t->list = c->list;
	if (render_pager_request(p->tag, p->format, p->has_cursor ?
	    &p->cursor : NULL, p->limit, conn_page_ready, t) != 0) {
		free(t);
		http_route_page(&c->req, &c->res, NULL, time(NULL));
		conn_send(c);
		return;
	}
	c->ticket = t;
	c->state = CONN_WAITING;
	event_del(c->ev);	/* nothing is read meanwhile */
}

/* Take a new connection on this thread (its fd is non-blocking). */
void
http_conn_accept(struct event_base *base, int fd, void *list)
{
	struct http_limits	 lim;
	struct conn		*c;

	http_limits_get(&lim);
	metrics_gauge(GAUGE_HTTP_CONNECTIONS, __atomic_add_fetch(&conn_count,
	    1, __ATOMIC_RELAXED));
	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->list = list;
	buf_init(&c->head);
	c->res.head = &c->head;
	c->ev = event_new(base, fd, EV_READ | EV_PERSIST, conn_read_cb, c);
	c->timer = evtimer_new(base, conn_timer_cb, c);
	if (c->ev == NULL || c->timer == NULL)
		fatalx("%s: event_new", __func__);
	TAILQ_INSERT_TAIL(&c->list->all, c, entry);
	/* A new connection has request_timeout to send its request. */
	c->state = CONN_READING;
	conn_watch(c, EV_READ, lim.request_timeout);
}

/*
 * Wait for what (EV_READ or EV_WRITE), and arm the clock if secs > 0.  The
 * event is changed only when it must be: each change is a system call.
 */
static void
conn_watch(struct conn *c, short what, long secs)
{
	struct timeval	tv = { secs, 0 };

	if (!(event_get_events(c->ev) & what) ||
	    !event_pending(c->ev, what, NULL)) {
		event_del(c->ev);
		event_assign(c->ev, event_get_base(c->ev), c->fd,
		    what | EV_PERSIST, what == EV_READ ? conn_read_cb :
		    conn_write_cb, c);
		event_add(c->ev, NULL);
	}
	if (secs > 0)
		evtimer_add(c->timer, &tv);
}

static void
conn_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	conn_free(arg);
}

static void
conn_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct conn		*c = arg;
	struct http_limits	 lim;
	ssize_t			 n;

	if (c->inlen == c->insize) {
		c->insize = c->insize == 0 ? CONN_INBUF_MIN : c->insize * 2;
		if (c->insize > HTTP_MAX_HEAD)
			c->insize = HTTP_MAX_HEAD;
		c->in = xreallocarray(c->in, c->insize + 1, 1);
	}
	n = read(fd, c->in + c->inlen, c->insize - c->inlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_free(c);
		return;
	}
	if (c->state == CONN_IDLE) {
		/* The first byte of a request starts its clock. */
		http_limits_get(&lim);
		c->state = CONN_READING;
		conn_watch(c, EV_READ, lim.request_timeout);
	}
	c->inlen += n;
	conn_process(c);
}

/* Answer the request in the buffer, if it is whole. */
static void
conn_process(struct conn *c)
{
	struct http_request	req;
	int			n, status;

	c->in[c->inlen] = '\0';
	memset(&c->res, 0, sizeof(c->res));
	c->res.head = &c->head;
	n = http_request_parse(c->in, c->inlen, &req, &status);
	if (n == 0) {
		if (c->inlen == HTTP_MAX_HEAD) {
			http_error(&c->res, 431, time(NULL));
			goto send;
		}
		return;
	}
	if (n < 0) {
		http_error(&c->res, status, time(NULL));
		goto send;
	}
	c->consumed = n;
	c->req = req;
	http_route(&c->req, &c->res, time(NULL));
	if (c->res.deferred) {
		conn_defer(c);
		return;
	}
send:
	conn_send(c);
}

/* Send the response made for the request. */
static void
conn_send(struct conn *c)
{
	metrics_http_status(c->res.status);
	c->head_off = c->body_off = 0;
	c->state = CONN_WRITING;
	if (conn_flush(c) == 0)
		conn_done(c);
}

/*
 * Send what is left of the response: 0 when all is sent, 1 when the
 * socket is full (we then wait for it), -1 when the connection is gone.
 */
static int
conn_flush(struct conn *c)
{
	struct http_limits	lim;
	struct iovec		iov[2];
	ssize_t			n;
	int			niov;

	for (;;) {
		niov = 0;
		if (c->head_off < c->head.len) {
			iov[niov].iov_base = c->head.data + c->head_off;
			iov[niov++].iov_len = c->head.len - c->head_off;
		}
		if (c->body_off < c->res.len) {
			iov[niov].iov_base = (char *)c->res.data + c->body_off;
			iov[niov++].iov_len = c->res.len - c->body_off;
		}
		if (niov == 0)
			return (0);
		n = writev(c->fd, iov, niov);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			if (!(event_get_events(c->ev) & EV_WRITE) ||
			    !event_pending(c->ev, EV_WRITE, NULL)) {
				http_limits_get(&lim);
				conn_watch(c, EV_WRITE, lim.request_timeout);
			}
			return (1);
		}
		if (n <= 0) {
			conn_free(c);
			return (-1);
		}
		if ((size_t)n <= c->head.len - c->head_off)
			c->head_off += n;
		else {
			c->body_off += n - (c->head.len - c->head_off);
			c->head_off = c->head.len;
		}
	}
}

static void
conn_write_cb(evutil_socket_t fd, short events, void *arg)
{
	struct conn	*c = arg;

	if (conn_flush(c) == 0)
		conn_done(c);
}

/* A response is sent: close, answer a pipelined request, or wait. */
static void
conn_done(struct conn *c)
{
	struct http_limits	lim;

	render_body_unref(c->res.body);
	c->res.body = NULL;
	c->res.data = NULL;
	c->res.len = 0;
	if (c->res.close) {
		/* Let the client read the answer before the FIN. */
		shutdown(c->fd, SHUT_WR);
		conn_free(c);
		return;
	}
	memmove(c->in, c->in + c->consumed, c->inlen - c->consumed);
	c->inlen -= c->consumed;
	c->consumed = 0;
	http_limits_get(&lim);
	if (c->inlen > 0) {
		c->state = CONN_READING;
		conn_watch(c, EV_READ, lim.request_timeout);
		conn_process(c);
		return;
	}
	c->state = CONN_IDLE;
	conn_watch(c, EV_READ, lim.keepalive_timeout);
}

static void
conn_free(struct conn *c)
{
	if (c->ticket != NULL)
		c->ticket->conn = NULL;	/* the pager's answer is dropped */
	TAILQ_REMOVE(&c->list->all, c, entry);
	event_free(c->ev);
	event_free(c->timer);
	close(c->fd);
	render_body_unref(c->res.body);
	buf_free(&c->head);
	free(c->in);
	free(c);
	metrics_gauge(GAUGE_HTTP_CONNECTIONS, __atomic_sub_fetch(&conn_count,
	    1, __ATOMIC_RELAXED));
}

/* Close every connection of a thread (at shutdown, its loop stopped). */
void
http_conn_close_all(void *arg)
{
	struct conn_list	*l = arg;
	struct conn		*c;

	struct conn_ticket	*t;

	while ((c = TAILQ_FIRST(&l->all)) != NULL)
		conn_free(c);
	/* The pager has stopped: every ticket is here by now. */
	while ((t = TAILQ_FIRST(&l->done)) != NULL) {
		TAILQ_REMOVE(&l->done, t, entry);
		render_body_unref(t->body);
		free(t);
	}
	event_free(l->notify);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
