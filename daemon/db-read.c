/*
 * db-read.c: what rendering reads from the store: a tag's newest entries,
 * with the feeds they came from.
 */
#include "config.h"

#include <stdlib.h>

#include "db-internal.h"
#include "util.h"
#include "xmalloc.h"

/* Read the rows of a tag query (st, bound) into out. */
static int
db_read_items(struct db *db, sqlite3_stmt *st, struct items *out)
{
	struct item	*it;
	time_t		 changed;
	int		 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		it = item_new();
		it->key = sqlite3_column_int64(st, 0);
		it->id = db_column_text(st, 1);
		it->uid = db_column_text(st, 2);
		it->title = db_column_text(st, 3);
		it->link = db_column_text(st, 4);
		db_item_read_strings((const char *)sqlite3_column_text(st, 5),
		    &it->authors, &it->nauthors, ITEM_MAX_AUTHORS);
		it->summary = db_column_text(st, 6);
		it->content = db_column_text(st, 7);
		it->published = sqlite3_column_int64(st, 8);
		it->updated = sqlite3_column_int64(st, 9);
		it->sort_time = sqlite3_column_int64(st, 10);
		it->source_name = db_column_text(st, 11);
		it->source_title = db_column_text(st, 12);
		it->source_link = db_column_text(st, 13);
		it->source_url = db_column_text(st, 14);
		db_item_read_enclosures(it,
		    (const char *)sqlite3_column_text(st, 15));
		it->image = db_column_text(st, 16);
		/* An edit we saw makes the entry updated, whatever it says. */
		changed = sqlite3_column_int64(st, 17);
		if (changed > it->updated)
			it->updated = changed;
		db_item_read_strings((const char *)sqlite3_column_text(st, 18),
		    &it->categories, &it->ncategories, ITEM_MAX_CATEGORIES);
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

/* Read the newest entries of a tag, with their source feeds. */
int
db_tag_items(struct db *db, const char *tag, int limit, struct items *out)
{
	sqlite3_stmt	*st = db->st[ST_TAG_ITEMS];
	struct db_tag	*t;

	if ((t = db_tag_by_name(db, tag)) == NULL || t->id == 0)
		return (0);
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_int(st, 2, limit);
	return (db_read_items(db, st, out));
}

/*
 * Read a page of a tag: at most limit entries older than the cursor
 * (before_time, before_key), newest first.  The cursor is where the last
 * page ended, so pages never overlap or leave gaps while entries arrive.
 * On any connection (the pager's reads without the tag list loaded).
 */
int
db_tag_page(struct db *db, const char *tag, time_t before_time,
    int64_t before_key, int limit, struct items *out)
{
	sqlite3_stmt	*st = db->st[ST_TAG_PAGE];

	sqlite3_bind_text(st, 1, tag, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, limit);
	sqlite3_bind_int64(st, 3, before_time);
	sqlite3_bind_int64(st, 4, before_key);
	return (db_read_items(db, st, out));
}

/* How SQLite runs the tag query, one plan line per row (for tests). */
char *
db_tag_items_plan(struct db *db)
{
	sqlite3_stmt	*st;
	struct buf	 b;
	char		*sql;

	xasprintf(&sql, "EXPLAIN QUERY PLAN %s", db_stmt_sql(ST_TAG_ITEMS));
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
