/*
 * feedmuxctl.c: the control client.  Sends a request (proto.h) to
 * feedmuxd's control socket and prints the reply, as a table for people
 * or, with --json, as the reply's data for scripts.  import and export
 * read and write OPML here (opml.c); the daemon sees only feeds.
 *
 * Exit status: 0 success, 1 the command failed, 2 bad usage, 3 no daemon
 * answered (cannot connect, or no reply within the timeout).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ini.h"
#include "opml.h"
#include "proto.h"
#include "util.h"
#include "xmalloc.h"

/* As configured: ./configure --runstatedir, --sysconfdir. */
#ifndef FEEDMUX_SOCKET
#define FEEDMUX_SOCKET	"/run/feedmux/control.sock"
#endif
#ifndef FEEDMUX_CONF
#define FEEDMUX_CONF	"/etc/feedmux.conf"
#endif
/* Long enough for a refresh of thousands of feeds; -T changes it. */
#define DEFAULT_TIMEOUT	300
/* Feeds per import request: well under PROTO_MAX_REQUEST. */
#define IMPORT_BATCH	100

#define EXIT_FAILED	1
#define EXIT_USAGE	2
#define EXIT_NO_DAEMON	3

static void	print_status(json_t *);
static void	print_feeds(json_t *);
static void	print_feed(json_t *);
static void	print_entries(json_t *);
static void	print_tags(json_t *);
static void	print_refresh(json_t *);
static void	print_reload(json_t *);
static void	print_purge(json_t *);
static void	print_backup(json_t *);
static void	print_add(json_t *);
static void	print_remove(json_t *);
static void	print_pause(json_t *);
static void	print_tag(json_t *);

/* How each command of proto_cmds prints its reply for people. */
static void (*const printers[PROTO_NCMDS])(json_t *) = {
	[PROTO_ADD] = print_add,
	[PROTO_BACKUP] = print_backup,
	[PROTO_ENTRIES] = print_entries,
	[PROTO_FEED] = print_feed,
	[PROTO_FEEDS] = print_feeds,
	[PROTO_PAUSE] = print_pause,
	[PROTO_PURGE] = print_purge,
	[PROTO_REFRESH] = print_refresh,
	[PROTO_RELOAD] = print_reload,
	[PROTO_REMOVE] = print_remove,
	[PROTO_RESUME] = print_refresh,
	[PROTO_STATUS] = print_status,
	[PROTO_TAG] = print_tag,
	[PROTO_TAGS] = print_tags,
};

/* Usage goes to stdout and exits 0 when asked for (-h), else stderr, 2. */
static void
usage(int asked)
{
	FILE			*out = asked ? stdout : stderr;
	const struct proto_cmd	*pc;
	int			 i;

	fprintf(out, "usage: feedmuxctl [-jV] [-c file] [-s socket] "
	    "[-T seconds] command [argument] [options]\n\ncommands:\n");
	for (i = 0; i < PROTO_NCMDS; i++) {
		pc = &proto_cmds[i];
		fprintf(out, "  %s %s\n      %s\n", pc->name, pc->usage,
		    pc->help);
	}
	fprintf(out, "\noptions:\n"
	    "  -c, --config FILE  read control_socket from FILE (default %s)\n"
	    "  -j, --json         print the reply's data as JSON\n"
	    "  -s, --socket PATH  feedmuxd's control socket (default: "
	    "$FEEDMUX_SOCKET,\n"
	    "                     else control_socket in the config, else %s)\n"
	    "  -T, --timeout SEC  wait at most SEC for a reply (default %d, "
	    "0: for ever)\n"
	    "\nexit status: 0 done, 1 the command failed, 2 bad usage, "
	    "3 no daemon answered\n", FEEDMUX_CONF, FEEDMUX_SOCKET,
	    DEFAULT_TIMEOUT);
	exit(asked ? 0 : EXIT_USAGE);
}

