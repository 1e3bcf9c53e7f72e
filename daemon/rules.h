/*
 * rules.h: the include and exclude rules of [tag NAME] sections, compiled
 * with PCRE2.  Compiled rules are read-only and may be shared by threads;
 * each matching thread keeps its own match data (see rules_thread_end).
 */
#ifndef RULES_H
#define RULES_H

#include <stddef.h>

/* What the rules see of one entry; the caller fills it, NULL is absent. */
struct rule_subject {
	const char	 *title;	/* plain text */
	const char	 *text;		/* summary and content as plain text */
	char		**authors;
	size_t		  nauthors;
	char		**categories;
	size_t		  ncategories;
};

/* One compiled include or exclude line. */
struct rule;

/*
 * The rules of one tag, owned by it (name too); usually embedded, so there
 * is no create or free.  member = (carried || an include) && no exclude.
 */
struct tag_rules {
	char		 *name;
	struct rule	**include;
	size_t		  ninclude;
	struct rule	**exclude;
	size_t		  nexclude;
};

struct rule	*rule_compile(const char *, char **);
void		 rule_free(struct rule *);
const char	*rule_text(const struct rule *);
int		 rule_match(const struct rule *, const struct rule_subject *);
int		 rule_wants_text(const struct rule *);

int		 tag_rules_add(struct tag_rules *, int, const char *, char **);
void		 tag_rules_clear(struct tag_rules *);
int		 tag_rules_member(const struct tag_rules *, int,
		     const struct rule_subject *);
int		 tag_rules_wants_text(const struct tag_rules *);

unsigned long	 rules_limit_hits(void);
void		 rules_thread_end(void);

#endif
