/*
 * util.h: small generic helpers shared by both programs: buffers, a string
 * map, hashing, times, and what glibc's sys/queue.h lacks.
 */
#ifndef UTIL_H
#define UTIL_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/* A growable byte buffer, always NUL-terminated when data != NULL. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 size;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addstr(struct buf *, const char *);
void	 buf_grow(struct buf *, size_t);

/* One byte; inline because every parser and writer loop calls it. */
static inline void
buf_addc(struct buf *b, char c)
{
	if (b->len + 2 > b->size)
		buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}
char	*buf_steal(struct buf *);

/* A map from borrowed string keys to pointers. */
struct strmap {
	size_t		 cap;		/* a power of two, or 0 */
	size_t		 n;
	struct {
		const char	*key;
		void		*val;
	}		*slots;
};

void	 strmap_init(struct strmap *);
void	 strmap_free(struct strmap *);
void	*strmap_get(const struct strmap *, const char *);
void	 strmap_put(struct strmap *, const char *, void *);
void	 strmap_del(struct strmap *, const char *);

char	*util_format_time(time_t, char *, size_t);
char	*util_format_http_date(time_t, char *, size_t);
char	*util_trim(char *);
char	*util_read_file(const char *, size_t, char **);
uint64_t util_hash64(const void *, size_t, uint64_t);

#define UTIL_TIMEBUF	32

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* glibc's sys/queue.h lacks the _SAFE iterators. */
#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

/*
 * Word-at-a-time byte tests (SWAR): is any byte of x below n (n <= 128),
 * or equal to c?  Used where a loop over text is the hot path.
 */
#define SWAR_ONES	0x0101010101010101ULL
#define SWAR_HIGHS	0x8080808080808080ULL
#define SWAR_LESS(x, n)	(((x) - SWAR_ONES * (n)) & ~(x) & SWAR_HIGHS)
#define SWAR_HAS(x, c)	SWAR_LESS((x) ^ (SWAR_ONES * (c)), 1)

static inline uint64_t
swar_load(const void *p)
{
	uint64_t	x;

	memcpy(&x, p, sizeof(x));
	return (x);
}

#endif
