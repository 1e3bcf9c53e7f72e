/*
 * item.h: the model every feed format is read into, and that the store
 * keeps and the renderers write: a document (struct doc) and its entries
 * (struct item).  Made by the parser; shared by the store and renderers.
 */
#ifndef ITEM_H
#define ITEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

enum doc_format {
	FORMAT_UNKNOWN,
	FORMAT_RSS09X,
	FORMAT_RSS10,
	FORMAT_RSS20,
	FORMAT_ATOM03,
	FORMAT_ATOM10,
	FORMAT_JSONFEED10,
	FORMAT_JSONFEED11
};

/* Most of each list an entry keeps; more are dropped. */
#define ITEM_MAX_CATEGORIES	64
#define ITEM_MAX_AUTHORS	16
#define ITEM_MAX_ENCLOSURES	16

struct enclosure {
	char			*url;
	char			*type;		/* NULL: unknown */
	int64_t			 length;	/* -1: unknown */
};

/*
 * One entry of a feed, normalised.  Times are 0 when unknown.  Text is
 * valid UTF-8 without C0 controls; title is plain text, summary and content
 * are HTML.  Bump PARSE_DUMP keys in parse-dump.c with care: scripts read
 * them through "feedmuxd --parse".
 */
struct item {
	char			*id;		/* guid or atom:id as written */
	char			*uid;		/* identity: id, link or hash */
	char			*title;
	char			*link;		/* absolute */
	char			**authors;
	size_t			 nauthors;
	char			**categories;
	size_t			 ncategories;
	char			*summary;
	char			*content;
	struct enclosure	*enclosures;
	size_t			 nenclosures;
	char			*image;		/* media:thumbnail */
	long			 duration;	/* itunes:duration, seconds */
	time_t			 published;
	time_t			 updated;

	/* Filled when read back from the store for rendering. */
	int64_t			 key;		/* the store's id: page cursors */
	time_t			 sort_time;
	char			*source_name;
	char			*source_title;
	char			*source_link;
	char			*source_url;

	TAILQ_ENTRY(item)	 entry;
};
TAILQ_HEAD(items, item);

/* What a feed says about how often to poll it (RSS ttl, skip*, sy:*). */
struct feed_hints {
	int			 ttl;		/* minutes, 0: none */
	uint32_t		 skip_hours;	/* bit N: hour N (UTC) */
	uint8_t			 skip_days;	/* bit 0: Sunday */
	char			*update_period;	/* hourly ... yearly */
	int			 update_frequency;
};

/* A parsed feed document. */
struct doc {
	enum doc_format		 format;
	char			*title;
	char			*link;
	char			*id;
	time_t			 updated;
	char			**authors;	/* Atom: inherited by entries */
	size_t			 nauthors;
	struct feed_hints	 hints;
	struct items		 items;		/* if no callback took them */
	size_t			 nitems;
};

struct item	*item_new(void);
void		 item_free(struct item *);
void		 items_free(struct items *);
void		 item_add_string(char ***, size_t *, size_t, const char *);
struct doc	*doc_new(void);
void		 doc_free(struct doc *);
const char	*doc_format_name(enum doc_format);

#endif
