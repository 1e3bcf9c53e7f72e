/*
 * db.c: the store's connection: its settings, the prepared statements,
 * transactions, errors, and the helpers every db file runs its statements
 * with (db-schema.c opens it).
 *
 * WAL mode, every statement prepared once at open and bound.  All SQL the
 * store runs is in db_sql, by the name its users know it by.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db-internal.h"
#include "log.h"
#include "xmalloc.h"

/* What a tag's entries are read with (db-read.c reads the columns). */
#define TAG_ITEMS_SELECT \
	"SELECT e.id, e.guid, e.uid, e.title, e.link, e.authors, "	\
	"e.summary, e.content, e.published, e.updated, te.sort_time, "	\
	"f.name, f.title, f.link, f.url, e.enclosures, e.image, "	\
	"e.changed, e.categories "					\
	"FROM tag_entries te JOIN entries e ON e.id = te.entry_id "	\
	"JOIN feeds f ON f.id = e.feed_id "

static const char *db_sql[ST_MAX] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	/*
	 * Each feed's update is a savepoint: all or nothing on its own,
	 * inside the worker's batch transaction or alone.
	 */
	[ST_SAVEPOINT] = "SAVEPOINT feed",
	[ST_RELEASE] = "RELEASE feed",
	[ST_ROLLBACK_TO] = "ROLLBACK TO feed",
	/* A new configured URL forgets validators and redirects. */
	[ST_FEED_UPSERT] =
	    "INSERT INTO feeds (name, url) VALUES (?1, ?2) "
	    "ON CONFLICT (name) DO UPDATE SET url = excluded.url, "
	    "etag = CASE WHEN url = excluded.url THEN etag END, "
	    "last_modified = CASE WHEN url = excluded.url THEN last_modified "
	    "END, "
	    "adopted_url = CASE WHEN url = excluded.url THEN adopted_url END, "
	    "pending_url = CASE WHEN url = excluded.url THEN pending_url END "
	    "WHERE url IS NOT excluded.url",
	[ST_FEED_ID] = "SELECT id FROM feeds WHERE name = ?1",
	[ST_FEED_NAMES] = "SELECT name FROM feeds ORDER BY id",
	/* What a store can skip: lookups in an empty feed, tombstones. */
	[ST_FEED_STORE_INFO] =
	    "SELECT f.id, "
	    "EXISTS (SELECT 1 FROM entries e WHERE e.feed_id = f.id), "
	    "EXISTS (SELECT 1 FROM tombstones t WHERE t.feed_id = f.id) "
	    "FROM feeds f WHERE f.name = ?1",
	[ST_TAGS_CLEAR] = "DELETE FROM feed_tags",
	[ST_TAG_ADD] =
	    "INSERT OR IGNORE INTO feed_tags (tag, feed_id) "
	    "SELECT ?1, id FROM feeds WHERE name = ?2",
	[ST_STATE_LOAD] =
	    "SELECT last_poll, last_success, last_change, next_poll, "
	    "http_status, error_stage, error, failures, etag, last_modified, "
	    "title, link, entries, next_reason, gone, retry_after, last_full, "
	    "weekly, ttl, skip_hours, skip_days, sy_seconds, cache_until, "
	    "cache_reason, adopted_url, pending_url, pending_since, requests, "
	    "conditional, not_modified, bytes_received, bytes_saved, "
	    "last_body_size, identity, rotated, new_entries "
	    "FROM feeds WHERE name = ?1",
	/* The entry count is the store's: db_store and db_prune keep it. */
	[ST_STATE_SAVE] =
	    "UPDATE feeds SET last_poll = ?2, last_success = ?3, "
	    "last_change = ?4, next_poll = ?5, http_status = ?6, "
	    "error_stage = ?7, error = ?8, failures = ?9, etag = ?10, "
	    "last_modified = ?11, identity = ?12, next_reason = ?13, "
	    "gone = ?14, retry_after = ?15, last_full = ?16, weekly = ?17, "
	    "ttl = ?18, skip_hours = ?19, skip_days = ?20, sy_seconds = ?21, "
	    "cache_until = ?22, cache_reason = ?23, adopted_url = ?24, "
	    "pending_url = ?25, pending_since = ?26, requests = ?27, "
	    "conditional = ?28, not_modified = ?29, bytes_received = ?30, "
	    "bytes_saved = ?31, last_body_size = ?32, rotated = ?33, "
	    "new_entries = ?34 WHERE name = ?1",
	[ST_FEED_META] =
	    "UPDATE feeds SET title = ?2, link = ?3 WHERE id = ?1 AND "
	    "(title IS NOT ?2 OR link IS NOT ?3)",
	[ST_FEED_ENTRIES_ADD] =
	    "UPDATE feeds SET entries = max(entries + ?2, 0) WHERE id = ?1 "
	    "RETURNING entries",
	[ST_ENTRY_FIND] =
	    "SELECT id, content_hash, coalesce(article, id), sort_time "
	    "FROM entries WHERE feed_id = ?1 AND uid = ?2",
	[ST_ENTRY_FIND_ALT] =
	    "SELECT id, content_hash, coalesce(article, id), sort_time "
	    "FROM entries WHERE feed_id = ?1 AND alt_key = ?2 "
	    "ORDER BY id LIMIT 1",
	[ST_ENTRY_INSERT] =
	    "INSERT INTO entries (feed_id, uid, guid, title, link, author, "
	    "summary, content, published, updated, first_seen, sort_time, "
	    "authors, enclosures, image, content_hash, alt_key, categories) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14, ?15, ?16, ?17, ?18)",
	/* first_seen and sort_time stay: an edit does not move an entry. */
	[ST_ENTRY_UPDATE] =
	    "UPDATE entries SET uid = ?2, guid = ?3, title = ?4, link = ?5, "
	    "author = ?6, summary = ?7, content = ?8, published = ?9, "
	    "updated = ?10, authors = ?13, enclosures = ?14, image = ?15, "
	    "content_hash = ?16, alt_key = ?17, categories = ?18, "
	    "changed = ?11 WHERE id = ?1",
	[ST_ENTRY_REKEY] =
	    "UPDATE entries SET uid = ?2, content_hash = ?3, alt_key = ?4, "
	    "article = ?5 WHERE id = ?1",
	[ST_ENTRY_LOAD] =
	    "SELECT id, feed_id, coalesce(article, id), sort_time, title, "
	    "summary, content, authors, categories FROM entries "
	    "WHERE id > ?1 ORDER BY id LIMIT 256",
	[ST_ENTRY_DELETE] = "DELETE FROM entries WHERE id = ?1",
	[ST_KEY_FIND] =
	    "SELECT article, feed_id FROM article_keys WHERE key = ?1",
	[ST_KEY_ADD] =
	    "INSERT OR IGNORE INTO article_keys (key, article, feed_id) "
	    "VALUES (?1, ?2, ?3)",
	[ST_TOMB_FIND] =
	    "SELECT seen FROM tombstones WHERE feed_id = ?1 AND key = ?2",
	[ST_TOMB_SEEN] =
	    "UPDATE tombstones SET seen = ?3 WHERE feed_id = ?1 AND key = ?2",
	[ST_TOMB_ADD] =
	    "INSERT OR REPLACE INTO tombstones (feed_id, key, seen) "
	    "VALUES (?1, ?2, ?3)",
	[ST_TOMB_EXPIRE] = "DELETE FROM tombstones WHERE seen < ?1",
	/* The first copy of an article in a tag wins (first seen first). */
	[ST_MEMBER_ADD] =
	    "INSERT OR IGNORE INTO tag_entries (tag_id, sort_time, entry_id, "
	    "article) VALUES (?1, ?2, ?3, ?4)",
	/*
	 * An entry's rows, by the primary key of each tag: rare (edits,
	 * pruning), so not worth an index that every insert would pay for.
	 */
	[ST_MEMBER_DROP_ENTRY] =
	    "DELETE FROM tag_entries WHERE tag_id IN (SELECT id FROM tags) "
	    "AND sort_time = ?2 AND entry_id = ?1 RETURNING tag_id",
	[ST_MEMBER_DROP_TAG] = "DELETE FROM tag_entries WHERE tag_id = ?1",
	[ST_TAG_FIND] = "SELECT id, signature FROM tags WHERE name = ?1",
	[ST_TAG_INSERT] = "INSERT INTO tags (name) VALUES (?1)",
	[ST_TAG_SIGN] = "UPDATE tags SET signature = ?2 WHERE id = ?1",
	[ST_TAG_LIST] = "SELECT id FROM tags",
	[ST_TAG_DELETE] = "DELETE FROM tags WHERE id = ?1",
	/*
	 * A tag's newest entries: a range scan of tag_entries' primary key,
	 * then one lookup per entry (tests/unit/test-db.c checks the plan).
	 */
	[ST_TAG_ITEMS] = TAG_ITEMS_SELECT
	    "WHERE te.tag_id = ?1 "
	    "ORDER BY te.sort_time DESC, te.entry_id DESC LIMIT ?2",
	/* A page of a tag's entries older than the cursor (?3, ?4). */
	[ST_TAG_PAGE] = TAG_ITEMS_SELECT
	    "WHERE te.tag_id = (SELECT id FROM tags WHERE name = ?1) "
	    "AND (te.sort_time, te.entry_id) < (?3, ?4) "
	    "ORDER BY te.sort_time DESC, te.entry_id DESC LIMIT ?2",
	[ST_WEEKLY] =
	    "SELECT count(*) FROM entries WHERE feed_id = ?1 AND "
	    "sort_time > ?2",
	/* Past the newest ?2 of a feed (0: no limit), or older than ?3. */
	[ST_PRUNE_PICK] =
	    "SELECT id, uid, alt_key, coalesce(article, id), link, sort_time "
	    "FROM entries "
	    "WHERE feed_id = ?1 AND (sort_time < ?3 OR (?2 > 0 AND id IN ("
	    "  SELECT id FROM entries WHERE feed_id = ?1 "
	    "  ORDER BY sort_time DESC, id DESC LIMIT -1 OFFSET ?2)))",
	[ST_ARTICLE_COPIES] =
	    "SELECT id, feed_id, coalesce(article, id), sort_time, title, "
	    "summary, content, authors, categories FROM entries "
	    "WHERE id = ?1 OR article = ?1 ORDER BY id",
	[ST_ALT_LIST] =
	    "SELECT id, link, title FROM entries WHERE feed_id = ?1",
	[ST_ALT_SET] = "UPDATE entries SET alt_key = ?2 WHERE id = ?1",
	[ST_CHANGES_LIST] =
	    "SELECT name, url, tags_add, tags_remove, interval, paused, added "
	    "FROM feed_changes ORDER BY added, name",
	[ST_CHANGES_CLEAR] = "DELETE FROM feed_changes",
	[ST_CHANGE_ADD] =
	    "INSERT INTO feed_changes (name, url, tags_add, tags_remove, "
	    "interval, paused, added) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_FEED_FORGET_TOMBS] = "DELETE FROM tombstones WHERE feed_id = ?1",
	[ST_FEED_FORGET_TAGS] = "DELETE FROM feed_tags WHERE feed_id = ?1",
	[ST_FEED_DELETE] = "DELETE FROM feeds WHERE id = ?1",
};

