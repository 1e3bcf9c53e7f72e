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
static struct strmap	feed_index;	/* name -> feed */

static void	feed_fetched(struct fetch_result *, void *);
static void	feed_forget_url(struct feed *);
static void	feed_abandon(struct feed *);
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
	free(f->host);
	free(f);
}

struct feed *
feed_find(const char *name)
{
	return (strmap_get(&feed_index, name));
}

/* The counts that status reports, in one walk over the feeds. */
void
feed_counts(struct feed_counts *c)
{
	struct feed	*f;

	memset(c, 0, sizeof(*c));
	TAILQ_FOREACH(f, &feeds, entry) {
		c->feeds++;
		c->entries += f->state.entries;
		if (f->state.gone)
			c->gone++;
		else if (f->state.last_poll == 0)
			c->new++;
		else if (f->state.stage != STAGE_NONE)
			c->failing++;
		if (f->busy)
			c->polling++;
		c->requests += f->state.requests;
		c->conditional += f->state.conditional;
		c->not_modified += f->state.not_modified;
		c->bytes_saved += f->state.bytes_saved;
	}
}

/* A word for the outcome of the last poll: new, ok, failing or gone. */
const char *
feed_result(const struct feed *f)
{
	if (f->state.gone)
		return ("gone");
	if (f->state.last_poll == 0)
		return ("new");
	return (f->state.stage == STAGE_NONE ? "ok" : "failing");
}

/* Where to poll: an adopted permanent redirect, else the configured URL. */
const char *
feed_url(const struct feed *f)
{
	return (f->state.adopted_url != NULL ? f->state.adopted_url : f->url);
}

/* Clear what the scheduler must forget when the URL changes. */
static void
feed_forget_url(struct feed *f)
{
	struct feed_state	*st = &f->state;

	free(st->etag);
	free(st->last_modified);
	free(st->adopted_url);
	free(st->pending_url);
	st->etag = st->last_modified = st->adopted_url = st->pending_url = NULL;
	st->pending_since = 0;
	st->gone = 0;
	free(f->host);
	f->host = fetch_host(f->url);
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

	TAILQ_FOREACH(f, &feeds, entry)
		f->removed = 1;
	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		if ((f = feed_find(cf->name)) == NULL) {
			f = xcalloc(1, sizeof(*f));
			f->refs = 1;
			f->name = xstrdup(cf->name);
			f->url = xstrdup(cf->url);
			f->host = fetch_host(f->url);
			TAILQ_INSERT_TAIL(&feeds, f, entry);
			strmap_put(&feed_index, f->name, f);
			if (db != NULL)
				db_state_load(db, f->name, &f->state);
		}
		f->removed = 0;
		if (strcmp(f->url, cf->url) != 0) {
			/* Another resource: validators, redirects mean nothing. */
			free(f->url);
			f->url = xstrdup(cf->url);
			feed_forget_url(f);
		}
		feed_free_tags(f);
		if (cf->ntags > 0)
			f->tags = xreallocarray(NULL, cf->ntags,
			    sizeof(*f->tags));
		for (i = 0; i < cf->ntags; i++)
			f->tags[i] = xstrdup(cf->tags[i]);
		f->ntags = cf->ntags;
		f->interval = conf_feed_interval(conf, cf);
		f->adaptive = cf->adaptive != -1 ? cf->adaptive :
		    conf->adaptive;
	}
	TAILQ_FOREACH_SAFE(f, &feeds, entry, next) {
		if (f->removed) {
			log_info("feed %s: removed from the configuration",
			    f->name);
			TAILQ_REMOVE(&feeds, f, entry);
			strmap_del(&feed_index, f->name);
			feed_abandon(f);
			f->polls_done = f->polls_started = ~0U;
			ctl_cmd_feed_done(f);
			feed_unref(f);
		} else if (!f->busy)
			sched_reschedule(f);
	}
}

/*
 * Poll now; if a poll is running, poll again when it ends.  A poll that
 * must wait for its host's next free slot counts as started.
 */
int
feed_poll(struct feed *f)
{
	int	wait;

	if (f->removed)
		return (-1);
	if (f->busy) {
		f->again = 1;
		return (0);
	}
	f->busy = 1;
	f->polls_started++;
	feed_ref(f);
	if ((wait = sched_host_wait(f, time(NULL))) > 0) {
		f->host_wait = 1;
		sched_arm(f, time(NULL) + wait, REASON_HOST);
		return (0);
	}
	feed_start(f);
	return (0);
}

