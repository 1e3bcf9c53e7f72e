/* util.c: small helpers with no daemon state (linked into feedmuxctl too). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
 * Durations are "30s", "15m", "2h", "1d" or plain seconds.  On error *errstr
 * says why and -1 is returned.
 */
int
util_parse_duration(const char *s, long *out, const char **errstr)
{
	char		*end;
	long long	 n, mul = 1;

	*errstr = NULL;
	errno = 0;
	if (!isdigit((unsigned char)*s)) {
		*errstr = "not a duration (use e.g. 30s, 15m, 2h, 1d)";
		return (-1);
	}
	n = strtoll(s, &end, 10);
	if (errno != 0) {
		*errstr = "duration out of range";
		return (-1);
	}
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mul = 60;
		break;
	case 'h':
		mul = 3600;
		break;
	case 'd':
		mul = 86400;
		break;
	default:
		*errstr = "bad duration unit (use s, m, h or d)";
		return (-1);
	}
	if (*end != '\0' && end[1] != '\0') {
		*errstr = "trailing characters after duration";
		return (-1);
	}
	if (n > LONG_MAX / mul) {
		*errstr = "duration out of range";
		return (-1);
	}
	*out = (long)(n * mul);
	return (0);
}

/* Sizes are plain bytes or with a K, M or G suffix (powers of 1024). */
int
util_parse_size(const char *s, uint64_t *out, const char **errstr)
{
	char			*end;
	unsigned long long	 n, mul = 1;

	*errstr = NULL;
	errno = 0;
	if (!isdigit((unsigned char)*s)) {
		*errstr = "not a size (use e.g. 512K, 16M, 1G)";
		return (-1);
	}
	n = strtoull(s, &end, 10);
	if (errno != 0) {
		*errstr = "size out of range";
		return (-1);
	}
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		mul = 1024;
		break;
	case 'M':
		mul = 1024 * 1024;
		break;
	case 'G':
		mul = 1024 * 1024 * 1024;
		break;
	default:
		*errstr = "bad size unit (use K, M or G)";
		return (-1);
	}
	if (*end != '\0' && end[1] != '\0') {
		*errstr = "trailing characters after size";
		return (-1);
	}
	if (n > UINT64_MAX / mul) {
		*errstr = "size out of range";
		return (-1);
	}
	*out = n * mul;
	return (0);
}

int
util_parse_bool(const char *s, int *out)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0 ||
	    strcmp(s, "1") == 0 || strcasecmp(s, "on") == 0) {
		*out = 1;
		return (0);
	}
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0 ||
	    strcmp(s, "0") == 0 || strcasecmp(s, "off") == 0) {
		*out = 0;
		return (0);
	}
	return (-1);
}

/* The shortest exact form of a duration: 3600 -> "1h", 90 -> "90s". */
char *
util_format_duration(long secs)
{
	char	*s;

	if (secs != 0 && secs % 86400 == 0)
		xasprintf(&s, "%ldd", secs / 86400);
	else if (secs != 0 && secs % 3600 == 0)
		xasprintf(&s, "%ldh", secs / 3600);
	else if (secs != 0 && secs % 60 == 0)
		xasprintf(&s, "%ldm", secs / 60);
	else
		xasprintf(&s, "%lds", secs);
	return (s);
}

/* RFC 3339 in UTC, "YYYY-MM-DDTHH:MM:SSZ". */
char *
util_format_time(time_t t, char *out, size_t len)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "1970-01-01T00:00:00Z");
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

/* Bytes that JSON strings must escape. */
static const unsigned char util_json_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
};

/*
 * A JSON string, escaped by hand: jansson's per-character escaping and
 * UTF-8 checks are slow, and our strings are valid UTF-8 already.
 */
