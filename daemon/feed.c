/*
 * feed.c: one poll of one feed, from fetch to stored entries.
 *
 * fetch (loop) -> result classified here -> a job for the worker (parse and
 * store, or just save the poll state) -> back on the loop: new state,
 * re-rendered tag feeds into the cache, next poll scheduled, control
 * clients waiting on a refresh told.  A failed poll is data: its stage
 * (fetch, http, parse, store) and message are kept and shown, and logged
 * once when the feed starts failing and once when it recovers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "feedmux.h"

struct feeds	feeds = TAILQ_HEAD_INITIALIZER(feeds);

static void	feed_fetched(struct fetch_result *, void *);
static void	feed_stored(struct job *, void *);
static void	feed_log_change(struct feed *, enum stage, const char *);

void
feed_ref(struct feed *f)
{
	f->refs++;
}

static void
feed_free_tags(struct feed *f)
{
	size_t	i;

	for (i = 0; i < f->ntags; i++)
		free(f->tags[i]);
	free(f->tags);
	f->tags = NULL;
	f->ntags = 0;
}

void
feed_unref(struct feed *f)
{
	if (--f->refs > 0)
		return;
	sched_cancel(f);
	feed_free_tags(f);
	feed_state_clear(&f->state);
	free(f->name);
	free(f->url);
	free(f);
}

struct feed *
feed_find(const char *name)
{
	struct feed	*f;

	TAILQ_FOREACH(f, &feeds, entry) {
		if (strcmp(f->name, name) == 0)
			return (f);
	}
	return (NULL);
}

size_t
feed_count(void)
{
	struct feed	*f;
	size_t		 n = 0;

	TAILQ_FOREACH(f, &feeds, entry)
		n++;
	return (n);
}

int64_t
feed_total_entries(void)
{
	struct feed	*f;
	int64_t		 n = 0;

	TAILQ_FOREACH(f, &feeds, entry)
		n += f->state.entries;
	return (n);
}

/* A word for the outcome of the last poll: new, ok or failing. */
const char *
feed_result(const struct feed *f)
{
	if (f->state.last_poll == 0)
		return ("new");
	return (f->state.stage == STAGE_NONE ? "ok" : "failing");
}

/*
 * Make the feed list match a configuration.  With db (at start-up), each
 * feed's stored state is loaded; on reload, feeds keep theirs.
 */
void
feed_apply_conf(const struct conf *conf, struct db *db)
{
	struct conf_feed	*cf;
	struct feed		*f, *next;
	size_t			 i;
	time_t			 now = time(NULL);

	TAILQ_FOREACH(f, &feeds, entry)
		f->removed = 1;
	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		if ((f = feed_find(cf->name)) == NULL) {
			f = xcalloc(1, sizeof(*f));
			f->refs = 1;
			f->name = xstrdup(cf->name);
			f->url = xstrdup(cf->url);
			TAILQ_INSERT_TAIL(&feeds, f, entry);
			if (db != NULL)
				db_state_load(db, f->name, &f->state);
		}
		f->removed = 0;
		if (strcmp(f->url, cf->url) != 0) {
			/* Another resource: its validators mean nothing. */
			free(f->url);
			f->url = xstrdup(cf->url);
			free(f->state.etag);
			free(f->state.last_modified);
			f->state.etag = f->state.last_modified = NULL;
		}
		feed_free_tags(f);
		if (cf->ntags > 0)
			f->tags = xreallocarray(NULL, cf->ntags,
			    sizeof(*f->tags));
		for (i = 0; i < cf->ntags; i++)
			f->tags[i] = xstrdup(cf->tags[i]);
		f->ntags = cf->ntags;
		f->interval = conf_feed_interval(conf, cf);
	}
	TAILQ_FOREACH_SAFE(f, &feeds, entry, next) {
		if (f->removed) {
			log_info("feed %s: removed from the configuration",
			    f->name);
			TAILQ_REMOVE(&feeds, f, entry);
			sched_cancel(f);
			f->polls_done = f->polls_started = ~0U;
			ctl_cmd_feed_done(f);
			feed_unref(f);
		} else if (!f->busy)
			sched_arm(f, sched_next(f, now, 0));
	}
}

/* Poll now; if a poll is running, poll again when it ends. */
int
feed_poll(struct feed *f)
{
	if (f->removed)
		return (-1);
	if (f->busy) {
		f->again = 1;
		return (0);
	}
	f->busy = 1;
	f->polls_started++;
	feed_ref(f);
	log_debug("feed %s: polling %s", f->name, f->url);
	fetch_start(f->url, f->state.etag, f->state.last_modified,
	    feed_fetched, f);
	return (0);
}

