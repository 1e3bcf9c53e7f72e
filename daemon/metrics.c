/*
 * metrics.c: what /metrics shows, in the Prometheus text exposition
 * format (version 0.0.4), every name prefixed feedmux_.
 *
 * The loop thread, the worker and the serving threads all count here, so
 * every value is a word updated with atomic operations: no lock on any
 * hot path.  Rendering reads them one by one (a scrape is not a snapshot,
 * which Prometheus does not need).  Labels that name tags come from the
 * loop thread as ready text (metrics_set_extra), the only part under a
 * lock.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "util.h"
#include "xmalloc.h"

/* Upper bounds of the histogram buckets, in seconds (+Inf is implied). */
static const double metrics_bounds[] = {
	0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
};
#define NBOUNDS		NELEM(metrics_bounds)

static const struct {
	const char	*name;
	const char	*labels;
	const char	*help;		/* the first of a family has it */
} metrics_counters[METRIC_NCOUNTERS] = {
	[METRIC_POLLS_OK] = { "polls_total", "outcome=\"ok\"",
	    "Polls by outcome." },
	[METRIC_POLLS_NOT_MODIFIED] = { "polls_total",
	    "outcome=\"not_modified\"", NULL },
	[METRIC_POLLS_FETCH_ERROR] = { "polls_total",
	    "outcome=\"fetch_error\"", NULL },
	[METRIC_POLLS_HTTP_ERROR] = { "polls_total",
	    "outcome=\"http_error\"", NULL },
	[METRIC_POLLS_PARSE_ERROR] = { "polls_total",
	    "outcome=\"parse_error\"", NULL },
	[METRIC_POLLS_STORE_ERROR] = { "polls_total",
	    "outcome=\"store_error\"", NULL },
	[METRIC_REQUESTS_CONDITIONAL] = { "feed_requests_total",
	    "kind=\"conditional\"",
	    "Requests for feeds, with validators (conditional) or without." },
	[METRIC_REQUESTS_UNCONDITIONAL] = { "feed_requests_total",
	    "kind=\"unconditional\"", NULL },
	[METRIC_BYTES_SAVED] = { "bytes_saved_total", NULL,
	    "Bytes not transferred thanks to 304 answers (the last full "
	    "body's size each)." },
	[METRIC_RETRY_AFTER] = { "retry_after_deferrals_total", NULL,
	    "Polls deferred by a server's Retry-After." },
	[METRIC_ENTRIES_INGESTED] = { "entries_ingested_total", NULL,
	    "New entries stored." },
};

static const struct {
	const char	*name;
	const char	*labels;
	const char	*help;
} metrics_gauges[METRIC_NGAUGES] = {
	[GAUGE_FEEDS_OK] = { "feeds", "state=\"ok\"",
	    "Feeds by the state of their last poll." },
	[GAUGE_FEEDS_FAILING] = { "feeds", "state=\"failing\"", NULL },
	[GAUGE_FEEDS_GONE] = { "feeds", "state=\"gone\"", NULL },
	[GAUGE_FEEDS_NEW] = { "feeds", "state=\"new\"", NULL },
	[GAUGE_HTTP_CONNECTIONS] = { "http_connections", NULL,
	    "HTTP connections open." },
};

static const struct {
	const char	*name;
	const char	*help;
} metrics_hists[METRIC_NHISTS] = {
	[HIST_FETCH] = { "fetch_duration_seconds",
	    "Time a poll's transfer took, from request to last byte." },
	[HIST_RENDER] = { "render_duration_seconds",
	    "Time rendering the tags due at once took, every format." },
};

static uint64_t		counters[METRIC_NCOUNTERS];
static int64_t		gauges[METRIC_NGAUGES];
static struct {
	uint64_t	buckets[NBOUNDS + 1];	/* not cumulative; last: +Inf */
	uint64_t	sum_us;
	uint64_t	count;
} hists[METRIC_NHISTS];
static uint64_t		http_codes[600];
static pthread_mutex_t	extra_lock = PTHREAD_MUTEX_INITIALIZER;
static char		*extra;

void
metrics_add(enum metric m, uint64_t n)
{
	__atomic_add_fetch(&counters[m], n, __ATOMIC_RELAXED);
}

void
metrics_gauge(enum metric_gauge g, int64_t v)
{
	__atomic_store_n(&gauges[g], v, __ATOMIC_RELAXED);
}

void
metrics_observe(enum metric_hist h, double secs)
{
	size_t	i;

	if (secs < 0)
		secs = 0;
	for (i = 0; i < NBOUNDS && secs > metrics_bounds[i]; i++)
		;
	__atomic_add_fetch(&hists[h].buckets[i], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&hists[h].sum_us, (uint64_t)(secs * 1e6),
	    __ATOMIC_RELAXED);
	__atomic_add_fetch(&hists[h].count, 1, __ATOMIC_RELAXED);
}

/* Count an HTTP answer by its status code. */
void
metrics_http_status(int code)
{
	if (code >= 100 && code < 600)
		__atomic_add_fetch(&http_codes[code], 1, __ATOMIC_RELAXED);
}

