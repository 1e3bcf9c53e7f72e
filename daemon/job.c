/*
 * job.c: what the worker thread does with each job, and the settings it
 * holds for that: the configuration last applied (its rules and limits
 * are read on this thread) and the parser's limits.
 *
 * A store job parses the fetched body and stores its entries with the
 * poll state, all or nothing; a state job saves the poll state alone; a
 * sync job applies a configuration to the store and, once committed,
 * renders every tag; a prune job applies retention.  The worker runs each
 * inside its batch's transaction (job_run), tells a job whose batch did
 * not commit (job_lost), and then calls job_after.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "job.h"
#include "log.h"
#include "parse.h"
#include "render.h"
#include "rules.h"
#include "xmalloc.h"

static struct {
	struct conf	*conf;		/* the last applied: rules, retention */
	size_t		 max_field;
	size_t		 max_items;
} job_settings;

static void	 job_settings_apply(const struct conf *);
static void	 job_store(struct job *, struct db *);
static void	 job_fail(struct job *, enum stage, char *);
static void	 job_hints(struct poll_hints *, const struct feed_hints *);
static void	 job_sync(struct job *, struct db *);
static void	 job_prune(struct job *, struct db *);
static void	 job_prune_removed(struct job *, struct db *);
static void	 job_forget(struct job *, struct db *);
static void	 job_pruned(struct job *, const char *, int64_t, int64_t);
static void	 job_check_limits(void);

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
		render_body_unref(job->bodies[i]);
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

/* Settings taken from a configuration, on the worker thread. */
static void
job_settings_apply(const struct conf *conf)
{
	render_tags_configure(conf);
	job_settings.max_field = conf->max_field_size;
	job_settings.max_items = conf->max_entries;
}

/*
 * The configuration jobs start with (before the worker thread runs; a
 * reference is taken).  Sync jobs replace it.
 */
void
job_configure(struct conf *conf)
{
	conf_ref(conf);
	job_settings.conf = conf;
	job_settings_apply(conf);
}

/* Let go of the settings (on the loop thread, the worker stopped). */
void
job_shutdown(void)
{
	conf_unref(job_settings.conf);
	job_settings.conf = NULL;
	render_tags_shutdown();
}

/* Run a job inside its batch's transaction. */
void
job_run(struct job *job, struct db *db)
{
	switch (job->type) {
	case JOB_STORE:
		job_store(job, db);
		break;
	case JOB_STATE:
		if (db_state_save(db, job->feed, &job->state) != 0)
			log_fields_warnx(&(struct log_fields){
			    .feed = job->feed, .stage = "store" },
			    "%s: could not save poll state", job->feed);
		break;
	case JOB_SYNC:
		job_sync(job, db);
		break;
	case JOB_PRUNE:
		job_prune(job, db);
		break;
	case JOB_FORGET:
		job_forget(job, db);
		break;
	case JOB_RENDER:
		break;
	}
}

/*
 * After the batch: a sync job renders every tag, so that what it changed
 * is served at once.
 */
void
job_after(struct job *job, struct db *db)
{
	if (job->type == JOB_SYNC)
		job->nbodies = render_tags(db, job->tags, job->ntags,
		    &job->bodies);
	job_check_limits();
}

/* The batch a job was in did not commit: say so in its result. */
void
job_lost(struct job *job, struct db *db)
{
	size_t	i;

	if (job->type == JOB_PRUNE || job->type == JOB_FORGET) {
		/* Nothing was pruned: no feed's count changed. */
		for (i = 0; i < job->nnames; i++)
			free(job->names[i]);
		job->nnames = 0;
		job->pruned = job->tombstones = 0;
		free(job->state.error);
		xasprintf(&job->state.error, "not stored: %s",
		    db_last_error(db));
		return;
	}
	if (job->type != JOB_STORE && job->type != JOB_STATE)
		return;
	memset(&job->counts, 0, sizeof(job->counts));
	if (job->state.stage == STAGE_STORE)
		return;		/* failed already, and said why */
	job->state.stage = STAGE_STORE;
	free(job->state.error);
	xasprintf(&job->state.error, "not stored: %s",
	    db_last_error(db));
	job->state.failures++;
}

/* Say when rules start hitting PCRE2's match limit: they miss entries. */
static void
job_check_limits(void)
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

/*
 * Mark the poll as failed at a stage, with a message (taken).  The body
 * was not stored, so its validators must not be sent back: a 304 next time
 * would hide the failure.
 */
static void
job_fail(struct job *job, enum stage stage, char *msg)
{
	struct feed_state	*fs = &job->state;

	feed_state_fail(fs, stage, msg);
	free(fs->etag);
	free(fs->last_modified);
	fs->etag = fs->last_modified = NULL;
}

