/*
 * db-store.c: entries in.  Which stored entry a fetched one is, whether
 * it changed, which article it is a copy of, and which tags it belongs to.
 *
 * Identity within a feed: the parser's uid (guid/id, else link, else a
 * hash of what it says).  A new uid whose link and title match an entry
 * of the same feed is that entry republished under a new guid (alt_key);
 * when that happens to more than a few percent of a feed's new entries,
 * the feed's guids are not trusted and its entries are known by link.
 *
 * Across feeds, entries sharing a global id (a URI guid) or a normalised
 * link are one article; a tag lists each article once, as the copy first
 * seen (tag_entries' unique (tag, article) index, filled in id order).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db-internal.h"
#include "log.h"
#include "xmalloc.h"

/* Guids rotate "often" past this share of new entries (and count). */
#define DB_ROTATE_MIN		3
#define DB_ROTATE_PERCENT	5

/* A tombstone's last sighting is refreshed at most this often. */
#define DB_TOMB_REFRESH		86400

/* The feed a document is stored for, and what its store may skip. */
struct db_feed_ctx {
	int64_t		 id;
	int		 empty;		/* no entries: nothing to find */
	int		 tombstones;	/* any at all */
	time_t		 now;
	time_t		 prev_success;
};

static time_t	 db_sort_time(struct db *, const struct item *, time_t,
		    time_t);
static int	 db_entry_write(struct db *, enum db_stmt, int64_t, int64_t,
		    const struct item *, const struct db_keys *, time_t,
		    time_t);
static int	 db_entry_retag(struct db *, int64_t, int64_t, int64_t,
		    time_t, struct item *);
static int	 db_tombstoned(struct db *, int64_t, const struct db_keys *,
		    time_t);
static int	 db_feed_use_links(struct db *, int64_t);

/*
 * Newest first by the entry's own date, unless it lies: a date beyond
 * clock_skew in the future, or (once the feed has been read before) more
 * than max_backdate before that last read, sorts as first seen.  The
 * first read of a feed keeps its history's dates.
 */
static time_t
db_sort_time(struct db *db, const struct item *it, time_t now,
    time_t prev_success)
{
	time_t	t = it->published ? it->published : it->updated;

	if (t == 0 || t > now + db->clock_skew)
		return (now);
	if (prev_success != 0 && t < prev_success - db->max_backdate)
		return (now);
	return (t);
}

/* Insert (ST_ENTRY_INSERT) or rewrite (ST_ENTRY_UPDATE) an entry's row. */
static int
db_entry_write(struct db *db, enum db_stmt which, int64_t id, int64_t feed_id,
    const struct item *it, const struct db_keys *k, time_t now, time_t sort)
{
	sqlite3_stmt	*st = db->st[which];
	char		*authors, *enclosures, *categories;
	int		 rv;

	if (which == ST_ENTRY_INSERT) {
		sqlite3_bind_int64(st, 1, feed_id);
		sqlite3_bind_int64(st, 12, sort);
	} else
		sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, k->uid);
	db_bind_text(st, 3, it->id);
	db_bind_text(st, 4, it->title);
	db_bind_text(st, 5, it->link);
	db_bind_text(st, 6, it->nauthors > 0 ? it->authors[0] : NULL);
	db_bind_text(st, 7, it->summary);
	db_bind_text(st, 8, it->content);
	if (it->published)
		sqlite3_bind_int64(st, 9, it->published);
	if (it->updated)
		sqlite3_bind_int64(st, 10, it->updated);
	sqlite3_bind_int64(st, 11, now);
	authors = db_item_strings(it->authors, it->nauthors);
	enclosures = db_item_enclosures(it->enclosures, it->nenclosures);
	db_bind_text(st, 13, authors);
	db_bind_text(st, 14, enclosures);
	db_bind_text(st, 15, it->image);
	sqlite3_bind_int64(st, 16, k->hash);
	if (k->alt != 0)
		sqlite3_bind_int64(st, 17, k->alt);
	categories = db_item_strings(it->categories, it->ncategories);
	db_bind_text(st, 18, categories);
	rv = db_step_done(db, which);
	free(authors);
	free(enclosures);
	free(categories);
	return (rv);
}

