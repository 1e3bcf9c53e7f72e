/*
 * ctl-base.c: the ground the command handlers stand on: the running
 * configuration and the way back to main() to change it, a feed as the
 * replies show it, and replies held until what they wait for is done:
 * polls (refresh --wait, add, resume), a render (purge, remove --forget)
 * or a configuration being served (reload and every change).
 *
 * Reply keys are part of the protocol that scripts read through
 * "feedmuxctl --json"; add keys freely, never rename or drop one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "conf.h"
#include "ctl.h"
#include "ctl-internal.h"
#include "feed.h"
#include "render.h"
#include "sched.h"
#include "xmalloc.h"

/* What main() gave: the configuration running, and how to change it. */
static struct {
	ctl_apply_cb		 apply;
	struct conf		*conf;
	int			 readonly;	/* the store is not written */
} base;

/*
 * A refresh waiting for polls to finish; done, if set, answers instead
 * of the refresh reply.
 */
struct ctl_wait {
	struct ctl_client	*client;
	ctl_wait_cb		 done;
	void			*done_arg;
	struct feed		**feeds;
	unsigned int		*targets;	/* polls_done to reach */
	size_t			 nfeeds;
	size_t			 first_pending;	/* all before it are done */
	int			 all;		/* every feed: answer briefly */
	TAILQ_ENTRY(ctl_wait)	 entry;
};
static TAILQ_HEAD(, ctl_wait)	waits = TAILQ_HEAD_INITIALIZER(waits);

/*
 * A reply held until what the command changed is served: the render that
 * covers its worker job (seq) has reached the cache.
 */
struct ctl_later {
	struct ctl_client	*client;
	json_t			*data;
	uint64_t		 seq;
	TAILQ_ENTRY(ctl_later)	 entry;
};
static TAILQ_HEAD(, ctl_later)	laters = TAILQ_HEAD_INITIALIZER(laters);
static int			stopping;	/* no render will come */

/* A reply held until a configuration is served (ctl_base_apply). */
struct ctl_applying {
	struct ctl_client	*client;
	json_t			*data;
	char			*error;		/* reply this error instead */
	int			 cancelled;	/* replied: stopping */
	TAILQ_ENTRY(ctl_applying) entry;
};
static TAILQ_HEAD(, ctl_applying) applying =
    TAILQ_HEAD_INITIALIZER(applying);

static void	ctl_base_wait_free(struct ctl_wait *);
static void	ctl_base_wait_add(struct ctl_wait *, struct feed *);
static void	ctl_base_reply_refresh(struct ctl_wait *);
static void	ctl_base_later_free(struct ctl_later *);
static void	ctl_base_applied(void *, const char *);

/* Everything about one feed, as "feeds" and "refresh" show it. */
json_t *
ctl_base_feed_json(const struct feed *f)
{
	const struct feed_state	*st = &f->state;
	json_t			*o, *redirect = json_null();

	if (st->pending_url != NULL)
		redirect = json_pack("{s:s, s:o}", "url", st->pending_url,
		    "since", json_time(st->pending_since));
	o = json_pack("{s:s, s:s, s:o, s:I, s:b, s:s, s:o, s:o, s:o, s:o, "
	    "s:s, s:i, s:o, s:o, s:i, s:I, s:o, s:o, s:o, s:o}",
	    "name", f->name,
	    "url", f->url,
	    "tags", json_strings(f->tags, f->ntags),
	    "interval", (json_int_t)f->sched.interval,
	    "adaptive", f->sched.adaptive,
	    "result", feed_result(f),
	    "last_poll", json_time(st->last_poll),
	    "last_success", json_time(st->last_success),
	    "last_change", json_time(st->last_change),
	    "next_poll", f->busy ? json_string("polling") :
	    json_time(st->gone || f->paused ? 0 : st->next_poll),
	    "next_reason", f->paused && !f->busy ? "paused" :
	    feed_state_reason_name(f->busy ?
	    sched_wait_reason(&f->sched) : st->next_reason),
	    "http_status", (int)st->http_status,
	    "stage", json_stage(st->stage),
	    "error", json_str(st->error),
	    "failures", st->failures,
	    "entries", (json_int_t)st->entries,
	    "title", json_str(st->title),
	    "link", json_str(st->link),
	    "etag", json_str(st->etag),
	    "last_modified", json_str(st->last_modified));
	json_object_set_new(o, "enabled", json_boolean(f->enabled));
	/* How it authenticates, and as whom; never the password. */
	json_object_set_new(o, "auth", f->username != NULL ?
	    json_pack("{s:s, s:s}", "type", "basic", "username",
	    f->username) : json_null());
	json_object_set_new(o, "polled_url", json_string(feed_url(f)));
	json_object_set_new(o, "paused", json_boolean(f->paused));
	json_object_set_new(o, "format", json_str(st->format));
	/* Where it is defined: "file" (line), or "runtime" (feedmuxctl). */
	json_object_set_new(o, "origin", json_string(f->runtime ? "runtime" :
	    "file"));
	json_object_set_new(o, "line", json_int_or_null(f->line));
	json_object_set_new(o, "adopted_url", json_str(st->adopted_url));
	json_object_set_new(o, "pending_redirect", redirect);
	json_object_set_new(o, "retry_after", json_time(st->retry_after));
	/* What its entries are known by, and why ("guid" or "link"). */
	json_object_set_new(o, "identity", json_string(
	    st->identity == IDENTITY_LINK ? "link" : "guid"));
	json_object_set_new(o, "guid_rotations", json_integer(st->rotated));
	json_object_set_new(o, "entries_added", json_integer(
	    st->new_entries));
	json_object_set_new(o, "hints", json_pack("{s:o, s:o, s:o, s:o}",
	    "ttl", json_int_or_null(st->hints.ttl),
	    "sy_seconds", json_int_or_null(st->hints.sy_seconds),
	    "cache_until", json_time(st->hints.cache_until),
	    "weekly_entries", json_integer(st->weekly)));
	json_object_set_new(o, "politeness", json_pack("{s:I, s:I, s:I, s:I, "
	    "s:I}", "requests", (json_int_t)st->requests,
	    "conditional", (json_int_t)st->conditional,
	    "not_modified", (json_int_t)st->not_modified,
	    "bytes_received", (json_int_t)st->bytes_received,
	    "bytes_saved", (json_int_t)st->bytes_saved));
	return (o);
}

