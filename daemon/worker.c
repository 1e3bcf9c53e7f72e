/*
 * worker.c: the one thread that owns the database.
 *
 * The loop thread must never wait on parsing or SQLite, so everything that
 * can take long (parsing a 10 MB feed, a commit, rendering a tag) is a job:
 * the loop thread queues it here, this thread runs it, and the finished job
 * goes back through a done queue and an event made active on the loop, whose
 * callback runs job->cb on the loop thread.  Jobs run in order, one at a
 * time, which makes this thread the single SQLite writer.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "feedmux.h"

TAILQ_HEAD(jobs, job);

static struct {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct jobs	 todo;
	struct jobs	 done;
	int		 stopping;
	int		 running;
	struct event	*done_ev;
	struct db	*db;
	struct conf	*conf;		/* the last synced: rules, retention */
	char		*base_url;
	size_t		 max_field;
	size_t		 max_items;

	/*
	 * Tags whose entries changed and are not rendered yet.  They are
	 * rendered after a commit, but not again before flush_after: a
	 * burst of polls renders each tag once, not once per feed, and
	 * rendering takes at most a tenth of the worker's time.
	 */
	char		**dirty;
	size_t		 ndirty;
	struct timespec	 flush_after;	/* CLOCK_MONOTONIC */
	job_cb		 render_cb;
	uint64_t	 seq;		/* jobs processed */
} worker;

static void	*worker_main(void *);
static void	 worker_finish(struct job *);
static void	 worker_uncommitted(struct job *);
static void	 worker_take_dirty(void);
static void	 worker_check_limits(void);
static void	 worker_lost(struct jobs *, struct job *);
static void	 worker_flush(void);
static int	 worker_flush_due(void);
static struct job *worker_take(struct jobs *);
static void	 worker_mark_dirty(char **, size_t);
static void	 worker_clear_dirty(void);
static void	 worker_run(struct job *);
static void	 worker_store(struct job *);
static void	 worker_sync(struct job *);
static void	 worker_prune(struct job *);
static void	 worker_prune_removed(struct job *);
static void	 worker_pruned(struct job *, const char *, int64_t,
		    int64_t);
static void	 worker_done(evutil_socket_t, short, void *);

struct job *
job_new(enum job_type type, const char *feed, job_cb cb, void *arg)
{
	struct job	*job;

	job = xcalloc(1, sizeof(*job));
	job->type = type;
	job->feed = feed != NULL ? xstrdup(feed) : NULL;
	buf_init(&job->body);
	job->cb = cb;
	job->cb_arg = arg;
	return (job);
}

/* The tags to render once the job has stored its entries (copied). */
void
job_set_tags(struct job *job, char **tags, size_t n)
{
	size_t	i;

	job->tags = n > 0 ? xreallocarray(NULL, n, sizeof(*job->tags)) : NULL;
	for (i = 0; i < n; i++)
		job->tags[i] = xstrdup(tags[i]);
	job->ntags = n;
}

void
job_free(struct job *job)
{
	size_t	i;

	if (job == NULL)
		return;
	for (i = 0; i < job->ntags; i++)
		free(job->tags[i]);
	free(job->tags);
	for (i = 0; i < job->nbodies; i++)
		body_unref(job->bodies[i]);
	free(job->bodies);
	for (i = 0; i < job->nnames; i++)
		free(job->names[i]);
	free(job->names);
	free(job->left);
	free(job->feed);
	free(job->url);
	free(job->charset);
	conf_unref(job->conf);
	buf_free(&job->body);
	feed_state_clear(&job->state);
	free(job);
}

/* Settings the worker takes from a configuration (on its own thread). */
static void
worker_configure(const struct conf *conf)
{
	free(worker.base_url);
	worker.base_url = xstrdup(conf_base_url(conf));
	worker.max_field = conf->max_field_size;
	worker.max_items = conf->max_entries;
}

