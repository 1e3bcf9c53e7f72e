/*
 * Unit tests for conf.c: defaults, values, derived data, errors, the value
 * parsers, and the documentation against the options table.
 */
#include "config.h"

#include <sys/stat.h>

#include <unistd.h>

#include "test.h"
#include "conf.h"
#include "ini.h"

static struct conf *
load(const char *text)
{
	struct conf	*conf;
	char		*cause = NULL;

	conf = conf_load_string("t.conf", text, &cause);
	if (conf == NULL)
		fail_msg("unexpected error: %s", cause);
	return (conf);
}

static char *
load_error(const char *text)
{
	struct conf	*conf;
	char		*cause = NULL;

	conf = conf_load_string("t.conf", text, &cause);
	assert_null(conf);
	assert_non_null(cause);
	return (cause);
}

static void
test_defaults(void **state)
{
	struct conf	*c = load("");

	assert_string_equal(c->listen, "127.0.0.1:8080");
	assert_string_equal(c->listen_host, "127.0.0.1");
	assert_int_equal(c->listen_port, 8080);
	/* As configured (--runstatedir, --localstatedir). */
	assert_string_equal(c->control_socket, FEEDMUX_SOCKET);
	assert_string_equal(c->database, FEEDMUX_DATABASE);
	assert_int_equal(c->interval, 3600);
	assert_int_equal(c->min_interval, 900);
	assert_int_equal(c->allow_file_urls, 0);
	assert_int_equal(c->nfeeds, 0);
	assert_string_equal(conf_base_url(c), "http://127.0.0.1:8080");
	assert_true(strncmp(c->user_agent, "feedmux/", 8) == 0);
	conf_unref(c);
}

static void
test_feeds_and_tags(void **state)
{
	struct conf		*c;
	struct conf_feed	*f;

	c = load("[daemon]\ninterval = 30m\nmin_interval = 20m\n"
	    "base_url = https://feeds.example.org/\n"
	    "[feed a]\nurl = http://a.example/feed\ntags = Zeta, alpha\n"
	    "[feed b]\nurl = https://b.example/\ntags = alpha\n"
	    "interval = 5m\n"
	    "[feed c]\nurl = https://c.example/\ninterval = 2h\n");
	assert_int_equal(c->nfeeds, 3);
	assert_int_equal(c->ntags, 2);
	assert_string_equal(c->tags[0], "alpha");
	assert_string_equal(c->tags[1], "zeta");
	assert_true(conf_has_tag(c, "zeta"));
	assert_false(conf_has_tag(c, "Zeta"));
	f = conf_feed_find(c, "a");
	assert_non_null(f);
	assert_int_equal(f->ntags, 2);
	assert_int_equal(f->line, 5);
	assert_int_equal(f->interval, 1800);
	/* Below min_interval: raised to it. */
	assert_int_equal(conf_feed_find(c, "b")->interval, 1200);
	assert_int_equal(conf_feed_find(c, "c")->interval, 7200);
	assert_null(conf_feed_find(c, "d"));
	assert_string_equal(conf_base_url(c), "https://feeds.example.org");
	conf_unref(c);
}

static void
test_errors(void **state)
{
	char	*e;

	e = load_error("[daemon]\n\nlisten = nope\n");
	assert_string_equal(e, "t.conf:3: listen: missing port (use "
	    "ADDR:PORT)");
	free(e);
	e = load_error("[feed x]\nurl = http://x/\n[feed x]\n");
	assert_string_equal(e, "t.conf:3: duplicate feed \"x\" (first "
	    "defined at line 1)");
	free(e);
	e = load_error("[daemon]\nbase_url = ftp://x\n");
	assert_string_equal(e, "t.conf:2: base_url must start with http:// "
	    "or https://");
	free(e);
	/* A header without ']' is the error, at its own line. */
	e = load_error("[daemon]\n[feed x\nurl = http://x/\ntags = a\n");
	assert_string_equal(e, "t.conf:2: section header without ']'");
	free(e);
	/* URLs that would fail at run time fail here. */
	{
		static const struct {
			const char	*url, *why;
		} bad[] = {
			{ "http://x/a b", "space or a control character" },
			{ "http://", "no host" },
			{ "http:///path", "no host" },
			{ "https://user@/x", "no host" },
			{ "http://:80/", "no host" },
			{ "http://x:0/", "port is not a number" },
			{ "http://x:65536/", "port is not a number" },
			{ "http://x:8a/", "port is not a number" },
			{ "http://[::1/", "no ']'" },
			{ "gopher://x/", "only http:// and https://" },
		};
		char	 text[128];
		size_t	 i;

		for (i = 0; i < NELEM(bad); i++) {
			snprintf(text, sizeof(text), "[feed x]\nurl = %s\n",
			    bad[i].url);
			e = load_error(text);
			if (strstr(e, bad[i].why) == NULL ||
			    strncmp(e, "t.conf:1: [feed x] ", 19) != 0)
				fail_msg("%s: %s", bad[i].url, e);
			free(e);
		}
	}
	{
		struct conf	*c;
		char		*cause = NULL;

		c = conf_load_string("t.conf", "[feed a]\nurl = "
		    "http://u:p@[::1]:8080/f?x#y\n[feed b]\n"
		    "url = HTTPS://example.org\n", &cause);
		assert_non_null(c);
		conf_unref(c);
	}
	e = load_error("[daemon]\nmax_feed_size = 10\n");
	assert_non_null(strstr(e, "t.conf:2: max_feed_size: out of range"));
	free(e);
	e = load_error("[feed x]\nurl = http://x/\ninterval = 31d\n");
	assert_non_null(strstr(e, "t.conf:3: interval: out of range"));
	free(e);
	e = load_error("[daemon]\ninterval = 31d\n");
	assert_string_equal(e, "t.conf:2: interval: out of range (1s to 30d)");
	free(e);
	e = load_error("[daemon]\ndatabase =\n");
	assert_string_equal(e, "t.conf:2: database: must not be empty");
	free(e);
	e = load_error("[feed x]\nurl = http://x/\n  tags = a\n");
	assert_string_equal(e, "t.conf:3: indented line (continuation lines "
	    "are not supported)");
	free(e);
	e = load_error("[daemon]\ninterval = 1h\n\ninterval = 2h\n");
	assert_string_equal(e, "t.conf:4: duplicate key \"interval\" (first "
	    "set at line 2)");
	free(e);
	e = load_error("[feed x]\nurl=http://x/\nfoo = 1\n");
	assert_string_equal(e, "t.conf:3: unknown key \"foo\" in [feed x]");
	free(e);
}

