/*
 * conf.c: the configuration file, read with libinih.
 *
 * libinih does the INI syntax; this file owns the meaning.  Every [daemon]
 * key is described once in daemon_options (name, type, bounds, default), so
 * defaults, checks and documentation agree.  We feed libinih through our own
 * line reader: that gives exact line numbers for every message, sees section
 * headers as they come (duplicate and empty sections), and catches lines
 * longer than libinih's buffer, which it would otherwise split silently.
 * The first error wins and the whole file is rejected.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "feedmux.h"

enum opt_type {
	OPT_STRING,
	OPT_DURATION,
	OPT_BOOL,
	OPT_SIZE,
	OPT_INT,
	OPT_LISTEN
};

struct conf_option {
	const char	*name;
	enum opt_type	 type;
	size_t		 offset;
	long long	 min;
	long long	 max;
	const char	*def;
};

#define DAY	86400

static const struct conf_option daemon_options[] = {
	{ "adaptive", OPT_BOOL, offsetof(struct conf, adaptive), 0, 1, "no" },
	{ "allow_file_urls", OPT_BOOL, offsetof(struct conf, allow_file_urls),
	    0, 1, "no" },
	{ "base_url", OPT_STRING, offsetof(struct conf, base_url), 0, 0, "" },
	{ "block_private_addresses", OPT_BOOL,
	    offsetof(struct conf, block_private_addresses), 0, 1, "no" },
	{ "clock_skew", OPT_DURATION, offsetof(struct conf, clock_skew), 0,
	    DAY, "10m" },
	{ "connect_timeout", OPT_DURATION,
	    offsetof(struct conf, connect_timeout), 1, 300, "15s" },
	{ "control_socket", OPT_STRING, offsetof(struct conf, control_socket),
	    1, 0, "/run/feedmux/control.sock" },
	{ "database", OPT_STRING, offsetof(struct conf, database), 1, 0,
	    "/var/lib/feedmux/feedmux.db" },
	{ "fetch_timeout", OPT_DURATION, offsetof(struct conf, fetch_timeout),
	    1, 3600, "60s" },
	{ "host_delay", OPT_DURATION, offsetof(struct conf, host_delay), 0,
	    3600, "1s" },
	{ "interval", OPT_DURATION, offsetof(struct conf, interval), 1,
	    30 * DAY, "60m" },
	{ "keep_days", OPT_INT, offsetof(struct conf, keep_days), 0,
	    100 * 365, "0" },
	{ "keep_entries", OPT_INT, offsetof(struct conf, keep_entries), 0,
	    10000000, "1000" },
	{ "listen", OPT_LISTEN, offsetof(struct conf, listen), 0, 0,
	    "127.0.0.1:8080" },
	{ "max_backdate", OPT_DURATION, offsetof(struct conf, max_backdate),
	    0, 365 * DAY, "1d" },
	{ "max_database_size", OPT_SIZE,
	    offsetof(struct conf, max_database_size), 0, INT64_MAX, "0" },
	{ "max_entries", OPT_INT, offsetof(struct conf, max_entries), 1,
	    1000000, "10000" },
	{ "max_feed_size", OPT_SIZE, offsetof(struct conf, max_feed_size),
	    1024, 1024LL * 1024 * 1024, "16M" },
	{ "max_field_size", OPT_SIZE, offsetof(struct conf, max_field_size),
	    1024, 64LL * 1024 * 1024, "1M" },
	{ "max_interval", OPT_DURATION, offsetof(struct conf, max_interval), 1,
	    30 * DAY, "1d" },
	{ "max_host_transfers", OPT_INT,
	    offsetof(struct conf, max_host_transfers), 1, 64, "2" },
	{ "max_transfers", OPT_INT, offsetof(struct conf, max_transfers), 1,
	    1024, "32" },
	{ "min_interval", OPT_DURATION, offsetof(struct conf, min_interval),
	    1, 30 * DAY, "15m" },
	{ "prune_interval", OPT_DURATION, offsetof(struct conf, prune_interval),
	    1, 7 * DAY, "1h" },
	{ "redirect_window", OPT_DURATION,
	    offsetof(struct conf, redirect_window), 0, 365 * DAY, "1d" },
	{ "refetch_after", OPT_DURATION, offsetof(struct conf, refetch_after),
	    1, 365 * DAY, "1d" },
	{ "user_agent", OPT_STRING, offsetof(struct conf, user_agent), 1, 0,
	    FEEDMUX_USER_AGENT },
};
#define NOPTIONS (sizeof(daemon_options) / sizeof(daemon_options[0]))

enum section {
	SECTION_NONE,
	SECTION_DAEMON,
	SECTION_FEED,
	SECTION_TAG
};

/* State of one parse. */
struct conf_parse {
	struct conf		*conf;
	const char		*file;
	int			 line;
	char			*error;		/* first error, "file:line: ..." */

