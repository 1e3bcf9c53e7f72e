/*
 * render.c: served bodies and the cache that keeps each tag's newest.
 *
 * A body is made once by a renderer on the worker thread, gzipped there
 * once (never per request), and then handed to the cache.  The cache is
 * written on the loop thread and read by the serving threads under one
 * mutex, held only to find a body and take a reference: responses send
 * the body by reference, and the last one to let go of a replaced body
 * frees it.  References are atomic for that reason.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "conf.h"
#include "render.h"
#include "util.h"
#include "xmalloc.h"

/* A configured tag as the cache holds it. */
struct served_tag {
	char		*name;
	struct body	*bodies[RENDER_NFORMATS];
	time_t		 next_poll;
	int		 entries;	/* per page */
	char		*token;		/* a private tag's, or NULL */
};

static const struct {
	const char	*ext;
	const char	*type;
} render_formats[RENDER_NFORMATS] = {
	[RENDER_ATOM] = { "atom", "application/atom+xml; charset=utf-8" },
	[RENDER_RSS] = { "rss", "application/rss+xml; charset=utf-8" },
	[RENDER_JSON] = { "json", "application/feed+json; charset=utf-8" },
	[RENDER_HTML] = { "html", "text/html; charset=utf-8" },
};

static pthread_mutex_t	cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct strmap	cache = { 0, 0, NULL };	/* name -> served_tag */
static struct strmap	pages = { 0, 0, NULL };	/* path -> body */
static uint64_t		rendered_seq;	/* worker jobs rendered up to */

static void	render_gzip(struct body *);
static void	served_tag_free(struct served_tag *);
static void	served_tag_token(struct served_tag *, const char *);

/* "atom", "rss", "json", "html". */
const char *
render_format_ext(enum render_format f)
{
	return (render_formats[f].ext);
}

/* The Content-Type of a format. */
const char *
render_format_type(enum render_format f)
{
	return (render_formats[f].type);
}

/* The format an extension names; -1 if none. */
int
render_format_find(const char *ext, enum render_format *f)
{
	int	i;

	for (i = 0; i < RENDER_NFORMATS; i++) {
		if (strcmp(ext, render_formats[i].ext) == 0) {
			*f = i;
			return (0);
		}
	}
	return (-1);
}

/*
 * A body of data (taken), with strong ETags from its bytes: the same
 * content always gets the same validators, across restarts too.  The
 * gzipped form is made here, once.
 */
struct body *
render_body_new(const char *tag, enum render_format format, char *data,
    size_t len, time_t updated, int nitems)
{
	struct body	*b;
	uint64_t	 h;

	b = xcalloc(1, sizeof(*b));
	b->refs = 1;
	b->tag = xstrdup(tag);
	b->format = format;
	b->data = data;
	b->len = len;
	b->updated = updated;
	b->nitems = nitems;
	h = util_hash64(data, len, 0);
	snprintf(b->etag, sizeof(b->etag), "\"%016llx\"",
	    (unsigned long long)h);
	snprintf(b->gzetag, sizeof(b->gzetag), "\"%016llx-gz\"",
	    (unsigned long long)h);
	if (updated > 0)
		util_format_http_date(updated, b->modified,
		    sizeof(b->modified));
	render_gzip(b);
	return (b);
}

/* gzip the body (level 6, as nginx's gzip_static files usually are). */
static void
render_gzip(struct body *b)
{
	z_stream	z;
	uLong		bound;

	memset(&z, 0, sizeof(z));
	if (b->len < 256 || b->len > UINT32_MAX ||
	    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	bound = deflateBound(&z, b->len);
	b->gz = xmalloc(bound);
	z.next_in = (Bytef *)b->data;
	z.avail_in = (uInt)b->len;
	z.next_out = (Bytef *)b->gz;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END || z.total_out >= b->len) {
		free(b->gz);
		b->gz = NULL;
	} else
		b->gzlen = z.total_out;
	deflateEnd(&z);
}

void
render_body_ref(struct body *b)
{
	__atomic_add_fetch(&b->refs, 1, __ATOMIC_RELAXED);
}

