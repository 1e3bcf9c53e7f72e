/* Unit tests for rules.c: fields, plain text, regexes, errors, limits. */
#include "config.h"

#include <pthread.h>
#include <time.h>

#include "test.h"
#include "rules.h"

static char	*test_authors[] = { "Jane Doe", "John Smith" };
static char	*test_categories[] = { "Politics", "Russia", "a.b" };

/* An entry with something in every field, each findable on its own. */
static const struct rule_subject test_subject = {
	.title = "Lavrov meets Blinken",
	.text = "The talks in Geneva lasted an hour.",
	.authors = test_authors,
	.nauthors = 2,
	.categories = test_categories,
	.ncategories = 3
};

static struct rule *
compile_ok(const char *text)
{
	struct rule	*r;
	char		*cause = NULL;

	if ((r = rule_compile(text, &cause)) == NULL)
		fail_msg("%s: %s", text, cause);
	return (r);
}

static int
match(const char *text, const struct rule_subject *s)
{
	struct rule	*r;
	int		 m;

	r = compile_ok(text);
	m = rule_match(r, s);
	rule_free(r);
	return (m);
}

static int
match_title(const char *text, const char *title)
{
	struct rule_subject	s = { .title = title };

	return (match(text, &s));
}

static int
match_category(const char *text, const char *category)
{
	char			*list[] = { (char *)category };
	struct rule_subject	 s = { .categories = list, .ncategories = 1 };

	return (match(text, &s));
}