/* Take an edited entry out of its tags and put it back by its new self. */
static int
db_entry_retag(struct db *db, int64_t id, int64_t feed_id, int64_t article,
    time_t sort, struct item *it)
{
	struct db_row	 r;

	if (db_tags_drop_entry(db, id, sort, NULL) != 0)
		return (-1);
	r.id = id;
	r.feed_id = feed_id;
	r.article = article;
	r.sort_time = sort;
	r.it = it;
	return (db_tags_apply(db, &r, NULL, 0));
}

/*
 * Was this entry pruned while the feed still carries it?  Then it stays
 * out, and its tombstone lives on while it is seen.
 */
static int
db_tombstoned(struct db *db, int64_t feed_id, const struct db_keys *k,
    time_t now)
{
	sqlite3_stmt	*st = db->st[ST_TOMB_FIND];
	int64_t		 keys[2], seen = 0;
	int		 i, hit = -1;

	keys[0] = (int64_t)db_key("uid", k->uid);
	keys[1] = k->alt;
	for (i = 0; i < 2 && hit < 0; i++) {
		if (keys[i] == 0)
			continue;
		sqlite3_bind_int64(st, 1, feed_id);
		sqlite3_bind_int64(st, 2, keys[i]);
		if (sqlite3_step(st) == SQLITE_ROW) {
			hit = i;
			seen = sqlite3_column_int64(st, 0);
		}
		sqlite3_reset(st);
	}
	if (hit < 0)
		return (0);
	if (seen < now - DB_TOMB_REFRESH) {
		sqlite3_bind_int64(db->st[ST_TOMB_SEEN], 1, feed_id);
		sqlite3_bind_int64(db->st[ST_TOMB_SEEN], 2, keys[hit]);
		sqlite3_bind_int64(db->st[ST_TOMB_SEEN], 3, now);
		db_step_done(db, ST_TOMB_SEEN);
	}
	return (1);
}

/* Find a stored entry by a statement of (feed_id, key); 1 if found. */
static int
db_entry_find(struct db *db, enum db_stmt which, int64_t feed_id,
    const char *uid, int64_t alt, int64_t out[4])
{
	sqlite3_stmt	*st = db->st[which];
	int		 rc, i;

	sqlite3_bind_int64(st, 1, feed_id);
	if (uid != NULL)
		db_bind_text(st, 2, uid);
	else
		sqlite3_bind_int64(st, 2, alt);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < 4; i++)
			out[i] = sqlite3_column_int64(st, i);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_error(db, NULL);
		return (-1);
	}
	return (rc == SQLITE_ROW);
}

static int
db_store_new(struct db *db, int64_t feed_id, struct item *it,
    struct db_keys *k, time_t now, time_t prev_success)
{
	struct db_row	r;
	time_t		sort;

	sort = db_sort_time(db, it, now, prev_success);
	if (db_entry_write(db, ST_ENTRY_INSERT, 0, feed_id, it, k, now,
	    sort) != 0)
		return (-1);
	r.id = sqlite3_last_insert_rowid(db->h);
	r.feed_id = feed_id;
	r.sort_time = sort;
	r.it = it;
	if (db_article(db->st[ST_KEY_FIND], db->st[ST_KEY_ADD], feed_id, r.id,
	    k->global, &r.article) != 0) {
		db_error(db, "article keys");
		return (-1);
	}
	if (r.article != r.id) {
		sqlite3_bind_int64(db->st[ST_ENTRY_REKEY], 1, r.id);
		db_bind_text(db->st[ST_ENTRY_REKEY], 2, k->uid);
		sqlite3_bind_int64(db->st[ST_ENTRY_REKEY], 3, k->hash);
		if (k->alt != 0)
			sqlite3_bind_int64(db->st[ST_ENTRY_REKEY], 4, k->alt);
		sqlite3_bind_int64(db->st[ST_ENTRY_REKEY], 5, r.article);
		if (db_step_done(db, ST_ENTRY_REKEY) != 0)
			return (-1);
	}
	return (db_tags_apply(db, &r, NULL, 0));
}

