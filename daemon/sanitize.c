/*
 * sanitize.c: feed content made safe to republish.
 *
 * Entry HTML is parsed with libxml2's HTML parser (no network), which
 * copes with any tag soup, and written out again keeping only an
 * allow-list of elements and attributes, as Planet, Miniflux and FreshRSS
 * do.  script, style, iframe, object, embed, form and their like go with
 * their content; unknown elements go but their content stays.  No on*
 * or style attribute survives, and URLs are resolved against the entry's
 * address and kept only when they are http(s).  The tree is walked without
 * recursion, so nesting depth costs nothing but time.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/uri.h>

#include "item.h"
#include "sanitize.h"
#include "text.h"
#include "util.h"
#include "xmalloc.h"

/* Deeper elements are unwrapped: their text stays, their tags go. */
#define SAN_MAX_DEPTH	64

enum san_kind {
	SAN_KEEP,		/* element and content, allowed attributes */
	SAN_VOID,		/* kept, has no end tag */
	SAN_DROP		/* element and content go */
};

struct san_element {
	const char	*name;
	enum san_kind	 kind;
	const char	*attrs;		/* " a b c ": allowed beside globals */
};

/*
 * Sorted by name, for bsearch.  An element not listed is unwrapped.  So
 * are the void elements we drop (embed, input, link, meta...): libxml2
 * may read the text after them as their content.
 */
static const struct san_element san_elements[] = {
	{ "a", SAN_KEEP, " href " },
	{ "abbr", SAN_KEEP, "" },
	{ "acronym", SAN_KEEP, "" },
	{ "address", SAN_KEEP, "" },
	{ "applet", SAN_DROP, NULL },
	{ "audio", SAN_KEEP, " src controls loop muted preload " },
	{ "b", SAN_KEEP, "" },
	{ "bdi", SAN_KEEP, "" },
	{ "bdo", SAN_KEEP, "" },
	{ "big", SAN_KEEP, "" },
	{ "blockquote", SAN_KEEP, " cite " },
	{ "br", SAN_VOID, "" },
	{ "button", SAN_DROP, NULL },
	{ "canvas", SAN_DROP, NULL },
	{ "caption", SAN_KEEP, "" },
	{ "center", SAN_KEEP, "" },
	{ "cite", SAN_KEEP, "" },
	{ "code", SAN_KEEP, "" },
	{ "col", SAN_VOID, " span " },
	{ "colgroup", SAN_KEEP, " span " },
	{ "dd", SAN_KEEP, "" },
	{ "del", SAN_KEEP, " cite datetime " },
	{ "details", SAN_KEEP, " open " },
	{ "dfn", SAN_KEEP, "" },
	{ "dialog", SAN_DROP, NULL },
	{ "div", SAN_KEEP, "" },
	{ "dl", SAN_KEEP, "" },
	{ "dt", SAN_KEEP, "" },
	{ "em", SAN_KEEP, "" },
	{ "figcaption", SAN_KEEP, "" },
	{ "figure", SAN_KEEP, "" },
	{ "form", SAN_DROP, NULL },
	{ "frame", SAN_DROP, NULL },
	{ "frameset", SAN_DROP, NULL },
	{ "h1", SAN_KEEP, "" },
	{ "h2", SAN_KEEP, "" },
	{ "h3", SAN_KEEP, "" },
	{ "h4", SAN_KEEP, "" },
	{ "h5", SAN_KEEP, "" },
	{ "h6", SAN_KEEP, "" },
	{ "head", SAN_DROP, NULL },
	{ "hr", SAN_VOID, "" },
	{ "i", SAN_KEEP, "" },
	{ "iframe", SAN_DROP, NULL },
	{ "img", SAN_VOID, " src alt width height " },
	{ "ins", SAN_KEEP, " cite datetime " },
	{ "kbd", SAN_KEEP, "" },
	{ "li", SAN_KEEP, " value " },
	{ "map", SAN_DROP, NULL },
	{ "mark", SAN_KEEP, "" },
	{ "math", SAN_DROP, NULL },
	{ "noembed", SAN_DROP, NULL },
	{ "noframes", SAN_DROP, NULL },
	{ "object", SAN_DROP, NULL },
	{ "ol", SAN_KEEP, " start reversed type " },
	{ "p", SAN_KEEP, "" },
	{ "pre", SAN_KEEP, "" },
	{ "q", SAN_KEEP, " cite " },
	{ "rp", SAN_KEEP, "" },
	{ "rt", SAN_KEEP, "" },
	{ "ruby", SAN_KEEP, "" },
	{ "s", SAN_KEEP, "" },
	{ "samp", SAN_KEEP, "" },
	{ "script", SAN_DROP, NULL },
	{ "select", SAN_DROP, NULL },
	{ "small", SAN_KEEP, "" },
	{ "source", SAN_VOID, " src type " },
	{ "span", SAN_KEEP, "" },
	{ "strike", SAN_KEEP, "" },
	{ "strong", SAN_KEEP, "" },
	{ "style", SAN_DROP, NULL },
	{ "sub", SAN_KEEP, "" },
	{ "summary", SAN_KEEP, "" },
	{ "sup", SAN_KEEP, "" },
	{ "svg", SAN_DROP, NULL },
	{ "table", SAN_KEEP, " summary " },
	{ "tbody", SAN_KEEP, "" },
	{ "td", SAN_KEEP, " colspan rowspan headers " },
	{ "template", SAN_DROP, NULL },
	{ "textarea", SAN_DROP, NULL },
	{ "tfoot", SAN_KEEP, "" },
	{ "th", SAN_KEEP, " colspan rowspan headers scope abbr " },
	{ "thead", SAN_KEEP, "" },
	{ "time", SAN_KEEP, " datetime " },
	{ "title", SAN_DROP, NULL },
	{ "tr", SAN_KEEP, "" },
	{ "tt", SAN_KEEP, "" },
	{ "u", SAN_KEEP, "" },
	{ "ul", SAN_KEEP, "" },
	{ "var", SAN_KEEP, "" },
	{ "video", SAN_KEEP, " src poster controls loop muted width "
	    "height preload " },
	{ "wbr", SAN_VOID, "" },
};

