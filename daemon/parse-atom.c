/*
 * parse-atom.c: what Atom 1.0 (RFC 4287) and Atom 0.3 elements mean.
 * Links and categories live in attributes; text constructs carry a type
 * (and in 0.3 a mode) that says whether their text is plain, HTML or
 * inline XHTML.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "parse-internal.h"

/* How to read a text construct, from its type (and 0.3 mode). */
static enum text_kind
atom_kind(struct parser *p, enum ns ns)
{
	char		*type, *mode, *src;
	enum text_kind	 kind = KIND_PLAIN;

	if ((src = parser_attr(p, "src")) != NULL) {
		free(src);
		return (KIND_SKIP);	/* content elsewhere */
	}
	type = parser_attr(p, "type");
	mode = ns == NS_ATOM03 ? parser_attr(p, "mode") : NULL;
	if (type == NULL || strcmp(type, "text") == 0 ||
	    strcmp(type, "text/plain") == 0)
		kind = KIND_PLAIN;
	else if (strcmp(type, "html") == 0 || strcmp(type, "text/html") == 0)
		kind = KIND_HTML;
	else if (strcmp(type, "xhtml") == 0 ||
	    strcmp(type, "application/xhtml+xml") == 0)
		kind = KIND_XHTML;
	else
		kind = KIND_SKIP;	/* a media type we do not show */
	if (mode != NULL) {
		if (strcmp(mode, "base64") == 0)
			kind = KIND_SKIP;
		else if (strcmp(mode, "escaped") == 0 && kind == KIND_XHTML)
			kind = KIND_HTML;
		else if (strcmp(mode, "xml") == 0 && kind == KIND_HTML)
			kind = KIND_XHTML;
	}
	/*
	 * Without a mode, 0.3 means inline XML, but feeds that leave it out
	 * nearly always hold escaped HTML: read that.
	 */
	free(type);
	free(mode);
	return (kind);
}

static void
atom_category(struct parser *p)
{
	char	*term;

	if ((term = parser_attr(p, "term")) != NULL)
		parser_set_field(p, FIELD_CATEGORY, KIND_PLAIN, term);
}

void
parse_atom_start(struct parser *p, enum ns ns, enum el el)
{
	enum el	parent = parser_parent(p);
	int	level;

	if (p->depth == 1)
		return;
	if (p->item == NULL && p->depth == 2 && el == EL_ENTRY) {
		parser_item_begin(p);
		return;
	}
	level = p->item != NULL ? p->item_depth + 1 : 2;
	if (p->item != NULL && p->depth == level &&
	    parse_module_item(p, ns, el))
		return;
	if (p->item != NULL && parent == EL_GROUP && ns == NS_MEDIA) {
		parse_module_item(p, ns, el);
		return;
	}
	if (ns != NS_ATOM10 && ns != NS_ATOM03)
		return;
	if (el == EL_NAME && parent == EL_AUTHOR && p->depth == level + 1) {
		parser_text_begin(p, FIELD_AUTHOR, KIND_PLAIN);
		return;
	}
	if (p->depth != level)
		return;
	switch (el) {
	case EL_TITLE:
		parser_text_begin(p, FIELD_TITLE, atom_kind(p, ns));
		break;
	case EL_ID:
		parser_text_begin(p, FIELD_ID, KIND_PLAIN);
		break;
	case EL_LINK:
		parse_module_link(p);
		break;
	case EL_UPDATED:
	case EL_MODIFIED:
		parser_text_begin(p, FIELD_UPDATED, KIND_PLAIN);
		break;
	case EL_PUBLISHED:
	case EL_ISSUED:
	case EL_CREATED:
		parser_text_begin(p, FIELD_PUBLISHED, KIND_PLAIN);
		break;
	case EL_CATEGORY:
		atom_category(p);
		break;
	case EL_SUMMARY:
		if (p->item != NULL)
			parser_text_begin(p, FIELD_SUMMARY, atom_kind(p, ns));
		break;
	case EL_CONTENT:
		if (p->item != NULL)
			parser_text_begin(p, FIELD_CONTENT, atom_kind(p, ns));
		break;
	default:
		break;
	}
}
