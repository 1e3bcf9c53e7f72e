/*
 * conf-change.c: what feedmuxctl changed, laid over the configuration
 * file.  Feeds added at run time, paused feeds and tag changes live in
 * the database (db-changes.c), not in the file: the file stays the
 * admin's, and a reload reads it again and lays the same changes over it,
 * so neither clobbers the other.  A feed of the file wins over one added
 * at run time under the same name; the added one waits, unused.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

static void	conf_change_one(struct conf *, struct strmap *,
		    const struct conf_change *);
static int	conf_list_has(const char *, const char *);
static char	*conf_list_edit(const char *, const char *, int);

/*
 * Lay changes (taken: the conf frees them) over a conf not yet shared.
 * Feeds are found by name through a map: with thousands of runtime feeds
 * a walk of the list per change would cost seconds.
 */
void
conf_change_apply(struct conf *conf, struct conf_change *v, size_t n)
{
	struct strmap		 names;
	struct conf_feed	*cf;
	size_t			 i;

	conf_change_free(conf->changes, conf->nchanges);
	conf->changes = v;
	conf->nchanges = n;
	strmap_init(&names);
	TAILQ_FOREACH(cf, &conf->feeds, entry)
		strmap_put(&names, cf->name, cf);
	for (i = 0; i < n; i++)
		conf_change_one(conf, &names, &v[i]);
	strmap_free(&names);
	conf_tags_update(conf);
}

static void
conf_change_one(struct conf *conf, struct strmap *names,
    const struct conf_change *ch)
{
	struct conf_feed	*cf;
	char			*cause;
	size_t			 i, j;

	cf = strmap_get(names, ch->name);
	if (ch->url != NULL) {
		if (cf != NULL) {
			log_warnx("feed %s added at run time is now also in "
			    "%s, line %d; that one is used", ch->name,
			    conf->path, cf->line);
			return;
		}
		if ((cf = conf_feed_add(conf, ch->name, ch->url, ch->interval,
		    &cause)) != NULL)
			strmap_put(names, cf->name, cf);
		if (cf == NULL ||
		    conf_feed_set_tags(cf, ch->tags_add, &cause) != 0) {
			/* The file changed what it allows (file://, say). */
			log_warnx("feed %s added at run time is left out: %s",
			    ch->name, cause);
			free(cause);
			return;
		}
	} else if (cf == NULL)
		return;		/* gone from the file: kept for its return */
	else if (conf_feed_set_tags(cf, ch->tags_add, &cause) != 0) {
		log_warnx("feed %s: tags added at run time: %s", ch->name,
		    cause);
		free(cause);
	}
	for (i = j = 0; i < cf->ntags; i++) {
		if (conf_list_has(ch->tags_remove, cf->tags[i]))
			free(cf->tags[i]);
		else
			cf->tags[j++] = cf->tags[i];
	}
	cf->ntags = j;
	/* Paused is not polled, as enabled = no; feed_json tells which. */
	cf->paused = ch->paused;
	if (ch->paused)
		cf->enabled = 0;
}

/* A copy of conf's changes, to edit and apply to the next conf. */
struct conf_change *
conf_change_copy(const struct conf *conf, size_t *n)
{
	struct conf_change	*v;
	size_t			 i;

	v = xcalloc(conf->nchanges + 1, sizeof(*v));
	for (i = 0; i < conf->nchanges; i++) {
		v[i] = conf->changes[i];
		v[i].name = xstrdup(conf->changes[i].name);
		if (v[i].url != NULL)
			v[i].url = xstrdup(v[i].url);
		v[i].tags_add = xstrdup(v[i].tags_add);
		v[i].tags_remove = xstrdup(v[i].tags_remove);
	}
	*n = conf->nchanges;
	return (v);
}

/* The change for a feed, made (empty) if it has none yet. */
struct conf_change *
conf_change_get(struct conf_change **v, size_t *n, const char *name)
{
	struct conf_change	*ch;
	size_t			 i;

	for (i = 0; i < *n; i++) {
		if (strcmp((*v)[i].name, name) == 0)
			return (&(*v)[i]);
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	ch = &(*v)[(*n)++];
	memset(ch, 0, sizeof(*ch));
	ch->name = xstrdup(name);
	ch->tags_add = xstrdup("");
	ch->tags_remove = xstrdup("");
	return (ch);
}

/* Forget the change for a feed (a runtime feed is then gone). */
void
conf_change_drop(struct conf_change *v, size_t *n, const char *name)
{
	size_t	i;

	for (i = 0; i < *n; i++) {
		if (strcmp(v[i].name, name) != 0)
			continue;
		free(v[i].name);
		free(v[i].url);
		free(v[i].tags_add);
		free(v[i].tags_remove);
		memmove(&v[i], &v[i + 1], (*n - i - 1) * sizeof(*v));
		(*n)--;
		return;
	}
}

/* Whether a comma-separated list holds tag. */
static int
conf_list_has(const char *list, const char *tag)
{
	size_t	len = strlen(tag);
	const char *p;

	for (p = list; p != NULL && *p != '\0'; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, tag, len) == 0 && (p[len] == ',' ||
		    p[len] == '\0'))
			return (1);
	}
	return (0);
}

/* The list with tag added (add) or taken out, in a new string. */
static char *
conf_list_edit(const char *list, const char *tag, int add)
{
	struct buf	 b;
	char		*copy, *p, *t;

	buf_init(&b);
	copy = xstrdup(list);
	p = copy;
	while ((t = strsep(&p, ",")) != NULL) {
		if (*t == '\0' || strcmp(t, tag) == 0)
			continue;
		if (b.len > 0)
			buf_addstr(&b, ",");
		buf_addstr(&b, t);
	}
	if (add) {
		if (b.len > 0)
			buf_addstr(&b, ",");
		buf_addstr(&b, tag);
	}
	free(copy);
	return (buf_steal(&b));
}

/*
 * Apply "+T" and "-T" words to a feed's change.  A runtime feed's tags
 * are its list; for a feed of the file we keep what to add to the file's
 * tags and what to take away from them.
 */
int
conf_change_tags(struct conf_change *ch, const char *const *words,
    size_t n, char **cause)
{
	const char	*t;
	char		*s, *lower;
	size_t		 i;
	int		 add;

	for (i = 0; i < n; i++) {
		if (words[i][0] != '+' && words[i][0] != '-') {
			xasprintf(cause, "\"%s\": write +TAG to add a tag, "
			    "-TAG to take one away", words[i]);
			return (-1);
		}
		add = words[i][0] == '+';
		if ((lower = conf_tag_name(words[i] + 1, cause)) == NULL)
			return (-1);
		t = lower;
		s = conf_list_edit(ch->tags_add, t, add);
		free(ch->tags_add);
		ch->tags_add = s;
		s = conf_list_edit(ch->tags_remove, t, !add &&
		    ch->url == NULL);
		free(ch->tags_remove);
		ch->tags_remove = s;
		free(lower);
	}
	return (0);
}
