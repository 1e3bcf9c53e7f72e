/*
 * Unit tests for sched.c: when a feed is polled next and why (interval,
 * jitter, backoff, adaptive, Retry-After, the publisher's hints, skipped
 * hours and days), and politeness: per-host spacing and deferral,
 * transfer slots, and the callbacks that start waiting polls.
 */
#include "config.h"

#include <time.h>

#include <event2/event.h>

#include "test.h"
#include "conf.h"
#include "sched.h"

#define HOUR	3600L
#define DAY	86400L

/* What the callbacks saw: the args of due and go, in order. */
static struct {
	void	*due[8];
	int	 ndue;
	void	*go[8];
	int	 ngo;
} calls;

static void
on_due(void *arg)
{
	if (calls.ndue < 8)
		calls.due[calls.ndue++] = arg;
}

static void
on_go(void *arg)
{
	if (calls.ngo < 8)
		calls.go[calls.ngo++] = arg;
}

struct fixture {
	struct event_base	*base;
	struct conf		*conf;
	struct feed_state	 st[4];
	struct sched_entry	 se[4];
};

static int
setup_with(void **state, const char *text)
{
	struct fixture	*fx = xcalloc(1, sizeof(*fx));
	char		*cause = NULL;
	int		 i;

	if ((fx->conf = conf_load_string("t.conf", text, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return (-1);
	}
	if ((fx->base = event_base_new()) == NULL)
		return (-1);
	sched_init(fx->base, fx->conf, on_due, on_go);
	for (i = 0; i < 4; i++) {
		fx->se[i].name = i == 0 ? "alpha" : i == 1 ? "beta" :
		    i == 2 ? "gamma" : "delta";
		fx->se[i].interval = HOUR;
		fx->se[i].state = &fx->st[i];
		fx->se[i].arg = &fx->se[i];
	}
	memset(&calls, 0, sizeof(calls));
	*state = fx;
	return (0);
}

static int
setup(void **state)
{
	return (setup_with(state, "[daemon]\nmin_interval = 15m\n"
	    "max_interval = 1d\nhost_delay = 10s\nmax_transfers = 2\n"
	    "max_host_transfers = 1\n"));
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	int		 i;

	for (i = 0; i < 4; i++) {
		sched_dequeue(&fx->se[i]);
		sched_slot_release(&fx->se[i]);
		sched_cancel(&fx->se[i]);
	}
	sched_shutdown();
	event_base_free(fx->base);
	conf_unref(fx->conf);
	free(fx);
	return (0);
}

/* Never polled: now.  Then the interval plus a stable jitter. */
static void
test_interval(void **state)
{
	struct fixture		*fx = *state;
	struct sched_entry	*se = &fx->se[0];
	time_t			 now = 1700000000, t, t2;
	enum reason		 why;

	assert_int_equal(sched_next(se, now, &why), now);
	assert_int_equal(why, REASON_NEW);

	se->state->last_poll = now;
	t = sched_next(se, now, &why);
	assert_int_equal(why, REASON_INTERVAL);
	assert_true(t >= now + HOUR && t <= now + HOUR + HOUR / 10);
	/* A function of the state: a restart gets the same time. */
	assert_int_equal(sched_next(se, now + 5, &why), t);
	/* Another feed polled at the same moment drifts apart. */
	fx->se[1].state->last_poll = now;
	t2 = sched_next(&fx->se[1], now, &why);
	assert_true(t2 >= now + HOUR && t2 <= now + HOUR + HOUR / 10);
	assert_true(t2 != t);
	/* Overdue (down for a day): now, not in the past. */
	assert_int_equal(sched_next(se, now + DAY, &why), now + DAY);
}

/* Failures back off exponentially, capped at a day. */
static void
test_backoff(void **state)
{
	struct fixture		*fx = *state;
	struct sched_entry	*se = &fx->se[0];
	time_t			 now = 1700000000, t;
	enum reason		 why;

	se->interval = 20 * 60;
	se->state->last_poll = now;
	se->state->failures = 1;
	t = sched_next(se, now, &why);
	assert_int_equal(why, REASON_BACKOFF);
	assert_true(t >= now + 40 * 60 && t <= now + 44 * 60);
	se->state->failures = 3;
	t = sched_next(se, now, &why);
	assert_true(t >= now + 160 * 60 && t <= now + 176 * 60);
	se->state->failures = 30;
	t = sched_next(se, now, &why);
	assert_int_equal(why, REASON_BACKOFF);
	assert_true(t >= now + DAY && t <= now + DAY + DAY / 10);
}

/* Adaptive: about as often as it publishes, within min and max. */
static void
test_adaptive(void **state)
{
	struct fixture		*fx = *state;
	struct sched_entry	*se = &fx->se[0];
	time_t			 now = 1700000000, t;
	enum reason		 why;

	se->adaptive = 1;
	se->state->last_poll = now;
	/* Never read successfully: nothing learnt yet. */
	sched_next(se, now, &why);
	assert_int_equal(why, REASON_INTERVAL);
	se->state->last_success = now;
	se->state->weekly = 14;			/* twice a day */
	t = sched_next(se, now, &why);
	assert_int_equal(why, REASON_ADAPTIVE);
	assert_true(t >= now + DAY / 2 && t <= now + DAY / 2 + DAY / 20);
	se->state->weekly = 100000;		/* raised to min_interval */
	t = sched_next(se, now, &why);
	assert_true(t >= now + 15 * 60 && t <= now + 15 * 60 + 90);
	se->state->weekly = 0;			/* silent: max_interval */
	t = sched_next(se, now, &why);
	assert_true(t >= now + DAY && t <= now + DAY + DAY / 10);
}

/* What the server and the publisher ask for, each capped. */
static void
test_hints(void **state)
{
	struct fixture		*fx = *state;
	struct sched_entry	*se = &fx->se[0];
	struct feed_state	*st = se->state;
	time_t			 now = 1700000000;
	enum reason		 why;

	st->last_poll = now;
	st->retry_after = now + 300;		/* sooner than the interval */
	assert_int_equal(sched_next(se, now, &why), now + 300);
	assert_int_equal(why, REASON_RETRY_AFTER);
	st->retry_after = 0;

	st->hints.ttl = 180;			/* minutes */
	assert_int_equal(sched_next(se, now, &why), now + 3 * HOUR);
	assert_int_equal(why, REASON_TTL);
	st->hints.ttl = 100000;			/* capped at max_interval */
	assert_int_equal(sched_next(se, now, &why), now + DAY);
	st->hints.ttl = 0;

	st->hints.sy_seconds = 2 * HOUR;
	assert_int_equal(sched_next(se, now, &why), now + 2 * HOUR);
	assert_int_equal(why, REASON_SY);
	st->hints.sy_seconds = 0;

	st->hints.cache_until = now + 5 * HOUR;
	st->hints.cache_reason = REASON_EXPIRES;
	assert_int_equal(sched_next(se, now, &why), now + 5 * HOUR);
	assert_int_equal(why, REASON_EXPIRES);
	st->hints.cache_until = now + 30 * DAY;	/* capped too */
	assert_int_equal(sched_next(se, now, &why), now + DAY);
	st->hints.cache_until = 0;

	st->gone = 1;
	assert_int_equal(sched_next(se, now, &why), 0);
	assert_int_equal(why, REASON_GONE);
}

/* skipHours and skipDays move the poll out of them (UTC). */
static void
test_skip(void **state)
{
	struct fixture		*fx = *state;
	struct sched_entry	*se = &fx->se[0];
	struct feed_state	*st = se->state;
	time_t			 t, monday = 1700438400;	/* 00:00 UTC */
	struct tm		 tm;
	enum reason		 why;

	st->last_poll = monday - HOUR;
	st->retry_after = monday;		/* due at Monday 00:00 */
	st->hints.skip_hours = 1U << 0 | 1U << 1;
	t = sched_next(se, monday - HOUR, &why);
	assert_int_equal(why, REASON_SKIP_HOURS);
	assert_int_equal(t, monday + 2 * HOUR);
	st->hints.skip_days = 1U << 1;		/* Monday */
	t = sched_next(se, monday - HOUR, &why);
	gmtime_r(&t, &tm);
	assert_int_equal(tm.tm_wday, 2);	/* Tuesday, out of the hours */
	assert_int_equal(tm.tm_hour, 2);
	st->hints.skip_hours = 0;
	assert_int_equal(sched_next(se, monday - HOUR, &why), monday + DAY);
	assert_int_equal(why, REASON_SKIP_DAYS);
	st->hints.skip_days = 0;
	/* Skipping every hour means nothing. */
	st->hints.skip_days = 0;
	st->hints.skip_hours = 0xffffff;
	assert_int_equal(sched_next(se, monday - HOUR, &why), monday);
}

/* Retry-After in seconds or as a date, within a week. */
static void
test_retry_after(void **state)
{
	time_t	now = 1700000000;

	assert_int_equal(sched_retry_after("120", now), now + 120);
	assert_int_equal(sched_retry_after("60 ", now), now + 60);
	assert_int_equal(sched_retry_after("99999999", now), now + 7 * DAY);
	assert_int_equal(sched_retry_after("-5", now), 0);
	assert_int_equal(sched_retry_after("soon", now), 0);
	assert_int_equal(sched_retry_after(NULL, now), 0);
	assert_int_equal(sched_retry_after("Tue, 14 Nov 2023 22:15:20 GMT",
	    now), 1700000120);
	/* A date already past: at once, but not now (a poll just ended). */
	assert_int_equal(sched_retry_after("Tue, 14 Nov 2023 20:00:00 GMT",
	    now), now + 1);
}

/* Cache-Control max-age wins over Expires. */
static void
test_cache_hints(void **state)
{
	struct poll_hints	h;
	time_t			now = 1700000000;

	memset(&h, 0, sizeof(h));
	sched_cache_hints(&h, "public, max-age=600", "Tue, 14 Nov 2023 "
	    "23:13:20 GMT", now);
	assert_int_equal(h.cache_until, now + 600);
	assert_int_equal(h.cache_reason, REASON_MAX_AGE);
	sched_cache_hints(&h, "s-maxage=600", NULL, now);
	assert_int_equal(h.cache_until, 0);
	sched_cache_hints(&h, NULL, "Tue, 14 Nov 2023 23:13:20 GMT", now);
	assert_int_equal(h.cache_until, now + 3600);
	assert_int_equal(h.cache_reason, REASON_EXPIRES);
	sched_cache_hints(&h, "no-cache", "Tue, 14 Nov 2023 20:00:00 GMT",
	    now);
	assert_int_equal(h.cache_until, 0);
}

/* Requests to one host start host_delay apart; a 429 defers the host. */
static void
test_host_spacing(void **state)
{
	struct fixture	*fx = *state;
	time_t		 now = time(NULL);

	sched_set_host(&fx->se[0], xstrdup("a.example"));
	sched_set_host(&fx->se[1], xstrdup("a.example"));
	sched_set_host(&fx->se[2], xstrdup("b.example"));
	assert_int_equal(sched_host_wait(&fx->se[0], now), 0);
	assert_false(fx->se[0].host_wait);
	/* The next waits its turn, its timer armed for it. */
	assert_int_equal(sched_host_wait(&fx->se[1], now), 10);
	assert_true(fx->se[1].host_wait);
	assert_int_equal(fx->st[1].next_reason, REASON_HOST);
	assert_int_equal(fx->st[1].next_poll, now + 10);
	assert_int_equal(sched_wait_reason(&fx->se[1]), REASON_HOST);
	assert_int_equal(sched_host_wait(&fx->se[2], now), 0);
	sched_host_defer("b.example", now + 100);
	assert_int_equal(sched_host_wait(&fx->se[2], now), 100);
	/* Giving up the wait forgets it. */
	sched_dequeue(&fx->se[1]);
	assert_false(fx->se[1].host_wait);
}

/* Transfer slots: per host and in all; waiting polls start in order. */
static void
test_slots(void **state)
{
	struct fixture	*fx = *state;

	sched_set_host(&fx->se[0], xstrdup("a.example"));
	sched_set_host(&fx->se[1], xstrdup("a.example"));
	sched_set_host(&fx->se[2], xstrdup("b.example"));
	sched_set_host(&fx->se[3], xstrdup("c.example"));
	assert_true(sched_slot_take(&fx->se[0]));
	assert_true(sched_slot_take(&fx->se[0]));	/* held already */
	assert_false(sched_slot_take(&fx->se[1]));	/* a.example busy */
	assert_true(fx->se[1].queued);
	assert_int_equal(sched_wait_reason(&fx->se[1]), REASON_QUEUED);
	assert_true(sched_slot_take(&fx->se[2]));
	assert_false(sched_slot_take(&fx->se[3]));	/* two in all */

	sched_slot_release(&fx->se[0]);	/* a.example's turn, then full */
	assert_int_equal(calls.ngo, 1);
	assert_ptr_equal(calls.go[0], &fx->se[1]);
	assert_true(fx->se[1].has_slot);
	assert_false(fx->se[1].queued);
	assert_true(fx->se[3].queued);
	sched_slot_release(&fx->se[2]);
	assert_int_equal(calls.ngo, 2);
	assert_ptr_equal(calls.go[1], &fx->se[3]);
	assert_int_equal(calls.ndue, 0);
}

/* Bodies waiting to be stored hold new transfers back. */
static void
test_store_budget(void **state)
{
	struct fixture	*fx = *state;

	sched_store_begin(64 * 1024 * 1024);
	assert_false(sched_slot_take(&fx->se[0]));
	sched_store_end(64 * 1024 * 1024);
	assert_int_equal(calls.ngo, 1);
	assert_true(fx->se[0].has_slot);
}

/* A timer calls due; one waiting for its host's turn calls go. */
static void
test_timers(void **state)
{
	struct fixture	*fx = *state;
	time_t		 now = time(NULL);

	sched_arm(&fx->se[0], now - 5, REASON_INTERVAL);
	event_base_loop(fx->base, EVLOOP_ONCE);
	assert_int_equal(calls.ndue, 1);
	assert_ptr_equal(calls.due[0], &fx->se[0]);

	sched_set_host(&fx->se[1], xstrdup("a.example"));
	sched_set_host(&fx->se[2], xstrdup("a.example"));
	sched_host_wait(&fx->se[1], now);
	assert_true(sched_host_wait(&fx->se[2], now - 10) > 0);
	sched_arm(&fx->se[2], now - 1, REASON_HOST);	/* its turn came */
	event_base_loop(fx->base, EVLOOP_ONCE);
	assert_int_equal(calls.ngo, 1);
	assert_ptr_equal(calls.go[0], &fx->se[2]);
	assert_false(fx->se[2].host_wait);

	/* Rescheduled from the state; a gone feed gets no timer. */
	fx->st[3].last_poll = now;
	sched_reschedule(&fx->se[3]);
	assert_int_equal(fx->st[3].next_reason, REASON_INTERVAL);
	assert_true(fx->st[3].next_poll >= now + HOUR);
	fx->st[3].gone = 1;
	sched_reschedule(&fx->se[3]);
	assert_int_equal(fx->st[3].next_reason, REASON_GONE);
	assert_int_equal(fx->st[3].next_poll, 0);
}

/* The configuration's limits apply once configured, on reload too. */
static void
test_configure(void **state)
{
	struct fixture	*fx = *state;
	struct conf	*conf;
	char		*cause = NULL;

	conf = conf_load_string("t.conf", "[daemon]\nmax_transfers = 1\n"
	    "host_delay = 0\n", &cause);
	assert_non_null(conf);
	sched_configure(conf);
	sched_set_host(&fx->se[0], xstrdup("a.example"));
	sched_set_host(&fx->se[1], xstrdup("a.example"));
	assert_int_equal(sched_host_wait(&fx->se[0], time(NULL)), 0);
	assert_int_equal(sched_host_wait(&fx->se[1], time(NULL)), 0);
	assert_true(sched_slot_take(&fx->se[2]));
	assert_false(sched_slot_take(&fx->se[3]));
	conf_unref(conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_interval, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adaptive, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip, setup, teardown),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_cache_hints),
		cmocka_unit_test_setup_teardown(test_host_spacing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_budget, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_timers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configure, setup,
		    teardown),
	};

	log_init("test-sched", LOG_TO_STDERR, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
