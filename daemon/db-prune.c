/*
 * db-prune.c: retention.  A feed keeps at most keep_entries entries and
 * none older than keep_days (by the date it sorts by).  A pruned entry
 * leaves a tombstone (feed, key of its uid; and of its link and title) so
 * that the next poll, whose document may still carry it, does not add it
 * again; tombstones not seen for DB_TOMB_TTL go.  When the copy a tag
 * showed for an article goes, the next copy takes its place.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db-internal.h"
#include "xmalloc.h"

/* A tombstone the feed no longer carries is forgotten after this. */
#define DB_TOMB_TTL	(30 * 86400)

/*
 * An entry to prune, with the keys its tombstone is found by: its uid, and
 * its link with and without its title, so that it stays out whichever
 * identity its feed uses next (db-store.c's db_keys_make).
 */
struct db_victim {
	int64_t		 id;
	int64_t		 keys[3];
	int64_t		 article;
	int64_t		 sort_time;
};

static int	db_prune_pick(struct db *, int64_t, long, int64_t,
		    struct db_victim **, size_t *);
static int	db_prune_one(struct db *, int64_t, const struct db_victim *,
		    time_t);
static int	db_prune_drop(struct db *, int64_t, const struct db_victim *,
		    size_t, time_t);
static int	db_rehome(struct db *, int64_t);

/* The entries of a feed past keep (0: no limit), or older than cutoff. */
static int
db_prune_pick(struct db *db, int64_t feed_id, long keep, int64_t cutoff,
    struct db_victim **out, size_t *n)
{
	sqlite3_stmt		*st = db->st[ST_PRUNE_PICK];
	struct db_victim	*v;
	const char		*link;
	char			*norm;
	int			 rc;

	*out = NULL;
	*n = 0;
	sqlite3_bind_int64(st, 1, feed_id);
	sqlite3_bind_int64(st, 2, keep);
	sqlite3_bind_int64(st, 3, cutoff);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		v = &(*out)[(*n)++];
		v->id = sqlite3_column_int64(st, 0);
		v->keys[0] = (int64_t)db_key("uid",
		    (const char *)sqlite3_column_text(st, 1));
		v->keys[1] = sqlite3_column_int64(st, 2);
		v->keys[2] = 0;
		if ((link = (const char *)sqlite3_column_text(st, 4)) != NULL) {
			norm = db_link_normalize(link);
			v->keys[2] = (int64_t)db_key("alt-link", norm);
			free(norm);
		}
		v->article = sqlite3_column_int64(st, 3);
		v->sort_time = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		db_error(db, "choosing entries to prune");
		return (-1);
	}
	return (0);
}

/* Remove one entry: tombstones, tag rows, then the row. */
static int
db_prune_one(struct db *db, int64_t feed_id, const struct db_victim *v,
    time_t now)
{
	int	i;

	for (i = 0; i < 3; i++) {
		if (v->keys[i] == 0)
			continue;
		sqlite3_bind_int64(db->st[ST_TOMB_ADD], 1, feed_id);
		sqlite3_bind_int64(db->st[ST_TOMB_ADD], 2, v->keys[i]);
		sqlite3_bind_int64(db->st[ST_TOMB_ADD], 3, now);
		if (db_step_done(db, ST_TOMB_ADD) != 0)
			return (-1);
	}
	if (db_tags_drop_entry(db, v->id, v->sort_time, "pruning") != 0)
		return (-1);
	sqlite3_bind_int64(db->st[ST_ENTRY_DELETE], 1, v->id);
	return (db_step_done(db, ST_ENTRY_DELETE));
}

