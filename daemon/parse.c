/*
 * parse.c: feed documents (bytes) to struct doc, with libxml2's SAX2 push
 * parser.  The format files (parse-rss.c, parse-atom.c) say what elements
 * mean; this file owns the plumbing: safe parser options, the text buffer,
 * the current item, limits and link resolution.
 *
 * Safety: no network (XML_PARSE_NONET), no DTD loading, no entity
 * substitution, and no getEntity/entityDecl callbacks at all, so an
 * entity bomb expands to nothing.  Recover mode lets a truncated feed
 * yield its complete entries.  Streaming keeps memory bounded by the
 * largest field, not the document.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/uri.h>

#include "feedmux.h"
#include "parse.h"

static void	parser_start(void *, const xmlChar *, const xmlChar *,
		    const xmlChar *, int, const xmlChar **, int, int,
		    const xmlChar **);
static void	parser_end(void *, const xmlChar *, const xmlChar *,
		    const xmlChar *);
static void	parser_characters(void *, const xmlChar *, int);
static void	parser_error(void *, const char *, ...);
static void	parser_xhtml_start(struct parser *, const char *,
		    const xmlChar **, int);
static void	parser_text_escape(struct parser *, const char *, size_t,
		    int);
static void	parser_finish_item(struct item *);

const char *
doc_format_name(enum doc_format f)
{
	switch (f) {
	case FORMAT_RSS20:
		return ("rss2.0");
	case FORMAT_ATOM10:
		return ("atom1.0");
	case FORMAT_UNKNOWN:
		break;
	}
	return ("unknown");
}

struct item *
item_new(void)
{
	return (xcalloc(1, sizeof(struct item)));
}

void
item_free(struct item *it)
{
	size_t	i;

	if (it == NULL)
		return;
	free(it->id);
	free(it->uid);
	free(it->title);
	free(it->link);
	free(it->author);
	free(it->summary);
	free(it->content);
	for (i = 0; i < it->ncategories; i++)
		free(it->categories[i]);
	free(it->categories);
	free(it->source_name);
	free(it->source_title);
	free(it->source_link);
	free(it->source_url);
	free(it);
}

void
items_free(struct items *items)
{
	struct item	*it;

	while ((it = TAILQ_FIRST(items)) != NULL) {
		TAILQ_REMOVE(items, it, entry);
		item_free(it);
	}
}

void
doc_free(struct doc *doc)
{
	if (doc == NULL)
		return;
	items_free(&doc->items);
	free(doc->title);
	free(doc->link);
	free(doc->id);
	free(doc);
}

void
item_add_category(struct item *it, const char *term)
{
	size_t	i;

	if (*term == '\0' || it->ncategories >= PARSE_MAX_CATEGORIES)
		return;
	for (i = 0; i < it->ncategories; i++) {
		if (strcmp(it->categories[i], term) == 0)
			return;
	}
	it->categories = xreallocarray(it->categories, it->ncategories + 1,
	    sizeof(*it->categories));
	it->categories[it->ncategories++] = xstrdup(term);
}

/* Escape plain text as HTML, for content that a format says is text. */
static char *
parser_text_to_html(char *s)
{
	struct buf	b;
	const char	*c;

	buf_init(&b);
	for (c = s; *c != '\0'; c++) {
		switch (*c) {
		case '&':
			buf_addstr(&b, "&amp;");
			break;
		case '<':
			buf_addstr(&b, "&lt;");
			break;
		case '>':
			buf_addstr(&b, "&gt;");
			break;
		default:
			buf_addc(&b, *c);
		}
	}
	free(s);
	return (buf_steal(&b));
}

static void
parser_set_string(char **field, char *value)
{
	if (*field == NULL)
		*field = value;
	else
		free(value);
}

