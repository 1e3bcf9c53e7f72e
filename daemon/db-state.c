/*
 * db-state.c: the feeds table: a row per configured feed, and in it each
 * feed's poll state (feed-state.h), saved after every poll and loaded at
 * start-up.
 */
#include "config.h"

#include <stdlib.h>

#include "conf.h"
#include "db-internal.h"
#include "xmalloc.h"

/* Rows for the configured feeds; a new URL forgets the old one's state. */
int
db_feeds_sync(struct db *db, const struct conf *conf)
{
	struct conf_feed	*cf;

	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		db_bind_text(db->st[ST_FEED_UPSERT], 1, cf->name);
		db_bind_text(db->st[ST_FEED_UPSERT], 2, cf->url);
		if (db_step_done(db, ST_FEED_UPSERT) != 0)
			return (-1);
	}
	return (0);
}

/* A feed's row id; -1 if it has none. */
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
