/*
 * Unit tests for feed.c: what a finished transfer means for a feed
 * (feed_classify: success, 304, errors, 410, 429 and 503 with
 * Retry-After, cache hints, permanent redirects watched then adopted),
 * the feed list following the configuration, and counts.
 */
#include "config.h"

#include <time.h>

#include <event2/event.h>

#include "test.h"
#include "conf.h"
#include "feed.h"
#include "fetch.h"
#include "job.h"
#include "sched.h"

#define HOUR	3600L
#define DAY	86400L

static const char conf_text[] =
    "[daemon]\nredirect_window = 1d\nhost_delay = 0\n"
    "[feed a]\nurl = http://a.example/feed\ntags = t\ninterval = 1h\n"
    "[feed b]\nurl = http://a.example/other\ntags = t, u\n"
    "[feed c]\nurl = https://c.example/feed.atom\n";

/* The feeds the changed callback was told of (NULL: counts). */
static struct {
	struct feed	*seen[8];
	int		 n;
} changed;

static void
on_changed(struct feed *f)
{
	if (changed.n < 8)
		changed.seen[changed.n++] = f;
}

struct fixture {
	struct event_base	*base;
	struct conf		*conf;
};

static int
setup(void **state)
{
	struct fixture	*fx = xcalloc(1, sizeof(*fx));
	char		*cause = NULL;

	if ((fx->conf = conf_load_string("t.conf", conf_text,
	    &cause)) == NULL || (fx->base = event_base_new()) == NULL)
		return (-1);
	feed_init(fx->base, fx->conf, on_changed);
	feed_apply_conf(fx->conf, NULL);
	memset(&changed, 0, sizeof(changed));
	*state = fx;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;

	feed_free_all();
	sched_shutdown();
	event_base_free(fx->base);
	conf_unref(fx->conf);
	free(fx);
	return (0);
}

/* A transfer's result as fetch.c would hand it over. */
static void
result(struct fetch_result *res, int ok, long status, const char *body)
{
	memset(res, 0, sizeof(*res));
	res->ok = ok;
	res->http_status = status;
	buf_init(&res->body);
	if (body != NULL)
		buf_addstr(&res->body, body);
	if (!ok)
		res->error = xstrdup("Could not resolve host: a.example");
}

/* Adopt a job's state as feed_stored does, and let it go. */
static void
adopt(struct feed *f, struct job *job)
{
	feed_state_copy(&f->state, &job->state);
	job_free(job);
}

/* A 200: the body goes to the worker with validators and counters. */
static void
test_success(void **state)
{
	struct feed		*f = feed_find("a");
	struct fetch_result	 res;
	struct job		*job;
	struct feed_state	*st;
	time_t			 now = 1700000000;

	result(&res, 1, 200, "<rss/>");
	res.etag = xstrdup("\"v1\"");
	res.last_modified = xstrdup("Tue, 14 Nov 2023 22:00:00 GMT");
	res.charset = xstrdup("iso-8859-1");
	res.effective_url = xstrdup("http://a.example/feed");
	res.cache_control = xstrdup("max-age=7200");
	job = feed_classify(f, &res, now);
	st = &job->state;
	assert_int_equal(job->type, JOB_STORE);
	assert_string_equal(job->feed, "a");
	assert_string_equal(job->body.data, "<rss/>");
	assert_null(res.body.data);		/* moved, not copied */
	assert_int_equal(job->store_bytes, 6);
	assert_string_equal(job->url, "http://a.example/feed");
	assert_string_equal(job->charset, "iso-8859-1");
	assert_string_equal(st->etag, "\"v1\"");
	assert_string_equal(st->last_modified, "Tue, 14 Nov 2023 22:00:00 "
	    "GMT");
	assert_int_equal(st->last_poll, now);
	assert_int_equal(st->last_full, now);
	assert_int_equal(st->http_status, 200);
	assert_int_equal(st->requests, 1);
	assert_int_equal(st->conditional, 0);
	assert_int_equal(st->bytes_received, 6);
	assert_int_equal(st->last_body_size, 6);
	/* max-age beyond the interval decides the next poll. */
	assert_int_equal(st->hints.cache_until, now + 7200);
	assert_int_equal(st->next_poll, now + 7200);
	assert_int_equal(st->next_reason, REASON_MAX_AGE);
	/* The feed itself changes only when the worker's answer comes. */
	assert_int_equal(f->state.last_poll, 0);
	fetch_result_free(&res);
	adopt(f, job);
}

