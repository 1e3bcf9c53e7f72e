/*
 * Unit tests for conf.c: defaults, values, derived data, errors, the value
 * parsers, and the documentation against the options table.
 */
#include "config.h"

#include "test.h"
#include "conf.h"

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
	assert_string_equal(c->control_socket, "/run/feedmux/control.sock");
	assert_string_equal(c->database, "/var/lib/feedmux/feedmux.db");
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
	    "(expected include or exclude)");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_feeds_and_tags),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_tag_sections),
		cmocka_unit_test(test_refcount),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_hostport),
	};

	log_init("test-conf", LOG_TO_STDERR, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
