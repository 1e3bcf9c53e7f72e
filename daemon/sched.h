/*
 * sched.h: when each feed is polled next, and politeness per host.
 *
 * Each feed embeds a struct sched_entry, the scheduler's record of it.
 * The scheduler never calls the feed: when a feed's timer fires it calls
 * due(arg), and when a poll that waited (for its host's turn or for a
 * transfer slot) may start it calls go(arg), both registered at
 * sched_init.
 */
#ifndef SCHED_H
#define SCHED_H

#include <sys/queue.h>

#include <stddef.h>
#include <time.h>

#include "feed-state.h"

struct conf;
struct event;
struct event_base;
struct host;

struct sched_entry {
	/* Set by the feed. */
	const char		*name;		/* seeds the jitter */
	long			 interval;	/* seconds */
	int			 adaptive;
	int			 disabled;	/* never polled */
	struct feed_state	*state;		/* next_poll, next_reason set */
	void			*arg;		/* for due and go */

	/* The scheduler's own. */
	char			*host;		/* of the URL polled, or NULL */
	struct event		*timer;
	int			 host_wait;	/* waits for its host's turn */
	int			 queued;	/* ... or for a transfer slot */
	int			 has_slot;	/* holds a transfer slot */
	struct host		*slot_host;	/* ... counted against */
	TAILQ_ENTRY(sched_entry) qentry;
};

typedef void (*sched_cb)(void *);

void		 sched_init(struct event_base *, const struct conf *,
		    sched_cb, sched_cb);
void		 sched_configure(const struct conf *);
void		 sched_shutdown(void);
void		 sched_set_host(struct sched_entry *, char *);
time_t		 sched_next(const struct sched_entry *, time_t,
		    enum reason *);
void		 sched_arm(struct sched_entry *, time_t, enum reason);
void		 sched_cancel(struct sched_entry *);
void		 sched_reschedule(struct sched_entry *);
enum reason	 sched_wait_reason(const struct sched_entry *);
int		 sched_host_wait(struct sched_entry *, time_t);
int		 sched_slot_take(struct sched_entry *);
void		 sched_slot_release(struct sched_entry *);
void		 sched_dequeue(struct sched_entry *);
void		 sched_store_begin(size_t);
void		 sched_store_end(size_t);
void		 sched_host_defer(const char *, time_t);
time_t		 sched_retry_after(const char *, time_t);
void		 sched_cache_hints(struct poll_hints *, const char *,
		    const char *, time_t);

#endif