/* Let the remaining copies of an article take the tags it had. */
static int
db_rehome(struct db *db, int64_t article)
{
	sqlite3_stmt	*st = db->st[ST_ARTICLE_COPIES];
	struct db_row	*rows = NULL;
	size_t		 n = 0, i;
	int		 rc, rv = 0;

	sqlite3_bind_int64(st, 1, article);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rows = xreallocarray(rows, n + 1, sizeof(*rows));
		db_item_load_row(st, &rows[n++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_error(db, "pruning");
		rv = -1;
	}
	for (i = 0; i < n; i++) {
		if (rv == 0)
			rv = db_tags_apply(db, &rows[i], NULL, 0);
		item_free(rows[i].it);
	}
	free(rows);
	return (rv);
}

/*
 * Prune one feed to its limits (keep: entries, days: age; 0 is no limit),
 * all or nothing.  *pruned is how many went, *left how many stay.
 */
int
db_prune(struct db *db, const char *name, long keep, long days,
    int64_t *pruned, int64_t *left)
{
	struct db_victim	*v;
	sqlite3_stmt		*st;
	int64_t			 feed_id;
	time_t			 now = time(NULL);
	size_t			 n;

	*pruned = 0;
	*left = -1;
	if (keep == 0 && days == 0)
		return (0);
	if (db_feed_id(db, name, &feed_id) != 0)
		return (0);
	if (db_prune_pick(db, feed_id, keep, days > 0 ? now - days * 86400 :
	    0, &v, &n) != 0)
		return (-1);
	if (n == 0) {
		free(v);
		return (0);
	}
	if (db_step_done(db, ST_SAVEPOINT) != 0) {
		free(v);
		return (-1);
	}
	if (db_prune_drop(db, feed_id, v, n, now) != 0)
		goto fail;
	st = db->st[ST_FEED_ENTRIES_ADD];
	sqlite3_bind_int64(st, 1, feed_id);
	sqlite3_bind_int64(st, 2, -(int64_t)n);
	if (sqlite3_step(st) == SQLITE_ROW)
		*left = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (db_step_done(db, ST_RELEASE) != 0)
		goto fail;
	free(v);
	*pruned = n;
	return (0);

fail:
	db_savepoint_undo(db);
	free(v);
	return (-1);
}

/* Drop the entries picked, and let other copies take their tags. */
static int
db_prune_drop(struct db *db, int64_t feed_id, const struct db_victim *v,
    size_t n, time_t now)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (db_prune_one(db, feed_id, &v[i], now) != 0)
			return (-1);
	}
	for (i = 0; i < n; i++) {
		if (db_rehome(db, v[i].article) != 0)
			return (-1);
	}
	return (0);
}

/*
 * Forget a feed no longer configured: its entries (their copies in other
 * feeds take their tags), its tombstones and its row, all or nothing.
 * 1 if nothing of it is stored; *forgotten is how many entries went.
 */
int
db_forget(struct db *db, const char *name, int64_t *forgotten)
{
	struct db_victim	*v;
	int64_t			 feed_id;
	size_t			 n;
	enum db_stmt		 del[] = { ST_FEED_FORGET_TOMBS,
				    ST_FEED_FORGET_TAGS, ST_FEED_DELETE };
	size_t			 i;

	*forgotten = 0;
	if (db_feed_id(db, name, &feed_id) != 0)
		return (1);
	if (db_prune_pick(db, feed_id, 0, INT64_MAX, &v, &n) != 0)
		return (-1);
	if (db_step_done(db, ST_SAVEPOINT) != 0) {
		free(v);
		return (-1);
	}
	if (db_prune_drop(db, feed_id, v, n, time(NULL)) != 0)
		goto fail;
	for (i = 0; i < sizeof(del) / sizeof(del[0]); i++) {
		sqlite3_bind_int64(db->st[del[i]], 1, feed_id);
		if (db_step_done(db, del[i]) != 0)
			goto fail;
	}
	if (db_step_done(db, ST_RELEASE) != 0)
		goto fail;
	free(v);
	*forgotten = n;
	return (0);

fail:
	db_savepoint_undo(db);
	free(v);
	return (-1);
}

/* Forget tombstones no feed has carried for a while; returns how many. */
int64_t
db_prune_tombstones(struct db *db)
{
	sqlite3_bind_int64(db->st[ST_TOMB_EXPIRE], 1, time(NULL) - DB_TOMB_TTL);
	if (db_step_done(db, ST_TOMB_EXPIRE) != 0)
		return (-1);
	return (sqlite3_changes(db->h));
}
