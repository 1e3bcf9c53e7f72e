/*
 * Unit tests for conf.c: defaults, values, derived data, errors, the value
 * parsers, and the documentation against the options table.
 */
#include "config.h"

#include <unistd.h>

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
		if (!check_default)
			continue;
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
		cmocka_unit_test(test_documented),
	};

	log_init("test-conf", LOG_TO_STDERR, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