void
render_body_unref(struct body *b)
{
	if (b == NULL || __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(b->tag);
	free(b->data);
	free(b->gz);
	free(b);
}

/*
 * Does token (NULL: none) open a private tag's secret?  In constant time:
 * every byte of the secret is looked at, whatever the token.
 */
static int
render_token_ok(const char *secret, const char *token)
{
	size_t		 n = strlen(secret), m, i;
	unsigned char	 diff;

	if (token == NULL)
		token = "";
	m = strlen(token);
	diff = (unsigned char)(n != m);
	for (i = 0; i < n; i++)
		diff |= (unsigned char)secret[i] ^ (unsigned char)(m > 0 ?
		    token[i % m] : 0);
	return (diff == 0);
}

/*
 * What the cache has for a tag in a format: 0 if the tag is not served
 * (not configured, or private and token does not open it), else 1 with
 * *out filled; its body, if any, is a new reference for the caller.  Any
 * thread.
 */
int
render_cache_lookup(const char *tag, enum render_format f, const char *token,
    struct render_served *out)
{
	struct served_tag	*st;

	pthread_mutex_lock(&cache_lock);
	if ((st = strmap_get(&cache, tag)) == NULL ||
	    (st->token != NULL && !render_token_ok(st->token, token))) {
		pthread_mutex_unlock(&cache_lock);
		return (0);
	}
	if ((out->body = st->bodies[f]) != NULL)
		render_body_ref(out->body);
	out->next_poll = st->next_poll;
	out->entries = st->entries;
	out->private = st->token != NULL;
	pthread_mutex_unlock(&cache_lock);
	return (1);
}

/* A tag's body in a format, referenced (unref it), or NULL. */
struct body *
render_cache_get(const char *tag, enum render_format f)
{
	struct served_tag	*st;
	struct body		*b = NULL;

	/* The daemon's own look (index, feedmuxctl), past any token. */
	pthread_mutex_lock(&cache_lock);
	if ((st = strmap_get(&cache, tag)) != NULL &&
	    (b = st->bodies[f]) != NULL)
		render_body_ref(b);
	pthread_mutex_unlock(&cache_lock);
	return (b);
}

/* The cache's entry for a tag, made if need be (cache_lock held). */
static struct served_tag *
served_tag_get(const char *tag)
{
	struct served_tag	*st;

	if ((st = strmap_get(&cache, tag)) == NULL) {
		st = xcalloc(1, sizeof(*st));
		st->name = xstrdup(tag);
		strmap_put(&cache, st->name, st);
	}
	return (st);
}

/* Set (NULL: clear) a tag's token; the old one is wiped. */
static void
served_tag_token(struct served_tag *st, const char *token)
{
	if (st->token != NULL) {
		explicit_bzero(st->token, strlen(st->token));
		free(st->token);
	}
	st->token = token != NULL ? xstrdup(token) : NULL;
}

static void
served_tag_free(struct served_tag *st)
{
	int	i;

	for (i = 0; i < RENDER_NFORMATS; i++)
		render_body_unref(st->bodies[i]);
	served_tag_token(st, NULL);
	free(st->name);
	free(st);
}

/* Add or replace a tag's body; the cache takes its own reference. */
void
render_cache_put(struct body *b)
{
	struct served_tag	*st;
	struct body		*old;

	render_body_ref(b);
	pthread_mutex_lock(&cache_lock);
	st = served_tag_get(b->tag);
	old = st->bodies[b->format];
	st->bodies[b->format] = b;
	pthread_mutex_unlock(&cache_lock);
	render_body_unref(old);
}

/*
 * Take the bodies of a render that covers the worker's jobs up to seq;
 * those of tags conf no longer has (gone meanwhile) are skipped.  Loop
 * thread.
 */
void
render_cache_update(struct body **bodies, size_t n, uint64_t seq,
    const struct conf *conf)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (conf_has_tag(conf, bodies[i]->tag))
			render_cache_put(bodies[i]);
	}
	if (seq > rendered_seq)
		rendered_seq = seq;
}

/* Entries stored by worker jobs up to this seq are served. */
uint64_t
render_cache_seq(void)
{
	return (rendered_seq);
}

/* When the next poll of any of the tag's feeds is due (for max-age). */
void
render_cache_next_poll(const char *tag, time_t when)
{
	struct served_tag	*st;

	pthread_mutex_lock(&cache_lock);
	if ((st = strmap_get(&cache, tag)) != NULL)
		st->next_poll = when;
	pthread_mutex_unlock(&cache_lock);
}

/*
 * Serve exactly conf's tags: drop the others, and add the new ones without
 * bodies (answered 503 until their first render).  Loop thread.
 */
void
render_cache_retain(const struct conf *conf)
{
	const struct conf_tag	 *ct;
	struct served_tag	**gone = NULL, *st;
	size_t			  ngone = 0, i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < cache.cap; i++) {
		if (cache.slots[i].key == NULL)
			continue;
		st = cache.slots[i].val;
		if (conf_has_tag(conf, st->name))
			continue;
		gone = xreallocarray(gone, ngone + 1, sizeof(*gone));
		gone[ngone++] = st;
	}
	for (i = 0; i < ngone; i++)
		strmap_del(&cache, gone[i]->name);
	for (i = 0; i < conf->ntags; i++) {
		ct = conf_tag_find(conf, conf->tags[i]);
		st = served_tag_get(conf->tags[i]);
		st->entries = (int)ct->entries;
		served_tag_token(st, ct->token);
	}
	pthread_mutex_unlock(&cache_lock);
	for (i = 0; i < ngone; i++)
		served_tag_free(gone[i]);
	free(gone);
}

/* Serve body (a reference is taken) at path ("/", "/opml"). */
void
render_cache_page_put(const char *path, struct body *b)
{
	struct body	*old;

	render_body_ref(b);
	pthread_mutex_lock(&cache_lock);
	old = strmap_get(&pages, path);
	strmap_del(&pages, path);
	free(b->tag);
	b->tag = xstrdup(path);		/* the map's key */
	strmap_put(&pages, b->tag, b);
	pthread_mutex_unlock(&cache_lock);
	render_body_unref(old);
}

/* The body served at path, referenced (unref it), or NULL. */
struct body *
render_cache_page_get(const char *path)
{
	struct body	*b;

	pthread_mutex_lock(&cache_lock);
	if ((b = strmap_get(&pages, path)) != NULL)
		render_body_ref(b);
	pthread_mutex_unlock(&cache_lock);
	return (b);
}

void
render_cache_clear(void)
{
	size_t	i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < cache.cap; i++) {
		if (cache.slots[i].key != NULL)
			served_tag_free(cache.slots[i].val);
	}
	strmap_free(&cache);
	for (i = 0; i < pages.cap; i++) {
		if (pages.slots[i].key != NULL)
			render_body_unref(pages.slots[i].val);
	}
	strmap_free(&pages);
	pthread_mutex_unlock(&cache_lock);
}
