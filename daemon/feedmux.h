/*
 * feedmux.h: the daemon's types and prototypes, grouped by the file that owns
 * them.  Threads: everything runs on the libevent loop's thread except
 * worker.c and what it calls (parse*.c, db.c, render-atom.c), which run on
 * the single worker thread that owns the database.
 */
#ifndef FEEDMUX_H
#define FEEDMUX_H

#include <sys/queue.h>
#include <sys/types.h>

#include <stdint.h>
#include <time.h>

struct sockaddr;

#include "log.h"
#include "rules.h"
#include "util.h"
#include "xmalloc.h"

/* glibc's sys/queue.h lacks the _SAFE iterators. */
#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#define FEEDMUX_URL		PACKAGE_URL
#define FEEDMUX_USER_AGENT	"feedmux/" PACKAGE_VERSION " (+" PACKAGE_URL ")"

/* How many entries a tag feed carries (paging is a later issue). */
#define TAG_FEED_ENTRIES	50

struct event_base;
struct evbuffer;
struct host;
struct job;

/* --- conf.c --------------------------------------------------------------- */

struct conf_feed {
	char			*name;
	char			*url;
	char			**tags;
	size_t			 ntags;
	long			 interval;	/* 0: the global default */
	int			 adaptive;	/* -1: the global default */
	long			 keep_entries;	/* -1: the global default */
	long			 keep_days;	/* -1: the global default */
	int			 line;		/* of its section header */
	TAILQ_ENTRY(conf_feed)	 entry;
};
TAILQ_HEAD(conf_feeds, conf_feed);

/* A [tag NAME] section: its include and exclude rules. */
struct conf_tag {
	struct tag_rules	 rules;		/* rules.name is the tag */
	int			 line;
	TAILQ_ENTRY(conf_tag)	 entry;
};
TAILQ_HEAD(conf_tags, conf_tag);

struct conf {
	int			 refs;		/* loop thread only */
	char			*path;
	char			*listen;
	char			*listen_host;	/* derived from listen */
	int			 listen_port;
	char			*control_socket;
	char			*database;
	char			*base_url;	/* "" means http://LISTEN */
	char			*user_agent;
	long			 interval;
	long			 min_interval;
	long			 fetch_timeout;
	long			 connect_timeout;
	long			 max_transfers;
	long			 max_host_transfers;
	uint64_t		 max_feed_size;
	uint64_t		 max_field_size;
	long			 max_entries;
	long			 max_interval;
	long			 refetch_after;
	long			 redirect_window;
	long			 host_delay;
	int			 adaptive;
	int			 block_private_addresses;
	int			 allow_file_urls;
	long			 keep_entries;	/* per feed, 0: no limit */
	long			 keep_days;	/* 0: no limit */
	long			 prune_interval;
	long			 clock_skew;
	long			 max_backdate;
	uint64_t		 max_database_size;	/* 0: no limit */

	struct conf_feeds	 feeds;
	size_t			 nfeeds;
	struct conf_tags	 tag_sections;
	char			**tags;		/* sorted, unique, all */
	size_t			 ntags;
};

struct conf		*conf_load(const char *, char **);
struct conf		*conf_load_string(const char *, const char *, char **);
int			 conf_set_listen(struct conf *, const char *, char **);
void			 conf_set_string(char **, const char *);
const char		*conf_base_url(const struct conf *);
void			 conf_ref(struct conf *);
void			 conf_unref(struct conf *);
struct conf_feed	*conf_feed_find(const struct conf *, const char *);
long			 conf_feed_interval(const struct conf *,
			    const struct conf_feed *);
int			 conf_valid_tag(const char *);
int			 conf_has_tag(const struct conf *, const char *);
const struct tag_rules	*conf_tag_rules(const struct conf *, const char *);
long			 conf_feed_keep_entries(const struct conf *,
			    const struct conf_feed *);
long			 conf_feed_keep_days(const struct conf *,
			    const struct conf_feed *);

/* --- date.c --------------------------------------------------------------- */

time_t	date_parse(const char *);
time_t	date_parse_rfc3339(const char *);

/* --- parse.c, parse-rss.c, parse-atom.c, parse-json.c, html.c ---------- */

