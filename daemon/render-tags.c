/*
 * render-tags.c: tag feeds from the store, on the thread that owns it.
 *
 * A tag is rendered after the commit that changed its entries, but not
 * again before flush_after: a burst of polls renders each tag once, not
 * once per feed, and rendering takes at most a tenth of the worker's time
 * (the pause after a render is nine times what it cost).  The worker asks
 * when renders are due and hands their bodies to the loop thread.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "db.h"
#include "metrics.h"
#include "render.h"
#include "render-internal.h"
#include "xmalloc.h"

/* The pause after a render: nine times its cost, within these bounds. */
#define RENDER_PAUSE_MIN	200000000LL	/* ns */
#define RENDER_PAUSE_MAX	5000000000LL

static struct {
	const struct conf *conf;	/* tags' settings (job.c's reference) */
	char		**dirty;	/* tags waiting to be rendered */
	size_t		 ndirty;
	struct timespec	 flush_after;	/* CLOCK_MONOTONIC */
} render_tags_state;

static void	render_tags_clear(void);

/*
 * The configuration whose tags are rendered: where the feeds say they live
 * and each tag's title, description and page size.  Borrowed: the caller
 * keeps it alive until the next call or render_tags_shutdown.
 */
void
render_tags_configure(const struct conf *conf)
{
	render_tags_state.conf = conf;
}

/*
 * Render one tag's first page in every format into out.  items holds one
 * more entry than the page when there is a next page.
 */
static size_t
render_tag(const char *tag, struct items *items, struct body **out)
{
	const struct conf	*conf = render_tags_state.conf;
	const struct conf_tag	*ct = conf_tag_find(conf, tag);
	struct render_page	 page;
	char			*title, *next;
	int			 f;

	memset(&page, 0, sizeof(page));
	page.tag = tag;
	page.base = conf_base_url(conf);
	page.title = title = rw_tag_title(ct, tag);
	page.description = ct->description;
	page.token = ct->token;
	page.next = next = rw_page_cut(&page, items, (int)ct->entries,
	    (int)ct->entries);
	for (f = 0; f < RENDER_NFORMATS; f++)
		out[f] = render_page_format(&page, items, f);
	free(title);
	free(next);
	return (RENDER_NFORMATS);
}

/*
 * Render each tag into a body per format; *out gets the bodies (of the
 * tags whose entries could be read), the return value their number.
 */
size_t
render_tags(struct db *db, char **tags, size_t ntags, struct body ***out)
{
	const struct conf_tag	*ct;
	struct items		 items;
	struct timespec		 t0, t1;
	size_t			 i, n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*out = ntags > 0 ? xreallocarray(NULL, ntags * RENDER_NFORMATS,
	    sizeof(**out)) : NULL;
	for (i = 0; i < ntags; i++) {
		ct = conf_tag_find(render_tags_state.conf, tags[i]);
		TAILQ_INIT(&items);
		if (db_tag_items(db, tags[i], (int)ct->entries + 1,
		    &items) != 0)
			continue;
		n += render_tag(tags[i], &items, *out + n);
		items_free(&items);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ntags > 0)
		metrics_observe(HIST_RENDER, (t1.tv_sec - t0.tv_sec) +
		    (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return (n);
}

/* Tags whose entries the store changed since the last call wait. */
void
render_tags_collect(struct db *db)
{
	char	**names;
	size_t	  n, i, j;

	n = db_take_dirty(db, &names);
	for (i = 0; i < n; i++) {
		for (j = 0; j < render_tags_state.ndirty; j++) {
			if (strcmp(render_tags_state.dirty[j], names[i]) == 0)
				break;
		}
		if (j < render_tags_state.ndirty) {
			free(names[i]);
			continue;
		}
		render_tags_state.dirty = xreallocarray(
		    render_tags_state.dirty, render_tags_state.ndirty + 1,
		    sizeof(*render_tags_state.dirty));
		render_tags_state.dirty[render_tags_state.ndirty++] = names[i];
	}
	free(names);
}

/* Nothing waits: every tag is about to be rendered anyway. */
void
render_tags_forget(struct db *db)
{
	char	**names;
	size_t	  n, i;

	n = db_take_dirty(db, &names);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	render_tags_clear();
}

/* Do tags wait to be rendered?  If so, *when (if not NULL) says when. */
int
render_tags_pending(struct timespec *when)
{
	if (render_tags_state.ndirty == 0)
		return (0);
	if (when != NULL)
		*when = render_tags_state.flush_after;
	return (1);
}

/* Are there tags to render, and may they be rendered now? */
int
render_tags_due(void)
{
	struct timespec	now, *t = &render_tags_state.flush_after;

	if (render_tags_state.ndirty == 0)
		return (0);
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec &&
	    now.tv_nsec >= t->tv_nsec));
}

/* Render the waiting tags (see render_tags), and say when next may be. */
size_t
render_tags_flush(struct db *db, struct body ***out)
{
	struct timespec	 t0, t1, *t = &render_tags_state.flush_after;
	long long	 ns;
	size_t		 n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = render_tags(db, render_tags_state.dirty, render_tags_state.ndirty,
	    out);
	render_tags_clear();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL +
	    (t1.tv_nsec - t0.tv_nsec);
	ns *= 9;
	if (ns < RENDER_PAUSE_MIN)
		ns = RENDER_PAUSE_MIN;
	if (ns > RENDER_PAUSE_MAX)
		ns = RENDER_PAUSE_MAX;
	t->tv_sec = t1.tv_sec + ns / 1000000000LL;
	t->tv_nsec = t1.tv_nsec + ns % 1000000000LL;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
	return (n);
}

static void
render_tags_clear(void)
{
	size_t	i;

	for (i = 0; i < render_tags_state.ndirty; i++)
		free(render_tags_state.dirty[i]);
	free(render_tags_state.dirty);
	render_tags_state.dirty = NULL;
	render_tags_state.ndirty = 0;
}

/* Forget everything: the tags waiting, the pause, the configuration. */
void
render_tags_shutdown(void)
{
	render_tags_clear();
	memset(&render_tags_state, 0, sizeof(render_tags_state));
}

/* Render a page in one format. */
struct body *
render_page_format(const struct render_page *p, struct items *items,
    enum render_format f)
{
	switch (f) {
	case RENDER_ATOM:
		return (render_atom(p, items));
	case RENDER_RSS:
		return (render_rss(p, items));
	case RENDER_JSON:
		return (render_json(p, items));
	case RENDER_HTML:
	case RENDER_NFORMATS:
		break;
	}
	return (render_river(p, items));
}
