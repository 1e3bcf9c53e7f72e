/*
 * ctl-cmd.c: the handlers of the control commands defined in proto.c.
 *
 * A handler answers at once (CMD_OK, CMD_ERROR, having replied) or later
 * (CMD_WAIT): refresh --wait replies when the polls it started have
 * finished, and whatever changes the configuration when the change is
 * served.  The commands that change feeds at run time are in
 * ctl-change.c.
 * Reply keys are part of the protocol that scripts read through
 * "feedmuxctl --json"; add keys freely, never rename or drop one.
 *
 * What the commands show comes from the modules below (feed, fetch,
 * render, rules) and from the configuration main() hands over with
 * ctl_cmd_configure; a new configuration goes back to main() through the
 * callback given to ctl_cmd_init.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "conf.h"
#include "ctl.h"
#include "ctl-internal.h"
#include "db.h"
#include "feed.h"
#include "fetch.h"
#include "job.h"
#include "log.h"
#include "proto.h"
#include "render.h"
#include "rules.h"
#include "worker.h"
#include "xmalloc.h"

/* What the commands need from main(). */
static struct {
	struct event_base	*base;
	time_t			 start_time;
	int			 readonly;	/* the store is not written */
} cmdenv;

static enum cmd_retval	cmd_status(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_feeds(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_feed(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_entries(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_tags(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_refresh(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_reload(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_purge(struct ctl_client *, json_t *);
static enum cmd_retval	cmd_backup(struct ctl_client *, json_t *);

/* The handler of each command of proto_cmds. */
static enum cmd_retval (*const cmd_handlers[PROTO_NCMDS])(struct ctl_client *,
    json_t *) = {
	[PROTO_ADD] = ctl_change_add,
	[PROTO_BACKUP] = cmd_backup,
	[PROTO_ENTRIES] = cmd_entries,
	[PROTO_EXPORT] = ctl_change_export,
	[PROTO_FEED] = cmd_feed,
	[PROTO_FEEDS] = cmd_feeds,
	[PROTO_IMPORT] = ctl_change_import,
	[PROTO_PAUSE] = ctl_change_pause,
	[PROTO_PURGE] = cmd_purge,
	[PROTO_REFRESH] = cmd_refresh,
	[PROTO_RELOAD] = cmd_reload,
	[PROTO_REMOVE] = ctl_change_remove,
	[PROTO_RESUME] = ctl_change_resume,
	[PROTO_STATUS] = cmd_status,
	[PROTO_TAG] = ctl_change_tag,
	[PROTO_TAGS] = cmd_tags,
};

/*
 * base runs backups; start_time and whether the store is read-only are
 * shown; apply makes configurations.
 */
void
ctl_cmd_init(struct event_base *base, time_t start_time, int readonly,
    ctl_apply_cb apply)
{
	cmdenv.base = base;
	cmdenv.start_time = start_time;
	cmdenv.readonly = readonly;
	ctl_base_init(apply, readonly);
}

/* The configuration the commands show (a reference is kept). */
void
ctl_cmd_configure(struct conf *conf)
{
	ctl_base_configure(conf);
}

void
ctl_cmd_shutdown(void)
{
	ctl_base_configure(NULL);
}

/*
 * Run a request's command (ctl.c's dispatch function); args are checked
 * against the command's table entry (proto_request_parse).
 */
enum cmd_retval
ctl_cmd_dispatch(struct ctl_client *c, enum proto_cmd_id id, json_t *args)
{
	const struct proto_cmd	*pc = &proto_cmds[id];
	const char		*name = pc->name;
	long			 uid, pid;

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
	    "tags", (json_int_t)ctl_base_conf()->ntags,
	    "failing", (json_int_t)n.failing,
	    "transfers", fetch_active(),
	    "listen", ctl_base_conf()->listen,
	    "config", ctl_base_conf()->path,
	    "polls", polls);
	json_object_set_new(o, "gone", json_integer(n.gone));
	json_object_set_new(o, "database", json_string(
	    ctl_base_conf()->database));
	json_object_set_new(o, "readonly", json_boolean(cmdenv.readonly));
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

/* Whether a feed is in state (feedmuxctl feeds --state). */
static int
feed_in_state(const struct feed *f, const char *state)
{
	if (strcmp(state, "paused") == 0)
		return (f->paused);
	if (strcmp(state, "disabled") == 0)
		return (!f->enabled && !f->paused);
	return (f->enabled && strcmp(feed_result(f), state) == 0);
}

/* Whether a feed carries tag. */
static int
feed_has_tag(const struct feed *f, const char *tag)
{
	size_t	i;

	for (i = 0; i < f->ntags; i++) {
		if (strcmp(f->tags[i], tag) == 0)
			return (1);
	}
	return (0);
}

static enum cmd_retval
cmd_feeds(struct ctl_client *c, json_t *args)
{
	static const char *const states[] = { "ok", "failing", "gone", "new",
	    "paused", "disabled" };
	struct feed	*f;
	const char	*tag, *state;
	json_t		*a;
	size_t		 i;

	tag = json_string_value(json_object_get(args, "tag"));
	state = json_string_value(json_object_get(args, "state"));
	for (i = 0; state != NULL && i < sizeof(states) / sizeof(*states);
	    i++) {
		if (strcmp(state, states[i]) == 0)
			break;
	}
	if (state != NULL && i == sizeof(states) / sizeof(*states)) {
		ctl_reply_error(c, "feeds: no state \"%s\" (states: ok, "
		    "failing, gone, new, paused, disabled)", state);
		return (CMD_ERROR);
	}
	if (tag != NULL && !conf_has_tag(ctl_base_conf(), tag)) {
		ctl_reply_error(c, "feeds: no tag named \"%s\"", tag);
		return (CMD_ERROR);
	}
	a = json_array();
	for (f = feed_first(); f != NULL; f = feed_next(f)) {
		if ((tag == NULL || feed_has_tag(f, tag)) &&
		    (state == NULL || feed_in_state(f, state)))
			json_array_append_new(a, ctl_base_feed_json(f));
	}
	ctl_reply_ok(c, json_pack("{s:o}", "feeds", a));
	return (CMD_OK);
}

/* Everything about one feed. */
static enum cmd_retval
cmd_feed(struct ctl_client *c, json_t *args)
{
	const char	*name;
	struct feed	*f;
	json_t		*o;

	name = json_string_value(json_object_get(args, "feed"));
	if ((f = feed_find(name)) == NULL) {
		ctl_reply_error(c, "feed: no feed named \"%s\"", name);
		return (CMD_ERROR);
	}
	o = ctl_base_feed_json(f);
	json_object_set_new(o, "config", json_string(ctl_base_conf()->path));
	ctl_reply_ok(c, json_pack("{s:o}", "feed", o));
	return (CMD_OK);
}

/* An "entries" request on its way through the pager. */
struct ctl_entries {
	struct ctl_client	*client;
	char			*tag;
	struct body		*body;
};

/* Back on the loop thread: the page, read back into a short list. */
static void
cmd_entries_reply(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_entries	*e = arg;
	json_t			*doc, *items, *it, *a, *src;
	json_error_t		 err;
	size_t			 i;

	doc = e->body != NULL ? json_loadb(e->body->data, e->body->len, 0,
	    &err) : NULL;
	if (doc == NULL)
		ctl_reply_error(e->client, "entries: %s: the store could not "
		    "be read", e->tag);
	else {
		a = json_array();
		items = json_object_get(doc, "items");
		json_array_foreach(items, i, it) {
			src = json_object_get(json_object_get(it, "_feedmux"),
			    "source");
			json_array_append_new(a, json_pack("{s:O?, s:O?, s:O?, "
			    "s:O?, s:O?}",
			    "title", json_object_get(it, "title"),
			    "url", json_object_get(it, "url"),
			    "published", json_object_get(it, "date_published"),
			    "updated", json_object_get(it, "date_modified"),
			    "feed", json_object_get(src, "name")));
		}
		ctl_reply_ok(e->client, json_pack("{s:s, s:o}", "tag", e->tag,
		    "entries", a));
		json_decref(doc);
	}
	render_body_unref(e->body);
	ctl_client_unref(e->client);
	free(e->tag);
	free(e);
}

/* On the pager's thread: hand the page to the loop thread. */
static void
cmd_entries_paged(struct body *b, void *arg)
{
	struct ctl_entries	*e = arg;
	struct timeval		 now = { 0, 0 };

	e->body = b;
	if (event_base_once(cmdenv.base, -1, EV_TIMEOUT, cmd_entries_reply, e,
	    &now) != 0)
		log_warnx("control: entries: cannot reach the loop thread");
}

/*
 * The newest entries of a tag, as its JSON Feed pages serve them: read
 * by the pager's thread from its own connection, never on this one.
 */
static enum cmd_retval
cmd_entries(struct ctl_client *c, json_t *args)
{
	const char		*tag;
	const struct conf_tag	*ct;
	struct ctl_entries	*e;
	json_int_t		 n = 20;

	tag = json_string_value(json_object_get(args, "tag"));
	if (json_object_get(args, "limit") != NULL)
		n = json_integer_value(json_object_get(args, "limit"));
	if (!conf_has_tag(ctl_base_conf(), tag)) {
		ctl_reply_error(c, "entries: no tag named \"%s\"", tag);
		return (CMD_ERROR);
	}
	if (n < 1 || n > 1000) {
		ctl_reply_error(c, "entries: -n takes 1 to 1000");
		return (CMD_ERROR);
	}
	ct = conf_tag_find(ctl_base_conf(), tag);
	if (ct->token != NULL && !ctl_client_privileged(c)) {
		ctl_reply_error(c, "entries: %s is a private tag: permission "
		    "denied", tag);
		return (CMD_ERROR);
	}
	e = xcalloc(1, sizeof(*e));
	e->client = c;
	e->tag = xstrdup(tag);
	ctl_client_ref(c);
	if (render_pager_request(tag, RENDER_JSON, NULL, (int)n,
	    cmd_entries_paged, e) != 0) {
		ctl_client_unref(c);
		free(e->tag);
		free(e);
		ctl_reply_error(c, "entries: the pager is busy or not running; "
		    "try again");
		return (CMD_ERROR);
	}
	return (CMD_WAIT);
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
	const struct conf	*conf = ctl_base_conf();
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

/*
 * Poll one feed or all now.  With "wait", reply with their state when
 * the polls are done and served; else at once, with what was started.
 */
static enum cmd_retval
cmd_refresh(struct ctl_client *c, json_t *args)
{
	struct feed	*f, **v = NULL;
	const char	*name;
	size_t		 n = 0;
	int		 wait, started = 0;

	name = json_string_value(json_object_get(args, "feed"));
	wait = json_is_true(json_object_get(args, "wait"));
	if (name != NULL && json_is_true(json_object_get(args, "all"))) {
		ctl_reply_error(c, "refresh: a feed or --all, not both");
		return (CMD_ERROR);
	}
	if (name != NULL && (f = feed_find(name)) == NULL) {
		ctl_reply_error(c, "refresh: no feed named \"%s\"", name);
		return (CMD_ERROR);
	}
	if (name != NULL && f->paused) {
		ctl_reply_error(c, "refresh: feed \"%s\" is paused (feedmuxctl "
		    "resume %s polls it again)", name, name);
		return (CMD_ERROR);
	}
	if (name != NULL && !f->enabled) {
		ctl_reply_error(c, "refresh: feed \"%s\" is disabled (enabled "
		    "= no in its section)", name);
		return (CMD_ERROR);
	}
	/* Paused or disabled feeds are not polled (enabled is 0). */
	if (!wait) {
		for (f = feed_first(); f != NULL; f = feed_next(f)) {
			if ((name == NULL && f->enabled) ||
			    (name != NULL && strcmp(f->name, name) == 0)) {
				feed_poll(f);
				started++;
			}
		}
		ctl_reply_ok(c, json_pack("{s:i}", "started", started));
		return (CMD_OK);
	}
	if (name != NULL) {
		f = feed_find(name);
		ctl_base_wait(c, &f, 1, 0, NULL, NULL);
		return (CMD_WAIT);
	}
	for (f = feed_first(); f != NULL; f = feed_next(f)) {
		if (f->enabled) {
			v = xreallocarray(v, n + 1, sizeof(*v));
			v[n++] = f;
		}
	}
	if (n == 0) {
		/* No feeds, or every one is paused or disabled. */
		ctl_reply_ok(c, json_pack("{s:[], s:i, s:i, s:i}", "feeds",
		    "refreshed", 0, "ok", 0, "not_ok", 0));
		return (CMD_OK);
	}
	ctl_base_wait(c, v, n, 1, NULL, NULL);
	free(v);
	return (CMD_WAIT);
}

/* Read the configuration file again; reply when it is served. */
static enum cmd_retval
cmd_reload(struct ctl_client *c, json_t *args)
{
	char	*cause;
	json_t	*data;

	data = json_pack("{s:s}", "config", ctl_base_conf()->path);
	if (ctl_base_apply(c, 1, NULL, 0, data, NULL, &cause) != 0) {
		ctl_reply_error(c, "reload failed, old configuration kept: %s",
		    cause);
		free(cause);
		return (CMD_ERROR);
	}
	/* Now the new one's. */
	json_object_set_new(data, "feeds", json_integer(
	    ctl_base_conf()->nfeeds));
	return (CMD_WAIT);
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
		ctl_base_when_served(c, json_pack("{s:I, s:o, s:I}",
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
	if (db_backup_start(cmdenv.base, ctl_base_conf()->database, file,
	    cmd_backup_done, c, &cause) != 0) {
		ctl_reply_error(c, "backup: %s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	ctl_client_ref(c);
	return (CMD_WAIT);
}
