/*
 * text.c: the text feeds force on us, and the text we write.
 *
 * In: bytes are cleaned to valid UTF-8 without C0 controls before any
 * parser sees them; feeds put HTML where XML has no words for it
 * (entities XML does not define, such as &nbsp; in RSS; titles with
 * markup; descriptions escaped twice), so this file knows the HTML 4
 * entities (from libxml2's own table) and turns HTML into plain text.
 * Out: one escaper for each language feedmux writes, XML, HTML and JSON.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>

#include "text.h"
#include "util.h"
#include "xmalloc.h"

/*
 * The length of the valid UTF-8 sequence at s (of n bytes available); 0
 * if it is invalid, with *bad the length of its maximal subpart (Unicode
 * 3.9, table 3-7), which becomes one U+FFFD; or -1 if it may be valid but
 * is cut short by the end of the bytes.
 */
int
text_utf8_seq(const unsigned char *s, size_t n, int *bad)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	int		len, i;

	*bad = 1;
	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return (0);
	/* The second byte's range excludes overlongs and surrogates. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return (-1);
		if (s[i] < lo || s[i] > hi) {
			*bad = i;
			return (0);
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return (len);
}

/* 0: passes as is; 1: a C0 control to drop; 2: not ASCII. */
static const unsigned char text_utf8_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x80] = 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/*
 * Clean one chunk of a byte stream: C0 controls other than tab, LF and CR
 * are dropped and, if utf8 is set, invalid UTF-8 becomes U+FFFD.  A
 * sequence cut by the chunk's end is kept in f for the next call (last
 * set: there is none).  Returns the cleaned bytes and sets *outlen: the
 * input itself if nothing had to change (the common case, no copy), else
 * what was appended to out, which must be empty on entry.
 */
const char *
text_clean_chunk(struct text_cleaner *f, const char *in, size_t len,
    int last, struct buf *out, size_t *outlen)
{
	const unsigned char	*s;
	size_t			 i = 0, start, n, c, k;
	int			 q, bad, carried = f->ncarry > 0;
	uint64_t		 x;
	unsigned char		 tmp[8];

	/* Finish a sequence carried over from the last chunk. */
	while (f->ncarry > 0) {
		c = f->ncarry;
		memcpy(tmp, f->carry, c);
		for (n = c, k = 0; n < 4 && k < len; )
			tmp[n++] = in[k++];
		if ((q = text_utf8_seq(tmp, n, &bad)) == -1 && !last) {
			memcpy(f->carry, tmp, n);	/* still incomplete */
			f->ncarry = n;
			*outlen = out->len;
			return (out->data != NULL ? out->data : "");
		}
		if (q > 0) {
			buf_add(out, tmp, q);
			i = q - c;
			f->ncarry = 0;
			break;
		}
		/* Invalid: replace its maximal subpart, look at the rest. */
		if (q == -1)
			bad = n;	/* cut short by the very end */
		buf_add(out, "\xef\xbf\xbd", 3);
		if ((size_t)bad >= c) {
			i = bad - c;
			f->ncarry = 0;
			break;
		}
		memmove(f->carry, f->carry + bad, c - bad);
		f->ncarry = c - bad;
	}
	s = (const unsigned char *)in;
	for (start = i; i < len; ) {
		/* The common case, fast: bytes that pass as they are. */
		for (;;) {
			while (i + 8 <= len && (x = swar_load(s + i),
			    (x & SWAR_HIGHS) == 0 && SWAR_LESS(x, 0x20) == 0))
				i += 8;
			if (i < len && text_utf8_class[s[i]] == 0)
				i++;
			else
				break;
		}
		if (i == len)
			break;
		if (text_utf8_class[s[i]] == 1) {
			buf_add(out, in + start, i - start);
			start = ++i;
			continue;
		}
		if (!f->utf8) {
			i++;
			continue;
		}
		q = text_utf8_seq(s + i, len - i, &bad);
		if (q > 0) {
			i += q;
			continue;
		}
		buf_add(out, in + start, i - start);
		if (q == -1 && !last) {
			f->ncarry = len - i;
			memcpy(f->carry, s + i, f->ncarry);
			*outlen = out->len;
			return (out->data != NULL ? out->data : "");
		}
		if (q == -1)
			bad = len - i;
		buf_add(out, "\xef\xbf\xbd", 3);
		i += bad;
		start = i;
	}
	/* Nothing changed and nothing carried: use the input as it is. */
	if (out->len == 0 && start == 0 && !carried) {
		*outlen = len;
		return (in);
	}
	buf_add(out, in + start, i - start);
	*outlen = out->len;
	return (out->data);
}

