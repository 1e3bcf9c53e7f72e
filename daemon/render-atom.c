/*
 * render-atom.c: a page of a tag's entries as an Atom 1.0 document
 * (RFC 4287), with RFC 5005 paging links.
 *
 * Runs on the worker thread.  Written by hand into one buffer
 * (xmlTextWriter cost a millisecond per 50-entry feed; this is a fifth of
 * that), with text.c's XML escaper doing all escaping.  Each entry keeps
 * its original id and carries a <source> naming its feed, so that readers
 * can tell where it came from (RFC 4287 section 4.2.11).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render-internal.h"
#include "util.h"

#define NS_ATOM		"http://www.w3.org/2005/Atom"

static void	atom_html(struct buf *, const char *, const char *);
static void	atom_enclosure(struct buf *, const struct enclosure *);
static void	atom_entry(struct buf *, struct item *);

static void
atom_html(struct buf *b, const char *name, const char *html)
{
	if (html == NULL)
		return;
	buf_addstr(b, "    <");
	buf_addstr(b, name);
	buf_addstr(b, " type=\"html\">");
	rw_escape(b, html, 0);
	buf_addstr(b, "</");
	buf_addstr(b, name);
	buf_addstr(b, ">\n");
}

static void
atom_enclosure(struct buf *b, const struct enclosure *e)
{
	char	len[32];

	buf_addstr(b, "    <link");
	rw_attr(b, "rel", "enclosure");
	rw_attr(b, "href", e->url);
	rw_attr(b, "type", e->type);
	if (e->length >= 0) {
		snprintf(len, sizeof(len), "%lld", (long long)e->length);
		rw_attr(b, "length", len);
	}
	buf_addstr(b, "/>\n");
}

static void
atom_entry(struct buf *b, struct item *it)
{
	const char	*source = rw_item_source(it);
	size_t		 i;

	buf_addstr(b, "  <entry>\n");
	rw_element(b, 2, "id", it->id != NULL ? it->id : it->uid);
	rw_element(b, 2, "title", it->title != NULL ? it->title : "");
	rw_link(b, 2, "link", "alternate", "text/html", it->link);
	rw_rfc3339(b, 2, "updated", rw_item_updated(it));
	if (it->published != 0)
		rw_rfc3339(b, 2, "published", it->published);
	/* Atom wants an author; the publishing feed is the honest fallback. */
	for (i = 0; i < it->nauthors || (i == 0 && it->nauthors == 0); i++) {
		buf_addstr(b, "    <author>\n");
		rw_element(b, 3, "name", it->nauthors > 0 ? it->authors[i] :
		    source);
		buf_addstr(b, "    </author>\n");
	}
	for (i = 0; i < it->nenclosures; i++)
		atom_enclosure(b, &it->enclosures[i]);
	for (i = 0; i < it->ncategories; i++) {
		buf_addstr(b, "    <category");
		rw_attr(b, "term", it->categories[i]);
		buf_addstr(b, "/>\n");
	}
	atom_html(b, "summary", it->summary);
	atom_html(b, "content", it->content);

	buf_addstr(b, "    <source>\n");
	rw_element(b, 3, "id", it->source_url);
	rw_element(b, 3, "title", source);
	rw_link(b, 3, "link", "alternate", "text/html", it->source_link);
	if (rw_url_ok(it->source_url))
		rw_link(b, 3, "link", "self", NULL, it->source_url);
	buf_addstr(b, "    </source>\n");
	buf_addstr(b, "  </entry>\n");
}

/* Render a page of one tag's entries (made safe by sanitize_item). */
struct body *
render_atom(const struct render_page *p, struct items *items)
{
	struct item	*it;
	struct buf	 out;
	struct rw_links	 l;

	rw_links_make(&l, p, "atom");
	rw_start(&out, p, 1);
	buf_addstr(&out, "<feed xmlns=\"" NS_ATOM "\">\n");
	rw_element(&out, 1, "id", l.self);
	rw_element(&out, 1, "title", p->title);
	if (p->description != NULL && *p->description != '\0')
		rw_element(&out, 1, "subtitle", p->description);
	rw_rfc3339(&out, 1, "updated", p->updated);
	rw_link(&out, 1, "link", "self", "application/atom+xml", l.self);
	rw_link(&out, 1, "link", "first", "application/atom+xml", l.first);
	rw_link(&out, 1, "link", "next", "application/atom+xml", l.next);
	rw_link(&out, 1, "link", "alternate", "text/html", l.html);
	buf_addstr(&out, "  <generator");
	rw_attr(&out, "uri", PACKAGE_URL);
	rw_attr(&out, "version", PACKAGE_VERSION);
	buf_addstr(&out, ">feedmux</generator>\n");
	TAILQ_FOREACH(it, items, entry)
		atom_entry(&out, it);
	buf_addstr(&out, "</feed>\n");
	rw_links_free(&l);
	return (rw_body(p, RENDER_ATOM, &out));
}