/* [tag NAME] sections, their rules, and retention keys. */
static void
test_tag_sections(void **state)
{
	struct conf		*c;
	const struct tag_rules	*tr;
	struct conf_feed	*f;
	char			*e;

	c = load("[daemon]\nkeep_entries = 50\nkeep_days = 0\n"
	    "[feed a]\nurl = http://x/\ntags = news\nkeep_entries = 5\n"
	    "[feed b]\nurl = http://y/\nkeep_days = 7\n"
	    "[tag Lavrov]\ninclude = category:Lavrov\n"
	    "include = title:/\\bLavrov\\b/i\nexclude = title:/^Opinion:/\n");
	/* Rule tags join the tags; names fold to lower case. */
	assert_int_equal(c->ntags, 2);
	assert_true(conf_has_tag(c, "lavrov"));
	assert_true(conf_has_tag(c, "news"));
	assert_null(conf_tag_rules(c, "news"));
	tr = conf_tag_rules(c, "lavrov");
	assert_non_null(tr);
	assert_int_equal(tr->ninclude, 2);
	assert_int_equal(tr->nexclude, 1);
	assert_string_equal(rule_text(tr->include[1]),
	    "title:/\\bLavrov\\b/i");
	f = conf_feed_find(c, "a");
	assert_int_equal(f->keep_entries, 5);
	assert_int_equal(f->keep_days, 0);
	f = conf_feed_find(c, "b");
	assert_int_equal(f->keep_entries, 50);
	assert_int_equal(f->keep_days, 7);
	assert_int_equal(c->clock_skew, 600);
	assert_int_equal(c->max_database_size, 0);
	conf_unref(c);

	/* A bad rule is an error naming file and line. */
	e = load_error("[tag x]\ninclude = category:a\n"
	    "exclude = title:/(unclosed/\n");
	assert_non_null(strstr(e, "t.conf:3: exclude: bad regex"));
	free(e);
	e = load_error("[tag x]\ninclude = titel:x\n");
	assert_non_null(strstr(e, "t.conf:2: include: unknown field"));
	free(e);
	e = load_error("[tag x]\nmatch = title:x\n");
	assert_string_equal(e, "t.conf:2: unknown key \"match\" in [tag x] "
	    "(expected include, exclude, title, description, entries or "
	    "token_file)");
	free(e);
	e = load_error("[daemon]\ndatabase = /tmp/x\ncontrol_socket = /tmp/x\n");
	assert_string_equal(e, "t.conf:3: control_socket and database are "
	    "the same path");
	free(e);
	e = load_error("[daemon]\ncontrol_socket = /tmp/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\n");
	assert_string_equal(e, "t.conf:2: control_socket is longer than 107 "
	    "bytes");
	free(e);
	e = load_error("[tag x]\nentries = 0\n");
	assert_string_equal(e, "t.conf:2: entries: out of range (1 to 1000)");
	free(e);
	e = load_error("[tag x]\ntitle = a\ntitle = b\n");
	assert_non_null(strstr(e, "t.conf:3: duplicate key \"title\""));
	free(e);
	e = load_error("[tag x]\n[feed a]\nurl = http://x/\n[tag X]\n");
	assert_string_equal(e, "t.conf:4: duplicate [tag x] (first defined "
	    "at line 1)");
	free(e);
	e = load_error("[tag a b]\n");
	assert_non_null(strstr(e, "t.conf:1: bad tag name"));
	free(e);
	e = load_error("[feed a]\nurl = http://x/\nkeep_entries = -1\n");
	assert_string_equal(e, "t.conf:3: keep_entries: out of range (0 to "
	    "10000000)");
	free(e);
}

/* How a tag is served: its section's settings, else the defaults. */
static void
test_tag_settings(void **state)
{
	const struct conf_tag	*ct;
	struct conf		*c;
	char			*cause = NULL;

	c = conf_load_string("t.conf", "[tag a]\ntitle = All of A\n"
	    "entries = 7\n[tag b]\ntitle = B & co\ndescription = Bees\n"
	    "[feed f]\nurl = http://127.0.0.1/\ntags = c\n", &cause);
	assert_non_null(c);
	ct = conf_tag_find(c, "a");
	assert_string_equal(ct->title, "All of A");
	assert_string_equal(ct->description, "");
	assert_int_equal(ct->entries, 7);
	ct = conf_tag_find(c, "b");
	assert_string_equal(ct->title, "B & co");
	assert_string_equal(ct->description, "Bees");
	assert_int_equal(ct->entries, 50);
	ct = conf_tag_find(c, "c");	/* no section: the defaults */
	assert_ptr_equal(ct, &c->tag_defaults);
	assert_string_equal(ct->title, "");
	assert_int_equal(ct->entries, 50);
	assert_null(ct->token);
	conf_unref(c);
}

