/*
 * render-internal.h: what the renderers share (render-write.c): XML
 * writing, times in the formats feeds use, and the addresses of pages.
 */
#ifndef RENDER_INTERNAL_H
#define RENDER_INTERNAL_H

#include <time.h>

struct body;
struct buf;
struct conf_tag;
struct items;
struct item;
struct render_page;

/* The links a page of a feed has: itself, the first, the next, its page. */
struct rw_links {
	char	*self;
	char	*first;
	char	*next;		/* NULL on the last page */
	char	*html;
};

void	 rw_indent(struct buf *, int);
void	 rw_escape(struct buf *, const char *, int);
void	 rw_element(struct buf *, int, const char *, const char *);
void	 rw_attr(struct buf *, const char *, const char *);
void	 rw_link(struct buf *, int, const char *, const char *, const char *,
	    const char *);
void	 rw_rfc3339(struct buf *, int, const char *, time_t);
char	*rw_page_url(const struct render_page *, const char *, const char *);
void	 rw_links_make(struct rw_links *, const struct render_page *,
	    const char *);
void	 rw_links_free(struct rw_links *);
void	 rw_start(struct buf *, const struct render_page *, int);
struct body *rw_body(const struct render_page *, int, struct buf *);
char	*rw_tag_title(const struct conf_tag *, const char *);
char	*rw_page_cut(struct render_page *, struct items *, int, int);
void	 rw_stylesheet(struct buf *, const struct render_page *);
int	 rw_url_ok(const char *);
time_t	 rw_item_updated(const struct item *);
const char *rw_item_source(const struct item *);

#endif
