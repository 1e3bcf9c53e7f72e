/*
 * db.c: the SQLite store.
 *
 * One connection, used by one thread at a time: main() during start-up,
 * then only the worker thread.  WAL mode, versioned schema (PRAGMA
 * user_version, one migration per version), every statement prepared once
 * at open and bound, one transaction per stored feed update.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "feedmux.h"

/*
 * Migrations: entry N takes the schema from version N to N + 1.  Never edit
 * a released entry; append a new one.
 */
static const char *db_migrations[] = {
	/* 0 -> 1: feeds, their tags, entries and entry categories. */
	"CREATE TABLE feeds ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  url TEXT NOT NULL DEFAULT '',"
	"  title TEXT, link TEXT, etag TEXT, last_modified TEXT,"
	"  last_poll INTEGER NOT NULL DEFAULT 0,"
	"  last_success INTEGER NOT NULL DEFAULT 0,"
	"  last_change INTEGER NOT NULL DEFAULT 0,"
	"  next_poll INTEGER NOT NULL DEFAULT 0,"
	"  http_status INTEGER NOT NULL DEFAULT 0,"
	"  error_stage INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  entries INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE feed_tags ("
	"  tag TEXT NOT NULL,"
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (tag, feed_id)) WITHOUT ROWID;"
	"CREATE TABLE entries ("
	"  id INTEGER PRIMARY KEY,"
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
	"  uid TEXT NOT NULL,"
	"  guid TEXT, title TEXT, link TEXT, author TEXT,"
	"  summary TEXT, content TEXT,"
	"  published INTEGER, updated INTEGER,"
	"  first_seen INTEGER NOT NULL,"
	"  sort_time INTEGER NOT NULL,"
	"  UNIQUE (feed_id, uid));"
	"CREATE INDEX entries_uid ON entries(uid);"
	"CREATE INDEX entries_link ON entries(link);"
	"CREATE INDEX entries_feed_sort ON entries(feed_id, sort_time);"
	"CREATE TABLE entry_categories ("
	"  entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,"
	"  term TEXT NOT NULL,"
	"  PRIMARY KEY (entry_id, term)) WITHOUT ROWID;",

	/* 1 -> 2: every author, enclosures and an image per entry (JSON). */
	"ALTER TABLE entries ADD COLUMN authors TEXT;"
	"ALTER TABLE entries ADD COLUMN enclosures TEXT;"
	"ALTER TABLE entries ADD COLUMN image TEXT;"
	"UPDATE entries SET authors = json_array(author) "
	"  WHERE author IS NOT NULL;",

	/* 2 -> 3: polling politely: reasons, redirects, hints, counters. */
	"ALTER TABLE feeds ADD COLUMN next_reason INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN gone INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN retry_after INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN last_full INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN weekly INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN ttl INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN skip_hours INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN skip_days INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN sy_seconds INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN cache_until INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN cache_reason INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN adopted_url TEXT;"
	"ALTER TABLE feeds ADD COLUMN pending_url TEXT;"
	"ALTER TABLE feeds ADD COLUMN pending_since INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN requests INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN conditional INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN not_modified INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN bytes_received INTEGER NOT NULL "
	"  DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN bytes_saved INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN last_body_size INTEGER NOT NULL "
	"  DEFAULT 0;",
};
#define DB_VERSION (int)(sizeof(db_migrations) / sizeof(db_migrations[0]))