/* Allowed on every kept element. */
#define SAN_GLOBAL_ATTRS	" title lang dir "
/* Attributes whose value is a URL. */
#define SAN_URL_ATTRS		" href src cite poster "

static int	 san_element_cmp(const void *, const void *);
static const struct san_element *san_lookup(const xmlNode *, int);
static int	 san_word_in(const char *, const char *);
static void	 san_attrs(struct buf *, const xmlNode *,
		    const struct san_element *, const char *);
static int	 san_open(struct buf *, const xmlNode *, int, const char *);
static void	 san_close(struct buf *, const xmlNode *, int);
static void	 san_walk(struct buf *, xmlNode *, const char *);
static int	 san_scheme_ok(const char *, int);

static int
san_element_cmp(const void *key, const void *elem)
{
	return (strcmp(key, ((const struct san_element *)elem)->name));
}

/* The element's entry, or NULL: unknown or too deep, so unwrapped. */
static const struct san_element *
san_lookup(const xmlNode *n, int depth)
{
	const struct san_element	*e;

	e = bsearch(n->name, san_elements, NELEM(san_elements),
	    sizeof(san_elements[0]), san_element_cmp);
	if (e != NULL && e->kind != SAN_DROP && depth > SAN_MAX_DEPTH)
		return (NULL);
	return (e);
}

/* Is word one of the space-separated words of list (" a b ")? */
static int
san_word_in(const char *word, const char *list)
{
	const char	*p;
	size_t		 n = strlen(word);

	for (p = list; (p = strstr(p, word)) != NULL; p += n) {
		if (p > list && p[-1] == ' ' && p[n] == ' ')
			return (1);
	}
	return (0);
}

