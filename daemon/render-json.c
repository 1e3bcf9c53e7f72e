/*
 * render-json.c: a page of a tag's entries as JSON Feed 1.1
 * (https://jsonfeed.org/version/1.1), with next_url for paging.
 *
 * Written by hand with text.c's JSON escaper, like the XML formats.  Each
 * item names its feed in the "_feedmux" extension object ("source": name,
 * title, feed_url, home_page_url), and its authors fall back to the feed,
 * as in Atom.  JSON Feed's summary is plain text: when an entry has both
 * a summary and content, the summary is given as text.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render-internal.h"
#include "text.h"
#include "util.h"
#include "xmalloc.h"

static void	json_key(struct buf *, const char *, const char *);
static void	json_time(struct buf *, const char *, time_t);
static void	json_item(struct buf *, struct item *, int);

/* ,"key":"value" (nothing when value is NULL). */
static void
json_key(struct buf *b, const char *key, const char *value)
{
	if (value == NULL)
		return;
	buf_addstr(b, ",\"");
	buf_addstr(b, key);
	buf_addstr(b, "\":");
	text_json_string(b, value);
}

static void
json_time(struct buf *b, const char *key, time_t t)
{
	char	tbuf[UTIL_TIMEBUF];

	json_key(b, key, util_format_time(t, tbuf, sizeof(tbuf)));
}

static void
json_item(struct buf *b, struct item *it, int first)
{
	const struct enclosure	*e;
	const char		*source = rw_item_source(it);
	char			*text, num[48];
	size_t			 i;

	buf_addstr(b, first ? "\n    {\"id\":" : ",\n    {\"id\":");
	text_json_string(b, it->id != NULL ? it->id : it->uid);
	json_key(b, "url", it->link);
	json_key(b, "title", it->title != NULL ? it->title : "");
	if (it->content == NULL && it->summary == NULL)
		json_key(b, "content_text", "");
	json_key(b, "content_html", it->content != NULL ? it->content :
	    it->summary);
	if (it->content != NULL && it->summary != NULL) {
		text = text_from_html(xstrdup(it->summary));
		json_key(b, "summary", text);
		free(text);
	}
	json_key(b, "image", it->image);
	if (it->published != 0)
		json_time(b, "date_published", it->published);
	json_time(b, "date_modified", rw_item_updated(it));
	buf_addstr(b, ",\"authors\":[");
	for (i = 0; i < it->nauthors || (i == 0 && it->nauthors == 0); i++) {
		buf_addstr(b, i > 0 ? ",{\"name\":" : "{\"name\":");
		text_json_string(b, it->nauthors > 0 ? it->authors[i] : source);
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
	if (it->ncategories > 0) {
		buf_addstr(b, ",\"tags\":");
		text_json_strings(b, it->categories, it->ncategories);
	}
	if (it->nenclosures > 0) {
		buf_addstr(b, ",\"attachments\":[");
		for (i = 0; i < it->nenclosures; i++) {
			e = &it->enclosures[i];
			buf_addstr(b, i > 0 ? ",{\"url\":" : "{\"url\":");
			text_json_string(b, e->url);
			json_key(b, "mime_type", e->type != NULL ? e->type :
			    "application/octet-stream");
			if (e->length > 0) {
				snprintf(num, sizeof(num),
				    ",\"size_in_bytes\":%lld",
				    (long long)e->length);
				buf_addstr(b, num);
			}
			buf_addc(b, '}');
		}
		buf_addc(b, ']');
	}
	buf_addstr(b, ",\"_feedmux\":{\"source\":{\"name\":");
	text_json_string(b, it->source_name != NULL ? it->source_name : "");
	json_key(b, "title", source);
	json_key(b, "feed_url", it->source_url);
	json_key(b, "home_page_url", it->source_link);
	buf_addstr(b, "}}}");
}

/* Render a page of one tag's entries (made safe by sanitize_item). */
struct body *
render_json(const struct render_page *p, struct items *items)
{
	struct item	*it;
	struct buf	 out;
	struct rw_links	 l;
	int		 first = 1;

	rw_links_make(&l, p, "json");
	rw_start(&out, p, 0);
	buf_addstr(&out, "{\"version\":\"https://jsonfeed.org/version/1.1\"");
	json_key(&out, "title", p->title);
	json_key(&out, "home_page_url", l.html);
	json_key(&out, "feed_url", l.self);
	if (p->description != NULL && *p->description != '\0')
		json_key(&out, "description", p->description);
	json_key(&out, "next_url", l.next);
	buf_addstr(&out, ",\"items\":[");
	TAILQ_FOREACH(it, items, entry) {
		json_item(&out, it, first);
		first = 0;
	}
	buf_addstr(&out, "\n]}\n");
	rw_links_free(&l);
	return (rw_body(p, RENDER_JSON, &out));
}
