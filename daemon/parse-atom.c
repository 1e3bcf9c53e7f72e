/*
 * parse-atom.c: what Atom 1.0 (RFC 4287) elements mean.  Links and
 * categories live in attributes; text constructs carry a type that decides
 * whether their text is HTML, plain text or inline XHTML markup.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "feedmux.h"
#include "parse.h"

static void	atom_link(struct parser *);
static void	atom_text_construct(struct parser *, enum field, enum field);

/* <link rel="alternate" href=...>: rel defaults to alternate. */
static void
atom_link(struct parser *p)
{
	char	*rel, *href;

	rel = parser_attr(p, "rel");
	href = parser_attr(p, "href");
	if (href != NULL && (rel == NULL || strcmp(rel, "alternate") == 0)) {
		parser_set_field(p, FIELD_LINK, href);
		href = NULL;
	}
	free(rel);
	free(href);
}

/* type="text" (the default) is escaped, "html" kept, "xhtml" serialised. */
static void
atom_text_construct(struct parser *p, enum field html, enum field text)
{
	char	*type;

	type = parser_attr(p, "type");
	if (type != NULL && strcmp(type, "xhtml") == 0)
		parser_xhtml_begin(p, html);
	else if (type != NULL && (strcmp(type, "html") == 0 ||
	    strcmp(type, "text/html") == 0))
		parser_text_begin(p, html);
	else
		parser_text_begin(p, text);
	free(type);
}

void
parse_atom_start(struct parser *p, const char *name, const char *ns)
{
	char	*term;
	int	 level;

	if (strcmp(ns, NS_ATOM) != 0)
		return;
	if (p->item == NULL && p->depth == 2 && strcmp(name, "entry") == 0) {
		parser_item_begin(p);
		return;
	}
	level = p->item != NULL ? p->item_depth + 1 : 2;
	if (p->in_author && p->depth == level + 1 &&
	    strcmp(name, "name") == 0) {
		if (p->item != NULL)
			parser_text_begin(p, FIELD_AUTHOR);
		return;
	}
	if (p->depth != level)
		return;
	if (strcmp(name, "title") == 0)
		parser_text_begin(p, FIELD_TITLE);
	else if (strcmp(name, "id") == 0)
		parser_text_begin(p, FIELD_ID);
	else if (strcmp(name, "link") == 0)
		atom_link(p);
	else if (strcmp(name, "updated") == 0)
		parser_text_begin(p, FIELD_UPDATED);
	else if (strcmp(name, "published") == 0)
		parser_text_begin(p, FIELD_PUBLISHED);
	else if (strcmp(name, "author") == 0)
		p->in_author = 1;
	else if (p->item == NULL)
		return;
	else if (strcmp(name, "summary") == 0)
		atom_text_construct(p, FIELD_SUMMARY, FIELD_SUMMARY_TEXT);
	else if (strcmp(name, "content") == 0)
		atom_text_construct(p, FIELD_CONTENT, FIELD_CONTENT_TEXT);
	else if (strcmp(name, "category") == 0) {
		if ((term = parser_attr(p, "term")) != NULL) {
			parser_set_field(p, FIELD_CATEGORY, term);
		}
	}
}

void
parse_atom_end(struct parser *p, const char *name, const char *ns)
{
	if (p->in_author && strcmp(name, "author") == 0 &&
	    strcmp(ns, NS_ATOM) == 0)
		p->in_author = 0;
}