static void
san_attrs(struct buf *out, const xmlNode *n, const struct san_element *e,
    const char *base)
{
	const xmlAttr	*a;
	const char	*name;
	xmlChar		*value;
	char		*url;

	for (a = n->properties; a != NULL; a = a->next) {
		name = (const char *)a->name;
		if (strlen(name) > 32 || (!san_word_in(name, e->attrs) &&
		    !san_word_in(name, SAN_GLOBAL_ATTRS)))
			continue;
		value = xmlNodeListGetString(n->doc, a->children, 1);
		if (value == NULL)
			value = xmlStrdup((const xmlChar *)"");
		url = NULL;
		if (san_word_in(name, SAN_URL_ATTRS) &&
		    (url = sanitize_url((const char *)value, base,
		    strcmp(name, "href") == 0 ? SANITIZE_MAILTO : 0)) == NULL) {
			xmlFree(value);
			continue;
		}
		buf_addc(out, ' ');
		buf_addstr(out, name);
		buf_addstr(out, "=\"");
		if (url != NULL)
			text_escape(out, url, strlen(url), TEXT_HTML_ATTR);
		else
			text_escape(out, (const char *)value,
			    strlen((const char *)value), TEXT_HTML_ATTR);
		buf_addc(out, '"');
		free(url);
		xmlFree(value);
	}
}

/* Write what starts n; return whether its children are to be walked. */
static int
san_open(struct buf *out, const xmlNode *n, int depth, const char *base)
{
	const struct san_element	*e;
	const char			*s;

	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if ((s = (const char *)n->content) != NULL)
			text_escape(out, s, strlen(s), TEXT_HTML);
		return (0);
	case XML_ELEMENT_NODE:
		break;
	default:		/* comments, processing instructions */
		return (0);
	}
	if ((e = san_lookup(n, depth)) == NULL)
		return (1);
	if (e->kind == SAN_DROP)
		return (0);
	buf_addc(out, '<');
	buf_addstr(out, e->name);
	san_attrs(out, n, e, base);
	buf_addc(out, '>');
	return (e->kind == SAN_KEEP);
}

/* Write what ends n, if san_open wrote its start tag. */
static void
san_close(struct buf *out, const xmlNode *n, int depth)
{
	const struct san_element	*e;

	if (n->type != XML_ELEMENT_NODE ||
	    (e = san_lookup(n, depth)) == NULL || e->kind != SAN_KEEP)
		return;
	buf_addstr(out, "</");
	buf_addstr(out, e->name);
	buf_addc(out, '>');
}

/* Write the children of root, depth first, without recursion. */
static void
san_walk(struct buf *out, xmlNode *root, const char *base)
{
	xmlNode	*n = root->children;
	int	 depth = 1;

	while (n != NULL) {
		if (san_open(out, n, depth, base) && n->children != NULL) {
			n = n->children;
			depth++;
			continue;
		}
		san_close(out, n, depth);
		while (n->next == NULL) {
			n = n->parent;
			depth--;
			if (n == root || n == NULL)
				return;
			san_close(out, n, depth);
		}
		n = n->next;
	}
}

/*
 * Entry HTML (at most max bytes of it are read), cut down to what is safe
 * to serve.  base resolves relative URLs; NULL drops them.  Never NULL.
 */
char *
sanitize_html(const char *html, size_t max, const char *base)
{
	htmlDocPtr	 doc;
	xmlNode		*root, *n;
	struct buf	 out;
	char		*clean;
	size_t		 len;
	int		 opts = HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_NONET | HTML_PARSE_RECOVER;

	buf_init(&out);
	buf_addstr(&out, "");
	/* Valid UTF-8 without controls in, so the same comes out. */
	clean = text_clean(html);
	text_cap(clean, max);
	if ((len = strlen(clean)) == 0 || len > INT32_MAX) {
		free(clean);
		return (buf_steal(&out));
	}
	doc = htmlReadMemory(clean, (int)len, NULL, "UTF-8", opts);
	if (doc != NULL && (root = xmlDocGetRootElement(doc)) != NULL) {
		/* The implied <html>: walk its body, never its head. */
		for (n = root->children; n != NULL; n = n->next) {
			if (n->type == XML_ELEMENT_NODE &&
			    strcmp((const char *)n->name, "body") == 0)
				san_walk(&out, n, base);
		}
	}
	xmlFreeDoc(doc);
	free(clean);
	return (buf_steal(&out));
}

/* Does url start with a scheme we serve links to? */
static int
san_scheme_ok(const char *url, int flags)
{
	return (strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0 ||
	    ((flags & SANITIZE_MAILTO) && strncasecmp(url, "mailto:", 7) == 0));
}