enum db_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_FEED_UPSERT,
	ST_FEED_ID,
	ST_TAGS_CLEAR,
	ST_TAG_ADD,
	ST_STATE_LOAD,
	ST_STATE_SAVE,
	ST_FEED_META,
	ST_ENTRY_INSERT,
	ST_CATEGORY_INSERT,
	ST_TAG_ITEMS,
	ST_WEEKLY,
	ST_ITEM_CATEGORIES,
	ST_MAX
};

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
	    "pending_url = CASE WHEN url = excluded.url THEN pending_url END",
	[ST_FEED_ID] = "SELECT id FROM feeds WHERE name = ?1",
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
	    "last_body_size FROM feeds WHERE name = ?1",
	[ST_STATE_SAVE] =
	    "UPDATE feeds SET last_poll = ?2, last_success = ?3, "
	    "last_change = ?4, next_poll = ?5, http_status = ?6, "
	    "error_stage = ?7, error = ?8, failures = ?9, etag = ?10, "
	    "last_modified = ?11, entries = ?12, next_reason = ?13, "
	    "gone = ?14, retry_after = ?15, last_full = ?16, weekly = ?17, "
	    "ttl = ?18, skip_hours = ?19, skip_days = ?20, sy_seconds = ?21, "
	    "cache_until = ?22, cache_reason = ?23, adopted_url = ?24, "
	    "pending_url = ?25, pending_since = ?26, requests = ?27, "
	    "conditional = ?28, not_modified = ?29, bytes_received = ?30, "
	    "bytes_saved = ?31, last_body_size = ?32 WHERE name = ?1",
	[ST_FEED_META] =
	    "UPDATE feeds SET title = ?2, link = ?3 WHERE id = ?1",
	[ST_ENTRY_INSERT] =
	    "INSERT INTO entries (feed_id, uid, guid, title, link, author, "
	    "summary, content, published, updated, first_seen, sort_time, "
	    "authors, enclosures, image) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14, ?15) ON CONFLICT (feed_id, uid) DO NOTHING",
	[ST_CATEGORY_INSERT] =
	    "INSERT OR IGNORE INTO entry_categories (entry_id, term) "
	    "VALUES (?1, ?2)",
	/*
	 * A tag's entries, newest first.  The same article in two feeds of
	 * the tag (same identity, or same link) appears once, attributed to
	 * the feed that had it first.
	 */
	[ST_TAG_ITEMS] =
	    "SELECT e.id, e.guid, e.uid, e.title, e.link, e.authors, "
	    "e.summary, e.content, e.published, e.updated, e.sort_time, "
	    "f.name, f.title, f.link, f.url, e.enclosures, e.image "
	    "FROM feed_tags t JOIN entries e ON e.feed_id = t.feed_id "
	    "JOIN feeds f ON f.id = e.feed_id "
	    "WHERE t.tag = ?1 AND NOT EXISTS ("
	    "  SELECT 1 FROM entries d JOIN feed_tags dt "
	    "  ON dt.feed_id = d.feed_id AND dt.tag = ?1 "
	    "  WHERE d.feed_id <> e.feed_id "
	    "  AND (d.uid = e.uid OR d.link = e.link) "
	    "  AND (d.first_seen < e.first_seen OR "
	    "  (d.first_seen = e.first_seen AND d.id < e.id))) "
	    "ORDER BY e.sort_time DESC, e.id DESC LIMIT ?2",
	[ST_WEEKLY] =
	    "SELECT count(*) FROM entries WHERE feed_id = ?1 AND "
	    "sort_time > ?2",
	[ST_ITEM_CATEGORIES] =
	    "SELECT term FROM entry_categories WHERE entry_id = ?1 "
	    "ORDER BY term",
};

/* Dates this far in the future are lies; use first-seen instead. */
#define DB_FUTURE_SKEW	86400

struct db {
	sqlite3		*h;
	char		*path;
	sqlite3_stmt	*st[ST_MAX];
};

static int	 db_exec(struct db *, const char *);
static int	 db_migrate(struct db *, char **);
static int	 db_step_done(struct db *, enum db_stmt);
static int	 db_feed_id(struct db *, const char *, int64_t *);
static void	 db_bind_text(sqlite3_stmt *, int, const char *);
static void	 db_bind_time(sqlite3_stmt *, int, time_t);
static char	*db_column_text(sqlite3_stmt *, int);
static int	 db_store_item(struct db *, int64_t, struct item *, time_t);
static void	 db_savepoint_undo(struct db *);

