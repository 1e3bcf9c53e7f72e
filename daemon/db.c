/*
 * db.c: the SQLite store: connection, schema and migrations, the prepared
 * statements, poll state, the tag map and reading a tag's entries.
 *
 * One connection, used by one thread at a time: main() during start-up,
 * then only the worker thread.  WAL mode, versioned schema (PRAGMA
 * user_version, one migration per version), every statement prepared once
 * at open and bound.  Entries come in through db-store.c and go through
 * db-prune.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "feedmux.h"
#include "db.h"

static int	 db_exec(struct db *, const char *);
static int	 db_migrate(struct db *, char **);

/*
 * Migrations: entry N takes the schema from version N to N + 1, its SQL
 * then its C part, in one transaction.  Never edit a released entry;
 * append a new one (and a fixture to tests/unit/test-db.c).
 */
static const struct {
	const char	*sql;
	int		(*fixup)(struct db *);
} db_migrations[] = {
	{
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
	"  PRIMARY KEY (entry_id, term)) WITHOUT ROWID;", NULL },

	/* 1 -> 2: every author, enclosures and an image per entry (JSON). */
	{ "ALTER TABLE entries ADD COLUMN authors TEXT;"
	"ALTER TABLE entries ADD COLUMN enclosures TEXT;"
	"ALTER TABLE entries ADD COLUMN image TEXT;"
	"UPDATE entries SET authors = json_array(author) "
	"  WHERE author IS NOT NULL;", NULL },

	/* 2 -> 3: polling politely: reasons, redirects, hints, counters. */
	{ "ALTER TABLE feeds ADD COLUMN next_reason INTEGER NOT NULL DEFAULT 0;"
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
	"  DEFAULT 0;", NULL },

	/*
	 * 3 -> 4: every entry once.  Content hashes find updates, alt_key
	 * (link and title) finds republished posts, article ties copies of
	 * one article across feeds; tag membership is stored, not queried;
	 * pruned entries leave tombstones; categories move into the entry,
	 * as JSON (a row each cost two index inserts per category).  The C
	 * part keys existing entries.
	 */
	{ "ALTER TABLE entries ADD COLUMN content_hash INTEGER NOT NULL "
	"  DEFAULT 0;"
	"ALTER TABLE entries ADD COLUMN categories TEXT;"
	"UPDATE entries SET categories = (SELECT json_group_array(term) "
	"  FROM entry_categories WHERE entry_id = entries.id) "
	"  WHERE id IN (SELECT entry_id FROM entry_categories);"
	"DROP TABLE entry_categories;"
	"ALTER TABLE entries ADD COLUMN alt_key INTEGER;"
	"ALTER TABLE entries ADD COLUMN article INTEGER;"
	"ALTER TABLE entries ADD COLUMN changed INTEGER;"
	"ALTER TABLE feeds ADD COLUMN identity INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN rotated INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN new_entries INTEGER NOT NULL "
	"  DEFAULT 0;"
	"DROP INDEX entries_uid;"
	"DROP INDEX entries_link;"
	"CREATE INDEX entries_alt ON entries(feed_id, alt_key) "
	"  WHERE alt_key IS NOT NULL;"
	"CREATE INDEX entries_article ON entries(article) "
	"  WHERE article IS NOT NULL;"
	"CREATE TABLE article_keys ("
	"  key INTEGER PRIMARY KEY,"
	"  article INTEGER NOT NULL,"
	"  feed_id INTEGER NOT NULL);"
	"CREATE TABLE tags ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  signature TEXT);"
	"CREATE TABLE tag_entries ("
	"  tag_id INTEGER NOT NULL,"
	"  sort_time INTEGER NOT NULL,"
	"  entry_id INTEGER NOT NULL,"
	"  article INTEGER NOT NULL,"
	"  PRIMARY KEY (tag_id, sort_time, entry_id)) WITHOUT ROWID;"
	"CREATE UNIQUE INDEX tag_entries_article ON tag_entries(tag_id, "
	"  article);"
	"CREATE TABLE tombstones ("
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
	"  key INTEGER NOT NULL,"
	"  seen INTEGER NOT NULL,"
	"  PRIMARY KEY (feed_id, key)) WITHOUT ROWID;", db_backfill_keys },
};
#define DB_VERSION (int)(sizeof(db_migrations) / sizeof(db_migrations[0]))


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
	    "SELECT id, EXISTS (SELECT 1 FROM entries WHERE feed_id = id), "
	    "EXISTS (SELECT 1 FROM tombstones WHERE feed_id = id) "
	    "FROM feeds WHERE name = ?1",
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
	[ST_TAG_ITEMS] =
	    "SELECT e.id, e.guid, e.uid, e.title, e.link, e.authors, "
	    "e.summary, e.content, e.published, e.updated, te.sort_time, "
	    "f.name, f.title, f.link, f.url, e.enclosures, e.image, "
	    "e.changed, e.categories "
	    "FROM tag_entries te JOIN entries e ON e.id = te.entry_id "
	    "JOIN feeds f ON f.id = e.feed_id "
	    "WHERE te.tag_id = ?1 "
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
};

