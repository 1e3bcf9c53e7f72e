/*
 * parse-json.c: JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1),
 * read whole with jansson into the same struct doc and items as XML feeds.
 * Strings are cleaned like XML text (valid UTF-8, no C0 controls).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "date.h"
#include "parse-internal.h"
#include "text.h"
#include "util.h"
#include "xmalloc.h"

#define JSONFEED_PREFIX	"https://jsonfeed.org/version/1"

/* A string member, cleaned, or NULL. */
static char *
json_text(json_t *o, const char *key, size_t max)
{
	const char	*s = json_string_value(json_object_get(o, key));
	char		*c, *t;

	if (s == NULL)
		return (NULL);
	c = text_clean(s);
	if (strlen(c) > max)
		c[max] = '\0';	/* may cut a character: cleaned below */
	t = util_trim(c);
	if (*t == '\0') {
		free(c);
		return (NULL);
	}
	t = xstrdup(t);
	free(c);
	c = text_clean(t);
	free(t);
	return (c);
}

static void
json_author(struct parser *p, struct item *it, json_t *a)
{
	char	*name = json_text(a, "name", p->opts->max_field);

	if (name == NULL)
		return;
	if (it != NULL)
		item_add_string(&it->authors, &it->nauthors,
		    ITEM_MAX_AUTHORS, name);
	else
		item_add_string(&p->doc->authors, &p->doc->nauthors,
		    ITEM_MAX_AUTHORS, name);
	free(name);
}

/* "author" (1.0) and "authors" (1.1) of a feed or an item. */
static void
json_authors(struct parser *p, struct item *it, json_t *o)
{
	json_t	*a;
	size_t	 i;

	if (json_is_object(a = json_object_get(o, "author")))
		json_author(p, it, a);
	json_array_foreach(json_object_get(o, "authors"), i, a) {
		if (json_is_object(a))
			json_author(p, it, a);
	}
}

static void
json_link(struct parser *p, char **field, json_t *o, const char *key)
{
	char	*s = json_text(o, key, p->opts->max_field);

	if (s == NULL || *field != NULL) {
		free(s);
		return;
	}
	*field = parser_resolve(p, s);
	free(s);
}

static void
json_item(struct parser *p, json_t *o)
{
	struct item	*it;
	json_t		*v;
	char		*s, *type, length[32];
	size_t		 i;

	if (p->doc->nitems >= p->opts->max_items) {
		p->skipped++;
		return;
	}
	it = item_new();
	/* Ids may be numbers in the wild, though the spec says string. */
	v = json_object_get(o, "id");
	if (json_is_string(v))
		it->id = json_text(o, "id", p->opts->max_field);
	else if (json_is_integer(v))
		xasprintf(&it->id, "%lld", (long long)json_integer_value(v));
	json_link(p, &it->link, o, "url");
	json_link(p, &it->link, o, "external_url");
	if ((s = json_text(o, "title", p->opts->max_field)) != NULL)
		it->title = text_from_html(s);
	it->content = json_text(o, "content_html", p->opts->max_field);
	if (it->content == NULL &&
	    (s = json_text(o, "content_text", p->opts->max_field)) != NULL) {
		it->content = text_escape_html(s);
		free(s);
	}
	if ((s = json_text(o, "summary", p->opts->max_field)) != NULL) {
		it->summary = text_escape_html(s);
		free(s);
	}
	if ((s = json_text(o, "date_published", 64)) != NULL) {
		it->published = date_parse(s);
		free(s);
	}
	if ((s = json_text(o, "date_modified", 64)) != NULL) {
		it->updated = date_parse(s);
		free(s);
	}
	json_authors(p, it, o);
	if (it->nauthors == 0) {
		for (i = 0; i < p->doc->nauthors; i++)
			item_add_string(&it->authors, &it->nauthors,
			    ITEM_MAX_AUTHORS, p->doc->authors[i]);
	}
	json_array_foreach(json_object_get(o, "tags"), i, v) {
		if (json_is_string(v) && (s = text_clean(json_string_value(v))))
		{
			item_add_string(&it->categories, &it->ncategories,
			    ITEM_MAX_CATEGORIES, util_trim(s));
			free(s);
		}
	}
	json_link(p, &it->image, o, "image");
	p->item = it;	/* for parser_add_enclosure */
	json_array_foreach(json_object_get(o, "attachments"), i, v) {
		if (!json_is_object(v))
			continue;
		s = json_text(v, "url", p->opts->max_field);
		type = json_text(v, "mime_type", 256);
		if (json_is_integer(json_object_get(v, "size_in_bytes")))
			snprintf(length, sizeof(length), "%lld", (long long)
			    json_integer_value(json_object_get(v,
			    "size_in_bytes")));
		else
			length[0] = '\0';
		parser_add_enclosure(p, s, type, length[0] ? length : NULL);
		free(s);
		free(type);
	}
	p->item = NULL;
	parser_emit(p, it);
}

/* Parse the JSON collected by parse_push.  0, or -1 with *cause. */
int
parse_json(struct parser *p, char **cause)
{
	json_t		*root, *items, *o;
	json_error_t	 err;
	const char	*version;
	size_t		 i;

	root = json_loadb(p->json.data, p->json.len, JSON_DISABLE_EOF_CHECK,
	    &err);
	if (root == NULL) {
		xasprintf(cause, "not a feed: bad JSON at line %d: %s",
		    err.line, err.text);
		return (-1);
	}
	version = json_string_value(json_object_get(root, "version"));
	if (!json_is_object(root) || version == NULL ||
	    strncmp(version, JSONFEED_PREFIX, strlen(JSONFEED_PREFIX)) != 0) {
		*cause = xstrdup("not a feed: JSON without a JSON Feed "
		    "\"version\"");
		json_decref(root);
		return (-1);
	}
	p->doc->format = strcmp(version, JSONFEED_PREFIX ".1") == 0 ?
	    FORMAT_JSONFEED11 : FORMAT_JSONFEED10;
	p->doc->title = json_text(root, "title", p->opts->max_field);
	if (p->doc->title != NULL)
		p->doc->title = text_from_html(p->doc->title);
	json_link(p, &p->doc->link, root, "home_page_url");
	/* A JSON Feed has no id; its own URL is what identifies it. */
	json_link(p, &p->doc->id, root, "feed_url");
	json_authors(p, NULL, root);
	items = json_object_get(root, "items");
	json_array_foreach(items, i, o) {
		if (json_is_object(o))
			json_item(p, o);
	}
	json_decref(root);
	return (0);
}
