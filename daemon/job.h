/*
 * job.h: the work the worker thread does (worker.c runs it): store a
 * poll's body or state, apply a configuration, prune, and hand rendered
 * tags to the loop thread.  A job is made on the loop thread, run on the
 * worker thread, and back on the loop thread its callback reads the
 * results; job_free follows.
 */
#ifndef JOB_H
#define JOB_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "util.h"

struct body;
struct conf;

enum job_type {
	JOB_STORE,		/* parse a body, store its entries and state */
	JOB_STATE,		/* store poll state only (304, errors) */
	JOB_SYNC,		/* apply a config; render every tag */
	JOB_RENDER,		/* tags rendered after changes (worker-made) */
	JOB_PRUNE,		/* retention: one feed, or all (feed NULL) */
	JOB_FORGET		/* a feed no longer configured: all of it */
};

struct job;
typedef void (*job_cb)(struct job *, void *);

struct job {
	enum job_type		 type;
	char			*feed;
	char			*url;		/* fetched from, for links */
	struct buf		 body;
	struct feed_state	 state;		/* in: poll; out: as stored */
	char			**tags;		/* to render afterwards */
	size_t			 ntags;
	char			*charset;	/* HTTP Content-Type charset */
	size_t			 store_bytes;	/* for back-pressure */
	struct conf		*conf;		/* JOB_SYNC: a reference */

	/* Results, read on the loop thread in the callback. */
	struct store_counts	 counts;
	struct body		**bodies;
	size_t			 nbodies;
	int64_t			 pruned;	/* JOB_PRUNE, JOB_FORGET:
						   entries, */
	int64_t			 tombstones;	/* ... tombstones expired, */
	char			**names;	/* ... feeds pruned */
	int64_t			*left;		/* ... and what they keep */
	size_t			 nnames;

	/*
	 * Order of processing, set by the worker.  A render job's seq
	 * covers every job processed before it.  render_pending: this job
	 * changed what tags hold, so a render that covers it follows (a
	 * render job, or a sync job of its batch).
	 */
	uint64_t		 seq;
	int			 render_pending;

	job_cb			 cb;
	void			*cb_arg;
	TAILQ_ENTRY(job)	 entry;
};

struct job	*job_new(enum job_type, const char *, job_cb, void *);
void		 job_set_tags(struct job *, char **, size_t);
void		 job_free(struct job *);

/* On the thread that owns the store. */
void		 job_configure(struct conf *);
void		 job_run(struct job *, struct db *);
void		 job_lost(struct job *, struct db *);
void		 job_after(struct job *, struct db *);
void		 job_shutdown(void);

#endif
