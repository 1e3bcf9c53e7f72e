/*
 * feed.c: the feeds being polled, and one poll of one feed, from fetch to
 * stored entries.
 *
 * sched (due) -> fetch (loop) -> result classified here -> a job for the
 * worker (parse and store, or just save the poll state) -> back on the
 * loop: new state, next poll scheduled, and whoever registered at
 * feed_init told (refresh replies, status).  A failed poll is data: its
 * stage (fetch, http, parse, store) and message are kept and shown, and
 * logged once when the feed starts failing and once when it recovers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "feed.h"
#include "fetch.h"
#include "job.h"
#include "log.h"
#include "metrics.h"
#include "sched.h"
#include "util.h"
#include "worker.h"
#include "xmalloc.h"

static TAILQ_HEAD(, feed) feeds = TAILQ_HEAD_INITIALIZER(feeds);
static struct strmap	feed_index;	/* name -> feed */

/* Who hears of ended polls, and what the configuration says. */
static struct {
	feed_changed_cb		 changed;
	long			 refetch_after;
	long			 redirect_window;
} feed_settings;

static void	feed_due(void *);
static void	feed_start(void *);
static void	feed_fetched(struct fetch_result *, void *);
static void	feed_forget_url(struct feed *);
static void	feed_abandon(struct feed *);
static void	feed_count_outcome(const struct job *);
static void	feed_stored(struct job *, void *);
static void	feed_log_change(struct feed *, enum stage, const char *);
static void	feed_watch_redirect(struct feed *, struct feed_state *,
		    struct fetch_result *, time_t);
static void	feed_http_error(struct feed *, struct feed_state *,
		    struct fetch_result *, time_t);
static void	feed_free_request(struct feed *);
static void	feed_configure_request(struct feed *,
		    const struct conf_feed *);
static void	feed_cancel_wait(struct feed *);

/*
 * Start on base's loop with conf; changed(f) runs when a poll of f ended
 * or f went, changed(NULL) when feeds' counts changed otherwise.
 */
void
feed_init(struct event_base *base, const struct conf *conf,
    feed_changed_cb changed)
{
	feed_settings.changed = changed;
	sched_init(base, conf, feed_due, feed_start);
}

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

/* Let go of the section's request settings; the password is wiped. */
static void
feed_free_request(struct feed *f)
{
	size_t	i;

	for (i = 0; i < f->nheaders; i++)
		free(f->headers[i]);
	free(f->headers);
	f->headers = NULL;
	f->nheaders = 0;
	free(f->user_agent);
	free(f->username);
	if (f->password != NULL)
		explicit_bzero(f->password, strlen(f->password));
	free(f->password);
	f->user_agent = f->username = f->password = NULL;
}

/* Copy what the next request sends: a reload applies at the next poll. */
static void
feed_configure_request(struct feed *f, const struct conf_feed *cf)
{
	size_t	i;

	feed_free_request(f);
	f->user_agent = cf->user_agent != NULL ? xstrdup(cf->user_agent) :
	    NULL;
	if (cf->username != NULL && cf->password != NULL) {
		f->username = xstrdup(cf->username);
		f->password = xstrdup(cf->password);
	}
	if (cf->nheaders > 0)
		f->headers = xreallocarray(NULL, cf->nheaders,
		    sizeof(*f->headers));
	for (i = 0; i < cf->nheaders; i++)
		f->headers[i] = xstrdup(cf->headers[i]);
	f->nheaders = cf->nheaders;
}

void
feed_unref(struct feed *f)
{
	if (--f->refs > 0)
		return;
	sched_cancel(&f->sched);
	feed_free_tags(f);
	feed_free_request(f);
	feed_state_clear(&f->state);
	free(f->name);
	free(f->url);
	free(f);
}

struct feed *
feed_find(const char *name)
{
	return (strmap_get(&feed_index, name));
}

/* The feeds in configuration order: feed_first, then feed_next. */
struct feed *
feed_first(void)
{
	return (TAILQ_FIRST(&feeds));
}

struct feed *
feed_next(struct feed *f)
{
	return (TAILQ_NEXT(f, entry));
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
	sched_set_host(&f->sched, fetch_host(f->url));
}

