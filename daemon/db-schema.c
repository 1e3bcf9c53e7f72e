/*
 * db-schema.c: opening the store: the tables, and the migrations that
 * bring any earlier database to them before the statements (which follow
 * the newest schema) are prepared.
 *
 * PRAGMA user_version is the schema's version; entry N of db_migrations
 * takes it from N to N + 1, its SQL then its C part, in one transaction.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-internal.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

static int	 db_backfill_keys(struct db *);
static int	 db_migrate(struct db *, char **);
static int	 db_readable(struct db *);
static int	 db_open_readonly(struct db *, char **);
static int	 db_setup(struct db *);

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

	/* 4 -> 5: what feedmuxctl changed, laid over the file (conf.h). */
	{ "CREATE TABLE feed_changes ("
	"  name TEXT PRIMARY KEY,"
	"  url TEXT,"
	"  tags_add TEXT NOT NULL DEFAULT '',"
	"  tags_remove TEXT NOT NULL DEFAULT '',"
	"  interval INTEGER NOT NULL DEFAULT 0,"
	"  paused INTEGER NOT NULL DEFAULT 0,"
	"  added INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;", NULL },
};
#define DB_VERSION (int)(sizeof(db_migrations) / sizeof(db_migrations[0]))

/* Bring the schema to DB_VERSION; on error *cause says why. */
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
		    db_exec(db, sql) != 0 ||
		    db_exec(db, "COMMIT") != 0) {
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
 * A connection that only reads, for a thread of its own (the pager): it
 * sees each commit of the writer's (WAL) and never blocks it.  The
 * database exists and is migrated (db_open ran first); one we may not
 * write is opened as db_open does.
 */
struct db *
db_open_reader(const char *path, char **cause)
{
	struct db	*db;

	*cause = NULL;
	db = xcalloc(1, sizeof(*db));
	db->path = xstrdup(path);
	db->readonly = 1;
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK || !db_readable(db)) {
		if (db_open_readonly(db, cause) != 0)
			goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, 5000);
	if (db_exec(db, "PRAGMA cache_size = -8192") != 0 ||
	    db_prepare(db, cause) != 0)
		goto fail;
	return (db);

fail:
	if (*cause == NULL)
		xasprintf(cause, "%s: %s", path, db->h != NULL ?
		    sqlite3_errmsg(db->h) : "cannot open");
	db_close(db);
	return (NULL);
}

/*
 * Settings of the writer's connection.  The page cache holds the indexes
 * that every stored entry touches; SQLite's default (2 MB) makes a large
 * store read and spill pages for each batch.  Savepoint journals stay in
 * memory.  Foreign keys stay off (SQLite's default): the schema declares
 * them, but their checks and statement journals cost a third of storing
 * an entry, and the store deletes what depends on a row itself
 * (db-prune.c).  -1 with SQLite's error on the connection.
 */
static int
db_setup(struct db *db)
{
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, 5000);
	if (db_exec(db, "PRAGMA cache_size = -65536") != 0 ||
	    db_exec(db, "PRAGMA temp_store = MEMORY") != 0)
		return (-1);
	if (db->readonly)
		return (db_schema_version(db) < 0 ? -1 : 0);
	if (db_exec(db, "PRAGMA journal_mode = WAL") != 0 ||
	    db_exec(db, "PRAGMA synchronous = NORMAL") != 0)
		return (-1);
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
	if (db->readonly && db_open_readonly(db, cause) != 0)
		goto fail;
	if (db_setup(db) != 0) {
		/*
		 * A file we may write in a directory we may not: SQLite
		 * cannot make its -wal and -shm files there.  Serve it as
		 * one we may not write.
		 */
		if (db->readonly ||
		    (sqlite3_errcode(db->h) & 0xff) != SQLITE_READONLY) {
			xasprintf(cause, "%s: %s", path, sqlite3_errmsg(db->h));
			goto fail;
		}
		db->readonly = 1;
		if (db_open_readonly(db, cause) != 0)
			goto fail;
		if (db_setup(db) != 0) {
			xasprintf(cause, "%s: %s", path, sqlite3_errmsg(db->h));
			goto fail;
		}
	}
	if (db->readonly)
		log_warnx("%s: read-only: serving what it holds; polls will "
		    "not be stored", path);
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

/*
 * Migration 3 -> 4, C part: give existing entries their link keys and
 * articles, oldest first, with statements of that schema's own (the
 * prepared ones follow the newest schema).
 */
static int
db_backfill_keys(struct db *db)
{
	sqlite3_stmt	*sel = NULL, *find = NULL, *add = NULL, *set = NULL;
	struct item	 it;
	struct db_keys	 k;
	int64_t		 id, feed_id, article;
	int		 rc = SQLITE_ERROR, rv = -1;

	if (sqlite3_prepare_v2(db->h, "SELECT id, feed_id, guid, link, title "
	    "FROM entries ORDER BY id", -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h, "SELECT article, feed_id FROM "
	    "article_keys WHERE key = ?1", -1, &find, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h, "INSERT OR IGNORE INTO article_keys "
	    "(key, article, feed_id) VALUES (?1, ?2, ?3)", -1, &add,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h, "UPDATE entries SET alt_key = ?2, "
	    "article = ?3 WHERE id = ?1", -1, &set, NULL) != SQLITE_OK)
		goto out;
	memset(&it, 0, sizeof(it));
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		id = sqlite3_column_int64(sel, 0);
		feed_id = sqlite3_column_int64(sel, 1);
		it.id = (char *)sqlite3_column_text(sel, 2);
		it.link = (char *)sqlite3_column_text(sel, 3);
		it.title = (char *)sqlite3_column_text(sel, 4);
		it.uid = "";
		db_keys_make(&k, &it, IDENTITY_GUID);
		if (db_article(find, add, feed_id, id, k.global,
		    &article) != 0) {
			log_warnx("%s: article keys: %s", db->path,
			    sqlite3_errmsg(db->h));
			goto out;
		}
		sqlite3_bind_int64(set, 1, id);
		if (k.alt != 0)
			sqlite3_bind_int64(set, 2, k.alt);
		else
			sqlite3_bind_null(set, 2);
		if (article != id)
			sqlite3_bind_int64(set, 3, article);
		else
			sqlite3_bind_null(set, 3);
		if (sqlite3_step(set) != SQLITE_DONE)
			goto out;
		sqlite3_reset(set);
	}
	rv = rc == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(find);
	sqlite3_finalize(add);
	sqlite3_finalize(set);
	return (rv);
}
