/*
 * parse-module.c: elements of the modules that RSS and Atom entries alike
 * carry: Dublin Core, content:encoded, Media RSS, iTunes, and Atom's own
 * link element, which RSS borrows as atom:link.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "parse-internal.h"
#include "xmalloc.h"

/*
 * The link is the first alternate of an HTML type (or of none); one of
 * another type (a PDF, another feed) stands only until such a one comes.
 */
static void
module_alternate(struct parser *p, const char *href)
{
	char	**link, *type;
	int	  bit = p->item != NULL ? 1 : 2, html;

	link = p->item != NULL ? &p->item->link : &p->doc->link;
	type = parser_attr(p, "type");
	html = type == NULL || strcmp(type, "text/html") == 0 ||
	    strcmp(type, "application/xhtml+xml") == 0;
	free(type);
	if (*link != NULL && html && (p->weak_link & bit)) {
		free(*link);
		*link = NULL;
	}
	if (*link == NULL)
		p->weak_link = html ? p->weak_link & ~bit : p->weak_link | bit;
	parser_set_field(p, FIELD_LINK, KIND_PLAIN, xstrdup(href));
}

/*
 * An Atom link, or atom:link inside RSS: alternate (no rel means that,
 * RFC 4287 4.2.7.2), enclosure.  A link without an href is none.
 */
void
parse_module_link(struct parser *p)
{
	char	*rel, *href, *type, *length;

	if ((href = parser_attr(p, "href")) == NULL || *href == '\0') {
		free(href);
		return;
	}
	rel = parser_attr(p, "rel");
	if (rel == NULL || strcmp(rel, "alternate") == 0)
		module_alternate(p, href);
	else if (strcmp(rel, "enclosure") == 0) {
		type = parser_attr(p, "type");
		length = parser_attr(p, "length");
		parser_add_enclosure(p, href, type, length);
		free(type);
		free(length);
	}
	free(rel);
	free(href);
}

/* media:title and media:description say plain or html in their type. */
static enum text_kind
module_media_kind(struct parser *p)
{
	char		*type;
	enum text_kind	 kind = KIND_PLAIN;

	if ((type = parser_attr(p, "type")) != NULL &&
	    strcmp(type, "html") == 0)
		kind = KIND_HTML;
	free(type);
	return (kind);
}

/*
 * Fields that stand in for a missing core element (parse-field.c keeps
 * them aside until the entry ends).  Returns 1 if el was one.
 */
static int
module_fallback(struct parser *p, enum ns ns, enum el el)
{
	switch (el) {
	case EL_DC_TITLE:
		parser_text_begin(p, FIELD_TITLE_ALT, KIND_HTML);
		return (1);
	case EL_DC_DESCRIPTION:
		parser_text_begin(p, FIELD_SUMMARY_ALT, KIND_HTML);
		return (1);
	case EL_ITUNES_SUMMARY:
		parser_text_begin(p, FIELD_SUMMARY_ALT, KIND_PLAIN);
		return (1);
	case EL_DC_AUTHOR:
	case EL_ITUNES_AUTHOR:
		parser_text_begin(p, FIELD_AUTHOR_ITUNES, KIND_PLAIN);
		return (1);
	default:
		break;
	}
	if (ns != NS_MEDIA)
		return (0);
	switch (el) {
	case EL_TITLE:
		parser_text_begin(p, FIELD_TITLE_ALT, module_media_kind(p));
		return (1);
	case EL_DESCRIPTION:
		parser_text_begin(p, FIELD_SUMMARY_ALT, module_media_kind(p));
		return (1);
	case EL_CATEGORY:
		parser_text_begin(p, FIELD_CATEGORY, KIND_PLAIN);
		return (1);
	default:
		return (0);
	}
}

/*
 * Module elements of an entry (in RSS or Atom).  Returns 1 if el was one.
 */
int
parse_module_item(struct parser *p, enum ns ns, enum el el)
{
	char	*url, *text;

	switch (el) {
	case EL_DC_CREATOR:
		parser_text_begin(p, FIELD_AUTHOR, KIND_PLAIN);
		return (1);
	case EL_DC_DATE:
		parser_text_begin(p, FIELD_PUBLISHED, KIND_PLAIN);
		return (1);
	case EL_DC_MODIFIED:
		parser_text_begin(p, FIELD_UPDATED, KIND_PLAIN);
		return (1);
	case EL_DC_SUBJECT:
		parser_text_begin(p, FIELD_CATEGORY, KIND_PLAIN);
		return (1);
	case EL_ENCODED:
		parser_text_begin(p, FIELD_CONTENT, KIND_HTML);
		return (1);
	case EL_DURATION:
		parser_text_begin(p, FIELD_DURATION, KIND_PLAIN);
		return (1);
	case EL_ITUNES_CATEGORY:
		/* <itunes:category text="Society &amp; Culture"/> */
		if ((text = parser_attr(p, "text")) != NULL)
			parser_set_field(p, FIELD_CATEGORY, KIND_PLAIN, text);
		return (1);
	case EL_CONTENT:
		if (ns != NS_MEDIA)
			return (0);
		parser_add_enclosure_attrs(p, "fileSize");
		return (1);
	case EL_THUMBNAIL:
		if (p->item->image == NULL &&
		    (url = parser_attr(p, "url")) != NULL) {
			p->item->image = parser_resolve(p, url);
			free(url);
		}
		return (1);
	default:
		return (module_fallback(p, ns, el));
	}
}
