/*
 * parse.c: feed documents (bytes) to struct doc and struct items.
 *
 * XML feeds go through libxml2's SAX2 push parser, chunk by chunk, so
 * memory is bounded by the largest field, not the document; each entry is
 * handed to a callback as soon as it ends.  The format files say what
 * elements mean (parse-rss.c: RSS 0.9x, 1.0, 2.0; parse-atom.c: Atom 1.0
 * and 0.3; parse-module.c: the modules both carry); JSON Feeds are read
 * whole by parse-json.c.  They build entries with parse-field.c.  This
 * file is the driver: encodings, byte cleaning, safe parser options, the
 * element table, and handing each element to its format.
 *
 * Safety: no network (XML_PARSE_NONET), no DTD loading, no entity
 * substitution, no entityDecl callback.  References are rewritten before
 * libxml2 sees them (parse-entity.c): the internal DTD subset's general
 * entities are expanded there, within limits of depth and size, so an
 * entity bomb is refused.  getEntity knows only the HTML 4 entities, for
 * the UTF-16 documents that bypass that pass.  Recover mode lets a
 * truncated feed yield its complete entries.
 *
 * Encodings, by precedence: a byte order mark; else the HTTP charset;
 * else the XML declaration; else UTF-8.  A windows-1252 family label, or
 * none at all, is only a default: parse-charset.c reads UTF-8 when the
 * bytes are UTF-8, windows-1252 when they are not.  Before libxml2 sees a
 * byte, C0 controls are dropped and, when the encoding is UTF-8, invalid
 * sequences become U+FFFD, so stored text is always clean UTF-8.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/entities.h>
#include <libxml/parserInternals.h>

#include "log.h"
#include "parse-internal.h"
#include "text.h"
#include "util.h"
#include "xmalloc.h"

struct element {
	enum ns		 ns;
	const char	*name;
	enum el		 el;
};

/* Sorted by namespace, then name, for bsearch. */
static const struct element elements[] = {
	{ NS_NONE, "author", EL_AUTHOR },
	{ NS_NONE, "category", EL_CATEGORY },
	{ NS_NONE, "channel", EL_CHANNEL },
	{ NS_NONE, "day", EL_DAY },
	{ NS_NONE, "description", EL_DESCRIPTION },
	{ NS_NONE, "enclosure", EL_ENCLOSURE },
	{ NS_NONE, "guid", EL_GUID },
	{ NS_NONE, "hour", EL_HOUR },
	{ NS_NONE, "image", EL_IMAGE },
	{ NS_NONE, "item", EL_ITEM },
	{ NS_NONE, "lastBuildDate", EL_LASTBUILDDATE },
	{ NS_NONE, "link", EL_LINK },
	{ NS_NONE, "pubDate", EL_PUBDATE },
	{ NS_NONE, "rss", EL_RSS },
	{ NS_NONE, "skipDays", EL_SKIPDAYS },
	{ NS_NONE, "skipHours", EL_SKIPHOURS },
	{ NS_NONE, "textInput", EL_TEXTINPUT },
	{ NS_NONE, "textinput", EL_TEXTINPUT },
	{ NS_NONE, "title", EL_TITLE },
	{ NS_NONE, "ttl", EL_TTL },
	{ NS_RSS10, "channel", EL_CHANNEL },
	{ NS_RSS10, "description", EL_DESCRIPTION },
	{ NS_RSS10, "image", EL_IMAGE },
	{ NS_RSS10, "item", EL_ITEM },
	{ NS_RSS10, "link", EL_LINK },
	{ NS_RSS10, "textinput", EL_TEXTINPUT },
	{ NS_RSS10, "title", EL_TITLE },
	{ NS_RSS090, "channel", EL_CHANNEL },
	{ NS_RSS090, "description", EL_DESCRIPTION },
	{ NS_RSS090, "image", EL_IMAGE },
	{ NS_RSS090, "item", EL_ITEM },
	{ NS_RSS090, "link", EL_LINK },
	{ NS_RSS090, "textinput", EL_TEXTINPUT },
	{ NS_RSS090, "title", EL_TITLE },
	{ NS_RDF, "RDF", EL_RDF },
	{ NS_ATOM10, "author", EL_AUTHOR },
	{ NS_ATOM10, "category", EL_CATEGORY },
	{ NS_ATOM10, "content", EL_CONTENT },
	{ NS_ATOM10, "entry", EL_ENTRY },
	{ NS_ATOM10, "feed", EL_FEED },
	{ NS_ATOM10, "id", EL_ID },
	{ NS_ATOM10, "link", EL_LINK },
	{ NS_ATOM10, "name", EL_NAME },
	{ NS_ATOM10, "published", EL_PUBLISHED },
	{ NS_ATOM10, "source", EL_SOURCE },
	{ NS_ATOM10, "summary", EL_SUMMARY },
	{ NS_ATOM10, "title", EL_TITLE },
	{ NS_ATOM10, "updated", EL_UPDATED },
	{ NS_ATOM03, "author", EL_AUTHOR },
	{ NS_ATOM03, "content", EL_CONTENT },
	{ NS_ATOM03, "created", EL_CREATED },
	{ NS_ATOM03, "entry", EL_ENTRY },
	{ NS_ATOM03, "feed", EL_FEED },
	{ NS_ATOM03, "id", EL_ID },
	{ NS_ATOM03, "issued", EL_ISSUED },
	{ NS_ATOM03, "link", EL_LINK },
	{ NS_ATOM03, "modified", EL_MODIFIED },
	{ NS_ATOM03, "name", EL_NAME },
	{ NS_ATOM03, "summary", EL_SUMMARY },
	{ NS_ATOM03, "title", EL_TITLE },
	{ NS_DCEL, "author", EL_DC_AUTHOR },
	{ NS_DCEL, "creator", EL_DC_CREATOR },
	{ NS_DCEL, "date", EL_DC_DATE },
	{ NS_DCEL, "description", EL_DC_DESCRIPTION },
	{ NS_DCEL, "subject", EL_DC_SUBJECT },
	{ NS_DCEL, "title", EL_DC_TITLE },
	{ NS_DCTERMS, "created", EL_DC_DATE },
	{ NS_DCTERMS, "creator", EL_DC_CREATOR },
	{ NS_DCTERMS, "date", EL_DC_DATE },
	{ NS_DCTERMS, "description", EL_DC_DESCRIPTION },
	{ NS_DCTERMS, "issued", EL_DC_DATE },
	{ NS_DCTERMS, "modified", EL_DC_MODIFIED },
	{ NS_DCTERMS, "subject", EL_DC_SUBJECT },
	{ NS_DCTERMS, "title", EL_DC_TITLE },
	{ NS_CONTENTMOD, "encoded", EL_ENCODED },
	{ NS_MEDIA, "category", EL_CATEGORY },
	{ NS_MEDIA, "content", EL_CONTENT },
	{ NS_MEDIA, "description", EL_DESCRIPTION },
	{ NS_MEDIA, "group", EL_GROUP },
	{ NS_MEDIA, "thumbnail", EL_THUMBNAIL },
	{ NS_MEDIA, "title", EL_TITLE },
	{ NS_ITUNES, "author", EL_ITUNES_AUTHOR },
	{ NS_ITUNES, "category", EL_ITUNES_CATEGORY },
	{ NS_ITUNES, "duration", EL_DURATION },
	{ NS_ITUNES, "summary", EL_ITUNES_SUMMARY },
	{ NS_SY, "updateFrequency", EL_UPDATEFREQUENCY },
	{ NS_SY, "updatePeriod", EL_UPDATEPERIOD },
};

