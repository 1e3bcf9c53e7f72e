/*
 * parse-field.c: what the format files build entries with: attributes,
 * xml:base and links, the text of the element being read, and where each
 * field's text goes in the entry or the document (struct parser's
 * methods, parse-internal.h).  Calls nothing of the format files or the
 * driver (parse.c).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>

#include "date.h"
#include "parse-internal.h"
#include "text.h"
#include "util.h"
#include "xmalloc.h"

#define XML_NS_URI	"http://www.w3.org/XML/1998/namespace"

/* The element that contains the one starting or ending now. */
enum el
parser_parent(struct parser *p)
{
	return (p->depth >= 2 ? p->stack[p->depth - 1] : EL_OTHER);
}

/*
 * An attribute value from libxml2, as a new string.  Without entity
 * substitution (which we never allow) libxml2 hands '&' in attribute
 * values over as "&#38;" (from &amp; or &#38; alike) and every other
 * character as itself: undo that one.
 */
static char *
parser_attr_value(const xmlChar *start, const xmlChar *end)
{
	struct buf	 b;
	const char	*s = (const char *)start, *e = (const char *)end, *amp;

	buf_init(&b);
	while ((amp = memchr(s, '&', e - s)) != NULL) {
		buf_add(&b, s, amp - s);
		buf_addc(&b, '&');
		s = amp + (e - amp >= 5 && memcmp(amp, "&#38;", 5) == 0 ?
		    5 : 1);
	}
	buf_add(&b, s, e - s);
	return (buf_steal(&b));
}

/* An attribute of the element being started, as a new string. */
char *
parser_attr(struct parser *p, const char *name)
{
	const xmlChar	**a = p->attrs;
	int		  i;

	for (i = 0; i < p->nattrs; i++, a += 5) {
		if (a[2] != NULL && strcmp((const char *)a[2],
		    XML_NS_URI) == 0)
			continue;
		if (strcmp((const char *)a[0], name) == 0)
			return (parser_attr_value(a[3], a[4]));
	}
	return (NULL);
}

static const char *
parser_base(struct parser *p)
{
	if (p->nbases > 0)
		return (p->bases[p->nbases - 1].url);
	return (p->opts->base);
}

static int
parser_is_absolute(const char *url)
{
	const char	*c;

	for (c = url; isalnum((unsigned char)*c) || *c == '+' || *c == '-' ||
	    *c == '.'; c++)
		;
	return (c != url && c[0] == ':' && isalpha((unsigned char)*url));
}

/* Resolve a link against xml:base in scope, then the document's URL. */
char *
parser_resolve(struct parser *p, const char *href)
{
	const char	*base = parser_base(p);
	xmlChar		*abs;
	char		*s;

	if (base == NULL || *base == '\0' || parser_is_absolute(href))
		return (xstrdup(href));
	if ((abs = xmlBuildURI((const xmlChar *)href,
	    (const xmlChar *)base)) == NULL)
		return (xstrdup(href));
	s = xstrdup((const char *)abs);
	xmlFree(abs);
	return (s);
}

/* xml:base on the element starting now applies to it and below. */
void
parser_push_base(struct parser *p)
{
	const xmlChar	**a = p->attrs;
	char		 *v;
	int		  i;

	for (i = 0; i < p->nattrs; i++, a += 5) {
		if (a[2] == NULL || strcmp((const char *)a[0], "base") != 0 ||
		    strcmp((const char *)a[2], XML_NS_URI) != 0)
			continue;
		if (p->nbases == PARSE_MAX_BASES)
			return;
		v = parser_attr_value(a[3], a[4]);
		p->bases[p->nbases].url = parser_resolve(p, v);
		p->bases[p->nbases++].depth = p->depth;
		free(v);
		return;
	}
}

void
parser_pop_base(struct parser *p)
{
	while (p->nbases > 0 && p->bases[p->nbases - 1].depth >= p->depth)
		free(p->bases[--p->nbases].url);
}

/* Collect the text of the element that starts now, until it ends. */
void
parser_text_begin(struct parser *p, enum field field, enum text_kind kind)
{
	buf_reset(&p->text);
	p->field = field;
	p->kind = kind;
	p->field_depth = p->depth;
	p->xhtml_depth = kind == KIND_XHTML ? p->depth : 0;
	p->base64 = 0;
}

static void
parser_set_string(char **field, char *value)
{
	if (*field == NULL)
		*field = value;
	else
		free(value);
}

/*
 * RSS <author> is an email address, often with a name: "jo@example.org
 * (Jo Doe)", "Jo Doe (jo@example.org)" or "Jo Doe <jo@example.org>" give
 * "Jo Doe"; a bare address, or a name alone, stays as it is.
 */