/* A 304: state only; validators kept unless new ones came. */
static void
test_not_modified(void **state)
{
	struct feed		*f = feed_find("a");
	struct fetch_result	 res;
	struct job		*job;
	struct feed_state	*st;
	time_t			 now = 1700000000;

	f->state.etag = xstrdup("\"v1\"");
	f->state.last_modified = xstrdup("Tue, 14 Nov 2023 22:00:00 GMT");
	f->state.last_body_size = 5000;
	f->state.failures = 2;
	f->state.stage = STAGE_HTTP;
	f->state.error = xstrdup("HTTP status 500");
	f->sent_validators = 1;
	result(&res, 1, 304, NULL);
	res.etag = xstrdup("\"v2\"");
	job = feed_classify(f, &res, now);
	st = &job->state;
	assert_int_equal(job->type, JOB_STATE);
	assert_int_equal(st->stage, STAGE_NONE);
	assert_null(st->error);
	assert_int_equal(st->failures, 0);
	assert_int_equal(st->last_success, now);
	assert_int_equal(st->not_modified, 1);
	assert_int_equal(st->conditional, 1);
	assert_int_equal(st->bytes_saved, 5000);
	assert_string_equal(st->etag, "\"v2\"");
	assert_string_equal(st->last_modified, "Tue, 14 Nov 2023 22:00:00 "
	    "GMT");
	assert_int_equal(st->next_reason, REASON_INTERVAL);
	assert_true(st->next_poll >= now + HOUR);
	fetch_result_free(&res);
	adopt(f, job);
}

/* Errors are data: a stage, a message, a count, and backoff. */
static void
test_errors(void **state)
{
	struct feed		*f = feed_find("a");
	struct fetch_result	 res;
	struct job		*job;
	time_t			 now = 1700000000;

	result(&res, 0, 0, NULL);
	job = feed_classify(f, &res, now);
	assert_int_equal(job->type, JOB_STATE);
	assert_int_equal(job->state.stage, STAGE_FETCH);
	assert_string_equal(job->state.error, "Could not resolve host: "
	    "a.example");
	assert_int_equal(job->state.failures, 1);
	assert_int_equal(job->state.next_reason, REASON_BACKOFF);
	assert_true(job->state.next_poll >= now + 2 * HOUR);
	fetch_result_free(&res);
	adopt(f, job);

	result(&res, 1, 500, "oops");
	job = feed_classify(f, &res, now);
	assert_int_equal(job->type, JOB_STATE);	/* the body is not stored */
	assert_int_equal(job->state.stage, STAGE_HTTP);
	assert_string_equal(job->state.error, "HTTP status 500");
	assert_int_equal(job->state.failures, 2);
	assert_int_equal(job->state.http_status, 500);
	fetch_result_free(&res);
	adopt(f, job);
}

/* 410: no more polls until resumed. */
static void
test_gone(void **state)
{
	struct feed		*f = feed_find("c");
	struct fetch_result	 res;
	struct job		*job;

	result(&res, 1, 410, NULL);
	job = feed_classify(f, &res, 1700000000);
	assert_true(job->state.gone);
	assert_non_null(strstr(job->state.error, "feedmuxctl resume c"));
	assert_int_equal(job->state.next_reason, REASON_GONE);
	assert_int_equal(job->state.next_poll, 0);
	fetch_result_free(&res);
	job_free(job);
}

/* 429 and 503 honour Retry-After; a 429 holds back the whole host. */
static void
test_retry_after(void **state)
{
	struct feed		*a = feed_find("a"), *b = feed_find("b");
	struct fetch_result	 res;
	struct job		*job;
	time_t			 now = time(NULL);

	result(&res, 1, 503, NULL);
	res.retry_after = xstrdup("300");
	job = feed_classify(a, &res, now);
	assert_int_equal(job->state.retry_after, now + 300);
	assert_int_equal(job->state.next_poll, now + 300);
	assert_int_equal(job->state.next_reason, REASON_RETRY_AFTER);
	assert_string_equal(job->state.error, "HTTP status 503, "
	    "Retry-After 300");
	/* A 503 is about this feed: its host's other feeds go on. */
	assert_int_equal(sched_host_wait(&b->sched, now), 0);
	fetch_result_free(&res);
	job_free(job);

	result(&res, 1, 429, NULL);
	res.retry_after = xstrdup("120");
	job = feed_classify(a, &res, now);
	assert_int_equal(job->state.next_poll, now + 120);
	assert_int_equal(sched_host_wait(&b->sched, now), 120);
	sched_dequeue(&b->sched);
	fetch_result_free(&res);
	job_free(job);
}

/* A permanent redirect is adopted only once it lasted redirect_window. */
static void
test_redirects(void **state)
{
	struct feed		*f = feed_find("c");
	struct fetch_result	 res;
	struct job		*job;
	time_t			 now = 1700000000;

	result(&res, 1, 200, "<rss/>");
	res.effective_url = xstrdup("https://new.example/feed.atom");
	res.redirects = 1;
	res.permanent = 1;
	job = feed_classify(f, &res, now);
	assert_string_equal(job->state.pending_url,
	    "https://new.example/feed.atom");
	assert_int_equal(job->state.pending_since, now);
	assert_null(job->state.adopted_url);
	assert_string_equal(job->url, "https://new.example/feed.atom");
	fetch_result_free(&res);
	adopt(f, job);

	result(&res, 1, 200, "<rss/>");
	res.effective_url = xstrdup("https://new.example/feed.atom");
	res.redirects = 1;
	res.permanent = 1;
	job = feed_classify(f, &res, now + DAY);
	assert_string_equal(job->state.adopted_url,
	    "https://new.example/feed.atom");
	assert_null(job->state.pending_url);
	assert_string_equal(f->sched.host, "new.example");
	fetch_result_free(&res);
	adopt(f, job);
	assert_string_equal(feed_url(f), "https://new.example/feed.atom");

	/* A temporary redirect is never adopted, and ends a pending one. */
	f = feed_find("b");
	f->state.pending_url = xstrdup("http://b2.example/");
	f->state.pending_since = now;
	result(&res, 1, 200, "<rss/>");
	res.effective_url = xstrdup("http://b3.example/");
	res.redirects = 1;
	job = feed_classify(f, &res, now + 2 * DAY);
	assert_null(job->state.pending_url);
	assert_null(job->state.adopted_url);
	fetch_result_free(&res);
	adopt(f, job);
}

