/*
 * render-html.c: the pages people read, a tag's river of entries (like
 * Planet's page) and the index of tags and feeds, and the OPML list of
 * every tag feed.  Plain HTML that reads
 * on a phone and needs no JavaScript; every string is escaped, and entry
 * HTML has been through sanitize_item.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "feed-state.h"
#include "render.h"
#include "render-internal.h"
#include "text.h"
#include "util.h"
#include "xmalloc.h"

#define HTML_STYLE \
	"body{max-width:46em;margin:0 auto;padding:0 1em;font:1rem/1.5 " \
	"system-ui,sans-serif;color:#222;background:#fff}" \
	"a{color:#0645ad}header,footer{color:#555}" \
	"article{border-top:1px solid #ddd;padding:1em 0}" \
	"article h2{font-size:1.2em;margin:0}.meta{color:#666;" \
	"font-size:.9em}img,video{max-width:100%;height:auto}" \
	"pre{overflow-x:auto}table{border-collapse:collapse}" \
	"td,th{padding:.2em .5em;text-align:left;border-bottom:1px solid " \
	"#eee}.bad{color:#a00}" \
	"@media(prefers-color-scheme:dark){body{color:#ddd;" \
	"background:#111}a{color:#8ab4f8}}"

static void	html_text(struct buf *, const char *);
static void	html_head(struct buf *, const char *, const char *);
static void	html_formats(struct buf *, const struct render_page *);
static void	html_discovery(struct buf *, const struct render_page *);
static void	html_entry(struct buf *, const struct item *);
static int	html_private(const struct conf *, const char *);

/* Text, escaped for HTML text and attribute values alike. */
static void
html_text(struct buf *b, const char *s)
{
	if (s != NULL)
		text_escape(b, s, strlen(s), TEXT_HTML_ATTR);
}

static void
html_time(struct buf *b, time_t t)
{
	char	iso[UTIL_TIMEBUF], human[32];
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL) {
		buf_addstr(b, "never");
		return;
	}
	strftime(human, sizeof(human), "%Y-%m-%d %H:%M UTC", &tm);
	buf_addstr(b, "<time datetime=\"");
	buf_addstr(b, util_format_time(t, iso, sizeof(iso)));
	buf_addstr(b, "\">");
	buf_addstr(b, human);
	buf_addstr(b, "</time>");
}