/* A private tag's token is read from its file, checked, never echoed. */
static void
test_tag_token(void **state)
{
	const struct conf_tag	*ct;
	struct conf		*c;
	char			 dir[] = "/tmp/feedmux-conf.XXXXXX", path[64];
	char			 text[256], *cause = NULL;
	FILE			*fp;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t", dir);
	fp = fopen(path, "w");
	fputs("  s3cret-token-0123456789  \nsecond line\n", fp);
	fclose(fp);
	snprintf(text, sizeof(text), "[tag p]\ntoken_file = %s\n", path);
	c = conf_load_string("t.conf", text, &cause);
	assert_non_null(c);
	ct = conf_tag_find(c, "p");
	assert_string_equal(ct->token, "s3cret-token-0123456789");
	conf_unref(c);
	/* Too short: an error naming the file, not showing the token. */
	fp = fopen(path, "w");
	fputs("short\n", fp);
	fclose(fp);
	assert_null(conf_load_string("t.conf", text, &cause));
	assert_non_null(strstr(cause, "t.conf:2: token_file: "));
	assert_non_null(strstr(cause, "16 to 512"));
	assert_null(strstr(cause, "short"));
	free(cause);
	unlink(path);
	/* Unreadable. */
	assert_null(conf_load_string("t.conf", text, &cause));
	assert_non_null(strstr(cause, "No such file"));
	free(cause);
	rmdir(dir);
}

static void
test_duration(void **state)
{
	const char	*err;
	long		 v;

	assert_int_equal(conf_parse_duration("30s", &v, &err), 0);
	assert_int_equal(v, 30);
	assert_int_equal(conf_parse_duration("15m", &v, &err), 0);
	assert_int_equal(v, 900);
	assert_int_equal(conf_parse_duration("2h", &v, &err), 0);
	assert_int_equal(v, 7200);
	assert_int_equal(conf_parse_duration("1d", &v, &err), 0);
	assert_int_equal(v, 86400);
	assert_int_equal(conf_parse_duration("45", &v, &err), 0);
	assert_int_equal(v, 45);
	assert_int_equal(conf_parse_duration("", &v, &err), -1);
	assert_int_equal(conf_parse_duration("-5m", &v, &err), -1);
	assert_int_equal(conf_parse_duration("5w", &v, &err), -1);
	assert_int_equal(conf_parse_duration("5mm", &v, &err), -1);
	assert_int_equal(conf_parse_duration("99999999999999999999", &v,
	    &err), -1);
	assert_non_null(err);
}

static void
test_format_duration(void **state)
{
	char	*s;

	s = conf_format_duration(3600);
	assert_string_equal(s, "1h");
	free(s);
	s = conf_format_duration(90);
	assert_string_equal(s, "90s");
	free(s);
	s = conf_format_duration(172800);
	assert_string_equal(s, "2d");
	free(s);
}

static void
test_size(void **state)
{
	const char	*err;
	uint64_t	 v;

	assert_int_equal(conf_parse_size("512K", &v, &err), 0);
	assert_int_equal(v, 512 * 1024);
	assert_int_equal(conf_parse_size("16m", &v, &err), 0);
	assert_int_equal(v, 16 * 1024 * 1024);
	assert_int_equal(conf_parse_size("1G", &v, &err), 0);
	assert_int_equal(conf_parse_size("100", &v, &err), 0);
	assert_int_equal(v, 100);
	assert_int_equal(conf_parse_size("1T", &v, &err), -1);
	assert_int_equal(conf_parse_size("x", &v, &err), -1);
}

static void
test_bool(void **state)
{
	int	b;

	assert_int_equal(conf_parse_bool("yes", &b), 0);
	assert_true(b);
	assert_int_equal(conf_parse_bool("Off", &b), 0);
	assert_false(b);
	assert_int_equal(conf_parse_bool("maybe", &b), -1);
}

static void
test_hostport(void **state)
{
	const char	*err;
	char		*host;
	int		 port;

	assert_int_equal(conf_split_hostport("127.0.0.1:8080", &host, &port,
	    &err), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8080);
	free(host);
	assert_int_equal(conf_split_hostport("[::1]:80", &host, &port, &err),
	    0);
	assert_string_equal(host, "::1");
	free(host);
	assert_int_equal(conf_split_hostport("host", &host, &port, &err), -1);
	assert_int_equal(conf_split_hostport(":80", &host, &port, &err), -1);
	assert_int_equal(conf_split_hostport("h:0", &host, &port, &err), -1);
	assert_int_equal(conf_split_hostport("h:80x", &host, &port, &err), -1);
	assert_int_equal(conf_split_hostport("[::1]80", &host, &port, &err),
	    -1);
}

static void
test_refcount(void **state)
{
	struct conf	*c = load("[feed a]\nurl = http://x/\ntags = t\n");

	conf_ref(c);
	conf_unref(c);
	assert_int_equal(c->refs, 1);
	conf_unref(c);
}

/* --- the INI reader --------------------------------------------------------- */