/* A new feed of the configuration; db (at start-up) has its state. */
static struct feed *
feed_create(const struct conf_feed *cf, struct db *db)
{
	struct feed	*f;

	f = xcalloc(1, sizeof(*f));
	f->refs = 1;
	f->name = xstrdup(cf->name);
	f->url = xstrdup(cf->url);
	f->sched.name = f->name;
	f->sched.state = &f->state;
	f->sched.arg = f;
	sched_set_host(&f->sched, fetch_host(f->url));
	TAILQ_INSERT_TAIL(&feeds, f, entry);
	strmap_put(&feed_index, f->name, f);
	if (db != NULL)
		db_state_load(db, f->name, &f->state);
	return (f);
}

/* Take what a feed's section says. */
static void
feed_configure(struct feed *f, const struct conf_feed *cf)
{
	size_t	i;

	if (strcmp(f->url, cf->url) != 0) {
		/* Another resource: validators, redirects mean nothing. */
		free(f->url);
		f->url = xstrdup(cf->url);
		feed_forget_url(f);
	}
	feed_free_tags(f);
	if (cf->ntags > 0)
		f->tags = xreallocarray(NULL, cf->ntags, sizeof(*f->tags));
	for (i = 0; i < cf->ntags; i++)
		f->tags[i] = xstrdup(cf->tags[i]);
	f->ntags = cf->ntags;
	f->sched.interval = cf->interval;
	f->sched.adaptive = cf->adaptive;
	f->paused = cf->paused;
	f->runtime = cf->runtime;
	f->line = cf->line;
	if (f->enabled != cf->enabled && !cf->enabled)
		log_info("feed %s: %s: no longer polled", f->name, cf->paused ?
		    "paused by feedmuxctl" : "disabled (enabled = no)");
	f->enabled = cf->enabled;
	f->sched.disabled = !cf->enabled;
	feed_configure_request(f, cf);
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

	feed_settings.refetch_after = conf->refetch_after;
	feed_settings.redirect_window = conf->redirect_window;
	sched_configure(conf);
	TAILQ_FOREACH(f, &feeds, entry)
		f->removed = 1;
	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		if ((f = feed_find(cf->name)) == NULL)
			f = feed_create(cf, db);
		f->removed = 0;
		feed_configure(f, cf);
	}
	TAILQ_FOREACH_SAFE(f, &feeds, entry, next) {
		if (f->removed) {
			log_fields_info(&(struct log_fields){ .feed = f->name },
			    "feed %s: removed from the configuration",
			    f->name);
			TAILQ_REMOVE(&feeds, f, entry);
			strmap_del(&feed_index, f->name);
			feed_abandon(f);
			f->polls_done = f->polls_started = ~0U;
			feed_settings.changed(f);
			feed_unref(f);
		} else {
			if (!f->enabled)
				feed_cancel_wait(f);
			if (!f->busy)
				sched_reschedule(&f->sched);
		}
	}
}

/*
 * A reload disabled f while its poll waited for its host's turn or a
 * transfer slot: that poll never starts (a running one ends as usual),
 * and a refresh waiting for it is answered.
 */
static void
feed_cancel_wait(struct feed *f)
{
	if (!f->sched.host_wait && !f->sched.queued)
		return;
	sched_dequeue(&f->sched);
	f->busy = 0;
	f->again = 0;
	f->polls_done = f->polls_started;
	feed_settings.changed(f);
	feed_unref(f);
}

/*
 * Poll now; if a poll is running, poll again when it ends.  A poll that
 * must wait for its host's next free slot counts as started.
 */
int
feed_poll(struct feed *f)
{
	if (f->removed || !f->enabled)
		return (-1);
	if (f->busy) {
		f->again = 1;
		return (0);
	}
	f->busy = 1;
	f->polls_started++;
	feed_ref(f);
	if (sched_host_wait(&f->sched, time(NULL)) > 0)
		return (0);	/* sched calls feed_start when it is time */
	feed_start(f);
	return (0);
}

/* The feed's timer fired. */
static void
feed_due(void *arg)
{
	feed_poll(arg);
}