const char *
stage_name(enum stage s)
{
	switch (s) {
	case STAGE_NONE:
		return ("none");
	case STAGE_FETCH:
		return ("fetch");
	case STAGE_HTTP:
		return ("http");
	case STAGE_PARSE:
		return ("parse");
	case STAGE_STORE:
		return ("store");
	}
	return ("unknown");
}

void
feed_state_clear(struct feed_state *st)
{
	free(st->error);
	free(st->etag);
	free(st->last_modified);
	free(st->title);
	free(st->link);
	free(st->adopted_url);
	free(st->pending_url);
	memset(st, 0, sizeof(*st));
}

static char *
db_strdup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

void
feed_state_copy(struct feed_state *dst, const struct feed_state *src)
{
	feed_state_clear(dst);
	*dst = *src;
	dst->error = db_strdup(src->error);
	dst->etag = db_strdup(src->etag);
	dst->last_modified = db_strdup(src->last_modified);
	dst->title = db_strdup(src->title);
	dst->link = db_strdup(src->link);
	dst->adopted_url = db_strdup(src->adopted_url);
	dst->pending_url = db_strdup(src->pending_url);
}

static int
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

static int
db_migrate(struct db *db, char **cause)
{
	int	version, i;
	char	sql[64];

	if ((version = db_schema_version(db)) < 0) {
		xasprintf(cause, "%s: %s", db->path, sqlite3_errmsg(db->h));
		return (-1);
	}
	if (version > DB_VERSION) {
		xasprintf(cause, "%s: schema version %d is newer than this "
		    "feedmuxd knows (%d)", db->path, version, DB_VERSION);
		return (-1);
	}
	for (i = version; i < DB_VERSION; i++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i + 1);
		if (db_exec(db, "BEGIN EXCLUSIVE") != 0 ||
		    db_exec(db, db_migrations[i]) != 0 ||
		    db_exec(db, sql) != 0 || db_exec(db, "COMMIT") != 0) {
			db_exec(db, "ROLLBACK");
			xasprintf(cause, "%s: migration to schema version %d "
			    "failed: %s", db->path, i + 1,
			    sqlite3_errmsg(db->h));
			return (-1);
		}
	}
	if (version == 0)
		log_info("%s: created (schema version %d)", db->path,
		    DB_VERSION);
	else if (version < DB_VERSION)
		log_info("%s: schema migrated from version %d to %d", db->path,
		    version, DB_VERSION);
	return (0);
}

int
db_schema_version(struct db *db)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return (-1);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return (v);
}

struct db *
db_open(const char *path, char **cause)
{
	struct db	*db;
	int		 i;

	db = xcalloc(1, sizeof(*db));
	db->path = xstrdup(path);
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", path, db->h != NULL ?
		    sqlite3_errmsg(db->h) : "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, 5000);
	if (db_exec(db, "PRAGMA journal_mode = WAL") != 0 ||
	    db_exec(db, "PRAGMA synchronous = NORMAL") != 0 ||
	    db_exec(db, "PRAGMA foreign_keys = ON") != 0) {
		xasprintf(cause, "%s: %s", path, sqlite3_errmsg(db->h));
		goto fail;
	}
	if (db_migrate(db, cause) != 0)
		goto fail;
	for (i = 0; i < ST_MAX; i++) {
		if (sqlite3_prepare_v3(db->h, db_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->st[i], NULL) != SQLITE_OK) {
			xasprintf(cause, "%s: preparing statement %d: %s",
			    path, i, sqlite3_errmsg(db->h));
			goto fail;
		}
	}
	return (db);

fail:
	db_close(db);
	return (NULL);
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
	free(db->path);
	free(db);
}

