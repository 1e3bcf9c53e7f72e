/*
 * sd.c: systemd glue.  Only this file knows about libsystemd; without it
 * (./configure --disable-systemd) these are no-ops.  sd_notify itself is a
 * no-op when NOTIFY_SOCKET is unset, so running by hand costs nothing.
 *
 * Besides notification: the watchdog's interval and ping (feedmuxd.c
 * decides whether to ping), the sockets systemd passes (socket
 * activation, by FileDescriptorName=), and the journal sink log.c sends
 * messages and their fields to when stderr is the journal.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
/* CODE_FILE= and the like would always name sd.c: leave them out. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>
#endif

#include "log.h"
#include "sd.h"
#include "xmalloc.h"

void
sd_ready(void)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, "READY=1");
#endif
}

void
sd_reloading(void)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, "RELOADING=1");
#endif
}

void
sd_stopping(void)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, "STOPPING=1");
#endif
}

void
sd_status(const char *fmt, ...)
{
#ifdef HAVE_SYSTEMD
	va_list	ap;
	char	msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", msg);
#else
	(void)fmt;
#endif
}

/*
 * The watchdog interval systemd expects pings within, in microseconds; 0
 * when it expects none (no WATCHDOG_USEC, or WATCHDOG_PID names another
 * process).
 */
uint64_t
sd_watchdog_usec(void)
{
#ifdef HAVE_SYSTEMD
	uint64_t	usec;

	if (sd_watchdog_enabled(0, &usec) > 0)
		return (usec);
#endif
	return (0);
}

void
sd_watchdog_ping(void)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, "WATCHDOG=1");
#endif
}

#ifdef HAVE_SYSTEMD
/* Is fd a listening stream socket of family (AF_UNIX, or 0 for IP)? */
static int
sd_socket_is(int fd, int family)
{
	if (family == AF_UNIX)
		return (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) > 0);
	return (sd_is_socket_inet(fd, 0, SOCK_STREAM, 1, 0) > 0);
}
#endif

/*
 * Take the sockets systemd passed (LISTEN_FDS, LISTEN_FDNAMES): the one
 * named "http" into *http, "control" into *control, each -1 when not
 * passed.  Any other name, a name twice or a socket of the wrong kind is
 * an error in *cause: a unit that passes what we do not expect is a
 * mistake to report, not to work around.  Taken sockets are non-blocking.
 */
int
sd_sockets(int *http, int *control, char **cause)
{
#ifdef HAVE_SYSTEMD
	char	**names = NULL;
	int	  n, i, fd, *slot, family, rv = -1;

	*http = *control = -1;
	if ((n = sd_listen_fds_with_names(1, &names)) < 0) {
		xasprintf(cause, "sd_listen_fds: %s", strerror(-n));
		return (-1);
	}
	for (i = 0; i < n; i++) {
		fd = SD_LISTEN_FDS_START + i;
		if (strcmp(names[i], "http") == 0) {
			slot = http;
			family = 0;
		} else if (strcmp(names[i], "control") == 0) {
			slot = control;
			family = AF_UNIX;
		} else {
			xasprintf(cause, "systemd passed a socket named \"%s\" "
			    "(FileDescriptorName= must be http or control)",
			    names[i]);
			goto out;
		}
		if (*slot != -1) {
			xasprintf(cause, "systemd passed two sockets named %s",
			    names[i]);
			goto out;
		}
		if (!sd_socket_is(fd, family)) {
			xasprintf(cause, "the socket named %s is not a "
			    "listening %s stream socket", names[i],
			    family == AF_UNIX ? "Unix" : "TCP");
			goto out;
		}
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
			xasprintf(cause, "%s socket: O_NONBLOCK: %s", names[i],
			    strerror(errno));
			goto out;
		}
		*slot = fd;
	}
	rv = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rv != 0) {
		/* None is used; close them all (fatal at start anyway). */
		for (i = 0; i < n; i++)
			close(SD_LISTEN_FDS_START + i);
		*http = *control = -1;
	}
	return (rv);
#else
	(void)cause;
	*http = *control = -1;
	return (0);
#endif
}

/* journald's native socket (sd-journal's own, fixed path). */
#define SD_JOURNAL_SOCKET	"/run/systemd/journal/socket"

/*
 * log.c's journal sink: the message with its priority, identifier and
 * fields, in the journal's native protocol.  log.c has sanitised all of
 * them.  Returns -1 when journald cannot take it: sd_journal_sendv
 * reports success when the socket is missing (it drops the message), so
 * we look first and let log.c write the line to stderr instead.
 */
int
sd_journal_log(int pri, const char *ident, const char *msg,
    const struct log_fields *fields)
{
#ifdef HAVE_SYSTEMD
	struct iovec	 iov[7];
	struct stat	 sb;
	char		*s[7];
	int		 n = 0, i, rv;

	if (stat(SD_JOURNAL_SOCKET, &sb) == -1 || !S_ISSOCK(sb.st_mode))
		return (-1);
	xasprintf(&s[n++], "MESSAGE=%s", msg);
	xasprintf(&s[n++], "PRIORITY=%d", pri);
	xasprintf(&s[n++], "SYSLOG_IDENTIFIER=%s", ident);
	if (fields != NULL && fields->feed != NULL)
		xasprintf(&s[n++], "FEED=%s", fields->feed);
	if (fields != NULL && fields->tag != NULL)
		xasprintf(&s[n++], "TAG=%s", fields->tag);
	if (fields != NULL && fields->url != NULL)
		xasprintf(&s[n++], "URL=%s", fields->url);
	if (fields != NULL && fields->stage != NULL)
		xasprintf(&s[n++], "STAGE=%s", fields->stage);
	for (i = 0; i < n; i++) {
		iov[i].iov_base = s[i];
		iov[i].iov_len = strlen(s[i]);
	}
	rv = sd_journal_sendv(iov, n);
	for (i = 0; i < n; i++)
		free(s[i]);
	return (rv < 0 ? -1 : 0);
#else
	(void)pri;
	(void)ident;
	(void)msg;
	(void)fields;
	return (-1);
#endif
}