/* Store a collected field into the current item, or into the feed. */
void
parser_set_field(struct parser *p, enum field field, char *text)
{
	struct item	*it = p->item;
	struct doc	*doc = p->doc;
	time_t		 t;

	if (text == NULL)
		return;
	if (field == FIELD_SUMMARY_TEXT || field == FIELD_CONTENT_TEXT) {
		text = parser_text_to_html(text);
		field = field == FIELD_SUMMARY_TEXT ? FIELD_SUMMARY :
		    FIELD_CONTENT;
	}
	if (field == FIELD_LINK) {
		char	*abs = parser_resolve(p, text);

		free(text);
		text = abs;
	}
	if (field == FIELD_PUBLISHED || field == FIELD_UPDATED) {
		t = date_parse(text);
		free(text);
		if (t == 0)
			return;
		if (it == NULL)
			doc->updated = doc->updated ? doc->updated : t;
		else if (field == FIELD_PUBLISHED && it->published == 0)
			it->published = t;
		else if (field == FIELD_UPDATED && it->updated == 0)
			it->updated = t;
		return;
	}
	if (it == NULL) {
		switch (field) {
		case FIELD_TITLE:
			parser_set_string(&doc->title, text);
			return;
		case FIELD_LINK:
			parser_set_string(&doc->link, text);
			return;
		case FIELD_ID:
			parser_set_string(&doc->id, text);
			return;
		default:
			free(text);
			return;
		}
	}
	switch (field) {
	case FIELD_TITLE:
		parser_set_string(&it->title, text);
		break;
	case FIELD_LINK:
		parser_set_string(&it->link, text);
		break;
	case FIELD_ID:
		parser_set_string(&it->id, text);
		break;
	case FIELD_AUTHOR:
		parser_set_string(&it->author, text);
		break;
	case FIELD_SUMMARY:
		parser_set_string(&it->summary, text);
		break;
	case FIELD_CONTENT:
		/* content:encoded and atom:content beat a description. */
		free(it->content);
		it->content = text;
		break;
	case FIELD_CATEGORY:
		item_add_category(it, text);
		free(text);
		break;
	default:
		free(text);
		break;
	}
}

/* Collect the text of the element that starts now, until it ends. */
void
parser_text_begin(struct parser *p, enum field field)
{
	buf_reset(&p->text);
	p->field = field;
	p->field_depth = p->depth;
	p->xhtml_depth = 0;
}

/* Collect markup as well: Atom type="xhtml" content. */
void
parser_xhtml_begin(struct parser *p, enum field field)
{
	parser_text_begin(p, field);
	p->xhtml_depth = p->depth;
}

/* The text collected so far, trimmed; NULL if there was none. */
char *
parser_text_take(struct parser *p)
{
	char	*s, *t;

	p->field = FIELD_NONE;
	p->xhtml_depth = 0;
	if (p->text.len == 0)
		return (NULL);
	t = util_trim(p->text.data);
	s = *t == '\0' ? NULL : xstrdup(t);
	buf_reset(&p->text);
	return (s);
}

/* An attribute of the element being started, as a new string. */
char *
parser_attr(struct parser *p, const char *name)
{
	const xmlChar	**a = p->attrs;
	int		  i;

	for (i = 0; i < p->nattrs; i++, a += 5) {
		if (a[2] != NULL && strcmp((const char *)a[2],
		    "http://www.w3.org/XML/1998/namespace") == 0)
			continue;
		if (strcmp((const char *)a[0], name) == 0)
			return (xstrndup((const char *)a[3], a[4] - a[3]));
	}
	return (NULL);
}

/* Resolve a possibly relative link against where the feed came from. */
char *
parser_resolve(struct parser *p, const char *href)
{
	xmlChar	*abs;
	char	*s;

	if (p->base == NULL || *p->base == '\0')
		return (xstrdup(href));
	abs = xmlBuildURI((const xmlChar *)href, (const xmlChar *)p->base);
	if (abs == NULL)
		return (xstrdup(href));
	s = xstrdup((const char *)abs);
	xmlFree(abs);
	return (s);
}

void
parser_item_begin(struct parser *p)
{
	if (p->item != NULL || p->doc->nitems >= PARSE_MAX_ITEMS) {
		p->skipped++;
		return;
	}
	p->item = item_new();
	p->item_depth = p->depth;
}