/* Run a statement that returns no rows; reset it either way. */
static int
db_step_done(struct db *db, enum db_stmt id)
{
	sqlite3_stmt	*st = db->st[id];
	int		 rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_warnx("%s: %s", db->path, sqlite3_errmsg(db->h));
		return (-1);
	}
	return (0);
}

static void
db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static void
db_bind_time(sqlite3_stmt *st, int i, time_t t)
{
	if (t == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, (sqlite3_int64)t);
}

static char *
db_column_text(sqlite3_stmt *st, int i)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	return (s != NULL ? xstrdup((const char *)s) : NULL);
}

static int
db_feed_id(struct db *db, const char *name, int64_t *id)
{
	sqlite3_stmt	*st = db->st[ST_FEED_ID];
	int		 rc;

	db_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return (rc == SQLITE_ROW ? 0 : -1);
}

/* Undo and close the current savepoint. */
static void
db_savepoint_undo(struct db *db)
{
	db_step_done(db, ST_ROLLBACK_TO);
	db_step_done(db, ST_RELEASE);
}

/*
 * The worker's batch: the updates of every job taken off the queue
 * together commit once, which makes a cycle of 10,000 polls thousands of
 * times cheaper than a commit per feed.  Each update stays atomic (a
 * savepoint), and no job is answered before its batch commits.
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
	db_step_done(db, ST_ROLLBACK);
	return (-1);
}

/* Make the feeds table and the tag map match the configuration. */
int
db_sync_conf(struct db *db, const struct conf *conf)
{
	struct conf_feed	*cf;
	size_t			 i;

	if (db_step_done(db, ST_SAVEPOINT) != 0)
		return (-1);
	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		db_bind_text(db->st[ST_FEED_UPSERT], 1, cf->name);
		db_bind_text(db->st[ST_FEED_UPSERT], 2, cf->url);
		if (db_step_done(db, ST_FEED_UPSERT) != 0)
			goto fail;
	}
	if (db_step_done(db, ST_TAGS_CLEAR) != 0)
		goto fail;
	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		for (i = 0; i < cf->ntags; i++) {
			db_bind_text(db->st[ST_TAG_ADD], 1, cf->tags[i]);
			db_bind_text(db->st[ST_TAG_ADD], 2, cf->name);
			if (db_step_done(db, ST_TAG_ADD) != 0)
				goto fail;
		}
	}
	if (db_step_done(db, ST_RELEASE) != 0)
		goto fail;
	return (0);

fail:
	db_savepoint_undo(db);
	return (-1);
}

int
db_state_load(struct db *db, const char *name, struct feed_state *fs)
{
	sqlite3_stmt	*st = db->st[ST_STATE_LOAD];
	int		 rc;

	feed_state_clear(fs);
	db_bind_text(st, 1, name);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fs->last_poll = sqlite3_column_int64(st, 0);
		fs->last_success = sqlite3_column_int64(st, 1);
		fs->last_change = sqlite3_column_int64(st, 2);
		fs->next_poll = sqlite3_column_int64(st, 3);
		fs->http_status = sqlite3_column_int(st, 4);
		fs->stage = sqlite3_column_int(st, 5);
		fs->error = db_column_text(st, 6);
		fs->failures = sqlite3_column_int(st, 7);
		fs->etag = db_column_text(st, 8);
		fs->last_modified = db_column_text(st, 9);
		fs->title = db_column_text(st, 10);
		fs->link = db_column_text(st, 11);
		fs->entries = sqlite3_column_int64(st, 12);
		fs->next_reason = sqlite3_column_int(st, 13);
		if (fs->next_reason < 0 || fs->next_reason >= REASON_MAX)
			fs->next_reason = REASON_INTERVAL;
		fs->gone = sqlite3_column_int(st, 14);
		fs->retry_after = sqlite3_column_int64(st, 15);
		fs->last_full = sqlite3_column_int64(st, 16);
		fs->weekly = sqlite3_column_int64(st, 17);
		fs->hints.ttl = sqlite3_column_int(st, 18);
		fs->hints.skip_hours = (uint32_t)sqlite3_column_int64(st, 19);
		fs->hints.skip_days = (uint8_t)sqlite3_column_int(st, 20);
		fs->hints.sy_seconds = sqlite3_column_int64(st, 21);
		fs->hints.cache_until = sqlite3_column_int64(st, 22);
		fs->hints.cache_reason = sqlite3_column_int(st, 23);
		if (fs->hints.cache_reason < 0 ||
		    fs->hints.cache_reason >= REASON_MAX)
			fs->hints.cache_reason = REASON_MAX_AGE;
		fs->adopted_url = db_column_text(st, 24);
		fs->pending_url = db_column_text(st, 25);
		fs->pending_since = sqlite3_column_int64(st, 26);
		fs->requests = sqlite3_column_int64(st, 27);
		fs->conditional = sqlite3_column_int64(st, 28);
		fs->not_modified = sqlite3_column_int64(st, 29);
		fs->bytes_received = sqlite3_column_int64(st, 30);
		fs->bytes_saved = sqlite3_column_int64(st, 31);
		fs->last_body_size = sqlite3_column_int64(st, 32);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return (rc == SQLITE_ROW ? 0 : -1);
}