/* The feed list follows the configuration; the callback hears of it. */
static void
test_apply_conf(void **state)
{
	struct conf		*conf;
	struct feed		*f;
	struct feed_counts	 c;
	char			*cause = NULL;
	int			 n = 0;

	for (f = feed_first(); f != NULL; f = feed_next(f))
		n++;
	assert_int_equal(n, 3);
	f = feed_find("a");
	assert_int_equal(f->sched.interval, HOUR);
	assert_string_equal(f->sched.host, "a.example");
	assert_int_equal(f->ntags, 1);
	f->state.etag = xstrdup("\"old\"");
	f->state.entries = 7;
	feed_counts(&c);
	assert_int_equal(c.feeds, 3);
	assert_int_equal(c.new, 3);
	assert_int_equal(c.entries, 7);
	assert_string_equal(feed_result(f), "new");

	conf = conf_load_string("t.conf", "[feed a]\n"
	    "url = http://elsewhere.example/feed\ninterval = 2h\n"
	    "[feed d]\nurl = http://d.example/\n", &cause);
	assert_non_null(conf);
	feed_apply_conf(conf, NULL);
	/* A new URL is another resource: validators mean nothing. */
	assert_null(f->state.etag);
	assert_string_equal(f->sched.host, "elsewhere.example");
	assert_int_equal(f->sched.interval, 2 * HOUR);
	assert_int_equal(f->ntags, 0);
	assert_null(feed_find("b"));
	assert_null(feed_find("c"));
	assert_non_null(feed_find("d"));
	assert_int_equal(changed.n, 2);		/* b and c went */
	conf_unref(conf);
}

/*
 * enabled = no: a poll waiting for its host's turn is dropped at once,
 * none starts again, and the scheduler says why.  A section's request
 * settings are the feed's, replaced by a reload.
 */
static void
test_disable(void **state)
{
	struct conf	*conf;
	struct feed	*a, *b;
	char		*cause = NULL;

	conf = conf_load_string("t.conf", "[daemon]\nhost_delay = 1h\n"
	    "user_agent = d/1\n"
	    "[feed a]\nurl = http://a.example/feed\nuser_agent = a/1\n"
	    "header = X-Key: one\n"
	    "[feed b]\nurl = http://a.example/other\n", &cause);
	assert_non_null(conf);
	feed_apply_conf(conf, NULL);
	conf_unref(conf);
	a = feed_find("a");
	b = feed_find("b");
	assert_true(a->enabled && b->enabled);
	assert_string_equal(a->user_agent, "a/1");
	assert_string_equal(b->user_agent, "d/1");
	assert_int_equal(a->nheaders, 1);
	assert_string_equal(a->headers[0], "X-Key: one");
	assert_null(a->username);

	/* a takes the host's turn; b's poll waits an hour for it. */
	assert_int_equal(sched_host_wait(&a->sched, time(NULL)), 0);
	assert_int_equal(feed_poll(b), 0);
	assert_true(b->busy && b->sched.host_wait);
	assert_int_equal(b->refs, 2);

	conf = conf_load_string("t.conf", "[daemon]\nhost_delay = 1h\n"
	    "[feed a]\nurl = http://a.example/feed\nheader = X-Key: two\n"
	    "[feed b]\nurl = http://a.example/other\nenabled = no\n",
	    &cause);
	assert_non_null(conf);
	changed.n = 0;
	feed_apply_conf(conf, NULL);
	conf_unref(conf);
	assert_false(b->enabled);
	assert_false(b->busy || b->sched.host_wait);
	assert_int_equal(b->refs, 1);
	assert_int_equal(b->polls_done, b->polls_started);
	assert_int_equal(changed.n, 1);
	assert_int_equal(b->state.next_reason, REASON_DISABLED);
	assert_int_equal(b->state.next_poll, 0);
	assert_int_equal(feed_poll(b), -1);
	assert_string_equal(a->headers[0], "X-Key: two");
	assert_true(strncmp(a->user_agent, "feedmux/", 8) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_success, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_modified, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_after, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_redirects, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_apply_conf, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_disable, setup, teardown),
	};

	log_init("test-feed", LOG_TO_STDERR, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