/* A string cleaned as above, as UTF-8, in a new allocation. */
char *
text_clean(const char *s)
{
	struct text_cleaner	 f = { 1, { 0 }, 0 };
	struct buf		 b;
	const char		*r;
	size_t			 n;

	buf_init(&b);
	r = text_clean_chunk(&f, s, strlen(s), 1, &b, &n);
	if (r == s)
		return (xstrdup(s));
	return (buf_steal(&b));
}

/* Cut s at a character boundary at most max bytes in. */
void
text_cap(char *s, size_t max)
{
	size_t	n = strlen(s);

	if (n <= max)
		return;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	s[max] = '\0';
}

/* The HTML 4 entities as libxml2 entity declarations, sorted by name. */
static xmlEntity	*text_entities;
static size_t		 text_nentities;
static pthread_once_t	 text_once = PTHREAD_ONCE_INIT;

static int
text_entity_cmp(const void *a, const void *b)
{
	return (strcmp((const char *)((const xmlEntity *)a)->name,
	    (const char *)((const xmlEntity *)b)->name));
}

/* Encode a code point as UTF-8; returns the length (1-4), 0 if invalid. */
size_t
text_utf8_encode(unsigned int cp, char *out)
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
text_entities_init(void)
{
	const htmlEntityDesc	*d;
	xmlEntity		*e;
	unsigned int		 cp;
	char			 u[8];
	size_t			 n;

	text_entities = xcalloc(300, sizeof(*text_entities));
	for (cp = 1; cp < 0x2700 && text_nentities < 300; cp++) {
		if ((d = htmlEntityValueLookup(cp)) == NULL || d->value != cp)
			continue;
		n = text_utf8_encode(cp, u);
		u[n] = '\0';
		e = &text_entities[text_nentities++];
		e->type = XML_ENTITY_DECL;
		e->etype = XML_INTERNAL_PREDEFINED_ENTITY;
		e->name = (const xmlChar *)d->name;
		e->content = (xmlChar *)xstrdup(u);
		e->length = (int)n;
	}
	qsort(text_entities, text_nentities, sizeof(*text_entities),
	    text_entity_cmp);
}

/*
 * An HTML entity as a predefined XML entity, so that the parser inlines it
 * like &amp;; NULL if name is no HTML entity.  Never expands anything
 * recursively, which is what keeps entity bombs harmless.
 */
xmlEntity *
text_html_entity(const char *name)
{
	xmlEntity	key;

	pthread_once(&text_once, text_entities_init);
	key.name = (const xmlChar *)name;
	return (bsearch(&key, text_entities, text_nentities,
	    sizeof(*text_entities), text_entity_cmp));
}

/*
 * Decode one character reference or entity at s (which starts with '&').
 * On success append it to b and return the length consumed, else 0.
 */
static size_t
text_decode_ref(const char *s, struct buf *b)
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
		if (cp == 0 || cp > 0x10ffff ||
		    (n = text_utf8_encode(cp, u)) == 0)
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
	else if ((e = text_html_entity(name)) != NULL)
		buf_add(b, e->content, e->length);
	else
		return (0);
	return (i + 2);
}

