/*
 * parse-rss.c: what RSS elements mean: RSS 0.90 and 1.0 (RDF, items beside
 * the channel), 0.91-0.94 and 2.0 (items inside it), and the channel's
 * polling hints (ttl, skipHours, skipDays, syndication).  The modules an
 * item carries are read by parse-module.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "parse-internal.h"

static int
rss_ns(enum ns ns)
{
	return (ns == NS_NONE || ns == NS_RSS10 || ns == NS_RSS090);
}

/* An RSS 1.0 item names itself in rdf:about: that is its id. */
static void
rss_item_begin(struct parser *p, enum el parent)
{
	char	*about;

	parser_item_begin(p);
	if (p->item == NULL || parent != EL_RDF ||
	    (about = parser_attr(p, "about")) == NULL)
		return;
	if (*about != '\0' && p->item->id == NULL)
		p->item->id = about;
	else
		free(about);
}

static void
rss_item_child(struct parser *p, enum ns ns, enum el el)
{
	char	*permalink;

	if (parse_module_item(p, ns, el))
		return;
	if (ns == NS_ATOM10) {
		if (el == EL_LINK)
			parse_module_link(p);
		else if (el == EL_UPDATED)
			parser_text_begin(p, FIELD_UPDATED, KIND_PLAIN);
		else if (el == EL_PUBLISHED)
			parser_text_begin(p, FIELD_PUBLISHED, KIND_PLAIN);
		return;
	}
	if (!rss_ns(ns))
		return;
	switch (el) {
	case EL_TITLE:
		/* De facto HTML: entities, sometimes markup. */
		parser_text_begin(p, FIELD_TITLE, KIND_HTML);
		break;
	case EL_LINK:
		parser_text_begin(p, FIELD_LINK, KIND_PLAIN);
		break;
	case EL_DESCRIPTION:
		parser_text_begin(p, FIELD_SUMMARY, KIND_HTML);
		break;
	case EL_GUID:
		permalink = parser_attr(p, "isPermaLink");
		p->guid_permalink = permalink == NULL ||
		    strcmp(permalink, "false") != 0;
		free(permalink);
		parser_text_begin(p, FIELD_GUID, KIND_PLAIN);
		break;
	case EL_PUBDATE:
		parser_text_begin(p, FIELD_PUBLISHED, KIND_PLAIN);
		break;
	case EL_AUTHOR:
		parser_text_begin(p, FIELD_AUTHOR_RSS, KIND_PLAIN);
		break;
	case EL_CATEGORY:
		parser_text_begin(p, FIELD_CATEGORY, KIND_PLAIN);
		break;
	case EL_ENCLOSURE:
		parser_add_enclosure_attrs(p, "length");
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
			parser_text_begin(p, FIELD_TITLE, KIND_HTML);
		break;
	case EL_LINK:
		if (rss_ns(ns))
			parser_text_begin(p, FIELD_LINK, KIND_PLAIN);
		else if (ns == NS_ATOM10)
			parse_module_link(p);
		break;
	case EL_PUBDATE:
		parser_text_begin(p, FIELD_PUBLISHED, KIND_PLAIN);
		break;
	case EL_LASTBUILDDATE:
	case EL_DC_DATE:
	case EL_DC_MODIFIED:
		parser_text_begin(p, FIELD_UPDATED, KIND_PLAIN);
		break;
	case EL_TTL:
		parser_text_begin(p, FIELD_TTL, KIND_PLAIN);
		break;
	case EL_UPDATEPERIOD:
		parser_text_begin(p, FIELD_UPDATE_PERIOD, KIND_PLAIN);
		break;
	case EL_UPDATEFREQUENCY:
		parser_text_begin(p, FIELD_UPDATE_FREQUENCY, KIND_PLAIN);
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
		rss_item_begin(p, parent);
		return;
	}
	if (parent == EL_CHANNEL)
		rss_channel_child(p, ns, el);
	else if (parent == EL_SKIPHOURS && el == EL_HOUR)
		parser_text_begin(p, FIELD_HOUR, KIND_PLAIN);
	else if (parent == EL_SKIPDAYS && el == EL_DAY)
		parser_text_begin(p, FIELD_DAY, KIND_PLAIN);
}