void
buf_add_json_string(struct buf *b, const char *s)
{
	const char	*start, *end;
	char		 esc[8];
	uint64_t	 x;

	if (s == NULL) {
		buf_addstr(b, "null");
		return;
	}
	buf_addc(b, '"');
	end = s + strlen(s);
	for (start = s; s < end; s++) {
		/* Skip eight plain bytes at a time. */
		while (end - s >= 8 && (x = swar_load(s), SWAR_LESS(x, 0x20) ==
		    0 && SWAR_HAS(x, '"') == 0 && SWAR_HAS(x, '\\') == 0))
			s += 8;
		if (s == end)
			break;
		if (!util_json_escape[(unsigned char)*s])
			continue;
		buf_add(b, start, s - start);
		switch (*s) {
		case '"':
			buf_addstr(b, "\\\"");
			break;
		case '\\':
			buf_addstr(b, "\\\\");
			break;
		case '\n':
			buf_addstr(b, "\\n");
			break;
		case '\r':
			buf_addstr(b, "\\r");
			break;
		case '\t':
			buf_addstr(b, "\\t");
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned char)*s);
			buf_addstr(b, esc);
		}
		start = s + 1;
	}
	buf_add(b, start, s - start);
	buf_addc(b, '"');
}

/* A JSON array of strings. */
void
buf_add_json_strings(struct buf *b, char **v, size_t n)
{
	size_t	i;

	buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		buf_add_json_string(b, v[i]);
	}
	buf_addc(b, ']');
}

/* Query parameters that say where a click came from, not what it is. */
static int
util_tracking_param(const char *p, size_t len)
{
	static const char *const names[] = {
		"fbclid", "gclid", "mc_cid", "mc_eid", "yclid", "igshid"
	};
	size_t	i;

	if (len >= 4 && strncasecmp(p, "utm_", 4) == 0)
		return (1);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((len == strlen(names[i]) ||
		    (len > strlen(names[i]) && p[strlen(names[i])] == '=')) &&
		    strncasecmp(p, names[i], strlen(names[i])) == 0)
			return (1);
	}
	return (0);
}

/*
 * A link as a key for "the same article": http and https alike, host in
 * lower case without "www." and default port, no fragment, no tracking
 * parameters, no trailing slash.  Anything else is kept as written, since
 * servers may treat case and order in paths and queries as significant.
 */
char *
util_link_normalize(const char *link)
{
	struct buf	 b;
	const char	*p, *host, *end, *q, *amp;
	size_t		 n;
	int		 first = 1;

	if ((p = strstr(link, "://")) == NULL)
		return (xstrdup(link));
	buf_init(&b);
	buf_addstr(&b, "//");
	host = p + 3;
	end = host + strcspn(host, "/?#");
	if (end - host > 4 && strncasecmp(host, "www.", 4) == 0)
		host += 4;
	n = end - host;
	if (n > 3 && strncmp(end - 3, ":80", 3) == 0)
		n -= 3;
	else if (n > 4 && strncmp(end - 4, ":443", 4) == 0)
		n -= 4;
	for (p = host; p < host + n; p++)
		buf_addc(&b, tolower((unsigned char)*p));

	p = end;
	n = strcspn(p, "?#");
	while (n > 0 && p[n - 1] == '/')
		n--;
	buf_add(&b, p, n);
	p += strcspn(p, "?#");
	if (*p == '?') {
		q = p + 1;
		end = q + strcspn(q, "#");
		while (q < end) {
			if ((amp = memchr(q, '&', end - q)) == NULL)
				amp = end;
			if (amp > q && !util_tracking_param(q, amp - q)) {
				buf_addc(&b, first ? '?' : '&');
				buf_add(&b, q, amp - q);
				first = 0;
			}
			q = amp + (amp < end);
		}
	}
	return (buf_steal(&b));
}

/* Split "ADDR:PORT" or "[V6ADDR]:PORT". */
int
util_split_hostport(const char *s, char **host, int *port,
    const char **errstr)
{
	const char	*colon, *hend;
	char		*end;
	long		 p;

	*errstr = NULL;
	if (*s == '[') {
		if ((hend = strchr(s, ']')) == NULL || hend[1] != ':') {
			*errstr = "bad address (use [ADDR]:PORT for IPv6)";
			return (-1);
		}
		colon = hend + 1;
		s++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL) {
			*errstr = "missing port (use ADDR:PORT)";
			return (-1);
		}
		hend = colon;
	}
	if (hend == s) {
		*errstr = "missing address (use ADDR:PORT)";
		return (-1);
	}
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || p < 1 ||
	    p > 65535) {
		*errstr = "bad port (1-65535)";
		return (-1);
	}
	*host = xstrndup(s, hend - s);
	*port = (int)p;
	return (0);
}

/*
 * The length of the valid UTF-8 sequence at s (of n bytes available); 0
 * if it is invalid, with *bad the length of its maximal subpart (Unicode
 * 3.9, table 3-7), which becomes one U+FFFD; or -1 if it may be valid but
 * is cut short by the end of the bytes.
 */