	/* Where the lines come from: a FILE or a string. */
	FILE			*fp;
	const char		*str;

	enum section		 section;
	int			 daemon_seen;
	struct conf_feed	*feed;
	struct conf_tag		*tag;
	int			 feed_url_line;
	int			 feed_tags_seen;
	int			 feed_interval_seen;
	int			 feed_keep_entries_seen;
	int			 feed_keep_days_seen;
	int			 seen[NOPTIONS];	/* line set on */
	struct strmap		 names;		/* feed name -> conf_feed */
};

static void	conf_error(struct conf_parse *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static char	*conf_reader(char *, int, void *);
static int	 conf_handler(void *, const char *, const char *,
		    const char *);
static void	 conf_section(struct conf_parse *, char *);
static void	 conf_feed_key(struct conf_parse *, const char *,
		    const char *);
static void	 conf_feed_keep(struct conf_parse *, const char *,
		    const char *, int *, long *, long);
static void	 conf_tag_section(struct conf_parse *, char *);
static void	 conf_tag_key(struct conf_parse *, const char *,
		    const char *);
static int	 conf_set_option(struct conf *, const struct conf_option *,
		    const char *, char **);
static int	 conf_set_tags(struct conf_feed *, const char *, char **);
static size_t	 conf_option_index(const char *);
static int	 conf_check(struct conf_parse *);
static int	 conf_check_url(const struct conf *, const char *, char **);
static void	 conf_collect_tags(struct conf *);
static void	 conf_feed_free(struct conf_feed *);
static void	 conf_tag_free(struct conf_tag *);
static struct conf *conf_parse_source(struct conf_parse *, char **);

static void
conf_error(struct conf_parse *cp, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (cp->error != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	xasprintf(&cp->error, "%s:%d: %s", cp->file, cp->line, msg);
	free(msg);
}

/*
 * libinih asks for one line at a time.  Count it, look at section headers
 * ourselves, and stop at the first error by reporting end of file.
 */
static char *
conf_reader(char *line, int size, void *arg)
{
	struct conf_parse	*cp = arg;
	size_t			 len;
	const char		*nl;
	char			*p, copy[256];

	if (cp->error != NULL)
		return (NULL);
	if (cp->fp != NULL) {
		if (fgets(line, size, cp->fp) == NULL)
			return (NULL);
		len = strlen(line);
	} else {
		if (*cp->str == '\0')
			return (NULL);
		nl = strchr(cp->str, '\n');
		len = nl != NULL ? (size_t)(nl - cp->str) + 1 : strlen(cp->str);
		if (len > (size_t)size - 1)
			len = size - 1;
		memcpy(line, cp->str, len);
		line[len] = '\0';
		cp->str += len;
	}
	cp->line++;
	if (len == (size_t)size - 1 && line[len - 1] != '\n') {
		conf_error(cp, "line too long (at most %d characters)",
		    size - 2);
		return (NULL);
	}
	if (memchr(line, '\0', len) != NULL) {
		conf_error(cp, "NUL byte in line");
		return (NULL);
	}

	snprintf(copy, sizeof(copy), "%s", line);
	p = util_trim(copy);
	/* libinih would take it as the continuation of the previous value. */
	if ((*line == ' ' || *line == '\t') && *p != '\0' && *p != '#' &&
	    *p != ';') {
		conf_error(cp, "indented line (continuation lines are not "
		    "supported)");
		return (NULL);
	}
	if (*p == '[')
		conf_section(cp, p);
	return (cp->error != NULL ? NULL : line);
}

/* A section header: "[daemon]", "[feed NAME]" or "[tag NAME]". */
static void
conf_section(struct conf_parse *cp, char *hdr)
{
	struct conf_feed	*cf;
	char			*end, *name;

	if ((end = strchr(hdr, ']')) == NULL)
		return;		/* libinih reports the syntax error */
	*end = '\0';
	name = util_trim(hdr + 1);

	cp->feed = NULL;
	cp->tag = NULL;
	if (strcmp(name, "daemon") == 0) {
		if (cp->daemon_seen) {
			conf_error(cp, "duplicate [daemon] section");
			return;
		}
		cp->daemon_seen = 1;
		cp->section = SECTION_DAEMON;
		return;
	}
	if (strncmp(name, "tag", 3) == 0 && isspace((unsigned char)name[3])) {
		conf_tag_section(cp, util_trim(name + 3));
		return;
	}
	if (strncmp(name, "feed", 4) != 0 ||
	    !isspace((unsigned char)name[4])) {
		conf_error(cp, "unknown section [%s] (expected [daemon], "
		    "[feed NAME] or [tag NAME])", name);
		return;
	}
	name = util_trim(name + 4);
	if (!conf_valid_tag(name)) {
		conf_error(cp, "bad feed name \"%s\" (use letters, digits, "
		    "'.', '_' and '-', at most 64)", name);
		return;
	}
	if ((cf = strmap_get(&cp->names, name)) != NULL) {
		conf_error(cp, "duplicate feed \"%s\" (first defined at line "
		    "%d)", name, cf->line);
		return;
	}
	cf = xcalloc(1, sizeof(*cf));
	cf->adaptive = -1;
	cf->keep_entries = cf->keep_days = -1;
	cf->name = xstrdup(name);
	cf->line = cp->line;
	TAILQ_INSERT_TAIL(&cp->conf->feeds, cf, entry);
	strmap_put(&cp->names, cf->name, cf);
	cp->conf->nfeeds++;
	cp->feed = cf;
	cp->feed_url_line = cp->feed_tags_seen = cp->feed_interval_seen = 0;
	cp->feed_keep_entries_seen = cp->feed_keep_days_seen = 0;
	cp->section = SECTION_FEED;
}

/* "[tag NAME]": rules that pull entries into a tag or keep them out. */
static void
conf_tag_section(struct conf_parse *cp, char *name)
{
	struct conf_tag	*ct;
	size_t		 i;

	for (i = 0; name[i] != '\0'; i++)
		name[i] = tolower((unsigned char)name[i]);
	if (!conf_valid_tag(name)) {
		conf_error(cp, "bad tag name \"%s\" (use letters, digits, "
		    "'.', '_' and '-', at most 64)", name);
		return;
	}
	TAILQ_FOREACH(ct, &cp->conf->tag_sections, entry) {
		if (strcmp(ct->rules.name, name) == 0) {
			conf_error(cp, "duplicate [tag %s] (first defined at "
			    "line %d)", name, ct->line);
			return;
		}
	}
	ct = xcalloc(1, sizeof(*ct));
	ct->rules.name = xstrdup(name);
	ct->line = cp->line;
	TAILQ_INSERT_TAIL(&cp->conf->tag_sections, ct, entry);
	cp->tag = ct;
	cp->section = SECTION_TAG;
}

/* "include = RULE" and "exclude = RULE", each compiled as it is read. */
static void
conf_tag_key(struct conf_parse *cp, const char *key, const char *value)
{
	struct tag_rules	*tr = &cp->tag->rules;
	char			*cause;

	if (strcmp(key, "include") != 0 && strcmp(key, "exclude") != 0) {
		conf_error(cp, "unknown key \"%s\" in [tag %s] (expected "
		    "include or exclude)", key, tr->name);
		return;
	}
	if (tag_rules_add(tr, *key == 'e', value, &cause) != 0) {
		conf_error(cp, "%s: %s", key, cause);
		free(cause);
	}
}

static int
conf_handler(void *arg, const char *section, const char *key,
    const char *value)
{
	struct conf_parse		*cp = arg;
	const struct conf_option	*o;
	char				*cause;
	size_t				 i;

	switch (cp->section) {
	case SECTION_NONE:
		conf_error(cp, "key \"%s\" outside of any section", key);
		return (0);
	case SECTION_FEED:
		conf_feed_key(cp, key, value);
		return (cp->error == NULL);
	case SECTION_TAG:
		conf_tag_key(cp, key, value);
		return (cp->error == NULL);
	case SECTION_DAEMON:
		break;
	}
	if ((i = conf_option_index(key)) == NOPTIONS) {
		conf_error(cp, "unknown key \"%s\" in [daemon]", key);
		return (0);
	}
	o = &daemon_options[i];
	if (cp->seen[i]) {
		conf_error(cp, "duplicate key \"%s\" (first set at line %d)",
		    key, cp->seen[i]);
		return (0);
	}
	cp->seen[i] = cp->line;
	if (conf_set_option(cp->conf, o, value, &cause) != 0) {
		conf_error(cp, "%s: %s", key, cause);
		free(cause);
		return (0);
	}
	return (1);
}

static void
conf_feed_key(struct conf_parse *cp, const char *key, const char *value)
{
	struct conf_feed	*cf = cp->feed;
	const char		*errstr;
	char			*cause;
	long			 secs;

	if (strcmp(key, "url") == 0) {
		if (cp->feed_url_line != 0) {
			conf_error(cp, "duplicate key \"url\"");
			return;
		}
		cp->feed_url_line = cp->line;
		if (*value == '\0') {
			conf_error(cp, "url: empty");
			return;
		}
		cf->url = xstrdup(value);
	} else if (strcmp(key, "tags") == 0) {
		if (cp->feed_tags_seen++) {
			conf_error(cp, "duplicate key \"tags\"");
			return;
		}
		if (conf_set_tags(cf, value, &cause) != 0) {
			conf_error(cp, "tags: %s", cause);
			free(cause);
		}
	} else if (strcmp(key, "adaptive") == 0) {
		if (cf->adaptive != -1) {
			conf_error(cp, "duplicate key \"adaptive\"");
			return;
		}
		if (util_parse_bool(value, &cf->adaptive) != 0) {
			cf->adaptive = -1;
			conf_error(cp, "adaptive: expected yes or no");
		}
	} else if (strcmp(key, "interval") == 0) {
		if (cp->feed_interval_seen++) {
			conf_error(cp, "duplicate key \"interval\"");
			return;
		}
		if (util_parse_duration(value, &secs, &errstr) != 0)
			conf_error(cp, "interval: %s", errstr);
		else if (secs < 1 || secs > 30 * DAY)
			conf_error(cp, "interval: out of range (1s to 30d)");
		else
			cf->interval = secs;
	} else if (strcmp(key, "keep_entries") == 0)
		conf_feed_keep(cp, key, value, &cp->feed_keep_entries_seen,
		    &cf->keep_entries, 10000000);
	else if (strcmp(key, "keep_days") == 0)
		conf_feed_keep(cp, key, value, &cp->feed_keep_days_seen,
		    &cf->keep_days, 100 * 365);
	else
		conf_error(cp, "unknown key \"%s\" in [feed %s]", key,
		    cf->name);
}

/* A feed's own retention limit: a count, 0 for none. */
static void
conf_feed_keep(struct conf_parse *cp, const char *key, const char *value,
    int *seen, long *field, long max)
{
	char	*end;
	long	 l;

	if ((*seen)++) {
		conf_error(cp, "duplicate key \"%s\"", key);
		return;
	}
	errno = 0;
	l = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0' || errno != 0)
		conf_error(cp, "%s: not a number", key);
	else if (l < 0 || l > max)
		conf_error(cp, "%s: out of range (0 to %ld)", key, max);
	else
		*field = l;
}

/* Tags are a comma-separated list; they are folded to lower case. */
static int
conf_set_tags(struct conf_feed *cf, const char *value, char **cause)
{
	char	*copy, *p, *tok, *t;
	size_t	 i;

	copy = xstrdup(value);
	p = copy;
	while ((tok = strsep(&p, ",")) != NULL) {
		t = util_trim(tok);
		if (*t == '\0')
			continue;
		for (i = 0; t[i] != '\0'; i++)
			t[i] = tolower((unsigned char)t[i]);
		if (!conf_valid_tag(t)) {
			xasprintf(cause, "bad tag \"%s\" (use letters, "
			    "digits, '.', '_' and '-', at most 64)", t);
			free(copy);
			return (-1);
		}
		for (i = 0; i < cf->ntags; i++) {
			if (strcmp(cf->tags[i], t) == 0)
				break;
		}
		if (i < cf->ntags)
			continue;
		cf->tags = xreallocarray(cf->tags, cf->ntags + 1,
		    sizeof(*cf->tags));
		cf->tags[cf->ntags++] = xstrdup(t);
	}
	free(copy);
	return (0);
}

/* Names of feeds and tags end up in URLs and file names: keep them tame. */
int
conf_valid_tag(const char *s)
{
	size_t	n = 0;

	if (*s == '\0' || *s == '.' || *s == '-')
		return (0);
	for (; *s != '\0'; s++, n++) {
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' &&
		    *s != '-')
			return (0);
	}
	return (n <= 64);
}

static int
conf_set_option(struct conf *conf, const struct conf_option *o,
    const char *value, char **cause)
{
	void		*field = (char *)conf + o->offset;
	const char	*errstr;
	long		 l = 0;
	uint64_t	 u;
	int		 b;
	char		*end;

	*cause = NULL;
	switch (o->type) {
	case OPT_STRING:
		if (o->min > 0 && *value == '\0') {
			*cause = xstrdup("must not be empty");
			return (-1);
		}
		conf_set_string(field, value);
		return (0);
	case OPT_LISTEN:
		return (conf_set_listen(conf, value, cause));
	case OPT_BOOL:
		if (util_parse_bool(value, &b) != 0) {
			*cause = xstrdup("expected yes or no");
			return (-1);
		}
		*(int *)field = b;
		return (0);
	case OPT_DURATION:
		if (util_parse_duration(value, &l, &errstr) != 0) {
			*cause = xstrdup(errstr);
			return (-1);
		}
		break;
	case OPT_INT:
		errno = 0;
		l = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || errno != 0) {
			*cause = xstrdup("not a number");
			return (-1);
		}
		break;
	case OPT_SIZE:
		if (util_parse_size(value, &u, &errstr) != 0) {
			*cause = xstrdup(errstr);
			return (-1);
		}
		if (u < (uint64_t)o->min || u > (uint64_t)o->max) {
			xasprintf(cause, "out of range (%lld to %lld bytes)",
			    o->min, o->max);
			return (-1);
		}
		*(uint64_t *)field = u;
		return (0);
	}
	if (l < o->min || l > o->max) {
		if (o->type == OPT_DURATION) {
			char	*lo = util_format_duration(o->min);
			char	*hi = util_format_duration(o->max);

			xasprintf(cause, "out of range (%s to %s)", lo, hi);
			free(lo);
			free(hi);
		} else
			xasprintf(cause, "out of range (%lld to %lld)", o->min,
			    o->max);
		return (-1);
	}
	*(long *)field = l;
	return (0);
}

