/*
 * ctl-change.c: the commands that change feeds at run time: add, remove,
 * pause, resume, tag, import, and export, which shows them all.
 *
 * A change never edits the configuration file.  It becomes a struct
 * conf_change (conf-change.c), and main() makes a new configuration: the
 * file as last read, with every change laid over it.  The worker stores
 * the changes with the feeds they make, and renders the tags; the reply
 * waits until that is served, so that when feedmuxctl returns, HTTP
 * shows what it did.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "conf.h"
#include "ctl.h"
#include "ctl-internal.h"
#include "feed.h"
#include "job.h"
#include "util.h"
#include "worker.h"
#include "xmalloc.h"

/* An add waiting for its first poll. */
struct ctl_adding {
	char	*name;
	char	*url;
	int	 force;
};

static char	*change_free_name(const struct conf *, const char *,
		    const char *, struct strmap *);
static int	 change_url_known(const struct conf *, const char *,
		    const char **);
static int	 change_known(const struct conf *, const char *);
static char	*change_tags(json_t *, char **);
static const struct conf_feed *change_feed(struct ctl_client *, const char *,
		    const char *);
static int	 change_apply(struct ctl_client *, const char *,
		    struct conf_change *, size_t, json_t *);

/* Whether a feed already polls url; *name is which. */
static int
change_url_known(const struct conf *conf, const char *url, const char **name)
{
	struct conf_feed	*cf;

	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		if (strcmp(cf->url, url) == 0) {
			*name = cf->name;
			return (1);
		}
	}
	return (0);
}

/*
 * A free feed name: hint if it is a name, else url's host without
 * "www.", then "-2", "-3"... if taken (by conf's feeds, or in taken).
 */
static char *
change_free_name(const struct conf *conf, const char *hint, const char *url,
    struct strmap *taken)
{
	const char	*p;
	char		 base[56], *name;
	size_t		 n = 0;
	int		 i;

	if (hint != NULL && conf_valid_name(hint) &&
	    strlen(hint) < sizeof(base))
		snprintf(base, sizeof(base), "%s", hint);
	else {
		if ((p = strstr(url, "://")) != NULL)
			url = p + 3;
		if (strncasecmp(url, "www.", 4) == 0)
			url += 4;
		for (p = url; *p != '\0' && *p != '/' && *p != ':' &&
		    *p != '?' && n < sizeof(base) - 1; p++) {
			if (isalnum((unsigned char)*p) || *p == '.' ||
			    *p == '-')
				base[n++] = tolower((unsigned char)*p);
		}
		base[n] = '\0';
		if (!conf_valid_name(base))
			snprintf(base, sizeof(base), "feed");
	}
	name = xstrdup(base);
	for (i = 2; conf_feed_find(conf, name) != NULL ||
	    (taken != NULL && strmap_get(taken, name) != NULL); i++) {
		free(name);
		xasprintf(&name, "%s-%d", base, i);
	}
	return (name);
}

/* A list of tags as a comma-separated string; NULL and *cause if bad. */
static char *
change_tags(json_t *list, char **cause)
{
	struct buf	 b;
	json_t		*v;
	char		*t;
	size_t		 i;

	buf_init(&b);
	if (list != NULL && !json_is_array(list)) {
		*cause = xstrdup("tags must be a list of strings");
		return (NULL);
	}
	json_array_foreach(list, i, v) {
		if (!json_is_string(v)) {
			*cause = xstrdup("tags must be a list of strings");
			buf_free(&b);
			return (NULL);
		}
		if ((t = conf_tag_name(json_string_value(v), cause)) ==
		    NULL) {
			buf_free(&b);
			return (NULL);
		}
		if (b.len > 0)
			buf_addc(&b, ',');
		buf_addstr(&b, t);
		free(t);
	}
	return (buf_steal(&b));
}

/* The configured feed called name, or NULL having replied an error. */
static const struct conf_feed *
change_feed(struct ctl_client *c, const char *cmd, const char *name)
{
	const struct conf_feed	*cf;

	if ((cf = conf_feed_find(ctl_base_conf(), name)) == NULL)
		ctl_reply_error(c, "%s: no feed named \"%s\"", cmd, name);
	return (cf);
}

