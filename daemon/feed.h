/*
 * feed.h: the feeds being polled, and one poll of one feed: fetch, then a
 * job for the worker, then the outcome adopted on the loop thread.
 *
 * Whoever set the callback at feed_init hears when a poll has ended or a
 * feed has gone (the feed), and when feeds' counts changed (NULL).
 */
#ifndef FEED_H
#define FEED_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "feed-state.h"
#include "sched.h"

struct conf;
struct db;
struct event_base;
struct fetch_result;
struct job;

struct feed {
	int			 refs;
	int			 removed;	/* gone from the config */
	int			 paused;	/* by feedmuxctl: not polled */
	int			 runtime;	/* added by feedmuxctl */
	int			 line;		/* of its [feed], 0: runtime */
	char			*name;
	char			*url;
	char			**tags;
	size_t			 ntags;
	int			 enabled;	/* 0: configured, never polled */
	char			*user_agent;	/* its section's request */
	char			*username;	/* ... settings (NULL: none) */
	char			*password;	/* never logged nor shown */
	char			**headers;
	size_t			 nheaders;
	struct feed_state	 state;
	struct sched_entry	 sched;		/* interval, adaptive, host */
	int			 busy;		/* fetch or store running */
	int			 again;		/* poll again when done */
	int			 sent_validators;
	struct timespec		 fetch_started;	/* CLOCK_MONOTONIC */
	unsigned int		 polls_started;
	unsigned int		 polls_done;
	uint64_t		 render_seq;	/* its entries are served once
						   this job seq is rendered */
	TAILQ_ENTRY(feed)	 entry;
};

/* What status reports, counted in one walk over the feeds. */
struct feed_counts {
	size_t		 feeds;
	size_t		 new;		/* never polled */
	size_t		 failing;
	size_t		 gone;
	size_t		 polling;	/* a poll running or waiting */
	int64_t		 entries;
	int64_t		 requests;
	int64_t		 conditional;
	int64_t		 not_modified;
	int64_t		 bytes_saved;
};

typedef void (*feed_changed_cb)(struct feed *);

void		 feed_init(struct event_base *, const struct conf *,
		    feed_changed_cb);
void		 feed_apply_conf(const struct conf *, struct db *);
void		 feed_ref(struct feed *);
void		 feed_unref(struct feed *);
struct feed	*feed_find(const char *);
struct feed	*feed_first(void);
struct feed	*feed_next(struct feed *);
int		 feed_poll(struct feed *);
const char	*feed_url(const struct feed *);
const char	*feed_result(const struct feed *);
void		 feed_counts(struct feed_counts *);
void		 feed_free_all(void);
struct job	*feed_classify(struct feed *, struct fetch_result *, time_t);
void		 feed_prune(void);
void		 feed_pruned(struct job *);

#endif