/* Write text to a new file in dir; its path in path. */
static void
write_file(const char *dir, const char *name, const char *text, size_t len,
    char *path, size_t pathlen)
{
	FILE	*fp;

	snprintf(path, pathlen, "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		fail_msg("%s: cannot create", path);
	if (fwrite(text, 1, len, fp) != len)
		fail_msg("%s: cannot write", path);
	fclose(fp);
}

/* The settings the reader reported, as "line:section:key=value;". */
static int
collect(void *arg, int line, const char *section, const char *key,
    const char *value)
{
	struct buf	*b = arg;
	char		*s;

	xasprintf(&s, "%d:%s:%s=%s;", line, section, key != NULL ? key : "[]",
	    value != NULL ? value : "");
	buf_addstr(b, s);
	free(s);
	return (strcmp(section, "stop") == 0 ? -1 : 0);
}

/* The syntax, through the reader's own API (as feedmuxctl uses it). */
static void
test_ini_api(void **state)
{
	struct buf	 b;
	char		*cause;

	buf_init(&b);
	assert_int_equal(ini_read_string("\xef\xbb\xbf# c\n; c\n\n"
	    "[ daemon ]  # c\ncontrol_socket = /run/x.sock ; c\n"
	    "a:b = c\nk = v;w #x\r\n[feed a b]\nk=\n", "x.conf", collect, &b,
	    &cause), 0);
	assert_null(cause);
	assert_string_equal(b.data, "4:daemon:[]=;5:daemon:control_socket="
	    "/run/x.sock;6:daemon:a=b = c;7:daemon:k=v;w #x;8:feed a b:[]=;"
	    "9:feed a b:k=;");
	buf_reset(&b);
	/* The callback stops it: no cause, -1. */
	assert_int_equal(ini_read_string("[stop]\nk = v\n", "x.conf", collect,
	    &b, &cause), -1);
	assert_null(cause);
	assert_string_equal(b.data, "1:stop:[]=;");
	buf_free(&b);
	cause = ini_error("f.conf", 7, "bad %s", "thing");
	assert_string_equal(cause, "f.conf:7: bad thing");
	free(cause);
}

/* Errors of the syntax, each at its line. */
static void
test_ini_errors(void **state)
{
	static const struct {
		const char	*text, *error;
	} bad[] = {
		{ "[daemon]\nno equals sign\n", "t.conf:2: syntax error "
		    "(expected [section] or key = value)" },
		{ "[daemon]\n= value\n", "t.conf:2: syntax error (no key "
		    "before '=')" },
		{ "[daemon]\nkey ;c = v\n", "t.conf:2: syntax error (expected "
		    "[section] or key = value)" },
		{ "[daemon] x\n", "t.conf:1: text after the section header's "
		    "']'" },
		{ "\n\n[daemon\n", "t.conf:3: section header without ']'" },
		{ "[daemon]\n\t[feed x]\n", "t.conf:2: indented line "
		    "(continuation lines are not supported)" },
	};
	char	*e;
	size_t	 i;

	for (i = 0; i < NELEM(bad); i++) {
		e = load_error(bad[i].text);
		if (strcmp(e, bad[i].error) != 0)
			fail_msg("%s: %s", bad[i].text, e);
		free(e);
	}
	/* Indented comments and blank lines are fine. */
	conf_unref(load("[daemon]\n  # c\n\t; c\n   \ninterval = 1h\n"));
}

/*
 * Lines of any reasonable length: an 8 KiB URL is fine, a line of 65536
 * characters too; a 70 KiB line is an error at its line, from a string
 * and from a file.  A NUL byte in a file is caught (fgets would hide it).
 */
static void
test_long_lines(void **state)
{
	struct conf	*c;
	char		 dir[] = "/tmp/feedmux-conf.XXXXXX", path[64];
	char		*text, *url, *cause = NULL;
	size_t		 n;

	url = xmalloc(8192 + 1);
	memcpy(url, "https://example.org/", 20);
	memset(url + 20, 'a', 8192 - 20);
	url[8192] = '\0';
	xasprintf(&text, "[daemon]\n[feed long]\nurl = %s\ntags = t\n", url);
	c = load(text);
	assert_string_equal(conf_feed_find(c, "long")->url, url);
	conf_unref(c);
	free(text);
	free(url);

	/* Exactly the limit: a comment of 65536 characters. */
	text = xmalloc(INI_LINE_MAX + 16);
	memcpy(text, "[daemon]\n", 9);
	memset(text + 9, '#', INI_LINE_MAX);
	memcpy(text + 9 + INI_LINE_MAX, "\n", 2);
	conf_unref(load(text));
	free(text);

	n = 70 * 1024;
	text = xmalloc(n + 64);
	memcpy(text, "[daemon]\n\n[feed x]\nurl = http://x/", 34);
	memset(text + 34, 'a', n);
	memcpy(text + 34 + n, "\ntags = t\n", 11);
	cause = load_error(text);
	assert_string_equal(cause, "t.conf:4: line too long (at most 65536 "
	    "characters)");
	free(cause);

	assert_non_null(mkdtemp(dir));
	write_file(dir, "long.conf", text, strlen(text), path, sizeof(path));
	assert_null(conf_load(path, &cause));
	assert_non_null(strstr(cause, "long.conf:4: line too long"));
	free(cause);
	unlink(path);
	free(text);

	write_file(dir, "nul.conf", "[daemon]\ninterval = 1h\0junk\n", 28,
	    path, sizeof(path));
	assert_null(conf_load(path, &cause));
	assert_non_null(strstr(cause, "nul.conf:2: NUL byte in line"));
	free(cause);
	unlink(path);
	rmdir(dir);
}

/* --- per-feed keys --------------------------------------------------------- */

/* enabled and user_agent: defaults, inheritance, a feed's own. */
static void
test_feed_keys(void **state)
{
	struct conf		*c;
	struct conf_feed	*f;
	char			*e;

	c = load("[daemon]\nuser_agent = all/1\n"
	    "[feed a]\nurl = http://a/\n"
	    "[feed b]\nurl = http://b/\nenabled = no\nuser_agent = b/2\n");
	f = conf_feed_find(c, "a");
	assert_int_equal(f->enabled, 1);
	assert_string_equal(f->user_agent, "all/1");
	assert_null(f->username);
	assert_null(f->password);
	assert_int_equal(f->nheaders, 0);
	f = conf_feed_find(c, "b");
	assert_int_equal(f->enabled, 0);
	assert_string_equal(f->user_agent, "b/2");
	conf_unref(c);

	c = load("[feed a]\nurl = http://a/\n");
	assert_true(strncmp(conf_feed_find(c, "a")->user_agent, "feedmux/",
	    8) == 0);
	conf_unref(c);

	e = load_error("[feed a]\nurl = http://a/\nenabled = maybe\n");
	assert_string_equal(e, "t.conf:3: enabled: expected yes or no");
	free(e);
	e = load_error("[feed a]\nurl = http://a/\nuser_agent =\n");
	assert_string_equal(e, "t.conf:3: user_agent: must not be empty");
	free(e);
	e = load_error("[feed a]\nurl = http://a/\nuser_agent = a\rb\n");
	assert_string_equal(e, "t.conf:3: user_agent: has a control "
	    "character");
	free(e);
	e = load_error("[daemon]\nuser_agent = a\x01\n");
	assert_string_equal(e, "t.conf:2: user_agent: has a control "
	    "character");
	free(e);
}

/* Basic authentication: read at load, checked, never quoted. */
static void
test_feed_auth(void **state)
{
	struct conf		*c;
	struct conf_feed	*f;
	char			 dir[] = "/tmp/feedmux-conf.XXXXXX", pw[64];
	char			 text[512], *e;

	assert_non_null(mkdtemp(dir));
	write_file(dir, "pw", " s3cr3t pass\n", 13, pw, sizeof(pw));
	snprintf(text, sizeof(text), "[feed a]\nurl = https://a/\n"
	    "username = reader\npassword_file = %s\n", pw);
	c = load(text);
	f = conf_feed_find(c, "a");
	assert_string_equal(f->username, "reader");
	assert_string_equal(f->password_file, pw);
	/* One trailing newline goes; blanks stay: they may be the password. */
	assert_string_equal(f->password, " s3cr3t pass");
	conf_unref(c);

	/* Over http:// it is allowed (with a warning in the log). */
	snprintf(text, sizeof(text), "[feed a]\nurl = http://a/\n"
	    "username = reader\npassword_file = %s\n", pw);
	conf_unref(load(text));

	/* Bad files: errors that name the file, never the password. */
	{
		static const struct {
			const char	*contents, *why;
		} bad[] = {
			{ "", "the file is empty" },
			{ "\n", "the file is empty" },
			{ "s3cr3t pass\nsecond s3cr3t\n", "one line of at most "
			    "1024 bytes" },
			{ "s3cr3t\0pass\n", "one line of at most 1024 bytes" },
			{ "s3cr3t\rpass", "one line of at most 1024 bytes" },
		};
		size_t	i;

		for (i = 0; i < NELEM(bad); i++) {
			write_file(dir, "pw", bad[i].contents, i == 3 ? 12 :
			    strlen(bad[i].contents), pw, sizeof(pw));
			snprintf(text, sizeof(text), "[feed a]\nurl = "
			    "https://a/\nusername = reader\npassword_file = "
			    "%s\n", pw);
			e = load_error(text);
			if (strncmp(e, "t.conf:4: password_file: ", 25) != 0 ||
			    strstr(e, pw) == NULL || strstr(e, bad[i].why) ==
			    NULL || strstr(e, "s3cr3t") != NULL)
				fail_msg("case %zu: %s", i, e);
			free(e);
		}
	}
	{
		char	big[1100];

		memset(big, 'p', sizeof(big));
		write_file(dir, "pw", big, sizeof(big), pw, sizeof(pw));
		e = load_error(text);
		assert_non_null(strstr(e, "at most 1024 bytes"));
		assert_null(strstr(e, "ppp"));
		free(e);
		write_file(dir, "pw", big, 1024, pw, sizeof(pw));
		conf_unref(load(text));
	}
	unlink(pw);
	e = load_error(text);
	assert_non_null(strstr(e, "t.conf:4: password_file: "));
	assert_non_null(strstr(e, "No such file"));
	free(e);
	/* A FIFO would block a reload on the loop thread: refused. */
	assert_int_equal(mkfifo(pw, 0600), 0);
	e = load_error(text);
	assert_non_null(strstr(e, "t.conf:4: password_file: "));
	assert_non_null(strstr(e, "not a regular file"));
	free(e);
	unlink(pw);
	write_file(dir, "pw", "s3cr3t\n", 7, pw, sizeof(pw));

	/* The pair, each at the line of the key that is there. */
	snprintf(text, sizeof(text), "[feed a]\nurl = https://a/\n"
	    "password_file = %s\n[feed b]\nurl = https://b/\n", pw);
	e = load_error(text);
	assert_string_equal(e, "t.conf:3: [feed a] password_file needs "
	    "username");
	free(e);
	e = load_error("[feed a]\nurl = https://a/\n\nusername = u\n");
	assert_string_equal(e, "t.conf:4: [feed a] username needs "
	    "password_file");
	free(e);
	e = load_error("[feed a]\nurl = https://a/\nusername = u:v\n");
	assert_string_equal(e, "t.conf:3: username: must not contain ':'");
	free(e);
	e = load_error("[feed a]\nurl = https://a/\npassword_file =\n");
	assert_string_equal(e, "t.conf:3: password_file: must not be empty");
	free(e);
	snprintf(text, sizeof(text), "[daemon]\nallow_file_urls = yes\n"
	    "[feed a]\nurl = file:///x\nusername = u\npassword_file = %s\n",
	    pw);
	e = load_error(text);
	assert_string_equal(e, "t.conf:5: [feed a] username and "
	    "password_file need an http:// or https:// URL");
	free(e);

	/* Files the daemon writes are not files it reads. */
	snprintf(text, sizeof(text), "[daemon]\ndatabase = %s\n"
	    "[feed a]\nurl = https://a/\nusername = u\npassword_file = %s\n",
	    pw, pw);
	e = load_error(text);
	assert_string_equal(e, "t.conf:6: [feed a] password_file is the "
	    "database");
	free(e);
	write_file(dir, "tok", "token-0123456789abcdef\n", 23, pw,
	    sizeof(pw));
	snprintf(text, sizeof(text), "[tag t]\n\ntoken_file = %s\n"
	    "[daemon]\ncontrol_socket = %s\n", pw, pw);
	e = load_error(text);
	assert_string_equal(e, "t.conf:3: [tag t] token_file is the "
	    "control_socket");
	free(e);
	unlink(pw);
	snprintf(pw, sizeof(pw), "%s/pw", dir);
	unlink(pw);
	rmdir(dir);
}

/* Custom headers: repeatable, in order, and checked. */
static void
test_feed_headers(void **state)
{
	static const char *const owned[] = {
		"Host", "user-agent", "AUTHORIZATION", "If-None-Match",
		"If-Modified-Since", "Accept-Encoding", "Content-Length",
		"Transfer-Encoding", "Connection",
	};
	static const struct {
		const char	*header, *why;
	} bad[] = {
		{ "X-Foo", "expected \"Name: value\"" },
		{ ": v", "the name must be a token" },
		{ "X Foo: v", "the name must be a token" },
		{ "X(Foo): v", "the name must be a token" },
		{ "X-Foo:", "the header has no value" },
		{ "X-Foo: a\rb", "control character" },
		{ "X-Foo: a\x01", "control character" },
	};
	struct conf		*c;
	struct conf_feed	*f;
	char			 text[256], *e;
	size_t			 i;

	c = load("[feed a]\nurl = http://a/\nheader = X-Api-Key: k1 ; c\n"
	    "header = Accept:application/json\nheader = X-Tab: a\tb\n"
	    "header = X-Api-Key: k2\n");
	f = conf_feed_find(c, "a");
	assert_int_equal(f->nheaders, 4);
	assert_string_equal(f->headers[0], "X-Api-Key: k1");
	assert_string_equal(f->headers[1], "Accept: application/json");
	assert_string_equal(f->headers[2], "X-Tab: a\tb");
	assert_string_equal(f->headers[3], "X-Api-Key: k2");
	conf_unref(c);

	for (i = 0; i < NELEM(owned); i++) {
		snprintf(text, sizeof(text), "[feed a]\nurl = http://a/\n\n"
		    "header = %s: x\n", owned[i]);
		e = load_error(text);
		if (strncmp(e, "t.conf:4: header: ", 18) != 0 ||
		    strstr(e, "is not yours to set") == NULL)
			fail_msg("%s: %s", owned[i], e);
		free(e);
	}
	e = load_error("[feed a]\nurl = http://a/\nheader = user-agent: x\n");
	assert_string_equal(e, "t.conf:3: header: User-Agent is not yours to "
	    "set (use user_agent)");
	free(e);
	for (i = 0; i < NELEM(bad); i++) {
		snprintf(text, sizeof(text), "[feed a]\nurl = http://a/\n"
		    "header = %s\n", bad[i].header);
		e = load_error(text);
		if (strncmp(e, "t.conf:3: header: ", 18) != 0 ||
		    strstr(e, bad[i].why) == NULL)
			fail_msg("%s: %s", bad[i].header, e);
		free(e);
	}
	/* Not in [daemon]. */
	e = load_error("[daemon]\nheader = X-A: b\n");
	assert_string_equal(e, "t.conf:2: unknown key \"header\" in [daemon]");
	free(e);
	/* At most 32. */
	{
		struct buf	b;

		buf_init(&b);
		buf_addstr(&b, "[feed a]\nurl = http://a/\n");
		for (i = 0; i < 33; i++)
			buf_addstr(&b, "header = X-N: v\n");
		e = load_error(b.data);
		assert_string_equal(e, "t.conf:35: header: more than 32 "
		    "headers");
		free(e);
		buf_free(&b);
	}
}

/* Checks -t makes of what would fail at start. */
static void
test_run_time_checks(void **state)
{
	char	*e;

	e = load_error("[daemon]\nlisten = 127.0.0.300:80\n");
	assert_string_equal(e, "t.conf:2: listen: 127.0.0.300 is not an IP "
	    "address");
	free(e);
	e = load_error("[daemon]\nlisten = [::g]:80\n");
	assert_non_null(strstr(e, "t.conf:2: listen: ::g is not an IP"));
	free(e);
	conf_unref(load("[daemon]\nlisten = localhost:8080\n"));
	conf_unref(load("[daemon]\nlisten = [::1]:8080\n"));
	conf_unref(load("[daemon]\nlisten = 0.0.0.0:8080\n"));
	/* A missing directory may be made before start (systemd does). */
	conf_unref(load("[daemon]\ncontrol_socket = /nonexistent/c.sock\n"
	    "database = /nonexistent/db\n"));
	e = load_error("[daemon]\n\ncontrol_socket = /etc/passwd/c.sock\n");
	assert_string_equal(e, "t.conf:3: control_socket: /etc/passwd is not "
	    "a directory");
	free(e);
	e = load_error("[daemon]\ndatabase = /etc/passwd/db\n");
	assert_string_equal(e, "t.conf:2: database: /etc/passwd is not a "
	    "directory");
	free(e);
	e = load_error("[daemon]\ndatabase = /tmp/db\n[tag t]\n"
	    "token_file = /tmp/db\n");
	/* Read first: the token file is checked as it is set. */
	assert_non_null(strstr(e, "t.conf:4: token_file: /tmp/db"));
	free(e);
}

/* --- the documentation against the options table ------------------------ */

/* A file of the source tree, whole. */
static char *
slurp(const char *rel)
{
	struct buf	 b;
	char		 path[1024], chunk[4096];
	FILE		*f;
	size_t		 n;

	snprintf(path, sizeof(path), "%s/%s", TOP_SRCDIR, rel);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s: cannot open", path);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return (buf_steal(&b));
}

/*
 * The lines after the line that starts with from, up to the next that
 * starts with to (NULL: to the end).
 */
static char *
between(const char *text, const char *from, const char *to)
{
	const char	*p, *q;

	for (p = text; (p = strstr(p, from)) != NULL; p++) {
		if (p == text || p[-1] == '\n')
			break;
	}
	if (p == NULL)
		fail_msg("no line \"%s\"", from);
	p += strcspn(p, "\n");
	p += *p != '\0';
	for (q = p; *q != '\0'; q += strcspn(q, "\n"), q += *q != '\0') {
		if (to != NULL && strncmp(q, to, strlen(to)) == 0)
			break;
	}
	return (xstrndup(p, q - p));
}

/* How a default is written in the documentation. */
static const char *
doc_default(const struct conf_option *o)
{
	static char	 buf[256];
	const char	*v;

	if ((v = strstr(o->def, PACKAGE_VERSION)) == NULL)
		return (o->def);
	snprintf(buf, sizeof(buf), "%.*sVERSION%s", (int)(v - o->def),
	    o->def, v + strlen(PACKAGE_VERSION));
	return (buf);
}

/*
 * The next .It item of a man page list at depth 1 (*depth carries the
 * list depth from call to call), as plain words: macros and the
 * punctuation they stand apart dropped, lines joined.  Its key is set in
 * *key; NULL past the last.
 */
static const char *
man_item(const char *p, int *depth, char *key, size_t keylen,
    struct buf *text)
{
	const char	*line, *end;
	int		 in = 0;
	size_t		 n;

	buf_reset(text);
	for (line = p; *line != '\0'; line = end + (*end != '\0')) {
		end = line + strcspn(line, "\n");
		n = end - line;
		if (strncmp(line, ".Bl", 3) == 0)
			(*depth)++;
		else if (strncmp(line, ".El", 3) == 0 && --(*depth) < 1 && in)
			return (end);
		else if (*depth == 1 && strncmp(line, ".It Ic ", 7) == 0) {
			if (in)
				return (line);
			in = 1;
			snprintf(key, keylen, "%.*s", (int)strcspn(line + 7,
			    " \n"), line + 7);
			continue;
		}
		if (!in)
			continue;
		if (*line == '.' && n > 3 && line[3] == ' ') {
			line += 4;	/* the macro */
			n -= 4;
		}
		while (n > 2 && line[n - 2] == ' ' &&
		    strchr(".,;:)", line[n - 1]) != NULL)
			n -= 2;		/* its trailing punctuation */
		buf_add(text, line, n);
		buf_addc(text, ' ');
	}
	return (in ? line : NULL);
}

static const struct conf_option *
option_named(const char *name)
{
	const struct conf_option	*o;
	size_t				 n, i;

	o = conf_options(&n);
	for (i = 0; i < n; i++) {
		if (strcmp(o[i].name, name) == 0)
			return (&o[i]);
	}
	return (NULL);
}

/* Does text hold word then tok, tok ending there (blank, punctuation)? */
static int
has_phrase(const char *text, const char *word, const char *tok)
{
	const char	*p;
	char		 pat[160];
	size_t		 n;

	snprintf(pat, sizeof(pat), "%s%s", word, tok);
	n = strlen(pat);
	for (p = text; (p = strstr(p, pat)) != NULL; p++) {
		if (p[n] == '\0' || strchr(" .,;)\"", p[n]) != NULL)
			return (1);
	}
	return (0);
}

/* Does the item say the option's bounds (and in [daemon] its default)? */
static void
man_check_item(const struct conf_option *o, int scope, const char *text)
{
	const char	*v;
	char		*lo, *hi, num[32];
	int		 ok;

	if (o->type == CONF_DURATION) {
		lo = o->min == 0 ? xstrdup("0") : conf_format_duration(o->min);
		hi = conf_format_duration(o->max);
		snprintf(num, sizeof(num), "%llds", o->max);
		ok = has_phrase(text, "From ", lo) &&
		    (has_phrase(text, " to ", hi) || has_phrase(text, " to ", num));
		if (!ok)
			fail_msg("feedmux.conf.5: %s: not \"From %s to %s\": %s",
			    o->name, lo, hi, text);
		free(lo);
		free(hi);
	} else if (o->type == CONF_INT || (o->type == CONF_SIZE &&
	    o->max != INT64_MAX)) {
		snprintf(num, sizeof(num), "%lld", o->min);
		if (!has_phrase(text, "From ", num))
			fail_msg("feedmux.conf.5: %s: no \"From %s\"", o->name, num);
		snprintf(num, sizeof(num), "%lld", o->max);
		if (!has_phrase(text, " to ", num))
			fail_msg("feedmux.conf.5: %s: no \"to %s\"", o->name, num);
	}
	if (scope != CONF_DAEMON)
		return;		/* a feed's default is the [daemon] value */
	/* Paths that configure decides: the page gives the packaged one. */
	if (strcmp(o->def, FEEDMUX_SOCKET) == 0 ||
	    strcmp(o->def, FEEDMUX_DATABASE) == 0) {
		if (strstr(text, strcmp(o->def, FEEDMUX_SOCKET) == 0 ?
		    "/run/feedmux/control.sock" :
		    "/var/lib/feedmux/feedmux.db") == NULL)
			fail_msg("feedmux.conf.5: %s: no packaged default",
			    o->name);
		return;
	}
	if ((v = strstr(text, "default is ")) == NULL)
		fail_msg("feedmux.conf.5: %s: no default", o->name);
	v += strlen("default is ");
	v += *v == '"';
	if (!has_phrase(v, "", *o->def == '\0' ? "empty" : doc_default(o)) ||
	    strncmp(v, *o->def == '\0' ? "empty" : doc_default(o),
	    strlen(*o->def == '\0' ? "empty" : doc_default(o))) != 0)
		fail_msg("feedmux.conf.5: %s: default is not %s: %s", o->name,
		    doc_default(o), v);
}

/* The keys a man page subsection lists are the options of scope. */
static void
man_check_section(const char *man, const char *title, int scope)
{
	const struct conf_option	*o;
	struct buf			 text, keys;
	const char			*p;
	char				*sect, key[64], pat[80];
	size_t				 n, i;
	int				 depth = 0;

	sect = between(man, title, ".Ss ");
	buf_init(&text);
	buf_init(&keys);
	buf_addc(&keys, ' ');
	for (p = sect; (p = man_item(p, &depth, key, sizeof(key),
	    &text)) != NULL; ) {
		if ((o = option_named(key)) == NULL || !(o->scope & scope))
			fail_msg("feedmux.conf.5: %s lists %s, no such key "
			    "there", title, key);
		man_check_item(o, scope, text.data != NULL ? text.data : "");
		buf_addstr(&keys, key);
		buf_addc(&keys, ' ');
	}
	o = conf_options(&n);
	for (i = 0; i < n; i++) {
		snprintf(pat, sizeof(pat), " %s ", o[i].name);
		if ((o[i].scope & scope) && strstr(keys.data, pat) == NULL)
			fail_msg("feedmux.conf.5: %s does not list %s", title,
			    o[i].name);
	}
	buf_free(&keys);
	buf_free(&text);
	free(sect);
}

/*
 * The settings a part of the file shows: "#key = value" (a default, or an
 * example in a section commented out) and "## key = value" (an optional
 * key of an example).  Each is a key of scope; with check_default, its
 * value is the default.
 */
static void
conf_file_settings(const char *part, int scope, int check_default)
{
	const struct conf_option	*o;
	const char			*line, *k, *v;
	char				 key[64];
	size_t				 n, klen;

	for (line = part; *line != '\0'; line += n + (line[n] != '\0')) {
		n = strcspn(line, "\n");
		if (strncmp(line, "## ", 3) == 0)
			k = line + 3;
		else if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z')
			k = line + 1;
		else
			continue;
		klen = strspn(k, "abcdefghijklmnopqrstuvwxyz_");
		if (klen == 0 || klen >= sizeof(key) ||
		    strncmp(k + klen, " =", 2) != 0)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)klen, k);
		if ((o = option_named(key)) == NULL || !(o->scope & scope))
			fail_msg("feedmux.conf: \"%.*s\" sets no key of its "
			    "section", (int)n, line);
		if (!check_default || strcmp(o->def, FEEDMUX_SOCKET) == 0 ||
		    strcmp(o->def, FEEDMUX_DATABASE) == 0)
			continue;	/* as configured: shown as packaged */
		v = k + klen + 2 + (k[klen + 2] == ' ');
		if ((size_t)(line + n - v) != strlen(doc_default(o)) ||
		    strncmp(v, doc_default(o), line + n - v) != 0)
			fail_msg("feedmux.conf: %s: the default is %s, not "
			    "\"%.*s\"", key, doc_default(o),
			    (int)(line + n - v), v);
	}
}