/*
 * Whatever waits for a slot or its host's turn counts as polling; report
 * what it waits for.
 */
enum reason
feed_wait_reason(const struct feed *f)
{
	if (f->queued)
		return (REASON_QUEUED);
	if (f->host_wait)
		return (REASON_HOST);
	return (f->state.next_reason);
}

/* The request itself: conditional unless a full fetch is due. */
void
feed_start(struct feed *f)
{
	struct feed_state	*st = &f->state;
	time_t			 now = time(NULL);
	int			 full;

	f->host_wait = 0;
	if (!f->has_slot && !sched_slot_take(f))
		return;		/* queued: started when a slot frees */
	/* Broken validators (a Last-Modified in 2041) must not freeze it. */
	full = cfg != NULL && now - st->last_full >= cfg->refetch_after;
	f->sent_validators = !full && (st->etag != NULL ||
	    st->last_modified != NULL);
	log_debug("feed %s: polling %s%s", f->name, feed_url(f),
	    f->sent_validators ? " (conditional)" : "");
	fetch_start(feed_url(f), full ? NULL : st->etag,
	    full ? NULL : st->last_modified, feed_fetched, f);
}

/*
 * A permanent redirect (every hop 301 or 308) moves the subscription only
 * once it has been seen on every poll for redirect_window: one 301 from a
 * hijacked or misconfigured host must not.  302 and 307 never do.
 */
static void
feed_watch_redirect(struct feed *f, struct feed_state *st,
    struct fetch_result *res, time_t now)
{
	const char	*target = res->effective_url;

	if (!res->permanent || target == NULL ||
	    strcmp(target, feed_url(f)) == 0) {
		if (st->pending_url != NULL)
			log_info("feed %s: no longer redirected to %s",
			    f->name, st->pending_url);
		free(st->pending_url);
		st->pending_url = NULL;
		st->pending_since = 0;
		return;
	}
	if (st->pending_url == NULL || strcmp(st->pending_url, target) != 0) {
		free(st->pending_url);
		st->pending_url = xstrdup(target);
		st->pending_since = now;
		log_info("feed %s: permanently redirected to %s; adopted if "
		    "it lasts %lds", f->name, target, cfg->redirect_window);
	}
	if (now - st->pending_since < cfg->redirect_window)
		return;
	log_info("feed %s: adopting the permanent redirect to %s", f->name,
	    target);
	free(st->adopted_url);
	st->adopted_url = st->pending_url;
	st->pending_url = NULL;
	st->pending_since = 0;
	free(f->host);
	f->host = fetch_host(st->adopted_url);
}

/* A poll that failed at a stage, with a message (taken). */
static void
feed_failed(struct feed_state *st, enum stage stage, char *msg)
{
	st->stage = stage;
	free(st->error);
	st->error = msg;
	st->failures++;
}

/* An HTTP status that is not success. */
static void
feed_http_error(struct feed *f, struct feed_state *st,
    struct fetch_result *res, time_t now)
{
	char	*msg;

	st->retry_after = 0;
	if (res->http_status == 410) {
		st->gone = 1;
		xasprintf(&msg, "410 Gone: no longer polled (feedmuxctl resume "
		    "%s)", f->name);
	} else if (res->http_status == 429 || res->http_status == 503) {
		st->retry_after = sched_retry_after(res->retry_after, now);
		if (st->retry_after != 0)
			xasprintf(&msg, "HTTP status %ld, Retry-After %s",
			    res->http_status, res->retry_after);
		else
			xasprintf(&msg, "HTTP status %ld", res->http_status);
		/* Too many requests: the whole host waits. */
		if (res->http_status == 429 && st->retry_after != 0)
			sched_host_defer(f->host, st->retry_after);
	} else
		xasprintf(&msg, "HTTP status %ld", res->http_status);
	feed_failed(st, STAGE_HTTP, msg);
}

