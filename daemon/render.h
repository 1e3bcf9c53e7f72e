/*
 * render.h: served bodies.  A tag's entries are rendered into a body on the
 * worker thread (render-tags.c reads them from the store; render-atom.c
 * writes the document), then kept in the cache on the loop thread
 * (render.c), from which HTTP sends them by reference.  A body is never
 * changed: a new render replaces it, and responses in flight keep theirs.
 */
#ifndef RENDER_H
#define RENDER_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "item.h"

struct conf;
struct db;
struct evbuffer;

/* How many entries a tag feed carries (paging is a later issue). */
#define RENDER_ENTRIES		50

/*
 * A rendered tag feed.  Made by the worker, then owned by the loop thread
 * (the cache), where HTTP responses hold references while they are sent.
 */
struct body {
	int			 refs;
	char			*tag;
	char			*data;
	size_t			 len;
	char			 etag[24];	/* quoted strong validator */
	time_t			 updated;
	int			 nitems;
	TAILQ_ENTRY(body)	 entry;
};
TAILQ_HEAD(bodies, body);

/* render.c: bodies and the cache, on the loop thread but for _new. */
struct body	*render_body_new(const char *, char *, size_t, time_t, int);
void		 render_body_ref(struct body *);
void		 render_body_unref(struct body *);
struct body	*render_cache_get(const char *);
void		 render_cache_put(struct body *);
void		 render_cache_update(struct body **, size_t, uint64_t,
		    const struct conf *);
uint64_t	 render_cache_seq(void);
void		 render_cache_retain(const struct conf *);
void		 render_cache_clear(void);

/* render-atom.c */
struct body	*render_atom(const char *, struct items *, const char *);

/* render-html.c */
void		 render_html_index(struct evbuffer *, const struct conf *);

/* render-tags.c: on the thread that owns the store. */
void		 render_tags_configure(const char *);
size_t		 render_tags(struct db *, char **, size_t, struct body ***);
void		 render_tags_collect(struct db *);
void		 render_tags_forget(struct db *);
int		 render_tags_pending(struct timespec *);
int		 render_tags_due(void);
size_t		 render_tags_flush(struct db *, struct body ***);
void		 render_tags_shutdown(void);

#endif
