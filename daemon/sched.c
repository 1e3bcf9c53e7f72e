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
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "feedmux.h"

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
static TAILQ_HEAD(, feed)	queue = TAILQ_HEAD_INITIALIZER(queue);
static int			active;
static size_t			store_bytes;	/* bodies queued to store */

/*
 * Fetched bodies may wait for the worker up to this many bytes: enough
 * for the worker to always have a batch while the next is fetched, few
 * enough to bound memory whatever the feeds' sizes.
 */
#define SCHED_STORE_BUDGET	(64 * 1024 * 1024)

static void	sched_fire(evutil_socket_t, short, void *);
static void	sched_slots_kick(void);

static const char *reason_names[REASON_MAX] = {
	[REASON_NEW] = "new",
	[REASON_INTERVAL] = "interval",
	[REASON_ADAPTIVE] = "adaptive",
	[REASON_BACKOFF] = "backoff",
	[REASON_RETRY_AFTER] = "retry-after",
	[REASON_HOST] = "host",
	[REASON_QUEUED] = "queued",
	[REASON_TTL] = "ttl",
	[REASON_SY] = "sy:updatePeriod",
	[REASON_MAX_AGE] = "max-age",
	[REASON_EXPIRES] = "expires",
	[REASON_SKIP_HOURS] = "skipHours",
	[REASON_SKIP_DAYS] = "skipDays",
	[REASON_GONE] = "gone",
};

const char *
sched_reason_name(enum reason r)
{
	return (r >= 0 && r < REASON_MAX ? reason_names[r] : "unknown");
}

/* The period after the last poll, and why. */
static long
sched_period(const struct feed *f, enum reason *why)
{
	const struct feed_state	*st = &f->state;
	long			 period = f->interval, p;
	int			 i;

	*why = REASON_INTERVAL;
	if (f->adaptive && st->last_success != 0 && cfg != NULL) {
		/* Poll about as often as it publishes (Miniflux's idea). */
		p = st->weekly > 0 ? 7 * 86400 / st->weekly : cfg->max_interval;
		if (p < cfg->min_interval)
			p = cfg->min_interval;
		if (p > cfg->max_interval)
			p = cfg->max_interval;
		period = p;
		*why = REASON_ADAPTIVE;
	}
	if (st->failures > 0) {
		p = f->interval;
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
 * When to poll f next, at the earliest now, and why (*why): a function of
 * the feed's state alone, so that a restart gives the same answer.
 */
time_t
sched_next(const struct feed *f, time_t now, enum reason *why)
{
	const struct feed_state	*st = &f->state;
	const struct poll_hints	*h = &st->hints;
	long			 period, cap;
	time_t			 next;
	uint64_t		 seed;

	if (st->gone) {
		*why = REASON_GONE;
		return (0);
	}
	if (st->last_poll == 0) {
		*why = REASON_NEW;
		return (now);
	}
	cap = cfg != NULL ? cfg->max_interval : 86400;
	if (st->retry_after > st->last_poll) {
		/* The server said when; backoff does not apply. */
		next = st->retry_after;
		*why = REASON_RETRY_AFTER;
	} else {
		period = sched_period(f, why);
		seed = util_hash64(f->name, strlen(f->name), 0);
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

void
sched_arm(struct feed *f, time_t when, enum reason why)
{
	struct timeval	tv;
	time_t		now = time(NULL);

	if (f->timer == NULL)
		f->timer = evtimer_new(ev_base, sched_fire, f);
	f->state.next_poll = when;
	f->state.next_reason = why;
	tv.tv_sec = when > now ? when - now : 0;
	tv.tv_usec = 0;
	evtimer_add(f->timer, &tv);
}

/* Arm f's timer from its state; a gone feed gets none. */
void
sched_reschedule(struct feed *f)
{
	enum reason	why;
	time_t		next;

	next = sched_next(f, time(NULL), &why);
	if (why == REASON_GONE) {
		if (f->timer != NULL)
			evtimer_del(f->timer);
		f->state.next_poll = 0;
		f->state.next_reason = REASON_GONE;
		return;
	}
	sched_arm(f, next, why);
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
	struct feed	*f = arg;

	if (f->host_wait)
		feed_start(f);
	else
		feed_poll(f);
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
 * Seconds f must wait before a request to its host may start (0: go
 * now).  Either way the slot is taken: the caller starts then.
 */
int
sched_host_wait(struct feed *f, time_t now)
{
	struct host	*h;
	time_t		 start;

	if (f->host == NULL)
		return (0);
	h = sched_host(f->host);
	start = now;
	if (h->deferred_until > start)
		start = h->deferred_until;
	if (cfg != NULL && cfg->host_delay > 0) {
		if (h->next_start > start)
			start = h->next_start;
		h->next_start = start + cfg->host_delay;
	}
	return ((int)(start - now));
}

/* May f start a transfer now?  If so its slot is taken. */
static int
sched_slot_free(struct feed *f, struct host **hp)
{
	struct host	*h = f->host != NULL ? sched_host(f->host) : NULL;
	long		 total = cfg != NULL ? cfg->max_transfers : 32;
	long		 per = cfg != NULL ? cfg->max_host_transfers : 2;

	*hp = h;
	return (active < total && store_bytes < SCHED_STORE_BUDGET &&
	    (h == NULL || h->active < per));
}

static void
sched_slot_grant(struct feed *f, struct host *h)
{
	active++;
	if (h != NULL)
		h->active++;
	f->has_slot = 1;
	f->slot_host = h;	/* the URL, so the host, may change meanwhile */
}

/* Take a transfer slot for f, or queue it (0) until one is released. */
int
sched_slot_take(struct feed *f)
{
	struct host	*h;

	if (!sched_slot_free(f, &h)) {
		f->queued = 1;
		TAILQ_INSERT_TAIL(&queue, f, qentry);
		return (0);
	}
	sched_slot_grant(f, h);
	return (1);
}

/* f's transfer ended: free its slot and start what now may start. */
void
sched_slot_release(struct feed *f)
{
	if (!f->has_slot)
		return;
	f->has_slot = 0;
	active--;
	if (f->slot_host != NULL)
		f->slot_host->active--;
	f->slot_host = NULL;
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
	struct feed	*q, *next;
	struct host	*h;

	TAILQ_FOREACH_SAFE(q, &queue, qentry, next) {
		if (!sched_slot_free(q, &h))
			continue;
		sched_dequeue(q);
		sched_slot_grant(q, h);
		feed_start(q);
	}
}

void
sched_dequeue(struct feed *f)
{
	if (f->queued) {
		TAILQ_REMOVE(&queue, f, qentry);
		f->queued = 0;
	}
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

void
sched_hosts_free(void)
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
