/*
 * Unit tests for worker.c and job.c: jobs run on the worker thread in
 * order and come back to the loop thread; a store job parses and stores,
 * a failed parse or store is recorded as such, a sync job renders every
 * tag, a prune job applies retention, and changed tags are rendered.
 */
#include "config.h"

#include <event2/event.h>
#include <event2/thread.h>

#include "test.h"
#include "conf.h"
#include "db.h"
#include "job.h"
#include "render.h"
#include "store-fixture.h"
#include "worker.h"

static const char conf_text[] =
    "[daemon]\nkeep_entries = 0\n"
    "[feed a]\nurl = http://a.example/\ntags = news, world\n"
    "[feed b]\nurl = http://b.example/\ntags = world\n";

#define RSS(items) "<rss version=\"2.0\"><channel><title>T</title>" \
	items "</channel></rss>"
#define ITEM(id) "<item><guid>" id "</guid><title>" id "</title></item>"

struct fixture {
	struct store_fixture	 store;
	struct event_base	*base;
	struct event		*timeout;

	/* What came back, in order. */
	struct job		*done[16];
	int			 ndone;
	int			 nrendered;	/* render jobs */
	char			 rendered[256];	/* their tags */
};

static struct fixture	*fx_now;	/* for the callbacks */

static void
on_done(struct job *job, void *arg)
{
	struct fixture	*fx = arg;

	/* Keep a copy of what the test reads; the worker frees the job. */
	struct job	*keep = xcalloc(1, sizeof(*keep));

	keep->type = job->type;
	keep->seq = job->seq;
	keep->render_pending = job->render_pending;
	keep->counts = job->counts;
	keep->nbodies = job->nbodies;
	keep->pruned = job->pruned;
	keep->nnames = job->nnames;
	feed_state_copy(&keep->state, &job->state);
	if (fx->ndone < 16)
		fx->done[fx->ndone++] = keep;
	else
		fail_msg("too many jobs");
}

static void
on_rendered(struct job *job, void *arg)
{
	struct fixture	*fx = fx_now;
	size_t		 i;

	fx->nrendered++;
	for (i = 0; i < job->nbodies; i++) {
		strncat(fx->rendered, job->bodies[i]->tag,
		    sizeof(fx->rendered) - strlen(fx->rendered) - 2);
		strcat(fx->rendered, " ");
	}
}

static void
on_timeout(evutil_socket_t fd, short events, void *arg)
{
	fail_msg("jobs did not come back in time");
}

/* Run the loop until *count reaches n (a timeout fails the test). */
static void
wait_for(struct fixture *fx, int *count, int n)
{
	struct timeval	tv = { 20, 0 };

	evtimer_add(fx->timeout, &tv);
	while (*count < n)
		event_base_loop(fx->base, EVLOOP_ONCE);
	evtimer_del(fx->timeout);
}

/* Until n jobs came back. */
static void
wait_done(struct fixture *fx, int n)
{
	wait_for(fx, &fx->ndone, n);
}

static int
setup_with(void **state, const char *text)
{
	struct fixture	*fx = xcalloc(1, sizeof(*fx));

	*state = fx;
	if (store_fixture_open(&fx->store, text) != 0 ||
	    (fx->base = event_base_new()) == NULL)
		return (-1);
	fx->timeout = evtimer_new(fx->base, on_timeout, NULL);
	job_configure(fx->store.conf);
	fx_now = fx;
	return (worker_start(fx->base, fx->store.db, on_rendered));
}

static int
setup(void **state)
{
	return (setup_with(state, conf_text));
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	int		 i, rv;

	worker_stop();
	for (i = 0; i < fx->ndone; i++) {
		feed_state_clear(&fx->done[i]->state);
		free(fx->done[i]);
	}
	event_free(fx->timeout);
	event_base_free(fx->base);
	rv = store_fixture_close(&fx->store);
	free(fx);
	return (rv);
}

static struct job *
store_job(struct fixture *fx, const char *feed, const char *body)
{
	struct job	*job;

	job = job_new(JOB_STORE, feed, on_done, fx);
	buf_addstr(&job->body, body);
	xasprintf(&job->url, "http://%s.example/", feed);
	job->state.last_poll = time(NULL);
	job->state.etag = xstrdup("\"e1\"");
	return (job);
}

/* Jobs come back in order, stored; changed tags are rendered. */
static void
test_store(void **state)
{
	struct fixture		*fx = *state;
	struct job		*job;
	struct feed_state	 st;

	worker_submit(store_job(fx, "a", RSS(ITEM("a1") ITEM("a2"))));
	worker_submit(store_job(fx, "b", RSS(ITEM("b1"))));
	job = job_new(JOB_STATE, "b", on_done, fx);
	job->state.last_poll = 12345;
	job->state.http_status = 304;
	worker_submit(job);
	wait_done(fx, 3);
	assert_int_equal(fx->done[0]->type, JOB_STORE);
	assert_int_equal(fx->done[0]->counts.added, 2);
	assert_int_equal(fx->done[0]->state.stage, STAGE_NONE);
	assert_int_equal(fx->done[0]->state.last_success,
	    fx->done[0]->state.last_poll);
	assert_int_equal(fx->done[1]->counts.added, 1);
	assert_true(fx->done[0]->seq < fx->done[1]->seq);
	assert_true(fx->done[1]->seq < fx->done[2]->seq);
	/* New entries changed tags, poll state alone did not. */
	assert_true(fx->done[0]->render_pending);
	assert_true(fx->done[1]->render_pending);
	assert_false(fx->done[2]->render_pending);
	/* The tags whose entries changed are rendered. */
	wait_for(fx, &fx->nrendered, 1);
	assert_non_null(strstr(fx->rendered, "news "));
	assert_non_null(strstr(fx->rendered, "world "));

	worker_stop();		/* the database is ours again */
	memset(&st, 0, sizeof(st));
	assert_int_equal(db_state_load(fx->store.db, "b", &st), 0);
	assert_int_equal(st.last_poll, 12345);
	assert_int_equal(st.http_status, 304);
	feed_state_clear(&st);
	assert_int_equal(db_state_load(fx->store.db, "a", &st), 0);
	assert_int_equal(st.entries, 2);
	assert_string_equal(st.etag, "\"e1\"");
	feed_state_clear(&st);
}

