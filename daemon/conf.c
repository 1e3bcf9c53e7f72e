/*
 * conf.c: the configuration file, read with ini.c.
 *
 * ini.c does the INI syntax; this file owns the meaning.  Every key is
 * described once in conf_table (name, where it may be set, type, bounds,
 * default), so defaults, checks and the documentation agree (test-conf
 * checks conf/feedmux.conf and feedmux.conf(5) against it).  A key that
 * may be set both in [daemon] and per feed is read by the same code in
 * both, and a feed that does not set it inherits the [daemon] value.
 *
 * The reader calls conf_line for each section header and each setting,
 * with its line number, so every message names the line it is about.
 * Whatever would fail at run time fails here, so that feedmuxd -t means
 * it: URLs, paths, credentials read now.  The first error wins and the
 * whole file is rejected.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "ini.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define DAY		86400
#define D(field)	offsetof(struct conf, field)
#define F(field)	offsetof(struct conf_feed, field)
#define T(field)	offsetof(struct conf_tag, field)
#define DF		(CONF_DAEMON | CONF_FEED)
#define USER_AGENT	"feedmux/" PACKAGE_VERSION " (+" PACKAGE_URL ")"
#define MAX_HEADERS	32	/* per feed */
#define MAX_PASSWORD	1024	/* bytes */

/* Every key, sorted by name.  Keep feedmux.conf(5) and conf/ in step. */
static const struct conf_option conf_table[] = {
	{ "adaptive", DF, CONF_BOOL, D(adaptive), F(adaptive), 0, 1, "no", 0 },
	{ "allow_file_urls", CONF_DAEMON, CONF_BOOL, D(allow_file_urls), 0,
	    0, 1, "no", 0 },
	{ "base_url", CONF_DAEMON, CONF_STRING, D(base_url), 0, 0, 0, "", 0 },
	{ "block_private_addresses", CONF_DAEMON, CONF_BOOL,
	    D(block_private_addresses), 0, 0, 1, "no", 0 },
	{ "clock_skew", CONF_DAEMON, CONF_DURATION, D(clock_skew), 0, 0, DAY,
	    "10m", 0 },
	{ "connect_timeout", CONF_DAEMON, CONF_DURATION, D(connect_timeout),
	    0, 1, 300, "15s", 0 },
	{ "control_socket", CONF_DAEMON, CONF_STRING, D(control_socket), 0, 1,
	    0, FEEDMUX_SOCKET, 0 },
	{ "database", CONF_DAEMON, CONF_STRING, D(database), 0, 1, 0,
	    FEEDMUX_DATABASE, 0 },
	{ "description", CONF_TAG, CONF_STRING, 0, 0, 0, 0, "",
	    T(description) },
	{ "enabled", CONF_FEED, CONF_BOOL, 0, F(enabled), 0, 1, "yes", 0 },
	{ "entries", CONF_TAG, CONF_INT, 0, 0, 1, 1000, "50", T(entries) },
	{ "exclude", CONF_TAG, CONF_RULE, 0, 0, 0, 0, NULL, 0 },
	{ "fetch_timeout", CONF_DAEMON, CONF_DURATION, D(fetch_timeout), 0, 1,
	    3600, "60s", 0 },
	{ "header", CONF_FEED, CONF_HEADER, 0, 0, 0, 0, NULL, 0 },
	{ "host_delay", CONF_DAEMON, CONF_DURATION, D(host_delay), 0, 0, 3600,
	    "1s", 0 },
	{ "http_threads", CONF_DAEMON, CONF_INT, D(http_threads), 0, 1, 64,
	    "1", 0 },
	{ "include", CONF_TAG, CONF_RULE, 0, 0, 0, 0, NULL, 0 },
	{ "interval", DF, CONF_DURATION, D(interval), F(interval), 1, 30 * DAY,
	    "60m", 0 },
	{ "keep_days", DF, CONF_INT, D(keep_days), F(keep_days), 0, 100 * 365,
	    "0", 0 },
	{ "keep_entries", DF, CONF_INT, D(keep_entries), F(keep_entries), 0,
	    10000000, "1000", 0 },
	{ "keepalive_timeout", CONF_DAEMON, CONF_DURATION,
	    D(keepalive_timeout), 0, 1, 3600, "15s", 0 },
	{ "listen", CONF_DAEMON, CONF_LISTEN, D(listen), 0, 0, 0,
	    "127.0.0.1:8080", 0 },
	{ "max_backdate", CONF_DAEMON, CONF_DURATION, D(max_backdate), 0, 0,
	    365 * DAY, "1d", 0 },
	{ "max_database_size", CONF_DAEMON, CONF_SIZE, D(max_database_size),
	    0, 0, INT64_MAX, "0", 0 },
	{ "max_connections", CONF_DAEMON, CONF_INT, D(max_connections), 0,
	    16, 1000000, "4096", 0 },
	{ "max_entries", CONF_DAEMON, CONF_INT, D(max_entries), 0, 1, 1000000,
	    "10000", 0 },
	{ "max_feed_size", CONF_DAEMON, CONF_SIZE, D(max_feed_size), 0, 1024,
	    1024LL * 1024 * 1024, "16M", 0 },
	{ "max_field_size", CONF_DAEMON, CONF_SIZE, D(max_field_size), 0,
	    1024, 64LL * 1024 * 1024, "1M", 0 },
	{ "max_host_transfers", CONF_DAEMON, CONF_INT, D(max_host_transfers),
	    0, 1, 64, "2", 0 },
	{ "max_interval", CONF_DAEMON, CONF_DURATION, D(max_interval), 0, 1,
	    30 * DAY, "1d", 0 },
	{ "max_transfers", CONF_DAEMON, CONF_INT, D(max_transfers), 0, 1, 1024,
	    "32", 0 },
	{ "min_interval", CONF_DAEMON, CONF_DURATION, D(min_interval), 0, 1,
	    30 * DAY, "15m", 0 },
	{ "password_file", CONF_FEED, CONF_STRING, 0, F(password_file), 1, 0,
	    NULL, 0 },
	{ "prune_interval", CONF_DAEMON, CONF_DURATION, D(prune_interval), 0,
	    1, 7 * DAY, "1h", 0 },
	{ "redirect_window", CONF_DAEMON, CONF_DURATION, D(redirect_window), 0,
	    0, 365 * DAY, "1d", 0 },
	{ "refetch_after", CONF_DAEMON, CONF_DURATION, D(refetch_after), 0, 1,
	    365 * DAY, "1d", 0 },
	{ "request_timeout", CONF_DAEMON, CONF_DURATION, D(request_timeout),
	    0, 1, 300, "10s", 0 },
	{ "tags", CONF_FEED, CONF_TAGS, 0, 0, 0, 0, NULL, 0 },
	{ "title", CONF_TAG, CONF_STRING, 0, 0, 0, 0, "", T(title) },
	{ "token_file", CONF_TAG, CONF_STRING, 0, 0, 0, 0, "",
	    T(token_file) },
	{ "url", CONF_FEED, CONF_URL, 0, F(url), 1, 0, NULL, 0 },
	{ "user_agent", DF, CONF_STRING, D(user_agent), F(user_agent), 1, 0,
	    USER_AGENT, 0 },
	{ "username", CONF_FEED, CONF_STRING, 0, F(username), 1, 0, NULL, 0 },
};
#define NOPTIONS	NELEM(conf_table)