/* The request itself: conditional unless a full fetch is due. */
static void
feed_start(void *arg)
{
	struct feed		*f = arg;
	struct feed_state	*st = &f->state;
	struct fetch_opts	 opts;
	time_t			 now = time(NULL);
	int			 full;

	if (!sched_slot_take(&f->sched))
		return;		/* queued: sched calls us when a slot frees */
	/* Broken validators (a Last-Modified in 2041) must not freeze it. */
	full = now - st->last_full >= feed_settings.refetch_after;
	f->sent_validators = !full && (st->etag != NULL ||
	    st->last_modified != NULL);
	log_fields_debug(&(struct log_fields){ .feed = f->name,
	    .url = feed_url(f) }, "feed %s: polling %s%s", f->name, feed_url(f),
	    f->sent_validators ? " (conditional)" : "");
	metrics_add(f->sent_validators ? METRIC_REQUESTS_CONDITIONAL :
	    METRIC_REQUESTS_UNCONDITIONAL, 1);
	clock_gettime(CLOCK_MONOTONIC, &f->fetch_started);
	memset(&opts, 0, sizeof(opts));
	opts.user_agent = f->user_agent;
	opts.username = f->username;
	opts.password = f->password;
	opts.headers = f->headers;
	opts.nheaders = f->nheaders;
	fetch_start(feed_url(f), full ? NULL : st->etag,
	    full ? NULL : st->last_modified, &opts, feed_fetched, f);
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
			log_fields_info(&(struct log_fields){ .feed = f->name,
			    .url = feed_url(f) }, "feed %s: no longer "
			    "redirected to %s", f->name, st->pending_url);
		free(st->pending_url);
		st->pending_url = NULL;
		st->pending_since = 0;
		return;
	}
	if (st->pending_url == NULL || strcmp(st->pending_url, target) != 0) {
		free(st->pending_url);
		st->pending_url = xstrdup(target);
		st->pending_since = now;
		log_fields_info(&(struct log_fields){ .feed = f->name,
		    .url = feed_url(f) }, "feed %s: permanently redirected "
		    "to %s; adopted if it lasts %lds", f->name, target,
		    feed_settings.redirect_window);
	}
	if (now - st->pending_since < feed_settings.redirect_window)
		return;
	log_fields_info(&(struct log_fields){ .feed = f->name,
	    .url = feed_url(f) }, "feed %s: adopting the permanent redirect "
	    "to %s", f->name, target);
	free(st->adopted_url);
	st->adopted_url = st->pending_url;
	st->pending_url = NULL;
	st->pending_since = 0;
	sched_set_host(&f->sched, fetch_host(st->adopted_url));
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
		if (st->retry_after != 0) {
			metrics_add(METRIC_RETRY_AFTER, 1);
			xasprintf(&msg, "HTTP status %ld, Retry-After %s",
			    res->http_status, res->retry_after);
		} else
			xasprintf(&msg, "HTTP status %ld", res->http_status);
		/* Too many requests: the whole host waits. */
		if (res->http_status == 429 && st->retry_after != 0)
			sched_host_defer(f->sched.host, st->retry_after);
	} else if (res->http_status == 401)
		xasprintf(&msg, "HTTP status 401: %s", f->username != NULL ?
		    "authentication failed (check username and "
		    "password_file)" : "the feed needs a username and "
		    "password_file");
	else
		xasprintf(&msg, "HTTP status %ld", res->http_status);
	feed_state_fail(st, STAGE_HTTP, msg);
}

/* A 200 (or a file read) or a 304: refresh validators and hints. */
static void
feed_success(struct feed *f, struct job *job, struct fetch_result *res,
    time_t now)
{
	struct feed_state	*st = &job->state;
	long			 code = res->http_status;

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
	sched_cache_hints(&st->hints, res->cache_control, res->expires, now);
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
		return;
	}
	/* Success or failure is decided after parsing. */
	job->type = JOB_STORE;
	if (!f->sent_validators)
		st->last_full = now;
	st->bytes_received += res->body.len;
	st->last_body_size = res->body.len;
	job->body = res->body;
	buf_init(&res->body);
	job->url = xstrdup(res->effective_url != NULL ? res->effective_url :
	    feed_url(f));
	if (res->charset != NULL)
		job->charset = xstrdup(res->charset);
	job->store_bytes = job->body.len;
}

/*
 * What a finished transfer means for the feed: a job for the worker that
 * stores the body (JOB_STORE) or only the new poll state (JOB_STATE),
 * with the next poll scheduled as if that state were final.  Takes what
 * it keeps out of res.
 */