void
conf_set_string(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/* Set the HTTP listen address, "ADDR:PORT". */
int
conf_set_listen(struct conf *conf, const char *value, char **cause)
{
	const char	*errstr;
	char		*host;
	int		 port;

	if (util_split_hostport(value, &host, &port, &errstr) != 0) {
		*cause = xstrdup(errstr);
		return (-1);
	}
	conf_set_string(&conf->listen, value);
	free(conf->listen_host);
	conf->listen_host = host;
	conf->listen_port = port;
	return (0);
}

/* Only http and https, and file:// where the config allows it. */
static int
conf_check_url(const struct conf *conf, const char *url, char **cause)
{
	if (strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0)
		return (0);
	if (strncasecmp(url, "file://", 7) == 0) {
		if (conf->allow_file_urls)
			return (0);
		*cause = xstrdup("file:// URLs need allow_file_urls = yes in "
		    "[daemon]");
		return (-1);
	}
	*cause = xstrdup("only http:// and https:// URLs are fetched");
	return (-1);
}

static size_t
conf_option_index(const char *name)
{
	size_t	i;

	for (i = 0; i < NOPTIONS; i++) {
		if (strcmp(daemon_options[i].name, name) == 0)
			break;
	}
	return (i);
}

/* Checks that need the whole file. */
static int
conf_check(struct conf_parse *cp)
{
	struct conf		*conf = cp->conf;
	struct conf_feed	*cf;
	char			*cause;
	size_t			 len;

	if (*conf->base_url != '\0') {
		if (strncasecmp(conf->base_url, "http://", 7) != 0 &&
		    strncasecmp(conf->base_url, "https://", 8) != 0) {
			cp->line = cp->seen[conf_option_index("base_url")];
			conf_error(cp, "base_url must start with http:// or "
			    "https://");
			return (-1);
		}
		len = strlen(conf->base_url);
		while (len > 0 && conf->base_url[len - 1] == '/')
			conf->base_url[--len] = '\0';
	}
	if (conf->min_interval > conf->max_interval) {
		cp->line = cp->seen[conf_option_index("min_interval")];
		conf_error(cp, "min_interval is longer than max_interval");
		return (-1);
	}
	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		cp->line = cf->line;
		if (cf->url == NULL) {
			conf_error(cp, "[feed %s] has no url", cf->name);
			return (-1);
		}
		if (conf_check_url(conf, cf->url, &cause) != 0) {
			conf_error(cp, "[feed %s] %s", cf->name, cause);
			free(cause);
			return (-1);
		}
	}
	conf_collect_tags(conf);
	return (0);
}