/* A stored entry seen again: rewrite it only if it changed. */
static int
db_store_seen(struct db *db, int64_t feed_id, struct item *it,
    struct db_keys *k, const int64_t found[4], int rekey, time_t now,
    struct store_counts *c)
{
	int64_t	id = found[0], old_hash = found[1];

	if (old_hash == k->hash && !rekey) {
		c->unchanged++;
		return (0);
	}
	if (old_hash == 0 || old_hash == k->hash) {
		/* Hash unknown (migrated) or a new uid only: no edit. */
		sqlite3_bind_int64(db->st[ST_ENTRY_REKEY], 1, id);
		db_bind_text(db->st[ST_ENTRY_REKEY], 2, k->uid);
		sqlite3_bind_int64(db->st[ST_ENTRY_REKEY], 3, k->hash);
		if (k->alt != 0)
			sqlite3_bind_int64(db->st[ST_ENTRY_REKEY], 4, k->alt);
		if (found[2] != id)
			sqlite3_bind_int64(db->st[ST_ENTRY_REKEY], 5,
			    found[2]);
		c->unchanged++;
		return (db_step_done(db, ST_ENTRY_REKEY));
	}
	if (db_entry_write(db, ST_ENTRY_UPDATE, id, feed_id, it, k, now,
	    0) != 0)
		return (-1);
	c->updated++;
	return (db_entry_retag(db, id, feed_id, found[2], found[3], it));
}

static int
db_store_item(struct db *db, const struct db_feed_ctx *ctx, struct item *it,
    struct feed_state *fs, struct store_counts *c)
{
	struct db_keys	k;
	int64_t		found[4];
	int		rv, hit = 0;

	db_keys_make(&k, it, fs->identity);
	/* A feed's first read (or one pruned empty) finds nothing. */
	if (!ctx->empty && (hit = db_entry_find(db, ST_ENTRY_FIND, ctx->id,
	    k.uid, 0, found)) < 0)
		goto fail;
	if (hit) {
		rv = db_store_seen(db, ctx->id, it, &k, found, 0, ctx->now, c);
		goto done;
	}
	if (!ctx->empty && k.alt != 0 && (hit = db_entry_find(db,
	    ST_ENTRY_FIND_ALT, ctx->id, NULL, k.alt, found)) != 0) {
		if (hit < 0)
			goto fail;
		/* Same link and title, new guid: republished, not new. */
		if (fs->identity == IDENTITY_GUID) {
			fs->rotated++;
			c->rotated++;
		}
		rv = db_store_seen(db, ctx->id, it, &k, found, 1, ctx->now, c);
		goto done;
	}
	if (ctx->tombstones && db_tombstoned(db, ctx->id, &k, ctx->now)) {
		c->tombstoned++;
		rv = 0;
		goto done;
	}
	if ((rv = db_store_new(db, ctx->id, it, &k, ctx->now,
	    ctx->prev_success)) == 0) {
		c->added++;
		fs->new_entries++;
	}
done:
	free(k.uid_buf);
	return (rv);
fail:
	free(k.uid_buf);
	return (-1);
}

/* Find the feed and what its store may skip. */
static int
db_feed_ctx(struct db *db, const char *name, struct db_feed_ctx *ctx)
{
	sqlite3_stmt	*st = db->st[ST_FEED_STORE_INFO];
	int		 rc;

	db_bind_text(st, 1, name);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ctx->id = sqlite3_column_int64(st, 0);
		ctx->empty = !sqlite3_column_int(st, 1);
		ctx->tombstones = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			log_warnx("%s: feed %s is not in the database",
			    db->path, name);
		else
			db_error(db, NULL);
		return (-1);
	}
	return (0);
}

/*
 * Guids that keep changing under the same link and title are no identity:
 * from now on the feed's entries are known by their links.
 */
static int
db_identity_check(struct db *db, int64_t feed_id, const char *name,
    struct feed_state *fs)
{
	if (fs->identity != IDENTITY_GUID || fs->rotated < DB_ROTATE_MIN ||
	    fs->rotated * 100 <= DB_ROTATE_PERCENT *
	    (fs->new_entries + fs->rotated))
		return (0);
	log_info("%s: guids changed on %lld of %lld new entries; known by "
	    "link from now on", name, (long long)fs->rotated,
	    (long long)(fs->new_entries + fs->rotated));
	fs->identity = IDENTITY_LINK;
	return (db_feed_use_links(db, feed_id));
}