struct job *
feed_classify(struct feed *f, struct fetch_result *res, time_t now)
{
	struct job		*job;
	struct feed_state	*st;
	struct sched_entry	 tmp;
	long			 code = res->http_status;
	enum reason		 why;

	job = job_new(JOB_STATE, f->name, feed_stored, f);
	st = &job->state;
	feed_state_copy(st, &f->state);
	st->last_poll = now;
	st->http_status = code;
	st->requests++;
	if (f->sent_validators)
		st->conditional++;

	if (!res->ok)
		feed_state_fail(st, STAGE_FETCH, xstrdup(res->error != NULL ?
		    res->error : "transfer failed"));
	else if (code == 0 || code == 304 || (code >= 200 && code < 300))
		feed_success(f, job, res, now);
	else
		feed_http_error(f, st, res, now);
	/* Schedule as if this state were final; corrected after storing. */
	tmp = f->sched;
	tmp.state = st;
	st->next_poll = sched_next(&tmp, now, &why);
	st->next_reason = why;
	return (job);
}

/* A transfer ended: hand its result to the worker. */
static void
feed_fetched(struct fetch_result *res, void *arg)
{
	struct feed	*f = arg;
	struct job	*job;
	struct timespec	 now;

	sched_slot_release(&f->sched);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (res != NULL)
		metrics_observe(HIST_FETCH, (now.tv_sec -
		    f->fetch_started.tv_sec) + (now.tv_nsec -
		    f->fetch_started.tv_nsec) / 1e9);
	if (res == NULL || f->removed) {	/* cancelled */
		f->busy = 0;
		feed_unref(f);
		return;
	}
	job = feed_classify(f, res, time(NULL));
	if (job->type == JOB_STORE)
		sched_store_begin(job->store_bytes);
	worker_submit(job);
}

/* Count a poll's outcome for /metrics. */
static void
feed_count_outcome(const struct job *job)
{
	static const enum metric	by_stage[] = {
		[STAGE_NONE] = METRIC_POLLS_OK,
		[STAGE_FETCH] = METRIC_POLLS_FETCH_ERROR,
		[STAGE_HTTP] = METRIC_POLLS_HTTP_ERROR,
		[STAGE_PARSE] = METRIC_POLLS_PARSE_ERROR,
		[STAGE_STORE] = METRIC_POLLS_STORE_ERROR,
	};
	const struct feed_state		*st = &job->state;

	if (st->stage == STAGE_NONE && st->http_status == 304) {
		metrics_add(METRIC_POLLS_NOT_MODIFIED, 1);
		metrics_add(METRIC_BYTES_SAVED, (uint64_t)st->last_body_size);
	} else
		metrics_add(by_stage[st->stage], 1);
	if (job->counts.added > 0)
		metrics_add(METRIC_ENTRIES_INGESTED, (uint64_t)
		    job->counts.added);
}

/* Back on the loop: adopt the stored state, reschedule, tell. */
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
		log_fields_info(&(struct log_fields){ .feed = f->name,
		    .url = feed_url(f) }, "feed %s: %d new entries, %d "
		    "updated", f->name, job->counts.added,
		    job->counts.updated);
	feed_count_outcome(job);
	/* A refresh answers once what changed in tag feeds is served. */
	if (job->render_pending)
		f->render_seq = job->seq;

	f->busy = 0;
	f->polls_done++;
	sched_reschedule(&f->sched);
	feed_settings.changed(f);
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
			log_fields_info(&(struct log_fields){ .feed = f->name,
			    .url = feed_url(f) }, "feed %s: recovered",
			    f->name);
		return;
	}
	if (old_stage == st->stage && old_error != NULL && st->error != NULL &&
	    strcmp(old_error, st->error) == 0)
		return;
	log_fields_info(&(struct log_fields){ .feed = f->name,
	    .url = feed_url(f), .stage = feed_state_stage_name(st->stage) },
	    "feed %s: %s failed: %s", f->name,
	    feed_state_stage_name(st->stage), st->error != NULL ? st->error :
	    "unknown error");
}

/*
 * Stop f's timer; a poll still waiting for its host's turn or a slot
 * never starts, so it lets go of its reference here (a running one does
 * when it ends).
 */
static void
feed_abandon(struct feed *f)
{
	int	waiting = f->sched.host_wait || f->sched.queued;

	sched_cancel(&f->sched);
	if (waiting) {
		sched_dequeue(&f->sched);
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
	feed_settings.changed(NULL);
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
	worker_submit(job_new(JOB_PRUNE, NULL, feed_prune_done, NULL));
}
