/*
 * util.c: small generic helpers with no daemon state: buffers, a string
 * map, hashing, times.  Linked into feedmuxctl too.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xmalloc.h"

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->size = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Make room for n more bytes and the terminating NUL. */
void
buf_grow(struct buf *b, size_t n)
{
	size_t	need = b->len + n + 1;

	if (need <= b->size)
		return;
	b->size = b->size == 0 ? 256 : b->size;
	while (b->size < need)
		b->size *= 2;
	b->data = xreallocarray(b->data, b->size, 1);
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Hand the contents to the caller (never NULL) and leave b empty. */
char *
buf_steal(struct buf *b)
{
	char	*p;

	if (b->data == NULL)
		return (xstrdup(""));
	p = b->data;
	buf_init(b);
	return (p);
}

/*
 * RFC 3339 in UTC, "YYYY-MM-DDTHH:MM:SSZ".  Not strftime: its %Y does not
 * pad years before 1000 to four digits.
 */
char *
util_format_time(time_t t, char *out, size_t len)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999)
		snprintf(out, len, "1970-01-01T00:00:00Z");
	else
		snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
	return (out);
}

/*
 * An RFC 822 / HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT"), in English
 * whatever the locale: HTTP headers and RSS both want this one form.
 */
char *
util_format_http_date(time_t t, char *out, size_t len)
{
	static const char	days[] = "SunMonTueWedThuFriSat";
	static const char	months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm		tm;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(out, len, "%.3s, %02d %.3s %04d %02d:%02d:%02d GMT",
	    days + 3 * tm.tm_wday, tm.tm_mday, months + 3 * tm.tm_mon,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return (out);
}

/* Strip leading and trailing white space in place. */
char *
util_trim(char *s)
{
	char	*end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return (s);
}

/* 64-bit FNV-1a: stable across runs and machines, used for identities. */
uint64_t
util_hash64(const void *p, size_t len, uint64_t h)
{
	const unsigned char	*c = p;
	size_t			 i;

	if (h == 0)
		h = 0xcbf29ce484222325ULL;
	for (i = 0; i < len; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return (h);
}

/*
 * strmap: string keys (borrowed: they must outlive their entry) to
 * pointers; open addressing with linear probing, for lookups by name that
 * must not be O(n) when there are 10,000 feeds.
 */
void
strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void
strmap_free(struct strmap *m)
{
	free(m->slots);
	strmap_init(m);
}

static size_t
strmap_slot(const struct strmap *m, const char *key)
{
	size_t	i = util_hash64(key, strlen(key), 0) & (m->cap - 1);

	while (m->slots[i].key != NULL && strcmp(m->slots[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return (i);
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	size_t	i;

	if (m->cap == 0)
		return (NULL);
	i = strmap_slot(m, key);
	return (m->slots[i].key != NULL ? m->slots[i].val : NULL);
}

void
strmap_put(struct strmap *m, const char *key, void *val)
{
	struct strmap	old = *m;
	size_t		i;

	if ((m->n + 1) * 2 > m->cap) {
		m->cap = m->cap == 0 ? 64 : m->cap * 2;
		m->slots = xcalloc(m->cap, sizeof(*m->slots));
		m->n = 0;
		for (i = 0; i < old.cap; i++) {
			if (old.slots[i].key != NULL)
				strmap_put(m, old.slots[i].key,
				    old.slots[i].val);
		}
		free(old.slots);
	}
	i = strmap_slot(m, key);
	if (m->slots[i].key == NULL)
		m->n++;
	m->slots[i].key = key;
	m->slots[i].val = val;
}

/* Remove key, shifting later entries of its run back (no tombstones). */
void
strmap_del(struct strmap *m, const char *key)
{
	size_t	i, j, home;

	if (m->cap == 0)
		return;
	i = strmap_slot(m, key);
	if (m->slots[i].key == NULL)
		return;
	m->slots[i].key = NULL;
	m->n--;
	for (j = (i + 1) & (m->cap - 1); m->slots[j].key != NULL;
	    j = (j + 1) & (m->cap - 1)) {
		home = util_hash64(m->slots[j].key, strlen(m->slots[j].key),
		    0) & (m->cap - 1);
		/* Move it back unless its home lies in (i, j]. */
		if ((i <= j) ? (home <= i || home > j) : (home <= i &&
		    home > j)) {
			m->slots[i] = m->slots[j];
			m->slots[j].key = NULL;
			i = j;
		}
	}
}

/*
 * A whole text file in a new NUL-terminated string, or NULL and *cause
 * ("path: why") when it cannot be read, is longer than max bytes, or has
 * a NUL byte (which would silently end the string early).
 */
char *
util_read_file(const char *path, size_t max, char **cause)
{
	FILE		*fp;
	struct buf	 b;
	char		 tmp[65536], *nul, *p;
	size_t		 n, line = 1;

	if ((fp = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0) {
		if (b.len + n > max) {
			xasprintf(cause, "%s: longer than %zu bytes", path,
			    max);
			goto fail;
		}
		buf_add(&b, tmp, n);
	}
	if (ferror(fp)) {
		xasprintf(cause, "%s: read error: %s", path, strerror(errno));
		goto fail;
	}
	fclose(fp);
	if (b.len > 0 && (nul = memchr(b.data, '\0', b.len)) != NULL) {
		for (p = b.data; p < nul; p++)
			line += *p == '\n';
		xasprintf(cause, "%s:%zu: NUL byte in line", path, line);
		buf_free(&b);
		return (NULL);
	}
	buf_addc(&b, '\0');
	return (buf_steal(&b));

fail:
	fclose(fp);
	buf_free(&b);
	return (NULL);
}
