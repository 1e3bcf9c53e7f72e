/*
 * parse-entity.c: entity references, rewritten before libxml2 sees them.
 *
 * libxml2 is never asked to expand an entity.  Instead the driver's byte
 * pass (parse.c) hands each complete reference here and gets back text
 * libxml2 cannot get wrong: character references.  This is needed because
 * libxml2 in recover mode drops every named reference, even &amp;, once
 * the document has had an error, and puts only the first byte of a
 * multi-byte entity into an attribute value.  So:
 *
 *   &amp; &lt; &gt; &quot; &apos;     -> &#38; &#60; &#62; &#34; &#39;
 *   &#X41;                             -> &#x41; (libxml2 wants a small x)
 *   an HTML entity (&eacute;)          -> &#233;
 *   an internal entity of the DTD      -> its text, expanded in turn
 *   an external entity of the DTD      -> nothing (never loaded)
 *   anything else (&foo;)              -> &#38;foo; (kept as written)
 *
 * Internal general entities (<!ENTITY brand "Feedmux &amp; Co">) come
 * from the document's internal DTD subset, read here as it passes.  Their
 * text is inserted as character data only: markup characters in it are
 * written as references, so an entity can neither make elements nor end
 * an attribute value.  Nesting depth and the total expanded size of a
 * document are limited, so an entity bomb (billion laughs) is refused
 * after at most PARSE_MAX_ENTITY_BYTES of work.  Parameter entities and
 * external ones (SYSTEM, PUBLIC) are never read or fetched.
 *
 * The bytes are in the document's encoding, which is ASCII-compatible
 * here (UTF-16 documents bypass this pass); entity text is copied as is,
 * so it stays in that encoding.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/entities.h>

#include "parse-internal.h"
#include "text.h"
#include "util.h"
#include "xmalloc.h"

#define ENTITY_NAME_MAX	40	/* as parse.c's parser_is_ref */

static int	entity_name(struct parser *, const char *, struct buf *, int);

static int
entity_is_space(char c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

static int
entity_is_name_char(char c)
{
	return (isalnum((unsigned char)c) || c == '.' || c == '_' ||
	    c == '-' || c == ':');
}

/* A parse error of ours, reported like libxml2's (first one kept). */
static void
entity_error(struct parser *p, const char *what, const char *name)
{
	p->nerrors++;
	if (p->error[0] == '\0')
		snprintf(p->error, sizeof(p->error), "entity '%s' %s", name,
		    what);
}

static struct parse_entity *
entity_find(struct parser *p, const char *name)
{
	int	i;

	for (i = 0; i < p->nentities; i++) {
		if (strcmp(p->entities[i].name, name) == 0)
			return (&p->entities[i]);
	}
	return (NULL);
}

/* The length of the complete reference at s ("&...;"), or 0. */
static size_t
entity_ref_len(const char *s, size_t n)
{
	size_t	i = 1;

	if (n > 1 && s[1] == '#') {
		i = 2;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			for (i++; i < n && isxdigit((unsigned char)s[i]); i++)
				;
			if (i == 3)
				return (0);
		} else {
			for (; i < n && isdigit((unsigned char)s[i]); i++)
				;
			if (i == 2)
				return (0);
		}
	} else {
		for (; i < n && i <= ENTITY_NAME_MAX &&
		    entity_is_name_char(s[i]); i++)
			;
		if (i == 1 || i > ENTITY_NAME_MAX)
			return (0);
	}
	return (i < n && s[i] == ';' ? i + 1 : 0);
}

/* A character reference, with the 'X' libxml2 does not know lowered. */
static void
entity_charref(const char *s, size_t len, struct buf *out)
{
	if (s[2] == 'X') {
		buf_addstr(out, "&#x");
		buf_add(out, s + 3, len - 3);
	} else
		buf_add(out, s, len);
}