enum doc_format {
	FORMAT_UNKNOWN,
	FORMAT_RSS09X,
	FORMAT_RSS10,
	FORMAT_RSS20,
	FORMAT_ATOM03,
	FORMAT_ATOM10,
	FORMAT_JSONFEED10,
	FORMAT_JSONFEED11
};

struct enclosure {
	char			*url;
	char			*type;		/* NULL: unknown */
	int64_t			 length;	/* -1: unknown */
};

/*
 * One entry of a feed, normalised.  Times are 0 when unknown.  Text is
 * valid UTF-8 without C0 controls; title is plain text, summary and content
 * are HTML.  Bump PARSE_DUMP keys in parse-dump.c with care: scripts read
 * them through "feedmuxd --parse".
 */
struct item {
	char			*id;		/* guid or atom:id as written */
	char			*uid;		/* identity: id, link or hash */
	char			*title;
	char			*link;		/* absolute */
	char			**authors;
	size_t			 nauthors;
	char			**categories;
	size_t			 ncategories;
	char			*summary;
	char			*content;
	struct enclosure	*enclosures;
	size_t			 nenclosures;
	char			*image;		/* media:thumbnail */
	long			 duration;	/* itunes:duration, seconds */
	time_t			 published;
	time_t			 updated;

	/* Filled when read back from the database for rendering. */
	time_t			 sort_time;
	char			*source_name;
	char			*source_title;
	char			*source_link;
	char			*source_url;

	TAILQ_ENTRY(item)	 entry;
};
TAILQ_HEAD(items, item);

/* What a feed says about how often to poll it (RSS ttl, skip*, sy:*). */
struct feed_hints {
	int			 ttl;		/* minutes, 0: none */
	uint32_t		 skip_hours;	/* bit N: hour N (UTC) */
	uint8_t			 skip_days;	/* bit 0: Sunday */
	char			*update_period;	/* hourly ... yearly */
	int			 update_frequency;
};

/* A parsed feed document. */
struct doc {
	enum doc_format		 format;
	char			*title;
	char			*link;
	char			*id;
	time_t			 updated;
	char			**authors;	/* Atom: inherited by entries */
	size_t			 nauthors;
	struct feed_hints	 hints;
	struct items		 items;		/* unless a callback took them */
	size_t			 nitems;
};

/* How to parse: where the document came from and what it may cost. */
struct parse_opts {
	const char		*base;		/* URL, for relative links */
	const char		*charset;	/* from HTTP Content-Type */
	size_t			 max_field;	/* bytes per field */
	size_t			 max_items;	/* entries per document */
};

/* Hard limits, and the defaults of the configurable ones. */
#define PARSE_MAX_DEPTH		64
#define PARSE_MAX_CATEGORIES	64
#define PARSE_MAX_AUTHORS	16
#define PARSE_MAX_ENCLOSURES	16
#define PARSE_DEFAULT_MAX_FIELD	(1024 * 1024)
#define PARSE_DEFAULT_MAX_ITEMS	10000

typedef void (*parse_item_cb)(struct doc *, struct item *, void *);
struct parser;

void		 parse_opts_init(struct parse_opts *);
struct parser	*parse_new(const struct parse_opts *, parse_item_cb, void *);
void		 parse_push(struct parser *, const char *, size_t);
int		 parse_end(struct parser *, struct doc **, char **);
int		 parse_doc(const char *, size_t, const struct parse_opts *,
		    struct doc **, char **);
void		 doc_free(struct doc *);
struct item	*item_new(void);
void		 item_free(struct item *);
void		 items_free(struct items *);
void		 item_add_string(char ***, size_t *, size_t, const char *);
const char	*doc_format_name(enum doc_format);

size_t		 utf8_encode(unsigned int, char *);
struct _xmlEntity *html_entity(const char *);
char		*html_to_text(char *);
void		 html_escape_buf(struct buf *, const char *, size_t, int);
char		*html_escape(const char *);
char		*text_collapse(char *);
char		*html_unescape_twice_escaped(char *);

/* parse-dump.c */
int		 parse_dump_files(char **, int, const char *, const char *);

#define NS_ATOM		"http://www.w3.org/2005/Atom"

/* --- db.c ----------------------------------------------------------------- */