/* struct conf_feed's set has a bit per option. */
_Static_assert(NOPTIONS <= 64, "too many options for conf_feed.set");

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
	char			*error;		/* "file:line: message" */

	/* Where the lines come from: a FILE or a string. */
	FILE			*fp;
	const char		*str;

	enum section		 section;
	int			 daemon_seen;
	struct conf_feed	*feed;
	struct conf_tag		*tag;
	int			 seen[NOPTIONS];	/* line, [daemon] */
	int			 feed_seen[NOPTIONS];	/* ... this [feed] */
	int			 tag_seen[NOPTIONS];	/* ... this [tag] */
	struct strmap		 names;		/* feed name -> conf_feed */
};

static void	 conf_error(struct conf_parse *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	 conf_line(void *, int, const char *, const char *,
		    const char *);
static void	 conf_setting(struct conf_parse *, const char *,
		    const char *);
static void	 conf_section(struct conf_parse *, const char *);
static void	 conf_feed_end(struct conf_parse *);
static int	 conf_key_line(struct conf_parse *, const char *);
static void	 conf_feed_defaults(struct conf_feed *);
static int	 conf_check_text(const char *, const char *, char **);
static int	 conf_add_header(struct conf_feed *, const char *, char **);
static int	 conf_set_password(struct conf_feed *, const char *, char **);
static int	 conf_check_listen(const char *, char **);
static int	 conf_check_paths(struct conf_parse *);
static int	 conf_check_dir(struct conf_parse *, const char *,
		    const char *);
static int	 conf_seen(struct conf_parse *, const char *);
static void	 conf_feed_section(struct conf_parse *, char *);
static void	 conf_tag_section(struct conf_parse *, char *);
static const struct conf_option *conf_option_find(struct conf_parse *,
		    const char *, size_t *);
static int	 conf_set_option(struct conf_parse *,
		    const struct conf_option *, const char *, char **);
static int	 conf_set_value(void *, const struct conf_option *,
		    const char *, char **);
static int	 conf_set_tags(struct conf_feed *, const char *, char **);
static int	 conf_check(struct conf_parse *);
static void	 conf_feed_inherit(struct conf *, struct conf_feed *);
static int	 conf_check_port(const char *, const char *);
static void	 conf_collect_tags(struct conf *);
static void	 conf_feed_free(struct conf_feed *);
static void	 conf_tag_free(struct conf_tag *);
static void	 conf_tag_defaults(struct conf_tag *);
static int	 conf_set_token(struct conf_tag *, const char *, char **);
static struct conf *conf_parse_source(struct conf_parse *, char **);

/* Is [p, end) a port number from 1 to 65535? */
static int
conf_check_port(const char *p, const char *end)
{
	long	n = 0;

	if (p == end || end - p > 5)
		return (-1);
	for (; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return (-1);
		n = n * 10 + (*p - '0');
	}
	return (n >= 1 && n <= 65535 ? 0 : -1);
}

/* The options table, for the test that checks the documentation. */
const struct conf_option *
conf_options(size_t *n)
{
	*n = NOPTIONS;
	return (conf_table);
}

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
 * The reader's callback: a section header (key NULL) or a setting, at
 * line.  The first error stops the reading.
 */
static int
conf_line(void *arg, int line, const char *section, const char *key,
    const char *value)
{
	struct conf_parse	*cp = arg;

	cp->line = line;
	if (key == NULL)
		conf_section(cp, section);
	else
		conf_setting(cp, key, value);
	return (cp->error != NULL ? -1 : 0);
}

/* A section header: "[daemon]", "[feed NAME]" or "[tag NAME]". */
static void
conf_section(struct conf_parse *cp, const char *header)
{
	char	*copy, *name;

	conf_feed_end(cp);
	if (cp->error != NULL)
		return;
	copy = xstrdup(header);
	name = copy;
	cp->feed = NULL;
	cp->tag = NULL;
	if (strcmp(name, "daemon") == 0) {
		if (cp->daemon_seen)
			conf_error(cp, "duplicate [daemon] section");
		cp->daemon_seen = 1;
		cp->section = SECTION_DAEMON;
	} else if (strncmp(name, "tag", 3) == 0 &&
	    isspace((unsigned char)name[3]))
		conf_tag_section(cp, util_trim(name + 3));
	else if (strncmp(name, "feed", 4) == 0 &&
	    isspace((unsigned char)name[4]))
		conf_feed_section(cp, util_trim(name + 4));
	else
		conf_error(cp, "unknown section [%s] (expected [daemon], "
		    "[feed NAME] or [tag NAME])", name);
	free(copy);
}

/* The line of the current [feed]'s key name (0: not set). */
static int
conf_key_line(struct conf_parse *cp, const char *name)
{
	size_t	i;

	for (i = 0; i < NOPTIONS; i++) {
		if (strcmp(conf_table[i].name, name) == 0)
			return (cp->feed_seen[i]);
	}
	return (0);
}

/*
 * A [feed] section has ended (another starts, or the file ends): the
 * checks between its keys, each at the line of the key it is about.
 */
static void
conf_feed_end(struct conf_parse *cp)
{
	struct conf_feed	*cf = cp->feed;
	int			 line = cp->line;

	if (cp->section != SECTION_FEED || cf == NULL || cp->error != NULL)
		return;
	if ((cf->username == NULL) != (cf->password_file == NULL)) {
		cp->line = conf_key_line(cp, cf->username != NULL ?
		    "username" : "password_file");
		conf_error(cp, "[feed %s] %s", cf->name, cf->username != NULL ?
		    "username needs password_file" :
		    "password_file needs username");
	} else if (cf->username != NULL && cf->url != NULL &&
	    strncasecmp(cf->url, "https://", 8) != 0) {
		cp->line = conf_key_line(cp, "username");
		if (strncasecmp(cf->url, "http://", 7) != 0)
			conf_error(cp, "[feed %s] username and password_file "
			    "need an http:// or https:// URL", cf->name);
		else
			/* Allowed, for a LAN; but the admin should know. */
			log_warnx("%s:%d: [feed %s] the password goes in "
			    "clear text over http:// (use https://)",
			    cp->file, cp->line, cf->name);
	}
	if (cp->error == NULL)
		cp->line = line;
}

/* "[feed NAME]": one feed to poll. */
static void
conf_feed_section(struct conf_parse *cp, char *name)
{
	struct conf_feed	*cf;

	if (!conf_valid_name(name)) {
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
	cf->name = xstrdup(name);
	cf->line = cp->line;
	conf_feed_defaults(cf);
	TAILQ_INSERT_TAIL(&cp->conf->feeds, cf, entry);
	strmap_put(&cp->names, cf->name, cf);
	cp->conf->nfeeds++;
	cp->feed = cf;
	memset(cp->feed_seen, 0, sizeof(cp->feed_seen));
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
	if (!conf_valid_name(name)) {
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
	conf_tag_defaults(ct);
	TAILQ_INSERT_TAIL(&cp->conf->tag_sections, ct, entry);
	cp->tag = ct;
	memset(cp->tag_seen, 0, sizeof(cp->tag_seen));
	cp->section = SECTION_TAG;
}

/* The option key names in the current section; NULL after an error. */
static const struct conf_option *
conf_option_find(struct conf_parse *cp, const char *key, size_t *index)
{
	static const int	 scopes[] = { 0, CONF_DAEMON, CONF_FEED,
	    CONF_TAG };
	size_t			 i;

	for (i = 0; i < NOPTIONS; i++) {
		if (strcmp(conf_table[i].name, key) == 0 &&
		    (conf_table[i].scope & scopes[cp->section]) != 0) {
			*index = i;
			return (&conf_table[i]);
		}
	}
	switch (cp->section) {
	case SECTION_NONE:
		conf_error(cp, "key \"%s\" outside of any section", key);
		break;
	case SECTION_DAEMON:
		conf_error(cp, "unknown key \"%s\" in [daemon]", key);
		break;
	case SECTION_FEED:
		conf_error(cp, "unknown key \"%s\" in [feed %s]", key,
		    cp->feed->name);
		break;
	case SECTION_TAG:
		conf_error(cp, "unknown key \"%s\" in [tag %s] (expected "
		    "include, exclude, title, description, entries or "
		    "token_file)", key, cp->tag->rules.name);
		break;
	}
	return (NULL);
}

/* A "key = value" line of the section being read. */
static void
conf_setting(struct conf_parse *cp, const char *key, const char *value)
{
	const struct conf_option	*o;
	char				*cause;
	int				*seen;
	size_t				 i;

	if ((o = conf_option_find(cp, key, &i)) == NULL)
		return;
	/* Rules and headers may be repeated; any other key is set once. */
	seen = cp->section == SECTION_FEED ? &cp->feed_seen[i] :
	    cp->section == SECTION_TAG ? &cp->tag_seen[i] : &cp->seen[i];
	if (o->type != CONF_RULE && o->type != CONF_HEADER && *seen != 0) {
		conf_error(cp, "duplicate key \"%s\" (first set at line %d)",
		    key, *seen);
		return;
	}
	*seen = cp->line;
	if (conf_set_option(cp, o, value, &cause) != 0) {
		conf_error(cp, "%s: %s", key, cause);
		free(cause);
		return;
	}
	if (cp->section == SECTION_FEED)
		cp->feed->set |= 1ULL << i;
	/* For the checks that need the whole file (conf_check_paths). */
	if (strcmp(key, "password_file") == 0)
		cp->feed->password_line = cp->line;
	else if (strcmp(key, "token_file") == 0)
		cp->tag->token_line = cp->line;
}

/* Set an option of the section being read. */
static int
conf_set_option(struct conf_parse *cp, const struct conf_option *o,
    const char *value, char **cause)
{
	*cause = NULL;
	switch (cp->section) {
	case SECTION_DAEMON:
		if (o->type == CONF_LISTEN)
			return (conf_set_listen(cp->conf, value, cause));
		if (conf_check_text(o->name, value, cause) != 0)
			return (-1);
		return (conf_set_value((char *)cp->conf + o->daemon_off, o,
		    value, cause));
	case SECTION_FEED:
		if (o->type == CONF_TAGS)
			return (conf_set_tags(cp->feed, value, cause));
		if (o->type == CONF_HEADER)
			return (conf_add_header(cp->feed, value, cause));
		if (strcmp(o->name, "password_file") == 0)
			return (conf_set_password(cp->feed, value, cause));
		if (conf_check_text(o->name, value, cause) != 0)
			return (-1);
		return (conf_set_value((char *)cp->feed + o->feed_off, o,
		    value, cause));
	case SECTION_TAG:
		if (strcmp(o->name, "token_file") == 0)
			return (conf_set_token(cp->tag, value, cause));
		if (o->type != CONF_RULE)
			return (conf_set_value((char *)cp->tag + o->tag_off,
			    o, value, cause));
		return (tag_rules_add(&cp->tag->rules, *o->name == 'e', value,
		    cause));
	case SECTION_NONE:
		break;
	}
	return (-1);
}

/* Read value into field as o says it is typed and bounded. */
static int
conf_set_value(void *field, const struct conf_option *o, const char *value,
    char **cause)
{
	const char	*errstr;
	char		*end, *lo, *hi;
	long		 l = 0;
	uint64_t	 u;
	int		 b;

	switch (o->type) {
	case CONF_STRING:
	case CONF_URL:
		if (o->min > 0 && *value == '\0') {
			*cause = xstrdup("must not be empty");
			return (-1);
		}
		conf_set_string(field, value);
		return (0);
	case CONF_BOOL:
		if (conf_parse_bool(value, &b) != 0) {
			*cause = xstrdup("expected yes or no");
			return (-1);
		}
		*(int *)field = b;
		return (0);
	case CONF_DURATION:
		if (conf_parse_duration(value, &l, &errstr) != 0) {
			*cause = xstrdup(errstr);
			return (-1);
		}
		break;
	case CONF_INT:
		errno = 0;
		l = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || errno != 0) {
			*cause = xstrdup("not a number");
			return (-1);
		}
		break;
	case CONF_SIZE:
		if (conf_parse_size(value, &u, &errstr) != 0) {
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
	default:
		fatalx("%s: %s has no plain value", __func__, o->name);
	}
	if (l < o->min || l > o->max) {
		if (o->type == CONF_DURATION) {
			lo = conf_format_duration(o->min);
			hi = conf_format_duration(o->max);
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

/* A feed's own keys (not inherited) that have a default. */
static void
conf_feed_defaults(struct conf_feed *cf)
{
	char	*cause;
	size_t	 i;

	for (i = 0; i < NOPTIONS; i++) {
		if (conf_table[i].scope != CONF_FEED ||
		    conf_table[i].def == NULL)
			continue;
		if (conf_set_value((char *)cf + conf_table[i].feed_off,
		    &conf_table[i], conf_table[i].def, &cause) != 0)
			fatalx("default of %s: %s", conf_table[i].name, cause);
	}
}

/*
 * Values that go into a request header as they are: a control character
 * (a CR, an LF) would end the header and start another.  A username
 * cannot hold the ':' that Basic authentication puts after it.
 */
static int
conf_check_text(const char *name, const char *value, char **cause)
{
	const unsigned char	*p;

	if (strcmp(name, "user_agent") != 0 && strcmp(name, "username") != 0)
		return (0);
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (*p < ' ' || *p == 0x7f) {
			*cause = xstrdup("has a control character");
			return (-1);
		}
	}
	if (strcmp(name, "username") == 0 && strchr(value, ':') != NULL) {
		*cause = xstrdup("must not contain ':'");
		return (-1);
	}
	return (0);
}

/*
 * The request headers feedmux sets itself, and what to use instead.  A
 * second Host or Content-Length would make the request ambiguous; the
 * others would break conditional GET, decoding or authentication.
 */
static const struct {
	const char	*name;
	const char	*instead;
} conf_owned_headers[] = {
	{ "Accept-Encoding", "feedmux asks for what it can decode" },
	{ "Authorization", "use username and password_file" },
	{ "Connection", "feedmux manages connections" },
	{ "Content-Length", "feedmux sends no body" },
	{ "Expect", "feedmux sends no body" },
	{ "Host", "it comes from the url" },
	{ "If-Modified-Since", "feedmux sends the stored Last-Modified" },
	{ "If-None-Match", "feedmux sends the stored ETag" },
	{ "Range", "a feed is fetched whole" },
	{ "TE", "feedmux manages transfer codings" },
	{ "Transfer-Encoding", "feedmux sends no body" },
	{ "Upgrade", "feedmux speaks HTTP/1.1 and HTTP/2 only" },
	{ "User-Agent", "use user_agent" },
};

/* "Name: value", a request header of the feed's own (RFC 9110 5.1, 5.5). */
static int
conf_add_header(struct conf_feed *cf, const char *value, char **cause)
{
	const unsigned char	*p;
	const char		*v;
	size_t			 n, i;

	n = strcspn(value, ":");
	if (value[n] != ':') {
		*cause = xstrdup("expected \"Name: value\"");
		return (-1);
	}
	for (p = (const unsigned char *)value; p < (const unsigned char *)
	    value + n; p++) {
		if (!isalnum(*p) && strchr("!#$%&'*+-.^_`|~", *p) == NULL)
			break;
	}
	if (n == 0 || p < (const unsigned char *)value + n) {
		*cause = xstrdup("the name must be a token (letters, digits "
		    "and !#$%&'*+-.^_`|~, no blanks)");
		return (-1);
	}
	for (v = value + n + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if ((*p < ' ' && *p != '\t') || *p == 0x7f) {
			*cause = xstrdup("the value has a control character "
			    "(CR, LF or another)");
			return (-1);
		}
	}
	if (*v == '\0') {
		*cause = xstrdup("the header has no value");
		return (-1);
	}
	for (i = 0; i < NELEM(conf_owned_headers); i++) {
		if (strlen(conf_owned_headers[i].name) == n &&
		    strncasecmp(value, conf_owned_headers[i].name, n) == 0) {
			xasprintf(cause, "%s is not yours to set (%s)",
			    conf_owned_headers[i].name,
			    conf_owned_headers[i].instead);
			return (-1);
		}
	}
	if (cf->nheaders == MAX_HEADERS) {
		xasprintf(cause, "more than %d headers", MAX_HEADERS);
		return (-1);
	}
	cf->headers = xreallocarray(cf->headers, cf->nheaders + 1,
	    sizeof(*cf->headers));
	xasprintf(&cf->headers[cf->nheaders++], "%.*s: %s", (int)n, value, v);
	return (0);
}

/*
 * A feed's password, read from its file now (so that -t checks it): the
 * whole file less one trailing newline, any bytes but NUL and line ends.
 * No message holds it.
 */
static int
conf_set_password(struct conf_feed *cf, const char *path, char **cause)
{
	FILE		*fp;
	struct stat	 sb;
	char		 buf[MAX_PASSWORD + 4];
	size_t		 n;
	int		 fd, error = 0;

	if (*path == '\0') {
		*cause = xstrdup("must not be empty");
		return (-1);
	}
	conf_set_string(&cf->password_file, path);
	/* Not blocking: a FIFO must not hang a reload on the loop thread. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		xasprintf(cause, "%s: not a regular file", path);
		close(fd);
		return (-1);
	}
	if (sb.st_mode & S_IROTH)
		log_warnx("%s: readable by everyone; it holds a password",
		    path);
	if ((fp = fdopen(fd, "r")) == NULL)
		fatal("%s: fdopen", __func__);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	if (ferror(fp))
		error = errno != 0 ? errno : EIO;
	fclose(fp);
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	if (error != 0)
		xasprintf(cause, "%s: %s", path, strerror(error));
	else if (n == 0)
		xasprintf(cause, "%s: the file is empty", path);
	else if (n > MAX_PASSWORD || strlen(buf) != n ||
	    strpbrk(buf, "\r\n") != NULL)
		xasprintf(cause, "%s: the password must be one line of at most "
		    "%d bytes", path, MAX_PASSWORD);
	else {
		free(cf->password);
		cf->password = xstrdup(buf);
	}
	explicit_bzero(buf, sizeof(buf));
	return (*cause != NULL ? -1 : 0);
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
		if (*util_trim(tok) == '\0')
			continue;
		if ((t = conf_tag_name(util_trim(tok), cause)) == NULL) {
			free(copy);
			return (-1);
		}
		for (i = 0; i < cf->ntags; i++) {
			if (strcmp(cf->tags[i], t) == 0)
				break;
		}
		if (i < cf->ntags) {
			free(t);
			continue;
		}
		cf->tags = xreallocarray(cf->tags, cf->ntags + 1,
		    sizeof(*cf->tags));
		cf->tags[cf->ntags++] = t;
	}
	free(copy);
	return (0);
}

/* A tag as written, folded to lower case in a new string; NULL if bad. */
char *
conf_tag_name(const char *s, char **cause)
{
	char	*t;
	size_t	 i;

	t = xstrdup(s);
	for (i = 0; t[i] != '\0'; i++)
		t[i] = tolower((unsigned char)t[i]);
	if (!conf_valid_name(t)) {
		xasprintf(cause, "bad tag \"%s\" (use letters, digits, '.', "
		    "'_' and '-', at most 64)", t);
		free(t);
		return (NULL);
	}
	return (t);
}

/* Names of feeds and tags end up in URLs and file names: keep them tame. */
int
conf_valid_name(const char *s)
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

	if (conf_split_hostport(value, &host, &port, &errstr) != 0) {
		*cause = xstrdup(errstr);
		return (-1);
	}
	if (conf_check_listen(host, cause) != 0) {
		free(host);
		return (-1);
	}
	conf_set_string(&conf->listen, value);
	free(conf->listen_host);
	conf->listen_host = host;
	conf->listen_port = port;
	return (0);
}

/*
 * The listen address as http.c will resolve it: what looks like an IP
 * address must be one.  A name is resolved at start-up, not here (no DNS
 * lookups while reloading).
 */
static int
conf_check_listen(const char *host, char **cause)
{
	struct addrinfo	 hints, *res;

	if (strspn(host, "0123456789.") != strlen(host) &&
	    strchr(host, ':') == NULL)
		return (0);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
	if (getaddrinfo(host, NULL, &hints, &res) != 0) {
		xasprintf(cause, "%s is not an IP address", host);
		return (-1);
	}
	freeaddrinfo(res);
	return (0);
}

/*
 * Files the daemon reads must not be the ones it writes: a password or
 * token file named as the database or the control socket would be
 * overwritten (or the socket refused) at start.
 */
static int
conf_check_paths(struct conf_parse *cp)
{
	struct conf		*conf = cp->conf;
	struct conf_feed	*cf;
	struct conf_tag		*ct;
	const char		*what;

	TAILQ_FOREACH(cf, &conf->feeds, entry) {
		if (cf->password_file == NULL)
			continue;
		what = strcmp(cf->password_file, conf->database) == 0 ?
		    "database" : strcmp(cf->password_file,
		    conf->control_socket) == 0 ? "control_socket" : NULL;
		if (what != NULL) {
			cp->line = cf->password_line;
			conf_error(cp, "[feed %s] password_file is the %s",
			    cf->name, what);
			return (-1);
		}
	}
	TAILQ_FOREACH(ct, &conf->tag_sections, entry) {
		if (*ct->token_file == '\0')
			continue;
		what = strcmp(ct->token_file, conf->database) == 0 ?
		    "database" : strcmp(ct->token_file,
		    conf->control_socket) == 0 ? "control_socket" : NULL;
		if (what != NULL) {
			cp->line = ct->token_line;
			conf_error(cp, "[tag %s] token_file is the %s",
			    ct->rules.name, what);
			return (-1);
		}
	}
	return (0);
}

/*
 * The directory of the control socket or the database must be one.  One
 * that is missing is not an error, nor even a warning: it may yet be made
 * before feedmuxd starts (systemd's RuntimeDirectory= and StateDirectory=
 * do, after an ExecStartPre=feedmuxd -t), and start-up says so if not.
 */
static int
conf_check_dir(struct conf_parse *cp, const char *key, const char *path)
{
	struct stat	 sb;
	char		*dir, *slash;
	int		 rv = 0;

	if ((slash = strrchr(path, '/')) == NULL)
		return (0);	/* the working directory */
	dir = xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
		cp->line = conf_seen(cp, key);
		conf_error(cp, "%s: %s is not a directory", key, dir);
		rv = -1;
	}
	free(dir);
	return (rv);
}

/* Only http and https, and file:// where the config allows it. */
int
conf_check_url(const struct conf *conf, const char *url, char **cause)
{
	const char	*p, *host, *end, *port;
	size_t		 n;

	for (p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			*cause = xstrdup("the URL has a space or a control "
			    "character (write %20 for a space)");
			return (-1);
		}
	}
	if (strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0) {
		/* The authority: [userinfo@]host[:port], host not empty. */
		host = strstr(url, "://") + 3;
		n = strcspn(host, "/?#");
		end = host + n;
		if ((p = memchr(host, '@', n)) != NULL)
			host = p + 1;
		port = NULL;
		if (*host == '[') {
			if ((p = memchr(host, ']', end - host)) == NULL) {
				*cause = xstrdup("the URL's IPv6 host has no "
				    "']'");
				return (-1);
			}
			if (p + 1 < end && p[1] == ':')
				port = p + 2;
		} else if ((p = memchr(host, ':', end - host)) != NULL)
			port = p + 1;
		if (host == end || *host == ':' || (port != NULL &&
		    conf_check_port(port, end) != 0)) {
			*cause = xstrdup(host == end || *host == ':' ?
			    "the URL has no host" : "the URL's port is not a "
			    "number from 1 to 65535");
			return (-1);
		}
		return (0);
	}
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

/* The line a [daemon] key was set on (0: not set), for errors. */
static int
conf_seen(struct conf_parse *cp, const char *name)
{
	size_t	i;

	for (i = 0; i < NOPTIONS; i++) {
		if (strcmp(conf_table[i].name, name) == 0)
			return (cp->seen[i]);
	}
	return (0);
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
			cp->line = conf_seen(cp, "base_url");
			conf_error(cp, "base_url must start with http:// or "
			    "https://");
			return (-1);
		}
		len = strlen(conf->base_url);
		while (len > 0 && conf->base_url[len - 1] == '/')
			conf->base_url[--len] = '\0';
	}
	/* sun_path holds 108 bytes, the NUL included. */
	if (strlen(conf->control_socket) > 107) {
		cp->line = conf_seen(cp, "control_socket");
		conf_error(cp, "control_socket is longer than 107 bytes");
		return (-1);
	}
	if (strcmp(conf->control_socket, conf->database) == 0) {
		cp->line = conf_seen(cp, "control_socket");
		conf_error(cp, "control_socket and database are the same path");
		return (-1);
	}
	if (conf->min_interval > conf->max_interval) {
		cp->line = conf_seen(cp, "min_interval");
		conf_error(cp, "min_interval is longer than max_interval");
		return (-1);
	}
	if (conf_check_paths(cp) != 0 ||
	    conf_check_dir(cp, "control_socket", conf->control_socket) != 0 ||
	    conf_check_dir(cp, "database", conf->database) != 0)
		return (-1);
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
		conf_feed_inherit(conf, cf);
	}
	conf_collect_tags(conf);
	return (0);
}

/*
 * A feed's keys that its section did not set take the [daemon] value; its
 * interval is never below min_interval.
 */
static void
conf_feed_inherit(struct conf *conf, struct conf_feed *cf)
{
	const struct conf_option	*o;
	size_t				 i;

	for (i = 0; i < NOPTIONS; i++) {
		o = &conf_table[i];
		if (o->scope != DF || (cf->set & (1ULL << i)))
			continue;
		if (o->type == CONF_BOOL)
			*(int *)((char *)cf + o->feed_off) =
			    *(int *)((char *)conf + o->daemon_off);
		else if (o->type == CONF_STRING)
			conf_set_string((char **)((char *)cf + o->feed_off),
			    *(char **)((char *)conf + o->daemon_off));
		else
			*(long *)((char *)cf + o->feed_off) =
			    *(long *)((char *)conf + o->daemon_off);
	}
	if (cf->interval < conf->min_interval)
		cf->interval = conf->min_interval;
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
		if (!(conf_table[i].scope & CONF_DAEMON))
			continue;
		if ((conf_table[i].type == CONF_LISTEN ?
		    conf_set_listen(conf, conf_table[i].def, &cause) :
		    conf_set_value((char *)conf + conf_table[i].daemon_off,
		    &conf_table[i], conf_table[i].def, &cause)) != 0)
			fatalx("default of %s: %s", conf_table[i].name, cause);
	}
	conf_tag_defaults(&conf->tag_defaults);
	return (conf);
}

