/*
 * render-rss.c: a page of a tag's entries as an RSS 2.0 document, with
 * atom:link for the self and paging links (as RSS has none of its own).
 *
 * RSS cannot say everything Atom can: an item has at most one enclosure
 * (the first is kept), <author> wants an e-mail address (names go in
 * dc:creator instead), and <source url> must be the feed's address (it is
 * left out when that is not http(s)).  The summary is the description;
 * full content goes in content:encoded.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render-internal.h"
#include "text.h"
#include "util.h"

static void	rss_time(struct buf *, int, const char *, time_t);
static void	rss_item(struct buf *, struct item *);

static void
rss_time(struct buf *b, int depth, const char *name, time_t t)
{
	char	tbuf[64];

	rw_element(b, depth, name, util_format_http_date(t, tbuf, sizeof(tbuf)));
}

static void
rss_item(struct buf *b, struct item *it)
{
	const struct enclosure	*e;
	const char		*id = it->id != NULL ? it->id : it->uid;
	char			 len[32];
	size_t			 i;

	buf_addstr(b, "    <item>\n");
	rw_element(b, 3, "title", it->title != NULL ? it->title : "");
	rw_element(b, 3, "link", it->link);
	rw_indent(b, 3);
	buf_addstr(b, "<guid");
	/* A permalink guid must be a URL a browser can open. */
	rw_attr(b, "isPermaLink", it->link != NULL &&
	    strcmp(id, it->link) == 0 ? "true" : "false");
	buf_addc(b, '>');
	rw_escape(b, id, 0);
	buf_addstr(b, "</guid>\n");
	rss_time(b, 3, "pubDate", it->published ? it->published :
	    rw_item_updated(it));
	for (i = 0; i < it->nauthors; i++)
		rw_element(b, 3, "dc:creator", it->authors[i]);
	for (i = 0; i < it->ncategories; i++)
		rw_element(b, 3, "category", it->categories[i]);
	rw_element(b, 3, "description", it->summary != NULL ? it->summary :
	    it->content);
	if (it->content != NULL && it->summary != NULL)
		rw_element(b, 3, "content:encoded", it->content);
	if (it->nenclosures > 0) {
		e = &it->enclosures[0];
		snprintf(len, sizeof(len), "%lld", e->length >= 0 ?
		    (long long)e->length : 0LL);
		buf_addstr(b, "      <enclosure");
		rw_attr(b, "url", e->url);
		rw_attr(b, "length", len);
		rw_attr(b, "type", e->type != NULL ? e->type :
		    "application/octet-stream");
		buf_addstr(b, "/>\n");
	}
	if (rw_url_ok(it->source_url)) {
		buf_addstr(b, "      <source");
		rw_attr(b, "url", it->source_url);
		buf_addc(b, '>');
		rw_escape(b, rw_item_source(it), 0);
		buf_addstr(b, "</source>\n");
	}
	buf_addstr(b, "    </item>\n");
}

/* Render a page of one tag's entries (made safe by sanitize_item). */
struct body *
render_rss(const struct render_page *p, struct items *items)
{
	struct item	*it;
	struct buf	 out;
	struct rw_links	 l;
	char		*desc;

	rw_links_make(&l, p, "rss");
	rw_start(&out, p, 1);
	buf_addstr(&out, "<rss version=\"2.0\" "
	    "xmlns:atom=\"http://www.w3.org/2005/Atom\" "
	    "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
	    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
	    "  <channel>\n");
	rw_element(&out, 2, "title", p->title);
	rw_element(&out, 2, "link", l.html);
	/* The channel's description is HTML to readers; ours is text. */
	desc = text_escape_html(p->description != NULL &&
	    *p->description != '\0' ? p->description : p->title);
	rw_element(&out, 2, "description", desc);
	free(desc);
	rw_link(&out, 2, "atom:link", "self", "application/rss+xml", l.self);
	rw_link(&out, 2, "atom:link", "first", "application/rss+xml", l.first);
	rw_link(&out, 2, "atom:link", "next", "application/rss+xml", l.next);
	rss_time(&out, 2, "lastBuildDate", p->updated);
	rw_element(&out, 2, "generator", "feedmux " PACKAGE_VERSION);
	rw_element(&out, 2, "docs", "https://www.rssboard.org/rss-specification");
	TAILQ_FOREACH(it, items, entry)
		rss_item(&out, it);
	buf_addstr(&out, "  </channel>\n</rss>\n");
	rw_links_free(&l);
	return (rw_body(p, RENDER_RSS, &out));
}