enum stage {
	STAGE_NONE,
	STAGE_FETCH,
	STAGE_HTTP,
	STAGE_PARSE,
	STAGE_STORE
};

/* What we know about polling one feed; persisted in the feeds table. */
/* Why a feed's next poll is when it is (shown by feedmuxctl feeds). */
enum reason {
	REASON_NEW,		/* never polled: now */
	REASON_INTERVAL,
	REASON_ADAPTIVE,	/* learnt from how often it publishes */
	REASON_BACKOFF,		/* after consecutive failures */
	REASON_RETRY_AFTER,	/* 429 or 503 with Retry-After */
	REASON_HOST,		/* its host said 429, or spacing requests */
	REASON_QUEUED,		/* waiting for a free transfer slot */
	REASON_TTL,		/* RSS ttl */
	REASON_SY,		/* sy:updatePeriod / sy:updateFrequency */
	REASON_MAX_AGE,		/* Cache-Control: max-age */
	REASON_EXPIRES,		/* Expires */
	REASON_SKIP_HOURS,
	REASON_SKIP_DAYS,
	REASON_GONE,		/* 410: not until resumed */
	REASON_MAX
};

/* The publisher's hints that the scheduler honours. */
struct poll_hints {
	int		 ttl;		/* minutes (RSS ttl) */
	uint32_t	 skip_hours;	/* bit N: hour N, UTC */
	uint8_t		 skip_days;	/* bit 0: Sunday */
	long		 sy_seconds;	/* sy:updatePeriod / updateFrequency */
	time_t		 cache_until;	/* from max-age or Expires */
	enum reason	 cache_reason;	/* which of the two */
};

/* What a feed's entries are known by (db-store.c). */
enum identity {
	IDENTITY_GUID,		/* guid/id, else link, else a hash */
	IDENTITY_LINK		/* its guids proved unreliable */
};

/*
 * What we know about polling one feed; persisted in the feeds table (bump
 * the schema in db.c when adding a field that must survive a restart).
 */
struct feed_state {
	time_t		 last_poll;
	time_t		 last_success;
	time_t		 last_change;	/* last poll that added entries */
	time_t		 next_poll;
	enum reason	 next_reason;
	long		 http_status;
	enum stage	 stage;		/* where the last poll failed */
	char		*error;
	int		 failures;	/* consecutive */
	int		 gone;		/* 410 Gone: polled again only when resumed */
	time_t		 retry_after;	/* not before this (429, 503) */
	char		*etag;
	char		*last_modified;
	time_t		 last_full;	/* last unconditional request */
	char		*title;
	char		*link;
	int64_t		 entries;	/* stored now (the store's count) */
	int64_t		 weekly;	/* entries first seen in the last week */
	enum identity	 identity;
	int64_t		 rotated;	/* new guids for known link+title */
	int64_t		 new_entries;	/* ever added */
	struct poll_hints hints;

	/* Permanent redirects: watched for a while, then adopted. */
	char		*adopted_url;
	char		*pending_url;
	time_t		 pending_since;

	/* Politeness counters. */
	int64_t		 requests;
	int64_t		 conditional;	/* requests with validators */
	int64_t		 not_modified;	/* 304s */
	int64_t		 bytes_received;	/* bodies, decompressed */
	int64_t		 bytes_saved;	/* last full body size, per 304 */
	int64_t		 last_body_size;
};

/* What storing one document did to its entries. */
struct store_counts {
	int		 added;
	int		 updated;	/* content changed */
	int		 unchanged;
	int		 tombstoned;	/* pruned before, still carried */
	int		 rotated;	/* republished under a new guid */
	int		 retagged;	/* tag memberships changed */
};

struct db;

struct db	*db_open(const char *, char **);
void		 db_close(struct db *);
void		 db_configure(struct db *, const struct conf *);
int		 db_begin(struct db *);
int		 db_commit(struct db *);
int		 db_in_transaction(struct db *);
int		 db_sync_conf(struct db *, const struct conf *);
int		 db_state_load(struct db *, const char *, struct feed_state *);
int		 db_state_save(struct db *, const char *,
		    const struct feed_state *);
int		 db_store(struct db *, const char *, struct doc *,
		    struct feed_state *, struct store_counts *);