/* Classify a finished transfer and hand the rest to the worker. */
static void
feed_fetched(struct fetch_result *res, void *arg)
{
	struct feed		*f = arg;
	struct feed_state	*st;
	struct job		*job;
	time_t			 now = time(NULL);

	if (res == NULL || f->removed) {	/* cancelled */
		f->busy = 0;
		feed_unref(f);
		return;
	}
	job = job_new(JOB_STATE, f->name, feed_stored, f);
	st = &job->state;
	feed_state_copy(st, &f->state);
	st->last_poll = now;
	st->http_status = res->http_status;

	if (!res->ok) {
		st->stage = STAGE_FETCH;
		free(st->error);
		st->error = xstrdup(res->error != NULL ? res->error :
		    "transfer failed");
		st->failures++;
	} else if (res->http_status == 0 || res->http_status == 304 ||
	    (res->http_status >= 200 && res->http_status < 300)) {
		/* Validators are refreshed by every 200 and 304. */
		if (res->http_status != 304 || res->etag != NULL) {
			free(st->etag);
			st->etag = res->etag;
			res->etag = NULL;
		}
		if (res->http_status != 304 || res->last_modified != NULL) {
			free(st->last_modified);
			st->last_modified = res->last_modified;
			res->last_modified = NULL;
		}
		if (res->http_status == 304) {
			st->stage = STAGE_NONE;
			free(st->error);
			st->error = NULL;
			st->failures = 0;
			st->last_success = now;
		} else {
			/* Success or failure is decided after parsing. */
			job->type = JOB_STORE;
			job->body = res->body;
			buf_init(&res->body);
			job->url = xstrdup(res->effective_url != NULL ?
			    res->effective_url : f->url);
			if (res->charset != NULL)
				job->charset = xstrdup(res->charset);
			job_set_tags(job, f->tags, f->ntags);
		}
	} else {
		st->stage = STAGE_HTTP;
		free(st->error);
		xasprintf(&st->error, "HTTP status %ld", res->http_status);
		st->failures++;
	}
	f->state.failures = st->failures;
	f->state.last_poll = now;
	st->next_poll = sched_next(f, now, 1);
	job_submit(job);
}

/* Back on the loop: adopt the stored state, cache renders, reschedule. */
static void
feed_stored(struct job *job, void *arg)
{
	struct feed	*f = arg;
	enum stage	 old_stage = f->state.stage;
	char		*old_error;
	size_t		 i;

	for (i = 0; i < job->nbodies; i++) {
		if (cfg != NULL && conf_has_tag(cfg, job->bodies[i]->tag))
			cache_put(job->bodies[i]);
	}
	if (f->removed) {
		f->busy = 0;
		feed_unref(f);
		return;
	}
	old_error = f->state.error != NULL ? xstrdup(f->state.error) : NULL;
	feed_state_copy(&f->state, &job->state);
	feed_log_change(f, old_stage, old_error);
	free(old_error);
	if (job->added > 0)
		log_info("feed %s: %d new entries", f->name, job->added);

	f->busy = 0;
	f->polls_done++;
	sched_arm(f, f->state.failures > 0 || f->state.next_poll == 0 ?
	    sched_next(f, time(NULL), 1) : f->state.next_poll);
	ctl_cmd_feed_done(f);
	daemon_update_status();
	if (f->again) {
		f->again = 0;
		feed_poll(f);
	}
	feed_unref(f);
}

/* Log when a feed starts failing, fails differently, or recovers. */
static void
feed_log_change(struct feed *f, enum stage old_stage, const char *old_error)
{
	const struct feed_state	*st = &f->state;

	if (st->stage == STAGE_NONE) {
		if (old_stage != STAGE_NONE)
			log_info("feed %s: recovered", f->name);
		return;
	}
	if (old_stage == st->stage && old_error != NULL && st->error != NULL &&
	    strcmp(old_error, st->error) == 0)
		return;
	log_info("feed %s: %s failed: %s", f->name, stage_name(st->stage),
	    st->error != NULL ? st->error : "unknown error");
}

void
feed_free_all(void)
{
	struct feed	*f;

	while ((f = TAILQ_FIRST(&feeds)) != NULL) {
		TAILQ_REMOVE(&feeds, f, entry);
		f->removed = 1;
		feed_unref(f);
	}
}