/* Classify a finished transfer and hand the rest to the worker. */
static void
feed_fetched(struct fetch_result *res, void *arg)
{
	struct feed		*f = arg, tmp;
	struct feed_state	*st;
	struct job		*job;
	time_t			 now = time(NULL);
	long			 code = res != NULL ? res->http_status : 0;
	enum reason		 why;

	sched_slot_release(f);
	if (res == NULL || f->removed) {	/* cancelled */
		f->busy = 0;
		feed_unref(f);
		return;
	}
	job = job_new(JOB_STATE, f->name, feed_stored, f);
	st = &job->state;
	feed_state_copy(st, &f->state);
	st->last_poll = now;
	st->http_status = code;
	st->requests++;
	if (f->sent_validators)
		st->conditional++;

	if (!res->ok)
		feed_failed(st, STAGE_FETCH, xstrdup(res->error != NULL ?
		    res->error : "transfer failed"));
	else if (code == 0 || code == 304 || (code >= 200 && code < 300)) {
		/* Validators are refreshed by every 200 and 304. */
		if (code != 304 || res->etag != NULL) {
			free(st->etag);
			st->etag = res->etag;
			res->etag = NULL;
		}
		if (code != 304 || res->last_modified != NULL) {
			free(st->last_modified);
			st->last_modified = res->last_modified;
			res->last_modified = NULL;
		}
		st->retry_after = 0;
		sched_cache_hints(&st->hints, res->cache_control, res->expires,
		    now);
		if (code != 0)
			feed_watch_redirect(f, st, res, now);
		if (code == 304) {
			/* Nothing to parse, nothing to write but state. */
			st->stage = STAGE_NONE;
			free(st->error);
			st->error = NULL;
			st->failures = 0;
			st->last_success = now;
			st->not_modified++;
			st->bytes_saved += st->last_body_size;
		} else {
			/* Success or failure is decided after parsing. */
			job->type = JOB_STORE;
			if (!f->sent_validators)
				st->last_full = now;
			st->bytes_received += res->body.len;
			st->last_body_size = res->body.len;
			job->body = res->body;
			buf_init(&res->body);
			job->url = xstrdup(res->effective_url != NULL ?
			    res->effective_url : feed_url(f));
			if (res->charset != NULL)
				job->charset = xstrdup(res->charset);
		}
	} else
		feed_http_error(f, st, res, now);
	/* Schedule as if this state were final; corrected after storing. */
	tmp = *f;
	tmp.state = *st;	/* a shallow view, for sched_next only */
	st->next_poll = sched_next(&tmp, now, &why);
	st->next_reason = why;
	if (job->type == JOB_STORE) {
		job->store_bytes = job->body.len;
		sched_store_begin(job->store_bytes);
	}
	job_submit(job);
}

/* Back on the loop: adopt the stored state, cache renders, reschedule. */
static void
feed_stored(struct job *job, void *arg)
{
	struct feed	*f = arg;
	enum stage	 old_stage = f->state.stage;
	char		*old_error;

	if (job->type == JOB_STORE)
		sched_store_end(job->store_bytes);
	if (f->removed) {
		f->busy = 0;
		feed_unref(f);
		return;
	}
	old_error = f->state.error != NULL ? xstrdup(f->state.error) : NULL;
	feed_state_copy(&f->state, &job->state);
	feed_log_change(f, old_stage, old_error);
	free(old_error);
	if (job->counts.added > 0 || job->counts.updated > 0)
		log_info("feed %s: %d new entries, %d updated", f->name,
		    job->counts.added, job->counts.updated);
	/* A refresh answers once what changed in tag feeds is served. */
	if (job->counts.retagged > 0)
		f->render_seq = job->seq;

	f->busy = 0;
	f->polls_done++;
	sched_reschedule(f);
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

/*
 * Stop f's timer; a poll still waiting for its host's turn never starts,
 * so it lets go of its reference here (a running one does when it ends).
 */
static void
feed_abandon(struct feed *f)
{
	sched_cancel(f);
	if (f->host_wait || f->queued) {
		sched_dequeue(f);
		f->host_wait = 0;
		f->busy = 0;
		feed_unref(f);
	}
}

void
feed_free_all(void)
{
	struct feed	*f;

	while ((f = TAILQ_FIRST(&feeds)) != NULL) {
		TAILQ_REMOVE(&feeds, f, entry);
		f->removed = 1;
		feed_abandon(f);
		feed_unref(f);
	}
	strmap_free(&feed_index);
}

/* A prune job is done: the feeds it pruned hold fewer entries now. */
void
feed_pruned(struct job *job)
{
	struct feed	*f;
	size_t		 i;

	for (i = 0; i < job->nnames; i++) {
		if ((f = feed_find(job->names[i])) != NULL &&
		    job->left[i] >= 0)
			f->state.entries = job->left[i];
	}
	if (job->state.error != NULL)
		log_warnx("prune: %s", job->state.error);
	daemon_update_status();
}

static void
feed_prune_done(struct job *job, void *arg)
{
	feed_pruned(job);
}

/* Apply retention to every feed (the prune timer). */
void
feed_prune(void)
{
	job_submit(job_new(JOB_PRUNE, NULL, feed_prune_done, NULL));
}