/* The start of a page, up to <body>; head adds to <head>. */
static void
html_head(struct buf *b, const char *title, const char *head)
{
	buf_addstr(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>");
	html_text(b, title);
	buf_addstr(b, "</title>\n<style>" HTML_STYLE "</style>\n");
	buf_addstr(b, head);
	buf_addstr(b, "</head>\n<body>\n");
}

/* Links to a tag's feeds in every format. */
static void
html_formats(struct buf *b, const struct render_page *p)
{
	static const struct {
		enum render_format	 f;
		const char		*label;
	} feeds[] = {
		{ RENDER_ATOM, "Atom" },
		{ RENDER_RSS, "RSS" },
		{ RENDER_JSON, "JSON Feed" },
	};
	size_t	 i;
	char	*url;

	for (i = 0; i < NELEM(feeds); i++) {
		url = rw_page_url(p, render_format_ext(feeds[i].f), NULL);
		buf_addstr(b, i > 0 ? " · <a href=\"" : "<a href=\"");
		html_text(b, url);
		buf_addstr(b, "\">");
		buf_addstr(b, feeds[i].label);
		buf_addstr(b, "</a>");
		free(url);
	}
}

/* <link rel="alternate"> for each feed format of a tag. */
static void
html_discovery(struct buf *b, const struct render_page *p)
{
	static const enum render_format	feeds[] = { RENDER_ATOM, RENDER_RSS,
	    RENDER_JSON };
	size_t				i;
	const char			*type;
	char				*url;

	for (i = 0; i < NELEM(feeds); i++) {
		type = render_format_type(feeds[i]);
		url = rw_page_url(p, render_format_ext(feeds[i]), NULL);
		buf_addstr(b, "<link rel=\"alternate\" type=\"");
		buf_add(b, type, strcspn(type, ";"));
		buf_addstr(b, "\" title=\"");
		html_text(b, p->title);
		buf_addstr(b, "\" href=\"");
		html_text(b, url);
		buf_addstr(b, "\">\n");
		free(url);
	}
}

static void
html_entry(struct buf *b, const struct item *it)
{
	size_t	i;

	buf_addstr(b, "<article>\n<h2>");
	if (it->link != NULL) {
		buf_addstr(b, "<a href=\"");
		html_text(b, it->link);
		buf_addstr(b, "\">");
	}
	html_text(b, it->title != NULL && *it->title != '\0' ? it->title :
	    "(untitled)");
	if (it->link != NULL)
		buf_addstr(b, "</a>");
	buf_addstr(b, "</h2>\n<p class=\"meta\">");
	if (it->source_link != NULL) {
		buf_addstr(b, "<a href=\"");
		html_text(b, it->source_link);
		buf_addstr(b, "\">");
		html_text(b, rw_item_source(it));
		buf_addstr(b, "</a>");
	} else
		html_text(b, rw_item_source(it));
	for (i = 0; i < it->nauthors; i++) {
		buf_addstr(b, i == 0 ? " · " : ", ");
		html_text(b, it->authors[i]);
	}
	buf_addstr(b, " · ");
	html_time(b, it->published ? it->published : rw_item_updated(it));
	buf_addstr(b, "</p>\n");
	if (it->content != NULL || it->summary != NULL) {
		buf_addstr(b, "<div>");
		buf_addstr(b, it->content != NULL ? it->content : it->summary);
		buf_addstr(b, "</div>\n");
	}
	for (i = 0; i < it->nenclosures; i++) {
		buf_addstr(b, "<p><a href=\"");
		html_text(b, it->enclosures[i].url);
		buf_addstr(b, "\">Attachment");
		if (it->enclosures[i].type != NULL) {
			buf_addstr(b, " (");
			html_text(b, it->enclosures[i].type);
			buf_addc(b, ')');
		}
		buf_addstr(b, "</a></p>\n");
	}
	buf_addstr(b, "</article>\n");
}

/* Is the tag private (listed nowhere)? */
static int
html_private(const struct conf *conf, const char *tag)
{
	return (conf_tag_find(conf, tag)->token != NULL);
}

/* A page of a tag's entries for people (made safe by sanitize_item). */
struct body *
render_river(const struct render_page *p, struct items *items)
{
	struct item	*it;
	struct buf	 out, head;
	char		*next;

	buf_init(&head);
	buf_addstr(&head, "");
	html_discovery(&head, p);
	rw_start(&out, p, 0);
	html_head(&out, p->title, head.data);
	buf_free(&head);
	buf_addstr(&out, "<header>\n<h1>");
	html_text(&out, p->title);
	buf_addstr(&out, "</h1>\n");
	if (p->description != NULL && *p->description != '\0') {
		buf_addstr(&out, "<p>");
		html_text(&out, p->description);
		buf_addstr(&out, "</p>\n");
	}
	buf_addstr(&out, "<p>Subscribe: ");
	html_formats(&out, p);
	buf_addstr(&out, " · <a href=\"");
	html_text(&out, p->base);
	buf_addstr(&out, "/\">All tags</a></p>\n</header>\n<main>\n");
	if (TAILQ_EMPTY(items))
		buf_addstr(&out, "<p>No entries yet.</p>\n");
	TAILQ_FOREACH(it, items, entry)
		html_entry(&out, it);
	buf_addstr(&out, "</main>\n<footer>\n");
	if (p->next != NULL) {
		next = rw_page_url(p, "html", p->next);
		buf_addstr(&out, "<p><a rel=\"next\" href=\"");
		html_text(&out, next);
		buf_addstr(&out, "\">Older entries</a></p>\n");
		free(next);
	}
	buf_addstr(&out, "<p><small>feedmux " PACKAGE_VERSION
	    "</small></p>\n</footer>\n</body>\n</html>\n");
	return (rw_body(p, RENDER_HTML, &out));
}

/*
 * The index page: each tag (entries, last update, its feeds in every
 * format) and each feed's health.  Made on the loop thread from the cache
 * and the feeds' poll state.
 */
struct body *
render_index(const struct conf *conf, const struct render_feed *feeds,
    size_t nfeeds)
{
	const char	*base = conf_base_url(conf);
	struct render_page p;
	struct body	*t;
	struct buf	 out, head;
	const struct feed_state *st;
	size_t		 i, len, ntags = 0;
	char		 num[16];

	memset(&p, 0, sizeof(p));
	p.base = base;
	buf_init(&head);
	buf_addstr(&head, "");
	for (i = 0; i < conf->ntags; i++) {
		if (html_private(conf, conf->tags[i]))
			continue;
		p.tag = p.title = conf->tags[i];
		html_discovery(&head, &p);
		ntags++;
	}
	buf_init(&out);
	html_head(&out, "feedmux", head.data);
	buf_free(&head);
	buf_addstr(&out, "<header><h1>feedmux</h1></header>\n<main>\n"
	    "<h2>Tags</h2>\n");
	if (ntags == 0)
		buf_addstr(&out, "<p>No tags are configured.</p>\n");
	else
		buf_addstr(&out, "<table>\n<tr><th>Tag</th><th>Entries</th>"
		    "<th>Updated</th><th>Feeds</th></tr>\n");
	for (i = 0; i < conf->ntags; i++) {
		if (html_private(conf, conf->tags[i]))
			continue;
		p.tag = p.title = conf->tags[i];
		t = render_cache_get(conf->tags[i], RENDER_ATOM);
		buf_addstr(&out, "<tr><td><a href=\"");
		html_text(&out, base);
		buf_addstr(&out, "/tags/");
		html_text(&out, conf->tags[i]);
		buf_addstr(&out, ".html\">");
		html_text(&out, conf->tags[i]);
		buf_addstr(&out, "</a></td><td>");
		snprintf(num, sizeof(num), "%d", t != NULL ? t->nitems : 0);
		buf_addstr(&out, num);
		buf_addstr(&out, "</td><td>");
		html_time(&out, t != NULL ? t->updated : 0);
		buf_addstr(&out, "</td><td>");
		html_formats(&out, &p);
		buf_addstr(&out, "</td></tr>\n");
		render_body_unref(t);
	}
	if (ntags > 0)
		buf_addstr(&out, "</table>\n");
	buf_addstr(&out, "<h2>Feeds</h2>\n");
	if (nfeeds == 0)
		buf_addstr(&out, "<p>No feeds are configured.</p>\n");
	else
		buf_addstr(&out, "<table>\n<tr><th>Feed</th><th>Status</th>"
		    "<th>Last poll</th><th>Next poll</th></tr>\n");
	for (i = 0; i < nfeeds; i++) {
		st = feeds[i].state;
		buf_addstr(&out, "<tr><td>");
		if (rw_url_ok(st->link)) {
			buf_addstr(&out, "<a href=\"");
			html_text(&out, st->link);
			buf_addstr(&out, "\">");
		}
		html_text(&out, st->title != NULL ? st->title : feeds[i].name);
		if (rw_url_ok(st->link))
			buf_addstr(&out, "</a>");
		buf_addstr(&out, st->error != NULL ? "</td><td class=\"bad\">" :
		    "</td><td>");
		html_text(&out, st->error != NULL ? st->error :
		    st->last_poll == 0 ? "not polled yet" : "ok");
		buf_addstr(&out, "</td><td>");
		html_time(&out, st->last_poll);
		buf_addstr(&out, "</td><td>");
		html_time(&out, st->next_poll);
		buf_addstr(&out, "</td></tr>\n");
	}
	if (nfeeds > 0)
		buf_addstr(&out, "</table>\n");
	buf_addstr(&out, "</main>\n<footer><p><a href=\"");
	html_text(&out, base);
	buf_addstr(&out, "/opml\">OPML of every tag feed</a> · <small>feedmux "
	    PACKAGE_VERSION "</small></p></footer>\n</body>\n</html>\n");
	len = out.len;
	return (render_body_new("", RENDER_HTML, buf_steal(&out), len, 0,
	    (int)ntags));
}

/* OPML 2.0 listing every tag's Atom feed: one file subscribes to all. */
struct body *
render_opml(const struct conf *conf)
{
	const char	*base = conf_base_url(conf);
	struct buf	 out;
	char		*url;
	size_t		 i, len;

	buf_init(&out);
	buf_addstr(&out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<opml version=\"2.0\">\n  <head>\n    <title>feedmux tag feeds"
	    "</title>\n  </head>\n  <body>\n");
	for (i = 0; i < conf->ntags; i++) {
		if (html_private(conf, conf->tags[i]))
			continue;
		buf_addstr(&out, "    <outline type=\"rss\" version=\"ATOM1\"");
		rw_attr(&out, "text", conf->tags[i]);
		rw_attr(&out, "title", conf->tags[i]);
		xasprintf(&url, "%s/tags/%s.atom", base, conf->tags[i]);
		rw_attr(&out, "xmlUrl", url);
		free(url);
		xasprintf(&url, "%s/tags/%s.html", base, conf->tags[i]);
		rw_attr(&out, "htmlUrl", url);
		free(url);
		buf_addstr(&out, "/>\n");
	}
	buf_addstr(&out, "  </body>\n</opml>\n");
	len = out.len;
	return (render_body_new("", RENDER_ATOM, buf_steal(&out), len, 0,
	    (int)conf->ntags));
}

/*
 * The stylesheet the Atom and RSS feeds name, so that a browser shows a
 * readable page instead of raw XML.  Feed readers ignore it.  Entry HTML
 * is shown as text here (XSLT cannot parse it safely); the river page
 * (/tags/NAME.html) has it rendered.
 */
static const char render_xsl_text[] =
"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
"<xsl:stylesheet version=\"1.0\" "
"xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" "
"xmlns:atom=\"http://www.w3.org/2005/Atom\">\n"
"<xsl:output method=\"html\" encoding=\"utf-8\"/>\n"
"<xsl:template match=\"/\">\n"
"<html lang=\"en\"><head><meta charset=\"utf-8\"/>\n"
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
"<title><xsl:value-of select=\"atom:feed/atom:title|rss/channel/title\"/>"
"</title>\n<style>" HTML_STYLE "</style></head>\n<body>\n"
"<header><h1><xsl:value-of select=\"atom:feed/atom:title|rss/channel/title\""
"/></h1>\n<p>This is a web feed: copy its address into a feed reader to "
"subscribe. <a href=\"{atom:feed/atom:link[@rel='alternate']/@href|"
"rss/channel/link}\">Read it as a page</a>.</p></header>\n<main>\n"
"<xsl:for-each select=\"atom:feed/atom:entry|rss/channel/item\">\n"
"<article><h2><a href=\"{atom:link[@rel='alternate']/@href|link}\">"
"<xsl:value-of select=\"atom:title|title\"/></a></h2>\n"
"<p class=\"meta\"><xsl:value-of select=\"atom:source/atom:title|source\"/>"
" · <xsl:value-of select=\"atom:updated|pubDate\"/></p></article>\n"
"</xsl:for-each>\n</main></body></html>\n"
"</xsl:template>\n</xsl:stylesheet>\n";

struct body *
render_xsl(void)
{
	return (render_body_new("", RENDER_HTML, xstrdup(render_xsl_text),
	    sizeof(render_xsl_text) - 1, 0, 0));
}
