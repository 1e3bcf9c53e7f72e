/*
 * http.c: the HTTP server's listener and serving threads.
 *
 * Serving runs on threads of its own (http_threads), each with its own
 * libevent loop accepting from the one listening socket, so that polling,
 * parsing and the store never delay a response: a request is answered
 * from the render cache alone (http-route.c).  The door is held: a cap on
 * connections (max_connections, and no more than the fd limit leaves room
 * for), the soft fd limit raised to the hard one, and when the cap or the
 * fd limit is reached the threads stop accepting for a moment (no
 * spinning), with one log line per episode: pauses less than
 * HTTP_EPISODE_CALM apart are one episode.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "conf.h"
#include "http.h"
#include "http-internal.h"
#include "log.h"
#include "xmalloc.h"

/* How long accepting pauses at the cap or the fd limit. */
#define HTTP_PAUSE_MS		100
/* An episode at the limit ends after this long without a pause (s). */
#define HTTP_EPISODE_CALM	10
/* Descriptors kept from connections, beside two per transfer. */
#define HTTP_FD_RESERVE		64
/* Most connections one wake-up accepts, so that threads share them. */
#define HTTP_ACCEPT_BATCH	32

struct http_thread {
	pthread_t		 thread;
	struct event_base	*base;
	struct event		*accept_ev;
	struct event		*pause_ev;
	struct event		*stop_ev;
	void			*conns;		/* http-conn.c's list */
	int			 started;
};

static struct {
	int			 fd;		/* listening, -1: none */
	struct http_thread	*threads;
	size_t			 nthreads;
	int			 paused;	/* an episode is logged, atomic */
	time_t			 last_pause;	/* atomic */
	long			 fd_budget;	/* connections the fd limit allows */
} http = { -1, NULL, 0, 0, 0, 0 };

static void	*http_thread_main(void *);
static void	 http_accept_cb(evutil_socket_t, short, void *);
static void	 http_pause(struct http_thread *, const char *);
static void	 http_resume_cb(evutil_socket_t, short, void *);
static void	 http_stop_cb(evutil_socket_t, short, void *);
static void	 http_raise_fd_limit(const struct conf *);

/*
 * Raise the soft limit on open files to the hard one: connections.  What
 * the limit allows, less what the rest of the daemon needs (transfers,
 * the store, the control socket), caps the connections, so that they can
 * never take the descriptors polling and feedmuxctl need.
 */
static void
http_raise_fd_limit(const struct conf *conf)
{
	struct rlimit	rl;
	long		reserve = HTTP_FD_RESERVE + 2 * conf->max_transfers;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		http.fd_budget = LONG_MAX;
		return;
	}
	if (rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
			log_warn("cannot raise the open files limit");
			getrlimit(RLIMIT_NOFILE, &rl);
		} else
			log_debug("open files limit raised to %llu",
			    (unsigned long long)rl.rlim_cur);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > LONG_MAX / 2)
		http.fd_budget = LONG_MAX;
	else if ((long)rl.rlim_cur - reserve < 16)
		http.fd_budget = 16;
	else
		http.fd_budget = (long)rl.rlim_cur - reserve;
}

/*
 * Bind conf's listen address (before daemon(): errors reach the terminal)
 * and take its limits; or, when systemd passed a listening socket (fd,
 * else -1), serve that one and bind nothing.  The threads start with
 * http_start.
 */
int
http_listen(const struct conf *conf, int fd)
{
	struct addrinfo	 hints, *res, *ai;
	char		 port[16];
	int		 one = 1, error;

	http_raise_fd_limit(conf);
	http_configure(conf);
	if (fd != -1) {
		log_info("serving HTTP on the socket systemd passed (listen = "
		    "%s is not bound)", conf->listen);
		goto bound;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%d", conf->listen_port);
	if ((error = getaddrinfo(conf->listen_host, port, &hints, &res)) != 0) {
		log_warnx("cannot listen on %s: %s", conf->listen,
		    gai_strerror(error));
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 1024) == 0)
			break;
		error = errno;
		close(fd);
		fd = -1;
		errno = error;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		log_warn("cannot listen on %s", conf->listen);
		return (-1);
	}
	log_info("serving HTTP on %s", conf->listen);
bound:
	/*
	 * Head and body go out in one writev, but a keep-alive answer that
	 * fills the socket buffer would meet Nagle and delayed ACKs (40 ms).
	 * Accepted sockets inherit this on Linux.
	 */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
		log_warn("%s: TCP_NODELAY", conf->listen);
	http.fd = fd;
	return (0);
}