/* Run changes; reply data once served.  CMD_WAIT or CMD_ERROR. */
static int
change_apply(struct ctl_client *c, const char *cmd, struct conf_change *v,
    size_t n, json_t *data)
{
	char	*cause;

	if (ctl_base_apply(c, 0, v, n, data, NULL, &cause) != 0) {
		ctl_reply_error(c, "%s: %s", cmd, cause);
		free(cause);
		return (CMD_ERROR);
	}
	return (CMD_WAIT);
}

/* Whether conf keeps a change for a feed called name. */
static int
change_known(const struct conf *conf, const char *name)
{
	size_t	i;

	for (i = 0; i < conf->nchanges; i++) {
		if (strcmp(conf->changes[i].name, name) == 0)
			return (1);
	}
	return (0);
}

/* Drop a change that no longer changes anything. */
static void
change_tidy(struct conf_change *v, size_t *n, struct conf_change *ch)
{
	if (ch->url == NULL && !ch->paused && *ch->tags_add == '\0' &&
	    *ch->tags_remove == '\0') {
		char	*name = xstrdup(ch->name);

		conf_change_drop(v, n, name);
		free(name);
	}
}

/* The first poll of an added feed ended: say what it found. */
static void
change_add_polled(struct ctl_client *c, struct feed *f, void *arg)
{
	struct ctl_adding	*a = arg;
	struct conf_change	*v;
	size_t			 n;
	char			*error, *cause;

	if (c == NULL)
		goto done;
	if (strcmp(feed_result(f), "ok") == 0 || a->force) {
		ctl_reply_ok(c, json_pack("{s:o}", "feed",
		    ctl_base_feed_json(f)));
		goto done;
	}
	/* Not kept: take it out again, then say why. */
	xasprintf(&error, "add: %s: %s failed: %s; not added (--force adds it "
	    "all the same)", a->url, feed_state_stage_name(f->state.stage),
	    f->state.error != NULL ? f->state.error : "unknown error");
	v = conf_change_copy(ctl_base_conf(), &n);
	conf_change_drop(v, &n, a->name);
	if (ctl_base_apply(c, 0, v, n, NULL, error, &cause) != 0) {
		ctl_reply_error(c, "%s (and taking it out again failed: %s)",
		    error, cause);
		free(cause);
	}
	free(error);
done:
	free(a->name);
	free(a->url);
	free(a);
}