/* An HTML entity as a character reference; 0 if name is none. */
static int
entity_html(const char *name, struct buf *out)
{
	xmlEntity		*e;
	const unsigned char	*u;
	unsigned int		 cp;
	char			 ref[16];

	if ((e = text_html_entity(name)) == NULL)
		return (0);
	/* The entity's text is one character in UTF-8. */
	u = e->content;
	if (u[0] < 0x80)
		cp = u[0];
	else if (u[0] < 0xe0)
		cp = (u[0] & 0x1f) << 6 | (u[1] & 0x3f);
	else if (u[0] < 0xf0)
		cp = (u[0] & 0x0f) << 12 | (u[1] & 0x3f) << 6 | (u[2] & 0x3f);
	else
		cp = (u[0] & 0x07) << 18 | (u[1] & 0x3f) << 12 |
		    (u[2] & 0x3f) << 6 | (u[3] & 0x3f);
	snprintf(ref, sizeof(ref), "&#%u;", cp);
	buf_addstr(out, ref);
	return (1);
}

/*
 * An internal entity's text, as character data, its own references
 * rewritten in turn.  -1 when the document's expansion budget is spent.
 */
static int
entity_value(struct parser *p, const char *v, struct buf *out, int depth)
{
	const char	*end = v + strlen(v);
	size_t		 len;
	char		 name[ENTITY_NAME_MAX + 1];

	for (; v < end; v++) {
		if (*v == '&' && (len = entity_ref_len(v, end - v)) > 0) {
			if (v[1] == '#')
				entity_charref(v, len, out);
			else {
				memcpy(name, v + 1, len - 2);
				name[len - 2] = '\0';
				if (entity_name(p, name, out, depth) == -1)
					return (-1);
			}
			v += len - 1;
		} else if (*v == '&')
			buf_addstr(out, "&#38;");
		else if (*v == '<')
			buf_addstr(out, "&#60;");
		else if (*v == '>')
			buf_addstr(out, "&#62;");
		else if (*v == '"')
			buf_addstr(out, "&#34;");
		else if (*v == '\'')
			buf_addstr(out, "&#39;");
		else
			buf_addc(out, *v);
		if (p->entity_bytes + (out->len - p->entity_mark) >
		    PARSE_MAX_ENTITY_BYTES)
			return (-1);
	}
	return (0);
}

/* What the reference &name; stands for.  -1 when a limit is reached. */
static int
entity_name(struct parser *p, const char *name, struct buf *out, int depth)
{
	static const char	*predefined[][2] = { { "amp", "&#38;" },
	    { "lt", "&#60;" }, { "gt", "&#62;" }, { "quot", "&#34;" },
	    { "apos", "&#39;" } };
	struct parse_entity	*e;
	size_t			 i;

	for (i = 0; i < NELEM(predefined); i++) {
		if (strcmp(name, predefined[i][0]) == 0) {
			buf_addstr(out, predefined[i][1]);
			return (0);
		}
	}
	if ((e = entity_find(p, name)) != NULL) {
		if (e->value == NULL)
			return (0);	/* external: never loaded */
		if (depth >= PARSE_MAX_ENTITY_DEPTH)
			return (-1);
		return (entity_value(p, e->value, out, depth + 1));
	}
	if (entity_html(name, out))
		return (0);
	buf_addstr(out, "&#38;");
	buf_addstr(out, name);
	buf_addc(out, ';');
	return (0);
}

/*
 * The complete reference at s (n bytes available; parse.c has checked
 * that it ends in ';'), rewritten into out.  Returns its length.
 */