static int	 db_sync_tags(struct db *, const struct conf *, int);

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
	if (version < DB_VERSION && db->readonly) {
		xasprintf(cause, "%s: read-only, and its schema (version %d) "
		    "needs migrating to version %d", db->path, version,
		    DB_VERSION);
		return (-1);
	}
	for (i = version; i < DB_VERSION; i++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i + 1);
		if (db_exec(db, "BEGIN EXCLUSIVE") != 0 ||
		    db_exec(db, db_migrations[i].sql) != 0 ||
		    (db_migrations[i].fixup != NULL &&
		    db_migrations[i].fixup(db) != 0) ||
		    db_exec(db, sql) != 0 || db_exec(db, "COMMIT") != 0) {
			xasprintf(cause, "%s: migration to schema version %d "
			    "failed: %s", db->path, i + 1,
			    sqlite3_errmsg(db->h));
			db_exec(db, "ROLLBACK");
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

/* The SQL of migration N (to version N + 1), for tests; NULL past them. */
const char *
db_migration_sql(int n)
{
	return (n >= 0 && n < DB_VERSION ? db_migrations[n].sql : NULL);
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

/* Prepare the statements the migrations' C parts use, then the rest. */
static int
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

/* Can this connection read the schema? */
static int
db_readable(struct db *db)
{
	return (sqlite3_exec(db->h, "SELECT count(*) FROM sqlite_master",
	    NULL, NULL, NULL) == SQLITE_OK);
}

/*
 * Open a database we may not write, on purpose read-only.  A WAL database
 * whose -shm file we cannot create cannot be read that way either; then
 * it is opened as immutable, which it is to us.
 */
static int
db_open_readonly(struct db *db, char **cause)
{
	struct buf	 uri;
	const char	*p;
	char		 hex[4];

	sqlite3_close(db->h);
	if (sqlite3_open_v2(db->path, &db->h, SQLITE_OPEN_READONLY,
	    NULL) == SQLITE_OK && db_readable(db))
		return (0);
	sqlite3_close(db->h);
	buf_init(&uri);
	buf_addstr(&uri, "file:");
	for (p = db->path; *p != '\0'; p++) {
		if (*p == '%' || *p == '?' || *p == '#') {
			snprintf(hex, sizeof(hex), "%%%02X", (unsigned char)*p);
			buf_addstr(&uri, hex);
		} else
			buf_addc(&uri, *p);
	}
	buf_addstr(&uri, "?immutable=1");
	if (sqlite3_open_v2(uri.data, &db->h, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI, NULL) != SQLITE_OK || !db_readable(db)) {
		xasprintf(cause, "%s: read-only and unreadable: %s", db->path,
		    sqlite3_errmsg(db->h));
		buf_free(&uri);
		return (-1);
	}
	buf_free(&uri);
	return (0);
}

/*
 * Open (or create) the database.  A file we may not write is opened all
 * the same: what it holds is served, and every poll fails at the store
 * stage with SQLite's own words until it is writable again.
 */
struct db *
db_open(const char *path, char **cause)
{
	struct db	*db;

	db = xcalloc(1, sizeof(*db));
	db->path = xstrdup(path);
	/* One thread at a time uses the connection: no mutexes needed. */
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", path, db->h != NULL ?
		    sqlite3_errmsg(db->h) : "cannot open");
		goto fail;
	}
	db->readonly = sqlite3_db_readonly(db->h, "main") == 1;
	if (db->readonly) {
		/*
		 * Opened read-only because the file may not be written:
		 * open it so on purpose, which lets SQLite read a WAL
		 * database whose -shm file it cannot create.
		 */
		if (db_open_readonly(db, cause) != 0)
			goto fail;
		log_warnx("%s: read-only: serving what it holds; polls will "
		    "not be stored", path);
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, 5000);
	/*
	 * The page cache holds the indexes that every stored entry touches;
	 * SQLite's default (2 MB) makes a large store read and spill pages
	 * for each batch.  Savepoint journals stay in memory.  Foreign keys
	 * stay off (SQLite's default): the schema declares them, but their
	 * checks and statement journals cost a third of storing an entry,
	 * and the store deletes what depends on a row itself (db-prune.c).
	 */
	if (db_exec(db, "PRAGMA cache_size = -65536") != 0 ||
	    db_exec(db, "PRAGMA temp_store = MEMORY") != 0 ||
	    (!db->readonly && (db_exec(db, "PRAGMA journal_mode = WAL") != 0 ||
	    db_exec(db, "PRAGMA synchronous = NORMAL") != 0))) {
		xasprintf(cause, "%s: %s", path, sqlite3_errmsg(db->h));
		goto fail;
	}
	/*
	 * Statements are prepared against the newest schema, so migrate
	 * first; the migrations' C parts prepare what they use themselves.
	 */
	if (db_migrate(db, cause) != 0 || db_prepare(db, cause) != 0)
		goto fail;
	return (db);

fail:
	db_close(db);
	return (NULL);
}

static void
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

int
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