/*
 * A private tag's token, read from its file now (so that -t checks it):
 * the first line, blanks around it dropped; at least 16 characters.
 */
static int
conf_set_token(struct conf_tag *ct, const char *path, char **cause)
{
	FILE	*fp;
	char	 line[1024], *t;

	conf_set_string(&ct->token_file, path);
	if (*path == '\0')
		return (0);
	if ((fp = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	t = util_trim(line);
	if (strlen(t) < 16 || strlen(t) > 512) {
		xasprintf(cause, "%s: the token must be one line of 16 to 512 "
		    "characters", path);
		explicit_bzero(line, sizeof(line));
		return (-1);
	}
	free(ct->token);
	ct->token = xstrdup(t);
	explicit_bzero(line, sizeof(line));
	return (0);
}

/* A tag's settings before its section sets any. */
static void
conf_tag_defaults(struct conf_tag *ct)
{
	char	*cause;
	size_t	 i;

	for (i = 0; i < NOPTIONS; i++) {
		if (conf_table[i].scope != CONF_TAG ||
		    conf_table[i].type == CONF_RULE)
			continue;
		if (conf_set_value((char *)ct + conf_table[i].tag_off,
		    &conf_table[i], conf_table[i].def, &cause) != 0)
			fatalx("default of %s: %s", conf_table[i].name, cause);
	}
}

static struct conf *
conf_parse_source(struct conf_parse *cp, char **cause)
{
	char	*error;

	cp->conf = conf_new(cp->file);
	if (cp->fp != NULL)
		ini_read_file(cp->fp, cp->file, conf_line, cp, &error);
	else
		ini_read_string(cp->str, cp->file, conf_line, cp, &error);
	if (error != NULL) {
		/* A syntax error: the reader stopped before our callback. */
		free(cp->error);
		cp->error = error;
	}
	if (cp->error == NULL)
		conf_feed_end(cp);
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

static void
conf_feed_free(struct conf_feed *cf)
{
	size_t	i;

	for (i = 0; i < cf->ntags; i++)
		free(cf->tags[i]);
	free(cf->tags);
	for (i = 0; i < cf->nheaders; i++)
		free(cf->headers[i]);
	free(cf->headers);
	free(cf->name);
	free(cf->url);
	free(cf->user_agent);
	free(cf->username);
	free(cf->password_file);
	if (cf->password != NULL)
		explicit_bzero(cf->password, strlen(cf->password));
	free(cf->password);
	free(cf);
}

static void
conf_tag_free(struct conf_tag *ct)
{
	tag_rules_clear(&ct->rules);
	free(ct->title);
	free(ct->description);
	free(ct->token_file);
	if (ct->token != NULL)
		explicit_bzero(ct->token, strlen(ct->token));
	free(ct->token);
	free(ct);
}

/* How a tag is served: its section, or the defaults when it has none. */
const struct conf_tag *
conf_tag_find(const struct conf *conf, const char *tag)
{
	struct conf_tag	*ct;

	TAILQ_FOREACH(ct, &conf->tag_sections, entry) {
		if (strcmp(ct->rules.name, tag) == 0)
			return (ct);
	}
	return (&conf->tag_defaults);
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
	free(conf->tag_defaults.title);
	free(conf->tag_defaults.description);
	free(conf->tag_defaults.token_file);
	free(conf->path);
	free(conf->listen);
	free(conf->listen_host);
	free(conf->control_socket);
	free(conf->database);
	free(conf->base_url);
	free(conf->user_agent);
	conf_change_free(conf->changes, conf->nchanges);
	free(conf);
}

/* Free what feedmuxctl changed (conf-change.c). */
void
conf_change_free(struct conf_change *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].url);
		free(v[i].tags_add);
		free(v[i].tags_remove);
	}
	free(v);
}