int
worker_start(struct event_base *base, struct db *db, struct conf *conf,
    job_cb render_cb)
{
	pthread_condattr_t	attr;

	TAILQ_INIT(&worker.todo);
	TAILQ_INIT(&worker.done);
	pthread_mutex_init(&worker.lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&worker.cond, &attr);
	pthread_condattr_destroy(&attr);
	worker.db = db;
	worker.render_cb = render_cb;
	conf_ref(conf);
	worker.conf = conf;
	worker_configure(conf);
	worker.done_ev = event_new(base, -1, 0, worker_done, NULL);
	if (worker.done_ev == NULL)
		fatalx("%s: event_new", __func__);
	if (pthread_create(&worker.thread, NULL, worker_main, NULL) != 0) {
		log_warn("%s: pthread_create", __func__);
		return (-1);
	}
	worker.running = 1;
	return (0);
}

/*
 * Finish the queued jobs (no fetched entries are lost), stop the thread,
 * then run the callbacks of the finished jobs so that they let go of what
 * they hold.
 */
void
worker_stop(void)
{
	if (!worker.running)
		return;
	pthread_mutex_lock(&worker.lock);
	worker.stopping = 1;
	pthread_cond_signal(&worker.cond);
	pthread_mutex_unlock(&worker.lock);
	pthread_join(worker.thread, NULL);
	worker.running = 0;

	worker_done(-1, 0, NULL);
	event_free(worker.done_ev);
	free(worker.base_url);
	conf_unref(worker.conf);
	worker.conf = NULL;
	pthread_mutex_destroy(&worker.lock);
	pthread_cond_destroy(&worker.cond);
}

void
job_submit(struct job *job)
{
	pthread_mutex_lock(&worker.lock);
	TAILQ_INSERT_TAIL(&worker.todo, job, entry);
	pthread_cond_signal(&worker.cond);
	pthread_mutex_unlock(&worker.lock);
}

/* At most this many jobs share one transaction. */
#define WORKER_BATCH	512

static void *
worker_main(void *arg)
{
	struct jobs	 batch;
	struct job	*job;
	int		 n, committed;

	for (;;) {
		TAILQ_INIT(&batch);
		if ((job = worker_take(&batch)) == NULL) {
			if (worker.stopping)
				break;	/* stopping and nothing left */
			worker_flush();
			continue;
		}
		for (n = 0; job != NULL; job = TAILQ_NEXT(job, entry))
			n++;

		committed = db_begin(worker.db) == 0;
		TAILQ_FOREACH(job, &batch, entry) {
			worker_run(job);
			job->seq = ++worker.seq;
			if (committed && !db_in_transaction(worker.db))
				worker_lost(&batch, job);
		}
		if (committed && db_commit(worker.db) != 0) {
			log_warnx("database commit failed; %d jobs not "
			    "stored", n);
			TAILQ_FOREACH(job, &batch, entry)
				worker_uncommitted(job);
		}
		worker_take_dirty();
		worker_check_limits();
		/* Render only what committed: served means durable. */
		TAILQ_FOREACH(job, &batch, entry) {
			if (job->type == JOB_SYNC)
				worker_render_tags(worker.db,
				    worker.base_url, job->tags, job->ntags,
				    job);
		}
		/* Answer only what is durable. */
		while ((job = TAILQ_FIRST(&batch)) != NULL) {
			TAILQ_REMOVE(&batch, job, entry);
			worker_finish(job);
		}
		if (worker_flush_due())
			worker_flush();
	}
	worker_clear_dirty();
	rules_thread_end();
	return (NULL);
}

/* The batch a job was in did not commit: say so in its result. */
static void
worker_uncommitted(struct job *job)
{
	size_t	i;

	if (job->type == JOB_PRUNE) {
		/* Nothing was pruned: no feed's count changed. */
		for (i = 0; i < job->nnames; i++)
			free(job->names[i]);
		job->nnames = 0;
		job->pruned = job->tombstones = 0;
		free(job->state.error);
		xasprintf(&job->state.error, "not stored: %s",
		    db_last_error(worker.db));
		return;
	}
	if (job->type != JOB_STORE && job->type != JOB_STATE)
		return;
	job->added = 0;
	memset(&job->counts, 0, sizeof(job->counts));
	if (job->state.stage == STAGE_STORE)
		return;		/* failed already, and said why */
	job->state.stage = STAGE_STORE;
	free(job->state.error);
	xasprintf(&job->state.error, "not stored: %s",
	    db_last_error(worker.db));
	job->state.failures++;
}

