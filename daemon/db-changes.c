/*
 * db-changes.c: what feedmuxctl changed (conf.h's struct conf_change),
 * kept in feed_changes.  It is read once at start-up and written whole
 * with every configuration the worker applies, in the same transaction
 * as the feeds it makes, so a crash keeps both or neither.
 */
#include "config.h"

#include <stdlib.h>

#include "conf.h"
#include "db-internal.h"
#include "xmalloc.h"

/* Every stored change, in a new array (*n of them); -1 on error. */
int
db_changes_load(struct db *db, struct conf_change **out, size_t *n)
{
	sqlite3_stmt		*st = db->st[ST_CHANGES_LIST];
	struct conf_change	*ch;
	int			 rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		ch = &(*out)[(*n)++];
		ch->name = db_column_text(st, 0);
		ch->url = db_column_text(st, 1);
		ch->tags_add = db_column_text(st, 2);
		ch->tags_remove = db_column_text(st, 3);
		if (ch->tags_add == NULL)
			ch->tags_add = xstrdup("");
		if (ch->tags_remove == NULL)
			ch->tags_remove = xstrdup("");
		ch->interval = sqlite3_column_int64(st, 4);
		ch->paused = sqlite3_column_int(st, 5);
		ch->added = sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_error(db, "reading the changes made by feedmuxctl");
		conf_change_free(*out, *n);
		*out = NULL;
		*n = 0;
		return (-1);
	}
	return (0);
}

/* Store conf's changes in place of those stored (in a transaction). */
int
db_changes_save(struct db *db, const struct conf *conf)
{
	sqlite3_stmt			*st = db->st[ST_CHANGE_ADD];
	const struct conf_change	*ch;
	size_t				 i;

	if (db_step_done(db, ST_CHANGES_CLEAR) != 0)
		return (-1);
	for (i = 0; i < conf->nchanges; i++) {
		ch = &conf->changes[i];
		db_bind_text(st, 1, ch->name);
		db_bind_text(st, 2, ch->url);
		db_bind_text(st, 3, ch->tags_add);
		db_bind_text(st, 4, ch->tags_remove);
		sqlite3_bind_int64(st, 5, ch->interval);
		sqlite3_bind_int(st, 6, ch->paused);
		sqlite3_bind_int64(st, 7, ch->added);
		if (db_step_done(db, ST_CHANGE_ADD) != 0)
			return (-1);
	}
	return (0);
}