/*
 * Make the feeds table, the tag map and the tags' membership match the
 * configuration.  A read-only database only learns the tags it has.
 */
int
db_sync_conf(struct db *db, const struct conf *conf)
{
	struct conf_feed	*cf;

	if (db->readonly)
		return (db_sync_tags(db, conf, 1));
	if (db_step_done(db, ST_SAVEPOINT) != 0)
		return (-1);
	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		db_bind_text(db->st[ST_FEED_UPSERT], 1, cf->name);
		db_bind_text(db->st[ST_FEED_UPSERT], 2, cf->url);
		if (db_step_done(db, ST_FEED_UPSERT) != 0)
			goto fail;
	}
	if (db_sync_tags(db, conf, 0) != 0 ||
	    db_step_done(db, ST_RELEASE) != 0)
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
		fs->identity = sqlite3_column_int(st, 33) == IDENTITY_LINK ?
		    IDENTITY_LINK : IDENTITY_GUID;
		fs->rotated = sqlite3_column_int64(st, 34);
		fs->new_entries = sqlite3_column_int64(st, 35);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return (rc == SQLITE_ROW ? 0 : -1);
}

/* Save a feed's poll state (alone, or inside db_store's savepoint). */
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
	sqlite3_bind_int(st, 12, fs->identity);
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
	sqlite3_bind_int64(st, 33, fs->rotated);
	sqlite3_bind_int64(st, 34, fs->new_entries);
	return (db_step_done(db, ST_STATE_SAVE));
}

/*
 * Lists are stored as JSON text: read rarely, never queried into.  Written
 * by hand (util.c), read with jansson.
 */
char *
db_json_strings(char **v, size_t n)
{
	struct buf	b;

	if (n == 0)
		return (NULL);
	buf_init(&b);
	buf_add_json_strings(&b, v, n);
	return (buf_steal(&b));
}

char *
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

/* Read a JSON list of strings (authors, categories) into an item. */
void
db_parse_strings(const char *text, char ***v, size_t *n, size_t max)
{
	json_t	*a, *s;
	size_t	 i;

	if (text == NULL || (a = json_loads(text, 0, NULL)) == NULL)
		return;
	json_array_foreach(a, i, s) {
		if (json_is_string(s))
			item_add_string(v, n, max, json_string_value(s));
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

static struct db_tag *
db_tag_by_name(struct db *db, const char *name)
{
	size_t	i;

	for (i = 0; i < db->ntags; i++) {
		if (strcmp(db->tags[i].name, name) == 0)
			return (&db->tags[i]);
	}
	return (NULL);
}

/* Read the newest entries of a tag, with their source feeds. */
int
db_tag_items(struct db *db, const char *tag, int limit, struct items *out)
{
	sqlite3_stmt	*st = db->st[ST_TAG_ITEMS];
	struct db_tag	*t;
	struct item	*it;
	time_t		 changed;
	int		 rc;

	if ((t = db_tag_by_name(db, tag)) == NULL || t->id == 0)
		return (0);
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		it = item_new();
		it->id = db_column_text(st, 1);
		it->uid = db_column_text(st, 2);
		it->title = db_column_text(st, 3);
		it->link = db_column_text(st, 4);
		db_parse_strings((const char *)sqlite3_column_text(st, 5),
		    &it->authors, &it->nauthors, PARSE_MAX_AUTHORS);
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
		/* An edit we saw makes the entry updated, whatever it says. */
		changed = sqlite3_column_int64(st, 17);
		if (changed > it->updated)
			it->updated = changed;
		db_parse_strings((const char *)sqlite3_column_text(st, 18),
		    &it->categories, &it->ncategories, PARSE_MAX_CATEGORIES);
		TAILQ_INSERT_TAIL(out, it, entry);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		db_error(db, "reading a tag");
		items_free(out);
		return (-1);
	}
	return (0);
}

/* How SQLite runs the tag query, one plan line per row (for tests). */
char *
db_tag_items_plan(struct db *db)
{
	sqlite3_stmt	*st;
	struct buf	 b;
	char		*sql;

	xasprintf(&sql, "EXPLAIN QUERY PLAN %s", db_sql[ST_TAG_ITEMS]);
	buf_init(&b);
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			buf_addstr(&b, (const char *)sqlite3_column_text(st,
			    3));
			buf_addc(&b, '\n');
		}
		sqlite3_finalize(st);
	}
	free(sql);
	buf_addstr(&b, "");
	return (buf_steal(&b));
}

/* The names of every feed the database has rows for. */
size_t
db_feed_names(struct db *db, char ***names)
{
	sqlite3_stmt	*st = db->st[ST_FEED_NAMES];
	size_t		 n = 0;

	*names = NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		*names = xreallocarray(*names, n + 1, sizeof(**names));
		(*names)[n++] = db_column_text(st, 0);
	}
	sqlite3_reset(st);
	return (n);
}

/* Rows changed since the connection opened (tests count writes). */
int64_t
db_total_changes(struct db *db)
{
	return (sqlite3_total_changes64(db->h));
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

/* Note that a tag's membership changed (by its row id). */
void
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
