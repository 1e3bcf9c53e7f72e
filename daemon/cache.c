/*
 * cache.c: rendered tag feeds, ready to send.  Lives on the loop thread;
 * the HTTP server answers from here without touching the database.  A
 * body is replaced, never changed: responses in flight keep a reference
 * to the old one until they are sent.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "feedmux.h"

static struct bodies	cache = TAILQ_HEAD_INITIALIZER(cache);
static uint64_t		rendered_seq;	/* worker jobs rendered up to */

struct body *
cache_get(const char *tag)
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
cache_put(struct body *b)
{
	struct body	*old;

	body_ref(b);
	if ((old = cache_get(b->tag)) != NULL) {
		TAILQ_REMOVE(&cache, old, entry);
		body_unref(old);
	}
	TAILQ_INSERT_TAIL(&cache, b, entry);
}

/* A job's rendered tags (a job callback); tags gone meanwhile skipped. */
void
cache_put_job(struct job *job, void *arg)
{
	size_t	i;

	for (i = 0; i < job->nbodies; i++) {
		if (cfg != NULL && conf_has_tag(cfg, job->bodies[i]->tag))
			cache_put(job->bodies[i]);
	}
	if (job->seq > rendered_seq)
		rendered_seq = job->seq;
	ctl_cmd_feed_done(NULL);	/* refreshes waiting for this render */
}

/* Entries stored by worker jobs up to this seq are served. */
uint64_t
cache_rendered_seq(void)
{
	return (rendered_seq);
}

/* Drop the bodies of tags that the configuration no longer has. */
void
cache_retain(const struct conf *conf)
{
	struct body	*b, *next;

	TAILQ_FOREACH_SAFE(b, &cache, entry, next) {
		if (!conf_has_tag(conf, b->tag)) {
			TAILQ_REMOVE(&cache, b, entry);
			body_unref(b);
		}
	}
}

void
cache_clear(void)
{
	struct body	*b;

	while ((b = TAILQ_FIRST(&cache)) != NULL) {
		TAILQ_REMOVE(&cache, b, entry);
		body_unref(b);
	}
}
