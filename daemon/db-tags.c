/*
 * db-tags.c: which entries each tag serves.  The tag map follows the
 * configuration (db_sync_conf): a tag's members are the entries of the
 * feeds carrying it plus those its include rules match, minus those an
 * exclude matches (rules.c).  Membership is stored in tag_entries as
 * entries are stored, and computed again over the whole store when what
 * decides it (the tag's feeds and rules, its signature) changes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "db-internal.h"
#include "log.h"
#include "rules.h"
#include "text.h"
#include "util.h"
#include "xmalloc.h"

/*
 * Rules read at most this much of an entry's text: PCRE2's match limit
 * holds per start position, so a hostile 1 MB body could still cost
 * seconds against a bad pattern.
 */
#define DB_RULE_TEXT_MAX	(64 * 1024)

static int	 db_sync_tags(struct db *, const struct conf *, int);
static int	 db_tags_rebuild(struct db *, const size_t *, size_t);
static void	 db_tag_mark(struct db *, int64_t);

/*
 * Make the feeds table, the tag map and the tags' membership match the
 * configuration, and store the changes feedmuxctl laid over it.  A
 * read-only database only learns the tags it has.
 */
int
db_sync_conf(struct db *db, const struct conf *conf)
{
	if (db->readonly)
		return (db_sync_tags(db, conf, 1));
	if (db_step_done(db, ST_SAVEPOINT) != 0)
		return (-1);
	if (db_feeds_sync(db, conf) != 0 || db_changes_save(db, conf) != 0 ||
	    db_sync_tags(db, conf, 0) != 0 || db_step_done(db, ST_RELEASE) != 0)
		goto fail;
	return (0);

fail:
	/* Keep serving the tags as stored (a full disk, say). */
	db_savepoint_undo(db);
	db_sync_tags(db, conf, 1);
	return (-1);
}

static int
db_id_cmp(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

static int
db_tag_cmp(const void *a, const void *b)
{
	return (db_id_cmp(&((const struct db_tag *)a)->id,
	    &((const struct db_tag *)b)->id));
}

/* Find or make a tag's row; *sig is its stored signature (or NULL). */
static int
db_tag_row(struct db *db, const char *name, int64_t *id, char **sig)
{
	sqlite3_stmt	*st = db->st[ST_TAG_FIND];
	int		 rc;

	*sig = NULL;
	db_bind_text(st, 1, name);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*sig = db_column_text(st, 1);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_ROW)
		return (0);
	if (rc != SQLITE_DONE || db->readonly ||
	    sqlite3_get_autocommit(db->h)) {
		/* Not found, and no transaction of ours to add it in. */
		*id = 0;
		return (rc == SQLITE_DONE ? 0 : -1);
	}
	db_bind_text(db->st[ST_TAG_INSERT], 1, name);
	if (db_step_done(db, ST_TAG_INSERT) != 0)
		return (-1);
	*id = sqlite3_last_insert_rowid(db->h);
	return (0);
}

/*
 * One pass over the configured feeds: each tag learns the ids of the
 * feeds carrying it, and its signature the feeds' names (sig[i] for
 * db->tags[i], whose order is still the configuration's).
 */
static void
db_tags_feeds(struct db *db, const struct conf *conf, struct buf *sig)
{
	struct conf_feed	*cf;
	struct strmap		 index;
	struct db_tag		*t;
	int64_t			 id;
	size_t			 i, *k, *idx;

	strmap_init(&index);
	idx = xreallocarray(NULL, db->ntags > 0 ? db->ntags : 1, sizeof(*idx));
	for (i = 0; i < db->ntags; i++) {
		idx[i] = i;
		strmap_put(&index, db->tags[i].name, &idx[i]);
		buf_addstr(&sig[i], "v1\nfeeds:");
	}
	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		if (cf->ntags == 0 || db_feed_id(db, cf->name, &id) != 0)
			continue;
		for (i = 0; i < cf->ntags; i++) {
			if ((k = strmap_get(&index, cf->tags[i])) == NULL)
				continue;
			t = &db->tags[*k];
			t->feeds = xreallocarray(t->feeds, t->nfeeds + 1,
			    sizeof(*t->feeds));
			t->feeds[t->nfeeds++] = id;
			buf_addc(&sig[*k], ' ');
			buf_addstr(&sig[*k], cf->name);
		}
	}
	for (i = 0; i < db->ntags; i++) {
		t = &db->tags[i];
		if (t->nfeeds > 1)
			qsort(t->feeds, t->nfeeds, sizeof(*t->feeds),
			    db_id_cmp);
	}
	strmap_free(&index);
	free(idx);
}

