/*
 * db.h: the store.  Only the db*.c files use SQLite.
 *
 * One connection, used by one thread at a time: main() during start-up,
 * then only the worker thread (worker.c), which makes it the single
 * writer.  db_backup_start is the exception: a backup runs on a thread
 * and connection of its own and reports back on the loop thread.
 *
 *   db.c         the connection: settings, statements, transactions
 *   db-schema.c  opening: tables and migrations
 *   db-keys.c    what an entry is known by: identity and article keys
 *   db-state.c   feed rows and their poll state
 *   db-item.c    an entry's row and lists, to and from struct item
 *   db-tags.c    tag membership, from the configuration and the rules
 *   db-store.c   entries in: identity, updates, articles, membership
 *   db-prune.c   retention and tombstones
 *   db-read.c    the queries rendering reads
 *   db-backup.c  a consistent copy while everything runs
 */
#ifndef DB_H
#define DB_H

#include <stddef.h>
#include <stdint.h>

#include "feed-state.h"
#include "item.h"

struct conf;
struct conf_change;
struct db;
struct event_base;

/* What storing one document did to its entries. */
struct store_counts {
	int		 added;
	int		 updated;	/* content changed */
	int		 unchanged;
	int		 tombstoned;	/* pruned before, still carried */
	int		 rotated;	/* republished under a new guid */
	int		 retagged;	/* tag memberships changed */
};

/* db.c */
void		 db_close(struct db *);
int		 db_readonly(const struct db *);
void		 db_configure(struct db *, const struct conf *);
int		 db_begin(struct db *);
int		 db_commit(struct db *);
int		 db_in_transaction(struct db *);
const char	*db_last_error(struct db *);
int64_t		 db_total_changes(struct db *);

/* db-schema.c */
struct db	*db_open(const char *, char **);
int		 db_schema_version(struct db *);
const char	*db_migration_sql(int);

/* db-state.c */
int		 db_state_load(struct db *, const char *, struct feed_state *);
int		 db_state_save(struct db *, const char *,
		    const struct feed_state *);
size_t		 db_feed_names(struct db *, char ***);

/* db-tags.c */
int		 db_sync_conf(struct db *, const struct conf *);
size_t		 db_take_dirty(struct db *, char ***);
uint64_t	 db_tag_changes(struct db *);

/* db-store.c */
int		 db_store(struct db *, const char *, struct doc *,
		    struct feed_state *, struct store_counts *);

/* db-changes.c */
int		 db_changes_load(struct db *, struct conf_change **, size_t *);
int		 db_changes_save(struct db *, const struct conf *);

/* db-prune.c */
int		 db_prune(struct db *, const char *, long, long, int64_t *,
		    int64_t *);
int		 db_forget(struct db *, const char *, int64_t *);
int64_t		 db_prune_tombstones(struct db *);

/* db-read.c */
int		 db_tag_items(struct db *, const char *, int, struct items *);
int		 db_tag_page(struct db *, const char *, time_t, int64_t, int,
		    struct items *);
struct db	*db_open_reader(const char *, char **);
char		*db_tag_items_plan(struct db *);

/*
 * db-backup.c: when it is done, cb(file, error or NULL, bytes, seconds,
 * arg) runs on the loop thread.
 */
typedef void (*db_backup_cb)(const char *, const char *, int64_t, double,
    void *);

int		 db_backup_start(struct event_base *, const char *,
		    const char *, db_backup_cb, void *, char **);
void		 db_backup_stop(void);

#endif