int		 db_tag_items(struct db *, const char *, int, struct items *);
char		*db_tag_items_plan(struct db *);
int64_t		 db_total_changes(struct db *);
size_t		 db_feed_names(struct db *, char ***);
size_t		 db_take_dirty(struct db *, char ***);
int		 db_prune(struct db *, const char *, long, long, int64_t *,
		    int64_t *);
int64_t		 db_prune_tombstones(struct db *);
const char	*db_last_error(struct db *);
int		 db_schema_version(struct db *);
const char	*db_migration_sql(int);
const char	*stage_name(enum stage);
void		 feed_state_clear(struct feed_state *);
void		 feed_state_copy(struct feed_state *,
		    const struct feed_state *);

/* --- render-atom.c, render-html.c ---------------------------------------- */

/*
 * A rendered tag feed.  Made by the worker, then owned by the loop thread
 * (cache.c), where HTTP responses hold references while they are sent.
 */
struct body {
	int			 refs;
	char			*tag;
	char			*data;
	size_t			 len;
	char			 etag[24];	/* quoted strong validator */
	time_t			 updated;
	int			 nitems;
	TAILQ_ENTRY(body)	 entry;
};
TAILQ_HEAD(bodies, body);

struct body	*render_atom(const char *, struct items *, const char *);
void		 body_ref(struct body *);
void		 body_unref(struct body *);
void		 render_html_index(struct evbuffer *, const struct conf *);
void		 render_html_escape(struct evbuffer *, const char *);

/* --- cache.c -------------------------------------------------------------- */

void		 cache_put(struct body *);
struct body	*cache_get(const char *);
void		 cache_retain(const struct conf *);
void		 cache_clear(void);
void		 cache_put_job(struct job *, void *);
uint64_t	 cache_rendered_seq(void);

/* --- worker.c ------------------------------------------------------------- */

enum job_type {
	JOB_STORE,		/* parse a body, store its entries and state */
	JOB_STATE,		/* store poll state only (304, errors) */
	JOB_SYNC,		/* apply a config; render every tag */
	JOB_RENDER,		/* tags rendered after changes (worker-made) */
	JOB_PRUNE		/* retention: one feed, or all (feed NULL) */
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
	size_t			 store_bytes;	/* body size, for back-pressure */
	struct conf		*conf;		/* JOB_SYNC: a reference */

	/* Results, read on the loop thread in the callback. */
	int			 added;
	struct store_counts	 counts;
	struct body		**bodies;
	size_t			 nbodies;
	int64_t			 pruned;	/* JOB_PRUNE: entries, */
	int64_t			 tombstones;	/* ... tombstones expired, */
	char			**names;	/* ... feeds pruned */
	int64_t			*left;		/* ... and what they keep */
	size_t			 nnames;

	/*
	 * Order of processing, set by the worker.  A render job's seq
	 * covers every job processed before it.
	 */
	uint64_t		 seq;

	job_cb			 cb;
	void			*cb_arg;
	TAILQ_ENTRY(job)	 entry;
};

int		 worker_start(struct event_base *, struct db *, struct conf *,
		    job_cb);
void		 worker_stop(void);
struct job	*job_new(enum job_type, const char *, job_cb, void *);
void		 job_set_tags(struct job *, char **, size_t);
void		 job_submit(struct job *);
void		 job_free(struct job *);
int		 worker_render_tags(struct db *, const char *, char **, size_t,
		    struct job *);

/* --- fetch.c -------------------------------------------------------------- */

struct fetch_result {
	int		 ok;		/* transfer finished and status usable */
	long		 http_status;	/* 0 for file:// */
	char		*error;
	struct buf	 body;
	char		*etag;
	char		*last_modified;
	char		*effective_url;
	char		*charset;	/* of the Content-Type, if any */
	char		*retry_after;	/* raw header values, or NULL */
	char		*cache_control;
	char		*expires;
	int		 redirects;	/* hops followed */
	int		 permanent;	/* every hop was a 301 or 308 */
};

typedef void (*fetch_cb)(struct fetch_result *, void *);

int	 fetch_init(struct event_base *, const struct conf *);
void	 fetch_configure(const struct conf *);
void	 fetch_shutdown(void);
void	 fetch_start(const char *, const char *, const char *, fetch_cb,
	    void *);
