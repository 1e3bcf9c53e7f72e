/*
 * feedmuxd.c: main(): options, start-up order, signals, reload, shutdown,
 * and the wiring between the modules: what each reports upwards through
 * a callback lands here (a poll ended, tags were rendered, a reload was
 * asked for), and the configuration reaches each module from here.
 *
 * Start-up: config -> database (migrate, sync feeds and tags, load poll
 * state, render every tag into the cache) -> HTTP and control sockets ->
 * (daemonise) -> fetcher and worker thread -> READY=1 -> loop.  The
 * sockets are systemd's when it passed them (socket activation).
 *
 * systemd's watchdog is fed from here, the one place that sees both the
 * loop and the worker: see watchdog_tick.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <libxml/parser.h>

#include "conf.h"
#include "ctl.h"
#include "db.h"
#include "feed.h"
#include "fetch.h"
#include "http.h"
#include "job.h"
#include "log.h"
#include "parse.h"
#include "render.h"
#include "sched.h"
#include "sd.h"
#include "site.h"
#include "util.h"
#include "worker.h"
#include "xmalloc.h"

static struct event_base	*ev_base;
static struct conf		*cfg;		/* the running configuration */
static char			*cfg_text;	/* its file, as read */

/* Command-line overrides, applied again on every reload. */
static struct {
	const char	*listen;
	const char	*control_socket;
	const char	*database;
} opt;

/* Where we started: relative paths mean this, also after daemon(). */
static char		*start_dir;

#ifndef __dead
#define __dead __attribute__((noreturn))
#endif

static __dead void	usage(void);
static int		apply_overrides(struct conf *, char **);
static struct conf	*conf_build(const char *, const char *,
			    struct conf_change *, size_t, char **);
static void		conf_install(struct conf *,
			    void (*)(void *, const char *), void *);
static int		apply(int, struct conf_change *, size_t,
			    void (*)(void *, const char *), void *, char **);
static void		on_signal(evutil_socket_t, short, void *);
static void		on_feed_changed(struct feed *);
static void		on_rendered(struct job *, void *);
static void		status_update(void);
static void		sync_done(struct job *, void *);
static void		watchdog_start(void);
static void		watchdog_tick(evutil_socket_t, short, void *);

static void
usage(void)
{
	fprintf(stderr, "usage: feedmuxd [-ftvV] [-c file] [-d database] "
	    "[-l address:port] [-s socket]\n"
	    "       feedmuxd --parse [--base url] [--charset name] file ...\n");
	exit(2);
}

static void
make_absolute(char **path)
{
	char	*abs;

	if (**path == '/' || start_dir == NULL)
		return;
	xasprintf(&abs, "%s/%s", start_dir, *path);
	free(*path);
	*path = abs;
}

static int
apply_overrides(struct conf *conf, char **cause)
{
	char	*why;

	if (opt.listen != NULL && conf_set_listen(conf, opt.listen, &why)) {
		xasprintf(cause, "-l %s: %s", opt.listen, why);
		free(why);
		return (-1);
	}
	if (opt.control_socket != NULL)
		conf_set_string(&conf->control_socket, opt.control_socket);
	if (opt.database != NULL)
		conf_set_string(&conf->database, opt.database);
	make_absolute(&conf->control_socket);
	make_absolute(&conf->database);
	return (0);
}

/* Counting is O(feeds): done at most once a second, not per poll. */
static struct event	*status_ev;
static struct event	*prune_ev;

static void
status_send(evutil_socket_t fd, short events, void *arg)
{
	struct feed_counts	c;

	feed_counts(&c);
	sd_status("%zu feeds (%zu failing, %zu gone), %lld entries, %zu tags",
	    c.feeds, c.failing, c.gone, (long long)c.entries, cfg->ntags);
}

static void
status_update(void)
{
	struct timeval	tv = { 1, 0 };

	if (status_ev == NULL) {
		/* Before the loop runs (start-up): say it now. */
		status_send(-1, 0, NULL);
		return;
	}
	if (!evtimer_pending(status_ev, NULL))
		evtimer_add(status_ev, &tv);
}

/* Retention runs every prune_interval (and on "feedmuxctl purge"). */
static void
prune_tick(evutil_socket_t fd, short events, void *arg)
{
	feed_prune();
}

/*
 * Arm the prune timer, or re-arm it when a reload changed the interval
 * (only then: reloads more frequent than the interval must not starve it).
 */
static void
prune_arm(void)
{
	static long	armed;
	struct timeval	tv = { cfg->prune_interval, 0 };

	if (prune_ev == NULL &&
	    (prune_ev = event_new(ev_base, -1, EV_PERSIST, prune_tick,
	    NULL)) == NULL)
		fatalx("%s: event_new", __func__);
	if (armed == cfg->prune_interval)
		return;
	armed = cfg->prune_interval;
	evtimer_add(prune_ev, &tv);
}