/* A statement's SQL (for EXPLAIN in tests). */
const char *
db_stmt_sql(enum db_stmt id)
{
	return (db_sql[id]);
}

/*
 * Log a database error once, not once per feed: a full disk or a
 * read-only file would otherwise log every poll of every feed.
 */
void
db_error(struct db *db, const char *what)
{
	const char	*msg = sqlite3_errmsg(db->h);

	if (db->last_error != NULL && strcmp(db->last_error, msg) == 0)
		return;
	free(db->last_error);
	db->last_error = xstrdup(msg);
	log_warnx("%s: %s%s%s", db->path, what != NULL ? what : "",
	    what != NULL ? ": " : "", msg);
}

/* The last error, for a feed's status ("database or disk is full"). */
const char *
db_last_error(struct db *db)
{
	return (db->last_error != NULL ? db->last_error : "database error");
}

/* SQL that returns no rows; a failure is logged. */
int
db_exec(struct db *db, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_warnx("%s: %s", db->path, err ? err : "unknown error");
		sqlite3_free(err);
		return (-1);
	}
	return (0);
}

/* Prepare every statement of db_sql (once the schema is the newest). */
int
db_prepare(struct db *db, char **cause)
{
	int	i;

	for (i = 0; i < ST_MAX; i++) {
		if (db->st[i] != NULL)
			continue;
		if (sqlite3_prepare_v3(db->h, db_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->st[i], NULL) != SQLITE_OK) {
			xasprintf(cause, "%s: preparing statement %d: %s",
			    db->path, i, sqlite3_errmsg(db->h));
			return (-1);
		}
	}
	return (0);
}

