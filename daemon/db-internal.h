/*
 * db-internal.h: what the db*.c files share: the connection and its
 * prepared statements, the tag map, and the helpers each file offers the
 * others.  Calls go db-store.c, db-prune.c -> db-tags.c -> db-state.c,
 * db-item.c -> db.c, and db-schema.c -> db.c, db-keys.c, never back.
 */
#ifndef DB_INTERNAL_H
#define DB_INTERNAL_H

#include <sqlite3.h>

#include "db.h"

struct tag_rules;

enum db_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_FEED_UPSERT,
	ST_FEED_ID,
	ST_FEED_STORE_INFO,
	ST_FEED_NAMES,
	ST_TAGS_CLEAR,
	ST_TAG_ADD,
	ST_STATE_LOAD,
	ST_STATE_SAVE,
	ST_FEED_META,
	ST_FEED_ENTRIES_ADD,
	ST_ENTRY_FIND,
	ST_ENTRY_FIND_ALT,
	ST_ENTRY_INSERT,
	ST_ENTRY_UPDATE,
	ST_ENTRY_REKEY,
	ST_ENTRY_LOAD,
	ST_ENTRY_DELETE,
	ST_KEY_FIND,
	ST_KEY_ADD,
	ST_TOMB_FIND,
	ST_TOMB_SEEN,
	ST_TOMB_ADD,
	ST_TOMB_EXPIRE,
	ST_MEMBER_ADD,
	ST_MEMBER_DROP_ENTRY,
	ST_MEMBER_DROP_TAG,
	ST_TAG_FIND,
	ST_TAG_INSERT,
	ST_TAG_SIGN,
	ST_TAG_LIST,
	ST_TAG_DELETE,
	ST_TAG_ITEMS,
	ST_TAG_PAGE,
	ST_WEEKLY,
	ST_PRUNE_PICK,
	ST_ARTICLE_COPIES,
	ST_ALT_LIST,
	ST_ALT_SET,
	ST_CHANGES_LIST,
	ST_CHANGES_CLEAR,
	ST_CHANGE_ADD,
	ST_FEED_FORGET_TOMBS,
	ST_FEED_FORGET_TAGS,
	ST_FEED_DELETE,
	ST_MAX
};

/*
 * A tag as the store sees it: its row, its rules (borrowed from the
 * configuration the worker holds) and the sorted ids of the feeds that
 * carry it.
 */
struct db_tag {
	char			*name;
	int64_t			 id;
	const struct tag_rules	*rules;		/* NULL: no [tag] section */
	int64_t			*feeds;
	size_t			 nfeeds;
	int			 dirty;		/* membership changed */
};

struct db {
	sqlite3		*h;
	char		*path;
	sqlite3_stmt	*st[ST_MAX];
	int		 readonly;

	struct db_tag	*tags;		/* sorted by id */
	size_t		 ntags;
	int		 wants_text;	/* some rule reads entry text */
	uint64_t	 marks;		/* tag memberships changed, ever */
	long		 clock_skew;
	long		 max_backdate;

	char		*last_error;	/* logged once until it changes */
};

/* An entry read back for (re)computing its tags. */
struct db_row {
	int64_t		 id;
	int64_t		 feed_id;
	int64_t		 article;	/* resolved: its own id if first */
	time_t		 sort_time;
	struct item	*it;
};

/* What a stored entry is known by, computed before any query. */
struct db_keys {
	const char	*uid;
	char		*uid_buf;	/* when identity is the link */
	int64_t		 hash;		/* of everything shown */
	int64_t		 alt;		/* link (and title); 0: none */
	int64_t		 global[2];	/* article keys; 0: none */
};

/* db.c */
const char	*db_stmt_sql(enum db_stmt);
int		 db_exec(struct db *, const char *);
int		 db_prepare(struct db *, char **);
int		 db_step_done(struct db *, enum db_stmt);
void		 db_error(struct db *, const char *);
void		 db_bind_text(sqlite3_stmt *, int, const char *);
char		*db_column_text(sqlite3_stmt *, int);
void		 db_savepoint_undo(struct db *);
void		 db_tags_free(struct db *);

/* db-keys.c */
uint64_t	 db_key(const char *, const char *);
char		*db_link_normalize(const char *);
void		 db_keys_make(struct db_keys *, const struct item *,
		    enum identity);
int		 db_article(sqlite3_stmt *, sqlite3_stmt *, int64_t, int64_t,
		    const int64_t *, int64_t *);

/* db-state.c */
int		 db_feed_id(struct db *, const char *, int64_t *);
int		 db_feeds_sync(struct db *, const struct conf *);

/* db-item.c */
char		*db_item_strings(char **, size_t);
char		*db_item_enclosures(struct enclosure *, size_t);
void		 db_item_read_strings(const char *, char ***, size_t *, size_t);
void		 db_item_read_enclosures(struct item *, const char *);
void		 db_item_load_row(sqlite3_stmt *, struct db_row *);

/* db-tags.c */
struct db_tag	*db_tag_by_name(struct db *, const char *);
int		 db_tags_apply(struct db *, const struct db_row *,
		    const size_t *, size_t);
int		 db_tags_drop_entry(struct db *, int64_t, time_t,
		    const char *);

#endif