void
parser_item_end(struct parser *p)
{
	if (p->item == NULL || p->depth != p->item_depth)
		return;
	parser_finish_item(p->item);
	TAILQ_INSERT_TAIL(&p->doc->items, p->item, entry);
	p->doc->nitems++;
	p->item = NULL;
}

/*
 * An entry's identity within its feed: its id as written, else its link,
 * else a hash of what it says, so that re-polls find it again.
 */
static void
parser_finish_item(struct item *it)
{
	uint64_t	h;
	char		when[32];

	if (it->id != NULL)
		it->uid = xstrdup(it->id);
	else if (it->link != NULL)
		it->uid = xstrdup(it->link);
	else {
		snprintf(when, sizeof(when), "%lld",
		    (long long)(it->published ? it->published : it->updated));
		h = util_hash64(it->title ? it->title : "",
		    it->title ? strlen(it->title) : 0, 0);
		h = util_hash64(when, strlen(when), h);
		h = util_hash64(it->content ? it->content : "",
		    it->content ? strlen(it->content) : 0, h);
		h = util_hash64(it->summary ? it->summary : "",
		    it->summary ? strlen(it->summary) : 0, h);
		xasprintf(&it->uid, "hash:%016llx", (unsigned long long)h);
	}
	if (it->updated == 0)
		it->updated = it->published;
}

static void
parser_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	struct parser	*p = ctx;
	const char	*name = (const char *)localname;
	const char	*nsuri = uri != NULL ? (const char *)uri : "";

	p->depth++;
	if (p->depth > PARSE_MAX_DEPTH)
		return;
	p->attrs = attrs;
	p->nattrs = nattrs;

	if (p->xhtml_depth != 0) {
		parser_xhtml_start(p, name, attrs, nattrs);
		return;
	}
	if (p->depth == 1) {
		if (strcmp(name, "rss") == 0 && *nsuri == '\0')
			p->doc->format = FORMAT_RSS20;
		else if (strcmp(name, "feed") == 0 &&
		    strcmp(nsuri, NS_ATOM) == 0)
			p->doc->format = FORMAT_ATOM10;
		else
			snprintf(p->root, sizeof(p->root), "%s", name);
	}
	switch (p->doc->format) {
	case FORMAT_RSS20:
		parse_rss_start(p, name, nsuri);
		break;
	case FORMAT_ATOM10:
		parse_atom_start(p, name, nsuri);
		break;
	case FORMAT_UNKNOWN:
		break;
	}
}

static void
parser_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct parser	*p = ctx;
	const char	*name = (const char *)localname;
	const char	*nsuri = uri != NULL ? (const char *)uri : "";
	enum field	 field;

	if (p->depth > PARSE_MAX_DEPTH) {
		p->depth--;
		return;
	}
	if (p->xhtml_depth != 0 && p->depth > p->xhtml_depth) {
		parser_text_escape(p, "</", 2, 0);
		parser_text_escape(p, name, strlen(name), 0);
		parser_text_escape(p, ">", 1, 0);
		p->depth--;
		return;
	}
	if (p->field != FIELD_NONE && p->depth == p->field_depth) {
		field = p->field;
		parser_set_field(p, field, parser_text_take(p));
	}
	if (p->doc->format == FORMAT_ATOM10)
		parse_atom_end(p, name, nsuri);
	parser_item_end(p);
	p->depth--;
}

/* Inside xhtml content, elements become markup (attributes escaped). */
static void
parser_xhtml_start(struct parser *p, const char *name, const xmlChar **a,
    int nattrs)
{
	int	i;

	parser_text_escape(p, "<", 1, 0);
	parser_text_escape(p, name, strlen(name), 0);
	for (i = 0; i < nattrs; i++, a += 5) {
		parser_text_escape(p, " ", 1, 0);
		parser_text_escape(p, (const char *)a[0],
		    strlen((const char *)a[0]), 0);
		parser_text_escape(p, "=\"", 2, 0);
		parser_text_escape(p, (const char *)a[3], a[4] - a[3], 1);
		parser_text_escape(p, "\"", 1, 0);
	}
	parser_text_escape(p, ">", 1, 0);
}

