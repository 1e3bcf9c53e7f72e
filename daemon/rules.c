/*
 * rules.c: tag rules, "FIELD:VALUE" where FIELD is category, author, title,
 * content or any, and VALUE is plain text or /regex/ with an optional i.
 *
 * Everything is compiled with PCRE2 in UTF mode.  Plain text is a caseless
 * literal: equality for category and author, a substring elsewhere.  PCRE2
 * refuses PCRE2_UCP with PCRE2_LITERAL, but caseless matching in UTF mode
 * already uses Unicode simple case folding (Лавров = ЛАВРОВ, σ = ς = Σ).
 * Regexes get PCRE2_UCP, so that \b and \w know non-ASCII letters.
 *
 * Feed text is untrusted, so every pattern is built with
 * PCRE2_MATCH_INVALID_UTF (bad UTF-8 is never a match error) and every match
 * runs under a match and depth limit.  A match that hits a limit is no
 * match, counted in rules_limit_hits().  PCRE2 restarts the match count at
 * each start position, so the worst case still grows with subject length.
 */
#include "config.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND	0
#endif

#include "log.h"
#include "rules.h"
#include "xmalloc.h"

/* Per start position: far above any sane rule, far below a stall. */
#define RULES_MATCH_LIMIT	100000
#define RULES_DEPTH_LIMIT	10000

#define RULES_PLAIN_OPTIONS \
	(PCRE2_LITERAL|PCRE2_CASELESS|PCRE2_UTF|PCRE2_MATCH_INVALID_UTF)
#define RULES_REGEX_OPTIONS \
	(PCRE2_UTF|PCRE2_UCP|PCRE2_MATCH_INVALID_UTF|PCRE2_NEVER_BACKSLASH_C)

enum rule_field {
	RULE_CATEGORY,
	RULE_AUTHOR,
	RULE_TITLE,
	RULE_CONTENT,
	RULE_ANY
};

/* Keep RULES_FIELDS in step with this table: it is the error's hint. */
#define RULES_FIELDS	"category, author, title, content or any"
static const struct {
	const char	*name;
	enum rule_field	 field;
} rule_fields[] = {
	{ "category", RULE_CATEGORY },
	{ "author", RULE_AUTHOR },
	{ "title", RULE_TITLE },
	{ "content", RULE_CONTENT },
	{ "any", RULE_ANY },
};

struct rule {
	char		*text;		/* as written */
	enum rule_field	 field;
	pcre2_code	*code;
	char		*ascii;		/* a plain ASCII value, for speed */
	int		 whole;		/* ... equal, not a substring */
};

static int	 rule_find_field(const char *, size_t, enum rule_field *);
static pcre2_code *rule_compile_plain(enum rule_field, const char *,
		     char **);
static pcre2_code *rule_compile_regex(const char *, char **);
static pcre2_code *rule_pcre2(const char *, size_t, uint32_t, const char *,
		     const char *, char **);
static int	 rule_match_string(const struct rule *, const char *);
static int	 rule_match_ascii(const struct rule *, const char *);
static int	 rule_is_ascii(const char *);
static int	 rule_match_list(const struct rule *, char **, size_t);
static void	 rules_thread_start(void);
static void	 tag_rules_free_list(struct rule **, size_t);

/* Compiled code is shared; match data and limits belong to each thread. */
static __thread pcre2_match_data	*rules_md;
static __thread pcre2_match_context	*rules_mc;
static atomic_ulong			 rules_nlimit;

/* Compile one rule; on error return NULL and a message in *cause. */
struct rule *
rule_compile(const char *text, char **cause)
{
	struct rule	*r;
	const char	*colon, *value;
	enum rule_field	 field;
	pcre2_code	*code;

	if ((colon = strchr(text, ':')) == NULL) {
		xasprintf(cause, "missing field in \"%s\" (use FIELD:VALUE, "
		    "FIELD one of %s)", text, RULES_FIELDS);
		return (NULL);
	}
	if (rule_find_field(text, colon - text, &field) != 0) {
		xasprintf(cause, "unknown field \"%.*s\" (use %s)",
		    (int)(colon - text), text, RULES_FIELDS);
		return (NULL);
	}

	/* "title: x" is surely not meant to look for " x". */
	value = colon + 1 + strspn(colon + 1, " \t");
	if (*value == '\0') {
		xasprintf(cause, "empty value in \"%s\"", text);
		return (NULL);
	}
	if (*value == '/')
		code = rule_compile_regex(value, cause);
	else
		code = rule_compile_plain(field, value, cause);
	if (code == NULL)
		return (NULL);

	r = xcalloc(1, sizeof(*r));
	r->text = xstrdup(text);
	r->field = field;
	r->code = code;
	if (*value != '/' && rule_is_ascii(value)) {
		r->ascii = xstrdup(value);
		r->whole = field == RULE_CATEGORY || field == RULE_AUTHOR;
	}
	return (r);
}

