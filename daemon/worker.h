/*
 * worker.h: the one thread that owns the store.  Jobs (job.h) submitted
 * from the loop thread run there in order, in batches that commit once;
 * each finished job goes back to the loop thread, whose callback reads
 * its results.  Rendered tags come back as render jobs to render_cb.
 */
#ifndef WORKER_H
#define WORKER_H

#include <stdint.h>

#include "job.h"

struct db;
struct event_base;

int	worker_start(struct event_base *, struct db *, job_cb);
void	worker_stop(void);
void	worker_submit(struct job *);
int64_t	worker_busy_since(void);

#endif
