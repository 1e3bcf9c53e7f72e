/*
 * tests/bench/tag-render.c: how long one tag feed takes to read and render,
 * on a fresh connection ("cold") and then again and again ("warm"), through
 * the daemon's own db_tag_items() and render_atom().  With -a it times the
 * start-up steps of feedmuxd instead, rendering every tag as render_all()
 * does.  Run by tests/bench/store-bench.sh; not part of make check.
 *
 * Every measurement is one line of KEY=VALUE words, milliseconds unless
 * the key says otherwise, so that a script can read them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <sqlite3.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "render.h"
#include "xmalloc.h"

static void	 usage(void);
static double	 ms_since(const struct timespec *);
static int	 ms_cmp(const void *, const void *);
static int	 render_one(struct db *, const char *, const char *, double *,
		    double *, size_t *, int *);
static int	 time_startup(struct db *, struct conf *);
static int	 time_tag(struct db *, struct conf *, const char *, int);

static void
usage(void)
{
	fprintf(stderr, "usage: tag-render [-d database] [-n warm] conf tag\n"
	    "       tag-render -a [-d database] conf\n");
	exit(2);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((t1.tv_sec - t0->tv_sec) * 1e3 +
	    (t1.tv_nsec - t0->tv_nsec) / 1e6);
}

static int
ms_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/*
 * Read and render one tag, as render_tags() does, timing the query
 * and the rendering apart.  Freeing is not timed.
 */
static int
render_one(struct db *db, const char *tag, const char *base, double *q_ms,
    double *r_ms, size_t *len, int *nitems)
{
	struct timespec	 t0;
	struct items	 items;
	struct body	*b;

	TAILQ_INIT(&items);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (db_tag_items(db, tag, RENDER_ENTRIES, &items) != 0)
		return (-1);
	*q_ms = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	b = render_atom(tag, &items, base);
	*r_ms = ms_since(&t0);
	*len = b->len;
	*nitems = b->nitems;
	items_free(&items);
	render_body_unref(b);
	return (0);
}

/*
 * The steps feedmuxd takes before it listens (feedmuxd.c main()), less
 * the sockets and the scheduler: poll state per feed, then every tag.
 */
static int
time_startup(struct db *db, struct conf *conf)
{
	struct conf_feed	*cf;
	struct feed_state	 fs;
	struct timespec		 t0;
	const char		*slowest = "-";
	double			 q, r, all = 0, worst = 0;
	size_t			 i, len, bytes = 0;
	int			 n;

	memset(&fs, 0, sizeof(fs));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	TAILQ_FOREACH(cf, &conf->feeds, entry)
		db_state_load(db, cf->name, &fs);
	feed_state_clear(&fs);
	printf("step=state_load feeds=%zu ms=%.3f\n", conf->nfeeds,
	    ms_since(&t0));
	for (i = 0; i < conf->ntags; i++) {
		if (render_one(db, conf->tags[i], conf_base_url(conf), &q, &r,
		    &len, &n) != 0) {
			fprintf(stderr, "tag-render: %s: %s\n", conf->tags[i],
			    db_last_error(db));
			return (-1);
		}
		all += q + r;
		bytes += len;
		if (q + r > worst) {
			worst = q + r;
			slowest = conf->tags[i];
		}
	}
	printf("step=render_all tags=%zu ms=%.3f max_ms=%.3f slowest=%s "
	    "bytes=%zu\n", conf->ntags, all, worst, slowest, bytes);
	return (0);
}

/* The first render on this connection, then warm ones. */
static int
time_tag(struct db *db, struct conf *conf, const char *tag, int warm)
{
	double		 q, r, *t;
	size_t		 len;
	int		 n, i;

	if (!conf_has_tag(conf, tag)) {
		fprintf(stderr, "tag-render: no tag %s in %s\n", tag,
		    conf->path);
		return (-1);
	}
	if (render_one(db, tag, conf_base_url(conf), &q, &r, &len, &n) != 0) {
		fprintf(stderr, "tag-render: %s: %s\n", tag, db_last_error(db));
		return (-1);
	}
	printf("cold tag=%s items=%d bytes=%zu query_ms=%.3f render_ms=%.3f "
	    "ms=%.3f\n", tag, n, len, q, r, q + r);
	if (warm <= 0)
		return (0);
	t = xreallocarray(NULL, warm, sizeof(*t));
	for (i = 0; i < warm; i++) {
		if (render_one(db, tag, conf_base_url(conf), &q, &r, &len,
		    &n) != 0) {
			free(t);
			return (-1);
		}
		t[i] = q + r;
	}
	qsort(t, warm, sizeof(*t), ms_cmp);
	printf("warm tag=%s n=%d min_ms=%.3f median_ms=%.3f p99_ms=%.3f "
	    "max_ms=%.3f\n", tag, warm, t[0], t[warm / 2],
	    t[(int)(warm * 0.99) < warm ? (int)(warm * 0.99) : warm - 1],
	    t[warm - 1]);
	free(t);
	return (0);
}

int
main(int argc, char *argv[])
{
	struct timespec	 t0;
	struct conf	*conf;
	struct db	*db;
	const char	*database = NULL;
	char		*cause = NULL, *end;
	long		 n;
	int		 ch, all = 0, warm = 1000, rv;

	while ((ch = getopt(argc, argv, "ad:n:")) != -1) {
		switch (ch) {
		case 'a':
			all = 1;
			break;
		case 'd':
			database = optarg;
			break;
		case 'n':
			n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < 0 ||
			    n > 1000000)
				usage();
			warm = (int)n;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != (all ? 1 : 2))
		usage();

	log_init("tag-render", LOG_TO_STDERR, 0);
	xmlInitParser();
	printf("version sqlite=%s libxml2=%s\n", sqlite3_libversion(),
	    xmlParserVersion);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((conf = conf_load(argv[0], &cause)) == NULL) {
		fprintf(stderr, "tag-render: %s\n", cause);
		return (1);
	}
	if (database != NULL)
		conf_set_string(&conf->database, database);
	printf("step=conf_load feeds=%zu tags=%zu ms=%.3f\n", conf->nfeeds,
	    conf->ntags, ms_since(&t0));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((db = db_open(conf->database, &cause)) == NULL) {
		fprintf(stderr, "tag-render: %s\n", cause);
		return (1);
	}
	db_configure(db, conf);
	printf("step=db_open ms=%.3f\n", ms_since(&t0));

	/* An unchanged configuration: no tag is computed again. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (db_sync_conf(db, conf) != 0)
		fprintf(stderr, "tag-render: db_sync_conf: %s\n",
		    db_last_error(db));
	printf("step=db_sync_conf ms=%.3f\n", ms_since(&t0));

	rv = all ? time_startup(db, conf) : time_tag(db, conf, argv[1], warm);
	db_close(db);
	conf_unref(conf);
	xmlCleanupParser();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "tag-render: stdout: write error\n");
		return (1);
	}
	return (rv == 0 ? 0 : 1);
}