/*
 * Add a feed as if the file had a section for it (feedmuxctl add): its
 * keys take the [daemon] values, interval (0: the default) included.  The
 * caller sees to it that the name is free.
 */
struct conf_feed *
conf_feed_add(struct conf *conf, const char *name, const char *url,
    long interval, char **cause)
{
	struct conf_feed	*cf;

	if (!conf_valid_name(name)) {
		xasprintf(cause, "bad feed name \"%s\" (use letters, digits, "
		    "'.', '_' and '-', at most 64)", name);
		return (NULL);
	}
	if (conf_check_url(conf, url, cause) != 0)
		return (NULL);
	cf = xcalloc(1, sizeof(*cf));
	cf->name = xstrdup(name);
	cf->url = xstrdup(url);
	conf_feed_defaults(cf);
	conf_feed_inherit(conf, cf);
	if (interval > 0)
		cf->interval = interval < conf->min_interval ?
		    conf->min_interval : interval;
	cf->runtime = 1;
	TAILQ_INSERT_TAIL(&conf->feeds, cf, entry);
	conf->nfeeds++;
	return (cf);
}

/* Add a comma-separated list of tags to a feed's; -1 and why. */
int
conf_feed_set_tags(struct conf_feed *cf, const char *list, char **cause)
{
	return (conf_set_tags(cf, list, cause));
}