/*
 * What decides a tag's membership, as text: the feeds that carry it (in
 * sig already) and its rules.  When it changes, the tag is computed
 * again.  Bump the leading version when the code's meaning of a rule
 * changes.
 */
static void
db_tag_sign_rules(struct buf *sig, const struct tag_rules *tr)
{
	size_t	i;

	for (i = 0; tr != NULL && i < tr->ninclude; i++) {
		buf_addstr(sig, "\ninclude = ");
		buf_addstr(sig, rule_text(tr->include[i]));
	}
	for (i = 0; tr != NULL && i < tr->nexclude; i++) {
		buf_addstr(sig, "\nexclude = ");
		buf_addstr(sig, rule_text(tr->exclude[i]));
	}
}

/*
 * Tags gone from the configuration: their rows and memberships go (a tag
 * named again later is computed anew).  Returns how many went, or -1.
 */
static int
db_tags_forget(struct db *db)
{
	sqlite3_stmt	*st = db->st[ST_TAG_LIST];
	struct db_tag	 key;
	int64_t		*gone = NULL;
	size_t		 n = 0, i;
	int		 rv = 0;

	while (sqlite3_step(st) == SQLITE_ROW) {
		key.id = sqlite3_column_int64(st, 0);
		if (bsearch(&key, db->tags, db->ntags, sizeof(*db->tags),
		    db_tag_cmp) != NULL)
			continue;
		gone = xreallocarray(gone, n + 1, sizeof(*gone));
		gone[n++] = key.id;
	}
	sqlite3_reset(st);
	for (i = 0; i < n && rv == 0; i++) {
		sqlite3_bind_int64(db->st[ST_MEMBER_DROP_TAG], 1, gone[i]);
		sqlite3_bind_int64(db->st[ST_TAG_DELETE], 1, gone[i]);
		if (db_step_done(db, ST_MEMBER_DROP_TAG) != 0 ||
		    db_step_done(db, ST_TAG_DELETE) != 0)
			rv = -1;
	}
	free(gone);
	return (rv == 0 ? (int)n : -1);
}

/* feed_tags mirrors the configuration, for people reading the database. */
static int
db_feed_tags_write(struct db *db, const struct conf *conf)
{
	struct conf_feed	*cf;
	size_t			 i;

	if (db_step_done(db, ST_TAGS_CLEAR) != 0)
		return (-1);
	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		for (i = 0; i < cf->ntags; i++) {
			db_bind_text(db->st[ST_TAG_ADD], 1, cf->tags[i]);
			db_bind_text(db->st[ST_TAG_ADD], 2, cf->name);
			if (db_step_done(db, ST_TAG_ADD) != 0)
				return (-1);
		}
	}
	return (0);
}

/*
 * Learn the configuration's tags, and (unless only learning) compute
 * again the membership of each whose signature changed.
 */
