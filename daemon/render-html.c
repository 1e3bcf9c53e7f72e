/*
 * render-html.c: the small HTML index page listing the tag feeds.  Every
 * string that reaches the page is escaped.
 */
#include "config.h"

#include <string.h>

#include <event2/buffer.h>

#include "conf.h"
#include "render.h"
#include "text.h"
#include "util.h"

static void	render_html_escape(struct evbuffer *, const char *);

/* Text (a tag's name) for the page, in text or a quoted attribute. */
static void
render_html_escape(struct evbuffer *out, const char *s)
{
	struct buf	b;

	buf_init(&b);
	text_escape(&b, s, strlen(s), TEXT_HTML_ATTR);
	evbuffer_add(out, b.data, b.len);
	buf_free(&b);
}

void
render_html_index(struct evbuffer *out, const struct conf *conf)
{
	struct body	*b;
	size_t		 i;

	evbuffer_add_printf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n"
	    "<head><meta charset=\"utf-8\"><title>feedmux</title>\n");
	for (i = 0; i < conf->ntags; i++) {
		evbuffer_add_printf(out, "<link rel=\"alternate\" "
		    "type=\"application/atom+xml\" title=\"");
		render_html_escape(out, conf->tags[i]);
		evbuffer_add_printf(out, "\" href=\"/tags/");
		render_html_escape(out, conf->tags[i]);
		evbuffer_add_printf(out, ".atom\">\n");
	}
	evbuffer_add_printf(out, "</head>\n<body>\n<h1>feedmux</h1>\n");
	if (conf->ntags == 0)
		evbuffer_add_printf(out, "<p>No tags are configured.</p>\n");
	else
		evbuffer_add_printf(out, "<p>Tag feeds (Atom):</p>\n<ul>\n");
	for (i = 0; i < conf->ntags; i++) {
		b = render_cache_get(conf->tags[i]);
		evbuffer_add_printf(out, "<li><a href=\"/tags/");
		render_html_escape(out, conf->tags[i]);
		evbuffer_add_printf(out, ".atom\">");
		render_html_escape(out, conf->tags[i]);
		evbuffer_add_printf(out, "</a> (%d entries)</li>\n",
		    b != NULL ? b->nitems : 0);
	}
	if (conf->ntags > 0)
		evbuffer_add_printf(out, "</ul>\n");
	evbuffer_add_printf(out, "<p><small>feedmux %s</small></p>\n"
	    "</body>\n</html>\n", PACKAGE_VERSION);
}