static const struct {
	const char	*uri;
	enum ns		 ns;
} namespaces[] = {
	{ "http://purl.org/rss/1.0/", NS_RSS10 },
	{ "http://my.netscape.com/rdf/simple/0.9/", NS_RSS090 },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF },
	{ "http://www.w3.org/2005/Atom", NS_ATOM10 },
	{ "http://purl.org/atom/ns#", NS_ATOM03 },
	{ "http://purl.org/dc/elements/1.1/", NS_DCEL },
	{ "http://purl.org/dc/terms/", NS_DCTERMS },
	{ "http://purl.org/rss/1.0/modules/content/", NS_CONTENTMOD },
	{ "http://search.yahoo.com/mrss/", NS_MEDIA },
	{ "http://search.yahoo.com/mrss", NS_MEDIA },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES },
	{ "http://purl.org/rss/1.0/modules/syndication/", NS_SY },
	{ "http://www.w3.org/1999/xhtml", NS_XHTML },
};

#define PARSE_HEAD	1024	/* bytes looked at to tell format, encoding */

static void	parser_start(void *, const xmlChar *, const xmlChar *,
		    const xmlChar *, int, const xmlChar **, int, int,
		    const xmlChar **);
static void	parser_end(void *, const xmlChar *, const xmlChar *,
		    const xmlChar *);
