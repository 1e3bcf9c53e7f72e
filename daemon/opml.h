/*
 * opml.h: OPML subscription lists, read (feedmuxctl import) and written
 * (feedmuxctl export).  Generic: it knows nothing of the daemon.
 */
#ifndef OPML_H
#define OPML_H

#include <stddef.h>
#include <stdio.h>

/* One subscription: an outline with an xmlUrl. */
struct opml_feed {
	char	*url;
	char	*title;		/* text or title; NULL: none */
	char	*link;		/* htmlUrl; NULL: none */
	char	**tags;		/* folders and category, made tag names */
	size_t	 ntags;
};

int	 opml_read(const char *, struct opml_feed **, size_t *, size_t *,
	    char **);
void	 opml_free(struct opml_feed *, size_t);
void	 opml_write(FILE *, const struct opml_feed *, size_t);
char	*opml_tag_name(const char *);

#endif
