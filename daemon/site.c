/*
 * site.c: the pages made on the loop thread, where the feeds live.
 *
 * The index shows each feed's health and each tag's size, so it changes
 * with every poll; it is made again at most once per SITE_DELAY after a
 * change, not per poll, and published to the render cache, from which
 * the serving threads send it.  The same pass tells the cache when each
 * tag's feeds are next polled: until then its feeds cannot change, and
 * that is the max-age they are served with.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "conf.h"
#include "feed.h"
#include "metrics.h"
#include "render.h"
#include "site.h"
#include "util.h"
#include "xmalloc.h"

#define SITE_DELAY	2	/* seconds */

static struct {
	struct event		*timer;
	const struct conf	*conf;		/* main's reference */
} site;

static void	site_tick(evutil_socket_t, short, void *);
static void	site_next_polls(const struct conf *);
static void	site_metrics(const struct conf *);

void
site_init(struct event_base *base)
{
	struct body	*b;

	if ((site.timer = evtimer_new(base, site_tick, NULL)) == NULL)
		abort();
	b = render_xsl();
	render_cache_page_put("/feed.xsl", b);
	render_body_unref(b);
}

/* The configuration whose tags are listed (borrowed; main keeps it). */
void
site_configure(const struct conf *conf)
{
	struct body	*b;

	site.conf = conf;
	b = render_opml(conf);
	render_cache_page_put("/opml", b);
	render_body_unref(b);
	site_refresh();
}

/* Something shown changed: make the pages again soon. */
void
site_changed(void)
{
	struct timeval	tv = { SITE_DELAY, 0 };

	if (site.timer != NULL && !evtimer_pending(site.timer, NULL))
		evtimer_add(site.timer, &tv);
}

static void
site_tick(evutil_socket_t fd, short events, void *arg)
{
	site_refresh();
}

/* Each tag's earliest next poll among the feeds that may change it. */
static void
site_next_polls(const struct conf *conf)
{
	struct strmap	 index;
	struct feed	*f;
	time_t		*next, any = 0, t;
	size_t		 i, j;

	next = xcalloc(conf->ntags + 1, sizeof(*next));
	strmap_init(&index);
	for (j = 0; j < conf->ntags; j++)
		strmap_put(&index, conf->tags[j], next + j);
	for (f = feed_first(); f != NULL; f = feed_next(f)) {
		if ((t = f->state.next_poll) == 0 || f->state.gone)
			continue;
		if (any == 0 || t < any)
			any = t;
		for (i = 0; i < f->ntags; i++) {
			time_t	*tn = strmap_get(&index, f->tags[i]);

			if (tn != NULL && (*tn == 0 || t < *tn))
				*tn = t;
		}
	}
	strmap_free(&index);
	/* A tag with rules may take entries from any feed. */
	for (j = 0; j < conf->ntags; j++) {
		if (conf_tag_rules(conf, conf->tags[j]) != NULL &&
		    (next[j] == 0 || (any != 0 && any < next[j])))
			next[j] = any;
		render_cache_next_poll(conf->tags[j], next[j]);
	}
	free(next);
}

/* Make the index now, and tell the cache each tag's next poll. */
void
site_refresh(void)
{
	struct render_feed	*rows = NULL;
	struct body		*b;
	struct feed		*f;
	size_t			 n = 0;

	if (site.conf == NULL)
		return;
	if (site.timer != NULL)
		evtimer_del(site.timer);
	for (f = feed_first(); f != NULL; f = feed_next(f)) {
		rows = xreallocarray(rows, n + 1, sizeof(*rows));
		rows[n].name = f->name;
		rows[n++].state = &f->state;
	}
	b = render_index(site.conf, rows, n);
	render_cache_page_put("/", b);
	render_body_unref(b);
	free(rows);
	site_next_polls(site.conf);
	site_metrics(site.conf);
}

/* The gauges only the loop thread knows: feeds by state, public tags. */
static void
site_metrics(const struct conf *conf)
{
	struct feed_counts	 c;
	struct body		*b;
	struct buf		 text;
	char			 line[256];
	size_t			 i;

	feed_counts(&c);
	metrics_gauge(GAUGE_FEEDS_NEW, (int64_t)c.new);
	metrics_gauge(GAUGE_FEEDS_FAILING, (int64_t)c.failing);
	metrics_gauge(GAUGE_FEEDS_GONE, (int64_t)c.gone);
	metrics_gauge(GAUGE_FEEDS_OK, (int64_t)(c.feeds - c.new - c.failing -
	    c.gone));
	buf_init(&text);
	buf_addstr(&text, "# HELP feedmux_tag_entries Entries on the first "
	    "page of each public tag.\n# TYPE feedmux_tag_entries gauge\n");
	for (i = 0; i < conf->ntags; i++) {
		/* A private tag's name is not shown to anyone. */
		if (conf_tag_find(conf, conf->tags[i])->token != NULL)
			continue;
		b = render_cache_get(conf->tags[i], RENDER_ATOM);
		snprintf(line, sizeof(line), "feedmux_tag_entries{tag=\"%s\"} "
		    "%d\n", conf->tags[i], b != NULL ? b->nitems : 0);
		buf_addstr(&text, line);
		render_body_unref(b);
	}
	metrics_set_extra(text.data);
	buf_free(&text);
}

void
site_shutdown(void)
{
	if (site.timer != NULL)
		event_free(site.timer);
	memset(&site, 0, sizeof(site));
}
