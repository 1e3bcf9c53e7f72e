/*
 * sched.c: when each feed is polled next, and politeness per host.
 *
 * One libevent timer per feed.  The next poll is a pure function of the
 * feed's persisted state, so a restart never polls early:
 *
 *   last poll + period + jitter, where the period is the feed's interval
 *   (never below min_interval), or what adaptive mode learnt from how often
 *   it publishes, or exponential backoff after failures (capped at a day);
 *   then never before what the publisher asked for: Retry-After, RSS ttl,
 *   sy:updatePeriod/updateFrequency, Cache-Control max-age, Expires (each
 *   capped at max_interval, so that no hint freezes a feed); then moved out
 *   of RSS skipHours and skipDays.
 *
 * The jitter (up to a tenth of the period) is derived from the feed's name
 * and last poll, so feeds configured together drift apart, yet the same
 * state always gives the same time.
 *
 * Hosts: requests to one host start at least host_delay apart (each
 * waiting feed reserves the next slot, so a thousand feeds on one host do
 * not wake together), and a 429 with Retry-After defers every feed of that
 * host.
 *
 * The scheduler works on each feed's struct sched_entry and calls the
 * feed only through the due and go callbacks given to sched_init.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "conf.h"
#include "date.h"
#include "sched.h"
#include "util.h"
#include "xmalloc.h"

#define SCHED_BACKOFF_CAP	86400
#define SCHED_RETRY_CAP		(7 * 86400)

struct host {
	char			*name;
	time_t			 next_start;	/* earliest next request */
	time_t			 deferred_until;	/* after a 429 */
	int			 active;	/* transfers running */
	TAILQ_ENTRY(host)	 entry;
};
static TAILQ_HEAD(, host)	hosts = TAILQ_HEAD_INITIALIZER(hosts);
static struct strmap		host_index;	/* name -> host */

/*
 * Polls waiting for a transfer slot (max_transfers in all, at most
 * max_host_transfers per host), first come first served.  Slots are ours,
 * not curl's: a transfer queued inside curl would have its timeout running
 * while it waits.
 */
static TAILQ_HEAD(, sched_entry) queue = TAILQ_HEAD_INITIALIZER(queue);
static int			active;
static size_t			store_bytes;	/* bodies queued to store */

/* The loop, the callbacks, and what the configuration says. */
static struct {
	struct event_base	*base;
	sched_cb		 due;		/* a timer fired: poll */
	sched_cb		 go;		/* a waiting poll may start */
	long			 min_interval;
	long			 max_interval;
	long			 host_delay;
	long			 max_transfers;
	long			 max_host_transfers;
} sched;

/*
 * Fetched bodies may wait for the worker up to this many bytes: enough
 * for the worker to always have a batch while the next is fetched, few
 * enough to bound memory whatever the feeds' sizes.
 */
#define SCHED_STORE_BUDGET	(64 * 1024 * 1024)

static void	sched_fire(evutil_socket_t, short, void *);
static void	sched_slots_kick(void);

/* Start scheduling on base; due and go get the arg of each entry. */
void
sched_init(struct event_base *base, const struct conf *conf, sched_cb due,
    sched_cb go)
{
	sched.base = base;
	sched.due = due;
	sched.go = go;
	sched_configure(conf);
}

/* Settings the scheduler takes from a configuration. */
void
sched_configure(const struct conf *conf)
{
	sched.min_interval = conf->min_interval;
	sched.max_interval = conf->max_interval;
	sched.host_delay = conf->host_delay;
	sched.max_transfers = conf->max_transfers;
	sched.max_host_transfers = conf->max_host_transfers;
}

/* The host that se's polls go to (taken; NULL: none, no politeness). */
void
sched_set_host(struct sched_entry *se, char *host)
{
	free(se->host);
	se->host = host;
}

