/*
 * ctl.c: the control socket server.
 *
 * A Unix stream socket, created under a umask so that it is born 0660; we
 * refuse to start if another daemon answers on it, and remove what is at
 * its path only if that is a stale socket (never a file: a typo must not
 * delete a database).  Each client's credentials (SO_PEERCRED) decide
 * whether it may run commands that change anything.  Requests are JSON
 * lines (proto.h), handled by ctl-cmd.c; while a command waits (refresh),
 * the client's further requests stay unread so replies keep their order.
 * A request must arrive whole within CTL_REQUEST_TIMEOUT of its first
 * byte, a reply be taken within CTL_WRITE_TIMEOUT, and a client idle for
 * CTL_IDLE_TIMEOUT is closed; a last request without its newline is still
 * answered.  Under socket activation systemd owns the socket and its
 * path: we serve the descriptor it passed and never unlink or chmod it.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <jansson.h>

#include "ctl.h"
#include "log.h"
#include "proto.h"
#include "xmalloc.h"

/* Clocks of a client (seconds); none runs while a command waits. */
#define CTL_REQUEST_TIMEOUT	10	/* first byte to newline */
#define CTL_IDLE_TIMEOUT	60	/* between requests */
#define CTL_WRITE_TIMEOUT	30	/* a reply, once it is written */

struct ctl_client {
	int			 refs;
	struct event		*timer;
	int			 dead;		/* connection gone */
	struct bufferevent	*bev;
	uid_t			 uid;
	gid_t			 gid;
	gid_t			 groups[64];	/* supplementary (SO_PEERGROUPS) */
	int			 ngroups;
	pid_t			 pid;
	int			 waiting;	/* a command will answer later */
	int			 eof;		/* the client has sent all */
	int			 closing;	/* close once output is sent */
	int			 partial;	/* a request has begun */
};

static struct {
	int			 fd;
	char			*path;		/* ours to unlink; NULL: not */
	struct event		*ev;
	struct event		*pause;
	ctl_dispatch_cb		 dispatch;
} ctl = { -1, NULL, NULL, NULL, NULL };

static void	ctl_accept(evutil_socket_t, short, void *);
static void	ctl_resume(evutil_socket_t, short, void *);
static void	ctl_read(struct bufferevent *, void *);
static void	ctl_write(struct bufferevent *, void *);
static void	ctl_event(struct bufferevent *, short, void *);
static void	ctl_close(struct ctl_client *);
static void	ctl_request(struct ctl_client *, const char *, size_t);
static void	ctl_send(struct ctl_client *, json_t *);
static void	ctl_done_reading(struct ctl_client *);
static void	ctl_clock(struct ctl_client *, int);
static void	ctl_timeout(evutil_socket_t, short, void *);

/* Is something already answering on path? */
static int
ctl_in_use(const char *path)
{
	struct sockaddr_un	sun;
	int			fd, rv;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	rv = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return (rv);
}

/*
 * Listen on path, or serve fd when systemd passed the socket (else -1);
 * each request goes to dispatch.
 */
int
ctl_start(struct event_base *base, const char *path, int fd,
    ctl_dispatch_cb dispatch)
{
	struct sockaddr_un	sun;
	struct stat		st;
	mode_t			old;

	if (fd != -1) {
		ctl.fd = fd;
		log_info("control socket passed by systemd (control_socket = "
		    "%s is not bound)", path);
		goto listening;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket path too long: %s", path);
		return (-1);
	}
	strcpy(sun.sun_path, path);
	if (ctl_in_use(path)) {
		log_warnx("%s: another feedmuxd is already listening there",
		    path);
		return (-1);
	}
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		log_warnx("%s: exists and is not a socket; not removing it "
		    "(check control_socket)", path);
		return (-1);
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("%s: cannot remove stale socket", path);
		return (-1);
	}
	ctl.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (ctl.fd == -1) {
		log_warn("%s: socket", __func__);
		return (-1);
	}
	old = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	if (bind(ctl.fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("%s: bind", path);
		umask(old);
		goto fail;
	}
	umask(old);
	if (chmod(path, 0660) == -1) {
		log_warn("%s: chmod", path);
		goto fail;
	}
	if (listen(ctl.fd, 16) == -1) {
		log_warn("%s: listen", path);
		goto fail;
	}
	ctl.path = xstrdup(path);
	log_info("control socket %s", path);
listening:
	ctl.dispatch = dispatch;
	ctl.ev = event_new(base, ctl.fd, EV_READ | EV_PERSIST, ctl_accept,
	    NULL);
	ctl.pause = evtimer_new(base, ctl_resume, NULL);
	event_add(ctl.ev, NULL);
	return (0);

fail:
	close(ctl.fd);
	ctl.fd = -1;
	return (-1);
}

