/*
 * parse-rss.c: what RSS elements mean: RSS 0.90 and 1.0 (RDF, items beside
 * the channel), 0.91-0.94 and 2.0 (items inside it), and the modules feeds
 * commonly carry (Dublin Core, content, Media RSS, iTunes, syndication,
 * atom:link).  The module handlers serve Atom entries too.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "feedmux.h"
#include "parse.h"

static int
rss_ns(enum ns ns)
{
	return (ns == NS_NONE || ns == NS_RSS10 || ns == NS_RSS090);
}

/* atom:link inside RSS, or any Atom link: alternate, enclosure. */
void
parse_link_attrs(struct parser *p)
{
	char	*rel, *href, *type, *length;

	if ((href = parser_attr(p, "href")) == NULL)
		return;
	rel = parser_attr(p, "rel");
	if (rel == NULL || strcmp(rel, "alternate") == 0)
		parser_set_field(p, FIELD_LINK, TEXT_PLAIN, xstrdup(href));
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

/* <enclosure url= type= length=> and <media:content url= type= fileSize=>. */
static void
rss_enclosure(struct parser *p, const char *lenattr)
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
 * Module elements of an entry (in RSS or Atom).  Returns 1 if el was one.
 */
int
parse_module_item(struct parser *p, enum ns ns, enum el el)
{
	char	*url;

	switch (el) {
	case EL_DC_CREATOR:
		parser_text_begin(p, FIELD_AUTHOR, TEXT_PLAIN);
		return (1);
	case EL_DC_DATE:
		parser_text_begin(p, FIELD_PUBLISHED, TEXT_PLAIN);
		return (1);
	case EL_DC_MODIFIED:
		parser_text_begin(p, FIELD_UPDATED, TEXT_PLAIN);
		return (1);
	case EL_DC_SUBJECT:
		parser_text_begin(p, FIELD_CATEGORY, TEXT_PLAIN);
		return (1);
	case EL_ENCODED:
		parser_text_begin(p, FIELD_CONTENT, TEXT_HTML);
		return (1);
	case EL_ITUNES_AUTHOR:
		parser_text_begin(p, FIELD_AUTHOR_ITUNES, TEXT_PLAIN);
		return (1);
	case EL_DURATION:
		parser_text_begin(p, FIELD_DURATION, TEXT_PLAIN);
		return (1);
	case EL_CONTENT:
		if (ns != NS_MEDIA)
			return (0);
		rss_enclosure(p, "fileSize");
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

static void
rss_item_child(struct parser *p, enum ns ns, enum el el)
{
	char	*permalink;

	if (parse_module_item(p, ns, el))
		return;
	if (ns == NS_ATOM10) {
		if (el == EL_LINK)
			parse_link_attrs(p);
		else if (el == EL_UPDATED)
			parser_text_begin(p, FIELD_UPDATED, TEXT_PLAIN);
		else if (el == EL_PUBLISHED)
			parser_text_begin(p, FIELD_PUBLISHED, TEXT_PLAIN);
		return;
	}
	if (!rss_ns(ns))
		return;
	switch (el) {
	case EL_TITLE:
		/* De facto HTML: entities, sometimes markup. */
		parser_text_begin(p, FIELD_TITLE, TEXT_HTML);
		break;
	case EL_LINK:
		parser_text_begin(p, FIELD_LINK, TEXT_PLAIN);
		break;
	case EL_DESCRIPTION:
		parser_text_begin(p, FIELD_SUMMARY, TEXT_HTML);
		break;
	case EL_GUID:
		permalink = parser_attr(p, "isPermaLink");
		p->guid_permalink = permalink == NULL ||
		    strcmp(permalink, "false") != 0;
		free(permalink);
		parser_text_begin(p, FIELD_GUID, TEXT_PLAIN);
		break;
	case EL_PUBDATE:
		parser_text_begin(p, FIELD_PUBLISHED, TEXT_PLAIN);
		break;
	case EL_AUTHOR:
		parser_text_begin(p, FIELD_AUTHOR_RSS, TEXT_PLAIN);
		break;
	case EL_CATEGORY:
		parser_text_begin(p, FIELD_CATEGORY, TEXT_PLAIN);
		break;
	case EL_ENCLOSURE:
		rss_enclosure(p, "length");
		break;
	default:
		break;
	}
}

static void
rss_channel_child(struct parser *p, enum ns ns, enum el el)
{
	switch (el) {
	case EL_TITLE:
		if (rss_ns(ns))
			parser_text_begin(p, FIELD_TITLE, TEXT_HTML);
		break;
	case EL_LINK:
		if (rss_ns(ns))
			parser_text_begin(p, FIELD_LINK, TEXT_PLAIN);
		else if (ns == NS_ATOM10)
			parse_link_attrs(p);
		break;
	case EL_PUBDATE:
		parser_text_begin(p, FIELD_PUBLISHED, TEXT_PLAIN);
		break;
	case EL_LASTBUILDDATE:
	case EL_DC_DATE:
	case EL_DC_MODIFIED:
		parser_text_begin(p, FIELD_UPDATED, TEXT_PLAIN);
		break;
	case EL_TTL:
		parser_text_begin(p, FIELD_TTL, TEXT_PLAIN);
		break;
	case EL_UPDATEPERIOD:
		parser_text_begin(p, FIELD_UPDATE_PERIOD, TEXT_PLAIN);
		break;
	case EL_UPDATEFREQUENCY:
		parser_text_begin(p, FIELD_UPDATE_FREQUENCY, TEXT_PLAIN);
		break;
	default:
		break;
	}
}

void
parse_rss_start(struct parser *p, enum ns ns, enum el el)
{
	enum el	parent = parser_parent(p);

	if (p->depth == 1)
		return;
	if (p->item != NULL) {
		if (p->depth == p->item_depth + 1)
			rss_item_child(p, ns, el);
		else if (parent == EL_GROUP && ns == NS_MEDIA)
			parse_module_item(p, ns, el);
		return;
	}
	/* RSS 0.90 is RDF like 1.0, in its own namespace. */
	if (el == EL_CHANNEL && ns == NS_RSS090 &&
	    p->doc->format == FORMAT_RSS10)
		p->doc->format = FORMAT_RSS09X;
	if (el == EL_ITEM && rss_ns(ns) &&
	    (parent == EL_CHANNEL || parent == EL_RDF)) {
		parser_item_begin(p);
		return;
	}
	if (parent == EL_CHANNEL)
		rss_channel_child(p, ns, el);
	else if (parent == EL_SKIPHOURS && el == EL_HOUR)
		parser_text_begin(p, FIELD_HOUR, TEXT_PLAIN);
	else if (parent == EL_SKIPDAYS && el == EL_DAY)
		parser_text_begin(p, FIELD_DAY, TEXT_PLAIN);
}