/* ini.c's callback: keep [daemon] control_socket. */
static int
conf_key(void *arg, int line, const char *section, const char *key,
    const char *value)
{
	char	**sock = arg;

	if (key != NULL && strcmp(section, "daemon") == 0 &&
	    strcmp(key, "control_socket") == 0) {
		free(*sock);
		*sock = xstrdup(value);
	}
	return (0);
}

/*
 * The control socket a configuration file names, or NULL.  The default
 * file may be missing or unreadable (it is the daemon's); one given with
 * -c must be readable, and parse.
 */
static char *
conf_socket(const char *path, int given)
{
	FILE	*fp;
	char	*sock = NULL, *cause;

	if ((fp = fopen(path, "r")) == NULL) {
		if (!given)
			return (NULL);
		fprintf(stderr, "feedmuxctl: %s: %s\n", path, strerror(errno));
		exit(EXIT_USAGE);
	}
	if (ini_read_file(fp, path, conf_key, &sock, &cause) != 0) {
		fclose(fp);
		free(sock);
		if (!given) {
			free(cause);
			return (NULL);
		}
		fprintf(stderr, "feedmuxctl: %s\n", cause);
		exit(EXIT_USAGE);
	}
	fclose(fp);
	return (sock);
}

/* Feed text is untrusted: never let it reach the terminal raw. */
static const char *
safe(const char *s)
{
	/* A ring: one printf may take up to 8 (arguments' order is open). */
	static char	 buf[8][512];
	static int	 n;
	char		*out;
	size_t		 i;

	if (s == NULL)
		return ("-");
	out = buf[n++ % 8];
	for (i = 0; s[i] != '\0' && i < sizeof(buf[0]) - 1; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ?
		    '?' : s[i];
	out[i] = '\0';
	return (out);
}

static const char *
str(json_t *o, const char *key)
{
	return (safe(json_string_value(json_object_get(o, key))));
}

static long long
num(json_t *o, const char *key)
{
	return (json_integer_value(json_object_get(o, key)));
}

static void
print_uptime(long long s)
{
	if (s >= 86400)
		printf("%lldd %lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		printf("%lldh %lldm", s / 3600, s % 3600 / 60);
	else
		printf("%lldm %llds", s / 60, s % 60);
}

static void
print_status(json_t *d)
{
	json_t	*p;
	size_t	 i;

	printf("feedmuxd %s, pid %lld, up ", str(d, "version"),
	    num(d, "pid"));
	print_uptime(num(d, "uptime"));
	printf("\nconfig %s, listening on %s\n", str(d, "config"),
	    str(d, "listen"));
	printf("database %s%s\n", str(d, "database"),
	    json_is_true(json_object_get(d, "readonly")) ?
	    " (read-only: served as it is; polls are not stored)" : "");
	printf("%lld feeds (%lld failing, %lld gone), %lld entries, %lld tags, "
	    "%lld transfers running\n", num(d, "feeds"), num(d, "failing"),
	    num(d, "gone"), num(d, "entries"), num(d, "tags"),
	    num(d, "transfers"));
	p = json_object_get(d, "politeness");
	printf("%lld requests, %lld conditional, %lld not modified, "
	    "%lld bytes saved\n\n", num(p, "requests"), num(p, "conditional"),
	    num(p, "not_modified"), num(p, "bytes_saved"));
	if (json_array_size(json_object_get(d, "polls")) == 0)
		return;
	printf("%-24s %-8s %-20s %4s  %s\n", "FEED", "RESULT", "LAST POLL",
	    "HTTP", "ERROR");
	json_array_foreach(json_object_get(d, "polls"), i, p) {
		printf("%-24s %-8s %-20s %4lld  ", str(p, "name"),
		    str(p, "result"), str(p, "last_poll"),
		    num(p, "http_status"));
		if (json_string_value(json_object_get(p, "error")) != NULL)
			printf("%s: %s", str(p, "stage"), str(p, "error"));
		printf("\n");
	}
}

static void
print_feed_line(json_t *f)
{
	json_t	*t, *r;
	size_t	 i;

	printf("%-24s %-8s %7lld  %-20s %-20s %-15s ", str(f, "name"),
	    json_is_true(json_object_get(f, "paused")) ? "paused" :
	    str(f, "result"), num(f, "entries"), str(f, "last_poll"),
	    str(f, "next_poll"), str(f, "next_reason"));
	json_array_foreach(json_object_get(f, "tags"), i, t)
		printf("%s%s", i > 0 ? "," : "", safe(json_string_value(t)));
	printf("\n");
	if (json_string_value(json_object_get(f, "error")) != NULL)
		printf("    %s failed (%lld in a row): %s\n", str(f, "stage"),
		    num(f, "failures"), str(f, "error"));
	if (json_string_value(json_object_get(f, "adopted_url")) != NULL)
		printf("    moved permanently: now polling %s\n",
		    str(f, "adopted_url"));
	if ((r = json_object_get(f, "pending_redirect")) != NULL &&
	    json_is_object(r))
		printf("    permanently redirected to %s since %s (adopted "
		    "if it lasts)\n", str(r, "url"), str(r, "since"));
	if (strcmp(str(f, "identity"), "link") == 0)
		printf("    entries known by link: guids changed on %lld of "
		    "%lld new entries\n", num(f, "guid_rotations"),
		    num(f, "guid_rotations") + num(f, "entries_added"));
}

static void
print_feeds(json_t *d)
{
	json_t	*f;
	size_t	 i;

	printf("%-24s %-8s %7s  %-20s %-20s %-15s %s\n", "FEED", "RESULT",
	    "ENTRIES", "LAST POLL", "NEXT POLL", "BECAUSE", "TAGS");
	json_array_foreach(json_object_get(d, "feeds"), i, f)
		print_feed_line(f);
}

static void
print_tags(json_t *d)
{
	json_t	*t, *f, *r;
	size_t	 i, j;

	printf("%-20s %7s  %-44s %s\n", "TAG", "ENTRIES", "URL", "FEEDS");
	json_array_foreach(json_object_get(d, "tags"), i, t) {
		printf("%-20s %7lld  %-44s ", str(t, "name"),
		    num(t, "entries"), str(t, "url"));
		json_array_foreach(json_object_get(t, "feeds"), j, f)
			printf("%s%s", j > 0 ? "," : "",
			    safe(json_string_value(f)));
		printf("\n");
		r = json_object_get(t, "rules");
		json_array_foreach(json_object_get(r, "include"), j, f)
			printf("    include %s\n", safe(json_string_value(f)));
		json_array_foreach(json_object_get(r, "exclude"), j, f)
			printf("    exclude %s\n", safe(json_string_value(f)));
	}
}

static void
print_refresh(json_t *d)
{
	if (json_object_get(d, "started") != NULL) {
		printf("%lld polls started (--wait waits for them)\n",
		    num(d, "started"));
		return;
	}
	/* A refresh of every feed lists only those that are not ok. */
	if (json_object_get(d, "refreshed") != NULL) {
		printf("%lld feeds polled: %lld ok, %lld not\n",
		    num(d, "refreshed"), num(d, "ok"), num(d, "not_ok"));
		if (num(d, "not_ok") == 0)
			return;
	}
	print_feeds(d);
}

static void
print_purge(json_t *d)
{
	json_t	*f;
	size_t	 i;

	printf("%lld entries pruned, %lld tombstones expired\n",
	    num(d, "pruned"), num(d, "tombstones_expired"));
	json_array_foreach(json_object_get(d, "feeds"), i, f)
		printf("    %s: %lld entries left\n", str(f, "name"),
		    num(f, "entries"));
}

static void
print_backup(json_t *d)
{
	printf("backed up to %s: %lld bytes in %.1f s\n", str(d, "file"),
	    num(d, "bytes"), json_real_value(json_object_get(d, "seconds")));
}

static void
print_reload(json_t *d)
{
	printf("configuration %s reloaded: %lld feeds\n", str(d, "config"),
	    num(d, "feeds"));
}

/* How long to wait for feedmuxd, in seconds (0: for ever); see -T. */
static long	timeout_secs = DEFAULT_TIMEOUT;
static time_t	deadline;

static int
ctl_connect(const char *path)
{
	struct sockaddr_un	sun;
	struct timeval		tv = { timeout_secs, 0 };
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "feedmuxctl: socket path too long: %s\n",
		    path);
		return (-1);
	}
	strcpy(sun.sun_path, path);
	/* A daemon too stuck to accept makes connect() and write() wait. */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == EAGAIN || errno == EINPROGRESS)
			errno = ETIMEDOUT;
		fprintf(stderr, "feedmuxctl: cannot connect to %s: %s "
		    "(is feedmuxd running?)\n", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	return (fd);
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += n;
		len -= n;
	}
	return (0);
}

