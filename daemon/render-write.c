/*
 * render-write.c: what the Atom, RSS, JSON Feed and HTML renderers share:
 * XML elements and attributes (escaped by text.c), times, page addresses,
 * and making a page of entries, which the worker (first pages) and the
 * pager (the others) both do.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "item.h"
#include "render.h"
#include "render-internal.h"
#include "sanitize.h"
#include "text.h"
#include "util.h"
#include "xmalloc.h"

/* Two spaces a level (documents are at most five deep). */
void
rw_indent(struct buf *b, int depth)
{
	buf_add(b, "          ", depth * 2 < 10 ? depth * 2 : 10);
}

/* Text for XML (attr: an attribute value in double quotes). */
void
rw_escape(struct buf *b, const char *s, int attr)
{
	text_escape(b, s, strlen(s), attr ? TEXT_XML_ATTR : TEXT_XML);
}

/* Indentation, then <name>text</name> and a newline; nothing if NULL. */
void
rw_element(struct buf *b, int depth, const char *name, const char *value)
{
	if (value == NULL)
		return;
	rw_indent(b, depth);
	buf_addc(b, '<');
	buf_addstr(b, name);
	buf_addc(b, '>');
	rw_escape(b, value, 0);
	buf_addstr(b, "</");
	buf_addstr(b, name);
	buf_addstr(b, ">\n");
}

/* name="value", with a leading space; nothing when value is NULL. */
void
rw_attr(struct buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	buf_addc(b, ' ');
	buf_addstr(b, name);
	buf_addstr(b, "=\"");
	rw_escape(b, value, 1);
	buf_addc(b, '"');
}

/* <name rel type href/> (Atom's link, RSS's atom:link); none if no href. */
void
rw_link(struct buf *b, int depth, const char *name, const char *rel,
    const char *type, const char *href)
{
	if (href == NULL)
		return;
	rw_indent(b, depth);
	buf_addc(b, '<');
	buf_addstr(b, name);
	rw_attr(b, "rel", rel);
	rw_attr(b, "type", type);
	rw_attr(b, "href", href);
	buf_addstr(b, "/>\n");
}

/* An element holding an RFC 3339 time (Atom). */
void
rw_rfc3339(struct buf *b, int depth, const char *name, time_t t)
{
	char	tbuf[UTIL_TIMEBUF];

	rw_element(b, depth, name, util_format_time(t, tbuf, sizeof(tbuf)));
}

/*
 * The address of a page of the tag in format ext, with query or none; a
 * private tag's carry its token, percent-encoded, so that they open.
 */
char *
rw_page_url(const struct render_page *p, const char *ext, const char *query)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct buf		 b;
	const char		*t;

	buf_init(&b);
	buf_addstr(&b, p->base);
	buf_addstr(&b, "/tags/");
	buf_addstr(&b, p->tag);
	buf_addc(&b, '.');
	buf_addstr(&b, ext);
	if (query != NULL) {
		buf_addc(&b, '?');
		buf_addstr(&b, query);
	}
	if (p->token != NULL) {
		buf_addstr(&b, query != NULL ? "&token=" : "?token=");
		for (t = p->token; *t != '\0'; t++) {
			if (isalnum((unsigned char)*t) || strchr("-._~", *t))
				buf_addc(&b, *t);
			else {
				buf_addc(&b, '%');
				buf_addc(&b, hex[(unsigned char)*t >> 4]);
				buf_addc(&b, hex[*t & 15]);
			}
		}
	}
	return (buf_steal(&b));
}

/* The links of page p of a feed in format ext. */
void
rw_links_make(struct rw_links *l, const struct render_page *p,
    const char *ext)
{
	l->self = rw_page_url(p, ext, p->query);
	l->first = rw_page_url(p, ext, NULL);
	l->next = p->next != NULL ? rw_page_url(p, ext, p->next) : NULL;
	l->html = rw_page_url(p, "html", NULL);
}

void
rw_links_free(struct rw_links *l)
{
	free(l->self);
	free(l->first);
	free(l->next);
	free(l->html);
}

/* A document's buffer, sized for the page; xml: with the XML prologue. */
void
rw_start(struct buf *b, const struct render_page *p, int xml)
{
	buf_init(b);
	buf_grow(b, 4096 + (size_t)p->nitems * 2048);
	if (xml) {
		buf_addstr(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
		rw_stylesheet(b, p);
	}
}

/* The finished document as the body of page p in format f (b is taken). */
struct body *
rw_body(const struct render_page *p, int f, struct buf *b)
{
	size_t	len = b->len;

	return (render_body_new(p->tag, f, buf_steal(b), len, p->updated,
	    p->nitems));
}

/* The stylesheet that makes a feed readable in a browser. */
void
rw_stylesheet(struct buf *b, const struct render_page *p)
{
	buf_addstr(b, "<?xml-stylesheet type=\"text/xsl\" href=\"");
	rw_escape(b, p->base, 1);
	buf_addstr(b, "/feed.xsl\"?>\n");
}

/* May a document link to url?  (Ids may be any IRI; links only http(s).) */
int
rw_url_ok(const char *url)
{
	return (url != NULL && (strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0));
}

/* When an entry last changed, as far as we know. */
time_t
rw_item_updated(const struct item *it)
{
	return (it->updated ? it->updated : it->sort_time);
}

/* The name of the feed an entry came from. */
const char *
rw_item_source(const struct item *it)
{
	return (it->source_title != NULL ? it->source_title :
	    it->source_name != NULL ? it->source_name : "");
}

/* The title of a tag's feeds: its section's, else "feedmux: NAME". */
char *
rw_tag_title(const struct conf_tag *ct, const char *tag)
{
	char	*title;

	if (*ct->title != '\0')
		return (xstrdup(ct->title));
	xasprintf(&title, "feedmux: %s", tag);
	return (title);
}

/*
 * Make items (read with one more than limit, to know whether there is a
 * next page) a page: the extra entry goes and gives the next page's query
 * (returned; NULL on the last page), the rest are made safe and counted
 * into p's nitems and updated.  entries is the tag's own page size.
 */
char *
rw_page_cut(struct render_page *p, struct items *items, int limit,
    int entries)
{
	struct item	*it, *last = NULL;

	TAILQ_FOREACH(it, items, entry) {
		if (p->nitems == limit) {
			TAILQ_REMOVE(items, it, entry);
			item_free(it);
			return (render_cursor_query(last, limit, entries));
		}
		sanitize_item(it);
		if (rw_item_updated(it) > p->updated)
			p->updated = rw_item_updated(it);
		p->nitems++;
		last = it;
	}
	return (NULL);
}

/* Read a cursor ("TIME-KEY"); -1 if it is not one. */
int
render_cursor_parse(const char *s, struct render_cursor *c)
{
	char	*end;

	errno = 0;
	c->time = strtoll(s, &end, 10);
	if (end == s || *end != '-' || errno != 0)
		return (-1);
	s = end + 1;
	c->key = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || c->key < 0)
		return (-1);
	return (0);
}

/* The query of the page after it: its cursor, and its size unless it is
 * the tag's own. */
char *
render_cursor_query(const struct item *last, int limit, int entries)
{
	char	*q;

	if (limit != entries)
		xasprintf(&q, "before=%lld-%" PRId64 "&limit=%d",
		    (long long)last->sort_time, last->key, limit);
	else
		xasprintf(&q, "before=%lld-%" PRId64,
		    (long long)last->sort_time, last->key);
	return (q);
}