/* add URL [--name N] [--tag T]... [--interval I] [--force] */
enum cmd_retval
ctl_change_add(struct ctl_client *c, json_t *args)
{
	struct conf		*conf = ctl_base_conf();
	struct conf_change	*v, *ch;
	struct ctl_adding	*a;
	struct feed		*f;
	const char		*url, *name, *other, *errstr;
	char			*tags, *cause, *newname, *error;
	long			 interval = 0;
	size_t			 n;
	int			 rv;

	url = json_string_value(json_object_get(args, "url"));
	name = json_string_value(json_object_get(args, "name"));
	if (conf_check_url(conf, url, &cause) != 0) {
		ctl_reply_error(c, "add: %s: %s", url, cause);
		free(cause);
		return (CMD_ERROR);
	}
	if (change_url_known(conf, url, &other)) {
		ctl_reply_error(c, "add: %s is polled already, as feed \"%s\"",
		    url, other);
		return (CMD_ERROR);
	}
	if (name != NULL && !conf_valid_name(name)) {
		ctl_reply_error(c, "add: bad feed name \"%s\" (use letters, "
		    "digits, '.', '_' and '-', at most 64)", name);
		return (CMD_ERROR);
	}
	if (name != NULL && conf_feed_find(conf, name) != NULL) {
		ctl_reply_error(c, "add: a feed named \"%s\" exists already",
		    name);
		return (CMD_ERROR);
	}
	if (json_object_get(args, "interval") != NULL &&
	    conf_parse_duration(json_string_value(json_object_get(args,
	    "interval")), &interval, &errstr) != 0) {
		ctl_reply_error(c, "add: --interval: %s", errstr);
		return (CMD_ERROR);
	}
	if ((tags = change_tags(json_object_get(args, "tag"), &cause)) ==
	    NULL) {
		ctl_reply_error(c, "add: %s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	newname = name != NULL ? xstrdup(name) :
	    change_free_name(conf, NULL, url, NULL);
	v = conf_change_copy(conf, &n);
	ch = conf_change_get(&v, &n, newname);
	ch->url = xstrdup(url);
	free(ch->tags_add);
	ch->tags_add = tags;
	ch->interval = interval;
	ch->added = time(NULL);
	if (ctl_base_apply(NULL, 0, v, n, NULL, NULL, &cause) != 0) {
		ctl_reply_error(c, "add: %s", cause);
		free(cause);
		free(newname);
		return (CMD_ERROR);
	}
	if ((f = feed_find(newname)) == NULL) {
		/* conf_change_apply logged why; take the change out again. */
		v = conf_change_copy(ctl_base_conf(), &n);
		conf_change_drop(v, &n, newname);
		xasprintf(&error, "add: %s could not be added (the log says "
		    "why)", url);
		rv = ctl_base_apply(c, 0, v, n, NULL, error, &cause);
		if (rv != 0) {
			ctl_reply_error(c, "%s", error);
			free(cause);
		}
		free(error);
		free(newname);
		return (rv == 0 ? CMD_WAIT : CMD_ERROR);
	}
	a = xcalloc(1, sizeof(*a));
	a->name = newname;
	a->url = xstrdup(url);
	a->force = json_is_true(json_object_get(args, "force"));
	ctl_base_wait_one(c, f, change_add_polled, a);
	return (CMD_WAIT);
}

/* A forget job is done: say what went, once the tags no longer show it. */
static void
change_forgotten(struct job *job, void *arg)
{
	struct ctl_client	*c = arg;

	if (job->state.error != NULL)
		ctl_reply_error(c, "remove: %s", job->state.error);
	else
		ctl_base_when_served(c, json_pack("{s:s, s:I}", "removed",
		    job->feed, "forgotten", (json_int_t)job->pruned),
		    job->render_pending ? job->seq : 0);
	ctl_client_unref(c);
}

/*
 * remove FEED [--forget]: a feed added at run time goes; with --forget,
 * its stored entries too (also those of a feed gone from the file).
 */
enum cmd_retval
ctl_change_remove(struct ctl_client *c, json_t *args)
{
	struct conf		*conf = ctl_base_conf();
	const struct conf_feed	*cf;
	struct conf_change	*v;
	const char		*name;
	char			*cause;
	size_t			 n;
	int			 forget;

	name = json_string_value(json_object_get(args, "feed"));
	forget = json_is_true(json_object_get(args, "forget"));
	cf = conf_feed_find(conf, name);
	if (cf != NULL && !cf->runtime) {
		ctl_reply_error(c, "remove: feed \"%s\" is defined in %s, line "
		    "%d: delete it there, then reload", name, conf->path,
		    cf->line);
		return (CMD_ERROR);
	}
	if (cf == NULL && !forget) {
		ctl_reply_error(c, "remove: no feed named \"%s\" (--forget "
		    "drops what is stored of a feed no longer configured)",
		    name);
		return (CMD_ERROR);
	}
	if (cf != NULL || change_known(conf, name)) {
		/* Also a change kept for a feed that is not running. */
		v = conf_change_copy(conf, &n);
		conf_change_drop(v, &n, name);
		if (!forget)
			return (change_apply(c, "remove", v, n,
			    json_pack("{s:s, s:i}", "removed", name,
			    "forgotten", 0)));
		if (ctl_base_apply(NULL, 0, v, n, NULL, NULL, &cause) != 0) {
			ctl_reply_error(c, "remove: %s", cause);
			free(cause);
			return (CMD_ERROR);
		}
	}
	/* After the configuration without it: the worker runs in order. */
	ctl_client_ref(c);
	worker_submit(job_new(JOB_FORGET, name, change_forgotten, c));
	return (CMD_WAIT);
}

/* Pause or resume a feed in the changes; 1 if that changed anything. */
static int
change_set_paused(struct conf_change **v, size_t *n, const char *name,
    int paused)
{
	struct conf_change	*ch;
	int			 was;

	ch = conf_change_get(v, n, name);
	was = ch->paused;
	ch->paused = paused;
	change_tidy(*v, n, ch);
	return (was != paused);
}

/* pause FEED: not polled until resume; its entries stay served. */
enum cmd_retval
ctl_change_pause(struct ctl_client *c, json_t *args)
{
	struct conf_change	*v;
	const char		*name;
	size_t			 n;

	name = json_string_value(json_object_get(args, "feed"));
	if (change_feed(c, "pause", name) == NULL)
		return (CMD_ERROR);
	v = conf_change_copy(ctl_base_conf(), &n);
	change_set_paused(&v, &n, name, 1);
	return (change_apply(c, "pause", v, n, json_pack("{s:s, s:b}",
	    "feed", name, "paused", 1)));
}

/* The poll a resume started has ended. */
static void
change_resumed(struct ctl_client *c, struct feed *f, void *arg)
{
	if (c != NULL)
		ctl_reply_ok(c, json_pack("{s:[o]}", "feeds",
		    ctl_base_feed_json(f)));
}

/*
 * resume FEED: a paused feed, or one that said 410 Gone, is polled again
 * now; the reply comes when that poll is done.
 */
enum cmd_retval
ctl_change_resume(struct ctl_client *c, json_t *args)
{
	struct conf_change	*v;
	struct feed		*f;
	const char		*name;
	char			*cause;
	size_t			 n;

	name = json_string_value(json_object_get(args, "feed"));
	if (change_feed(c, "resume", name) == NULL)
		return (CMD_ERROR);
	v = conf_change_copy(ctl_base_conf(), &n);
	if (!change_set_paused(&v, &n, name, 0))
		conf_change_free(v, n);
	else if (ctl_base_apply(NULL, 0, v, n, NULL, NULL, &cause) != 0) {
		ctl_reply_error(c, "resume: %s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	f = feed_find(name);
	if (!f->enabled) {
		/* Not paused (any more), but enabled = no in the file. */
		ctl_reply_error(c, "resume: feed \"%s\" is disabled (enabled "
		    "= no in its section)", name);
		return (CMD_ERROR);
	}
	f->state.gone = 0;
	ctl_base_wait_one(c, f, change_resumed, NULL);
	return (CMD_WAIT);
}

/* tag FEED +T -T...: add tags to a feed or take them away. */
enum cmd_retval
ctl_change_tag(struct ctl_client *c, json_t *args)
{
	const struct conf_feed	*cf;
	struct conf_change	*v, *ch;
	const char		*name, **words;
	json_t			*list, *w, *data, *tags;
	char			*cause;
	size_t			 n, i;
	int			 rv;

	name = json_string_value(json_object_get(args, "feed"));
	list = json_object_get(args, "changes");
	if (change_feed(c, "tag", name) == NULL)
		return (CMD_ERROR);
	if (json_array_size(list) == 0) {
		ctl_reply_error(c, "tag: which tags? (+TAG adds, -TAG takes "
		    "away)");
		return (CMD_ERROR);
	}
	words = xcalloc(json_array_size(list), sizeof(*words));
	json_array_foreach(list, i, w)
		words[i] = json_string_value(w);
	v = conf_change_copy(ctl_base_conf(), &n);
	ch = conf_change_get(&v, &n, name);
	rv = conf_change_tags(ch, words, json_array_size(list), &cause);
	free(words);
	if (rv != 0) {
		conf_change_free(v, n);
		ctl_reply_error(c, "tag: %s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	change_tidy(v, &n, ch);
	data = json_pack("{s:s}", "feed", name);
	json_incref(data);
	if ((rv = change_apply(c, "tag", v, n, data)) == CMD_WAIT) {
		/* The new configuration runs now; the reply waits. */
		cf = conf_feed_find(ctl_base_conf(), name);
		tags = json_array();
		for (i = 0; cf != NULL && i < cf->ntags; i++)
			json_array_append_new(tags, json_string(cf->tags[i]));
		json_object_set_new(data, "tags", tags);
	}
	json_decref(data);
	return (rv);
}

/* One outline of an import: added, or why not. */
static json_t *
change_import_one(struct conf *conf, json_t *o, struct conf_change **v,
    size_t *n, struct strmap *names, struct strmap *urls, char ***owned,
    size_t *nowned)
{
	struct conf_change	*ch;
	const char		*url, *name, *other;
	char			*cause, *tags, *newname;
	json_t			*r;

	url = json_string_value(json_object_get(o, "url"));
	name = json_string_value(json_object_get(o, "name"));
	r = json_pack("{s:s?, s:s?}", "url", url, "name", name);
	if (url == NULL) {
		json_object_set_new(r, "result", json_string("invalid"));
		json_object_set_new(r, "reason", json_string("no URL"));
		return (r);
	}
	if (change_url_known(conf, url, &other) ||
	    (other = strmap_get(urls, url)) != NULL) {
		json_object_set_new(r, "result", json_string("duplicate"));
		json_object_set_new(r, "reason", json_pack("s+", "polled "
		    "already as feed ", other));
		return (r);
	}
	cause = NULL;
	tags = NULL;
	if (conf_check_url(conf, url, &cause) == 0)
		tags = change_tags(json_object_get(o, "tags"), &cause);
	if (cause != NULL) {
		json_object_set_new(r, "result", json_string("invalid"));
		json_object_set_new(r, "reason", json_string(cause));
		free(cause);
		free(tags);
		return (r);
	}
	/* The name is a hint (a title made tame): made free if taken. */
	newname = change_free_name(conf, name, url, names);
	ch = conf_change_get(v, n, newname);
	ch->url = xstrdup(url);
	free(ch->tags_add);
	ch->tags_add = tags;
	ch->added = time(NULL);
	/* The maps borrow their keys: the batch owns them (owned). */
	*owned = xreallocarray(*owned, *nowned + 3, sizeof(**owned));
	(*owned)[(*nowned)++] = newname;
	(*owned)[(*nowned)++] = xstrdup(url);
	strmap_put(names, newname, newname);
	strmap_put(urls, (*owned)[*nowned - 1], newname);
	json_object_set_new(r, "name", json_string(newname));
	json_object_set_new(r, "result", json_string("added"));
	return (r);
}

/*
 * import: feeds (an OPML file's outlines, read by feedmuxctl, in batches)
 * are added as "add --force" would, without polling each first: they are
 * polled as the schedule spreads them.  A duplicate or a bad outline is
 * reported and skipped, never fatal.
 */
enum cmd_retval
ctl_change_import(struct ctl_client *c, json_t *args)
{
	struct conf		*conf = ctl_base_conf();
	struct conf_change	*v;
	struct strmap		 names, urls;
	json_t			*o, *results, *r;
	size_t			 n, i, counts[3] = { 0, 0, 0 }, nowned = 0;
	const char		*result;
	char			**owned = NULL;

	v = conf_change_copy(conf, &n);
	strmap_init(&names);
	strmap_init(&urls);
	results = json_array();
	json_array_foreach(json_object_get(args, "feeds"), i, o) {
		r = change_import_one(conf, o, &v, &n, &names, &urls, &owned,
		    &nowned);
		result = json_string_value(json_object_get(r, "result"));
		counts[strcmp(result, "added") == 0 ? 0 :
		    strcmp(result, "duplicate") == 0 ? 1 : 2]++;
		json_array_append_new(results, r);
	}
	strmap_free(&names);
	strmap_free(&urls);
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	if (counts[0] == 0) {
		conf_change_free(v, n);
		ctl_reply_ok(c, json_pack("{s:I, s:I, s:I, s:o}", "added",
		    (json_int_t)0, "duplicates", (json_int_t)counts[1],
		    "invalid", (json_int_t)counts[2], "results", results));
		return (CMD_OK);
	}
	return (change_apply(c, "import", v, n, json_pack("{s:I, s:I, s:I, "
	    "s:o}", "added", (json_int_t)counts[0], "duplicates",
	    (json_int_t)counts[1], "invalid", (json_int_t)counts[2],
	    "results", results)));
}

/* export: every feed, for feedmuxctl to write as OPML. */
enum cmd_retval
ctl_change_export(struct ctl_client *c, json_t *args)
{
	struct conf_feed	*cf;
	struct feed		*f;
	json_t			*a = json_array(), *tags;
	size_t			 i;

	TAILQ_FOREACH(cf, &ctl_base_conf()->feeds, entry) {
		tags = json_array();
		for (i = 0; i < cf->ntags; i++)
			json_array_append_new(tags, json_string(cf->tags[i]));
		f = feed_find(cf->name);
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:s, s:b, "
		    "s:s?, s:s?}", "name", cf->name, "url", cf->url,
		    "tags", tags, "origin", cf->runtime ? "runtime" : "file",
		    "paused", cf->paused, "title", f != NULL ?
		    f->state.title : NULL, "link", f != NULL ?
		    f->state.link : NULL));
	}
	ctl_reply_ok(c, json_pack("{s:o}", "feeds", a));
	return (CMD_OK);
}
