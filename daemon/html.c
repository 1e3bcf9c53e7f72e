/*
 * html.c: the bits of HTML that feeds force on us.
 *
 * Feeds put HTML where XML has no words for it: entities XML does not
 * define (&nbsp; in RSS), titles with markup, descriptions escaped twice.
 * This file knows the HTML 4 entities (from libxml2's own table), turns
 * HTML into plain text for titles, and escapes text into HTML.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>

#include "feedmux.h"

/* The HTML 4 entities as libxml2 entity declarations, sorted by name. */
static xmlEntity	*html_entities;
static size_t		 html_nentities;
static pthread_once_t	 html_once = PTHREAD_ONCE_INIT;

static int
html_entity_cmp(const void *a, const void *b)
{
	return (strcmp((const char *)((const xmlEntity *)a)->name,
	    (const char *)((const xmlEntity *)b)->name));
}

/* Encode a code point as UTF-8; returns the length (1-4), 0 if invalid. */
size_t
utf8_encode(unsigned int cp, char *out)
{
	if (cp < 0x80) {
		out[0] = cp;
		return (1);
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | (cp >> 6);
		out[1] = 0x80 | (cp & 0x3f);
		return (2);
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return (0);
	if (cp < 0x10000) {
		out[0] = 0xe0 | (cp >> 12);
		out[1] = 0x80 | ((cp >> 6) & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return (3);
	}
	if (cp < 0x110000) {
		out[0] = 0xf0 | (cp >> 18);
		out[1] = 0x80 | ((cp >> 12) & 0x3f);
		out[2] = 0x80 | ((cp >> 6) & 0x3f);
		out[3] = 0x80 | (cp & 0x3f);
		return (4);
	}
	return (0);
}

/*
 * libxml2 can look an HTML entity up by name or by value but not list
 * them; walking the values finds them all (the highest is U+2666).
 */
static void
html_entities_init(void)
{
	const htmlEntityDesc	*d;
	xmlEntity		*e;
	unsigned int		 cp;
	char			 u[8];
	size_t			 n;

	html_entities = xcalloc(300, sizeof(*html_entities));
	for (cp = 1; cp < 0x2700 && html_nentities < 300; cp++) {
		if ((d = htmlEntityValueLookup(cp)) == NULL || d->value != cp)
			continue;
		n = utf8_encode(cp, u);
		u[n] = '\0';
		e = &html_entities[html_nentities++];
		e->type = XML_ENTITY_DECL;
		e->etype = XML_INTERNAL_PREDEFINED_ENTITY;
		e->name = (const xmlChar *)d->name;
		e->content = (xmlChar *)xstrdup(u);
		e->length = (int)n;
	}
	qsort(html_entities, html_nentities, sizeof(*html_entities),
	    html_entity_cmp);
}

/*
 * An HTML entity as a predefined XML entity, so that the parser inlines it
 * like &amp;; NULL if name is no HTML entity.  Never expands anything
 * recursively, which is what keeps entity bombs harmless.
 */
xmlEntity *
html_entity(const char *name)
{
	xmlEntity	key;

	pthread_once(&html_once, html_entities_init);
	key.name = (const xmlChar *)name;
	return (bsearch(&key, html_entities, html_nentities,
	    sizeof(*html_entities), html_entity_cmp));
}

/*
 * Decode one character reference or entity at s (which starts with '&').
 * On success append it to b and return the length consumed, else 0.
 */
static size_t
html_decode_ref(const char *s, struct buf *b)
{
	xmlEntity	*e;
	char		 name[33], u[4];
	unsigned long	 cp;
	size_t		 i, n;
	char		*end;

	if (s[1] == '#') {
		if (s[2] == 'x' || s[2] == 'X')
			cp = strtoul(s + 3, &end, 16);
		else
			cp = strtoul(s + 2, &end, 10);
		if (end == s + 2 || (end == s + 3 && (s[2] == 'x' ||
		    s[2] == 'X')) || *end != ';')
			return (0);
		if (cp == 0 || cp > 0x10ffff || (n = utf8_encode(cp, u)) == 0)
			return (0);
		buf_add(b, u, n);
		return (end - s + 1);
	}
	for (i = 0; i < sizeof(name) - 1 && isalnum((unsigned char)s[i + 1]);
	    i++)
		name[i] = s[i + 1];
	name[i] = '\0';
	if (s[i + 1] != ';' || i == 0)
		return (0);
	if (strcmp(name, "apos") == 0)
		buf_addc(b, '\'');
	else if (strcmp(name, "quot") == 0)
		buf_addc(b, '"');
	else if (strcmp(name, "amp") == 0)
		buf_addc(b, '&');
	else if (strcmp(name, "lt") == 0)
		buf_addc(b, '<');
	else if (strcmp(name, "gt") == 0)
		buf_addc(b, '>');
	else if ((e = html_entity(name)) != NULL)
		buf_add(b, e->content, e->length);
	else
		return (0);
	return (i + 2);
}

/*
 * HTML to plain text, for titles: tags dropped, references decoded, runs
 * of white space made one space.  Returns a new string (s is freed).
 */
char *
html_to_text(char *s)
{
	struct buf	 b;
	const char	*p, *gt;
	size_t		 n;
	int		 space = 0;

	buf_init(&b);
	for (p = s; *p != '\0'; ) {
		if (*p == '<' && (isalpha((unsigned char)p[1]) || p[1] == '/' ||
		    p[1] == '!' || p[1] == '?') &&
		    (gt = strchr(p, '>')) != NULL) {
			p = gt + 1;
			continue;
		}
		if (isspace((unsigned char)*p)) {
			space = 1;
			p++;
			continue;
		}
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = 0;
		if (*p == '&' && (n = html_decode_ref(p, &b)) > 0) {
			p += n;
			continue;
		}
		buf_addc(&b, *p++);
	}
	free(s);
	return (buf_steal(&b));
}

/*
 * Append len bytes of plain text to b, escaped as HTML: &, < and >, and
 * with attr also '"' and '\'' (for attribute values).  The one escaper
 * for the parser, the stored HTML and the index page.
 */
void
html_escape_buf(struct buf *b, const char *s, size_t len, int attr)
{
	const char	*rep;
	size_t		 i, start;

	for (i = start = 0; i < len; i++) {
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
			rep = attr ? "&quot;" : NULL;
			break;
		case '\'':
			rep = attr ? "&#39;" : NULL;
			break;
		default:
			rep = NULL;
		}
		if (rep == NULL)
			continue;
		buf_add(b, s + start, i - start);
		buf_addstr(b, rep);
		start = i + 1;
	}
	buf_add(b, s + start, len - start);
}

/* Plain text as HTML text, in a new string. */
char *
html_escape(const char *s)
{
	struct buf	b;

	buf_init(&b);
	html_escape_buf(&b, s, strlen(s), 0);
	return (buf_steal(&b));
}

/* Runs of white space become one space; none at either end. */
char *
text_collapse(char *s)
{
	char	*r, *w;
	int	 space = 0;

	for (r = w = s; *r != '\0'; r++) {
		if (isspace((unsigned char)*r)) {
			space = w != s;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
	return (s);
}

/*
 * Markup escaped twice ("&lt;p&gt;" where "<p>" was meant) shows readers
 * the tags.  If a field has no tag at all but escaped ones, unescape once.
 * Returns s or a new string (then s is freed).
 */
char *
html_unescape_twice_escaped(char *s)
{
	const char	*p;
	struct buf	 b;
	size_t		 n;

	for (p = s; *p != '\0'; p++) {
		if (*p == '<' && (isalpha((unsigned char)p[1]) || p[1] == '/'))
			return (s);
	}
	if ((p = strstr(s, "&lt;")) == NULL ||
	    !(isalpha((unsigned char)p[4]) || p[4] == '/'))
		return (s);
	buf_init(&b);
	for (p = s; *p != '\0'; ) {
		if (*p == '&' && (n = html_decode_ref(p, &b)) > 0)
			p += n;
		else
			buf_addc(&b, *p++);
	}
	free(s);
	return (buf_steal(&b));
}
