/*
 * log.c: leveled logging.
 *
 * In the foreground we write one line per message to stderr.  When stderr is
 * the journal (systemd sets JOURNAL_STREAM) each line starts with a "<N>"
 * syslog priority, which journald turns into the entry's level; on a terminal
 * we print a time stamp and the level name instead.  In the background we log
 * to syslog.  Messages are passed through log_sanitise so that bytes from
 * feeds can never forge log lines or terminal escapes.
 *
 * When stderr is the journal and a sink is registered (log_set_journal;
 * sd.c's, so that this file stays free of libsystemd and usable by
 * feedmuxctl), messages go to it with their fields (FEED=, URL=, ...),
 * sanitised like the message.  If the sink fails (no journald socket),
 * the line goes to stderr with its "<N>" prefix, as without a sink.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*log_procname = "feedmux";
static int		 log_dest = LOG_TO_STDERR;
static int		 log_verbose;
static int		 log_journal;
static log_journal_cb	 log_journal_sink;
static pthread_mutex_t	 log_mutex = PTHREAD_MUTEX_INITIALIZER;

static void	log_vlog(int, const struct log_fields *, const char *,
		    va_list, int) __attribute__((format(printf, 3, 0)));
static void	log_sanitise(char *);
static const char *log_field(char *, size_t, const char *);

void
log_init(const char *procname, int dest, int verbose)
{
	const char	*js;
	struct stat	 sb;
	unsigned long	 dev, ino;

	log_procname = procname;
	log_dest = dest;
	log_verbose = verbose;
	log_journal = 0;

	/* Only trust JOURNAL_STREAM if it really names our stderr. */
	js = getenv("JOURNAL_STREAM");
	if (js != NULL && sscanf(js, "%lu:%lu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &sb) == 0 &&
	    (unsigned long)sb.st_dev == dev && (unsigned long)sb.st_ino == ino)
		log_journal = 1;

	if (dest == LOG_TO_SYSLOG)
		openlog(procname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* Send messages to sink when stderr is the journal (NULL: never). */
void
log_set_journal(log_journal_cb sink)
{
	log_journal_sink = sink;
}

/* Replace control characters so that untrusted text stays on one line. */
static void
log_sanitise(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	}
}

/* A sanitised copy of a field's value in buf (NULL stays NULL). */
static const char *
log_field(char *buf, size_t size, const char *value)
{
	if (value == NULL)
		return (NULL);
	snprintf(buf, size, "%s", value);
	log_sanitise(buf);
	return (buf);
}

static void
log_vlog(int pri, const struct log_fields *fields, const char *fmt,
    va_list ap, int with_errno)
{
	static const char	*names[] = {
		"emerg", "alert", "crit", "error", "warning", "notice", "info",
		"debug"
	};
	char			 msg[2048];
	char			 stamp[32];
	int			 saved_errno = errno;
	size_t			 len;
	time_t			 now;
	struct tm		 tm;
	struct log_fields	 clean;
	char			 feed[256], tag[256], url[1024], stage[32];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_sanitise(msg);
	if (with_errno) {
		len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, ": %s",
		    strerror(saved_errno));
	}

	if (fields != NULL) {
		clean.feed = log_field(feed, sizeof(feed), fields->feed);
		clean.tag = log_field(tag, sizeof(tag), fields->tag);
		clean.url = log_field(url, sizeof(url), fields->url);
		clean.stage = log_field(stage, sizeof(stage), fields->stage);
		fields = &clean;
	}

	pthread_mutex_lock(&log_mutex);
	if (log_dest == LOG_TO_SYSLOG)
		syslog(pri, "%s", msg);
	else if (log_journal) {
		if (log_journal_sink == NULL ||
		    log_journal_sink(pri, log_procname, msg, fields) != 0)
			fprintf(stderr, "<%d>%s\n", pri, msg);
	} else {
		now = time(NULL);
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(stderr, "%s %s[%ld] %s: %s\n", stamp, log_procname,
		    (long)getpid(), names[pri & 7], msg);
	}
	fflush(stderr);
	pthread_mutex_unlock(&log_mutex);
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vlog(LOG_WARNING, NULL, fmt, ap, 1);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vlog(LOG_WARNING, NULL, fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vlog(LOG_INFO, NULL, fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vlog(LOG_DEBUG, NULL, fmt, ap, 0);
	va_end(ap);
}

void
log_fields_warnx(const struct log_fields *fields, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vlog(LOG_WARNING, fields, fmt, ap, 0);
	va_end(ap);
}

void
log_fields_info(const struct log_fields *fields, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vlog(LOG_INFO, fields, fmt, ap, 0);
	va_end(ap);
}

void
log_fields_debug(const struct log_fields *fields, const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vlog(LOG_DEBUG, fields, fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vlog(LOG_CRIT, NULL, fmt, ap, 1);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vlog(LOG_CRIT, NULL, fmt, ap, 0);
	va_end(ap);
	exit(1);
}