/*
 * A URL from a feed, resolved against base (NULL: it must be absolute), as
 * a new string; NULL unless it is http(s), or mailto with SANITIZE_MAILTO.
 * As browsers do, tabs and newlines inside are dropped and blanks around
 * it trimmed; other controls and spaces inside are percent-encoded.
 */
char *
sanitize_url(const char *url, const char *base, int flags)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf	 b;
	xmlChar		*abs;
	char		*res;
	const char	*end;
	unsigned char	 c;

	if (url == NULL)
		return (NULL);
	while (*url == ' ' || (*url > 0 && *url < 0x20))
		url++;
	end = url + strlen(url);
	while (end > url && ((unsigned char)end[-1] <= 0x20))
		end--;
	if (end == url || end - url > 8192)
		return (NULL);
	buf_init(&b);
	for (; url < end; url++) {
		c = *url;
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' ||
		    c == '>' || c == '\\' || c == '`') {
			buf_addc(&b, '%');
			buf_addc(&b, hex[c >> 4]);
			buf_addc(&b, hex[c & 15]);
		} else
			buf_addc(&b, c);
	}
	buf_addstr(&b, "");
	abs = xmlBuildURI((const xmlChar *)b.data, (const xmlChar *)base);
	buf_free(&b);
	if (abs == NULL)
		return (NULL);
	res = NULL;
	if (san_scheme_ok((const char *)abs, flags))
		res = xstrdup((const char *)abs);
	xmlFree(abs);
	return (res);
}

/* Plain text: clean UTF-8 without controls, at most max bytes. */
char *
sanitize_text(const char *s, size_t max)
{
	char	*t;

	if (s == NULL)
		return (NULL);
	t = text_clean(s);
	text_cap(t, max);
	return (t);
}

/* Replace a field of an entry with its safe form. */
static void
san_text_field(char **field, size_t max)
{
	char	*t;

	if (*field == NULL)
		return;
	t = sanitize_text(*field, max);
	free(*field);
	*field = t;
}

static void
san_url_field(char **field, const char *base, int flags)
{
	char	*u;

	if (*field == NULL)
		return;
	u = sanitize_url(*field, base, flags);
	free(*field);
	*field = u;
}

static void
san_html_field(char **field, size_t max, const char *base)
{
	char	*h;

	if (*field == NULL)
		return;
	h = sanitize_html(*field, max, base);
	free(*field);
	*field = h;
	if (*h == '\0') {
		free(h);
		*field = NULL;
	}
}

/*
 * Make an entry read from the store safe to serve, in place: the one
 * place every renderer's input passes.  The feed's URL (source_url) stays
 * as it is for use as an id; renderers link to it only if it passes
 * sanitize_url.
 */
void
sanitize_item(struct item *it)
{
	struct enclosure	*e;
	const char		*base;
	size_t			 i, n;

	san_text_field(&it->id, SANITIZE_TITLE_MAX);
	san_text_field(&it->uid, SANITIZE_TITLE_MAX);
	san_text_field(&it->title, SANITIZE_TITLE_MAX);
	san_text_field(&it->source_name, SANITIZE_NAME_MAX);
	san_text_field(&it->source_title, SANITIZE_TITLE_MAX);
	san_text_field(&it->source_url, SANITIZE_TITLE_MAX);
	san_url_field(&it->source_link, NULL, 0);
	san_url_field(&it->link, it->source_link, 0);
	base = it->link != NULL ? it->link : it->source_link;
	san_url_field(&it->image, base, 0);
	for (i = 0; i < it->nauthors; i++)
		san_text_field(&it->authors[i], SANITIZE_NAME_MAX);
	for (i = 0; i < it->ncategories; i++)
		san_text_field(&it->categories[i], SANITIZE_NAME_MAX);
	for (i = n = 0; i < it->nenclosures; i++) {
		e = &it->enclosures[i];
		san_url_field(&e->url, base, 0);
		san_text_field(&e->type, SANITIZE_NAME_MAX);
		if (e->url == NULL) {
			free(e->type);
			continue;
		}
		it->enclosures[n++] = *e;
	}
	it->nenclosures = n;
	san_html_field(&it->summary, SANITIZE_SUMMARY_MAX, base);
	san_html_field(&it->content, SANITIZE_CONTENT_MAX, base);
}