/*
 * SQLite rolled the batch's transaction back by itself (it may, on a full
 * disk): every job up to this one lost its writes.  Say so in each, and
 * start a new transaction for the rest.
 */
static void
worker_lost(struct jobs *batch, struct job *last)
{
	struct job	*job;

	TAILQ_FOREACH(job, batch, entry) {
		worker_uncommitted(job);
		if (job == last)
			break;
	}
	db_begin(worker.db);
}

/* Say when rules start hitting PCRE2's match limit: they miss entries. */
static void
worker_check_limits(void)
{
	static unsigned long	seen;
	unsigned long		hits = rules_limit_hits();

	if (hits == seen)
		return;
	log_warnx("%lu rule match%s stopped by the match limit (%lu in all; "
	    "each counts as no match): simplify the [tag] rules", hits - seen,
	    hits - seen == 1 ? "" : "es", hits);
	seen = hits;
}

/* The tags whose entries changed in the store wait to be rendered. */
static void
worker_take_dirty(void)
{
	char	**names;
	size_t	  n, i;

	if ((n = db_take_dirty(worker.db, &names)) == 0)
		return;
	worker_mark_dirty(names, n);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Hand a finished job back to the loop thread. */
static void
worker_finish(struct job *job)
{
	pthread_mutex_lock(&worker.lock);
	TAILQ_INSERT_TAIL(&worker.done, job, entry);
	if (!worker.stopping)
		event_active(worker.done_ev, EV_READ, 1);
	pthread_mutex_unlock(&worker.lock);
}

/*
 * Take the next batch of jobs into batch (its first, or NULL).  While
 * there are none, wait; but when tags wait to be rendered, only until
 * they may be: then NULL with the queue empty.
 */
static struct job *
worker_take(struct jobs *batch)
{
	struct job	*job;
	int		 n;

	pthread_mutex_lock(&worker.lock);
	while (TAILQ_EMPTY(&worker.todo) && !worker.stopping) {
		if (worker.ndirty == 0)
			pthread_cond_wait(&worker.cond, &worker.lock);
		else if (worker_flush_due() ||
		    pthread_cond_timedwait(&worker.cond, &worker.lock,
		    &worker.flush_after) != 0)
			break;
	}
	for (n = 0; n < WORKER_BATCH &&
	    (job = TAILQ_FIRST(&worker.todo)) != NULL; n++) {
		TAILQ_REMOVE(&worker.todo, job, entry);
		TAILQ_INSERT_TAIL(batch, job, entry);
	}
	pthread_mutex_unlock(&worker.lock);
	return (TAILQ_FIRST(batch));
}

/* Are there tags to render, and may they be rendered now? */
static int
worker_flush_due(void)
{
	struct timespec	now;

	if (worker.ndirty == 0)
		return (0);
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec > worker.flush_after.tv_sec ||
	    (now.tv_sec == worker.flush_after.tv_sec &&
	    now.tv_nsec >= worker.flush_after.tv_nsec));
}

static void
worker_mark_dirty(char **tags, size_t n)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < worker.ndirty; j++) {
			if (strcmp(worker.dirty[j], tags[i]) == 0)
				break;
		}
		if (j < worker.ndirty)
			continue;
		worker.dirty = xreallocarray(worker.dirty, worker.ndirty + 1,
		    sizeof(*worker.dirty));
		worker.dirty[worker.ndirty++] = xstrdup(tags[i]);
	}
}

static void
worker_clear_dirty(void)
{
	size_t	i;

	for (i = 0; i < worker.ndirty; i++)
		free(worker.dirty[i]);
	free(worker.dirty);
	worker.dirty = NULL;
	worker.ndirty = 0;
}

/*
 * Render the dirty tags into one job for the loop thread's cache, and
 * say when the next render may be: nine times this one's cost from now
 * (at least 0.2 s, at most 5 s).
 */
