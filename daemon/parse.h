/*
 * parse.h: feed documents (bytes) to the model of item.h.  A library of
 * its own: it does no I/O and knows nothing of fetching, storing or
 * serving, so it can be fuzzed, benchmarked and reused alone.
 *
 * Push chunks as they arrive (parse_push), then parse_end; each entry is
 * handed to the callback as soon as it ends, or kept in the document when
 * there is no callback.  parse_doc does all of it for bytes in memory.
 */
#ifndef PARSE_H
#define PARSE_H

#include <stddef.h>

#include "item.h"

/* How to parse: where the document came from and what it may cost. */
struct parse_opts {
	const char		*base;		/* URL, for relative links */
	const char		*charset;	/* from HTTP Content-Type */
	size_t			 max_field;	/* bytes per field */
	size_t			 max_items;	/* entries per document */
};

/* The defaults of the configurable limits. */
#define PARSE_DEFAULT_MAX_FIELD	(1024 * 1024)
#define PARSE_DEFAULT_MAX_ITEMS	10000

typedef void (*parse_item_cb)(struct doc *, struct item *, void *);
struct parser;

void		 parse_opts_init(struct parse_opts *);
struct parser	*parse_new(const struct parse_opts *, parse_item_cb, void *);
void		 parse_push(struct parser *, const char *, size_t);
int		 parse_end(struct parser *, struct doc **, char **);
int		 parse_doc(const char *, size_t, const struct parse_opts *,
		    struct doc **, char **);

/* parse-dump.c: "feedmuxd --parse FILE...", the exit status. */
int		 parse_dump_files(char **, int, const char *, const char *);

#endif