/* Start the serving threads (after daemon(): threads do not survive it). */
int
http_start(const struct conf *conf)
{
	struct http_thread	*t;
	size_t			 i;

	http.nthreads = (size_t)conf->http_threads;
	http.threads = xcalloc(http.nthreads, sizeof(*http.threads));
	for (i = 0; i < http.nthreads; i++) {
		t = &http.threads[i];
		if ((t->base = event_base_new()) == NULL)
			fatalx("%s: event_base_new", __func__);
		t->conns = http_conn_list_new(t->base);
		t->accept_ev = event_new(t->base, http.fd, EV_READ | EV_PERSIST,
		    http_accept_cb, t);
		t->pause_ev = evtimer_new(t->base, http_resume_cb, t);
		t->stop_ev = event_new(t->base, -1, 0, http_stop_cb, t);
		if (t->accept_ev == NULL || t->pause_ev == NULL ||
		    t->stop_ev == NULL)
			fatalx("%s: event_new", __func__);
		event_add(t->accept_ev, NULL);
		if ((errno = pthread_create(&t->thread, NULL, http_thread_main,
		    t)) != 0) {
			log_warn("%s: pthread_create", __func__);
			return (-1);
		}
		t->started = 1;
	}
	return (0);
}

static void *
http_thread_main(void *arg)
{
	struct http_thread	*t = arg;

	event_base_dispatch(t->base);
	return (NULL);
}

/* Take the limits of a (re)loaded configuration. */
void
http_configure(const struct conf *conf)
{
	static long		clamped;
	struct http_limits	l;

	l.max_connections = conf->max_connections;
	if (l.max_connections > http.fd_budget) {
		l.max_connections = http.fd_budget;
		if (clamped != l.max_connections)
			log_warnx("max_connections %ld is more than the open "
			    "files limit allows: at most %ld connections",
			    conf->max_connections, l.max_connections);
	}
	clamped = l.max_connections;
	l.request_timeout = conf->request_timeout;
	l.keepalive_timeout = conf->keepalive_timeout;
	http_conn_configure(&l);
}

static void
http_accept_cb(evutil_socket_t lfd, short events, void *arg)
{
	struct http_thread	*t = arg;
	int			 fd, i;

	for (i = 0; i < HTTP_ACCEPT_BATCH; i++) {
		if (!http_conn_room()) {
			http_pause(t, "the connection limit (max_connections)");
			return;
		}
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			switch (errno) {
			case EAGAIN:
			case EINTR:
			case ECONNABORTED:
			case EPROTO:
				return;
			case EMFILE:
			case ENFILE:
			case ENOBUFS:
			case ENOMEM:
				http_pause(t, strerror(errno));
				return;
			default:
				log_warn("accept");
				http_pause(t, strerror(errno));
				return;
			}
		}
		if (__atomic_load_n(&http.paused, __ATOMIC_RELAXED) &&
		    time(NULL) - __atomic_load_n(&http.last_pause,
		    __ATOMIC_RELAXED) >= HTTP_EPISODE_CALM &&
		    __atomic_exchange_n(&http.paused, 0, __ATOMIC_RELAXED))
			log_info("HTTP: accepting connections again");
		http_conn_accept(t->base, fd, t->conns);
	}
}

/*
 * Stop accepting for a moment: the clients wait in the listen queue
 * instead of making the loop spin on an accept that cannot succeed.
 */
static void
http_pause(struct http_thread *t, const char *why)
{
	struct timeval	tv = { 0, HTTP_PAUSE_MS * 1000 };

	__atomic_store_n(&http.last_pause, time(NULL), __ATOMIC_RELAXED);
	if (!__atomic_exchange_n(&http.paused, 1, __ATOMIC_RELAXED))
		log_warnx("HTTP: not accepting connections for now: %s "
		    "(%ld open)", why, http_conn_open());
	event_del(t->accept_ev);
	evtimer_add(t->pause_ev, &tv);
}

static void
http_resume_cb(evutil_socket_t fd, short events, void *arg)
{
	struct http_thread	*t = arg;

	event_add(t->accept_ev, NULL);
}

static void
http_stop_cb(evutil_socket_t fd, short events, void *arg)
{
	struct http_thread	*t = arg;

	event_base_loopbreak(t->base);
}

/* Stop the threads, close every connection and the listener. */
void
http_stop(void)
{
	struct http_thread	*t;
	size_t			 i;

	for (i = 0; i < http.nthreads; i++) {
		t = &http.threads[i];
		if (t->started) {
			event_active(t->stop_ev, 0, 0);
			pthread_join(t->thread, NULL);
		}
		http_conn_close_all(t->conns);
		event_free(t->accept_ev);
		event_free(t->pause_ev);
		event_free(t->stop_ev);
		event_base_free(t->base);
	}
	free(http.threads);
	http.threads = NULL;
	http.nthreads = 0;
	if (http.fd != -1)
		close(http.fd);
	http.fd = -1;
}