static void
worker_flush(void)
{
	struct job	*job;
	struct timespec	 t0, t1;
	long long	 ns;

	if (worker.ndirty == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	job = job_new(JOB_RENDER, NULL, worker.render_cb, NULL);
	job->seq = worker.seq;
	worker_render_tags(worker.db, worker.base_url, worker.dirty,
	    worker.ndirty, job);
	worker_clear_dirty();
	worker_finish(job);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL +
	    (t1.tv_nsec - t0.tv_nsec);
	ns *= 9;
	if (ns < 200000000LL)
		ns = 200000000LL;
	if (ns > 5000000000LL)
		ns = 5000000000LL;
	worker.flush_after.tv_sec = t1.tv_sec + ns / 1000000000LL;
	worker.flush_after.tv_nsec = t1.tv_nsec + ns % 1000000000LL;
	if (worker.flush_after.tv_nsec >= 1000000000L) {
		worker.flush_after.tv_sec++;
		worker.flush_after.tv_nsec -= 1000000000L;
	}
}

/* On the loop thread: hand every finished job to its callback. */
static void
worker_done(evutil_socket_t fd, short events, void *arg)
{
	struct jobs	 done;
	struct job	*job;

	TAILQ_INIT(&done);
	pthread_mutex_lock(&worker.lock);
	TAILQ_CONCAT(&done, &worker.done, entry);
	pthread_mutex_unlock(&worker.lock);

	while ((job = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, job, entry);
		if (job->cb != NULL)
			job->cb(job, job->cb_arg);
		job_free(job);
	}
}

static void
worker_run(struct job *job)
{
	switch (job->type) {
	case JOB_STORE:
		worker_store(job);
		break;
	case JOB_STATE:
		if (db_state_save(worker.db, job->feed, &job->state) != 0)
			log_warnx("%s: could not save poll state", job->feed);
		break;
	case JOB_SYNC:
		worker_sync(job);
		break;
	case JOB_PRUNE:
		worker_prune(job);
		break;
	case JOB_RENDER:
		break;
	}
}

/*
 * Mark the poll as failed at a stage, with a message (taken).  The body
 * was not stored, so its validators must not be sent back: a 304 next time
 * would hide the failure.
 */
static void
worker_fail(struct job *job, enum stage stage, char *msg)
{
	struct feed_state	*fs = &job->state;

	fs->stage = stage;
	free(fs->error);
	fs->error = msg;
	fs->failures++;
	free(fs->etag);
	free(fs->last_modified);
	fs->etag = fs->last_modified = NULL;
}

/* The publisher's polling hints, as the scheduler reads them. */
static void
worker_hints(struct poll_hints *h, const struct feed_hints *dh)
{
	static const struct {
		const char	*name;
		long		 seconds;
	} periods[] = {
		{ "hourly", 3600 }, { "daily", 86400 }, { "weekly", 604800 },
		{ "monthly", 2592000 }, { "yearly", 31536000 },
	};
	size_t	i;

	h->ttl = dh->ttl;
	h->skip_hours = dh->skip_hours;
	h->skip_days = dh->skip_days;
	h->sy_seconds = 0;
	for (i = 0; dh->update_period != NULL &&
	    i < sizeof(periods) / sizeof(periods[0]); i++) {
		if (strcmp(dh->update_period, periods[i].name) == 0)
			h->sy_seconds = periods[i].seconds /
			    (dh->update_frequency > 0 ? dh->update_frequency :
			    1);
	}
}

static void
worker_store(struct job *job)
{
	struct feed_state	*fs = &job->state;
	struct parse_opts	 opts;
	struct doc		*doc;
	char			*cause;

	parse_opts_init(&opts);
	opts.base = job->url;
	opts.charset = job->charset;
	opts.max_field = worker.max_field;
	opts.max_items = worker.max_items;
	if (parse_doc(job->body.data, job->body.len, &opts, &doc,
	    &cause) != 0) {
		worker_fail(job, STAGE_PARSE, cause);
		goto save;
	}
	if (cause != NULL) {
		log_info("%s: %s", job->feed, cause);
		free(cause);
	}
	/* Free the body before the database work: it may be large. */
	buf_free(&job->body);
	worker_hints(&fs->hints, &doc->hints);
	free(fs->title);
	fs->title = doc->title != NULL ? xstrdup(doc->title) : NULL;
	free(fs->link);
	fs->link = doc->link != NULL ? xstrdup(doc->link) : NULL;
	if (db_store(worker.db, job->feed, doc, fs, &job->counts) != 0) {
		doc_free(doc);
		worker_fail(job, STAGE_STORE, xstrdup(db_last_error(
		    worker.db)));
		goto save;
	}
	doc_free(doc);
	job->added = job->counts.added;
	fs->stage = STAGE_NONE;
	free(fs->error);
	fs->error = NULL;
	fs->failures = 0;
	fs->last_success = fs->last_poll;
	return;

save:
	if (db_state_save(worker.db, job->feed, fs) != 0)
		log_warnx("%s: could not save poll state", job->feed);
}

/* Render each tag into a body attached to the job. */
int
worker_render_tags(struct db *db, const char *base_url, char **tags,
    size_t ntags, struct job *job)
{
	struct items	items;
	size_t		i;
	int		rv = 0;

	for (i = 0; i < ntags; i++) {
		TAILQ_INIT(&items);
		if (db_tag_items(db, tags[i], TAG_FEED_ENTRIES, &items) != 0) {
			rv = -1;
			continue;
		}
		job->bodies = xreallocarray(job->bodies, job->nbodies + 1,
		    sizeof(*job->bodies));
		job->bodies[job->nbodies++] = render_atom(tags[i], &items,
		    base_url);
		items_free(&items);
	}
	return (rv);
}

/*
 * Apply a configuration.  The worker keeps it (its rules and limits are
 * read on this thread); the one it replaces goes back to the loop thread
 * in the job, which owns conf references.
 */
static void
worker_sync(struct job *job)
{
	struct conf	*old = worker.conf;
	char		**names;
	size_t		  n, i;

	worker.conf = job->conf;
	job->conf = old;
	worker_configure(worker.conf);
	db_configure(worker.db, worker.conf);
	if (db_sync_conf(worker.db, worker.conf) != 0) {
		job->state.stage = STAGE_STORE;
		xasprintf(&job->state.error, "could not apply the "
		    "configuration to the database: %s",
		    db_last_error(worker.db));
	}
	/* Every tag is rendered after the commit: nothing stays dirty. */
	n = db_take_dirty(worker.db, &names);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	worker_clear_dirty();
}

/* Record what pruning one feed did in the job's results. */
static void
worker_pruned(struct job *job, const char *name, int64_t pruned,
    int64_t left)
{
	job->pruned += pruned;
	job->names = xreallocarray(job->names, job->nnames + 1,
	    sizeof(*job->names));
	job->left = xreallocarray(job->left, job->nnames + 1,
	    sizeof(*job->left));
	job->names[job->nnames] = xstrdup(name);
	job->left[job->nnames++] = left;
}

/* Feeds gone from the configuration keep rows; the global limits hold. */
static void
worker_prune_removed(struct job *job)
{
	char	**names;
	size_t	  n, i;
	int64_t	  pruned, left;

	n = db_feed_names(worker.db, &names);
	for (i = 0; i < n; i++) {
		if (conf_feed_find(worker.conf, names[i]) == NULL &&
		    db_prune(worker.db, names[i], worker.conf->keep_entries,
		    worker.conf->keep_days, &pruned, &left) == 0 && pruned > 0)
			worker_pruned(job, names[i], pruned, left);
		free(names[i]);
	}
	free(names);
}

/* Retention for one feed (job->feed) or every feed. */
static void
worker_prune(struct job *job)
{
	struct conf_feed	*cf;
	int64_t			 pruned, left, t;

	if (worker.conf == NULL)
		return;
	TAILQ_FOREACH(cf, &worker.conf->feeds, entry) {
		if (job->feed != NULL && strcmp(job->feed, cf->name) != 0)
			continue;
		if (db_prune(worker.db, cf->name, conf_feed_keep_entries(
		    worker.conf, cf), conf_feed_keep_days(worker.conf, cf),
		    &pruned, &left) != 0) {
			job->state.stage = STAGE_STORE;
			free(job->state.error);
			xasprintf(&job->state.error, "%s: %s", cf->name,
			    db_last_error(worker.db));
			continue;
		}
		if (pruned > 0)
			worker_pruned(job, cf->name, pruned, left);
	}
	if (job->feed == NULL)
		worker_prune_removed(job);
	if ((t = db_prune_tombstones(worker.db)) > 0)
		job->tombstones = t;
	if (job->pruned > 0)
		log_info("pruned %lld entries of %zu feeds", (long long)
		    job->pruned, job->nnames);
}
