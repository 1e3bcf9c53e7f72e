/*
 * db-keys.c: what an entry is known by.  Within its feed: its uid (the
 * parser's, or its normalised link once the feed's guids proved
 * unreliable), a hash of what it says, and its link and title (to find it
 * republished under a new guid).  Across feeds: article keys, from a
 * global id (a URI guid) or its normalised link, that tie the copies of
 * one article together.  Pure computation but for db_article, which
 * runs the statements it is given.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db-internal.h"
#include "util.h"
#include "xmalloc.h"

/* A 64-bit key of a string in a namespace, as SQLite stores integers. */
uint64_t
db_key(const char *ns, const char *s)
{
	uint64_t	h;

	h = util_hash64(ns, strlen(ns), 0);
	h = util_hash64(s, strlen(s), h);
	return (h == 0 ? 1 : h);
}

static uint64_t
db_hash_str(const char *s, uint64_t h)
{
	return (util_hash64(s != NULL ? s : "", s != NULL ? strlen(s) + 1 : 1,
	    h));
}

/*
 * A hash of everything a reader sees.  Categories are summed, not chained:
 * the store reads them back sorted, the feed may list them in any order.
 */
static int64_t
db_content_hash(const struct item *it)
{
	uint64_t	h = 0, cats = 0;
	size_t		i;
	char		num[64];

	h = db_hash_str(it->title, h);
	h = db_hash_str(it->link, h);
	h = db_hash_str(it->summary, h);
	h = db_hash_str(it->content, h);
	h = db_hash_str(it->image, h);
	for (i = 0; i < it->nauthors; i++)
		h = db_hash_str(it->authors[i], h);
	for (i = 0; i < it->nenclosures; i++) {
		h = db_hash_str(it->enclosures[i].url, h);
		h = db_hash_str(it->enclosures[i].type, h);
	}
	for (i = 0; i < it->ncategories; i++)
		cats += db_hash_str(it->categories[i], 0);
	snprintf(num, sizeof(num), "%lld %lld %llu", (long long)it->published,
	    (long long)it->updated, (unsigned long long)cats);
	h = db_hash_str(num, h);
	return ((int64_t)(h == 0 ? 1 : h));
}

/* Is a guid meant to be unique beyond its feed (a URI, not "1234")? */
static int
db_global_id(const char *id)
{
	return (id != NULL && (strstr(id, "://") != NULL ||
	    strncasecmp(id, "urn:", 4) == 0 ||
	    strncasecmp(id, "tag:", 4) == 0));
}

void
db_keys_make(struct db_keys *k, const struct item *it, enum identity identity)
{
	char	*norm = NULL;

	memset(k, 0, sizeof(*k));
	k->uid = it->uid;
	k->hash = db_content_hash(it);
	if (it->link != NULL) {
		norm = db_link_normalize(it->link);
		k->global[1] = (int64_t)db_key("link", norm);
		if (identity == IDENTITY_LINK) {
			/* Known by its link alone: a new title is an edit. */
			k->alt = (int64_t)db_key("alt-link", norm);
			xasprintf(&k->uid_buf, "link:%s", norm);
			k->uid = k->uid_buf;
		} else
			k->alt = (int64_t)db_key(norm, it->title != NULL ?
			    it->title : "");
	}
	if (db_global_id(it->id)) {
		/* A URL guid is keyed as a link: one key when they agree. */
		if (strstr(it->id, "://") != NULL) {
			free(norm);
			norm = db_link_normalize(it->id);
			k->global[0] = (int64_t)db_key("link", norm);
		} else
			k->global[0] = (int64_t)db_key("id", it->id);
		if (k->global[0] == k->global[1])
			k->global[0] = 0;
	}
	free(norm);
}

/* Query parameters that say where a click came from, not what it is. */
static int
db_tracking_param(const char *p, size_t len)
{
	static const char *const names[] = {
		"fbclid", "gclid", "mc_cid", "mc_eid", "yclid", "igshid"
	};
	size_t	i;

	if (len >= 4 && strncasecmp(p, "utm_", 4) == 0)
		return (1);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((len == strlen(names[i]) ||
		    (len > strlen(names[i]) && p[strlen(names[i])] == '=')) &&
		    strncasecmp(p, names[i], strlen(names[i])) == 0)
			return (1);
	}
	return (0);
}

/*
 * A link as a key for "the same article": http and https alike, host in
 * lower case without "www." and default port, no fragment, no tracking
 * parameters, no trailing slash.  Anything else is kept as written, since
 * servers may treat case and order in paths and queries as significant.
 */
char *
db_link_normalize(const char *link)
{
	struct buf	 b;
	const char	*p, *host, *end, *q, *amp;
	size_t		 n;
	int		 first = 1;

	if ((p = strstr(link, "://")) == NULL)
		return (xstrdup(link));
	buf_init(&b);
	buf_addstr(&b, "//");
	host = p + 3;
	end = host + strcspn(host, "/?#");
	if (end - host > 4 && strncasecmp(host, "www.", 4) == 0)
		host += 4;
	n = end - host;
	if (n > 3 && strncmp(end - 3, ":80", 3) == 0)
		n -= 3;
	else if (n > 4 && strncmp(end - 4, ":443", 4) == 0)
		n -= 4;
	for (p = host; p < host + n; p++)
		buf_addc(&b, tolower((unsigned char)*p));

	p = end;
	n = strcspn(p, "?#");
	while (n > 0 && p[n - 1] == '/')
		n--;
	buf_add(&b, p, n);
	p += strcspn(p, "?#");
	if (*p == '?') {
		q = p + 1;
		end = q + strcspn(q, "#");
		while (q < end) {
			if ((amp = memchr(q, '&', end - q)) == NULL)
				amp = end;
			if (amp > q && !db_tracking_param(q, amp - q)) {
				buf_addc(&b, first ? '?' : '&');
				buf_add(&b, q, amp - q);
				first = 0;
			}
			q = amp + (amp < end);
		}
	}
	return (buf_steal(&b));
}

/*
 * The article an entry is a copy of: the first entry of another feed
 * with one of its keys, else itself.  Keys not seen yet are recorded.
 * Returns -1 on a database error, which the caller reports.
 */
int
db_article(sqlite3_stmt *find, sqlite3_stmt *add, int64_t feed_id,
    int64_t entry_id, const int64_t *keys, int64_t *article)
{
	int64_t	found = 0, a;
	int	missing[2] = { 0, 0 }, i, rc;

	for (i = 0; i < 2; i++) {
		if (keys[i] == 0)
			continue;
		sqlite3_bind_int64(find, 1, keys[i]);
		if ((rc = sqlite3_step(find)) == SQLITE_ROW) {
			a = sqlite3_column_int64(find, 0);
			if (sqlite3_column_int64(find, 1) != feed_id &&
			    (found == 0 || a < found))
				found = a;
		} else
			missing[i] = rc == SQLITE_DONE;
		sqlite3_reset(find);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return (-1);
	}
	*article = found != 0 ? found : entry_id;
	for (i = 0; i < 2; i++) {
		if (!missing[i])
			continue;
		sqlite3_bind_int64(add, 1, keys[i]);
		sqlite3_bind_int64(add, 2, *article);
		sqlite3_bind_int64(add, 3, feed_id);
		rc = sqlite3_step(add);
		sqlite3_reset(add);
		if (rc != SQLITE_DONE)
			return (-1);
	}
	return (0);
}