static char *
parser_rss_author(char *s)
{
	char	*open, *close, *at, *name = NULL;

	at = strchr(s, '@');
	if ((open = strchr(s, '(')) != NULL &&
	    (close = strrchr(open, ')')) != NULL && at != NULL) {
		if (at < open)
			name = xstrndup(open + 1, close - open - 1);
		else if (at < close && open > s)
			name = xstrndup(s, open - s);
	} else if ((open = strchr(s, '<')) != NULL && open > s &&
	    strchr(open, '@') != NULL)
		name = xstrndup(s, open - s);
	if (name == NULL)
		return (s);
	name = text_from_html(name);
	if (*name == '\0') {
		free(name);
		return (s);
	}
	free(s);
	return (name);
}

/* "1:02:03", "62:03" or "3723" seconds. */
static long
parser_duration(const char *s)
{
	long	v = 0, part;
	char	*end;
	int	parts = 0;

	for (;;) {
		part = strtol(s, &end, 10);
		if (end == s || part < 0 || ++parts > 3)
			return (0);
		v = v * 60 + part;
		if (*end != ':')
			break;
		s = end + 1;
	}
	return (*end == '\0' || *end == '.' ? v : 0);
}

static void
parser_set_hint(struct parser *p, enum field field, char *text)
{
	static const char	*days[] = { "sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday" };
	struct feed_hints	*h = &p->doc->hints;
	long			 v;
	int			 i;

	v = strtol(text, NULL, 10);
	switch (field) {
	case FIELD_TTL:
		if (v > 0 && v < 100000)
			h->ttl = (int)v;
		break;
	case FIELD_HOUR:
		if (v >= 0 && v <= 24 && isdigit((unsigned char)*text))
			h->skip_hours |= 1U << (v % 24);
		break;
	case FIELD_DAY:
		for (i = 0; i < 7; i++) {
			if (strcasecmp(text, days[i]) == 0)
				h->skip_days |= 1U << i;
		}
		break;
	case FIELD_UPDATE_PERIOD:
		for (i = 0; text[i] != '\0'; i++)
			text[i] = tolower((unsigned char)text[i]);
		if (strcmp(text, "hourly") == 0 || strcmp(text, "daily") == 0 ||
		    strcmp(text, "weekly") == 0 ||
		    strcmp(text, "monthly") == 0 || strcmp(text, "yearly") == 0)
			parser_set_string(&h->update_period, xstrdup(text));
		break;
	case FIELD_UPDATE_FREQUENCY:
		if (v > 0 && v < 100000)
			h->update_frequency = (int)v;
		break;
	default:
		break;
	}
	free(text);
}

/* Make text of the given kind into a title (plain) or HTML. */
static char *
parser_convert(enum field field, enum text_kind kind, char *text)
{
	char	*s;

	if (field == FIELD_TITLE || field == FIELD_TITLE_ALT) {
		if (kind == KIND_PLAIN)
			return (text_collapse(text));
		return (text_from_html(text));
	}
	if (field != FIELD_SUMMARY && field != FIELD_CONTENT &&
	    field != FIELD_SUMMARY_ALT)
		return (text);
	if (kind == KIND_PLAIN) {
		s = text_escape_html(text);
		free(text);
		return (s);
	}
	if (kind == KIND_HTML)
		return (text_unescape_twice(text));
	return (text);	/* KIND_HTML_EXACT, KIND_XHTML: HTML as it is */
}

/* Keep a field that stands in for a missing one until the item ends. */
static void
parser_set_fallback(struct parser *p, enum field field, char *text)
{
	struct item	*alt;

	if (p->alt == NULL)
		p->alt = item_new();
	alt = p->alt;
	switch (field) {
	case FIELD_TITLE_ALT:
		parser_set_string(&alt->title, text);
		return;
	case FIELD_SUMMARY_ALT:
		parser_set_string(&alt->summary, text);
		return;
	case FIELD_AUTHOR_ITUNES:
		text = parser_rss_author(text);
		break;
	default:
		break;
	}
	item_add_string(&alt->authors, &alt->nauthors, ITEM_MAX_AUTHORS,
	    text);
	free(text);
}