static int
conf_strcmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* The sorted set of all tags: carried by a feed or given rules. */
static void
conf_collect_tags(struct conf *conf)
{
	struct conf_feed	*cf;
	struct conf_tag		*ct;
	size_t			 i, j, n = 0;

	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		for (i = 0; i < cf->ntags; i++) {
			conf->tags = xreallocarray(conf->tags, n + 1,
			    sizeof(*conf->tags));
			conf->tags[n++] = cf->tags[i];
		}
	}
	TAILQ_FOREACH(ct, &conf->tag_sections, entry) {
		conf->tags = xreallocarray(conf->tags, n + 1,
		    sizeof(*conf->tags));
		conf->tags[n++] = ct->rules.name;
	}
	if (n == 0)
		return;
	qsort(conf->tags, n, sizeof(*conf->tags), conf_strcmp);
	for (i = j = 0; i < n; i++) {
		if (j == 0 || strcmp(conf->tags[j - 1], conf->tags[i]) != 0)
			conf->tags[j++] = conf->tags[i];
	}
	for (i = 0; i < j; i++)
		conf->tags[i] = xstrdup(conf->tags[i]);
	conf->ntags = j;
}

static struct conf *
conf_new(const char *path)
{
	struct conf	*conf;
	char		*cause;
	size_t		 i;

	conf = xcalloc(1, sizeof(*conf));
	conf->refs = 1;
	conf->path = xstrdup(path);
	TAILQ_INIT(&conf->feeds);
	TAILQ_INIT(&conf->tag_sections);
	for (i = 0; i < NOPTIONS; i++) {
		if (conf_set_option(conf, &daemon_options[i],
		    daemon_options[i].def, &cause) != 0)
			fatalx("default of %s: %s", daemon_options[i].name,
			    cause);
	}
	return (conf);
}