int	 fetch_private_address(const struct sockaddr *);
char	*fetch_host(const char *);
void	 fetch_result_free(struct fetch_result *);
int	 fetch_active(void);

/* --- feed.c --------------------------------------------------------------- */

struct feed {
	int			 refs;
	int			 removed;	/* gone from the config */
	char			*name;
	char			*url;
	char			**tags;
	size_t			 ntags;
	long			 interval;	/* effective, seconds */
	int			 adaptive;
	char			*host;		/* for per-host politeness */
	struct feed_state	 state;
	int			 busy;		/* fetch or store running */
	int			 again;		/* poll again when done */
	int			 host_wait;	/* busy, waiting for its host */
	int			 queued;	/* ... in the queue for a slot */
	int			 has_slot;	/* holds a transfer slot */
	struct host		*slot_host;	/* ... counted against */
	TAILQ_ENTRY(feed)	 qentry;
	int			 sent_validators;
	unsigned int		 polls_started;
	unsigned int		 polls_done;
	uint64_t		 render_seq;	/* its entries are served once
						   this job seq is rendered */
	struct event		*timer;
	TAILQ_ENTRY(feed)	 entry;
};
TAILQ_HEAD(feeds, feed);

extern struct feeds	 feeds;

void		 feed_apply_conf(const struct conf *, struct db *);
void		 feed_ref(struct feed *);
void		 feed_unref(struct feed *);
struct feed	*feed_find(const char *);
int		 feed_poll(struct feed *);
void		 feed_start(struct feed *);
enum reason	 feed_wait_reason(const struct feed *);
const char	*feed_url(const struct feed *);
void		 feed_free_all(void);
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
void		 feed_counts(struct feed_counts *);
const char	*feed_result(const struct feed *);
void		 feed_prune(void);
void		 feed_pruned(struct job *);

/* --- sched.c -------------------------------------------------------------- */

time_t		 sched_next(const struct feed *, time_t, enum reason *);
void		 sched_arm(struct feed *, time_t, enum reason);
void		 sched_cancel(struct feed *);
void		 sched_reschedule(struct feed *);
const char	*sched_reason_name(enum reason);
int		 sched_host_wait(struct feed *, time_t);
int		 sched_slot_take(struct feed *);
void		 sched_slot_release(struct feed *);
void		 sched_store_begin(size_t);
void		 sched_store_end(size_t);
void		 sched_dequeue(struct feed *);
void		 sched_host_defer(const char *, time_t);
void		 sched_hosts_free(void);
time_t		 sched_retry_after(const char *, time_t);
void		 sched_cache_hints(struct poll_hints *, const char *,
		    const char *, time_t);

/* --- http.c --------------------------------------------------------------- */

int	http_start(struct event_base *, const struct conf *);
void	http_stop(void);
void	http_set_conf(const struct conf *);

/* --- ctl.c, ctl-cmd.c ----------------------------------------------------- */

struct ctl_client;
struct json_t;

int	 ctl_start(struct event_base *, const char *);
void	 ctl_stop(void);
void	 ctl_reply_ok(struct ctl_client *, struct json_t *);
void	 ctl_reply_error(struct ctl_client *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 ctl_client_privileged(struct ctl_client *);
void	 ctl_client_ref(struct ctl_client *);
void	 ctl_client_unref(struct ctl_client *);

enum cmd_retval {
	CMD_OK,
	CMD_ERROR,
	CMD_WAIT
};

enum cmd_retval	 ctl_cmd_dispatch(struct ctl_client *, const char *,
		    struct json_t *);
void		 ctl_cmd_feed_done(struct feed *);
void		 ctl_cmd_cancel_all(void);

/* --- backup.c ------------------------------------------------------------- */

int	backup_start(struct ctl_client *, const char *, const char *, char **);
void	backup_stop(void);

/* --- feedmuxd.c ----------------------------------------------------------- */

extern struct event_base *ev_base;
extern struct conf	*cfg;
extern time_t		 start_time;

int	daemon_reload(char **);
void	daemon_update_status(void);

/* --- sd.c ----------------------------------------------------------------- */

void	sd_ready(void);
void	sd_reloading(void);
void	sd_stopping(void);
void	sd_status(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