/* Lines shown after the rest (per-tag gauges), ready made; NULL: none. */
void
metrics_set_extra(const char *text)
{
	char	*copy = text != NULL ? xstrdup(text) : NULL, *old;

	pthread_mutex_lock(&extra_lock);
	old = extra;
	extra = copy;
	pthread_mutex_unlock(&extra_lock);
	free(old);
}

static void
metrics_line(struct buf *b, const char *name, const char *labels,
    const char *value)
{
	buf_addstr(b, "feedmux_");
	buf_addstr(b, name);
	if (labels != NULL) {
		buf_addc(b, '{');
		buf_addstr(b, labels);
		buf_addc(b, '}');
	}
	buf_addc(b, ' ');
	buf_addstr(b, value);
	buf_addc(b, '\n');
}

static void
metrics_family(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_addstr(b, "# HELP feedmux_");
	buf_addstr(b, name);
	buf_addc(b, ' ');
	buf_addstr(b, help);
	buf_addstr(b, "\n# TYPE feedmux_");
	buf_addstr(b, name);
	buf_addc(b, ' ');
	buf_addstr(b, type);
	buf_addc(b, '\n');
}

static void
metrics_render_hist(struct buf *b, enum metric_hist h)
{
	char		 name[96], labels[32], value[32];
	uint64_t	 cum = 0;
	size_t		 i;

	metrics_family(b, metrics_hists[h].name, "histogram",
	    metrics_hists[h].help);
	snprintf(name, sizeof(name), "%s_bucket", metrics_hists[h].name);
	for (i = 0; i <= NBOUNDS; i++) {
		cum += __atomic_load_n(&hists[h].buckets[i], __ATOMIC_RELAXED);
		if (i < NBOUNDS)
			snprintf(labels, sizeof(labels), "le=\"%g\"",
			    metrics_bounds[i]);
		else
			snprintf(labels, sizeof(labels), "le=\"+Inf\"");
		snprintf(value, sizeof(value), "%llu", (unsigned long long)cum);
		metrics_line(b, name, labels, value);
	}
	snprintf(name, sizeof(name), "%s_sum", metrics_hists[h].name);
	snprintf(value, sizeof(value), "%.6f", (double)__atomic_load_n(
	    &hists[h].sum_us, __ATOMIC_RELAXED) / 1e6);
	metrics_line(b, name, NULL, value);
	snprintf(name, sizeof(name), "%s_count", metrics_hists[h].name);
	snprintf(value, sizeof(value), "%llu", (unsigned long long)
	    __atomic_load_n(&hists[h].count, __ATOMIC_RELAXED));
	metrics_line(b, name, NULL, value);
}

/* Everything, as one Prometheus text exposition. */
void
metrics_render(struct buf *b)
{
	char		value[32], labels[32];
	uint64_t	n;
	size_t		i;
	int		first = 1;

	for (i = 0; i < METRIC_NCOUNTERS; i++) {
		if (metrics_counters[i].help != NULL)
			metrics_family(b, metrics_counters[i].name, "counter",
			    metrics_counters[i].help);
		snprintf(value, sizeof(value), "%llu", (unsigned long long)
		    __atomic_load_n(&counters[i], __ATOMIC_RELAXED));
		metrics_line(b, metrics_counters[i].name,
		    metrics_counters[i].labels, value);
	}
	for (i = 0; i < METRIC_NGAUGES; i++) {
		if (metrics_gauges[i].help != NULL)
			metrics_family(b, metrics_gauges[i].name, "gauge",
			    metrics_gauges[i].help);
		snprintf(value, sizeof(value), "%lld", (long long)
		    __atomic_load_n(&gauges[i], __ATOMIC_RELAXED));
		metrics_line(b, metrics_gauges[i].name,
		    metrics_gauges[i].labels, value);
	}
	for (i = 100; i < NELEM(http_codes); i++) {
		if ((n = __atomic_load_n(&http_codes[i], __ATOMIC_RELAXED)) ==
		    0)
			continue;
		if (first)
			metrics_family(b, "http_requests_total", "counter",
			    "HTTP requests answered, by status code.");
		first = 0;
		snprintf(labels, sizeof(labels), "code=\"%zu\"", i);
		snprintf(value, sizeof(value), "%llu", (unsigned long long)n);
		metrics_line(b, "http_requests_total", labels, value);
	}
	for (i = 0; i < METRIC_NHISTS; i++)
		metrics_render_hist(b, i);
	pthread_mutex_lock(&extra_lock);
	if (extra != NULL)
		buf_addstr(b, extra);
	pthread_mutex_unlock(&extra_lock);
}

/* Zero everything (tests; the daemon never does). */
void
metrics_reset(void)
{
	memset(counters, 0, sizeof(counters));
	memset(gauges, 0, sizeof(gauges));
	memset(hists, 0, sizeof(hists));
	memset(http_codes, 0, sizeof(http_codes));
	metrics_set_extra(NULL);
}
