/*
 * item.c: the document and entry model (item.h): making, filling and
 * freeing it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "item.h"
#include "xmalloc.h"

struct item *
item_new(void)
{
	return (xcalloc(1, sizeof(struct item)));
}

static void
strings_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
item_free(struct item *it)
{
	size_t	i;

	if (it == NULL)
		return;
	free(it->id);
	free(it->uid);
	free(it->title);
	free(it->link);
	strings_free(it->authors, it->nauthors);
	strings_free(it->categories, it->ncategories);
	free(it->summary);
	free(it->content);
	for (i = 0; i < it->nenclosures; i++) {
		free(it->enclosures[i].url);
		free(it->enclosures[i].type);
	}
	free(it->enclosures);
	free(it->image);
	free(it->source_name);
	free(it->source_title);
	free(it->source_link);
	free(it->source_url);
	free(it);
}

void
items_free(struct items *items)
{
	struct item	*it;

	while ((it = TAILQ_FIRST(items)) != NULL) {
		TAILQ_REMOVE(items, it, entry);
		item_free(it);
	}
}

struct doc *
doc_new(void)
{
	struct doc	*doc;

	doc = xcalloc(1, sizeof(*doc));
	TAILQ_INIT(&doc->items);
	return (doc);
}

void
doc_free(struct doc *doc)
{
	if (doc == NULL)
		return;
	items_free(&doc->items);
	free(doc->title);
	free(doc->link);
	free(doc->id);
	strings_free(doc->authors, doc->nauthors);
	free(doc->hints.update_period);
	free(doc);
}

/* Add s to a list of at most max strings, unless it is empty or there. */
void
item_add_string(char ***v, size_t *n, size_t max, const char *s)
{
	size_t	i;

	if (*s == '\0' || *n >= max)
		return;
	for (i = 0; i < *n; i++) {
		if (strcmp((*v)[i], s) == 0)
			return;
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

const char *
doc_format_name(enum doc_format f)
{
	switch (f) {
	case FORMAT_RSS09X:
		return ("rss0.9x");
	case FORMAT_RSS10:
		return ("rss1.0");
	case FORMAT_RSS20:
		return ("rss2.0");
	case FORMAT_ATOM03:
		return ("atom0.3");
	case FORMAT_ATOM10:
		return ("atom1.0");
	case FORMAT_JSONFEED10:
		return ("jsonfeed1.0");
	case FORMAT_JSONFEED11:
		return ("jsonfeed1.1");
	case FORMAT_UNKNOWN:
		break;
	}
	return ("unknown");
}
