/*
 * render.h: served bodies.  A tag's entries are rendered into one body per
 * format on the worker thread (render-tags.c reads them from the store and
 * makes them safe; render-atom.c, render-rss.c, render-json.c and
 * render-html.c write the documents), gzipped once, then kept in the cache
 * (render.c), from which the serving threads send them by reference.  A
 * body is never changed: a new render replaces it, and responses in
 * flight keep theirs.
 */
#ifndef RENDER_H
#define RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "item.h"

struct conf;
struct db;
struct feed_state;

/* The formats each tag is served in, and the extension that names each. */
enum render_format {
	RENDER_ATOM,
	RENDER_RSS,
	RENDER_JSON,
	RENDER_HTML,
	RENDER_NFORMATS
};

/*
 * A rendered document (a tag feed in one format), plain and gzipped.
 * Made by the worker, then owned by the cache, where serving threads take
 * references while they send it.  References are atomic.
 */
struct body {
	int			 refs;
	char			*tag;
	enum render_format	 format;
	char			*data;
	size_t			 len;
	char			*gz;		/* NULL: gzip would not be smaller */
	size_t			 gzlen;
	char			 etag[24];	/* quoted strong validators */
	char			 gzetag[28];
	time_t			 updated;	/* newest entry change */
	char			 modified[32];	/* updated as an HTTP date */
	int			 nitems;
};

/* What a page of a tag says about itself. */
struct render_page {
	const char		*tag;
	const char		*title;
	const char		*description;	/* "" or NULL: none */
	const char		*base;		/* "http://host:port" */
	const char		*query;		/* this page's; NULL: the first */
	const char		*next;		/* the next page's; NULL: last */
	const char		*token;		/* a private tag's, for links */
	time_t			 updated;
	int			 nitems;
};

/* A feed as the index page shows it. */
struct render_feed {
	const char		*name;
	const struct feed_state	*state;
};

/* Where a page of a tag starts: after this entry (sort time, store id). */
struct render_cursor {
	int64_t			 time;
	int64_t			 key;
};

/* A page rendered by the pager, or NULL; on the pager's thread. */
typedef void (*render_pager_cb)(struct body *, void *);

/* What the cache knows of a tag, for one format. */
struct render_served {
	struct body		*body;		/* referenced; NULL: not yet */
	time_t			 next_poll;	/* 0: unknown */
	int			 entries;	/* per page */
	int			 private;	/* token_file: private caching */
};

/* render.c: bodies, and the cache that serving threads read. */
struct body	*render_body_new(const char *, enum render_format, char *,
		    size_t, time_t, int);
void		 render_body_ref(struct body *);
void		 render_body_unref(struct body *);
const char	*render_format_ext(enum render_format);
const char	*render_format_type(enum render_format);
int		 render_format_find(const char *, enum render_format *);
int		 render_cache_lookup(const char *, enum render_format,
		    const char *, struct render_served *);
struct body	*render_cache_get(const char *, enum render_format);
void		 render_cache_put(struct body *);
void		 render_cache_update(struct body **, size_t, uint64_t,
		    const struct conf *);
uint64_t	 render_cache_seq(void);
void		 render_cache_retain(const struct conf *);
void		 render_cache_next_poll(const char *, time_t);
void		 render_cache_page_put(const char *, struct body *);
struct body	*render_cache_page_get(const char *);
void		 render_cache_clear(void);

/* render-atom.c, render-rss.c, render-json.c, render-html.c */
struct body	*render_atom(const struct render_page *, struct items *);
struct body	*render_rss(const struct render_page *, struct items *);
struct body	*render_json(const struct render_page *, struct items *);
struct body	*render_river(const struct render_page *, struct items *);
struct body	*render_index(const struct conf *, const struct render_feed *,
		    size_t);
struct body	*render_opml(const struct conf *);
struct body	*render_xsl(void);

/* render-pager.c: pages beyond the cached one, on a thread of its own. */
int		 render_pager_start(const char *, char **);
void		 render_pager_configure(const struct conf *);
int		 render_pager_request(const char *, enum render_format,
		    const struct render_cursor *, int, render_pager_cb, void *);
void		 render_pager_stop(void);

/* render-write.c: page cursors ("TIME-KEY"). */
int		 render_cursor_parse(const char *, struct render_cursor *);
char		*render_cursor_query(const struct item *, int, int);

/* render-tags.c: on the thread that owns the store (but _format). */
struct body	*render_page_format(const struct render_page *, struct items *,
		    enum render_format);
void		 render_tags_configure(const struct conf *);
size_t		 render_tags(struct db *, char **, size_t, struct body ***);
void		 render_tags_collect(struct db *);
void		 render_tags_forget(struct db *);
int		 render_tags_pending(struct timespec *);
int		 render_tags_due(void);
size_t		 render_tags_flush(struct db *, struct body ***);
void		 render_tags_shutdown(void);

#endif