static void	parser_characters(void *, const xmlChar *, int);
static xmlEntityPtr parser_get_entity(void *, const xmlChar *);
static void	parser_error(void *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	parser_begin(struct parser *, const char *, size_t);
static void	parser_xml_push(struct parser *, const char *, size_t, int);

void
parse_opts_init(struct parse_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_field = PARSE_DEFAULT_MAX_FIELD;
	o->max_items = PARSE_DEFAULT_MAX_ITEMS;
}

static int
element_cmp(const void *a, const void *b)
{
	const struct element	*x = a, *y = b;

	if (x->ns != y->ns)
		return (x->ns < y->ns ? -1 : 1);
	return (strcmp(x->name, y->name));
}

/* Namespace URIs are interned by libxml2: remember them by pointer. */
static enum ns
parser_ns(struct parser *p, const xmlChar *uri)
{
	enum ns	ns = NS_OTHER;
	size_t	i;

	if (uri == NULL)
		return (NS_NONE);
	for (i = 0; i < (size_t)p->nnscache; i++) {
		if (p->nscache[i].uri == uri)
			return (p->nscache[i].ns);
	}
	for (i = 0; i < NELEM(namespaces); i++) {
		if (strcmp(namespaces[i].uri, (const char *)uri) == 0) {
			ns = namespaces[i].ns;
			break;
		}
	}
	if (p->nnscache < (int)NELEM(p->nscache)) {
		p->nscache[p->nnscache].uri = uri;
		p->nscache[p->nnscache++].ns = ns;
	}
	return (ns);
}

static enum el
parser_lookup(enum ns ns, const char *name)
{
	struct element	 key, *e;

	if (ns == NS_OTHER || ns == NS_XHTML)
		return (EL_OTHER);
	key.ns = ns;
	key.name = name;
	e = bsearch(&key, elements, NELEM(elements), sizeof(elements[0]),
	    element_cmp);
	return (e != NULL ? e->el : EL_OTHER);
}

/*
 * RSS has no namespace, but some publishers give it a default one
 * (Userland's http://backend.userland.com/rss2, or their own): a root
 * <rss> in any namespace makes that namespace plain RSS.
 */
static enum ns
parser_ns_rss(struct parser *p, const xmlChar *uri)
{
	int	i;

	for (i = 0; i < p->nnscache; i++) {
		if (p->nscache[i].uri == uri)
			p->nscache[i].ns = NS_NONE;
	}
	return (NS_NONE);
}

static void
parser_root(struct parser *p, enum ns ns, enum el el)
{
	char	*version;

	if (el == EL_RSS) {
		version = parser_attr(p, "version");
		if (version != NULL && strncmp(version, "0.9", 3) == 0)
			p->doc->format = FORMAT_RSS09X;
		else
			p->doc->format = FORMAT_RSS20;
		free(version);
	} else if (el == EL_RDF)
		p->doc->format = FORMAT_RSS10;	/* 0.90 told by its channel */
	else if (el == EL_FEED)
		p->doc->format = ns == NS_ATOM03 ? FORMAT_ATOM03 :
		    FORMAT_ATOM10;
}

/*
 * An entry that starts inside an entry: the one before was never closed
 * (a "<br>" left open in its title, or its end tag missing), and
 * libxml2, recovering, nests the rest of the document in it.  End that
 * entry now and begin the new one, so that no later entry is lost.
 */
static int
parser_entry_again(struct parser *p, enum ns ns, enum el el)
{
	enum el		 parent = parser_parent(p);
	struct item	*it;

	switch (p->doc->format) {
	case FORMAT_ATOM03:
	case FORMAT_ATOM10:
		if (el != EL_ENTRY || (ns != NS_ATOM10 && ns != NS_ATOM03))
			return (0);
		break;
	case FORMAT_RSS09X:
	case FORMAT_RSS10:
	case FORMAT_RSS20:
		if (el != EL_ITEM || (ns != NS_NONE && ns != NS_RSS10 &&
		    ns != NS_RSS090))
			return (0);
		break;
	default:
		return (0);
	}
	if (p->item == NULL && parent != EL_ENTRY && parent != EL_ITEM)
		return (0);
	if (p->field != FIELD_NONE)
		parser_set_field(p, p->field, p->kind, parser_text_take(p));
	if ((it = p->item) != NULL) {
		p->item = NULL;
		parser_emit(p, it);
	}
	parser_item_begin(p);
	return (1);
}

static void
parser_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **nsdecl, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	struct parser	*p = ctx;
	const char	*name = (const char *)localname;
	enum ns		 ns;
	enum el		 el;

	p->depth++;
	if (p->depth > PARSE_MAX_DEPTH) {
		p->truncated = 1;
		return;
	}
	p->attrs = attrs;
	p->nattrs = nattrs;
	if (p->xhtml_depth != 0) {
		p->stack[p->depth] = EL_OTHER;
		parser_markup(p, name, 1);
		return;
	}
	ns = parser_ns(p, uri);
	if (p->depth == 1 && ns != NS_NONE && strcmp(name, "rss") == 0)
		ns = parser_ns_rss(p, uri);
	el = parser_lookup(ns, name);
	p->stack[p->depth] = el;
	if (nattrs > 0)
		parser_push_base(p);
	if (p->depth == 1) {
		p->doctype_done = 1;	/* none can follow the root */
		parser_root(p, ns, el);
		if (p->doc->format == FORMAT_UNKNOWN)
			snprintf(p->root, sizeof(p->root), "%s", name);
	}
	if (parser_entry_again(p, ns, el))
		return;
	switch (p->doc->format) {
	case FORMAT_RSS09X:
	case FORMAT_RSS10:
	case FORMAT_RSS20:
		parse_rss_start(p, ns, el);
		break;
	case FORMAT_ATOM03:
	case FORMAT_ATOM10:
		parse_atom_start(p, ns, el);
		break;
	default:
		break;
	}
}