/* Who waits for a configuration to be served (feedmuxctl). */
struct sync_waiter {
	void	(*done)(void *, const char *);
	void	 *arg;
};

/*
 * Submit a job that brings the database and the cache in line with conf;
 * done(arg), if not NULL, once that is served.
 */
static void
sync_submit(struct conf *conf, void (*done)(void *, const char *),
    void *arg)
{
	struct sync_waiter	*w = NULL;
	struct job		*job;

	if (done != NULL) {
		w = xcalloc(1, sizeof(*w));
		w->done = done;
		w->arg = arg;
	}
	job = job_new(JOB_SYNC, NULL, sync_done, w);
	conf_ref(conf);
	job->conf = conf;
	job_set_tags(job, conf->tags, conf->ntags);
	worker_submit(job);
}

static void
sync_done(struct job *job, void *arg)
{
	struct sync_waiter	*w = arg;

	if (job->state.error != NULL)
		log_warnx("reload: %s", job->state.error);
	on_rendered(job, NULL);
	if (w != NULL) {
		w->done(w->arg, job->state.error);
		free(w);
	}
}

/* Rendered tags are served; refreshes waiting for them may answer. */
static void
on_rendered(struct job *job, void *arg)
{
	render_cache_update(job->bodies, job->nbodies, job->seq, cfg);
	ctl_base_feed_done(NULL);
	site_changed();
}

/* A poll ended or a feed went (f), or counts changed (NULL). */
static void
on_feed_changed(struct feed *f)
{
	ctl_base_feed_done(f);
	status_update();
	site_changed();
}

/*
 * A configuration from the file's text with changes (taken) laid over it;
 * NULL and *cause on error.
 */
static struct conf *
conf_build(const char *path, const char *text, struct conf_change *changes,
    size_t nchanges, char **cause)
{
	struct conf	*conf;

	if ((conf = conf_load_string(path, text, cause)) == NULL ||
	    apply_overrides(conf, cause) != 0) {
		conf_unref(conf);
		conf_change_free(changes, nchanges);
		return (NULL);
	}
	conf_change_apply(conf, changes, nchanges);
	return (conf);
}

/*
 * Make conf the running configuration; done(arg) once it is served.
 * Addresses and paths bound at start-up need a restart.
 */
static void
conf_install(struct conf *conf, void (*done)(void *, const char *),
    void *arg)
{
	char	*cause;

	if (strcmp(conf->listen, cfg->listen) != 0) {
		log_warnx("reload: listen changed; restart to apply");
		if (conf_set_listen(conf, cfg->listen, &cause) != 0)
			free(cause);
	}
	if (conf->http_threads != cfg->http_threads) {
		log_warnx("reload: http_threads changed; restart to apply");
		conf->http_threads = cfg->http_threads;
	}
	if (strcmp(conf->control_socket, cfg->control_socket) != 0) {
		log_warnx("reload: control_socket changed; restart to apply");
		conf_set_string(&conf->control_socket, cfg->control_socket);
	}
	if (strcmp(conf->database, cfg->database) != 0) {
		log_warnx("reload: database changed; restart to apply");
		conf_set_string(&conf->database, cfg->database);
	}
	conf_unref(cfg);
	cfg = conf;
	fetch_configure(cfg);
	feed_apply_conf(cfg, NULL);
	render_cache_retain(cfg);
	render_pager_configure(cfg);
	http_configure(cfg);
	site_configure(cfg);
	ctl_cmd_configure(cfg);
	sync_submit(cfg, done, arg);
	prune_arm();
	status_update();
}

/*
 * Apply a configuration: the file read again (reread: a reload) or the
 * one running, with changes (taken; NULL: those running) laid over it;
 * done(arg) once it is served.  On error the running one stays and
 * *cause says why.
 */
static int
apply(int reread, struct conf_change *changes, size_t nchanges,
    void (*done)(void *, const char *), void *arg, char **cause)
{
	struct conf	*conf;
	char		*text = NULL;

	if (reread) {
		sd_reloading();
		if ((text = util_read_file(cfg->path, CONF_MAX_FILE,
		    cause)) == NULL)
			goto fail;
	}
	if (changes == NULL)
		changes = conf_change_copy(cfg, &nchanges);
	if ((conf = conf_build(cfg->path, text != NULL ? text : cfg_text,
	    changes, nchanges, cause)) == NULL)
		goto fail;
	if (text != NULL) {
		free(cfg_text);
		cfg_text = text;
	}
	conf_install(conf, done, arg);
	if (reread) {
		log_info("configuration reloaded: %zu feeds, %zu tags",
		    cfg->nfeeds, cfg->ntags);
		sd_ready();
	}
	return (0);

fail:
	free(text);
	if (reread) {
		log_warnx("reload failed, keeping the old configuration: %s",
		    *cause);
		sd_ready();
	}
	return (-1);
}