/*
 * Every key of scope is shown in a part of the file, and nothing else: in
 * [daemon] as "#key = default"; in the [feed NAME] and [tag NAME] notes
 * as a line "#   key  what it does" (or "#   key, key").
 */
static void
conf_file_names(const char *part, int scope, const char *what)
{
	const struct conf_option	*o;
	const char			*line;
	struct buf			 names;
	char				 pat[80], *word, *p;
	size_t				 n, i, len;

	buf_init(&names);
	buf_addc(&names, ' ');
	for (line = part; *line != '\0'; line += n + (line[n] != '\0')) {
		n = strcspn(line, "\n");
		if (scope == CONF_DAEMON || strncmp(line, "#   ", 4) != 0 ||
		    line[4] < 'a' || line[4] > 'z')
			continue;
		len = strcspn(line + 4, "\n");
		if ((p = memmem(line + 4, len, "  ", 2)) != NULL)
			len = p - (line + 4);
		snprintf(pat, sizeof(pat), "%.*s", (int)len, line + 4);
		for (p = pat; (word = strsep(&p, ",")) != NULL; ) {
			word += *word == ' ';
			if ((o = option_named(word)) == NULL || !(o->scope & scope))
				fail_msg("feedmux.conf: %s shows %s, no such key "
				    "there", what, word);
			buf_addstr(&names, word);
			buf_addc(&names, ' ');
		}
	}
	o = conf_options(&n);
	for (i = 0; i < n; i++) {
		if (!(o[i].scope & scope))
			continue;
		snprintf(pat, sizeof(pat), scope == CONF_DAEMON ? "\n#%s =" :
		    " %s ", o[i].name);
		if (strstr(scope == CONF_DAEMON ? part : names.data, pat) ==
		    NULL)
			fail_msg("feedmux.conf: %s does not show %s", what,
			    o[i].name);
	}
	buf_free(&names);
}

