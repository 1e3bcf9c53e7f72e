/*
 * conf.h: the configuration file, read into a struct conf.  Every key,
 * [daemon] and per feed, is described once in conf.c's options table
 * (name, scope, type, bounds, default); conf_options() lists it for the
 * test that checks the documentation against it.
 *
 * A struct conf is refcounted and read-only once loaded; references are
 * taken and dropped on the loop thread only.
 */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "rules.h"

/*
 * One [feed NAME] section.  Its per-feed keys inherit the [daemon] value
 * when the section does not set them, so each field here is the value
 * that applies (interval is never below min_interval).
 */
struct conf_feed {
	char			*name;
	char			*url;
	char			**tags;
	size_t			 ntags;
	long			 interval;
	int			 adaptive;
	long			 keep_entries;	/* 0: no limit */
	long			 keep_days;	/* 0: no limit */
	int			 enabled;	/* 0: configured, never polled */
	char			*user_agent;
	char			*username;	/* NULL: no authentication */
	char			*password_file;
	char			*password;	/* its contents: never logged */
	int			 password_line;	/* of password_file */
	char			**headers;	/* "Name: value", checked */
	size_t			 nheaders;
	uint64_t		 set;		/* bit N: option N was set */
	int			 line;		/* of its section header */
	int			 runtime;	/* added by feedmuxctl */
	int			 paused;	/* by feedmuxctl pause */
	TAILQ_ENTRY(conf_feed)	 entry;
};
TAILQ_HEAD(conf_feeds, conf_feed);

/*
 * A change made through feedmuxctl, kept in the database and laid over
 * the file on every start and reload (conf-change.c): a feed added at run
 * time (url set), or a pause or tag change to a feed of the file.
 */
struct conf_change {
	char		*name;
	char		*url;		/* NULL: changes a feed of the file */
	char		*tags_add;	/* comma-separated; "" none */
	char		*tags_remove;
	long		 interval;	/* 0: the default */
	int		 paused;
	int64_t		 added;		/* time_t */
};

/*
 * A [tag NAME] section: its include and exclude rules, and how its feeds
 * are served.  conf->tag_defaults holds the defaults, for the tags that
 * have no section.
 */
struct conf_tag {
	struct tag_rules	 rules;		/* rules.name is the tag */
	char			*title;		/* "": "feedmux: NAME" */
	char			*description;
	long			 entries;	/* per page */
	char			*token_file;	/* "": a public tag */
	char			*token;		/* its contents: never logged */
	int			 token_line;	/* of token_file */
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
	long			 http_threads;
	long			 max_connections;
	long			 request_timeout;
	long			 keepalive_timeout;

	struct conf_feeds	 feeds;
	size_t			 nfeeds;
	struct conf_tags	 tag_sections;
	struct conf_tag		 tag_defaults;	/* rules empty, name NULL */
	char			**tags;		/* sorted, unique, all */
	size_t			 ntags;

	struct conf_change	*changes;	/* laid over the file */
	size_t			 nchanges;
};

/* The longest configuration file feedmuxd reads. */
#define CONF_MAX_FILE	(64 * 1024 * 1024)

/* Where a key may be set. */
#define CONF_DAEMON	0x1
#define CONF_FEED	0x2
#define CONF_TAG	0x4

/* How a key's value is read. */
enum conf_type {
	CONF_STRING,
	CONF_DURATION,
	CONF_BOOL,
	CONF_SIZE,
	CONF_INT,
	CONF_LISTEN,
	CONF_URL,		/* a feed's: required, a fetchable scheme */
	CONF_TAGS,		/* a comma-separated list */
	CONF_RULE,		/* include or exclude, repeatable */
	CONF_HEADER		/* "Name: value", repeatable */
};

/* One key of the options table. */
struct conf_option {
	const char	*name;
	int		 scope;		/* CONF_DAEMON, CONF_FEED, CONF_TAG */
	enum conf_type	 type;
	size_t		 daemon_off;	/* in struct conf */
	size_t		 feed_off;	/* in struct conf_feed */
	long long	 min;		/* strings: 1 if it must not be empty */
	long long	 max;
	const char	*def;		/* NULL: none (a feed's url, tags) */
	size_t		 tag_off;	/* in struct conf_tag */
};

struct conf		*conf_load(const char *, char **);
struct conf		*conf_load_string(const char *, const char *, char **);
const struct conf_option *conf_options(size_t *);
int			 conf_set_listen(struct conf *, const char *, char **);
void			 conf_set_string(char **, const char *);
const char		*conf_base_url(const struct conf *);
void			 conf_ref(struct conf *);
void			 conf_unref(struct conf *);
struct conf_feed	*conf_feed_find(const struct conf *, const char *);
int			 conf_has_tag(const struct conf *, const char *);
const struct tag_rules	*conf_tag_rules(const struct conf *, const char *);
const struct conf_tag	*conf_tag_find(const struct conf *, const char *);

struct conf_feed	*conf_feed_add(struct conf *, const char *, const char *,
			    long, char **);
int			 conf_feed_set_tags(struct conf_feed *, const char *,
			    char **);
void			 conf_tags_update(struct conf *);
void			 conf_change_free(struct conf_change *, size_t);
int			 conf_valid_name(const char *);
char			*conf_tag_name(const char *, char **);
int			 conf_check_url(const struct conf *, const char *,
			    char **);

/* conf-change.c */
void		 conf_change_apply(struct conf *, struct conf_change *, size_t);
struct conf_change *conf_change_copy(const struct conf *, size_t *);
struct conf_change *conf_change_get(struct conf_change **, size_t *,
		    const char *);
void		 conf_change_drop(struct conf_change *, size_t *, const char *);
int		 conf_change_tags(struct conf_change *, const char *const *,
		    size_t, char **);

/* Value parsers: on error -1, with *errstr saying why. */
int	 conf_parse_duration(const char *, long *, const char **);
int	 conf_parse_size(const char *, uint64_t *, const char **);
int	 conf_parse_bool(const char *, int *);
int	 conf_split_hostport(const char *, char **, int *, const char **);
char	*conf_format_duration(long);

#endif
