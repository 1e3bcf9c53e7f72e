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

/* A media type whose content Atom carries as base64 (RFC 4287 4.1.3.3). */
static int
atom_is_binary(const char *type)
{
	size_t	n = strlen(type);

	if (strncmp(type, "text/", 5) == 0 || strchr(type, '/') == NULL)
		return (0);
	return (!(n >= 4 && (strcmp(type + n - 4, "+xml") == 0 ||
	    strcmp(type + n - 4, "/xml") == 0)));
}

/*
 * How to read a text construct, from its type (and 0.3 mode); *base64 is
 * set if its text is base64 (0.3 mode="base64", or content of a media
 * type that is neither text nor XML, RFC 4287 4.1.3.3).
 */
static enum text_kind
atom_kind(struct parser *p, enum ns ns, int *base64)
{
	char		*type, *mode, *src;
	enum text_kind	 kind = KIND_PLAIN;

	*base64 = 0;
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
		kind = KIND_HTML_EXACT;
	else if (strcmp(type, "xhtml") == 0 ||
	    strcmp(type, "application/xhtml+xml") == 0)
		kind = KIND_XHTML;
	else if (ns == NS_ATOM10 && atom_is_binary(type)) {
		kind = KIND_PLAIN;	/* shown only if it decodes to text */
		*base64 = 1;
	} else
		kind = KIND_SKIP;	/* a media type we do not show */
	if (mode != NULL) {
		if (strcmp(mode, "base64") == 0) {
			*base64 = 1;
			if (kind == KIND_XHTML)
				kind = KIND_HTML_EXACT;
		} else if (strcmp(mode, "escaped") == 0 && kind == KIND_XHTML)
			kind = KIND_HTML_EXACT;
		else if (strcmp(mode, "xml") == 0 && kind == KIND_HTML_EXACT)
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

/*
 * Start reading a text construct.  An html one is HTML as it stands:
 * "&lt;p&gt;" in it is the text "<p>", never a tag to unescape.
 */
static void
atom_text_begin(struct parser *p, enum field field, enum ns ns)
{
	enum text_kind	kind;
	int		base64;

	kind = atom_kind(p, ns, &base64);
	parser_text_begin(p, field, kind);
	p->base64 = base64;
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
	/* RFC 4287 4.2.1: the authors of the entry's source come first. */
	if (el == EL_NAME && parent == EL_AUTHOR && p->item != NULL &&
	    p->depth == level + 2 && p->stack[p->depth - 2] == EL_SOURCE) {
		parser_text_begin(p, FIELD_AUTHOR_ALT, KIND_PLAIN);
		return;
	}
	if (p->depth != level)
		return;
	switch (el) {
	case EL_TITLE:
		atom_text_begin(p, FIELD_TITLE, ns);
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
			atom_text_begin(p, FIELD_SUMMARY, ns);
		break;
	case EL_CONTENT:
		if (p->item != NULL)
			atom_text_begin(p, FIELD_CONTENT, ns);
		break;
	default:
		break;
	}
}