static void
parser_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct parser	*p = ctx;
	struct item	*it;
	enum field	 field;

	if (p->depth > PARSE_MAX_DEPTH) {
		p->depth--;
		return;
	}
	if (p->xhtml_depth != 0 && p->depth > p->xhtml_depth) {
		parser_markup(p, (const char *)localname, 0);
		p->depth--;
		return;
	}
	if (p->field != FIELD_NONE && p->depth == p->field_depth) {
		field = p->field;
		parser_set_field(p, field, p->kind, parser_text_take(p));
	}
	if (p->item != NULL && p->depth == p->item_depth) {
		it = p->item;
		p->item = NULL;
		parser_emit(p, it);
	}
	if (p->nbases > 0)
		parser_pop_base(p);
	p->depth--;
}

static void
parser_characters(void *ctx, const xmlChar *ch, int len)
{
	struct parser	*p = ctx;

	if (p->field == FIELD_NONE || p->depth > PARSE_MAX_DEPTH)
		return;
	if (p->text.len + len > p->opts->max_field) {
		p->truncated = 1;
		return;
	}
	if (p->xhtml_depth == 0)
		buf_add(&p->text, ch, len);
	else
		text_escape(&p->text, (const char *)ch, len, TEXT_HTML);
}

/* Only the HTML entities, never anything the document declares. */
static xmlEntityPtr
parser_get_entity(void *ctx, const xmlChar *name)
{
	return (text_html_entity((const char *)name));
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

struct parser *
parse_new(const struct parse_opts *opts, parse_item_cb cb, void *arg)
{
	struct parser	*p;

	p = xcalloc(1, sizeof(*p));
	p->opts = opts;
	p->cb = cb;
	p->cb_arg = arg;
	p->doc = doc_new();
	buf_init(&p->text);
	buf_init(&p->json);
	buf_init(&p->decoded);
	buf_init(&p->clean);
	buf_init(&p->fixed);
	buf_init(&p->fixcarry);
	buf_init(&p->head);
	return (p);
}

/* The XML declaration's encoding, if the document starts with one. */
static int
parser_declared_encoding(const char *s, size_t len, char *out, size_t size)
{
	const char	*end, *e, *q;
	size_t		 n;

	if (len < 6 || strncmp(s, "<?xml", 5) != 0)
		return (0);
	if ((end = memchr(s, '>', len < 512 ? len : 512)) == NULL)
		return (0);
	for (e = s; e + 8 < end; e++) {
		if (strncmp(e, "encoding", 8) != 0)
			continue;
		for (e += 8; e < end && (*e == ' ' || *e == '='); e++)
			;
		if (e >= end || (*e != '"' && *e != '\''))
			return (0);
		if ((q = memchr(e + 1, *e, end - e - 1)) == NULL)
			return (0);
		n = q - e - 1;
		if (n >= size)
			return (0);
		memcpy(out, e + 1, n);
		out[n] = '\0';
		return (1);
	}
	return (0);
}

static int
parser_is_utf8_name(const char *s)
{
	return (strcasecmp(s, "utf-8") == 0 || strcasecmp(s, "utf8") == 0);
}

/*
 * Publishers who say ISO-8859-1 (or ASCII) mean windows-1252, as browsers
 * have long assumed: its curly quotes and dashes sit at 0x80-0x9f.
 */
static const char *
parser_encoding_alias(const char *s)
{
	if (strcasecmp(s, "iso-8859-1") == 0 || strcasecmp(s, "iso8859-1") ==
	    0 || strcasecmp(s, "latin1") == 0 || strcasecmp(s, "latin-1") ==
	    0 || strcasecmp(s, "us-ascii") == 0 || strcasecmp(s, "ascii") ==
	    0 || strcasecmp(s, "iso_8859-1") == 0 || strcasecmp(s, "l1") == 0)
		return ("windows-1252");
	return (s);
}

/* Does s[0..n) start an entity or character reference?  -1: can't tell. */
static int
parser_is_ref(const char *s, size_t n)
{
	size_t	i = 1;

	if (i < n && s[i] == '#') {
		i++;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			for (i++; i < n && isxdigit((unsigned char)s[i]); i++)
				;
			if (i == 3)
				return (i < n ? 0 : -1);
		} else {
			for (; i < n && isdigit((unsigned char)s[i]); i++)
				;
			if (i == 2)
				return (i < n ? 0 : -1);
		}
	} else {
		if (i < n && !isalpha((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != ':')
			return (0);
		for (; i < n && i < 40 && (isalnum((unsigned char)s[i]) ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-' || s[i] == ':');
		    i++)
			;
	}
	if (i >= n)
		return (i >= 40 ? 0 : -1);
	return (s[i] == ';');
}

/*
 * A DOCTYPE before the next '&' and CDATA section is passed on as it is,
 * once parse-entity.c has read its entities.  Returns 1 with *i past it,
 * -1 to wait for more bytes (*i at its start), 0 if there is none.
 */
static int
parser_fix_doctype(struct parser *p, const char *s, size_t n, size_t *i,
    const char *amp, const char *cdata, int last, const char **found)
{
	const char	*d = *found;
	size_t		 len;

	/* Searched once per chunk: *found is s + n if there is none. */
	if (d == NULL || (d < s + *i && d != s + n)) {
		if ((d = memmem(s + *i, n - *i, "<!DOCTYPE", 9)) == NULL)
			d = s + n;
		*found = d;
	}
	if (d == s + n || (amp != NULL && amp < d) ||
	    (cdata != NULL && cdata < d))
		return (0);
	if ((len = parse_entity_doctype(p, d, n - (d - s))) == 0) {
		if (!last && n - (d - s) < PARSE_MAX_DOCTYPE) {
			*i = d - s;
			return (-1);
		}
		/* Unfinished or too long: its entities stay unknown. */
		len = 9;
	}
	p->doctype_done = 1;
	*i = d - s + len;
	return (1);
}

/* The next c at or after s + i, or s + n if none (cur: the last one). */
static const char *
parser_next(const char *cur, const char *s, size_t i, size_t n, int c)
{
	if (cur != NULL && (cur >= s + i || cur == s + n))
		return (cur);
	if ((cur = memchr(s + i, c, n - i)) == NULL)
		return (s + n);
	return (cur);
}

/* Can what follows '<' start markup (a tag, end tag, comment, PI)? */
static int
parser_is_markup(unsigned char c)
{
	return (isalpha(c) || c == '_' || c == ':' || c == '/' || c == '!' ||
	    c == '?' || c >= 0x80);
}

/* Is the tag at s + i one of HTML's void elements?  -1: can't tell. */
static int
parser_is_void(const char *s, size_t n, size_t i, int last)
{
	static const char	*names[] = { "br", "hr", "img", "wbr" };
	const char		*t = s + i + 1, *e = s + n;
	size_t			 k, len;

	if (t < e && *t == '/')
		t++;
	if (t < e && strchr("bhiwBHIW", *t) == NULL)
		return (0);	/* the common case, quickly */
	for (k = 0; k < NELEM(names); k++) {
		len = strlen(names[k]);
		if ((size_t)(e - t) <= len) {
			if (!last && strncasecmp(t, names[k], e - t) == 0)
				return (-1);
			continue;
		}
		if (strncasecmp(t, names[k], len) == 0 && (t[len] == '>' ||
		    t[len] == '/' || isspace((unsigned char)t[len])))
			return (1);
	}
	return (0);
}

/*
 * The tag at s + i, up to its '>' (*gt), outside quoted values; sets
 * *unquoted if an attribute value has no quotes.  1 if found; -1 to
 * wait for more bytes; 0 if it is no tag that ends.
 */
static int
parser_tag_scan(const char *s, size_t n, size_t i, int last, size_t *gt,
    int *unquoted)
{
	const char	*t, *e = s + n, *q;

	*unquoted = 0;
	for (t = s + i + 1; t < e && *t != '>'; t++) {
		if (*t == '<' || t - (s + i) > PARSE_HEAD)
			return (0);
		if (*t == '"' || *t == '\'') {
			if ((q = memchr(t + 1, *t, e - t - 1)) == NULL)
				break;
			t = q;
		} else if (*t == '=') {
			for (q = t + 1; q < e &&
			    isspace((unsigned char)*q); q++)
				;
			if (q < e && *q != '"' && *q != '\'' && *q != '>')
				*unquoted = 1;
		}
	}
	if (t >= e || *t != '>')
		return (last ? 0 : -1);
	*gt = t - s;
	return (1);
}

/*
 * Copy the tag s[i, gt) to out, references rewritten and values without
 * quotes quoted ("href=http://x/ " -> "href=\"http://x/\" ").
 */
static void
parser_tag_copy(struct parser *p, const char *s, size_t i, size_t gt,
    struct buf *out)
{
	char	quote = 0;
	int	bare = 0;

	buf_addc(out, '<');
	for (i++; i < gt; i++) {
		if (bare && (isspace((unsigned char)s[i]) ||
		    (s[i] == '/' && i + 1 == gt))) {
			buf_addc(out, '"');
			bare = 0;
		}
		if (quote == 0 && !bare && (s[i] == '"' || s[i] == '\''))
			quote = s[i];
		else if (quote != 0 && s[i] == quote)
			quote = 0;
		if (s[i] == '&') {
			if (parser_is_ref(s + i, gt - i) == 1)
				i += parse_entity_ref(p, s + i, gt - i,
				    out) - 1;
			else
				buf_addstr(out, "&#38;");
			continue;
		}
		if ((bare && s[i] == '"') || s[i] == '<') {
			buf_addstr(out, s[i] == '"' ? "&#34;" : "&#60;");
			continue;
		}
		buf_addc(out, s[i]);
		if (quote == 0 && !bare && s[i] == '=') {
			for (; i + 1 < gt &&
			    isspace((unsigned char)s[i + 1]); i++)
				buf_addc(out, s[i + 1]);
			if (i + 1 < gt && s[i + 1] != '"' && s[i + 1] != '\'') {
				buf_addc(out, '"');
				bare = 1;
			}
		}
	}
	if (bare)
		buf_addc(out, '"');
}

/*
 * A start tag that needs rewriting: one of HTML's void elements left
 * unclosed in feed text ("<br>", which would keep everything after it
 * open) is closed, its end tag dropped; attribute values without quotes
 * get them (libxml2 stops at the first).  -1 to wait for more bytes.
 */
static int
parser_fix_tag(struct parser *p, const char *s, size_t n, size_t *i,
    size_t start, int last, struct buf *out)
{
	size_t	gt;
	int	isvoid, unquoted, r;

	if ((isvoid = parser_is_void(s, n, *i, last)) == -1)
		return (-1);
	if (!isvoid && s[*i + 1] == '/')
		return (0);
	if ((r = parser_tag_scan(s, n, *i, last, &gt, &unquoted)) != 1)
		return (r);
	if (!unquoted && s[*i + 1] != '/' && (!isvoid || s[gt - 1] == '/'))
		return (0);
	buf_add(out, s + start, *i - start);
	if (s[*i + 1] == '/') {
		*i = gt + 1;		/* "</br>" */
		return (1);
	}
	parser_tag_copy(p, s, *i, gt, out);
	buf_addstr(out, isvoid && s[gt - 1] != '/' ? "/>" : ">");
	*i = gt + 1;
	return (1);
}

/*
 * A bare '&' ("AT&T", query strings in links) is the commonest way feeds
 * are ill-formed, and a bare '<' ("a < b") the next; libxml2 would drop
 * what follows, even the rest of the document.  Escape each '&' that
 * starts no reference and each '<' that starts no markup, outside CDATA
 * sections, as character references (libxml2 drops named ones after an
 * error).  Each reference goes to parse-entity.c, which rewrites it into
 * one libxml2 cannot lose; the DOCTYPE goes there too, for its entities.
 * Bytes that cannot be decided before the chunk ends wait in fixcarry.
 */
static const char *
parser_fix_amps(struct parser *p, const char *data, size_t len, int last,
    size_t *outlen)
{
	struct buf	*out = &p->fixed;
	const char	*s, *q, *amp = NULL, *lt = NULL, *cdata = NULL;
	const char	*doctype = NULL;
	size_t		 n, i = 0, start = 0;
	int		 r, no_cdata = 0, changed = 0;

	buf_reset(out);
	if (p->fixcarry.len > 0) {
		buf_add(&p->fixcarry, data, len);
		s = p->fixcarry.data;
		n = p->fixcarry.len;
	} else {
		s = data;
		n = len;
	}
	while (i < n) {
		if (p->in_cdata) {
			if ((q = memmem(s + i, n - i, "]]>", 3)) != NULL) {
				i = q - s + 3;
				p->in_cdata = 0;
				continue;
			}
			i = n > i + 2 && !last ? n - 2 : n;
			break;
		}
		/* The next '&', '<' and CDATA section (each searched once). */
		amp = parser_next(amp, s, i, n, '&');
		lt = parser_next(lt, s, i, n, '<');
		if (cdata != NULL && cdata < s + i)
			cdata = NULL;
		if (cdata == NULL && !no_cdata &&
		    (cdata = memmem(s + i, n - i, "<![CDATA[", 9)) == NULL)
			no_cdata = 1;
		if (!p->doctype_done && (r = parser_fix_doctype(p, s, n, &i,
		    amp, cdata, last, &doctype)) != 0) {
			if (r == -1)
				break;
			continue;
		}
		if (cdata != NULL && cdata == lt && cdata < amp) {
			i = cdata - s + 9;
			p->in_cdata = 1;
			cdata = NULL;
			continue;
		}
		if (amp == s + n && lt == s + n) {
			i = n;
			/* "<![CDA" at the very end waits for the rest. */
			if (!last && (q = memrchr(s + (n > 8 ? n - 8 : 0), '<',
			    n > 8 ? 8 : n)) != NULL &&
			    (memcmp(q, "<![CDATA[", n - (q - s)) == 0 ||
			    (!p->doctype_done &&
			    memcmp(q, "<!DOCTYPE", n - (q - s)) == 0)))
				i = q - s;
			break;
		}
		if (lt < amp) {
			i = lt - s;
			if (i + 1 == n && !last)
				break;
			if (i + 1 < n && parser_is_markup(s[i + 1])) {
				if (s[i + 1] == '!' || s[i + 1] == '?') {
					i++;
					continue;
				}
				if ((r = parser_fix_tag(p, s, n, &i, start,
				    last, out)) == -1)
					break;
				if (r == 0) {
					i++;
					continue;
				}
				changed = 1;
				start = i;
				continue;
			}
			buf_add(out, s + start, i - start);
			buf_addstr(out, "&#60;");
			changed = 1;
			start = ++i;
			continue;
		}
		i = amp - s;
		if ((r = parser_is_ref(s + i, n - i)) == -1 && !last)
			break;
		buf_add(out, s + start, i - start);
		changed = 1;
		if (r == 1)
			i += parse_entity_ref(p, s + i, n - i, out);
		else {
			buf_addstr(out, "&#38;");
			i++;
		}
		start = i;
	}
	if (!changed && s == data) {
		/* Nothing rewritten: pass the input on as it is. */
		*outlen = i;
		if (i < n) {
			buf_reset(&p->fixcarry);
			buf_add(&p->fixcarry, s + i, n - i);
		}
		return (data);
	}
	buf_add(out, s + start, i - start);
	*outlen = out->len;
	if (i < n) {
		/* Keep the undecided tail (s may be fixcarry itself). */
		if (s == p->fixcarry.data) {
			memmove(p->fixcarry.data, s + i, n - i);
			p->fixcarry.len = n - i;
		} else {
			buf_reset(&p->fixcarry);
			buf_add(&p->fixcarry, s + i, n - i);
		}
	} else
		buf_reset(&p->fixcarry);
	return (out->data != NULL ? out->data : "");
}

/*
 * Look at the first chunk: JSON or XML, and in which encoding.  Sets up
 * the libxml2 context for XML.
 */
static void
parser_begin(struct parser *p, const char *data, size_t len)
{
	xmlSAXHandler			 sax;
	xmlCharEncodingHandlerPtr	 handler = NULL;
	const char			*s = data;
	size_t				 n = len;
	const char			*encoding;
	char				 declared[64];
	int				 bom16 = 0, options, labelled = 1;

	p->started = 1;
	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		n -= 3;
	} else if (n >= 2 && (memcmp(s, "\xff\xfe", 2) == 0 ||
	    memcmp(s, "\xfe\xff", 2) == 0))
		bom16 = 1;
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	if (n > 0 && *s == '{') {
		p->is_json = 1;
		p->cleaner.utf8 = 1;
		return;
	}

	/* A BOM wins; then the HTTP charset; then the declaration. */
	if (bom16)
		encoding = NULL;
	else if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		encoding = "utf-8";
	else if (p->opts->charset != NULL && *p->opts->charset != '\0')
		encoding = p->opts->charset;
	else if (parser_declared_encoding(s, n, declared, sizeof(declared)))
		encoding = declared;
	else {
		encoding = "utf-8";
		labelled = 0;
	}
	if (encoding != NULL && !parser_is_utf8_name(encoding)) {
		encoding = parser_encoding_alias(encoding);
		if (parse_charset_is_cp1252(encoding))
			parse_charset_init(&p->charset, CHARSET_SNIFF,
			    CHARSET_CP1252);
		else if ((handler = xmlFindCharEncodingHandler(encoding)) ==
		    NULL)
			snprintf(p->error, sizeof(p->error), "unknown "
			    "encoding \"%s\", read as UTF-8", encoding);
	} else if (!labelled)
		parse_charset_init(&p->charset, CHARSET_SNIFF, CHARSET_PASS);
	p->cleaner.utf8 = encoding != NULL && handler == NULL;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = parser_start;
	sax.endElementNs = parser_end;
	sax.characters = parser_characters;
	sax.cdataBlock = parser_characters;
	sax.getEntity = parser_get_entity;
	sax.error = parser_error;
	sax.fatalError = parser_error;
	p->ctxt = xmlCreatePushParserCtxt(&sax, p, NULL, 0, NULL);
	if (p->ctxt == NULL)
		fatalx("xmlCreatePushParserCtxt failed");
	options = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOWARNING;
	if (!bom16) {
		/* Our choice stands against the declaration. */
		options |= XML_PARSE_IGNORE_ENC;
		if (handler != NULL)
			xmlSwitchToEncoding(p->ctxt, handler);
	}
	xmlCtxtUseOptions(p->ctxt, options);
	if (bom16)
		p->cleaner.utf8 = -1;	/* leave UTF-16 bytes alone */
}

static void
parser_xml_push(struct parser *p, const char *data, size_t len, int last)
{
	if (p->ctxt->disableSAX && !last)
		return;
	if (p->cleaner.utf8 == -1) {
		xmlParseChunk(p->ctxt, data, (int)len, last);
		return;
	}
	buf_reset(&p->decoded);
	data = parse_charset_chunk(&p->charset, data, len, last, &p->decoded,
	    &len);
	buf_reset(&p->clean);
	data = text_clean_chunk(&p->cleaner, data, len, last, &p->clean, &len);
	data = parser_fix_amps(p, data, len, last, &len);
	xmlParseChunk(p->ctxt, data, (int)len, last);
}

/* JSON is kept whole, cleaned on the way in. */
static void
parser_json_add(struct parser *p, const char *data, size_t len, int last)
{
	size_t	n;

	buf_reset(&p->clean);
	data = text_clean_chunk(&p->cleaner, data, len, last, &p->clean, &n);
	buf_add(&p->json, data, n);
}

static void
parser_start_with_head(struct parser *p)
{
	struct buf	head = p->head;

	buf_init(&p->head);
	parser_begin(p, head.data != NULL ? head.data : "", head.len);
	parse_push(p, head.data, head.len);
	buf_free(&head);
}

/* Feed the next chunk of the document. */
void
parse_push(struct parser *p, const char *data, size_t len)
{
	const size_t	chunk = 64 * 1024;
	size_t		n;

	if (len == 0)
		return;
	if (!p->started) {
		/* Decide format and encoding on a start long enough to tell. */
		buf_add(&p->head, data, len);
		if (p->head.len < PARSE_HEAD)
			return;
		parser_start_with_head(p);
		return;
	}
	p->nbytes += len;
	if (p->is_json) {
		parser_json_add(p, data, len, 0);
		return;
	}
	for (; len > 0; data += n, len -= n) {
		n = len < chunk ? len : chunk;
		parser_xml_push(p, data, n, 0);
	}
}

static void
parse_free(struct parser *p)
{
	if (p->ctxt != NULL) {
		/* A DOCTYPE makes libxml2 build a document; it is ours. */
		if (p->ctxt->myDoc != NULL)
			xmlFreeDoc(p->ctxt->myDoc);
		xmlFreeParserCtxt(p->ctxt);
	}
	while (p->nbases > 0)
		free(p->bases[--p->nbases].url);
	item_free(p->item);	/* an entry cut off by the end of input */
	item_free(p->alt);
	parse_entity_free(p);
	buf_free(&p->text);
	buf_free(&p->json);
	parse_charset_free(&p->charset);
	buf_free(&p->decoded);
	buf_free(&p->clean);
	buf_free(&p->fixed);
	buf_free(&p->fixcarry);
	buf_free(&p->head);
	free(p);
}

/*
 * Finish parsing.  Returns 0 with *out set for anything that is
 * recognisably a feed, even if ill-formed (then *cause says what was
 * recovered from); -1 and *cause otherwise.  p is freed either way.
 */
int
parse_end(struct parser *p, struct doc **out, char **cause)
{
	int	rv = 0;

	*out = NULL;
	*cause = NULL;
	if (!p->started && p->head.len > 0)
		parser_start_with_head(p);
	if (p->is_json) {
		parser_json_add(p, "", 0, 1);
		rv = parse_json(p, cause);
	}
	else if (p->started)
		parser_xml_push(p, "", 0, 1);
	if (rv == 0 && p->doc->format == FORMAT_UNKNOWN) {
		if (p->root[0] != '\0')
			xasprintf(cause, "not a feed: root element is <%s>",
			    p->root);
		else if (p->nbytes == 0)
			*cause = xstrdup("not a feed: empty document");
		else
			xasprintf(cause, "not a feed: %s", p->error[0] != '\0' ?
			    p->error : "no XML elements");
		rv = -1;
	}
	if (rv != 0) {
		doc_free(p->doc);
		parse_free(p);
		return (-1);
	}
	if (p->nerrors > 0 || p->truncated || p->skipped > 0)
		xasprintf(cause, "%s%s%s%s", p->nerrors ? "recovered from: " :
		    "", p->nerrors ? p->error : "", p->truncated ?
		    " (fields over the size limit truncated)" : "",
		    p->skipped ? " (entries over the limit skipped)" : "");
	*out = p->doc;
	parse_free(p);
	return (0);
}

/* Parse a whole document in memory; entries are kept in (*out)->items. */
int
parse_doc(const char *data, size_t len, const struct parse_opts *opts,
    struct doc **out, char **cause)
{
	struct parser	*p;

	p = parse_new(opts, NULL, NULL);
	parse_push(p, data, len);
	return (parse_end(p, out, cause));
}
