/*
 * parse-rss.c: what RSS 2.0 elements mean (rss/channel/item), plus the
 * Dublin Core and content modules that RSS feeds commonly carry.
 */
#include "config.h"

#include <string.h>

#include "feedmux.h"
#include "parse.h"

struct rss_element {
	const char	*ns;
	const char	*name;
	enum field	 field;
};

/* Children of <item>. */
static const struct rss_element rss_item_elements[] = {
	{ "", "author", FIELD_AUTHOR },
	{ "", "category", FIELD_CATEGORY },
	{ "", "description", FIELD_SUMMARY },
	{ "", "guid", FIELD_ID },
	{ "", "link", FIELD_LINK },
	{ "", "pubDate", FIELD_PUBLISHED },
	{ "", "title", FIELD_TITLE },
	{ NS_CONTENT, "encoded", FIELD_CONTENT },
	{ NS_DC, "creator", FIELD_AUTHOR },
	{ NS_DC, "date", FIELD_PUBLISHED },
	{ NS_DC, "subject", FIELD_CATEGORY },
};

/* Children of <channel>. */
static const struct rss_element rss_channel_elements[] = {
	{ "", "lastBuildDate", FIELD_UPDATED },
	{ "", "link", FIELD_LINK },
	{ "", "pubDate", FIELD_UPDATED },
	{ "", "title", FIELD_TITLE },
	{ NS_DC, "date", FIELD_UPDATED },
};

static enum field
rss_lookup(const struct rss_element *tab, size_t n, const char *name,
    const char *ns)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(tab[i].name, name) == 0 && strcmp(tab[i].ns, ns) == 0)
			return (tab[i].field);
	}
	return (FIELD_NONE);
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

void
parse_rss_start(struct parser *p, const char *name, const char *ns)
{
	enum field	f;

	if (p->item != NULL) {
		if (p->depth != p->item_depth + 1)
			return;
		f = rss_lookup(rss_item_elements, NELEM(rss_item_elements),
		    name, ns);
		if (f != FIELD_NONE)
			parser_text_begin(p, f);
		return;
	}
	if (p->depth == 3 && *ns == '\0' && strcmp(name, "item") == 0) {
		parser_item_begin(p);
		return;
	}
	if (p->depth == 3) {
		f = rss_lookup(rss_channel_elements,
		    NELEM(rss_channel_elements), name, ns);
		if (f != FIELD_NONE)
			parser_text_begin(p, f);
	}
}