/* Collect the set of all tags again, after feeds' tags changed. */
void
conf_tags_update(struct conf *conf)
{
	size_t	i;

	for (i = 0; i < conf->ntags; i++)
		free(conf->tags[i]);
	free(conf->tags);
	conf->tags = NULL;
	conf->ntags = 0;
	conf_collect_tags(conf);
}

/*
 * Durations are "30s", "15m", "2h", "1d" or plain seconds.  On error *errstr
 * says why and -1 is returned.
 */
int
conf_parse_duration(const char *s, long *out, const char **errstr)
{
	char		*end;
	long long	 n, mul = 1;

	*errstr = NULL;
	errno = 0;
	if (!isdigit((unsigned char)*s)) {
		*errstr = "not a duration (use e.g. 30s, 15m, 2h, 1d)";
		return (-1);
	}
	n = strtoll(s, &end, 10);
	if (errno != 0) {
		*errstr = "duration out of range";
		return (-1);
	}
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mul = 60;
		break;
	case 'h':
		mul = 3600;
		break;
	case 'd':
		mul = 86400;
		break;
	default:
		*errstr = "bad duration unit (use s, m, h or d)";
		return (-1);
	}
	if (*end != '\0' && end[1] != '\0') {
		*errstr = "trailing characters after duration";
		return (-1);
	}
	if (n > LONG_MAX / mul) {
		*errstr = "duration out of range";
		return (-1);
	}
	*out = (long)(n * mul);
	return (0);
}

