/*
 * sched.c: when each feed is polled next.  One libevent timer per feed.
 *
 * The next poll is the last one plus the feed's interval (never below
 * min_interval), plus up to 10% random jitter so that feeds configured
 * together drift apart, and doubled per consecutive failure up to a day.
 * The time is kept in the feed's state, which the worker persists, so a
 * restart polls nothing early.
 */
#include "config.h"

#include <stdlib.h>

#include <event2/event.h>

#include "feedmux.h"

#define SCHED_BACKOFF_CAP	86400

static void	sched_fire(evutil_socket_t, short, void *);

/* The period to wait after a poll with this many consecutive failures. */
static long
sched_period(const struct feed *f, int failures)
{
	long	period = f->interval;
	int	i;

	for (i = 0; i < failures && period < SCHED_BACKOFF_CAP; i++)
		period *= 2;
	if (failures > 0 && period > SCHED_BACKOFF_CAP)
		period = SCHED_BACKOFF_CAP;
	return (period > f->interval ? period : f->interval);
}

/*
 * When to poll f next, given the time now.  fresh is set right after a
 * poll (pick a new jittered time); otherwise a stored time is kept if it
 * is still consistent with the interval.
 */
time_t
sched_next(const struct feed *f, time_t now, int fresh)
{
	const struct feed_state	*st = &f->state;
	long			 period;
	time_t			 next;

	if (st->last_poll == 0)
		return (now);
	period = sched_period(f, st->failures);
	if (!fresh && st->next_poll > st->last_poll &&
	    st->next_poll <= st->last_poll + period + period / 10)
		next = st->next_poll;
	else
		next = st->last_poll + period + random() % (period / 10 + 1);
	return (next > now ? next : now);
}

void
sched_arm(struct feed *f, time_t when)
{
	struct timeval	tv;
	time_t		now = time(NULL);

	if (f->timer == NULL)
		f->timer = evtimer_new(ev_base, sched_fire, f);
	f->state.next_poll = when;
	tv.tv_sec = when > now ? when - now : 0;
	tv.tv_usec = 0;
	evtimer_add(f->timer, &tv);
}

void
sched_cancel(struct feed *f)
{
	if (f->timer != NULL) {
		event_free(f->timer);
		f->timer = NULL;
	}
}

static void
sched_fire(evutil_socket_t fd, short events, void *arg)
{
	feed_poll(arg);
}