static void
on_signal(evutil_socket_t sig, short events, void *arg)
{
	char	*cause;

	switch (sig) {
	case SIGHUP:
		log_info("SIGHUP: reloading %s", cfg->path);
		if (apply(1, NULL, 0, NULL, NULL, &cause) != 0)
			free(cause);
		break;
	case SIGINT:
	case SIGTERM:
		log_info("%s: shutting down", strsignal(sig));
		event_base_loopbreak(ev_base);
		break;
	}
}

/* systemd's watchdog (WatchdogSec=): the interval in ms, 0 for none. */
static struct event	*watchdog_ev;
static int64_t		 watchdog_ms;

/* Ping every half interval, if systemd asks for pings at all. */
static void
watchdog_start(void)
{
	struct timeval	tv;
	uint64_t	usec;

	if ((usec = sd_watchdog_usec()) == 0)
		return;
	watchdog_ms = (int64_t)(usec / 1000);
	if (watchdog_ms < 2)
		watchdog_ms = 2;
	tv.tv_sec = watchdog_ms / 2 / 1000;
	tv.tv_usec = watchdog_ms / 2 % 1000 * 1000;
	if ((watchdog_ev = event_new(ev_base, -1, EV_PERSIST, watchdog_tick,
	    NULL)) == NULL)
		fatalx("%s: event_new", __func__);
	evtimer_add(watchdog_ev, &tv);
	log_info("systemd watchdog: pinging every %lld ms",
	    (long long)watchdog_ms / 2);
	sd_watchdog_ping();
}

/*
 * The loop runs (this timer fired), so ping, unless the worker thread has
 * spent a whole interval in one step (a job, a commit, a render): then it
 * is stuck (a lock, a hung disk) and only a restart helps, which is what
 * systemd does when the pings stop.  Said once per episode.
 */
static void
watchdog_tick(evutil_socket_t fd, short events, void *arg)
{
	static int	withheld;
	struct timespec	ts;
	int64_t		now, since;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	since = worker_busy_since();
	if (since != 0 && now - since >= watchdog_ms) {
		if (!withheld)
			log_warnx("systemd watchdog: not pinging: the worker "
			    "is stuck in one job for %lld s",
			    (long long)(now - since) / 1000);
		withheld = 1;
		return;
	}
	if (withheld)
		log_info("systemd watchdog: the worker moves again; pinging");
	withheld = 0;
	sd_watchdog_ping();
}

/* Render every tag once, before the first request can arrive. */
static void
render_all(struct db *db, struct conf *conf)
{
	struct body	**bodies;
	size_t		  n, i;

	n = render_tags(db, conf->tags, conf->ntags, &bodies);
	render_cache_update(bodies, n, 0, conf);
	for (i = 0; i < n; i++)
		render_body_unref(bodies[i]);
	free(bodies);
}