/* Elements that start a line or block: they part the words around them. */
static int
text_is_block(const char *name, size_t n)
{
	static const char *const blocks[] = {
		"address", "article", "aside", "blockquote", "br", "caption",
		"dd", "div", "dl", "dt", "figcaption", "figure", "footer",
		"form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
		"li", "main", "nav", "ol", "option", "p", "pre", "section",
		"table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"
	};
	size_t	i;

	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
		if (strlen(blocks[i]) == n &&
		    strncasecmp(name, blocks[i], n) == 0)
			return (1);
	}
	return (0);
}

/* A case-insensitive strstr, for the end of a script or style. */
static const char *
text_find_nocase(const char *s, const char *what)
{
	size_t	n = strlen(what);

	for (; *s != '\0'; s++) {
		if (strncasecmp(s, what, n) == 0)
			return (s);
	}
	return (NULL);
}

/*
 * The tag (or comment) at s, which starts with '<': returns where the text
 * goes on, or NULL if s starts no tag.  Script and style elements go whole,
 * as their words are none of the reader's; *block is set if the tag parts
 * words, as a line break or a paragraph does.
 */
static const char *
text_skip_tag(const char *s, int *block)
{
	const char	*name, *gt, *end;
	char		 close[16];
	size_t		 n;

	*block = 0;
	if (!(isalpha((unsigned char)s[1]) || s[1] == '/' || s[1] == '!' ||
	    s[1] == '?'))
		return (NULL);
	if (strncmp(s, "<!--", 4) == 0 && (end = strstr(s + 4, "-->")) != NULL)
		return (end + 3);
	if ((gt = strchr(s, '>')) == NULL)
		return (NULL);
	name = s + (s[1] == '/' ? 2 : 1);
	for (n = 0; isalnum((unsigned char)name[n]); n++)
		;
	*block = text_is_block(name, n);
	if (s[1] != '/' && ((n == 6 && strncasecmp(name, "script", 6) == 0) ||
	    (n == 5 && strncasecmp(name, "style", 5) == 0))) {
		snprintf(close, sizeof(close), "</%.*s", (int)n, name);
		/* Unclosed, it is more likely text than a script. */
		if ((end = text_find_nocase(gt + 1, close)) != NULL &&
		    (end = strchr(end, '>')) != NULL) {
			*block = 1;
			gt = end;
		}
	}
	return (gt + 1);
}

/*
 * HTML to plain text, for titles: tags dropped (script and style with
 * their contents, comments), references decoded, runs of white space made
 * one space, and a space where a block or line break parts words.
 * Returns a new string (s is freed).
 */
char *
text_from_html(char *s)
{
	struct buf	 b;
	const char	*p, *next;
	size_t		 n;
	int		 space = 0, block;

	buf_init(&b);
	for (p = s; *p != '\0'; ) {
		if (*p == '<' && (next = text_skip_tag(p, &block)) != NULL) {
			space |= block;
			p = next;
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
		if (*p == '&' && (n = text_decode_ref(p, &b)) > 0) {
			p += n;
			continue;
		}
		buf_addc(&b, *p++);
	}
	free(s);
	return (buf_steal(&b));
}

/*
 * Base64 (RFC 4648, white space ignored) as a new string, cleaned as
 * text_clean does; NULL if s is not base64 or does not decode to text
 * (NUL, C0 controls or invalid UTF-8: binary we would not show).
 */
char *
text_base64_decode(const char *s)
{
	static const char	 digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*d;
	struct buf		 b;
	unsigned int		 acc = 0;
	int			 bits = 0, pad = 0;
	char			*t;

	buf_init(&b);
	for (; *s != '\0'; s++) {
		if (isspace((unsigned char)*s))
			continue;
		if (*s == '=' && bits > 0) {
			pad++;
			continue;
		}
		if (pad > 0 || (d = strchr(digits, *s)) == NULL)
			goto bad;
		acc = (acc << 6) | (unsigned int)(d - digits);
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (((acc >> bits) & 0xff) == 0)
				goto bad;
			buf_addc(&b, (char)((acc >> bits) & 0xff));
		}
	}
	if (b.len == 0)
		goto bad;
	t = text_clean(b.data);
	if (strcmp(t, b.data) != 0) {
		free(t);
		goto bad;
	}
	buf_free(&b);
	return (t);
bad:
	buf_free(&b);
	return (NULL);
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
text_unescape_twice(char *s)
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
		if (*p == '&' && (n = text_decode_ref(p, &b)) > 0)
			p += n;
		else
			buf_addc(&b, *p++);
	}
	free(s);
	return (buf_steal(&b));
}

