/*
 * render-pager.c: the pages of a tag beyond the one kept in the cache.
 *
 * The first page of each tag is rendered by the worker and served from
 * the cache; older pages (RFC 5005 paging: ?before=CURSOR) and pages of
 * another size (?limit=N) are rendered on request, here, on a thread of
 * its own with a read-only connection to the store, so that neither the
 * serving threads nor the worker ever wait for one.  Requests queue (a
 * bounded queue: when it is full the caller answers 503) and each answer
 * goes to the requester's callback, on this thread.
 *
 * A cursor (render-write.c) is "TIME-KEY": the sort time and store id of
 * the last entry of the page before.  Pages are read by that key, so a reader walking a
 * tag's history never sees an entry twice or misses one while new ones
 * arrive at the top.
 */
#include "config.h"

#include <sys/queue.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "render.h"
#include "render-internal.h"
#include "util.h"
#include "xmalloc.h"

/* Requests waiting at most; more are refused (the client gets a 503). */
#define PAGER_QUEUE_MAX		64

struct pager_req {
	char			*tag;
	enum render_format	 format;
	struct render_cursor	 cursor;
	int			 limit;
	render_pager_cb		 cb;
	void			*arg;
	TAILQ_ENTRY(pager_req)	 entry;
};
TAILQ_HEAD(pager_reqs, pager_req);

/* What a page says about its tag: copied from the conf, under the lock. */
struct pager_tag {
	char			*title;
	char			*description;
	char			*token;		/* a private tag's, or NULL */
	int			 entries;
};

static struct {
	pthread_t		 thread;
	int			 running;
	pthread_mutex_t		 lock;		/* the queue */
	pthread_cond_t		 cond;
	pthread_mutex_t		 settings;	/* base, tags */
	struct pager_reqs	 queue;
	size_t			 nqueued;
	int			 stopping;
	struct db		*db;
	char			*base;
	struct strmap		 tags;		/* name -> pager_tag */
} pager = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.settings = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.queue = TAILQ_HEAD_INITIALIZER(pager.queue),
};

static void	*pager_main(void *);
static void	 pager_run(struct pager_req *);
static void	 pager_tags_clear(void);
static void	 pager_req_free(struct pager_req *);

/* Start the thread, with its own read-only connection to path. */
int
render_pager_start(const char *path, char **cause)
{
	if ((pager.db = db_open_reader(path, cause)) == NULL)
		return (-1);
	if ((errno = pthread_create(&pager.thread, NULL, pager_main,
	    NULL)) != 0) {
		xasprintf(cause, "pthread_create: %s", strerror(errno));
		db_close(pager.db);
		pager.db = NULL;
		return (-1);
	}
	pager.running = 1;
	return (0);
}

/* Take what pages say about each tag from conf (on the loop thread). */
void
render_pager_configure(const struct conf *conf)
{
	const struct conf_tag	*ct;
	struct pager_tag	*pt;
	size_t			 i;

	pthread_mutex_lock(&pager.settings);
	pager_tags_clear();
	free(pager.base);
	pager.base = xstrdup(conf_base_url(conf));
	for (i = 0; i < conf->ntags; i++) {
		ct = conf_tag_find(conf, conf->tags[i]);
		pt = xcalloc(1, sizeof(*pt));
		pt->title = rw_tag_title(ct, conf->tags[i]);
		pt->description = xstrdup(ct->description);
		pt->token = ct->token != NULL ? xstrdup(ct->token) : NULL;
		pt->entries = (int)ct->entries;
		strmap_put(&pager.tags, xstrdup(conf->tags[i]), pt);
	}
	pthread_mutex_unlock(&pager.settings);
}

static void
pager_tags_clear(void)
{
	struct pager_tag	*pt;
	size_t			 i;

	for (i = 0; i < pager.tags.cap; i++) {
		if (pager.tags.slots[i].key == NULL)
			continue;
		pt = pager.tags.slots[i].val;
		free((char *)pager.tags.slots[i].key);
		free(pt->title);
		free(pt->description);
		if (pt->token != NULL)
			explicit_bzero(pt->token, strlen(pt->token));
		free(pt->token);
		free(pt);
	}
	strmap_free(&pager.tags);
}

/*
 * Ask for a page of tag in format: limit entries older than cursor (NULL:
 * from the newest).  cb gets the body (a reference, NULL if the tag is
 * gone or the store failed) on the pager's thread.  Any thread; -1 when
 * the queue is full or the pager is not running.
 */