/* conf/feedmux.conf and feedmux.conf(5) say what the table says. */
static void
test_documented(void **state)
{
	char	*man, *file, *part;

	man = slurp("daemon/feedmux.conf.5");
	man_check_section(man, ".Ss The [daemon] section", CONF_DAEMON);
	man_check_section(man, ".Ss Feed sections", CONF_FEED);
	man_check_section(man, ".Ss Tag sections", CONF_TAG);
	free(man);

	file = slurp("conf/feedmux.conf");
	part = between(file, "[daemon]", "# [feed NAME]");
	conf_file_settings(part, CONF_DAEMON, 1);
	conf_file_names(part, CONF_DAEMON, "[daemon]");
	free(part);
	part = between(file, "# [feed NAME]", "# [tag NAME]");
	conf_file_settings(part, CONF_FEED, 0);
	conf_file_names(part, CONF_FEED, "[feed NAME]");
	free(part);
	part = between(file, "# [tag NAME]", NULL);
	conf_file_settings(part, CONF_TAG, 0);
	conf_file_names(part, CONF_TAG, "[tag NAME]");
	free(part);
	free(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_feeds_and_tags),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_tag_sections),
		cmocka_unit_test(test_tag_settings),
		cmocka_unit_test(test_tag_token),
		cmocka_unit_test(test_refcount),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_hostport),
		cmocka_unit_test(test_ini_api),
		cmocka_unit_test(test_ini_errors),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_feed_keys),
		cmocka_unit_test(test_feed_auth),
		cmocka_unit_test(test_feed_headers),
		cmocka_unit_test(test_run_time_checks),
		cmocka_unit_test(test_documented),
	};

	log_init("test-conf", LOG_TO_STDERR, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