/* Wait until fd can be read, or the deadline passes (-1). */
static int
wait_readable(int fd)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	time_t		now;
	int		rv;

	for (;;) {
		if (timeout_secs == 0)
			rv = poll(&pfd, 1, -1);
		else {
			now = time(NULL);
			if (now >= deadline)
				return (-1);
			rv = poll(&pfd, 1, (int)(deadline - now) * 1000);
		}
		if (rv > 0)
			return (0);
		if (rv == 0)
			return (-1);
		if (errno != EINTR)
			return (0);	/* read() will say what is wrong */
	}
}

/* Read one reply line. */
static char *
read_line(int fd)
{
	struct buf	 b;
	char		 tmp[65536], *nl;
	ssize_t		 n;

	buf_init(&b);
	for (;;) {
		if (wait_readable(fd) != 0) {
			fprintf(stderr, "feedmuxctl: no reply within %ld "
			    "seconds (-T 0 waits for ever)\n", timeout_secs);
			exit(EXIT_NO_DAEMON);
		}
		if ((n = read(fd, tmp, sizeof(tmp))) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (n == 0)
			break;
		buf_add(&b, tmp, n);
		if ((nl = memchr(b.data, '\n', b.len)) != NULL) {
			*nl = '\0';
			return (buf_steal(&b));
		}
		if (b.len > PROTO_MAX_REPLY)
			break;
	}
	buf_free(&b);
	return (NULL);
}

static void
print_feed(json_t *d)
{
	json_t	*f = json_object_get(d, "feed"), *t, *h, *p, *r;
	size_t	 i;

	printf("feed %s (%s", str(f, "name"), str(f, "origin"));
	if (num(f, "line") > 0)
		printf(": %s, line %lld", str(f, "config"), num(f, "line"));
	printf(")\n  url            %s\n", str(f, "url"));
	if (strcmp(str(f, "polled_url"), str(f, "url")) != 0)
		printf("  polled at      %s\n", str(f, "polled_url"));
	if ((r = json_object_get(f, "pending_redirect")) != NULL &&
	    json_is_object(r))
		printf("  redirected to  %s since %s (adopted if it lasts)\n",
		    str(r, "url"), str(r, "since"));
	printf("  title          %s\n  link           %s\n  format         "
	    "%s\n  tags           ", str(f, "title"), str(f, "link"),
	    str(f, "format"));
	json_array_foreach(json_object_get(f, "tags"), i, t)
		printf("%s%s", i > 0 ? ", " : "", safe(json_string_value(t)));
	printf("\n  state          %s%s\n", str(f, "result"),
	    json_is_true(json_object_get(f, "paused")) ? ", paused" : "");
	printf("  entries        %lld stored, %lld new so far\n",
	    num(f, "entries"), num(f, "entries_added"));
	printf("  interval       %llds%s\n", num(f, "interval"),
	    json_is_true(json_object_get(f, "adaptive")) ? " (adaptive)" : "");
	printf("  last poll      %s (HTTP %lld)\n  last success   %s\n"
	    "  last change    %s\n  next poll      %s (%s)\n",
	    str(f, "last_poll"), num(f, "http_status"),
	    str(f, "last_success"), str(f, "last_change"),
	    str(f, "next_poll"), str(f, "next_reason"));
	if (json_string_value(json_object_get(f, "error")) != NULL)
		printf("  last error     %s failed (%lld in a row): %s\n",
		    str(f, "stage"), num(f, "failures"), str(f, "error"));
	if (json_string_value(json_object_get(f, "retry_after")) != NULL)
		printf("  retry after    %s\n", str(f, "retry_after"));
	printf("  validators     etag %s, last-modified %s\n", str(f, "etag"),
	    str(f, "last_modified"));
	h = json_object_get(f, "hints");
	printf("  hints          ttl %s, sy %s, cache until %s, %lld entries "
	    "a week\n", json_is_integer(json_object_get(h, "ttl")) ?
	    "set" : "-", json_is_integer(json_object_get(h, "sy_seconds")) ?
	    "set" : "-", str(h, "cache_until"), num(h, "weekly_entries"));
	printf("  identity       entries known by %s\n", str(f, "identity"));
	p = json_object_get(f, "politeness");
	printf("  requests       %lld (%lld conditional, %lld not modified), "
	    "%lld bytes received, %lld saved\n", num(p, "requests"),
	    num(p, "conditional"), num(p, "not_modified"),
	    num(p, "bytes_received"), num(p, "bytes_saved"));
}

static void
print_entries(json_t *d)
{
	json_t	*e;
	size_t	 i;

	printf("%-20s %-20s %s\n", "PUBLISHED", "FEED", "TITLE");
	json_array_foreach(json_object_get(d, "entries"), i, e) {
		printf("%-20.20s %-20s %s\n", str(e, json_is_string(
		    json_object_get(e, "published")) ? "published" :
		    "updated"), str(e, "feed"), str(e, "title"));
		printf("%-41s %s\n", "", str(e, "url"));
	}
}

static void
print_add(json_t *d)
{
	json_t	*f = json_object_get(d, "feed"), *t;
	size_t	 i;

	printf("added feed %s: ", str(f, "name"));
	if (strcmp(str(f, "result"), "ok") != 0)
		printf("its first poll failed (%s: %s); it is kept, and "
		    "polled again as scheduled\n", str(f, "stage"),
		    str(f, "error"));
	else
		printf("\"%s\", %s, %lld entries\n", str(f, "title"),
		    str(f, "format"), num(f, "entries"));
	printf("  polled every %llds; tags: ", num(f, "interval"));
	json_array_foreach(json_object_get(f, "tags"), i, t)
		printf("%s%s", i > 0 ? ", " : "", safe(json_string_value(t)));
	printf("%s\n", json_array_size(json_object_get(f, "tags")) == 0 ?
	    "none" : "");
}

static void
print_remove(json_t *d)
{
	printf("removed feed %s", str(d, "removed"));
	if (num(d, "forgotten") > 0)
		printf(" and forgot its %lld entries", num(d, "forgotten"));
	printf("\n");
}

static void
print_pause(json_t *d)
{
	printf("feed %s paused: not polled until \"feedmuxctl resume %s\"\n",
	    str(d, "feed"), str(d, "feed"));
}

static void
print_tag(json_t *d)
{
	json_t	*t;
	size_t	 i;

	printf("feed %s: tags ", str(d, "feed"));
	json_array_foreach(json_object_get(d, "tags"), i, t)
		printf("%s%s", i > 0 ? ", " : "", safe(json_string_value(t)));
	printf("%s\n", json_array_size(json_object_get(d, "tags")) == 0 ?
	    "none" : "");
}

/*
 * Send one request on fd and read its reply's data (a new reference), or
 * NULL, having said why (*rv is then the exit status).
 */
static json_t *
request(int fd, const char *cmd, json_t *args, int *rv)
{
	json_t		*req, *reply, *data;
	json_error_t	 err;
	char		*s, *line;

	req = json_pack("{s:i, s:s, s:O}", "v", PROTO_VERSION, "cmd", cmd,
	    "args", args);
	s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (write_all(fd, s, strlen(s)) == -1 || write_all(fd, "\n", 1) == -1) {
		fprintf(stderr, "feedmuxctl: write: %s\n", strerror(errno));
		free(s);
		*rv = EXIT_NO_DAEMON;
		return (NULL);
	}
	free(s);
	if ((line = read_line(fd)) == NULL) {
		fprintf(stderr, "feedmuxctl: no reply from feedmuxd\n");
		*rv = EXIT_NO_DAEMON;
		return (NULL);
	}
	reply = json_loads(line, 0, &err);
	free(line);
	*rv = EXIT_FAILED;
	if (reply == NULL) {
		fprintf(stderr, "feedmuxctl: bad reply: %s\n", err.text);
		return (NULL);
	}
	if (json_integer_value(json_object_get(reply, "v")) != PROTO_VERSION) {
		fprintf(stderr, "feedmuxctl: feedmuxd speaks protocol version "
		    "%lld, this feedmuxctl %d\n",
		    (long long)json_integer_value(json_object_get(reply, "v")),
		    PROTO_VERSION);
		json_decref(reply);
		return (NULL);
	}
	if (!json_is_true(json_object_get(reply, "ok"))) {
		fprintf(stderr, "feedmuxctl: %s\n", str(reply, "error"));
		json_decref(reply);
		return (NULL);
	}
	data = json_incref(json_object_get(reply, "data"));
	json_decref(reply);
	*rv = 0;
	return (data);
}

/* A title as a feed name: the daemon makes it unique. */
static char *
import_name(const char *title)
{
	return (title != NULL ? opml_tag_name(title) : NULL);
}

/*
 * import FILE.opml: the file's feeds, sent in batches; a progress line
 * per batch for large files.  1 if any outline was bad.
 */
static int
import(int fd, const char *path, int json)
{
	struct opml_feed	*v;
	json_t			*batch, *args, *data, *all, *r, *tags;
	size_t			 n, skipped, i, j, k, added = 0, dups = 0;
	size_t			 bad = 0;
	char			*cause, *name;
	int			 rv;

	if (opml_read(path, &v, &n, &skipped, &cause) != 0) {
		fprintf(stderr, "feedmuxctl: import: %s\n", cause);
		free(cause);
		return (EXIT_FAILED);
	}
	all = json_array();
	for (i = 0; i < n; i += IMPORT_BATCH) {
		batch = json_array();
		for (j = i; j < n && j < i + IMPORT_BATCH; j++) {
			tags = json_array();
			for (k = 0; k < v[j].ntags; k++)
				json_array_append_new(tags,
				    json_string(v[j].tags[k]));
			name = import_name(v[j].title);
			json_array_append_new(batch, json_pack("{s:s?, s:s?, "
			    "s:o}", "url", v[j].url, "name", name, "tags",
			    tags));
			free(name);
		}
		args = json_pack("{s:o}", "feeds", batch);
		data = request(fd, "import", args, &rv);
		json_decref(args);
		if (data == NULL) {
			json_decref(all);
			opml_free(v, n);
			return (rv);
		}
		added += num(data, "added");
		dups += num(data, "duplicates");
		bad += num(data, "invalid");
		json_array_extend(all, json_object_get(data, "results"));
		json_decref(data);
		if (n > IMPORT_BATCH)
			fprintf(stderr, "feedmuxctl: import: %zu of %zu "
			    "outlines done\n", j, n);
	}
	opml_free(v, n);
	if (json) {
		data = json_pack("{s:I, s:I, s:I, s:I, s:o}", "added",
		    (json_int_t)added, "duplicates", (json_int_t)dups,
		    "invalid", (json_int_t)bad, "skipped", (json_int_t)skipped,
		    "results", all);
		json_dumpf(data, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(data);
	} else {
		printf("imported %s: %zu feeds added, %zu already there, %zu "
		    "bad, %zu outlines not feeds\n", path, added, dups, bad,
		    skipped);
		json_array_foreach(all, i, r) {
			if (strcmp(str(r, "result"), "added") != 0)
				printf("  %-9s %s: %s\n", str(r, "result"),
				    str(r, "url"), str(r, "reason"));
		}
		json_decref(all);
	}
	return (bad > 0 ? EXIT_FAILED : 0);
}

/* export: every feed as OPML on stdout. */
static int
export(int fd, int json)
{
	struct opml_feed	*v;
	json_t			*args = json_object(), *data, *f, *t;
	size_t			 n, i, j;
	int			 rv;

	data = request(fd, "export", args, &rv);
	json_decref(args);
	if (data == NULL)
		return (rv);
	if (json) {
		json_dumpf(data, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(data);
		return (0);
	}
	n = json_array_size(json_object_get(data, "feeds"));
	v = xcalloc(n + 1, sizeof(*v));
	json_array_foreach(json_object_get(data, "feeds"), i, f) {
		v[i].url = xstrdup(json_string_value(json_object_get(f,
		    "url")));
		if (json_is_string(json_object_get(f, "title")))
			v[i].title = xstrdup(json_string_value(
			    json_object_get(f, "title")));
		else
			v[i].title = xstrdup(json_string_value(
			    json_object_get(f, "name")));
		if (json_is_string(json_object_get(f, "link")))
			v[i].link = xstrdup(json_string_value(
			    json_object_get(f, "link")));
		v[i].ntags = json_array_size(json_object_get(f, "tags"));
		v[i].tags = xcalloc(v[i].ntags + 1, sizeof(*v[i].tags));
		json_array_foreach(json_object_get(f, "tags"), j, t)
			v[i].tags[j] = xstrdup(json_string_value(t));
	}
	opml_write(stdout, v, n);
	opml_free(v, n);
	json_decref(data);
	return (0);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct proto_cmd	*cmd;
	enum proto_cmd_id	 id;
	const char		*path = NULL, *conffile = NULL;
	json_t			*args, *data;
	char			*end, *cause, *confsock = NULL;
	int			 ch, json = 0, fd, rv;

	while ((ch = getopt_long(argc, argv, "+c:hjs:T:V", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			conffile = optarg;
			break;
		case 'T':
			timeout_secs = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || timeout_secs < 0 ||
			    timeout_secs > 86400) {
				fprintf(stderr, "feedmuxctl: -T wants seconds, "
				    "0 to 86400\n");
				return (EXIT_USAGE);
			}
			break;
		case 'j':
			json = 1;
			break;
		case 's':
			path = optarg;
			break;
		case 'V':
			printf("feedmuxctl %s\n", PACKAGE_VERSION);
			return (0);
		case 'h':
			usage(1);
			break;
		default:
			usage(0);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(0);
	if ((cmd = proto_cmd_find(argv[0], &id)) == NULL) {
		fprintf(stderr, "feedmuxctl: unknown command: %s\n", argv[0]);
		usage(0);
	}
	if ((args = proto_args_parse(cmd, argc - 1, argv + 1, &cause)) ==
	    NULL) {
		fprintf(stderr, "feedmuxctl: %s\n", cause);
		free(cause);
		usage(0);
	}

	/* -s, else $FEEDMUX_SOCKET, else the config's, else the default. */
	if (path == NULL && (path = getenv("FEEDMUX_SOCKET")) != NULL &&
	    *path == '\0')
		path = NULL;
	if (path == NULL || conffile != NULL)
		confsock = conf_socket(conffile != NULL ? conffile :
		    FEEDMUX_CONF, conffile != NULL);
	if (path == NULL)
		path = confsock != NULL ? confsock : FEEDMUX_SOCKET;

	deadline = time(NULL) + timeout_secs;
	if ((fd = ctl_connect(path)) == -1) {
		json_decref(args);
		return (EXIT_NO_DAEMON);
	}
	if (id == PROTO_IMPORT)
		rv = import(fd, json_string_value(json_object_get(args,
		    cmd->key)), json);
	else if (id == PROTO_EXPORT)
		rv = export(fd, json);
	else if ((data = request(fd, cmd->name, args, &rv)) != NULL) {
		if (json) {
			rv = json_dumpf(data, stdout, JSON_INDENT(2)) != 0;
			printf("\n");
		} else
			printers[id](data);
		json_decref(data);
	}
	json_decref(args);
	free(confsock);
	close(fd);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "feedmuxctl: writing output failed\n");
		return (EXIT_FAILED);
	}
	return (rv);
}
