/*
 * db-backup.c: a consistent copy of the database ("feedmuxctl backup
 * FILE") while the daemon keeps polling and serving.
 *
 * A thread of its own opens its own read-only connection and runs VACUUM
 * INTO: in WAL mode that is one read transaction, a snapshot the worker's
 * commits do not disturb, and the copy comes out compact and without a
 * WAL.  It is written to FILE.partial (made first, mode 0600: it holds
 * everything the database holds) and renamed to FILE only when complete,
 * so FILE is never half a database.  One backup at a time; the caller
 * hears how it went through a callback on the loop thread.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "db.h"
#include "log.h"
#include "xmalloc.h"

struct backup {
	pthread_t		 thread;
	char			*db_path;
	char			*dest;
	char			*partial;
	db_backup_cb		 cb;
	void			*cb_arg;
	struct event		*done_ev;
	struct timespec		 start;

	/* Set by the thread, read on the loop once it is done. */
	char			*error;
	int64_t			 bytes;
};

static struct backup	*backup_running;

static void	*backup_main(void *);
static void	 backup_done(evutil_socket_t, short, void *);
static void	 backup_finish(struct backup *);
static void	 backup_free(struct backup *);

/*
 * Start a backup of db_path into dest; cb runs on base's loop when it is
 * done (db.h).  -1 and *cause if it cannot start.
 */
int
db_backup_start(struct event_base *base, const char *db_path,
    const char *dest, db_backup_cb cb, void *arg, char **cause)
{
	struct backup	*b;
	struct stat	 sb;
	int		 fd;

	if (backup_running != NULL) {
		xasprintf(cause, "a backup to %s is running",
		    backup_running->dest);
		return (-1);
	}
	if (*dest != '/') {
		xasprintf(cause, "%s: not an absolute path", dest);
		return (-1);
	}
	if (stat(dest, &sb) == 0) {
		xasprintf(cause, "%s: exists (a backup never overwrites)",
		    dest);
		return (-1);
	}
	if (errno != ENOENT) {
		xasprintf(cause, "%s: %s", dest, strerror(errno));
		return (-1);
	}
	b = xcalloc(1, sizeof(*b));
	xasprintf(&b->partial, "%s.partial", dest);
	if ((fd = open(b->partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		xasprintf(cause, "%s: %s", b->partial, strerror(errno));
		free(b->partial);
		free(b);
		return (-1);
	}
	close(fd);
	b->db_path = xstrdup(db_path);
	b->dest = xstrdup(dest);
	b->cb = cb;
	b->cb_arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &b->start);
	b->done_ev = event_new(base, -1, 0, backup_done, b);
	if (b->done_ev == NULL ||
	    pthread_create(&b->thread, NULL, backup_main, b) != 0) {
		xasprintf(cause, "cannot start the backup thread");
		unlink(b->partial);
		backup_free(b);
		return (-1);
	}
	backup_running = b;
	log_info("backup to %s started", dest);
	return (0);
}

static void *
backup_main(void *arg)
{
	struct backup	*b = arg;
	struct stat	 sb;
	sqlite3		*h = NULL;
	sqlite3_stmt	*st = NULL;

	if (sqlite3_open_v2(b->db_path, &h, SQLITE_OPEN_READONLY,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(h, 10000);
	if (sqlite3_prepare_v2(h, "VACUUM INTO ?1", -1, &st,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, b->partial, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	sqlite3_close(h);
	if (rename(b->partial, b->dest) == -1) {
		xasprintf(&b->error, "rename to %s: %s", b->dest,
		    strerror(errno));
		unlink(b->partial);
	} else if (stat(b->dest, &sb) == 0)
		b->bytes = sb.st_size;
	event_active(b->done_ev, EV_READ, 1);
	return (NULL);

fail:
	xasprintf(&b->error, "%s", h != NULL ? sqlite3_errmsg(h) :
	    "cannot open the database");
	sqlite3_finalize(st);
	sqlite3_close(h);
	unlink(b->partial);
	event_active(b->done_ev, EV_READ, 1);
	return (NULL);
}

/* On the loop thread: the thread has finished. */
static void
backup_done(evutil_socket_t fd, short events, void *arg)
{
	struct backup	*b = arg;

	pthread_join(b->thread, NULL);
	backup_finish(b);
}

static void
backup_finish(struct backup *b)
{
	struct timespec	now;
	double		secs;

	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (now.tv_sec - b->start.tv_sec) +
	    (now.tv_nsec - b->start.tv_nsec) / 1e9;
	if (b->error != NULL)
		log_warnx("backup to %s failed: %s", b->dest, b->error);
	else
		log_info("backup to %s done: %lld bytes in %.1f s", b->dest,
		    (long long)b->bytes, secs);
	b->cb(b->dest, b->error, b->bytes, secs, b->cb_arg);
	backup_free(b);
	backup_running = NULL;
}

static void
backup_free(struct backup *b)
{
	if (b->done_ev != NULL)
		event_free(b->done_ev);
	free(b->error);
	free(b->db_path);
	free(b->dest);
	free(b->partial);
	free(b);
}

/* Shutting down: let a running backup end (it is a read, it ends). */
void
db_backup_stop(void)
{
	struct backup	*b = backup_running;

	if (b == NULL)
		return;
	pthread_join(b->thread, NULL);
	backup_finish(b);
}