static int
db_sync_tags(struct db *db, const struct conf *conf, int learn)
{
	struct db_tag	*t;
	struct buf	*sig;
	size_t		*redo = NULL, nredo = 0, i;
	char		**old;
	int		 rv = 0, gone = 0;

	db_tags_free(db);
	db->wants_text = 0;
	db->tags = xcalloc(conf->ntags > 0 ? conf->ntags : 1,
	    sizeof(*db->tags));
	sig = xcalloc(conf->ntags > 0 ? conf->ntags : 1, sizeof(*sig));
	old = xcalloc(conf->ntags > 0 ? conf->ntags : 1, sizeof(*old));
	for (i = 0; i < conf->ntags && rv == 0; i++) {
		t = &db->tags[db->ntags];
		t->name = xstrdup(conf->tags[i]);
		t->rules = conf_tag_rules(conf, t->name);
		if (db_tag_row(db, t->name, &t->id, &old[i]) != 0) {
			free(t->name);
			rv = -1;
			break;
		}
		db->ntags++;
		if (t->rules != NULL)
			db->wants_text |= tag_rules_wants_text(t->rules);
	}
	if (rv == 0)
		db_tags_feeds(db, conf, sig);
	for (i = 0; i < db->ntags && rv == 0 && !learn; i++) {
		t = &db->tags[i];
		db_tag_sign_rules(&sig[i], t->rules);
		if (old[i] != NULL && strcmp(old[i], sig[i].data) == 0)
			continue;
		/* Computed again below; rendered after that either way. */
		t->dirty = 1;
		sqlite3_bind_int64(db->st[ST_TAG_SIGN], 1, t->id);
		db_bind_text(db->st[ST_TAG_SIGN], 2, sig[i].data);
		if (db_step_done(db, ST_TAG_SIGN) != 0)
			rv = -1;
	}
	for (i = 0; i < conf->ntags; i++) {
		buf_free(&sig[i]);
		free(old[i]);
	}
	free(sig);
	free(old);
	/* Sorted by id from here on; the changed ones are marked dirty. */
	qsort(db->tags, db->ntags, sizeof(*db->tags), db_tag_cmp);
	for (i = 0; i < db->ntags; i++) {
		if (db->tags[i].dirty) {
			redo = xreallocarray(redo, nredo + 1, sizeof(*redo));
			redo[nredo++] = i;
		}
	}
	if (rv == 0 && !learn && (gone = db_tags_forget(db)) < 0)
		rv = -1;
	if (rv == 0 && !learn && (nredo > 0 || gone > 0))
		rv = db_feed_tags_write(db, conf);
	if (rv == 0 && nredo > 0)
		rv = db_tags_rebuild(db, redo, nredo);
	free(redo);
	return (rv);
}

/* A tag by name (a linear search: tags are few, and rendered rarely). */
struct db_tag *
db_tag_by_name(struct db *db, const char *name)
{
	size_t	i;

	for (i = 0; i < db->ntags; i++) {
		if (strcmp(db->tags[i].name, name) == 0)
			return (&db->tags[i]);
	}
	return (NULL);
}