/* Store a field's text (taken) into the current item, or the feed. */
void
parser_set_field(struct parser *p, enum field field, enum text_kind kind,
    char *text)
{
	struct item	*it = p->item;
	struct doc	*doc = p->doc;
	char		*s;
	time_t		 t;

	if (text == NULL)
		return;
	if (kind == KIND_SKIP) {
		free(text);
		return;
	}
	text = parser_convert(field, kind, text);
	switch (field) {
	case FIELD_LINK:
		s = parser_resolve(p, text);
		free(text);
		if (it == NULL)
			parser_set_string(&doc->link, s);
		else
			parser_set_string(&it->link, s);
		return;
	case FIELD_PUBLISHED:
	case FIELD_UPDATED:
		t = date_parse(text);
		free(text);
		if (t == 0)
			return;
		if (it == NULL) {
			if (doc->updated == 0 || field == FIELD_UPDATED)
				doc->updated = t;
		} else if (field == FIELD_PUBLISHED && it->published == 0)
			it->published = t;
		else if (field == FIELD_UPDATED && it->updated == 0)
			it->updated = t;
		return;
	case FIELD_TTL:
	case FIELD_HOUR:
	case FIELD_DAY:
	case FIELD_UPDATE_PERIOD:
	case FIELD_UPDATE_FREQUENCY:
		parser_set_hint(p, field, text);
		return;
	default:
		break;
	}
	if (it == NULL) {
		if (field == FIELD_TITLE)
			parser_set_string(&doc->title, text);
		else if (field == FIELD_ID)
			parser_set_string(&doc->id, text);
		else if (field == FIELD_AUTHOR) {
			item_add_string(&doc->authors, &doc->nauthors,
			    ITEM_MAX_AUTHORS, text);
			free(text);
		} else
			free(text);
		return;
	}
	switch (field) {
	case FIELD_TITLE:
		parser_set_string(&it->title, text);
		break;
	case FIELD_ID:
		parser_set_string(&it->id, text);
		break;
	case FIELD_GUID:
		/* A permalink guid is the link when there is none. */
		if (p->guid_permalink && it->link == NULL &&
		    parser_is_absolute(text))
			it->link = xstrdup(text);
		parser_set_string(&it->id, text);
		break;
	case FIELD_AUTHOR_RSS:
		text = parser_rss_author(text);
		/* FALLTHROUGH */
	case FIELD_AUTHOR:
		item_add_string(&it->authors, &it->nauthors,
		    ITEM_MAX_AUTHORS, text);
		free(text);
		break;
	case FIELD_TITLE_ALT:
	case FIELD_SUMMARY_ALT:
	case FIELD_AUTHOR_ITUNES:
	case FIELD_AUTHOR_ALT:
		parser_set_fallback(p, field, text);
		break;
	case FIELD_CATEGORY:
		item_add_string(&it->categories, &it->ncategories,
		    ITEM_MAX_CATEGORIES, text);
		free(text);
		break;
	case FIELD_SUMMARY:
		parser_set_string(&it->summary, text);
		break;
	case FIELD_CONTENT:
		parser_set_string(&it->content, text);
		break;
	case FIELD_DURATION:
		if (it->duration == 0)
			it->duration = parser_duration(text);
		free(text);
		break;
	default:
		free(text);
		break;
	}
}

/* The text collected so far, trimmed; NULL if there was none. */
char *
parser_text_take(struct parser *p)
{
	char	*s, *t, *d;

	p->field = FIELD_NONE;
	p->xhtml_depth = 0;
	if (p->text.len == 0)
		return (NULL);
	t = util_trim(p->text.data);
	if (p->base64 && (d = text_base64_decode(t)) != NULL) {
		t = util_trim(d);
		s = *t == '\0' ? NULL : xstrdup(t);
		free(d);
	} else
		s = *t == '\0' || p->base64 ? NULL : xstrdup(t);
	p->base64 = 0;
	buf_reset(&p->text);
	return (s);
}

void
parser_item_begin(struct parser *p)
{
	if (p->item != NULL)
		return;
	if (p->doc->nitems >= p->opts->max_items) {
		p->skipped++;
		return;
	}
	p->item = item_new();
	p->item_depth = p->depth;
	p->weak_link &= ~1;
	item_free(p->alt);
	p->alt = NULL;
	p->guid_permalink = 0;
}

void
parser_add_enclosure(struct parser *p, const char *url, const char *type,
    const char *length)
{
	struct item		*it = p->item;
	struct enclosure	*e;
	char			*abs, *end;
	long long		 len = -1;
	size_t			 i;

	if (it == NULL || url == NULL || *url == '\0' ||
	    it->nenclosures >= ITEM_MAX_ENCLOSURES)
		return;
	abs = parser_resolve(p, url);
	for (i = 0; i < it->nenclosures; i++) {
		if (strcmp(it->enclosures[i].url, abs) == 0) {
			free(abs);
			return;
		}
	}
	if (length != NULL) {
		len = strtoll(length, &end, 10);
		if (end == length || *end != '\0' || len < 0)
			len = -1;
	}
	it->enclosures = xreallocarray(it->enclosures, it->nenclosures + 1,
	    sizeof(*it->enclosures));
	e = &it->enclosures[it->nenclosures++];
	e->url = abs;
	e->type = type != NULL && *type != '\0' ? xstrdup(type) : NULL;
	e->length = len;
}

