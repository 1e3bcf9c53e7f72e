/*
 * worker.c: the one thread that owns the database.
 *
 * The loop thread must never wait on parsing or SQLite, so everything that
 * can take long (parsing a 10 MB feed, a commit, rendering a tag) is a job:
 * the loop thread queues it here, this thread runs it (job.c), and the
 * finished job goes back through a done queue and an event made active on
 * the loop, whose callback runs job->cb on the loop thread.  Jobs run in
 * order, one at a time, which makes this thread the single SQLite writer.
 *
 * The jobs taken off the queue together form a batch that commits once:
 * a 10,000-feed cycle is thousands of times cheaper than with a commit
 * per feed.  Each feed's update stays atomic (a savepoint), and no job is
 * answered, nor any entry served, before its batch commits.  Between
 * batches, the tags whose entries changed are rendered when render-tags.c
 * says they are due.
 *
 * The thread publishes when its current step (a job, a commit, a render)
 * began, so that the loop thread can tell a stuck worker from a busy one
 * (worker_busy_since; feedmuxd.c stops pinging systemd's watchdog).
 */
#include "config.h"

#include <pthread.h>
#include <time.h>

#include <event2/event.h>

#include "db.h"
#include "log.h"
#include "render.h"
#include "rules.h"
#include "worker.h"

TAILQ_HEAD(jobs, job);

/* At most this many jobs share one transaction. */
#define WORKER_BATCH	512

static struct {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct jobs	 todo;
	struct jobs	 done;
	int		 stopping;
	int		 running;
	struct event	*done_ev;
	struct db	*db;
	job_cb		 render_cb;
	uint64_t	 seq;		/* jobs processed */
	int64_t		 busy_since;	/* ms, monotonic; 0 idle; atomic */
} worker;

static void	*worker_main(void *);
static void	 worker_batch(struct jobs *);
static void	 worker_finish(struct job *);
static void	 worker_lost(struct jobs *, struct job *);
static void	 worker_render(void);
static struct job *worker_take(struct jobs *);
static void	 worker_done(evutil_socket_t, short, void *);
static void	 worker_busy(int);

/*
 * Start the thread on db (which it owns from now on); render jobs go to
 * render_cb on base's loop.
 */
int
worker_start(struct event_base *base, struct db *db, job_cb render_cb)
{
	pthread_condattr_t	attr;

	TAILQ_INIT(&worker.todo);
	TAILQ_INIT(&worker.done);
	pthread_mutex_init(&worker.lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&worker.cond, &attr);
	pthread_condattr_destroy(&attr);
	worker.db = db;
	worker.render_cb = render_cb;
	worker.stopping = 0;
	worker.done_ev = event_new(base, -1, 0, worker_done, NULL);
	if (worker.done_ev == NULL)
		fatalx("%s: event_new", __func__);
	if (pthread_create(&worker.thread, NULL, worker_main, NULL) != 0) {
		log_warn("%s: pthread_create", __func__);
		return (-1);
	}
	worker.running = 1;
	return (0);
}

/*
 * Finish the queued jobs (no fetched entries are lost), stop the thread,
 * then run the callbacks of the finished jobs so that they let go of what
 * they hold.
 */
void
worker_stop(void)
{
	if (!worker.running)
		return;
	pthread_mutex_lock(&worker.lock);
	worker.stopping = 1;
	pthread_cond_signal(&worker.cond);
	pthread_mutex_unlock(&worker.lock);
	pthread_join(worker.thread, NULL);
	worker.running = 0;

	worker_done(-1, 0, NULL);
	event_free(worker.done_ev);
	job_shutdown();
	pthread_mutex_destroy(&worker.lock);
	pthread_cond_destroy(&worker.cond);
}

/* Mark the start of a step (1), or going idle (0). */
static void
worker_busy(int busy)
{
	struct timespec	ts;
	int64_t		ms = 0;

	if (busy) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		if (ms == 0)
			ms = 1;
	}
	__atomic_store_n(&worker.busy_since, ms, __ATOMIC_RELAXED);
}

/*
 * When the worker's current step began (CLOCK_MONOTONIC, in ms), or 0 when
 * it is idle, waiting for jobs.  Any thread may ask.
 */
int64_t
worker_busy_since(void)
{
	return (__atomic_load_n(&worker.busy_since, __ATOMIC_RELAXED));
}

void
worker_submit(struct job *job)
{
	pthread_mutex_lock(&worker.lock);
	TAILQ_INSERT_TAIL(&worker.todo, job, entry);
	pthread_cond_signal(&worker.cond);
	pthread_mutex_unlock(&worker.lock);
}