/* Sizes are plain bytes or with a K, M or G suffix (powers of 1024). */
int
conf_parse_size(const char *s, uint64_t *out, const char **errstr)
{
	char			*end;
	unsigned long long	 n, mul = 1;

	*errstr = NULL;
	errno = 0;
	if (!isdigit((unsigned char)*s)) {
		*errstr = "not a size (use e.g. 512K, 16M, 1G)";
		return (-1);
	}
	n = strtoull(s, &end, 10);
	if (errno != 0) {
		*errstr = "size out of range";
		return (-1);
	}
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		mul = 1024;
		break;
	case 'M':
		mul = 1024 * 1024;
		break;
	case 'G':
		mul = 1024 * 1024 * 1024;
		break;
	default:
		*errstr = "bad size unit (use K, M or G)";
		return (-1);
	}
	if (*end != '\0' && end[1] != '\0') {
		*errstr = "trailing characters after size";
		return (-1);
	}
	if (n > UINT64_MAX / mul) {
		*errstr = "size out of range";
		return (-1);
	}
	*out = n * mul;
	return (0);
}

int
conf_parse_bool(const char *s, int *out)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0 ||
	    strcmp(s, "1") == 0 || strcasecmp(s, "on") == 0) {
		*out = 1;
		return (0);
	}
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0 ||
	    strcmp(s, "0") == 0 || strcasecmp(s, "off") == 0) {
		*out = 0;
		return (0);
	}
	return (-1);
}

