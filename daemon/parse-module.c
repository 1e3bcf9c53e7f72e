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

/* An Atom link, or atom:link inside RSS: alternate, enclosure. */
void
parse_module_link(struct parser *p)
{
	char	*rel, *href, *type, *length;

	if ((href = parser_attr(p, "href")) == NULL)
		return;
	rel = parser_attr(p, "rel");
	if (rel == NULL || strcmp(rel, "alternate") == 0)
		parser_set_field(p, FIELD_LINK, KIND_PLAIN, xstrdup(href));
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
	case EL_ITUNES_AUTHOR:
		parser_text_begin(p, FIELD_AUTHOR_ITUNES, KIND_PLAIN);
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
		return (0);
	}
}