static void
ctl_base_wait_free(struct ctl_wait *w)
{
	size_t	i;

	for (i = 0; i < w->nfeeds; i++)
		feed_unref(w->feeds[i]);
	free(w->feeds);
	free(w->targets);
	ctl_client_unref(w->client);
	free(w);
}

static void
ctl_base_wait_add(struct ctl_wait *w, struct feed *f)
{
	feed_poll(f);
	w->feeds = xreallocarray(w->feeds, w->nfeeds + 1, sizeof(*w->feeds));
	w->targets = xreallocarray(w->targets, w->nfeeds + 1,
	    sizeof(*w->targets));
	feed_ref(f);
	w->feeds[w->nfeeds] = f;
	/* If a poll was already running, ours is the one after it. */
	w->targets[w->nfeeds] = f->polls_started + (f->again ? 1 : 0);
	w->nfeeds++;
}

/* Poll f now; done replies once that poll is done and served. */
void
ctl_base_wait_one(struct ctl_client *c, struct feed *f, ctl_wait_cb done,
    void *arg)
{
	ctl_base_wait(c, &f, 1, 0, done, arg);
}

/*
 * The answer to a finished refresh: the feeds polled, as "feeds" shows
 * them.  For a refresh of every feed only the counts and the feeds that
 * are not ok: with 10,000 feeds the full list would be megabytes built
 * on the loop thread, and nobody reads it.
 */
static void
ctl_base_reply_refresh(struct ctl_wait *w)
{
	json_t	*a = json_array();
	size_t	 i, ok = 0;

	for (i = 0; i < w->nfeeds; i++) {
		if (w->all && strcmp(feed_result(w->feeds[i]), "ok") == 0) {
			ok++;
			continue;
		}
		json_array_append_new(a, ctl_base_feed_json(w->feeds[i]));
	}
	if (!w->all)
		ctl_reply_ok(w->client, json_pack("{s:o}", "feeds", a));
	else
		ctl_reply_ok(w->client, json_pack("{s:o, s:I, s:I, s:I}",
		    "feeds", a, "refreshed", (json_int_t)w->nfeeds,
		    "ok", (json_int_t)ok,
		    "not_ok", (json_int_t)(w->nfeeds - ok)));
}

/* Reply with data (taken) once jobs up to seq are served (0: now). */
void
ctl_base_when_served(struct ctl_client *c, json_t *data, uint64_t seq)
{
	struct ctl_later	*l;

	if (seq <= render_cache_seq() || stopping) {
		ctl_reply_ok(c, data);
		return;
	}
	l = xcalloc(1, sizeof(*l));
	l->client = c;
	ctl_client_ref(c);
	l->data = data;
	l->seq = seq;
	TAILQ_INSERT_TAIL(&laters, l, entry);
}

static void
ctl_base_later_free(struct ctl_later *l)
{
	TAILQ_REMOVE(&laters, l, entry);
	json_decref(l->data);
	ctl_client_unref(l->client);
	free(l);
}

/*
 * A poll has finished, a feed is gone, or tags were rendered (f NULL):
 * answer the refreshes whose polls have all ended and whose new entries
 * are served, and the replies held for a render.
 */