void
rule_free(struct rule *r)
{
	if (r == NULL)
		return;
	pcre2_code_free(r->code);
	free(r->text);
	free(r->ascii);
	free(r);
}

const char *
rule_text(const struct rule *r)
{
	return (r->text);
}

/* Does the rule read subject->text? If not, the caller need not make it. */
int
rule_wants_text(const struct rule *r)
{
	return (r->field == RULE_CONTENT || r->field == RULE_ANY);
}

int
rule_match(const struct rule *r, const struct rule_subject *s)
{
	switch (r->field) {
	case RULE_CATEGORY:
		return (rule_match_list(r, s->categories, s->ncategories));
	case RULE_AUTHOR:
		return (rule_match_list(r, s->authors, s->nauthors));
	case RULE_TITLE:
		return (rule_match_string(r, s->title));
	case RULE_CONTENT:
		return (rule_match_string(r, s->text));
	case RULE_ANY:
		/* The text is the longest: try it last. */
		return (rule_match_string(r, s->title) ||
		    rule_match_list(r, s->categories, s->ncategories) ||
		    rule_match_list(r, s->authors, s->nauthors) ||
		    rule_match_string(r, s->text));
	}
	return (0);
}

static int
rule_find_field(const char *name, size_t len, enum rule_field *field)
{
	size_t	i;

	for (i = 0; i < sizeof(rule_fields) / sizeof(rule_fields[0]); i++) {
		if (strlen(rule_fields[i].name) == len &&
		    memcmp(rule_fields[i].name, name, len) == 0) {
			*field = rule_fields[i].field;
			return (0);
		}
	}
	return (-1);
}

/* Plain text: whole-value equality for lists of names, else a substring. */
static pcre2_code *
rule_compile_plain(enum rule_field field, const char *value, char **cause)
{
	uint32_t	options = RULES_PLAIN_OPTIONS;

	if (field == RULE_CATEGORY || field == RULE_AUTHOR)
		options |= PCRE2_ANCHORED|PCRE2_ENDANCHORED;
	return (rule_pcre2(value, strlen(value), options, "value", value,
	    cause));
}

/*
 * "/pattern/" or "/pattern/i".  The pattern runs to the last slash, so a
 * slash inside needs no escape (though "\/" works too).
 */
static pcre2_code *
rule_compile_regex(const char *value, char **cause)
{
	const char	*end, *flags;
	uint32_t	 options = RULES_REGEX_OPTIONS;

	end = strrchr(value, '/');
	if (end == value) {
		xasprintf(cause, "missing closing \"/\" in regex \"%s\"",
		    value);
		return (NULL);
	}
	flags = end + 1;
	if (strcmp(flags, "i") == 0)
		options |= PCRE2_CASELESS;
	else if (*flags != '\0') {
		xasprintf(cause, "bad regex flags \"%s\" in \"%s\" (only \"i\" "
		    "is allowed)", flags, value);
		return (NULL);
	}
	if (end == value + 1) {
		xasprintf(cause, "empty regex \"%s\"", value);
		return (NULL);
	}
	return (rule_pcre2(value + 1, end - value - 1, options, "regex", value,
	    cause));
}

/* Compile, and JIT if we can: the interpreter is only slower. */
static pcre2_code *
rule_pcre2(const char *pattern, size_t len, uint32_t options,
    const char *what, const char *value, char **cause)
{
	pcre2_code	*code;
	PCRE2_UCHAR	 msg[256];
	PCRE2_SIZE	 offset;
	int		 error;

	code = pcre2_compile((PCRE2_SPTR)pattern, len, options, &error,
	    &offset, NULL);
	if (code == NULL) {
		if (pcre2_get_error_message(error, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "unknown error");
		xasprintf(cause, "bad %s \"%s\": %s at offset %zu", what,
		    value, (char *)msg, (size_t)offset);
		return (NULL);
	}
	/*
	 * JIT code reads past the end of a subject a word at a time, which
	 * is safe but which valgrind reports; under valgrind, interpret.
	 */
	if (!RUNNING_ON_VALGRIND)
		(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	return (code);
}

static int
rule_is_ascii(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s & 0x80)
			return (0);
	}
	return (1);
}

