/*
 * metrics.h: counters, gauges and histograms that any thread may bump
 * (atomically), rendered in the Prometheus text format for /metrics.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stdint.h>

struct buf;

enum metric {
	METRIC_POLLS_OK,		/* new or unchanged content */
	METRIC_POLLS_NOT_MODIFIED,	/* 304 */
	METRIC_POLLS_FETCH_ERROR,
	METRIC_POLLS_HTTP_ERROR,
	METRIC_POLLS_PARSE_ERROR,
	METRIC_POLLS_STORE_ERROR,
	METRIC_REQUESTS_CONDITIONAL,
	METRIC_REQUESTS_UNCONDITIONAL,
	METRIC_BYTES_SAVED,		/* by 304s: the last full body's size */
	METRIC_RETRY_AFTER,		/* polls deferred by Retry-After */
	METRIC_ENTRIES_INGESTED,
	METRIC_NCOUNTERS
};

enum metric_gauge {
	GAUGE_FEEDS_OK,
	GAUGE_FEEDS_FAILING,
	GAUGE_FEEDS_GONE,
	GAUGE_FEEDS_NEW,
	GAUGE_HTTP_CONNECTIONS,
	METRIC_NGAUGES
};

enum metric_hist {
	HIST_FETCH,			/* a poll's transfer */
	HIST_RENDER,			/* rendering the tags due at once */
	METRIC_NHISTS
};

void	metrics_add(enum metric, uint64_t);
void	metrics_gauge(enum metric_gauge, int64_t);
void	metrics_observe(enum metric_hist, double);
void	metrics_http_status(int);
void	metrics_set_extra(const char *);
void	metrics_render(struct buf *);
void	metrics_reset(void);

#endif