/* The publisher's polling hints, as the scheduler reads them. */
static void
job_hints(struct poll_hints *h, const struct feed_hints *dh)
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
job_store(struct job *job, struct db *db)
{
	struct feed_state	*fs = &job->state;
	struct parse_opts	 opts;
	struct doc		*doc;
	char			*cause;

	parse_opts_init(&opts);
	opts.base = job->url;
	opts.charset = job->charset;
	opts.max_field = job_settings.max_field;
	opts.max_items = job_settings.max_items;
	if (parse_doc(job->body.data, job->body.len, &opts, &doc,
	    &cause) != 0) {
		job_fail(job, STAGE_PARSE, cause);
		goto save;
	}
	if (cause != NULL) {
		log_fields_info(&(struct log_fields){ .feed = job->feed,
		    .url = job->url, .stage = "parse" }, "%s: %s", job->feed,
		    cause);
		free(cause);
	}
	/* Free the body before the database work: it may be large. */
	buf_free(&job->body);
	job_hints(&fs->hints, &doc->hints);
	free(fs->title);
	fs->title = doc->title != NULL ? xstrdup(doc->title) : NULL;
	fs->format = doc_format_name(doc->format);
	free(fs->link);
	fs->link = doc->link != NULL ? xstrdup(doc->link) : NULL;
	if (db_store(db, job->feed, doc, fs, &job->counts) != 0) {
		doc_free(doc);
		job_fail(job, STAGE_STORE, xstrdup(db_last_error(
		    db)));
		goto save;
	}
	doc_free(doc);
	fs->stage = STAGE_NONE;
	free(fs->error);
	fs->error = NULL;
	fs->failures = 0;
	fs->last_success = fs->last_poll;
	return;

save:
	if (db_state_save(db, job->feed, fs) != 0)
		log_fields_warnx(&(struct log_fields){ .feed = job->feed,
		    .stage = "store" }, "%s: could not save poll state",
		    job->feed);
}

/*
 * Apply a configuration.  The worker keeps it (its rules and limits are
 * read on this thread); the one it replaces goes back to the loop thread
 * in the job, which owns conf references.
 */
static void
job_sync(struct job *job, struct db *db)
{
	struct conf	*old = job_settings.conf;

	job_settings.conf = job->conf;
	job->conf = old;
	job_settings_apply(job_settings.conf);
	db_configure(db, job_settings.conf);
	if (db_sync_conf(db, job_settings.conf) != 0) {
		job->state.stage = STAGE_STORE;
		xasprintf(&job->state.error, "could not apply the "
		    "configuration to the database: %s", db_last_error(db));
	}
	/* Every tag is rendered after the commit: nothing stays dirty. */
	render_tags_forget(db);
}

/* Record what pruning one feed did in the job's results. */
static void
job_pruned(struct job *job, const char *name, int64_t pruned,
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
job_prune_removed(struct job *job, struct db *db)
{
	const struct conf	*conf = job_settings.conf;
	char			**names;
	size_t			  n, i;
	int64_t			  pruned, left;

	n = db_feed_names(db, &names);
	for (i = 0; i < n; i++) {
		if (conf_feed_find(conf, names[i]) == NULL &&
		    db_prune(db, names[i], conf->keep_entries, conf->keep_days,
		    &pruned, &left) == 0 && pruned > 0)
			job_pruned(job, names[i], pruned, left);
		free(names[i]);
	}
	free(names);
}

/* Forget a feed the configuration no longer has (feedmuxctl remove). */
static void
job_forget(struct job *job, struct db *db)
{
	int	rv;

	if (job_settings.conf != NULL &&
	    conf_feed_find(job_settings.conf, job->feed) != NULL) {
		xasprintf(&job->state.error, "feed \"%s\" is configured",
		    job->feed);
		return;
	}
	if ((rv = db_forget(db, job->feed, &job->pruned)) < 0)
		xasprintf(&job->state.error, "%s: %s", job->feed,
		    db_last_error(db));
	else if (rv > 0)
		xasprintf(&job->state.error, "nothing of a feed named \"%s\" "
		    "is stored", job->feed);
	else
		log_info("forgot feed %s: %lld entries", job->feed,
		    (long long)job->pruned);
}

/* Retention for one feed (job->feed) or every feed. */
static void
job_prune(struct job *job, struct db *db)
{
	struct conf_feed	*cf;
	int64_t			 pruned, left, t;

	if (job_settings.conf == NULL)
		return;
	TAILQ_FOREACH(cf, &job_settings.conf->feeds, entry) {
		if (job->feed != NULL && strcmp(job->feed, cf->name) != 0)
			continue;
		if (db_prune(db, cf->name, cf->keep_entries, cf->keep_days,
		    &pruned, &left) != 0) {
			job->state.stage = STAGE_STORE;
			free(job->state.error);
			xasprintf(&job->state.error, "%s: %s", cf->name,
			    db_last_error(db));
			continue;
		}
		if (pruned > 0)
			job_pruned(job, cf->name, pruned, left);
	}
	if (job->feed == NULL)
		job_prune_removed(job, db);
	if ((t = db_prune_tombstones(db)) > 0)
		job->tombstones = t;
	if (job->pruned > 0)
		log_info("pruned %lld entries of %zu feeds", (long long)
		    job->pruned, job->nnames);
}
