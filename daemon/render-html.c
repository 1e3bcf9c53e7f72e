/*
 * render-html.c: the small HTML index page listing the tag feeds.  Every
 * string that reaches the page is escaped.
 */
#include "config.h"

#include <event2/buffer.h>

#include "feedmux.h"

void
render_html_escape(struct evbuffer *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			evbuffer_add(out, "&amp;", 5);
			break;
		case '<':
			evbuffer_add(out, "&lt;", 4);
			break;
		case '>':
			evbuffer_add(out, "&gt;", 4);
			break;
		case '"':
			evbuffer_add(out, "&quot;", 6);
			break;
		case '\'':
			evbuffer_add(out, "&#39;", 5);
			break;
		default:
			evbuffer_add(out, s, 1);
		}
	}
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
		b = cache_get(conf->tags[i]);
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