/* Is the entry's tag set bsearch-able for this feed? */
static int
db_tag_carried(const struct db_tag *t, int64_t feed_id)
{
	size_t	lo = 0, hi = t->nfeeds, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (t->feeds[mid] == feed_id)
			return (1);
		if (t->feeds[mid] < feed_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (0);
}

/* What the rules see of an entry; *text is made when a rule reads it. */
static void
db_subject_make(struct db *db, struct rule_subject *rs, char **text,
    const struct item *it)
{
	memset(rs, 0, sizeof(*rs));
	rs->title = it->title;
	rs->authors = it->authors;
	rs->nauthors = it->nauthors;
	rs->categories = it->categories;
	rs->ncategories = it->ncategories;
	*text = NULL;
	if (db->wants_text && (it->summary != NULL || it->content != NULL)) {
		xasprintf(text, "%s %s", it->summary != NULL ? it->summary : "",
		    it->content != NULL ? it->content : "");
		*text = text_from_html(*text);
		text_cap(*text, DB_RULE_TEXT_MAX);
	}
	rs->text = *text;
}

/*
 * Put an entry into the tags it belongs to: those of the given indices of
 * db->tags, or every tag when which is NULL.  A tag carried by the feed
 * takes it unless an exclude rule says no; any other tag only by its
 * include rules.
 */
int
db_tags_apply(struct db *db, const struct db_row *r, const size_t *which,
    size_t n)
{
	sqlite3_stmt		*st = db->st[ST_MEMBER_ADD];
	struct rule_subject	 rs;
	struct db_tag		*t;
	char			*text = NULL;
	size_t			 i;
	int			 carried, member, made = 0, rv = 0;

	if (which == NULL)
		n = db->ntags;
	for (i = 0; i < n && rv == 0; i++) {
		t = &db->tags[which != NULL ? which[i] : i];
		carried = db_tag_carried(t, r->feed_id);
		if (t->rules == NULL)
			member = carried;
		else if (!carried && t->rules->ninclude == 0)
			member = 0;
		else {
			if (!made) {
				db_subject_make(db, &rs, &text, r->it);
				made = 1;
			}
			member = tag_rules_member(t->rules, carried, &rs);
		}
		if (!member || t->id == 0)
			continue;
		sqlite3_bind_int64(st, 1, t->id);
		sqlite3_bind_int64(st, 2, r->sort_time);
		sqlite3_bind_int64(st, 3, r->id);
		sqlite3_bind_int64(st, 4, r->article);
		if ((rv = db_step_done(db, ST_MEMBER_ADD)) == 0 &&
		    sqlite3_changes(db->h) > 0) {
			t->dirty = 1;
			db->marks++;
		}
	}
	free(text);
	return (rv);
}

/*
 * Take an entry out of every tag (it is edited or pruned); the tags that
 * held it are marked dirty.  what names the caller's work in errors.  An
 * entry's rows are found by each tag's primary key: this is rare, so not
 * worth an index that every insert would pay for.
 */
int
db_tags_drop_entry(struct db *db, int64_t id, time_t sort_time,
    const char *what)
{
	sqlite3_stmt	*st = db->st[ST_MEMBER_DROP_ENTRY];
	int		 rc;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, sort_time);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		db_tag_mark(db, sqlite3_column_int64(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_error(db, what);
		return (-1);
	}
	return (0);
}

/*
 * Compute the membership of some tags (indices into db->tags) again, over
 * every stored entry, oldest first so that the first copy of an article
 * wins as it did when stored.  Runs when rules or the feeds carrying a tag
 * change; it reads the whole store, in pages of ST_ENTRY_LOAD.
 */
static int
db_tags_rebuild(struct db *db, const size_t *which, size_t n)
{
	sqlite3_stmt	*st = db->st[ST_ENTRY_LOAD];
	struct db_row	*rows = NULL;
	struct timespec	 t0, t1;
	int64_t		 last = 0, total = 0;
	size_t		 i, nrows;
	int		 rc, rv = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(db->st[ST_MEMBER_DROP_TAG], 1,
		    db->tags[which[i]].id);
		if (db_step_done(db, ST_MEMBER_DROP_TAG) != 0)
			return (-1);
		db->tags[which[i]].dirty = 1;
	}
	do {
		/* A page at a time: the statement must not stay open. */
		nrows = 0;
		sqlite3_bind_int64(st, 1, last);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			rows = xreallocarray(rows, nrows + 1, sizeof(*rows));
			db_item_load_row(st, &rows[nrows++]);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			db_error(db, "computing tags");
			rv = -1;
		}
		for (i = 0; i < nrows; i++) {
			if (rv == 0)
				rv = db_tags_apply(db, &rows[i], which, n);
			last = rows[i].id;
			item_free(rows[i].it);
		}
		total += nrows;
	} while (nrows > 0 && rv == 0);
	free(rows);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* A single tag is named in the journal too (TAG=). */
	log_fields_info(&(struct log_fields){ .tag = n == 1 ?
	    db->tags[which[0]].name : NULL },
	    "%s: tag membership of %zu tag%s computed over %lld entries "
	    "in %.0f ms", db->path, n, n == 1 ? "" : "s", (long long)total,
	    (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	return (rv);
}

/* Tags whose membership changed since the last call (names, copied). */
size_t
db_take_dirty(struct db *db, char ***names)
{
	size_t	i, n = 0;

	*names = NULL;
	for (i = 0; i < db->ntags; i++) {
		if (!db->tags[i].dirty)
			continue;
		*names = xreallocarray(*names, n + 1, sizeof(**names));
		(*names)[n++] = xstrdup(db->tags[i].name);
		db->tags[i].dirty = 0;
	}
	return (n);
}

/* How often tag membership changed since the store was opened. */
uint64_t
db_tag_changes(struct db *db)
{
	return (db->marks);
}

/* Note that a tag's membership changed (by its row id). */
static void
db_tag_mark(struct db *db, int64_t id)
{
	struct db_tag	key, *t;

	key.id = id;
	t = bsearch(&key, db->tags, db->ntags, sizeof(*db->tags), db_tag_cmp);
	if (t != NULL) {
		t->dirty = 1;
		db->marks++;
	}
}