size_t
parse_entity_ref(struct parser *p, const char *s, size_t n, struct buf *out)
{
	struct parse_entity	*e;
	char			 name[ENTITY_NAME_MAX + 1];
	size_t			 len;

	if ((len = entity_ref_len(s, n)) == 0) {
		/* Not a reference after all: the '&' is text. */
		buf_addstr(out, "&#38;");
		return (1);
	}
	if (s[1] == '#') {
		entity_charref(s, len, out);
		return (len);
	}
	memcpy(name, s + 1, len - 2);
	name[len - 2] = '\0';
	p->entity_mark = out->len;
	if (entity_name(p, name, out, 0) == -1) {
		/* Too deep or too big: none of it. */
		out->len = p->entity_mark;
		p->entity_bytes = PARSE_MAX_ENTITY_BYTES + 1;
		entity_error(p, "not expanded: over the nesting or size "
		    "limit", name);
	} else if ((e = entity_find(p, name)) != NULL) {
		p->entity_bytes += out->len - p->entity_mark;
		if (e->value == NULL)
			entity_error(p, "is external: not loaded", name);
	}
	return (len);
}

/*
 * Past a quoted literal or a comment at s, or at s itself if there is
 * none there; NULL if it does not end before e.
 */
static const char *
entity_skip(const char *s, const char *e)
{
	const char	*q;

	if (*s == '"' || *s == '\'') {
		if ((q = memchr(s + 1, *s, e - s - 1)) == NULL)
			return (NULL);
		return (q + 1);
	}
	if (e - s >= 4 && memcmp(s, "<!--", 4) == 0) {
		if ((q = memmem(s + 4, e - s - 4, "-->", 3)) == NULL)
			return (NULL);
		return (q + 3);
	}
	return (s);
}

/* <!ENTITY name "value"> at s (before e): remember it. */
static void
entity_decl(struct parser *p, const char *s, const char *e)
{
	const char	*name, *q;
	size_t		 namelen;
	char		*v;

	for (s += 8; s < e && entity_is_space(*s); s++)
		;
	if (s >= e || *s == '%')
		return;		/* a parameter entity: never used */
	for (name = s; s < e && entity_is_name_char(*s); s++)
		;
	namelen = s - name;
	if (namelen == 0 || namelen > ENTITY_NAME_MAX || s >= e ||
	    !entity_is_space(*s))
		return;
	for (; s < e && entity_is_space(*s); s++)
		;
	if (p->nentities >= PARSE_MAX_ENTITIES)
		return;
	v = NULL;
	if (s < e && (*s == '"' || *s == '\'')) {
		if ((q = memchr(s + 1, *s, e - s - 1)) == NULL)
			return;
		v = xstrndup(s + 1, q - s - 1);
	}
	p->entities = xreallocarray(p->entities, p->nentities + 1,
	    sizeof(*p->entities));
	p->entities[p->nentities].name = xstrndup(name, namelen);
	p->entities[p->nentities].value = v;
	/* The first declaration binds (XML 1.0 section 4.2). */
	if (entity_find(p, p->entities[p->nentities].name) != NULL) {
		free(p->entities[p->nentities].name);
		free(v);
		return;
	}
	p->nentities++;
}

/*
 * The DOCTYPE declaration at s ("<!DOCTYPE", n bytes available): its
 * length, once its end is in sight, with its entities remembered; 0 if
 * it does not end within the n bytes.
 */
size_t
parse_entity_doctype(struct parser *p, const char *s, size_t n)
{
	const char	*c = s + 9, *e = s + n, *next, *subset = NULL;

	while (c < e) {
		if ((next = entity_skip(c, e)) == NULL)
			return (0);
		if (next != c) {
			c = next;
			continue;
		}
		if (*c == '[' && subset == NULL)
			subset = c;
		else if (*c == ']')
			subset = NULL;
		else if (subset != NULL && e - c >= 8 &&
		    memcmp(c, "<!ENTITY", 8) == 0 &&
		    memchr(c, '>', e - c) != NULL)
			entity_decl(p, c, e);
		else if (*c == '>' && subset == NULL)
			return (c + 1 - s);
		c++;
	}
	/* Declarations seen on an earlier try are seen again. */
	parse_entity_free(p);
	return (0);
}

void
parse_entity_free(struct parser *p)
{
	while (p->nentities > 0) {
		p->nentities--;
		free(p->entities[p->nentities].name);
		free(p->entities[p->nentities].value);
	}
	free(p->entities);
	p->entities = NULL;
}