/* A body that is no feed fails at the parse stage, without validators. */
static void
test_parse_failure(void **state)
{
	struct fixture	*fx = *state;

	worker_submit(store_job(fx, "a", "<html><body>no feed</body></html>"));
	wait_done(fx, 1);
	assert_int_equal(fx->done[0]->state.stage, STAGE_PARSE);
	assert_non_null(strstr(fx->done[0]->state.error, "not a feed"));
	assert_int_equal(fx->done[0]->state.failures, 1);
	/* A 304 next time would hide the failure. */
	assert_null(fx->done[0]->state.etag);
	assert_int_equal(fx->done[0]->counts.added, 0);
}

/* A sync job applies a configuration and renders every tag. */
static void
test_sync(void **state)
{
	struct fixture	*fx = *state;
	struct conf	*conf;
	struct job	*job;
	char		*cause = NULL;

	conf = conf_load_string("t.conf", "[feed a]\nurl = http://a.example/\n"
	    "tags = news, world, extra\n", &cause);
	assert_non_null(conf);
	job = job_new(JOB_SYNC, NULL, on_done, fx);
	job->conf = conf;	/* the job's reference */
	job_set_tags(job, conf->tags, conf->ntags);
	worker_submit(job);
	wait_done(fx, 1);
	assert_int_equal(fx->done[0]->type, JOB_SYNC);
	assert_null(fx->done[0]->state.error);
	assert_int_equal(fx->done[0]->nbodies, 3 * RENDER_NFORMATS);
}

/* A prune job applies each feed's retention. */
static void
test_prune(void **state)
{
	struct fixture	*fx = *state;

	worker_submit(store_job(fx, "a", RSS(ITEM("a1") ITEM("a2")
	    ITEM("a3"))));
	worker_submit(job_new(JOB_PRUNE, "a", on_done, fx));
	wait_done(fx, 2);
	assert_int_equal(fx->done[1]->type, JOB_PRUNE);
	assert_int_equal(fx->done[1]->pruned, 2);
	assert_int_equal(fx->done[1]->nnames, 1);
	/* Its reply waits for the render that no longer shows them. */
	assert_true(fx->done[1]->render_pending);

	/* Nothing more to prune: nothing to wait for. */
	worker_submit(job_new(JOB_PRUNE, "a", on_done, fx));
	wait_done(fx, 3);
	assert_int_equal(fx->done[2]->pruned, 0);
	assert_false(fx->done[2]->render_pending);
}

static int
setup_prune(void **state)
{
	return (setup_with(state, "[daemon]\nkeep_entries = 1\n"
	    "[feed a]\nurl = http://a.example/\ntags = news\n"));
}

/* A full database fails the poll at the store stage, with its words. */
static void
test_store_full(void **state)
{
	struct fixture	*fx = *state;
	struct buf	 big;
	int		 i;

	buf_init(&big);
	buf_addstr(&big, "<rss version=\"2.0\"><channel><title>T</title>");
	for (i = 0; i < 400; i++) {
		buf_addstr(&big, "<item><guid>big");
		buf_add(&big, &"0123456789"[i % 10], 1);
		buf_add(&big, &"0123456789"[i / 10 % 10], 1);
		buf_add(&big, &"0123456789"[i / 100], 1);
		buf_addstr(&big, "</guid><description>");
		buf_addstr(&big, "many words that take room in the database "
		    "many words that take room in the database many words "
		    "that take room in the database</description></item>");
	}
	buf_addstr(&big, "</channel></rss>");
	worker_submit(store_job(fx, "a", big.data));
	buf_free(&big);
	wait_done(fx, 1);
	assert_int_equal(fx->done[0]->state.stage, STAGE_STORE);
	assert_non_null(strstr(fx->done[0]->state.error, "full"));
	assert_int_equal(fx->done[0]->counts.added, 0);
}

static int
setup_full(void **state)
{
	return (setup_with(state, "[daemon]\nmax_database_size = 120K\n"
	    "[feed a]\nurl = http://a.example/\ntags = news\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_failure, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup_prune,
		    teardown),
		cmocka_unit_test_setup_teardown(test_store_full, setup_full,
		    teardown),
	};

	log_init("test-worker", LOG_TO_STDERR, 0);
	/* The worker wakes the loop from its own thread. */
	if (evthread_use_pthreads() != 0)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