/* Key a feed's entries by link alone (see db_keys_make). */
static int
db_feed_use_links(struct db *db, int64_t feed_id)
{
	sqlite3_stmt	*st = db->st[ST_ALT_LIST];
	struct {
		int64_t	 id, alt;
	}		*v = NULL;
	size_t		 n = 0, i;
	char		*norm;
	int		 rc, rv = 0;

	sqlite3_bind_int64(st, 1, feed_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			continue;
		norm = db_link_normalize((const char *)
		    sqlite3_column_text(st, 1));
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].id = sqlite3_column_int64(st, 0);
		v[n++].alt = (int64_t)db_key("alt-link", norm);
		free(norm);
	}
	sqlite3_reset(st);
	for (i = 0; i < n && rv == 0 && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int64(db->st[ST_ALT_SET], 1, v[i].id);
		sqlite3_bind_int64(db->st[ST_ALT_SET], 2, v[i].alt);
		rv = db_step_done(db, ST_ALT_SET);
	}
	free(v);
	return (rc == SQLITE_DONE ? rv : -1);
}

/*
 * Store one fetched document and the poll state, all or nothing (one
 * savepoint).  An entry seen before is rewritten only when what it says
 * changed; an unchanged re-poll writes no entry.
 */
int
db_store(struct db *db, const char *name, struct doc *doc,
    struct feed_state *fs, struct store_counts *c)
{
	struct feed_state	 saved;
	struct db_feed_ctx	 ctx;
	struct item		*it;
	uint64_t		 marks = db->marks;
	int64_t			 feed_id;
	time_t			 now = time(NULL);
	sqlite3_stmt		*st;

	memset(c, 0, sizeof(*c));
	if (db_step_done(db, ST_SAVEPOINT) != 0)
		return (-1);
	memset(&saved, 0, sizeof(saved));
	feed_state_copy(&saved, fs);
	memset(&ctx, 0, sizeof(ctx));
	if (db_feed_ctx(db, name, &ctx) != 0)
		goto fail;
	feed_id = ctx.id;
	ctx.now = now;
	ctx.prev_success = fs->last_success;
	/* Oldest first, so that ids grow with age within one poll. */
	TAILQ_FOREACH_REVERSE(it, &doc->items, items, entry) {
		if (db_store_item(db, &ctx, it, fs, c) != 0)
			goto fail;
	}
	if (db_identity_check(db, feed_id, name, fs) != 0)
		goto fail;
	sqlite3_bind_int64(db->st[ST_FEED_META], 1, feed_id);
	db_bind_text(db->st[ST_FEED_META], 2, doc->title);
	db_bind_text(db->st[ST_FEED_META], 3, doc->link);
	if (db_step_done(db, ST_FEED_META) != 0)
		goto fail;
	if (c->added > 0) {
		fs->last_change = now;
		st = db->st[ST_FEED_ENTRIES_ADD];
		sqlite3_bind_int64(st, 1, feed_id);
		sqlite3_bind_int64(st, 2, c->added);
		if (sqlite3_step(st) == SQLITE_ROW)
			fs->entries = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	/* How often it publishes, for the adaptive schedule. */
	sqlite3_bind_int64(db->st[ST_WEEKLY], 1, feed_id);
	sqlite3_bind_int64(db->st[ST_WEEKLY], 2, now - 7 * 86400);
	if (sqlite3_step(db->st[ST_WEEKLY]) == SQLITE_ROW)
		fs->weekly = sqlite3_column_int64(db->st[ST_WEEKLY], 0);
	sqlite3_reset(db->st[ST_WEEKLY]);
	if (db_state_save(db, name, fs) != 0 ||
	    db_step_done(db, ST_RELEASE) != 0)
		goto fail;
	feed_state_clear(&saved);
	c->retagged = db->marks != marks;
	return (0);

fail:
	db_savepoint_undo(db);
	/* Nothing was stored: neither were the counters. */
	feed_state_copy(fs, &saved);
	feed_state_clear(&saved);
	memset(c, 0, sizeof(*c));
	return (-1);
}