/* The rule must fail to compile with a message that mentions what. */
static void
assert_error(const char *text, const char *what)
{
	struct rule	*r;
	char		*cause = NULL;

	r = rule_compile(text, &cause);
	if (r != NULL)
		fail_msg("%s: compiled", text);
	assert_non_null(cause);
	if (strstr(cause, what) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", text, cause, what);
	free(cause);
}

/* Each field looks at its own part of the entry, and any at all of them. */
static void
test_fields(void **state)
{
	const struct rule_subject	*s = &test_subject;

	assert_true(match("category:russia", s));
	assert_false(match("category:Geneva", s));
	assert_true(match("author:john smith", s));
	assert_false(match("author:Lavrov", s));
	assert_true(match("title:blinken", s));
	assert_false(match("title:Geneva", s));
	assert_true(match("content:GENEVA", s));
	assert_false(match("content:Blinken", s));
	assert_true(match("any:blinken", s));
	assert_true(match("any:geneva", s));
	assert_true(match("any:jane", s));
	assert_true(match("any:polit", s));
	assert_false(match("any:Washington", s));
}

/* Plain category and author are whole names; the rest are substrings. */
static void
test_plain(void **state)
{
	const struct rule_subject	*s = &test_subject;

	assert_false(match("category:Russ", s));
	assert_false(match("category:ussia", s));
	assert_false(match("author:John", s));
	assert_true(match("author:JANE DOE", s));
	assert_true(match("title:MEETS", s));
	assert_true(match("title:Lavrov meets Blinken", s));
	assert_true(match("content:lasted an", s));
	/* Blanks after the colon are not part of the value. */
	assert_true(match("category: Russia", s));
	assert_true(match("title:\t blinken", s));
	/* Plain text is literal, whatever PCRE2 would make of it. */
	assert_true(match("category:a.b", s));
	assert_false(match_category("category:a.b", "axb"));
	assert_true(match_title("title:(1+1)*", "Why (1+1)* is 2"));
	assert_true(match_title("title:a/b", "x a/b y"));
	/*
	 * ASCII against ASCII skips PCRE2; the answers must not change:
	 * edges of substrings, and a non-ASCII subject still folds (the
	 * Kelvin sign K folds to k).
	 */
	assert_true(match_title("title:y", "xy"));
	assert_true(match_title("title:XY", "xy"));
	assert_false(match_title("title:xyz", "xy"));
	assert_false(match_category("category:ab", "abc"));
	assert_false(match_category("category:abc", "ab"));
	assert_true(match_category("category:k", "\xe2\x84\xaa"));
	assert_true(match_title("title:ok", "ro\xe2\x84\xaa!"));
}

/* Simple Unicode case folding, beyond ASCII. */
static void
test_unicode_case(void **state)
{
	assert_true(match_category("category:ЛАВРОВ", "Лавров"));
	assert_true(match_category("category:лавров", "ЛАВРОВ"));
	assert_false(match_category("category:Лавров", "Лавровский"));
	assert_true(match_title("title:лавров", "Сергей ЛАВРОВ сказал"));
	/* Σ has two lower cases, σ and final ς. */
	assert_true(match_title("title:ΟΔΥΣΣΕΥΣ", "Ο οδυσσευς"));
	assert_true(match_title("title:σ", "Σ"));
	assert_true(match_title("title:ς", "Σ"));
	assert_true(match_category("category:Ελλάδα", "ΕΛΛΆΔΑ"));
	assert_true(match_title("title:école", "L'ÉCOLE"));
	/* Accents count, and there is no full folding (ß is not SS). */
	assert_false(match_title("title:ecole", "L'ÉCOLE"));
	assert_false(match_title("title:straße", "STRASSE"));
}

static void
test_regex(void **state)
{
	const struct rule_subject	*s = &test_subject;

	assert_false(match("title:/lavrov/", s));
	assert_true(match("title:/lavrov/i", s));
	assert_true(match("title:/^Lavrov/", s));
	assert_false(match("title:/^Blinken/", s));
	assert_true(match("content:/\\bhour\\.$/", s));
	/* On lists, unanchored, and one entry is enough. */
	assert_true(match("category:/ssi/", s));
	assert_true(match("category:/^rus/i", s));
	assert_false(match("category:/^(?!Politics$)(?!Russia$)(?!a\\.b$)/",
	    s));
	assert_true(match("author:/^J.*h$/", s));
	assert_true(match("any:/Gen[eo]va/", s));
	assert_false(match("any:/^Geneva/", s));
	/* The pattern runs to the last slash. */
	assert_true(match_title("title:/a\\/b/", "x a/b"));
	assert_true(match_title("title:/a/b/", "x a/b"));
	assert_true(match_title("title:/a/b/i", "x A/B"));
	assert_true(match_title("title:/лавров/i", "ЛАВРОВ"));
	assert_false(match_title("title:/лавров/", "ЛАВРОВ"));
}

/* \b and \w know Cyrillic (PCRE2_UCP). */
static void
test_regex_unicode_words(void **state)
{
	assert_true(match_title("title:/\\bЛавров\\b/",
	    "Сергей Лавров сказал"));
	assert_false(match_title("title:/\\bЛавров\\b/", "Лавровский"));
	assert_false(match_title("title:/\\bЛавров\\b/", "Лавровский сказал"));
	assert_true(match_title("title:/\\bлавров\\b/i", "ЛАВРОВ."));
	assert_true(match_title("title:/^\\w+ский$/", "Лавровский"));
}

static void
test_errors(void **state)
{
	assert_error("titel:x", "unknown field \"titel\"");
	assert_error("titel:x", "category, author, title, content or any");
	assert_error("Title:x", "unknown field \"Title\"");
	assert_error(":x", "unknown field \"\"");
	assert_error("lavrov", "missing field");
	assert_error("title:", "empty value");
	assert_error("title: \t", "empty value");
	assert_error("title:/", "missing closing \"/\"");
	assert_error("title:/abc", "missing closing \"/\"");
	assert_error("title://", "empty regex");
	assert_error("title://i", "empty regex");
	assert_error("title:/abc/x", "bad regex flags \"x\"");
	assert_error("title:/abc/ii", "bad regex flags \"ii\"");
	assert_error("title:/abc/I", "bad regex flags \"I\"");
	assert_error("title:/usr/bin", "bad regex flags \"bin\"");
	assert_error("title:/(/", "missing closing parenthesis at offset 1");
	assert_error("title:/a{2,1}/", "bad regex \"/a{2,1}/\"");
	assert_error("category:/\\C/", "bad regex");
	assert_error("title:\xff", "bad value");
	assert_error("title:\xff", "UTF-8");
}

static void
test_rule_text(void **state)
{
	struct rule	*r;

	r = compile_ok("title: /x/i");
	assert_string_equal(rule_text(r), "title: /x/i");
	rule_free(r);
	rule_free(NULL);
}

/* Nothing there is no match, never a crash. */
static void
test_null_fields(void **state)
{
	struct rule_subject	 empty = { 0 };
	char			*nulls[] = { NULL, "Russia" };
	struct rule_subject	 holes = { .authors = nulls, .nauthors = 2,
				     .categories = nulls, .ncategories = 2 };

	assert_false(match("title:x", &empty));
	assert_false(match("content:x", &empty));
	assert_false(match("author:x", &empty));
	assert_false(match("category:x", &empty));
	assert_false(match("any:x", &empty));
	assert_false(match("any:/^/", &empty));
	assert_true(match("category:russia", &holes));
	assert_true(match("author:/^R/", &holes));
	assert_true(match("any:USS", &holes));
}

/* Feed text may not be UTF-8: it still matches where it can. */
static void
test_invalid_utf8(void **state)
{
	unsigned long	hits = rules_limit_hits();

	assert_true(match_title("title:abc", "x\xff\xfe abc"));
	assert_true(match_title("title:/\\babc$/", "\xc3 abc"));
	assert_false(match_title("title:/^abc/", "\xc3 abc"));
	assert_int_equal(rules_limit_hits(), hits);
}

static void
test_wants_text(void **state)
{
	struct tag_rules	 tr = { 0 };
	char			*cause;
	struct rule		*r;

	r = compile_ok("content:x");
	assert_true(rule_wants_text(r));
	rule_free(r);
	r = compile_ok("any:/x/");
	assert_true(rule_wants_text(r));
	rule_free(r);
	r = compile_ok("title:x");
	assert_false(rule_wants_text(r));
	rule_free(r);

	tr.name = xstrdup("t");
	assert_int_equal(tag_rules_add(&tr, 0, "category:x", &cause), 0);
	assert_int_equal(tag_rules_add(&tr, 0, "author:x", &cause), 0);
	assert_false(tag_rules_wants_text(&tr));
	assert_int_equal(tag_rules_add(&tr, 1, "any:x", &cause), 0);
	assert_true(tag_rules_wants_text(&tr));
	tag_rules_clear(&tr);
	assert_null(tr.name);
	assert_int_equal(tr.ninclude, 0);
}

/* A tag with no include rules has only what feeds carry. */
static void
test_carried(void **state)
{
	struct tag_rules	 tr = { 0 };
	char			*cause;

	tr.name = xstrdup("news");
	assert_true(tag_rules_member(&tr, 1, &test_subject));
	assert_false(tag_rules_member(&tr, 0, &test_subject));
	assert_int_equal(tag_rules_add(&tr, 1, "author:jane doe", &cause), 0);
	assert_false(tag_rules_member(&tr, 1, &test_subject));
	tag_rules_clear(&tr);
}

static void
test_exclude_wins(void **state)
{
	struct tag_rules	 tr = { 0 };
	char			*cause = NULL;

	tr.name = xstrdup("t");
	assert_int_equal(tag_rules_add(&tr, 0, "title:/lavrov/i", &cause), 0);
	assert_int_equal(tag_rules_add(&tr, 1, "content:geneva", &cause), 0);
	assert_int_equal(tr.ninclude, 1);
	assert_int_equal(tr.nexclude, 1);
	assert_false(tag_rules_member(&tr, 0, &test_subject));
	assert_false(tag_rules_member(&tr, 1, &test_subject));
	/* A bad rule is reported and not added. */
	assert_int_equal(tag_rules_add(&tr, 1, "content:/(/", &cause), -1);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(tr.nexclude, 1);
	tag_rules_clear(&tr);
}

/* The example from the spec. */
static void
test_spec_example(void **state)
{
	struct tag_rules	 tr = { 0 };
	char			*cause = NULL;
	char			*lavrov[] = { "Foreign", "lavrov" };
	struct rule_subject	 s = { 0 };

	tr.name = xstrdup("lavrov");
	assert_int_equal(tag_rules_add(&tr, 0, "category:Lavrov", &cause), 0);
	assert_int_equal(tag_rules_add(&tr, 0, "title:/\\bLavrov\\b/i", &cause),
	    0);
	assert_int_equal(tag_rules_add(&tr, 1, "title:/^Opinion:/", &cause), 0);

	s.title = "Talks end";
	assert_false(tag_rules_member(&tr, 0, &s));
	assert_true(tag_rules_member(&tr, 1, &s));
	s.categories = lavrov;
	s.ncategories = 2;
	assert_true(tag_rules_member(&tr, 0, &s));
	s.categories = NULL;
	s.ncategories = 0;
	s.title = "LAVROV says no";
	assert_true(tag_rules_member(&tr, 0, &s));
	s.title = "Lavrovsky wins";
	assert_false(tag_rules_member(&tr, 0, &s));
	s.title = "Opinion: Lavrov is wrong";
	assert_false(tag_rules_member(&tr, 0, &s));
	assert_false(tag_rules_member(&tr, 1, &s));
	s.title = "opinion: Lavrov is right";
	assert_true(tag_rules_member(&tr, 0, &s));
	tag_rules_clear(&tr);
}

/* Catastrophic backtracking stops at the match limit: no match, counted. */
static void
test_limit(void **state)
{
	struct rule		*r;
	char			 title[42];
	struct rule_subject	 s = { .title = title };
	unsigned long		 hits = rules_limit_hits();
	struct timespec		 t0, t1;

	memset(title, 'a', 40);
	title[40] = 'b';
	title[41] = '\0';
	r = compile_ok("title:/(a+)+$/");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_false(rule_match(r, &s));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Unbounded, this is about 2^40 steps: hours, not seconds. */
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	assert_int_equal(rules_limit_hits(), hits + 1);

	/* 18 a's take about 2^18 steps: our limit, not PCRE2's default. */
	title[18] = 'b';
	title[19] = '\0';
	assert_false(rule_match(r, &s));
	assert_int_equal(rules_limit_hits(), hits + 2);
	rule_free(r);

	/* An ordinary regex on the same text costs nothing. */
	assert_true(match_title("title:/a+b$/", title));
	assert_int_equal(rules_limit_hits(), hits + 2);
}

/* Threads share compiled rules; each has its own match data. */
static void *
thread_main(void *arg)
{
	const struct tag_rules	*tr = arg;
	intptr_t		 n = 0;
	int			 i;

	for (i = 0; i < 1000; i++)
		n += tag_rules_member(tr, 0, &test_subject);
	rules_thread_end();
	return ((void *)n);
}

static void
test_threads(void **state)
{
	struct tag_rules	 tr = { 0 };
	char			*cause;
	pthread_t		 t[4];
	void			*n;
	int			 i;

	tr.name = xstrdup("t");
	assert_int_equal(tag_rules_add(&tr, 0, "any:/\\bgeneva\\b/i", &cause),
	    0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_main, &tr),
		    0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &n), 0);
		assert_int_equal((intptr_t)n, 1000);
	}
	tag_rules_clear(&tr);
}

static int
teardown(void **state)
{
	rules_thread_end();
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_unicode_case),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_regex_unicode_words),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_rule_text),
		cmocka_unit_test(test_null_fields),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_wants_text),
		cmocka_unit_test(test_carried),
		cmocka_unit_test(test_exclude_wins),
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_threads),
	};

	return (cmocka_run_group_tests(tests, NULL, teardown));
}
