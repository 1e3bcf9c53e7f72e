/*
 * render-atom.c: a tag's entries to an Atom 1.0 document (RFC 4287).
 *
 * Runs on the worker thread; the result is a struct body that the loop
 * thread caches and serves as is.  Written by hand into one buffer
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
#include "text.h"
#include "util.h"
#include "xmalloc.h"

#define NS_ATOM		"http://www.w3.org/2005/Atom"

static void	atom_escape(struct buf *, const char *, int);
static void	atom_indent(struct buf *, int);
static void	atom_element(struct buf *, int, const char *, const char *);
static void	atom_time(struct buf *, int, const char *, time_t);
static void	atom_attr(struct buf *, const char *, const char *);
static void	atom_link(struct buf *, int, const char *, const char *,
		    const char *);
static void	atom_entry(struct buf *, struct item *);

/* Text for XML (attr: an attribute value in double quotes). */
static void
atom_escape(struct buf *b, const char *s, int attr)
{
	text_escape(b, s, strlen(s), attr ? TEXT_XML_ATTR : TEXT_XML);
}

/* Two spaces a level (the document is at most five deep). */
static void
atom_indent(struct buf *b, int depth)
{
	buf_add(b, "          ", depth * 2 < 10 ? depth * 2 : 10);
}

/* Indentation, then <name>text</name> and a newline. */
static void
atom_element(struct buf *b, int depth, const char *name, const char *value)
{
	if (value == NULL)
		return;
	atom_indent(b, depth);
	buf_addc(b, '<');
	buf_addstr(b, name);
	buf_addc(b, '>');
	atom_escape(b, value, 0);
	buf_addstr(b, "</");
	buf_addstr(b, name);
	buf_addstr(b, ">\n");
}

static void
atom_time(struct buf *b, int depth, const char *name, time_t t)
{
	char	tbuf[UTIL_TIMEBUF];

	atom_element(b, depth, name, util_format_time(t, tbuf, sizeof(tbuf)));
}

/* name="value", with a leading space; nothing when value is NULL. */
static void
atom_attr(struct buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	buf_addc(b, ' ');
	buf_addstr(b, name);
	buf_addstr(b, "=\"");
	atom_escape(b, value, 1);
	buf_addc(b, '"');
}

static void
atom_link(struct buf *b, int depth, const char *rel, const char *type,
    const char *href)
{
	if (href == NULL)
		return;
	atom_indent(b, depth);
	buf_addstr(b, "<link");
	atom_attr(b, "rel", rel);
	atom_attr(b, "type", type);
	atom_attr(b, "href", href);
	buf_addstr(b, "/>\n");
}

static void
atom_html(struct buf *b, const char *name, const char *html)
{
	if (html == NULL)
		return;
	buf_addstr(b, "    <");
	buf_addstr(b, name);
	buf_addstr(b, " type=\"html\">");
	atom_escape(b, html, 0);
	buf_addstr(b, "</");
	buf_addstr(b, name);
	buf_addstr(b, ">\n");
}

static void
atom_enclosure(struct buf *b, const struct enclosure *e)
{
	char	len[32];

	buf_addstr(b, "    <link");
	atom_attr(b, "rel", "enclosure");
	atom_attr(b, "href", e->url);
	atom_attr(b, "type", e->type);
	if (e->length >= 0) {
		snprintf(len, sizeof(len), "%lld", (long long)e->length);
		atom_attr(b, "length", len);
	}
	buf_addstr(b, "/>\n");
}

static void
atom_entry(struct buf *b, struct item *it)
{
	const char	*source_title;
	size_t		 i;

	source_title = it->source_title != NULL ? it->source_title :
	    it->source_name;
	buf_addstr(b, "  <entry>\n");
	atom_element(b, 2, "id", it->id != NULL ? it->id : it->uid);
	atom_element(b, 2, "title", it->title != NULL ? it->title : "");
	atom_link(b, 2, "alternate", "text/html", it->link);
	atom_time(b, 2, "updated", it->updated ? it->updated : it->sort_time);
	if (it->published != 0)
		atom_time(b, 2, "published", it->published);
	/* Atom wants an author; the publishing feed is the honest fallback. */
	for (i = 0; i < it->nauthors || (i == 0 && it->nauthors == 0); i++) {
		buf_addstr(b, "    <author>\n");
		atom_element(b, 3, "name", it->nauthors > 0 ?
		    it->authors[i] : source_title != NULL ? source_title : "");
		buf_addstr(b, "    </author>\n");
	}
	for (i = 0; i < it->nenclosures; i++)
		atom_enclosure(b, &it->enclosures[i]);
	for (i = 0; i < it->ncategories; i++) {
		buf_addstr(b, "    <category");
		atom_attr(b, "term", it->categories[i]);
		buf_addstr(b, "/>\n");
	}
	atom_html(b, "summary", it->summary);
	atom_html(b, "content", it->content);

	buf_addstr(b, "    <source>\n");
	atom_element(b, 3, "id", it->source_url);
	atom_element(b, 3, "title", source_title);
	atom_link(b, 3, "alternate", "text/html", it->source_link);
	atom_link(b, 3, "self", NULL, it->source_url);
	buf_addstr(b, "    </source>\n");
	buf_addstr(b, "  </entry>\n");
}

/*
 * Render the Atom feed of one tag.  base is the public URL prefix of this
 * daemon ("http://host:port"), used for the feed's id and self link.
 */
struct body *
render_atom(const char *tag, struct items *items, const char *base)
{
	struct item	*it;
	struct body	*b;
	struct buf	 out;
	char		*self, *home, *title;
	size_t		 len;
	time_t		 updated = 0, t;
	int		 n = 0;

	TAILQ_FOREACH(it, items, entry) {
		t = it->updated ? it->updated : it->sort_time;
		if (t > updated)
			updated = t;
		n++;
	}
	xasprintf(&self, "%s/tags/%s.atom", base, tag);
	xasprintf(&home, "%s/", base);
	xasprintf(&title, "feedmux: %s", tag);

	buf_init(&out);
	buf_grow(&out, 4096 + (size_t)n * 2048);
	buf_addstr(&out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"" NS_ATOM "\">\n");
	atom_element(&out, 1, "id", self);
	atom_element(&out, 1, "title", title);
	atom_time(&out, 1, "updated", updated ? updated : time(NULL));
	atom_link(&out, 1, "self", "application/atom+xml", self);
	atom_link(&out, 1, "alternate", "text/html", home);
	buf_addstr(&out, "  <generator");
	atom_attr(&out, "uri", PACKAGE_URL);
	atom_attr(&out, "version", PACKAGE_VERSION);
	buf_addstr(&out, ">feedmux</generator>\n");
	TAILQ_FOREACH(it, items, entry)
		atom_entry(&out, it);
	buf_addstr(&out, "</feed>\n");

	len = out.len;
	b = render_body_new(tag, buf_steal(&out), len, updated, n);
	free(self);
	free(home);
	free(title);
	return (b);
}