/* <enclosure url= type= length=> and <media:content url= type= fileSize=>. */
void
parser_add_enclosure_attrs(struct parser *p, const char *lenattr)
{
	char	*url, *type, *length;

	url = parser_attr(p, "url");
	type = parser_attr(p, "type");
	length = parser_attr(p, lenattr);
	parser_add_enclosure(p, url, type, length);
	free(url);
	free(type);
	free(length);
}

/*
 * What stood in for a missing element fills it: dc:title or media:title
 * the title, dc:description, itunes:summary or media:description the
 * summary, dc:author or itunes:author (in Atom, the authors of the
 * entry's source) the authors.
 */
static void
parser_use_fallbacks(struct parser *p, struct item *it)
{
	struct item	*alt = p->alt;

	p->alt = NULL;
	if (alt == NULL)
		return;
	if (it->title == NULL) {
		it->title = alt->title;
		alt->title = NULL;
	}
	if (it->summary == NULL) {
		it->summary = alt->summary;
		alt->summary = NULL;
	}
	if (it->nauthors == 0) {
		it->authors = alt->authors;
		it->nauthors = alt->nauthors;
		alt->authors = NULL;
		alt->nauthors = 0;
	}
	item_free(alt);
}

/*
 * An entry's identity within its feed: its id as written, else its link,
 * else a hash of what it says, so that re-polls find it again.
 */
static void
parser_finish_item(struct parser *p, struct item *it)
{
	const char	*parts[3];
	char		 when[32];
	uint64_t	 h = 0;
	size_t		 i;

	parser_use_fallbacks(p, it);
	if (it->nauthors == 0 && p->doc->nauthors > 0 &&
	    (p->doc->format == FORMAT_ATOM10 ||
	    p->doc->format == FORMAT_ATOM03)) {
		/* RFC 4287 4.2.1: an entry inherits the feed's authors. */
		for (i = 0; i < p->doc->nauthors; i++)
			item_add_string(&it->authors, &it->nauthors,
			    ITEM_MAX_AUTHORS, p->doc->authors[i]);
	}
	if (it->id != NULL)
		it->uid = xstrdup(it->id);
	else if (it->link != NULL)
		it->uid = xstrdup(it->link);
	else {
		snprintf(when, sizeof(when), "%lld", (long long)
		    (it->published ? it->published : it->updated));
		parts[0] = it->title;
		parts[1] = it->content != NULL ? it->content : it->summary;
		parts[2] = when;
		for (i = 0; i < 3; i++) {
			if (parts[i] != NULL)
				h = util_hash64(parts[i], strlen(parts[i]) + 1,
				    h);
		}
		xasprintf(&it->uid, "hash:%016llx", (unsigned long long)h);
	}
}

/* Hand a finished entry to the callback, or keep it in the document. */
void
parser_emit(struct parser *p, struct item *it)
{
	parser_finish_item(p, it);
	p->doc->nitems++;
	if (p->cb != NULL)
		p->cb(p->doc, it, p->cb_arg);
	else
		TAILQ_INSERT_TAIL(&p->doc->items, it, entry);
}

/*
 * Inside xhtml content, elements become markup.  The div that Atom
 * requires around it (RFC 4287 4.1.3) is not part of the content.
 */
void
parser_markup(struct parser *p, const char *name, int start)
{
	const xmlChar	**a = p->attrs;
	char		 *v;
	int		  i;

	if (p->depth == p->xhtml_depth + 1 && strcmp(name, "div") == 0)
		return;
	if (p->text.len > p->opts->max_field) {
		p->truncated = 1;
		return;
	}
	if (!start) {
		buf_addstr(&p->text, "</");
		buf_addstr(&p->text, name);
		buf_addc(&p->text, '>');
		return;
	}
	buf_addc(&p->text, '<');
	buf_addstr(&p->text, name);
	for (i = 0; i < p->nattrs; i++, a += 5) {
		buf_addc(&p->text, ' ');
		buf_addstr(&p->text, (const char *)a[0]);
		buf_addstr(&p->text, "=\"");
		v = parser_attr_value(a[3], a[4]);
		text_escape(&p->text, v, strlen(v), TEXT_HTML_ATTR);
		free(v);
		buf_addc(&p->text, '"');
	}
	buf_addc(&p->text, '>');
}