/* The period after the last poll, and why. */
static long
sched_period(const struct sched_entry *se, enum reason *why)
{
	const struct feed_state	*st = se->state;
	long			 period = se->interval, p;
	int			 i;

	*why = REASON_INTERVAL;
	if (se->adaptive && st->last_success != 0) {
		/* Poll about as often as it publishes (Miniflux's idea). */
		p = st->weekly > 0 ? 7 * 86400 / st->weekly :
		    sched.max_interval;
		if (p < sched.min_interval)
			p = sched.min_interval;
		if (p > sched.max_interval)
			p = sched.max_interval;
		period = p;
		*why = REASON_ADAPTIVE;
	}
	if (st->failures > 0) {
		p = se->interval;
		for (i = 0; i < st->failures && p < SCHED_BACKOFF_CAP; i++)
			p *= 2;
		if (p > SCHED_BACKOFF_CAP)
			p = SCHED_BACKOFF_CAP;
		if (p >= period) {
			period = p;
			*why = REASON_BACKOFF;
		}
	}
	return (period);
}

/* Raise *next to t (for reason r) if t is later. */
static void
sched_floor(time_t *next, enum reason *why, time_t t, enum reason r)
{
	if (t > *next) {
		*next = t;
		*why = r;
	}
}

/* Move next out of the hours and days the feed asks us to skip (UTC). */
static void
sched_skip(const struct poll_hints *h, time_t *next, enum reason *why)
{
	struct tm	tm;
	int		i;

	/* A feed that skips every hour or day means nothing by it. */
	if ((h->skip_hours & 0xffffff) == 0xffffff || (h->skip_days & 0x7f) ==
	    0x7f)
		return;
	for (i = 0; i < 8 * 24; i++) {
		if (gmtime_r(next, &tm) == NULL)
			return;
		if (h->skip_days & (1U << tm.tm_wday)) {
			*next += 86400 - (tm.tm_hour * 3600 + tm.tm_min * 60 +
			    tm.tm_sec);
			*why = REASON_SKIP_DAYS;
		} else if (h->skip_hours & (1U << tm.tm_hour)) {
			*next += 3600 - (tm.tm_min * 60 + tm.tm_sec);
			*why = REASON_SKIP_HOURS;
		} else
			return;
	}
}

/*
 * When to poll se next, at the earliest now, and why (*why): a function
 * of the feed's state alone, so that a restart gives the same answer.
 */
time_t
sched_next(const struct sched_entry *se, time_t now, enum reason *why)
{
	const struct feed_state	*st = se->state;
	const struct poll_hints	*h = &st->hints;
	long			 period, cap;
	time_t			 next;
	uint64_t		 seed;

	if (se->disabled) {
		*why = REASON_DISABLED;
		return (0);
	}
	if (st->gone) {
		*why = REASON_GONE;
		return (0);
	}
	if (st->last_poll == 0) {
		*why = REASON_NEW;
		return (now);
	}
	cap = sched.max_interval;
	if (st->retry_after > st->last_poll) {
		/* The server said when; backoff does not apply. */
		next = st->retry_after;
		*why = REASON_RETRY_AFTER;
	} else {
		period = sched_period(se, why);
		seed = util_hash64(se->name, strlen(se->name), 0);
		seed = util_hash64(&st->last_poll, sizeof(st->last_poll), seed);
		next = st->last_poll + period + (time_t)(seed % (period / 10 +
		    1));
	}
	if (h->ttl > 0)
		sched_floor(&next, why, st->last_poll + (h->ttl * 60L < cap ?
		    h->ttl * 60L : cap), REASON_TTL);
	if (h->sy_seconds > 0)
		sched_floor(&next, why, st->last_poll + (h->sy_seconds < cap ?
		    h->sy_seconds : cap), REASON_SY);
	if (h->cache_until > 0)
		sched_floor(&next, why, h->cache_until < st->last_poll + cap ?
		    h->cache_until : st->last_poll + cap, h->cache_reason);
	sched_skip(h, &next, why);
	return (next > now ? next : now);
}