/* Forget the tag map (db-tags.c makes it). */
void
db_tags_free(struct db *db)
{
	size_t	i;

	for (i = 0; i < db->ntags; i++) {
		free(db->tags[i].name);
		free(db->tags[i].feeds);
	}
	free(db->tags);
	db->tags = NULL;
	db->ntags = 0;
}

/* Whether the store may not be written (it is served as it is). */
int
db_readonly(const struct db *db)
{
	return (db->readonly);
}

void
db_close(struct db *db)
{
	int	i;

	if (db == NULL)
		return;
	for (i = 0; i < ST_MAX; i++)
		sqlite3_finalize(db->st[i]);
	if (db->h != NULL && sqlite3_close(db->h) != SQLITE_OK)
		log_warnx("%s: close: %s", db->path, sqlite3_errmsg(db->h));
	db_tags_free(db);
	free(db->last_error);
	free(db->path);
	free(db);
}

/* Settings the store takes from a configuration. */
void
db_configure(struct db *db, const struct conf *conf)
{
	sqlite3_stmt	*st;
	char		 sql[64];
	long long	 pages = 2147483647LL, page_size = 4096;

	db->clock_skew = conf->clock_skew;
	db->max_backdate = conf->max_backdate;
	if (sqlite3_prepare_v2(db->h, "PRAGMA page_size", -1, &st,
	    NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			page_size = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	/* A cap on the file gives the error a full disk would (SQLITE_FULL). */
	if (conf->max_database_size > 0 && page_size > 0)
		pages = conf->max_database_size / page_size;
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
	    pages > 0 ? pages : 1);
	db_exec(db, sql);
}

/* Run a statement that returns no rows; reset it either way. */
int
db_step_done(struct db *db, enum db_stmt id)
{
	sqlite3_stmt	*st = db->st[id];
	int		 rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_error(db, NULL);
		return (-1);
	}
	return (0);
}