/*
 * A plain ASCII value against an ASCII subject, without PCRE2: the same
 * answer (simple case folding maps no ASCII letter outside ASCII), a
 * tenth of the cost, and the common case (a category, a word in a title).
 * -1: not both ASCII, ask PCRE2.
 */
static int
rule_match_ascii(const struct rule *r, const char *s)
{
	size_t		 n = strlen(r->ascii), i;
	const char	*p;

	if (!rule_is_ascii(s))
		return (-1);
	if (r->whole)
		return (strcasecmp(s, r->ascii) == 0);
	for (p = s; *p != '\0'; p++) {
		for (i = 0; i < n && p[i] != '\0' &&
		    tolower((unsigned char)p[i]) ==
		    tolower((unsigned char)r->ascii[i]); i++)
			;
		if (i == n)
			return (1);
		if (p[i] == '\0')
			break;
	}
	return (0);
}

static int
rule_match_string(const struct rule *r, const char *s)
{
	int	rc;

	if (s == NULL)
		return (0);
	if (r->ascii != NULL && (rc = rule_match_ascii(r, s)) >= 0)
		return (rc);
	if (rules_md == NULL)
		rules_thread_start();
	rc = pcre2_match(r->code, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0,
	    rules_md, rules_mc);
	if (rc >= 0)
		return (1);
	switch (rc) {
	case PCRE2_ERROR_MATCHLIMIT:
	case PCRE2_ERROR_DEPTHLIMIT:
	case PCRE2_ERROR_HEAPLIMIT:
	case PCRE2_ERROR_JIT_STACKLIMIT:
	case PCRE2_ERROR_NOMEMORY:
		atomic_fetch_add_explicit(&rules_nlimit, 1,
		    memory_order_relaxed);
		break;
	}
	return (0);
}

static int
rule_match_list(const struct rule *r, char **list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (rule_match_string(r, list[i]))
			return (1);
	}
	return (0);
}

/* One ovector pair is enough: we only ask whether it matched. */
static void
rules_thread_start(void)
{
	rules_md = pcre2_match_data_create(1, NULL);
	rules_mc = pcre2_match_context_create(NULL);
	if (rules_md == NULL || rules_mc == NULL)
		fatalx("%s: out of memory", __func__);
	pcre2_set_match_limit(rules_mc, RULES_MATCH_LIMIT);
	pcre2_set_depth_limit(rules_mc, RULES_DEPTH_LIMIT);
}

/* Free this thread's match data; call it before a matching thread exits. */
void
rules_thread_end(void)
{
	pcre2_match_data_free(rules_md);
	pcre2_match_context_free(rules_mc);
	rules_md = NULL;
	rules_mc = NULL;
}

/* Matches that hit a limit (and so did not match), over all threads. */
unsigned long
rules_limit_hits(void)
{
	return (atomic_load_explicit(&rules_nlimit, memory_order_relaxed));
}

/* Free the rules and the name, leaving tr empty (but not freeing it). */
void
tag_rules_clear(struct tag_rules *tr)
{
	tag_rules_free_list(tr->include, tr->ninclude);
	tag_rules_free_list(tr->exclude, tr->nexclude);
	free(tr->name);
	memset(tr, 0, sizeof(*tr));
}

static void
tag_rules_free_list(struct rule **list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		rule_free(list[i]);
	free(list);
}

/* Compile text and add it as an include (or exclude) rule. */
int
tag_rules_add(struct tag_rules *tr, int exclude, const char *text,
    char **cause)
{
	struct rule	 *r, ***list;
	size_t		 *n;

	if ((r = rule_compile(text, cause)) == NULL)
		return (-1);
	list = exclude ? &tr->exclude : &tr->include;
	n = exclude ? &tr->nexclude : &tr->ninclude;
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = r;
	return (0);
}

int
tag_rules_member(const struct tag_rules *tr, int carried_by_feed,
    const struct rule_subject *s)
{
	size_t	i;

	if (!carried_by_feed) {
		for (i = 0; i < tr->ninclude; i++) {
			if (rule_match(tr->include[i], s))
				break;
		}
		if (i == tr->ninclude)
			return (0);
	}
	for (i = 0; i < tr->nexclude; i++) {
		if (rule_match(tr->exclude[i], s))
			return (0);
	}
	return (1);
}

/* Does any rule read subject->text? */
int
tag_rules_wants_text(const struct tag_rules *tr)
{
	size_t	i;

	for (i = 0; i < tr->ninclude; i++) {
		if (rule_wants_text(tr->include[i]))
			return (1);
	}
	for (i = 0; i < tr->nexclude; i++) {
		if (rule_wants_text(tr->exclude[i]))
			return (1);
	}
	return (0);
}