/* Fire se's timer at when, for the reason why. */
void
sched_arm(struct sched_entry *se, time_t when, enum reason why)
{
	struct timeval	tv;
	time_t		now = time(NULL);

	if (se->timer == NULL)
		se->timer = evtimer_new(sched.base, sched_fire, se);
	se->state->next_poll = when;
	se->state->next_reason = why;
	tv.tv_sec = when > now ? when - now : 0;
	tv.tv_usec = 0;
	evtimer_add(se->timer, &tv);
}

/* Arm se's timer from its state; a gone or disabled feed gets none. */
void
sched_reschedule(struct sched_entry *se)
{
	enum reason	why;
	time_t		next;

	next = sched_next(se, time(NULL), &why);
	if (why == REASON_GONE || why == REASON_DISABLED) {
		if (se->timer != NULL)
			evtimer_del(se->timer);
		se->state->next_poll = 0;
		se->state->next_reason = why;
		return;
	}
	sched_arm(se, next, why);
}

/*
 * The feed is going: forget its timer and host.  A poll in flight keeps
 * its slot until it ends (sched_slot_release).
 */
void
sched_cancel(struct sched_entry *se)
{
	if (se->timer != NULL) {
		event_free(se->timer);
		se->timer = NULL;
	}
	free(se->host);
	se->host = NULL;
}

/* What a poll that is running or waiting waits for. */
enum reason
sched_wait_reason(const struct sched_entry *se)
{
	if (se->queued)
		return (REASON_QUEUED);
	if (se->host_wait)
		return (REASON_HOST);
	return (se->state->next_reason);
}

static void
sched_fire(evutil_socket_t fd, short events, void *arg)
{
	struct sched_entry	*se = arg;

	if (se->host_wait) {
		se->host_wait = 0;
		sched.go(se->arg);
	} else
		sched.due(se->arg);
}

/* A host's politeness state, made on first use; looked up every poll. */
static struct host *
sched_host(const char *name)
{
	struct host	*h;

	if ((h = strmap_get(&host_index, name)) != NULL)
		return (h);
	h = xcalloc(1, sizeof(*h));
	h->name = xstrdup(name);
	TAILQ_INSERT_HEAD(&hosts, h, entry);
	strmap_put(&host_index, h->name, h);
	return (h);
}

/*
 * A poll of se is to start: how many seconds until its host's turn
 * (0: now).  Either way the turn is taken.  When it must wait, se's timer
 * fires go then (the poll counts as waiting for its host meanwhile).
 */
int
sched_host_wait(struct sched_entry *se, time_t now)
{
	struct host	*h;
	time_t		 start;
	int		 wait;

	if (se->host == NULL)
		return (0);
	h = sched_host(se->host);
	start = now;
	if (h->deferred_until > start)
		start = h->deferred_until;
	if (sched.host_delay > 0) {
		if (h->next_start > start)
			start = h->next_start;
		h->next_start = start + sched.host_delay;
	}
	if ((wait = (int)(start - now)) > 0) {
		se->host_wait = 1;
		sched_arm(se, now + wait, REASON_HOST);
	}
	return (wait);
}

/* May se start a transfer now?  If so its slot is taken. */
static int
sched_slot_free(struct sched_entry *se, struct host **hp)
{
	struct host	*h = se->host != NULL ? sched_host(se->host) : NULL;

	*hp = h;
	return (active < sched.max_transfers &&
	    store_bytes < SCHED_STORE_BUDGET &&
	    (h == NULL || h->active < sched.max_host_transfers));
}

static void
sched_slot_grant(struct sched_entry *se, struct host *h)
{
	active++;
	if (h != NULL)
		h->active++;
	se->has_slot = 1;
	se->slot_host = h;	/* the URL, so the host, may change meanwhile */
}

/*
 * Take a transfer slot for se, or queue it (0) until one is released:
 * then go is called for it.
 */
