/*
 * db-schema.c: the tables, and the migrations that bring any earlier
 * database to them.
 *
 * PRAGMA user_version is the schema's version; entry N of db_migrations
 * takes it from N to N + 1, its SQL then its C part, in one transaction.
 * This file works on the raw connection: it runs before the statements
 * are prepared (they follow the newest schema).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db-internal.h"
#include "log.h"
#include "xmalloc.h"

static int	 db_backfill_keys(struct db *);
static int	 db_schema_exec(struct db *, const char *);

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

/* SQL that returns no rows; a failure is logged. */
static int
db_schema_exec(struct db *db, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_warnx("%s: %s", db->path, err ? err : "unknown error");
		sqlite3_free(err);
		return (-1);
	}
	return (0);
}

/* Bring the schema to DB_VERSION; on error *cause says why. */
int
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
		if (db_schema_exec(db, "BEGIN EXCLUSIVE") != 0 ||
		    db_schema_exec(db, db_migrations[i].sql) != 0 ||
		    (db_migrations[i].fixup != NULL &&
		    db_migrations[i].fixup(db) != 0) ||
		    db_schema_exec(db, sql) != 0 ||
		    db_schema_exec(db, "COMMIT") != 0) {
			xasprintf(cause, "%s: migration to schema version %d "
			    "failed: %s", db->path, i + 1,
			    sqlite3_errmsg(db->h));
			db_schema_exec(db, "ROLLBACK");
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