/* Save a feed's poll state (alone, or inside db_store's transaction). */
int
db_state_save(struct db *db, const char *name, const struct feed_state *fs)
{
	sqlite3_stmt	*st = db->st[ST_STATE_SAVE];

	db_bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, fs->last_poll);
	sqlite3_bind_int64(st, 3, fs->last_success);
	sqlite3_bind_int64(st, 4, fs->last_change);
	sqlite3_bind_int64(st, 5, fs->next_poll);
	sqlite3_bind_int(st, 6, (int)fs->http_status);
	sqlite3_bind_int(st, 7, fs->stage);
	db_bind_text(st, 8, fs->error);
	sqlite3_bind_int(st, 9, fs->failures);
	db_bind_text(st, 10, fs->etag);
	db_bind_text(st, 11, fs->last_modified);
	sqlite3_bind_int64(st, 12, fs->entries);
	sqlite3_bind_int(st, 13, fs->next_reason);
	sqlite3_bind_int(st, 14, fs->gone);
	sqlite3_bind_int64(st, 15, fs->retry_after);
	sqlite3_bind_int64(st, 16, fs->last_full);
	sqlite3_bind_int64(st, 17, fs->weekly);
	sqlite3_bind_int(st, 18, fs->hints.ttl);
	sqlite3_bind_int64(st, 19, fs->hints.skip_hours);
	sqlite3_bind_int(st, 20, fs->hints.skip_days);
	sqlite3_bind_int64(st, 21, fs->hints.sy_seconds);
	sqlite3_bind_int64(st, 22, fs->hints.cache_until);
	sqlite3_bind_int(st, 23, fs->hints.cache_reason);
	db_bind_text(st, 24, fs->adopted_url);
	db_bind_text(st, 25, fs->pending_url);
	sqlite3_bind_int64(st, 26, fs->pending_since);
	sqlite3_bind_int64(st, 27, fs->requests);
	sqlite3_bind_int64(st, 28, fs->conditional);
	sqlite3_bind_int64(st, 29, fs->not_modified);
	sqlite3_bind_int64(st, 30, fs->bytes_received);
	sqlite3_bind_int64(st, 31, fs->bytes_saved);
	sqlite3_bind_int64(st, 32, fs->last_body_size);
	return (db_step_done(db, ST_STATE_SAVE));
}

/* Lists are stored as JSON text: read rarely, never queried into. */
static char *
db_json_strings(char **v, size_t n)
{
	json_t	*a;
	char	*s;
	size_t	 i;

	if (n == 0)
		return (NULL);
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return (s);
}