void
db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

char *
db_column_text(sqlite3_stmt *st, int i)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	return (s != NULL ? xstrdup((const char *)s) : NULL);
}

/*
 * Undo and close the current savepoint, quietly: the error that made us
 * undo is the one to report.  On a full disk SQLite may have rolled back
 * the whole transaction already; then there is nothing to undo.
 */
void
db_savepoint_undo(struct db *db)
{
	int	i;

	if (sqlite3_get_autocommit(db->h))
		return;
	for (i = 0; i < 2; i++) {
		sqlite3_step(db->st[i == 0 ? ST_ROLLBACK_TO : ST_RELEASE]);
		sqlite3_reset(db->st[i == 0 ? ST_ROLLBACK_TO : ST_RELEASE]);
	}
}

/* Is a transaction open (false after SQLite rolled one back itself)? */
int
db_in_transaction(struct db *db)
{
	return (!sqlite3_get_autocommit(db->h));
}

/*
 * The worker's batch: the updates of every job taken off the queue
 * together commit once, which makes a cycle of 10,000 polls thousands of
 * times cheaper than a commit per feed.  Each feed's update stays atomic
 * (a savepoint), and no job is answered, nor any entry served, before its
 * batch commits.
 */
int
db_begin(struct db *db)
{
	return (db_step_done(db, ST_BEGIN));
}

int
db_commit(struct db *db)
{
	if (db_step_done(db, ST_COMMIT) == 0)
		return (0);
	if (db_in_transaction(db)) {
		sqlite3_step(db->st[ST_ROLLBACK]);
		sqlite3_reset(db->st[ST_ROLLBACK]);
	}
	return (-1);
}

/* Rows changed since the connection opened (tests count writes). */
int64_t
db_total_changes(struct db *db)
{
	return (sqlite3_total_changes64(db->h));
}

