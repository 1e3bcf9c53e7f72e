/*
 * render.c: served bodies and the cache that keeps each tag's newest.
 *
 * A body is made once by a renderer (on the worker thread) and then lives
 * on the loop thread: the cache holds a reference, and so does each HTTP
 * response that sends it, by reference, until it is sent.  A new render
 * replaces a tag's body in the cache; the old one goes when its last
 * response is done with it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "render.h"
#include "util.h"
#include "xmalloc.h"

static struct bodies	cache = TAILQ_HEAD_INITIALIZER(cache);
static uint64_t		rendered_seq;	/* worker jobs rendered up to */

/*
 * A body of data (taken), with a strong ETag from its bytes: the same
 * content always gets the same validator, across restarts too.
 */
struct body *
render_body_new(const char *tag, char *data, size_t len, time_t updated,
    int nitems)
{
	struct body	*b;

	b = xcalloc(1, sizeof(*b));
	b->refs = 1;
	b->tag = xstrdup(tag);
	b->data = data;
	b->len = len;
	b->updated = updated;
	b->nitems = nitems;
	snprintf(b->etag, sizeof(b->etag), "\"%016llx\"",
	    (unsigned long long)util_hash64(data, len, 0));
	return (b);
}

void
render_body_ref(struct body *b)
{
	b->refs++;
}

void
render_body_unref(struct body *b)
{
	if (b == NULL || --b->refs > 0)
		return;
	free(b->tag);
	free(b->data);
	free(b);
}

struct body *
render_cache_get(const char *tag)
{
	struct body	*b;

	TAILQ_FOREACH(b, &cache, entry) {
		if (strcmp(b->tag, tag) == 0)
			return (b);
	}
	return (NULL);
}

/* Add or replace a tag's body; the cache takes its own reference. */
void
render_cache_put(struct body *b)
{
	struct body	*old;

	render_body_ref(b);
	if ((old = render_cache_get(b->tag)) != NULL) {
		TAILQ_REMOVE(&cache, old, entry);
		render_body_unref(old);
	}
	TAILQ_INSERT_TAIL(&cache, b, entry);
}

/*
 * Take the bodies of a render that covers the worker's jobs up to seq;
 * those of tags conf no longer has (gone meanwhile) are skipped.
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

/* Drop the bodies of tags that the configuration no longer has. */
void
render_cache_retain(const struct conf *conf)
{
	struct body	*b, *next;

	TAILQ_FOREACH_SAFE(b, &cache, entry, next) {
		if (!conf_has_tag(conf, b->tag)) {
			TAILQ_REMOVE(&cache, b, entry);
			render_body_unref(b);
		}
	}
}

void
render_cache_clear(void)
{
	struct body	*b;

	while ((b = TAILQ_FIRST(&cache)) != NULL) {
		TAILQ_REMOVE(&cache, b, entry);
		render_body_unref(b);
	}
}