static void *
worker_main(void *arg)
{
	struct jobs	 batch;

	for (;;) {
		TAILQ_INIT(&batch);
		if (worker_take(&batch) != NULL)
			worker_batch(&batch);
		else if (worker.stopping)
			break;	/* stopping and nothing left */
		if (render_tags_due())
			worker_render();
	}
	rules_thread_end();
	return (NULL);
}

/* Run a batch of jobs in one transaction, then hand them back. */
static void
worker_batch(struct jobs *batch)
{
	struct job	*job;
	uint64_t	 changes;
	int		 n = 0, committed;

	TAILQ_FOREACH(job, batch, entry)
		n++;
	worker_busy(1);
	committed = db_begin(worker.db) == 0;
	TAILQ_FOREACH(job, batch, entry) {
		worker_busy(1);
		changes = db_tag_changes(worker.db);
		job_run(job, worker.db);
		job->seq = ++worker.seq;
		/*
		 * Tags it changed are rendered after the batch: by a render
		 * job, or by a sync job of this batch that renders them all.
		 */
		job->render_pending = db_tag_changes(worker.db) != changes;
		if (committed && !db_in_transaction(worker.db))
			worker_lost(batch, job);
	}
	worker_busy(1);
	if (committed && db_commit(worker.db) != 0) {
		log_warnx("database commit failed; %d jobs not stored", n);
		TAILQ_FOREACH(job, batch, entry)
			job_lost(job, worker.db);
	}
	render_tags_collect(worker.db);
	TAILQ_FOREACH(job, batch, entry)
		job_after(job, worker.db);
	/* Answer only what is durable. */
	while ((job = TAILQ_FIRST(batch)) != NULL) {
		TAILQ_REMOVE(batch, job, entry);
		worker_finish(job);
	}
}

/*
 * SQLite rolled the batch's transaction back by itself (it may, on a full
 * disk): every job up to this one lost its writes.  Say so in each, and
 * start a new transaction for the rest.
 */
static void
worker_lost(struct jobs *batch, struct job *last)
{
	struct job	*job;

	TAILQ_FOREACH(job, batch, entry) {
		job_lost(job, worker.db);
		if (job == last)
			break;
	}
	db_begin(worker.db);
}

/* Hand a finished job back to the loop thread. */
static void
worker_finish(struct job *job)
{
	pthread_mutex_lock(&worker.lock);
	TAILQ_INSERT_TAIL(&worker.done, job, entry);
	if (!worker.stopping)
		event_active(worker.done_ev, EV_READ, 1);
	pthread_mutex_unlock(&worker.lock);
}

/*
 * Take the next batch of jobs into batch (its first, or NULL).  While
 * there are none, wait; but when tags wait to be rendered, only until
 * they may be: then NULL with the queue empty.
 */
static struct job *
worker_take(struct jobs *batch)
{
	struct timespec	 when;
	struct job	*job;
	int		 n;

	worker_busy(0);
	pthread_mutex_lock(&worker.lock);
	while (TAILQ_EMPTY(&worker.todo) && !worker.stopping) {
		if (!render_tags_pending(&when))
			pthread_cond_wait(&worker.cond, &worker.lock);
		else if (render_tags_due() ||
		    pthread_cond_timedwait(&worker.cond, &worker.lock,
		    &when) != 0)
			break;
	}
	for (n = 0; n < WORKER_BATCH &&
	    (job = TAILQ_FIRST(&worker.todo)) != NULL; n++) {
		TAILQ_REMOVE(&worker.todo, job, entry);
		TAILQ_INSERT_TAIL(batch, job, entry);
	}
	pthread_mutex_unlock(&worker.lock);
	return (TAILQ_FIRST(batch));
}

/* Render the tags that wait into one job for the loop thread. */
static void
worker_render(void)
{
	struct job	*job;

	worker_busy(1);
	job = job_new(JOB_RENDER, NULL, worker.render_cb, NULL);
	job->seq = worker.seq;
	job->nbodies = render_tags_flush(worker.db, &job->bodies);
	worker_finish(job);
}

/* On the loop thread: hand every finished job to its callback. */
static void
worker_done(evutil_socket_t fd, short events, void *arg)
{
	struct jobs	 done;
	struct job	*job;

	TAILQ_INIT(&done);
	pthread_mutex_lock(&worker.lock);
	TAILQ_CONCAT(&done, &worker.done, entry);
	pthread_mutex_unlock(&worker.lock);

	while ((job = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, job, entry);
		if (job->cb != NULL)
			job->cb(job, job->cb_arg);
		job_free(job);
	}
}