void
ctl_stop(void)
{
	if (ctl.fd == -1)
		return;
	event_free(ctl.ev);
	event_free(ctl.pause);
	close(ctl.fd);
	if (ctl.path != NULL)
		unlink(ctl.path);
	free(ctl.path);
	ctl.path = NULL;
	ctl.fd = -1;
}

static void
ctl_resume(evutil_socket_t fd, short events, void *arg)
{
	event_add(ctl.ev, NULL);
}

static void
ctl_accept(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_client	*c;
	struct ucred		 cred;
	socklen_t		 len = sizeof(cred);
	struct timeval		 tv = { 1, 0 };
	int			 cfd;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd == -1) {
		if (errno == EMFILE || errno == ENFILE) {
			/* Out of descriptors: stop accepting for a while. */
			log_warn("control socket: accept");
			event_del(ctl.ev);
			evtimer_add(ctl.pause, &tv);
		} else if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("control socket: accept");
		return;
	}
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("control socket: SO_PEERCRED");
		close(cfd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->refs = 1;
	c->uid = cred.uid;
	c->gid = cred.gid;
	c->pid = cred.pid;
	len = sizeof(c->groups);
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERGROUPS, c->groups, &len) == 0)
		c->ngroups = len / sizeof(c->groups[0]);
	c->bev = bufferevent_socket_new(event_get_base(ctl.ev), cfd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		fatalx("%s: bufferevent_socket_new", __func__);
	bufferevent_setcb(c->bev, ctl_read, ctl_write, ctl_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	tv.tv_sec = CTL_WRITE_TIMEOUT;
	bufferevent_set_timeouts(c->bev, NULL, &tv);
	if ((c->timer = evtimer_new(event_get_base(ctl.ev), ctl_timeout,
	    c)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	ctl_clock(c, CTL_IDLE_TIMEOUT);
	log_debug("control client pid %ld uid %ld connected", (long)c->pid,
	    (long)c->uid);
}

/*
 * Root, the daemon's own user and members of its group may change things;
 * anyone else who can open the socket may only look.
 */
int
ctl_client_privileged(struct ctl_client *c)
{
	gid_t	gid = getegid();
	int	i;

	if (c->uid == 0 || c->uid == geteuid() || c->gid == gid)
		return (1);
	for (i = 0; i < c->ngroups; i++) {
		if (c->groups[i] == gid)
			return (1);
	}
	return (0);
}

/* Who the client is, for the log. */
void
ctl_client_peer(struct ctl_client *c, long *uid, long *pid)
{
	*uid = (long)c->uid;
	*pid = (long)c->pid;
}

void
ctl_client_ref(struct ctl_client *c)
{
	c->refs++;
}

void
ctl_client_unref(struct ctl_client *c)
{
	if (--c->refs > 0)
		return;
	free(c);
}

static void
ctl_close(struct ctl_client *c)
{
	if (c->dead)
		return;
	c->dead = 1;
	bufferevent_free(c->bev);
	c->bev = NULL;
	event_free(c->timer);
	c->timer = NULL;
	ctl_client_unref(c);
}

/* (Re)start the client's clock: secs from now; 0 stops it. */
static void
ctl_clock(struct ctl_client *c, int secs)
{
	struct timeval	tv = { secs, 0 };

	if (secs == 0)
		evtimer_del(c->timer);
	else
		evtimer_add(c->timer, &tv);
}

/* The clock ran out: an unfinished request is answered, then closed. */
static void
ctl_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_client	*c = arg;

	if (c->waiting)
		return;
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0) {
		log_debug("control client pid %ld: request not finished in "
		    "%d s", (long)c->pid, CTL_REQUEST_TIMEOUT);
		ctl_reply_error(c, "request not finished within %d seconds",
		    CTL_REQUEST_TIMEOUT);
		bufferevent_disable(c->bev, EV_READ);
		c->closing = 1;
		return;
	}
	ctl_close(c);
}

static void
ctl_read(struct bufferevent *bev, void *arg)
{
	struct ctl_client	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	char			*line;
	size_t			 len;

	while (!c->dead && !c->waiting && !c->closing &&
	    (line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL) {
		c->partial = 0;
		ctl_request(c, line, len);
		free(line);
	}
	if (c->dead || c->waiting || c->closing)
		return;
	if (evbuffer_get_length(in) > PROTO_MAX_REQUEST) {
		ctl_reply_error(c, "request longer than %d bytes",
		    PROTO_MAX_REQUEST);
		bufferevent_disable(c->bev, EV_READ);
		c->closing = 1;
		return;
	}
	/* The client has sent all: a last line without its newline counts. */
	if (c->eof && (len = evbuffer_get_length(in)) > 0) {
		line = xmalloc(len);
		evbuffer_remove(in, line, len);
		ctl_request(c, line, len);
		free(line);
		if (c->dead || c->waiting || c->closing)
			return;
	}
	/* A request begun has its deadline; between requests, the idle one. */
	if (evbuffer_get_length(in) > 0) {
		if (!c->partial)
			ctl_clock(c, CTL_REQUEST_TIMEOUT);
		c->partial = 1;
	} else {
		c->partial = 0;
		ctl_clock(c, CTL_IDLE_TIMEOUT);
	}
	ctl_done_reading(c);	/* may free c */
}

/*
 * A client that has half-closed (echo ... | socat) still gets every reply:
 * close only once nothing is pending and the output has been sent.
 */
static void
ctl_done_reading(struct ctl_client *c)
{
	if (!c->eof || c->waiting || c->dead)
		return;
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		ctl_close(c);
	else
		c->closing = 1;
}

static void
ctl_write(struct bufferevent *bev, void *arg)
{
	struct ctl_client	*c = arg;

	if (c->closing)
		ctl_close(c);
}

static void
ctl_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_client	*c = arg;

	if (what & (BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		ctl_close(c);
	else if (what & BEV_EVENT_EOF) {
		c->eof = 1;
		ctl_read(bev, c);	/* what is buffered, then maybe close */
	}
}

static void
ctl_request(struct ctl_client *c, const char *line, size_t len)
{
	enum proto_cmd_id	 id;
	json_t			*args;
	char			*cause;
	enum cmd_retval		 rv;

	if (len == 0)
		return;
	if (proto_request_parse(line, len, &id, &args, &cause) != 0) {
		ctl_reply_error(c, "%s", cause);
		free(cause);
		return;
	}
	rv = ctl.dispatch(c, id, args);
	json_decref(args);
	if (rv == CMD_WAIT) {
		/*
		 * Hold further requests until this one is answered; stop
		 * reading so the kernel, not our buffer, holds what comes.
		 * No clock runs: a refresh takes as long as its polls.
		 */
		c->waiting = 1;
		bufferevent_disable(c->bev, EV_READ);
		ctl_clock(c, 0);
	}
}

static void
ctl_send(struct ctl_client *c, json_t *reply)
{
	char	*s;

	if (c->dead) {
		json_decref(reply);
		return;
	}
	if ((s = json_dumps(reply, JSON_COMPACT)) == NULL)
		fatalx("%s: json_dumps", __func__);
	json_decref(reply);
	bufferevent_write(c->bev, s, strlen(s));
	bufferevent_write(c->bev, "\n", 1);
	free(s);
	if (c->waiting) {
		c->waiting = 0;
		ctl_clock(c, CTL_IDLE_TIMEOUT);
		bufferevent_enable(c->bev, EV_READ);
		/*
		 * Requests that arrived meanwhile are already buffered; read
		 * them from the loop, not from here: we may be inside a
		 * handler that a nested request (reload) must not re-enter.
		 */
		bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS |
		    BEV_TRIG_DEFER_CALLBACKS);
	}
}

/* Reply with data (taken; NULL for none). */
void
ctl_reply_ok(struct ctl_client *c, json_t *data)
{
	ctl_send(c, json_pack("{s:i, s:b, s:o}", "v", PROTO_VERSION, "ok", 1,
	    "data", data != NULL ? data : json_object()));
}

void
ctl_reply_error(struct ctl_client *c, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	ctl_send(c, json_pack("{s:i, s:b, s:s}", "v", PROTO_VERSION, "ok", 0,
	    "error", msg));
	free(msg);
}