static struct conf *
conf_parse_source(struct conf_parse *cp, char **cause)
{
	int	rv;

	cp->conf = conf_new(cp->file);
	rv = ini_parse_stream(conf_reader, cp, conf_handler, cp);
	if (rv > 0 && cp->error == NULL) {
		cp->line = rv;
		conf_error(cp, "syntax error (expected [section] or "
		    "key = value)");
	}
	if (cp->error == NULL && cp->fp != NULL && ferror(cp->fp))
		xasprintf(&cp->error, "%s: read error", cp->file);
	if (cp->error == NULL)
		conf_check(cp);
	strmap_free(&cp->names);
	if (cp->error != NULL) {
		*cause = cp->error;
		conf_unref(cp->conf);
		return (NULL);
	}
	return (cp->conf);
}

/* Read a config file; on error *cause is "file:line: message". */
struct conf *
conf_load(const char *path, char **cause)
{
	struct conf_parse	 cp;
	struct conf		*conf;

	memset(&cp, 0, sizeof(cp));
	cp.file = path;
	if ((cp.fp = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	conf = conf_parse_source(&cp, cause);
	fclose(cp.fp);
	return (conf);
}

/* The same from a string, named as if it were file name (for tests). */
struct conf *
conf_load_string(const char *name, const char *text, char **cause)
{
	struct conf_parse	cp;

	memset(&cp, 0, sizeof(cp));
	cp.file = name;
	cp.str = text;
	return (conf_parse_source(&cp, cause));
}

/* Where tag feeds say they live: base_url, else http://LISTEN. */
const char *
conf_base_url(const struct conf *conf)
{
	static char	buf[300];

	if (*conf->base_url != '\0')
		return (conf->base_url);
	if (strchr(conf->listen_host, ':') != NULL)
		snprintf(buf, sizeof(buf), "http://[%s]:%d",
		    conf->listen_host, conf->listen_port);
	else
		snprintf(buf, sizeof(buf), "http://%s:%d", conf->listen_host,
		    conf->listen_port);
	return (buf);
}

int
conf_has_tag(const struct conf *conf, const char *tag)
{
	size_t	i;

	for (i = 0; i < conf->ntags; i++) {
		if (strcmp(conf->tags[i], tag) == 0)
			return (1);
	}
	return (0);
}

struct conf_feed *
conf_feed_find(const struct conf *conf, const char *name)
{
	struct conf_feed	*cf;

	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		if (strcmp(cf->name, name) == 0)
			return (cf);
	}
	return (NULL);
}

/* A feed's interval: its own or the default, never below min_interval. */
long
conf_feed_interval(const struct conf *conf, const struct conf_feed *cf)
{
	long	i = cf->interval != 0 ? cf->interval : conf->interval;

	return (i < conf->min_interval ? conf->min_interval : i);
}

static void
conf_feed_free(struct conf_feed *cf)
{
	size_t	i;

	for (i = 0; i < cf->ntags; i++)
		free(cf->tags[i]);
	free(cf->tags);
	free(cf->name);
	free(cf->url);
	free(cf);
}

static void
conf_tag_free(struct conf_tag *ct)
{
	tag_rules_clear(&ct->rules);
	free(ct);
}

/* The rules of a tag, or NULL when it has no [tag] section. */
const struct tag_rules *
conf_tag_rules(const struct conf *conf, const char *tag)
{
	struct conf_tag	*ct;

	TAILQ_FOREACH(ct, &conf->tag_sections, entry) {
		if (strcmp(ct->rules.name, tag) == 0)
			return (&ct->rules);
	}
	return (NULL);
}

/* A feed's retention limits: its own, else the global ones. */
long
conf_feed_keep_entries(const struct conf *conf, const struct conf_feed *cf)
{
	return (cf->keep_entries >= 0 ? cf->keep_entries : conf->keep_entries);
}

long
conf_feed_keep_days(const struct conf *conf, const struct conf_feed *cf)
{
	return (cf->keep_days >= 0 ? cf->keep_days : conf->keep_days);
}

void
conf_ref(struct conf *conf)
{
	conf->refs++;
}

void
conf_unref(struct conf *conf)
{
	struct conf_feed	*cf;
	struct conf_tag		*ct;
	size_t			 i;

	if (conf == NULL || --conf->refs > 0)
		return;
	while ((cf = TAILQ_FIRST(&conf->feeds)) != NULL) {
		TAILQ_REMOVE(&conf->feeds, cf, entry);
		conf_feed_free(cf);
	}
	while ((ct = TAILQ_FIRST(&conf->tag_sections)) != NULL) {
		TAILQ_REMOVE(&conf->tag_sections, ct, entry);
		conf_tag_free(ct);
	}
	for (i = 0; i < conf->ntags; i++)
		free(conf->tags[i]);
	free(conf->tags);
	free(conf->path);
	free(conf->listen);
	free(conf->listen_host);
	free(conf->control_socket);
	free(conf->database);
	free(conf->base_url);
	free(conf->user_agent);
	free(conf);
}