/* The shortest exact form of a duration: 3600 -> "1h", 90 -> "90s". */
char *
conf_format_duration(long secs)
{
	char	*s;

	if (secs != 0 && secs % 86400 == 0)
		xasprintf(&s, "%ldd", secs / 86400);
	else if (secs != 0 && secs % 3600 == 0)
		xasprintf(&s, "%ldh", secs / 3600);
	else if (secs != 0 && secs % 60 == 0)
		xasprintf(&s, "%ldm", secs / 60);
	else
		xasprintf(&s, "%lds", secs);
	return (s);
}

/* Split "ADDR:PORT" or "[V6ADDR]:PORT". */
int
conf_split_hostport(const char *s, char **host, int *port,
    const char **errstr)
{
	const char	*colon, *hend;
	char		*end;
	long		 p;

	*errstr = NULL;
	if (*s == '[') {
		if ((hend = strchr(s, ']')) == NULL || hend[1] != ':') {
			*errstr = "bad address (use [ADDR]:PORT for IPv6)";
			return (-1);
		}
		colon = hend + 1;
		s++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL) {
			*errstr = "missing port (use ADDR:PORT)";
			return (-1);
		}
		hend = colon;
	}
	if (hend == s) {
		*errstr = "missing address (use ADDR:PORT)";
		return (-1);
	}
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || p < 1 ||
	    p > 65535) {
		*errstr = "bad port (1-65535)";
		return (-1);
	}
	*host = xstrndup(s, hend - s);
	*port = (int)p;
	return (0);
}
