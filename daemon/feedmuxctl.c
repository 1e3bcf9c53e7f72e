/*
 * feedmuxctl.c: the control client.  Sends one request (proto.h) to
 * feedmuxd's control socket and prints the reply, as a table for people
 * or, with --json, as the reply's data for scripts.
 *
 * Exit status: 0 success, 1 the command failed (or no daemon answered),
 * 2 bad usage.
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

#include "proto.h"
#include "util.h"
#include "xmalloc.h"

#define DEFAULT_SOCKET	"/run/feedmux/control.sock"
/* Long enough for a refresh of thousands of feeds; -T changes it. */
#define DEFAULT_TIMEOUT	300

static void	print_status(json_t *);
static void	print_feeds(json_t *);
static void	print_tags(json_t *);
static void	print_refresh(json_t *);
static void	print_reload(json_t *);
static void	print_purge(json_t *);
static void	print_backup(json_t *);

static json_t	*make_args(const struct proto_cmd *, const char *);

/* How each command of proto_cmds prints its reply for people. */
static void (*const printers[PROTO_NCMDS])(json_t *) = {
	[PROTO_BACKUP] = print_backup,
	[PROTO_FEEDS] = print_feeds,
	[PROTO_PURGE] = print_purge,
	[PROTO_REFRESH] = print_refresh,
	[PROTO_RELOAD] = print_reload,
	[PROTO_RESUME] = print_refresh,
	[PROTO_STATUS] = print_status,
	[PROTO_TAGS] = print_tags,
};

/* Usage goes to stdout and exits 0 when asked for (-h), else stderr, 2. */
static void
usage(int asked)
{
	FILE			*out = asked ? stdout : stderr;
	const struct proto_cmd	*pc;
	char			 cmd[32];
	int			 i;

	fprintf(out, "usage: feedmuxctl [-jV] [-s socket] [-T seconds] command "
	    "[argument]\ncommands:\n");
	for (i = 0; i < PROTO_NCMDS; i++) {
		pc = &proto_cmds[i];
		snprintf(cmd, sizeof(cmd), "%s %s", pc->name, pc->usage);
		fprintf(out, "    %-18s %s\n", cmd, pc->help);
	}
	exit(asked ? 0 : 2);
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

/* The request's "args" for cmd and its argument (or NULL); NULL: error. */
static json_t *
make_args(const struct proto_cmd *cmd, const char *arg)
{
	json_t	*args = json_object();
	char	*s, *cwd;

	if (arg == NULL)
		return (args);
	switch (cmd->arg) {
	case PROTO_ARG_FLAG:
		if (strcmp(arg, cmd->key) != 0)
			usage(0);
		json_object_set_new(args, cmd->key, json_true());
		break;
	case PROTO_ARG_PATH:
		/* The daemon runs elsewhere ("/"): send an absolute path. */
		if (*arg == '/')
			s = xstrdup(arg);
		else if ((cwd = getcwd(NULL, 0)) == NULL) {
			fprintf(stderr, "feedmuxctl: getcwd: %s\n",
			    strerror(errno));
			json_decref(args);
			return (NULL);
		} else {
			xasprintf(&s, "%s/%s", cwd, arg);
			free(cwd);
		}
		json_object_set_new(args, cmd->key, json_string(s));
		free(s);
		break;
	case PROTO_ARG_STRING:
		json_object_set_new(args, cmd->key, json_string(arg));
		break;
	case PROTO_ARG_NONE:
		break;
	}
	return (args);
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
			exit(1);
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

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct proto_cmd	*cmd;
	enum proto_cmd_id	 id;
	const char		*path = DEFAULT_SOCKET;
	json_t			*req, *args, *reply, *data;
	json_error_t		 err;
	char			*line, *s, *end;
	int			 ch, json = 0, fd, nargs, rv;

	if (getenv("FEEDMUX_SOCKET") != NULL)
		path = getenv("FEEDMUX_SOCKET");
	while ((ch = getopt_long(argc, argv, "+hjs:T:V", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'T':
			timeout_secs = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || timeout_secs < 0 ||
			    timeout_secs > 86400) {
				fprintf(stderr, "feedmuxctl: -T wants seconds, "
				    "0 to 86400\n");
				return (2);
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
	nargs = argc - 1;
	if (nargs > (cmd->arg != PROTO_ARG_NONE) || nargs < cmd->required)
		usage(0);
	if ((args = make_args(cmd, nargs == 1 ? argv[1] : NULL)) == NULL)
		return (1);
	req = json_pack("{s:i, s:s, s:o}", "v", PROTO_VERSION, "cmd",
	    cmd->name, "args", args);
	s = json_dumps(req, JSON_COMPACT);
	json_decref(req);

	deadline = time(NULL) + timeout_secs;
	if ((fd = ctl_connect(path)) == -1)
		return (1);
	if (write_all(fd, s, strlen(s)) == -1 || write_all(fd, "\n", 1) == -1) {
		fprintf(stderr, "feedmuxctl: write: %s\n", strerror(errno));
		return (1);
	}
	free(s);
	if ((line = read_line(fd)) == NULL) {
		fprintf(stderr, "feedmuxctl: no reply from feedmuxd\n");
		return (1);
	}
	close(fd);
	if ((reply = json_loads(line, 0, &err)) == NULL) {
		fprintf(stderr, "feedmuxctl: bad reply: %s\n", err.text);
		return (1);
	}
	free(line);

	if (json_integer_value(json_object_get(reply, "v")) != PROTO_VERSION) {
		fprintf(stderr, "feedmuxctl: feedmuxd speaks protocol version "
		    "%lld, this feedmuxctl %d\n",
		    (long long)json_integer_value(json_object_get(reply, "v")),
		    PROTO_VERSION);
		json_decref(reply);
		return (1);
	}
	if (!json_is_true(json_object_get(reply, "ok"))) {
		fprintf(stderr, "feedmuxctl: %s\n",
		    str(reply, "error"));
		json_decref(reply);
		return (1);
	}
	data = json_object_get(reply, "data");
	if (json) {
		rv = json_dumpf(data, stdout, JSON_INDENT(2));
		printf("\n");
	} else {
		printers[id](data);
		rv = 0;
	}
	json_decref(reply);
	if (rv != 0 || fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "feedmuxctl: writing output failed\n");
		return (1);
	}
	return (0);
}
