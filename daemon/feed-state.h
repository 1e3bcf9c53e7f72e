/*
 * feed-state.h: what we know about polling one feed, kept between polls
 * and across restarts: the record the scheduler reads, a poll writes and
 * the store persists (db-state.c).  Data only, with its helpers.
 */
#ifndef FEED_STATE_H
#define FEED_STATE_H

#include <stdint.h>
#include <time.h>

/* Where a poll failed. */
enum stage {
	STAGE_NONE,
	STAGE_FETCH,
	STAGE_HTTP,
	STAGE_PARSE,
	STAGE_STORE
};

/* Why a feed's next poll is when it is (shown by feedmuxctl feeds). */
enum reason {
	REASON_NEW,		/* never polled: now */
	REASON_INTERVAL,
	REASON_ADAPTIVE,	/* learnt from how often it publishes */
	REASON_BACKOFF,		/* after consecutive failures */
	REASON_RETRY_AFTER,	/* 429 or 503 with Retry-After */
	REASON_HOST,		/* its host said 429, or spacing requests */
	REASON_QUEUED,		/* waiting for a free transfer slot */
	REASON_TTL,		/* RSS ttl */
	REASON_SY,		/* sy:updatePeriod / sy:updateFrequency */
	REASON_MAX_AGE,		/* Cache-Control: max-age */
	REASON_EXPIRES,		/* Expires */
	REASON_SKIP_HOURS,
	REASON_SKIP_DAYS,
	REASON_GONE,		/* 410: not until resumed */
	REASON_DISABLED,	/* enabled = no in its section */
	REASON_MAX
};

/* The publisher's hints that the scheduler honours. */
struct poll_hints {
	int		 ttl;		/* minutes (RSS ttl) */
	uint32_t	 skip_hours;	/* bit N: hour N, UTC */
	uint8_t		 skip_days;	/* bit 0: Sunday */
	long		 sy_seconds;	/* sy:updatePeriod / updateFrequency */
	time_t		 cache_until;	/* from max-age or Expires */
	enum reason	 cache_reason;	/* which of the two */
};

/* What a feed's entries are known by (db-store.c). */
enum identity {
	IDENTITY_GUID,		/* guid/id, else link, else a hash */
	IDENTITY_LINK		/* its guids proved unreliable */
};

/*
 * What we know about polling one feed; persisted in the feeds table (bump
 * the schema in db-schema.c when adding a field that must survive a
 * restart).
 */
struct feed_state {
	time_t		 last_poll;
	time_t		 last_success;
	time_t		 last_change;	/* last poll that added entries */
	time_t		 next_poll;
	enum reason	 next_reason;
	long		 http_status;
	enum stage	 stage;		/* where the last poll failed */
	char		*error;
	int		 failures;	/* consecutive */
	int		 gone;		/* 410 Gone: polled only when resumed */
	time_t		 retry_after;	/* not before this (429, 503) */
	char		*etag;
	char		*last_modified;
	time_t		 last_full;	/* last unconditional request */
	char		*title;
	char		*link;
	const char	*format;	/* the last parse's: "atom"...; static,
					   not stored */
	int64_t		 entries;	/* stored now (the store's count) */
	int64_t		 weekly;	/* entries first seen in a week */
	enum identity	 identity;
	int64_t		 rotated;	/* new guids for known link+title */
	int64_t		 new_entries;	/* ever added */
	struct poll_hints hints;

	/* Permanent redirects: watched for a while, then adopted. */
	char		*adopted_url;
	char		*pending_url;
	time_t		 pending_since;

	/* Politeness counters. */
	int64_t		 requests;
	int64_t		 conditional;	/* requests with validators */
	int64_t		 not_modified;	/* 304s */
	int64_t		 bytes_received;	/* bodies, decompressed */
	int64_t		 bytes_saved;	/* last full body size, per 304 */
	int64_t		 last_body_size;
};

void		 feed_state_clear(struct feed_state *);
void		 feed_state_copy(struct feed_state *,
		    const struct feed_state *);
void		 feed_state_fail(struct feed_state *, enum stage, char *);
const char	*feed_state_stage_name(enum stage);
const char	*feed_state_reason_name(enum reason);

#endif