/*
 * What text_escape writes for each byte, per language (NULL: the byte
 * itself).  Feed text is valid UTF-8 without C0 controls other than tab,
 * CR and LF (text_clean_chunk), so nothing else needs care.  XML keeps a
 * CR as a reference (a parser would turn it into LF), and in attribute
 * values also tab and LF, which it would normalise to spaces.
 */
static const char *const text_xml[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['\r'] = "&#13;",
};
static const char *const text_xml_attr[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
	['\r'] = "&#13;", ['\n'] = "&#10;", ['\t'] = "&#9;",
};
static const char *const text_html[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;",
};
static const char *const text_html_attr[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
	['\''] = "&#39;",
};
static const char *const *const text_langs[] = {
	[TEXT_XML] = text_xml,
	[TEXT_XML_ATTR] = text_xml_attr,
	[TEXT_HTML] = text_html,
	[TEXT_HTML_ATTR] = text_html_attr,
};

/* Append len bytes of plain text to b, escaped for lang. */
void
text_escape(struct buf *b, const char *s, size_t len, enum text_lang lang)
{
	const char *const	*table = text_langs[lang];
	const char		*rep;
	size_t			 i, start;

	for (i = start = 0; i < len; i++) {
		if ((rep = table[(unsigned char)s[i]]) == NULL)
			continue;
		buf_add(b, s + start, i - start);
		buf_addstr(b, rep);
		start = i + 1;
	}
	buf_add(b, s + start, len - start);
}

/* Plain text as HTML text, in a new string. */
char *
text_escape_html(const char *s)
{
	struct buf	b;

	buf_init(&b);
	text_escape(&b, s, strlen(s), TEXT_HTML);
	return (buf_steal(&b));
}

/* Bytes that JSON strings must escape. */
static const unsigned char text_json_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1, ['<'] = 1,
};

/*
 * A JSON string, escaped by hand: jansson's per-character escaping and
 * UTF-8 checks are slow, and our strings are valid UTF-8 already.  '<' is
 * escaped too, so that no served JSON holds a tag a browser might sniff.
 */
void
text_json_string(struct buf *b, const char *s)
{
	const char	*start, *end;
	char		 esc[8];
	uint64_t	 x;

	if (s == NULL) {
		buf_addstr(b, "null");
		return;
	}
	buf_addc(b, '"');
	end = s + strlen(s);
	for (start = s; s < end; s++) {
		/* Skip eight plain bytes at a time. */
		while (end - s >= 8 && (x = swar_load(s), SWAR_LESS(x, 0x20) ==
		    0 && SWAR_HAS(x, '"') == 0 && SWAR_HAS(x, '\\') == 0 &&
		    SWAR_HAS(x, '<') == 0))
			s += 8;
		if (s == end)
			break;
		if (!text_json_escape[(unsigned char)*s])
			continue;
		buf_add(b, start, s - start);
		switch (*s) {
		case '"':
			buf_addstr(b, "\\\"");
			break;
		case '\\':
			buf_addstr(b, "\\\\");
			break;
		case '\n':
			buf_addstr(b, "\\n");
			break;
		case '\r':
			buf_addstr(b, "\\r");
			break;
		case '\t':
			buf_addstr(b, "\\t");
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x",
			    (unsigned char)*s);
			buf_addstr(b, esc);
		}
		start = s + 1;
	}
	buf_add(b, start, s - start);
	buf_addc(b, '"');
}

/* A JSON array of strings. */
void
text_json_strings(struct buf *b, char **v, size_t n)
{
	size_t	i;

	buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		text_json_string(b, v[i]);
	}
	buf_addc(b, ']');
}
