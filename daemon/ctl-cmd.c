/*
 * ctl-cmd.c: the handlers of the control commands defined in proto.c.
 *
 * A handler answers at once (CMD_OK, CMD_ERROR, having replied) or later
 * (CMD_WAIT): refresh replies when the polls it started have finished.
 * Reply keys are part of the protocol that scripts read through
 * "feedmuxctl --json"; add keys freely, never rename or drop one.
 *
 * What the commands show comes from the modules below (feed, fetch,
 * render, rules) and from the configuration main() hands over with
 * ctl_cmd_configure; a reload goes back to main() through the callback
 * given to ctl_cmd_init.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "conf.h"
#include "ctl.h"
#include "db.h"
#include "feed.h"
#include "fetch.h"
#include "job.h"
#include "log.h"
#include "proto.h"
#include "render.h"
#include "rules.h"
#include "util.h"
#include "worker.h"
#include "xmalloc.h"

/* What the commands need from main(). */
static struct {
	struct event_base	*base;
	time_t			 start_time;
	ctl_reload_cb		 reload;
	struct conf		*conf;		/* the running configuration */
} cmdenv;

/* A refresh waiting for polls to finish. */
struct ctl_wait {
	struct ctl_client	*client;
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

static enum cmd_retval	cmd_status(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_feeds(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_tags(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_refresh(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_reload(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_resume(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_purge(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_backup(struct ctl_client *, json_t *);

/* The handler of each command of proto_cmds. */
static enum cmd_retval (*const cmd_handlers[PROTO_NCMDS])(struct ctl_client *,
    json_t *) = {
	[PROTO_BACKUP] = cmd_backup,
	[PROTO_FEEDS] = cmd_feeds,
	[PROTO_PURGE] = cmd_purge,
	[PROTO_REFRESH] = cmd_refresh,
	[PROTO_RELOAD] = cmd_reload,
	[PROTO_RESUME] = cmd_resume,
	[PROTO_STATUS] = cmd_status,
	[PROTO_TAGS] = cmd_tags,
};

/* base runs backups; start_time is shown; reload re-reads the config. */
void
ctl_cmd_init(struct event_base *base, time_t start_time, ctl_reload_cb reload)
{
	cmdenv.base = base;
	cmdenv.start_time = start_time;
	cmdenv.reload = reload;
}

/* The configuration the commands show (a reference is kept). */
void
ctl_cmd_configure(struct conf *conf)
{
	conf_ref(conf);
	conf_unref(cmdenv.conf);
	cmdenv.conf = conf;
}

void
ctl_cmd_shutdown(void)
{
	conf_unref(cmdenv.conf);
	cmdenv.conf = NULL;
}

/* Run a request's command (ctl.c's dispatch function). */
enum cmd_retval
ctl_cmd_dispatch(struct ctl_client *c, const char *name, json_t *args)
{
	const struct proto_cmd	*pc;
	enum proto_cmd_id	 id;
	char			*names;
	long			 uid, pid;

	if ((pc = proto_cmd_find(name, &id)) == NULL) {
		names = proto_cmd_names();
		ctl_reply_error(c, "unknown command \"%s\" (commands: %s)",
		    name, names);
		free(names);
		return (CMD_ERROR);
	}
	ctl_client_peer(c, &uid, &pid);
	if (pc->privileged && !ctl_client_privileged(c)) {
		log_warnx("control: %s refused to uid %ld (pid %ld)", name,
		    uid, pid);
		ctl_reply_error(c, "%s: permission denied", name);
		return (CMD_ERROR);
	}
	/* Whatever changes something is logged with who asked. */
	if (pc->privileged)
		log_info("control: %s by uid %ld (pid %ld)", name, uid, pid);
	return (cmd_handlers[id](c, args));
}

/* A time as RFC 3339 UTC, or JSON null when unknown. */
static json_t *
json_time(time_t t)
{
	char	buf[UTIL_TIMEBUF];

	if (t == 0)
		return (json_null());
	return (json_string(util_format_time(t, buf, sizeof(buf))));
}

static json_t *
json_str(const char *s)
{
	return (s != NULL ? json_string(s) : json_null());
}

static json_t *
json_strings(char **v, size_t n)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return (a);
}

/* The stage a poll failed at, or JSON null when it did not fail. */
static json_t *
json_stage(enum stage stage)
{
	if (stage == STAGE_NONE)
		return (json_null());
	return (json_string(feed_state_stage_name(stage)));
}

static json_t *
json_int_or_null(int64_t v)
{
	return (v != 0 ? json_integer(v) : json_null());
}

/* Everything about one feed, as "feeds" and "refresh" show it. */
static json_t *
feed_json(const struct feed *f)
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
	    json_time(st->gone ? 0 : st->next_poll),
	    "next_reason", feed_state_reason_name(f->busy ?
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

static enum cmd_retval
cmd_status(struct ctl_client *c, json_t *args)
{
	struct feed		*f;
	struct feed_counts	 n;
	json_t			*polls, *o;
	int			 brief;
	time_t			 now = time(NULL);

	/* "brief": the counts only; with 10,000 feeds, the list is costly. */
	brief = args != NULL && json_is_true(json_object_get(args, "brief"));
	polls = json_array();
	for (f = feed_first(); f != NULL && !brief; f = feed_next(f)) {
		json_array_append_new(polls, json_pack("{s:s, s:s, s:o, s:i, "
		    "s:o, s:o}", "name", f->name, "result", feed_result(f),
		    "last_poll", json_time(f->state.last_poll),
		    "http_status", (int)f->state.http_status,
		    "stage", json_stage(f->state.stage),
		    "error", json_str(f->state.error)));
	}
	feed_counts(&n);
	o = json_pack("{s:s, s:i, s:o, s:I, s:I, s:I, s:I, s:I, "
	    "s:i, s:s, s:s, s:o}",
	    "version", PACKAGE_VERSION,
	    "pid", (int)getpid(),
	    "started", json_time(cmdenv.start_time),
	    "uptime", (json_int_t)(now - cmdenv.start_time),
	    "feeds", (json_int_t)n.feeds,
	    "entries", (json_int_t)n.entries,
	    "tags", (json_int_t)cmdenv.conf->ntags,
	    "failing", (json_int_t)n.failing,
	    "transfers", fetch_active(),
	    "listen", cmdenv.conf->listen,
	    "config", cmdenv.conf->path,
	    "polls", polls);
	json_object_set_new(o, "gone", json_integer(n.gone));
	json_object_set_new(o, "new", json_integer(n.new));
	json_object_set_new(o, "polling", json_integer(n.polling));
	/* Rule matches stopped by PCRE2's match limit (counted no match). */
	json_object_set_new(o, "rule_limit_hits", json_integer(
	    rules_limit_hits()));
	json_object_set_new(o, "politeness", json_pack("{s:I, s:I, s:I, s:I}",
	    "requests", (json_int_t)n.requests,
	    "conditional", (json_int_t)n.conditional,
	    "not_modified", (json_int_t)n.not_modified,
	    "bytes_saved", (json_int_t)n.bytes_saved));
	ctl_reply_ok(c, o);
	return (CMD_OK);
}

static enum cmd_retval
cmd_feeds(struct ctl_client *c, json_t *args)
{
	struct feed	*f;
	json_t		*a = json_array();

	for (f = feed_first(); f != NULL; f = feed_next(f))
		json_array_append_new(a, feed_json(f));
	ctl_reply_ok(c, json_pack("{s:o}", "feeds", a));
	return (CMD_OK);
}

/* A tag's rules as written, or null when it has no [tag] section. */
static json_t *
tag_rules_json(const struct tag_rules *tr)
{
	json_t	*inc, *exc;
	size_t	 i;

	if (tr == NULL)
		return (json_null());
	inc = json_array();
	exc = json_array();
	for (i = 0; i < tr->ninclude; i++)
		json_array_append_new(inc, json_string(rule_text(
		    tr->include[i])));
	for (i = 0; i < tr->nexclude; i++)
		json_array_append_new(exc, json_string(rule_text(
		    tr->exclude[i])));
	return (json_pack("{s:o, s:o}", "include", inc, "exclude", exc));
}

static enum cmd_retval
cmd_tags(struct ctl_client *c, json_t *args)
{
	const struct conf	*conf = cmdenv.conf;
	const char		*tag;
	struct feed		*f;
	struct body		*b;
	json_t			*a = json_array(), *names;
	size_t			 i, j;
	char			*url;

	for (i = 0; i < conf->ntags; i++) {
		tag = conf->tags[i];
		names = json_array();
		for (f = feed_first(); f != NULL; f = feed_next(f)) {
			for (j = 0; j < f->ntags; j++) {
				if (strcmp(f->tags[j], tag) == 0)
					json_array_append_new(names,
					    json_string(f->name));
			}
		}
		b = render_cache_get(tag, RENDER_ATOM);
		xasprintf(&url, "%s/tags/%s.atom", conf_base_url(conf), tag);
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:i, "
		    "s:o, s:o}", "name", tag, "url", url,
		    "feeds", names, "entries", b != NULL ? b->nitems : 0,
		    "updated", json_time(b != NULL ? b->updated : 0),
		    "rules", tag_rules_json(conf_tag_rules(conf, tag))));
		render_body_unref(b);
		free(url);
	}
	ctl_reply_ok(c, json_pack("{s:o}", "tags", a));
	return (CMD_OK);
}

static void
ctl_wait_free(struct ctl_wait *w)
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
ctl_wait_add(struct ctl_wait *w, struct feed *f)
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

/* Poll one feed or all now; reply with their state when done. */
static enum cmd_retval
cmd_refresh(struct ctl_client *c, json_t *args)
{
	struct ctl_wait	*w;
	struct feed	*f;
	const char	*name = NULL;

	if (args != NULL && json_object_get(args, "feed") != NULL &&
	    (name = json_string_value(json_object_get(args, "feed"))) ==
	    NULL) {
		ctl_reply_error(c, "refresh: \"feed\" must be a string");
		return (CMD_ERROR);
	}
	if (name != NULL && (f = feed_find(name)) == NULL) {
		ctl_reply_error(c, "refresh: no feed named \"%s\"", name);
		return (CMD_ERROR);
	}
	if (name != NULL && !f->enabled) {
		ctl_reply_error(c, "refresh: feed \"%s\" is disabled (enabled "
		    "= no in its section)", name);
		return (CMD_ERROR);
	}
	for (f = feed_first(); f != NULL && !f->enabled; f = feed_next(f))
		;
	if (f == NULL) {
		ctl_reply_ok(c, json_pack("{s:[]}", "feeds"));
		return (CMD_OK);
	}
	w = xcalloc(1, sizeof(*w));
	w->client = c;
	ctl_client_ref(c);
	if (name != NULL)
		ctl_wait_add(w, feed_find(name));
	else {
		w->all = 1;
		for (f = feed_first(); f != NULL; f = feed_next(f)) {
			if (f->enabled)
				ctl_wait_add(w, f);
		}
	}
	TAILQ_INSERT_TAIL(&waits, w, entry);
	return (CMD_WAIT);
}

/*
 * The answer to a finished refresh: the feeds polled, as "feeds" shows
 * them.  For a refresh of every feed only the counts and the feeds that
 * are not ok: with 10,000 feeds the full list would be megabytes built
 * on the loop thread, and nobody reads it.
 */
static void
ctl_reply_refresh(struct ctl_wait *w)
{
	json_t	*a = json_array();
	size_t	 i, ok = 0;

	for (i = 0; i < w->nfeeds; i++) {
		if (w->all && strcmp(feed_result(w->feeds[i]), "ok") == 0) {
			ok++;
			continue;
		}
		json_array_append_new(a, feed_json(w->feeds[i]));
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
static void
ctl_reply_when_served(struct ctl_client *c, json_t *data, uint64_t seq)
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
ctl_later_free(struct ctl_later *l)
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
ctl_cmd_feed_done(struct feed *f)
{
	struct ctl_wait		*w, *next;
	struct ctl_later	*l, *lnext;
	size_t			 i;

	TAILQ_FOREACH_SAFE(l, &laters, entry, lnext) {
		if (l->seq > render_cache_seq())
			continue;
		ctl_reply_ok(l->client, l->data);
		l->data = NULL;
		ctl_later_free(l);
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
		ctl_reply_refresh(w);
		ctl_wait_free(w);
	}
}

/* Shutting down: no refresh will finish, and no render will come. */
void
ctl_cmd_cancel_all(void)
{
	struct ctl_wait		*w;
	struct ctl_later	*l;

	while ((w = TAILQ_FIRST(&waits)) != NULL) {
		TAILQ_REMOVE(&waits, w, entry);
		ctl_reply_error(w->client, "refresh: feedmuxd is stopping");
		ctl_wait_free(w);
	}
	/* What they did is stored; it is only not served yet. */
	stopping = 1;
	while ((l = TAILQ_FIRST(&laters)) != NULL) {
		ctl_reply_ok(l->client, l->data);
		l->data = NULL;
		ctl_later_free(l);
	}
}

/* Poll a feed again that said 410 Gone; reply when the poll ends. */
static enum cmd_retval
cmd_resume(struct ctl_client *c, json_t *args)
{
	struct ctl_wait	*w;
	struct feed	*f;
	const char	*name;

	name = args != NULL ? json_string_value(json_object_get(args,
	    "feed")) : NULL;
	if (name == NULL) {
		ctl_reply_error(c, "resume: which feed? (\"feed\": NAME)");
		return (CMD_ERROR);
	}
	if ((f = feed_find(name)) == NULL) {
		ctl_reply_error(c, "resume: no feed named \"%s\"", name);
		return (CMD_ERROR);
	}
	if (!f->enabled) {
		ctl_reply_error(c, "resume: feed \"%s\" is disabled (enabled "
		    "= no in its section)", name);
		return (CMD_ERROR);
	}
	f->state.gone = 0;
	w = xcalloc(1, sizeof(*w));
	w->client = c;
	ctl_client_ref(c);
	ctl_wait_add(w, f);
	TAILQ_INSERT_TAIL(&waits, w, entry);
	return (CMD_WAIT);
}

static enum cmd_retval
cmd_reload(struct ctl_client *c, json_t *args)
{
	char	*cause;

	if (cmdenv.reload(&cause) != 0) {
		ctl_reply_error(c, "reload failed, old configuration kept: %s",
		    cause);
		free(cause);
		return (CMD_ERROR);
	}
	ctl_reply_ok(c, json_pack("{s:s, s:I}", "config", cmdenv.conf->path,
	    "feeds", (json_int_t)cmdenv.conf->nfeeds));
	return (CMD_OK);
}

/* The feed named by args (or NULL for all); 0 if args make no sense. */
static int
cmd_feed_arg(struct ctl_client *c, const char *cmd, json_t *args,
    const char **name)
{
	json_t	*v;

	*name = NULL;
	if (args == NULL || (v = json_object_get(args, "feed")) == NULL)
		return (1);
	if ((*name = json_string_value(v)) == NULL) {
		ctl_reply_error(c, "%s: \"feed\" must be a string", cmd);
		return (0);
	}
	if (feed_find(*name) == NULL) {
		ctl_reply_error(c, "%s: no feed named \"%s\"", cmd, *name);
		return (0);
	}
	return (1);
}

static void
cmd_purge_done(struct job *job, void *arg)
{
	struct ctl_client	*c = arg;
	json_t			*a = json_array();
	size_t			 i;

	feed_pruned(job);
	for (i = 0; i < job->nnames; i++)
		json_array_append_new(a, json_pack("{s:s, s:I}", "name",
		    job->names[i], "entries", (json_int_t)job->left[i]));
	if (job->state.error != NULL && job->pruned == 0) {
		json_decref(a);
		ctl_reply_error(c, "purge: %s", job->state.error);
	} else
		ctl_reply_when_served(c, json_pack("{s:I, s:o, s:I}",
		    "pruned", (json_int_t)job->pruned, "feeds", a,
		    "tombstones_expired", (json_int_t)job->tombstones),
		    job->render_pending ? job->seq : 0);
	ctl_client_unref(c);
}

/*
 * Apply retention now, to one feed or all; reply when it is stored and
 * the tag feeds no longer show what went.
 */
static enum cmd_retval
cmd_purge(struct ctl_client *c, json_t *args)
{
	struct job	*job;
	const char	*name;

	if (!cmd_feed_arg(c, "purge", args, &name))
		return (CMD_ERROR);
	ctl_client_ref(c);
	job = job_new(JOB_PRUNE, name, cmd_purge_done, c);
	worker_submit(job);
	return (CMD_WAIT);
}

/* A backup is done (error: NULL if it went well). */
static void
cmd_backup_done(const char *file, const char *error, int64_t bytes,
    double secs, void *arg)
{
	struct ctl_client	*c = arg;

	if (error != NULL)
		ctl_reply_error(c, "backup: %s", error);
	else
		ctl_reply_ok(c, json_pack("{s:s, s:I, s:f}", "file",
		    file, "bytes", (json_int_t)bytes, "seconds", secs));
	ctl_client_unref(c);
}

/* Copy the database to FILE (absolute, new) while everything runs. */
static enum cmd_retval
cmd_backup(struct ctl_client *c, json_t *args)
{
	const char	*file;
	char		*cause;

	file = args != NULL ? json_string_value(json_object_get(args,
	    "file")) : NULL;
	if (file == NULL) {
		ctl_reply_error(c, "backup: to which file? (\"file\": PATH)");
		return (CMD_ERROR);
	}
	if (db_backup_start(cmdenv.base, cmdenv.conf->database, file,
	    cmd_backup_done, c, &cause) != 0) {
		ctl_reply_error(c, "backup: %s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	ctl_client_ref(c);
	return (CMD_WAIT);
}