static int
utf8_seq(const unsigned char *s, size_t n, int *bad)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	int		len, i;

	*bad = 1;
	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return (0);
	/* The second byte's range excludes overlongs and surrogates. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return (-1);
		if (s[i] < lo || s[i] > hi) {
			*bad = i;
			return (0);
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return (len);
}

/* 0: passes as is; 1: a C0 control to drop; 2: not ASCII. */
static const unsigned char utf8_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x80] = 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/*
 * Clean one chunk of a byte stream: C0 controls other than tab, LF and CR
 * are dropped and, if utf8 is set, invalid UTF-8 becomes U+FFFD.  A
 * sequence cut by the chunk's end is kept in f for the next call (last
 * set: there is none).  Returns the cleaned bytes and sets *outlen: the
 * input itself if nothing had to change (the common case, no copy), else
 * what was appended to out, which must be empty on entry.
 */
const char *
utf8_clean_chunk(struct utf8_cleaner *f, const char *in, size_t len,
    int last, struct buf *out, size_t *outlen)
{
	const unsigned char	*s;
	size_t			 i = 0, start, n, c, k;
	int			 q, bad, carried = f->ncarry > 0;
	uint64_t		 x;
	unsigned char		 tmp[8];

	/* Finish a sequence carried over from the last chunk. */
	while (f->ncarry > 0) {
		c = f->ncarry;
		memcpy(tmp, f->carry, c);
		for (n = c, k = 0; n < 4 && k < len; )
			tmp[n++] = in[k++];
		if ((q = utf8_seq(tmp, n, &bad)) == -1 && !last) {
			memcpy(f->carry, tmp, n);	/* still incomplete */
			f->ncarry = n;
			*outlen = out->len;
			return (out->data != NULL ? out->data : "");
		}
		if (q > 0) {
			buf_add(out, tmp, q);
			i = q - c;
			f->ncarry = 0;
			break;
		}
		/* Invalid: replace its maximal subpart, look at the rest. */
		if (q == -1)
			bad = n;	/* cut short by the very end */
		buf_add(out, "\xef\xbf\xbd", 3);
		if ((size_t)bad >= c) {
			i = bad - c;
			f->ncarry = 0;
			break;
		}
		memmove(f->carry, f->carry + bad, c - bad);
		f->ncarry = c - bad;
	}
	s = (const unsigned char *)in;
	for (start = i; i < len; ) {
		/* The common case, fast: bytes that pass as they are. */
		for (;;) {
			while (i + 8 <= len && (x = swar_load(s + i),
			    (x & SWAR_HIGHS) == 0 && SWAR_LESS(x, 0x20) == 0))
				i += 8;
			if (i < len && utf8_class[s[i]] == 0)
				i++;
			else
				break;
		}
		if (i == len)
			break;
		if (utf8_class[s[i]] == 1) {
			buf_add(out, in + start, i - start);
			start = ++i;
			continue;
		}
		if (!f->utf8) {
			i++;
			continue;
		}
		q = utf8_seq(s + i, len - i, &bad);
		if (q > 0) {
			i += q;
			continue;
		}
		buf_add(out, in + start, i - start);
		if (q == -1 && !last) {
			f->ncarry = len - i;
			memcpy(f->carry, s + i, f->ncarry);
			*outlen = out->len;
			return (out->data != NULL ? out->data : "");
		}
		if (q == -1)
			bad = len - i;
		buf_add(out, "\xef\xbf\xbd", 3);
		i += bad;
		start = i;
	}
	/* Nothing changed and nothing carried: use the input as it is. */
	if (out->len == 0 && start == 0 && !carried) {
		*outlen = len;
		return (in);
	}
	buf_add(out, in + start, i - start);
	*outlen = out->len;
	return (out->data);
}

/* A string cleaned as above, as UTF-8, in a new allocation. */
char *
utf8_clean(const char *s)
{
	struct utf8_cleaner	 f = { 1, { 0 }, 0 };
	struct buf		 b;
	const char		*r;
	size_t			 n;

	buf_init(&b);
	r = utf8_clean_chunk(&f, s, strlen(s), 1, &b, &n);
	if (r == s)
		return (xstrdup(s));
	return (buf_steal(&b));
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