/* Append to the field, escaping if asked, never beyond the field limit. */
static void
parser_text_escape(struct parser *p, const char *s, size_t len, int escape)
{
	size_t	i, start = 0;

	if (p->text.len + len > PARSE_MAX_FIELD) {
		p->truncated = 1;
		return;
	}
	if (!escape) {
		buf_add(&p->text, s, len);
		return;
	}
	for (i = 0; i < len; i++) {
		const char	*rep;

		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		default:
			continue;
		}
		buf_add(&p->text, s + start, i - start);
		buf_addstr(&p->text, rep);
		start = i + 1;
	}
	buf_add(&p->text, s + start, len - start);
}

static void
parser_characters(void *ctx, const xmlChar *ch, int len)
{
	struct parser	*p = ctx;

	if (p->field == FIELD_NONE || p->depth > PARSE_MAX_DEPTH)
		return;
	parser_text_escape(p, (const char *)ch, len, p->xhtml_depth != 0);
}

static void
parser_error(void *ctx, const char *fmt, ...)
{
	struct parser	*p = ctx;
	va_list		 ap;
	char		 msg[256];

	p->nerrors++;
	if (p->error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->error, sizeof(p->error), "%s", util_trim(msg));
}

/*
 * Parse a whole document.  base is the URL it was fetched from (relative
 * links resolve against it).  Returns 0 with *out set for anything that is
 * recognisably a feed, even if ill-formed; -1 and *cause otherwise.
 */
int
parse_doc(const char *data, size_t len, const char *base, struct doc **out,
    char **cause)
{
	xmlSAXHandler		 sax;
	xmlParserCtxtPtr	 ctxt;
	struct parser		 p;
	size_t			 off, n;
	const size_t		 chunk = 64 * 1024;

	*out = NULL;
	*cause = NULL;
	memset(&p, 0, sizeof(p));
	p.base = base;
	p.doc = xcalloc(1, sizeof(*p.doc));
	TAILQ_INIT(&p.doc->items);
	buf_init(&p.text);

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = parser_start;
	sax.endElementNs = parser_end;
	sax.characters = parser_characters;
	sax.cdataBlock = parser_characters;
	sax.error = parser_error;
	sax.fatalError = parser_error;

	ctxt = xmlCreatePushParserCtxt(&sax, &p, NULL, 0, NULL);
	if (ctxt == NULL)
		fatalx("xmlCreatePushParserCtxt failed");
	xmlCtxtUseOptions(ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET |
	    XML_PARSE_NOWARNING);
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		if (xmlParseChunk(ctxt, data + off, (int)n, 0) != 0 &&
		    ctxt->disableSAX)
			break;
	}
	xmlParseChunk(ctxt, NULL, 0, 1);
	/* A DOCTYPE makes libxml2 build a document for it; it is ours. */
	if (ctxt->myDoc != NULL)
		xmlFreeDoc(ctxt->myDoc);
	xmlFreeParserCtxt(ctxt);

	item_free(p.item);	/* an entry cut off by the end of input */
	buf_free(&p.text);
	if (p.doc->format == FORMAT_UNKNOWN) {
		if (p.root[0] != '\0')
			xasprintf(cause, "not a feed: root element is <%s>",
			    p.root);
		else if (len == 0)
			*cause = xstrdup("not a feed: empty document");
		else
			xasprintf(cause, "not a feed: %s", p.error[0] != '\0' ?
			    p.error : "no XML elements");
		doc_free(p.doc);
		return (-1);
	}
	if (p.nerrors > 0 || p.truncated || p.skipped > 0) {
		xasprintf(cause, "%s%s%s%s", p.nerrors ? "recovered from: " : "",
		    p.nerrors ? p.error : "", p.truncated ?
		    " (fields truncated)" : "", p.skipped ?
		    " (entries over the limit skipped)" : "");
	}
	*out = p.doc;
	return (0);
}