void
ctl_base_feed_done(struct feed *f)
{
	struct ctl_wait		*w, *next;
	struct ctl_later	*l, *lnext;
	size_t			 i;

	TAILQ_FOREACH_SAFE(l, &laters, entry, lnext) {
		if (l->seq > render_cache_seq())
			continue;
		ctl_reply_ok(l->client, l->data);
		l->data = NULL;
		ctl_base_later_free(l);
	}

	TAILQ_FOREACH_SAFE(w, &waits, entry, next) {
		/* Resume from the first feed that was still pending. */
		for (i = w->first_pending; i < w->nfeeds; i++) {
			if (w->feeds[i]->polls_done < w->targets[i] ||
			    (!w->feeds[i]->removed && w->feeds[i]->render_seq >
			    render_cache_seq()))
				break;
		}
		w->first_pending = i;
		if (i < w->nfeeds)
			continue;
		TAILQ_REMOVE(&waits, w, entry);
		if (w->done != NULL)
			w->done(w->client, w->feeds[0], w->done_arg);
		else
			ctl_base_reply_refresh(w);
		ctl_base_wait_free(w);
	}
}

/* Shutting down: no refresh will finish, and no render will come. */
void
ctl_base_cancel_all(void)
{
	struct ctl_wait		*w;
	struct ctl_later	*l;
	struct ctl_applying	*a;

	while ((w = TAILQ_FIRST(&waits)) != NULL) {
		TAILQ_REMOVE(&waits, w, entry);
		if (w->done != NULL)
			w->done(NULL, w->feeds[0], w->done_arg);
		ctl_reply_error(w->client, "feedmuxd is stopping");
		ctl_base_wait_free(w);
	}
	/* Stored, or about to be: the worker finishes what it has. */
	TAILQ_FOREACH(a, &applying, entry) {
		if (a->error != NULL)
			ctl_reply_error(a->client, "%s", a->error);
		else {
			ctl_reply_ok(a->client, a->data);
			a->data = NULL;
		}
		a->cancelled = 1;
	}
	/* What they did is stored; it is only not served yet. */
	stopping = 1;
	while ((l = TAILQ_FIRST(&laters)) != NULL) {
		ctl_reply_ok(l->client, l->data);
		l->data = NULL;
		ctl_base_later_free(l);
	}
}

/* A configuration is served: answer who changed it. */
static void
ctl_base_applied(void *arg, const char *stored)
{
	struct ctl_applying	*a = arg;

	TAILQ_REMOVE(&applying, a, entry);
	if (a->cancelled)
		;
	else if (stored != NULL && a->data != NULL)
		ctl_reply_error(a->client, "done, but not stored (it would "
		    "not outlive a restart): %s", stored);
	else if (a->error != NULL)
		ctl_reply_error(a->client, "%s", a->error);
	else {
		ctl_reply_ok(a->client, a->data);
		a->data = NULL;
	}
	json_decref(a->data);
	free(a->error);
	ctl_client_unref(a->client);
	free(a);
}

/*
 * Run the configuration (reread: the file read again) with changes
 * (taken; NULL: those running); once it is served, reply data (taken),
 * or error if not NULL, to c (NULL: nobody).  0, or -1 and *cause
 * (nothing was replied, nothing changed).
 */
int
ctl_base_apply(struct ctl_client *c, int reread, struct conf_change *changes,
    size_t nchanges, json_t *data, const char *error, char **cause)
{
	struct ctl_applying	*a;

	if (!reread && base.readonly) {
		conf_change_free(changes, nchanges);
		json_decref(data);
		xasprintf(cause, "the database is read-only (see status): a "
		    "change could not be kept");
		return (-1);
	}
	if (c == NULL)		/* the caller replies later */
		return (base.apply(reread, changes, nchanges, NULL, NULL,
		    cause));
	a = xcalloc(1, sizeof(*a));
	a->client = c;
	ctl_client_ref(c);
	a->data = data;
	a->error = error != NULL ? xstrdup(error) : NULL;
	TAILQ_INSERT_TAIL(&applying, a, entry);
	if (base.apply(reread, changes, nchanges, ctl_base_applied, a,
	    cause) == 0)
		return (0);
	TAILQ_REMOVE(&applying, a, entry);
	json_decref(a->data);
	free(a->error);
	ctl_client_unref(c);
	free(a);
	return (-1);
}


void
ctl_base_init(ctl_apply_cb apply, int readonly)
{
	base.apply = apply;
	base.readonly = readonly;
}

/* The configuration the commands show (a reference is kept). */
void
ctl_base_configure(struct conf *conf)
{
	if (conf != NULL)
		conf_ref(conf);
	conf_unref(base.conf);
	base.conf = conf;
}

struct conf *
ctl_base_conf(void)
{
	return (base.conf);
}

/*
 * Poll feeds now (already referenced by nobody: we take references) and
 * answer when all are done and served: through done, or as a refresh
 * (all: briefly, for every feed).
 */
void
ctl_base_wait(struct ctl_client *c, struct feed **feeds, size_t n, int all,
    ctl_wait_cb done, void *arg)
{
	struct ctl_wait	*w;
	size_t		 i;

	w = xcalloc(1, sizeof(*w));
	w->client = c;
	ctl_client_ref(c);
	w->all = all;
	w->done = done;
	w->done_arg = arg;
	for (i = 0; i < n; i++)
		ctl_base_wait_add(w, feeds[i]);
	TAILQ_INSERT_TAIL(&waits, w, entry);
}