static char *
db_json_enclosures(struct enclosure *e, size_t n)
{
	json_t	*a;
	char	*s;
	size_t	 i;

	if (n == 0)
		return (NULL);
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:o, s:I}",
		    "url", e[i].url,
		    "type", e[i].type != NULL ? json_string(e[i].type) :
		    json_null(), "length", (json_int_t)e[i].length));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return (s);
}

static void
db_parse_authors(struct item *it, const char *text)
{
	json_t	*a, *v;
	size_t	 i;

	if (text == NULL || (a = json_loads(text, 0, NULL)) == NULL)
		return;
	json_array_foreach(a, i, v) {
		if (json_is_string(v))
			item_add_string(&it->authors, &it->nauthors,
			    PARSE_MAX_AUTHORS, json_string_value(v));
	}
	json_decref(a);
}

static void
db_parse_enclosures(struct item *it, const char *text)
{
	struct enclosure	*e;
	json_t			*a, *v;
	const char		*url, *type;
	size_t			 i;

	if (text == NULL || (a = json_loads(text, 0, NULL)) == NULL)
		return;
	json_array_foreach(a, i, v) {
		url = json_string_value(json_object_get(v, "url"));
		type = json_string_value(json_object_get(v, "type"));
		if (url == NULL || it->nenclosures >= PARSE_MAX_ENCLOSURES)
			continue;
		it->enclosures = xreallocarray(it->enclosures,
		    it->nenclosures + 1, sizeof(*it->enclosures));
		e = &it->enclosures[it->nenclosures++];
		e->url = xstrdup(url);
		e->type = type != NULL ? xstrdup(type) : NULL;
		e->length = json_integer_value(json_object_get(v, "length"));
	}
	json_decref(a);
}

static int
db_store_item(struct db *db, int64_t feed_id, struct item *it, time_t now)
{
	sqlite3_stmt	*st = db->st[ST_ENTRY_INSERT];
	time_t		 sort;
	int64_t		 entry_id;
	size_t		 i;
	char		*authors, *enclosures;
	int		 rv;

	sort = it->published ? it->published : it->updated;
	if (sort == 0 || sort > now + DB_FUTURE_SKEW)
		sort = now;
	sqlite3_bind_int64(st, 1, feed_id);
	db_bind_text(st, 2, it->uid);
	db_bind_text(st, 3, it->id);
	db_bind_text(st, 4, it->title);
	db_bind_text(st, 5, it->link);
	db_bind_text(st, 6, it->nauthors > 0 ? it->authors[0] : NULL);
	db_bind_text(st, 7, it->summary);
	db_bind_text(st, 8, it->content);
	db_bind_time(st, 9, it->published);
	db_bind_time(st, 10, it->updated);
	sqlite3_bind_int64(st, 11, now);
	sqlite3_bind_int64(st, 12, sort);
	authors = db_json_strings(it->authors, it->nauthors);
	enclosures = db_json_enclosures(it->enclosures, it->nenclosures);
	db_bind_text(st, 13, authors);
	db_bind_text(st, 14, enclosures);
	db_bind_text(st, 15, it->image);
	rv = db_step_done(db, ST_ENTRY_INSERT);
	free(authors);
	free(enclosures);
	if (rv != 0)
		return (-1);
	if (sqlite3_changes(db->h) == 0)
		return (0);		/* seen before */
	entry_id = sqlite3_last_insert_rowid(db->h);
	for (i = 0; i < it->ncategories; i++) {
		sqlite3_bind_int64(db->st[ST_CATEGORY_INSERT], 1, entry_id);
		db_bind_text(db->st[ST_CATEGORY_INSERT], 2, it->categories[i]);
		if (db_step_done(db, ST_CATEGORY_INSERT) != 0)
			return (-1);
	}
	return (1);
}

