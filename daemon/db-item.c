/*
 * db-item.c: an entry as a row.  Its lists (authors, categories,
 * enclosures) are stored as JSON text, and an entry row is read back into
 * a struct item for computing its tags.
 */
#include "config.h"

#include <stdlib.h>

#include <jansson.h>

#include "db-internal.h"
#include "text.h"
#include "util.h"
#include "xmalloc.h"

/*
 * Lists are stored as JSON text: read rarely, never queried into.  Written
 * by hand (text.c), read with jansson.
 */
char *
db_item_strings(char **v, size_t n)
{
	struct buf	b;

	if (n == 0)
		return (NULL);
	buf_init(&b);
	text_json_strings(&b, v, n);
	return (buf_steal(&b));
}

char *
db_item_enclosures(struct enclosure *e, size_t n)
{
	json_t	*a;
	char	*s;
	size_t	 i;

	if (n == 0)
		return (NULL);
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:o, s:I}",
		    "url", e[i].url,
		    "type", e[i].type != NULL ? json_string(e[i].type) :
		    json_null(), "length", (json_int_t)e[i].length));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return (s);
}

/* Read a JSON list of strings (authors, categories) into an item. */
void
db_item_read_strings(const char *text, char ***v, size_t *n, size_t max)
{
	json_t	*a, *s;
	size_t	 i;

	if (text == NULL || (a = json_loads(text, 0, NULL)) == NULL)
		return;
	json_array_foreach(a, i, s) {
		if (json_is_string(s))
			item_add_string(v, n, max, json_string_value(s));
	}
	json_decref(a);
}

/* Read a JSON list of enclosures into an item. */
void
db_item_read_enclosures(struct item *it, const char *text)
{
	struct enclosure	*e;
	json_t			*a, *v;
	const char		*url, *type;
	size_t			 i;

	if (text == NULL || (a = json_loads(text, 0, NULL)) == NULL)
		return;
	json_array_foreach(a, i, v) {
		url = json_string_value(json_object_get(v, "url"));
		type = json_string_value(json_object_get(v, "type"));
		if (url == NULL || it->nenclosures >= ITEM_MAX_ENCLOSURES)
			continue;
		it->enclosures = xreallocarray(it->enclosures,
		    it->nenclosures + 1, sizeof(*it->enclosures));
		e = &it->enclosures[it->nenclosures++];
		e->url = xstrdup(url);
		e->type = type != NULL ? xstrdup(type) : NULL;
		e->length = json_integer_value(json_object_get(v, "length"));
	}
	json_decref(a);
}

/* Read an entry row of ST_ENTRY_LOAD's shape. */
void
db_item_load_row(sqlite3_stmt *st, struct db_row *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->feed_id = sqlite3_column_int64(st, 1);
	r->article = sqlite3_column_int64(st, 2);
	r->sort_time = sqlite3_column_int64(st, 3);
	r->it = item_new();
	r->it->title = db_column_text(st, 4);
	r->it->summary = db_column_text(st, 5);
	r->it->content = db_column_text(st, 6);
	db_item_read_strings((const char *)sqlite3_column_text(st, 7),
	    &r->it->authors, &r->it->nauthors, ITEM_MAX_AUTHORS);
	db_item_read_strings((const char *)sqlite3_column_text(st, 8),
	    &r->it->categories, &r->it->ncategories, ITEM_MAX_CATEGORIES);
}