int
render_pager_request(const char *tag, enum render_format format,
    const struct render_cursor *cursor, int limit, render_pager_cb cb,
    void *arg)
{
	struct pager_req	*r;

	pthread_mutex_lock(&pager.lock);
	if (!pager.running || pager.stopping ||
	    pager.nqueued >= PAGER_QUEUE_MAX) {
		pthread_mutex_unlock(&pager.lock);
		return (-1);
	}
	r = xcalloc(1, sizeof(*r));
	r->tag = xstrdup(tag);
	r->format = format;
	if (cursor != NULL)
		r->cursor = *cursor;
	else {
		r->cursor.time = INT64_MAX;
		r->cursor.key = INT64_MAX;
	}
	r->limit = limit;
	r->cb = cb;
	r->arg = arg;
	TAILQ_INSERT_TAIL(&pager.queue, r, entry);
	pager.nqueued++;
	pthread_cond_signal(&pager.cond);
	pthread_mutex_unlock(&pager.lock);
	return (0);
}

static void *
pager_main(void *arg)
{
	struct pager_req	*r;

	pthread_mutex_lock(&pager.lock);
	for (;;) {
		while (TAILQ_EMPTY(&pager.queue) && !pager.stopping)
			pthread_cond_wait(&pager.cond, &pager.lock);
		if ((r = TAILQ_FIRST(&pager.queue)) == NULL)
			break;		/* stopping, nothing left */
		TAILQ_REMOVE(&pager.queue, r, entry);
		pager.nqueued--;
		pthread_mutex_unlock(&pager.lock);
		/* Rendering holds the settings: they change rarely. */
		pthread_mutex_lock(&pager.settings);
		pager_run(r);
		pthread_mutex_unlock(&pager.settings);
		pager_req_free(r);
		pthread_mutex_lock(&pager.lock);
	}
	pthread_mutex_unlock(&pager.lock);
	return (NULL);
}

/* Read and render one page, and hand it to the requester (settings held). */
static void
pager_run(struct pager_req *r)
{
	const struct pager_tag	*pt;
	struct render_page	 page;
	struct items		 items;
	struct body		*b;
	char			*query = NULL, *next;

	TAILQ_INIT(&items);
	if ((pt = strmap_get(&pager.tags, r->tag)) == NULL ||
	    db_tag_page(pager.db, r->tag, r->cursor.time, r->cursor.key,
	    r->limit + 1, &items) != 0) {
		r->cb(NULL, r->arg);
		return;
	}
	memset(&page, 0, sizeof(page));
	next = rw_page_cut(&page, &items, r->limit, pt->entries);
	if (r->cursor.time == INT64_MAX)
		xasprintf(&query, "limit=%d", r->limit);
	else if (r->limit != pt->entries)
		xasprintf(&query, "before=%" PRId64 "-%" PRId64 "&limit=%d",
		    r->cursor.time, r->cursor.key, r->limit);
	else
		xasprintf(&query, "before=%" PRId64 "-%" PRId64,
		    r->cursor.time, r->cursor.key);
	page.tag = r->tag;
	page.title = pt->title;
	page.description = pt->description;
	page.token = pt->token;
	page.base = pager.base;
	page.query = query;
	page.next = next;
	b = render_page_format(&page, &items, r->format);
	items_free(&items);
	free(query);
	free(next);
	r->cb(b, r->arg);
}

static void
pager_req_free(struct pager_req *r)
{
	free(r->tag);
	free(r);
}

/* Stop the thread: queued requests are answered (NULL) first. */
void
render_pager_stop(void)
{
	struct pager_req	*r;

	if (!pager.running) {
		pthread_mutex_lock(&pager.settings);
		pager_tags_clear();
		free(pager.base);
		pager.base = NULL;
		pthread_mutex_unlock(&pager.settings);
		return;
	}
	pthread_mutex_lock(&pager.lock);
	pager.stopping = 1;
	while ((r = TAILQ_FIRST(&pager.queue)) != NULL) {
		TAILQ_REMOVE(&pager.queue, r, entry);
		r->cb(NULL, r->arg);
		pager_req_free(r);
	}
	pager.nqueued = 0;
	pthread_cond_signal(&pager.cond);
	pthread_mutex_unlock(&pager.lock);
	pthread_join(pager.thread, NULL);
	pager.running = 0;
	pager.stopping = 0;
	db_close(pager.db);
	pager.db = NULL;
	pthread_mutex_lock(&pager.settings);
	pager_tags_clear();
	free(pager.base);
	pager.base = NULL;
	pthread_mutex_unlock(&pager.settings);
}