int
main(int argc, char *argv[])
{
	enum { OPT_PARSE = 256, OPT_BASE, OPT_CHARSET };
	static const struct option longopts[] = {
		{ "parse", no_argument, NULL, OPT_PARSE },
		{ "base", required_argument, NULL, OPT_BASE },
		{ "charset", required_argument, NULL, OPT_CHARSET },
		{ NULL, 0, NULL, 0 }
	};
	const char	*conffile = FEEDMUX_CONF, *base = NULL, *charset = NULL;
	struct event	*sigs[3];
	struct db	*db;
	struct conf_change *changes;
	size_t		 nchanges;
	char		*cause, *abs_conffile = NULL;
	time_t		 start_time;
	int		 ch, foreground = 0, check = 0, verbose = 0, i, parse = 0;
	int		 http_fd, ctl_fd;

	while ((ch = getopt_long(argc, argv, "c:d:fhl:s:tvV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_PARSE:
			parse = 1;
			break;
		case OPT_BASE:
			base = optarg;
			break;
		case OPT_CHARSET:
			charset = optarg;
			break;
		case 'c':
			conffile = optarg;
			break;
		case 'd':
			opt.database = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'l':
			opt.listen = optarg;
			break;
		case 's':
			opt.control_socket = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("feedmuxd %s\n", PACKAGE_VERSION);
			return (0);
		default:
			usage();
		}
	}
	if (parse) {
		if (optind == argc)
			usage();
		return (parse_dump_files(argv + optind, argc - optind, base,
		    charset));
	}
	if (optind != argc || base != NULL || charset != NULL)
		usage();

	log_init("feedmuxd", LOG_TO_STDERR, verbose);
	log_set_journal(sd_journal_log);
	if ((start_dir = getcwd(NULL, 0)) == NULL)
		fatal("getcwd");
	/* Reload re-reads the file after daemon() has moved us to "/". */
	if (*conffile != '/' && !check) {
		xasprintf(&abs_conffile, "%s/%s", start_dir, conffile);
		conffile = abs_conffile;
	}
	if ((cfg_text = util_read_file(conffile, CONF_MAX_FILE,
	    &cause)) == NULL || (cfg = conf_build(conffile, cfg_text, NULL, 0,
	    &cause)) == NULL) {
		fprintf(stderr, "feedmuxd: %s\n", cause);
		return (1);
	}
	if (check) {
		printf("%s: configuration OK (%zu feeds, %zu tags)\n",
		    conffile, cfg->nfeeds, cfg->ntags);
		conf_unref(cfg);
		free(cfg_text);
		free(abs_conffile);
		free(start_dir);
		return (0);
	}

	if (sd_sockets(&http_fd, &ctl_fd, &cause) != 0)
		fatalx("socket activation: %s", cause);

	start_time = time(NULL);
	srandom((unsigned int)(start_time ^ getpid()));
	signal(SIGPIPE, SIG_IGN);
	/* Log files are not ours to reopen (stderr or syslog). */
	signal(SIGUSR1, SIG_IGN);
	xmlInitParser();
	if (evthread_use_pthreads() != 0)
		fatalx("libevent has no pthreads support");
	if ((ev_base = event_base_new()) == NULL)
		fatalx("event_base_new failed");

	if ((db = db_open(cfg->database, &cause)) == NULL)
		fatalx("database %s", cause);
	db_configure(db, cfg);
	if (db_changes_load(db, &changes, &nchanges) == 0)
		conf_change_apply(cfg, changes, nchanges);
	if (db_sync_conf(db, cfg) != 0)
		log_warnx("%s: cannot record the configuration (%s); serving "
		    "what is stored", cfg->database, db_last_error(db));
	job_configure(cfg);
	feed_init(ev_base, cfg, on_feed_changed);
	feed_apply_conf(cfg, db);
	render_cache_retain(cfg);
	render_all(db, cfg);
	site_init(ev_base);
	site_configure(cfg);

	if (http_listen(cfg, http_fd) != 0)
		return (1);
	ctl_cmd_init(ev_base, start_time, db_readonly(db), apply);
	ctl_cmd_configure(cfg);
	if (ctl_start(ev_base, cfg->control_socket, ctl_fd,
	    ctl_cmd_dispatch) != 0)
		return (1);
	if (!foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init("feedmuxd", LOG_TO_SYSLOG, verbose);
		if (event_reinit(ev_base) != 0)
			fatalx("event_reinit failed");
	}
	render_pager_configure(cfg);
	if (render_pager_start(cfg->database, &cause) != 0) {
		/* The first pages are served all the same. */
		log_warnx("older pages (?before=, ?limit=) will answer 503: "
		    "%s", cause);
		free(cause);
	}
	if (http_start(cfg) != 0)
		return (1);
	if (fetch_init(ev_base, cfg) != 0)
		return (1);
	if (worker_start(ev_base, db, on_rendered) != 0)
		return (1);

	sigs[0] = evsignal_new(ev_base, SIGTERM, on_signal, NULL);
	sigs[1] = evsignal_new(ev_base, SIGINT, on_signal, NULL);
	sigs[2] = evsignal_new(ev_base, SIGHUP, on_signal, NULL);
	for (i = 0; i < 3; i++)
		evsignal_add(sigs[i], NULL);

	log_info("feedmuxd %s started: %zu feeds, %zu tags", PACKAGE_VERSION,
	    cfg->nfeeds, cfg->ntags);
	status_update();
	status_ev = evtimer_new(ev_base, status_send, NULL);
	feed_prune();		/* once at start, then every prune_interval */
	prune_arm();
	sd_ready();
	watchdog_start();
	event_base_dispatch(ev_base);

	sd_stopping();
	for (i = 0; i < 3; i++)
		event_free(sigs[i]);
	event_free(prune_ev);
	if (watchdog_ev != NULL)
		event_free(watchdog_ev);
	render_pager_stop();	/* first: it answers the serving threads */
	http_stop();
	site_shutdown();
	db_backup_stop();
	ctl_base_cancel_all();
	ctl_stop();
	feed_free_all();	/* first: no queued poll may start now */
	fetch_shutdown();
	sched_shutdown();
	worker_stop();		/* finishes queued writes first */
	event_free(status_ev);	/* after the jobs' callbacks, which use it */
	render_cache_clear();
	db_close(db);
	ctl_cmd_shutdown();
	conf_unref(cfg);
	free(cfg_text);
	event_base_free(ev_base);
	libevent_global_shutdown();
	xmlCleanupParser();
	free(abs_conffile);
	free(start_dir);
	log_info("stopped");
	return (0);
}