int
sched_slot_take(struct sched_entry *se)
{
	struct host	*h;

	if (se->has_slot)
		return (1);
	if (!sched_slot_free(se, &h)) {
		se->queued = 1;
		TAILQ_INSERT_TAIL(&queue, se, qentry);
		return (0);
	}
	sched_slot_grant(se, h);
	return (1);
}

/* se's transfer ended: free its slot and start what now may start. */
void
sched_slot_release(struct sched_entry *se)
{
	if (!se->has_slot)
		return;
	se->has_slot = 0;
	active--;
	if (se->slot_host != NULL)
		se->slot_host->active--;
	se->slot_host = NULL;
	sched_slots_kick();
}

/*
 * Fetched bodies waiting for the worker hold back new transfers once they
 * pass SCHED_STORE_BUDGET: when parsing and storing fall behind, fetching
 * waits, and memory stays bounded.
 */
void
sched_store_begin(size_t bytes)
{
	store_bytes += bytes;
}

void
sched_store_end(size_t bytes)
{
	store_bytes -= bytes < store_bytes ? bytes : store_bytes;
	sched_slots_kick();
}

/* Start the queued feeds that may start now. */
static void
sched_slots_kick(void)
{
	struct sched_entry	*q, *next;
	struct host		*h;

	TAILQ_FOREACH_SAFE(q, &queue, qentry, next) {
		if (!sched_slot_free(q, &h))
			continue;
		sched_dequeue(q);
		sched_slot_grant(q, h);
		sched.go(q->arg);
	}
}

/* se no longer waits: out of the queue for a slot and its host's turn. */
void
sched_dequeue(struct sched_entry *se)
{
	if (se->queued) {
		TAILQ_REMOVE(&queue, se, qentry);
		se->queued = 0;
	}
	se->host_wait = 0;
}

/* A 429 with Retry-After: no request to this host before until. */
void
sched_host_defer(const char *name, time_t until)
{
	struct host	*h;

	if (name == NULL)
		return;
	h = sched_host(name);
	if (until > h->deferred_until)
		h->deferred_until = until;
}

/* Forget every host (at exit, once no poll can start). */
void
sched_shutdown(void)
{
	struct host	*h;

	strmap_free(&host_index);
	while ((h = TAILQ_FIRST(&hosts)) != NULL) {
		TAILQ_REMOVE(&hosts, h, entry);
		free(h->name);
		free(h);
	}
}

/*
 * A Retry-After header (RFC 9110 10.2.3): seconds or an HTTP-date.  The
 * absolute time, within a week; 0 if it cannot be read.
 */
time_t
sched_retry_after(const char *v, time_t now)
{
	char	*end;
	long	 secs;
	time_t	 t;

	if (v == NULL || *v == '\0')
		return (0);
	secs = strtol(v, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (end != v && *end == '\0') {
		if (secs < 0)
			return (0);
		t = now + (secs > SCHED_RETRY_CAP ? SCHED_RETRY_CAP : secs);
	} else if ((t = date_parse(v)) == 0)
		return (0);
	if (t > now + SCHED_RETRY_CAP)
		t = now + SCHED_RETRY_CAP;
	return (t > now ? t : now + 1);
}

/* Cache-Control max-age, else Expires, as the time before which to wait. */
void
sched_cache_hints(struct poll_hints *h, const char *cache_control,
    const char *expires, time_t now)
{
	const char	*p;
	long		 age;
	time_t		 t;

	h->cache_until = 0;
	if (cache_control != NULL &&
	    (p = strcasestr(cache_control, "max-age=")) != NULL &&
	    (p == cache_control || p[-1] == ' ' || p[-1] == ',')) {
		age = strtol(p + 8, NULL, 10);
		if (age > 0) {
			h->cache_until = now + age;
			h->cache_reason = REASON_MAX_AGE;
		}
		return;
	}
	if (expires != NULL && (t = date_parse(expires)) > now) {
		h->cache_until = t;
		h->cache_reason = REASON_EXPIRES;
	}
}