/*
 * Store one fetched document and the poll state in one transaction.  New
 * entries are inserted, ones seen before skipped.  *added counts the new.
 */
int
db_store(struct db *db, const char *name, struct doc *doc,
    struct feed_state *fs, int *added)
{
	struct item	*it;
	int64_t		 feed_id;
	time_t		 now = time(NULL);
	int		 rv;

	*added = 0;
	if (db_step_done(db, ST_SAVEPOINT) != 0)
		return (-1);
	if (db_feed_id(db, name, &feed_id) != 0) {
		log_warnx("%s: feed %s is not in the database", db->path, name);
		goto fail;
	}
	/* Oldest first, so that ids grow with age within one poll. */
	TAILQ_FOREACH_REVERSE(it, &doc->items, items, entry) {
		if ((rv = db_store_item(db, feed_id, it, now)) < 0)
			goto fail;
		*added += rv;
	}
	sqlite3_bind_int64(db->st[ST_FEED_META], 1, feed_id);
	db_bind_text(db->st[ST_FEED_META], 2, doc->title);
	db_bind_text(db->st[ST_FEED_META], 3, doc->link);
	if (db_step_done(db, ST_FEED_META) != 0)
		goto fail;
	fs->entries += *added;
	if (*added > 0)
		fs->last_change = now;
	/* How often it publishes, for the adaptive schedule. */
	sqlite3_bind_int64(db->st[ST_WEEKLY], 1, feed_id);
	sqlite3_bind_int64(db->st[ST_WEEKLY], 2, now - 7 * 86400);
	if (sqlite3_step(db->st[ST_WEEKLY]) == SQLITE_ROW)
		fs->weekly = sqlite3_column_int64(db->st[ST_WEEKLY], 0);
	sqlite3_reset(db->st[ST_WEEKLY]);
	if (db_state_save(db, name, fs) != 0 ||
	    db_step_done(db, ST_RELEASE) != 0) {
		fs->entries -= *added;
		goto fail;
	}
	return (0);

fail:
	db_savepoint_undo(db);
	*added = 0;
	return (-1);
}

/* Read the newest entries of a tag, with their source feeds. */
int
db_tag_items(struct db *db, const char *tag, int limit, struct items *out)
{
	sqlite3_stmt	*st = db->st[ST_TAG_ITEMS];
	sqlite3_stmt	*cst = db->st[ST_ITEM_CATEGORIES];
	struct item	*it;
	int		 rc;

	db_bind_text(st, 1, tag);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		it = item_new();
		it->id = db_column_text(st, 1);
		it->uid = db_column_text(st, 2);
		it->title = db_column_text(st, 3);
		it->link = db_column_text(st, 4);
		db_parse_authors(it, (const char *)sqlite3_column_text(st, 5));
		it->summary = db_column_text(st, 6);
		it->content = db_column_text(st, 7);
		it->published = sqlite3_column_int64(st, 8);
		it->updated = sqlite3_column_int64(st, 9);
		it->sort_time = sqlite3_column_int64(st, 10);
		it->source_name = db_column_text(st, 11);
		it->source_title = db_column_text(st, 12);
		it->source_link = db_column_text(st, 13);
		it->source_url = db_column_text(st, 14);
		db_parse_enclosures(it,
		    (const char *)sqlite3_column_text(st, 15));
		it->image = db_column_text(st, 16);

		sqlite3_bind_int64(cst, 1, sqlite3_column_int64(st, 0));
		while (sqlite3_step(cst) == SQLITE_ROW)
			item_add_string(&it->categories, &it->ncategories,
			    PARSE_MAX_CATEGORIES,
			    (const char *)sqlite3_column_text(cst, 0));
		sqlite3_reset(cst);
		TAILQ_INSERT_TAIL(out, it, entry);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_warnx("%s: reading tag %s: %s", db->path, tag,
		    sqlite3_errmsg(db->h));
		items_free(out);
		return (-1);
	}
	return (0);
}
