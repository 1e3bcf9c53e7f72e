/* feed-state.c: the poll state of a feed (feed-state.h), and its words. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "feed-state.h"
#include "xmalloc.h"

static const char *const reason_names[REASON_MAX] = {
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
	[REASON_DISABLED] = "disabled",
};

void
feed_state_clear(struct feed_state *st)
{
	free(st->error);
	free(st->etag);
	free(st->last_modified);
	free(st->title);
	free(st->link);
	free(st->adopted_url);
	free(st->pending_url);
	memset(st, 0, sizeof(*st));
}

static char *
feed_state_strdup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

void
feed_state_copy(struct feed_state *dst, const struct feed_state *src)
{
	feed_state_clear(dst);
	*dst = *src;
	dst->error = feed_state_strdup(src->error);
	dst->etag = feed_state_strdup(src->etag);
	dst->last_modified = feed_state_strdup(src->last_modified);
	dst->title = feed_state_strdup(src->title);
	dst->link = feed_state_strdup(src->link);
	dst->adopted_url = feed_state_strdup(src->adopted_url);
	dst->pending_url = feed_state_strdup(src->pending_url);
}

/* A poll that failed at a stage, with a message (taken). */
void
feed_state_fail(struct feed_state *st, enum stage stage, char *msg)
{
	st->stage = stage;
	free(st->error);
	st->error = msg;
	st->failures++;
}

const char *
feed_state_stage_name(enum stage s)
{
	switch (s) {
	case STAGE_NONE:
		return ("none");
	case STAGE_FETCH:
		return ("fetch");
	case STAGE_HTTP:
		return ("http");
	case STAGE_PARSE:
		return ("parse");
	case STAGE_STORE:
		return ("store");
	}
	return ("unknown");
}

const char *
feed_state_reason_name(enum reason r)
{
	return (r >= 0 && r < REASON_MAX ? reason_names[r] : "unknown");
}
