/*
 * parse-charset.c: the encodings publishers get wrong, decoded before
 * libxml2 sees a byte.
 *
 * Two mistakes are common.  A blog declares ISO-8859-1 or windows-1252
 * (in its XML declaration or its server's charset) but writes UTF-8; and
 * a feed declares nothing but is not UTF-8, nearly always windows-1252.
 * Both labels are ASCII supersets, so the choice can wait for the first
 * byte above 0x7f: the bytes from there on (up to PARSE_CHARSET_WINDOW,
 * within the chunk at hand) decide.  More valid multi-byte UTF-8
 * sequences there than invalid ones means UTF-8 (a stray bad byte in a
 * UTF-8 feed then becomes U+FFFD, as in a declared one); otherwise
 * windows-1252, whose text hardly ever forms valid UTF-8.  Nothing is
 * buffered beyond a sequence cut by the chunk's end, and the decided
 * UTF-8 path returns its input untouched.
 *
 * windows-1252 is decoded here, not by iconv, as the WHATWG Encoding
 * Standard does: the five bytes it leaves undefined (0x81 0x8d 0x8f 0x90
 * 0x9d) become the C1 code points of the same value, where iconv would
 * fail and libxml2 would drop the rest of the document.  ISO-8859-1 and
 * ASCII labels are read as windows-1252 (parse.c), as browsers do, so a
 * 0x92 is an apostrophe, never a vanished control.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "parse-internal.h"
#include "text.h"
#include "util.h"

#define PARSE_CHARSET_WINDOW	4096	/* bytes judged, from the first */

/* windows-1252 0x80-0x9f; the undefined five map to themselves. */
static const unsigned short parse_cp1252_c1[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178
};

/* Is this label (after parse.c's aliases) one we decode ourselves? */
int
parse_charset_is_cp1252(const char *name)
{
	return (strcasecmp(name, "windows-1252") == 0 ||
	    strcasecmp(name, "cp1252") == 0 ||
	    strcasecmp(name, "x-cp1252") == 0);
}

void
parse_charset_init(struct parse_charset *c, enum charset_mode mode,
    enum charset_mode fallback)
{
	memset(c, 0, sizeof(*c));
	c->mode = mode;
	c->fallback = fallback;
}

/* Append s[0..n) decoded from windows-1252 as UTF-8. */
static void
parse_charset_cp1252(struct buf *out, const unsigned char *s, size_t n)
{
	size_t		i, start;
	unsigned int	cp;
	char		u[4];

	for (i = start = 0; i < n; i++) {
		if (s[i] < 0x80)
			continue;
		buf_add(out, s + start, i - start);
		cp = s[i] < 0xa0 ? parse_cp1252_c1[s[i] - 0x80] : s[i];
		buf_add(out, u, text_utf8_encode(cp, u));
		start = i + 1;
	}
	buf_add(out, s + start, i - start);
}

/*
 * Judge the bytes from the first non-ASCII one.  Returns the mode, or
 * CHARSET_SNIFF when all there is is a sequence cut by the chunk's end.
 */
static enum charset_mode
parse_charset_judge(const unsigned char *s, size_t n, int last)
{
	size_t	i, end = n < PARSE_CHARSET_WINDOW ? n : PARSE_CHARSET_WINDOW;
	int	q, bad, valid = 0, invalid = 0;

	for (i = 0; i < end; ) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		q = text_utf8_seq(s + i, n - i, &bad);
		if (q == -1 && !last)
			break;		/* cut by the chunk's end */
		if (q > 0) {
			valid++;
			i += q;
		} else {
			invalid++;
			i += q == 0 ? (size_t)bad : n - i;
		}
	}
	if (valid > invalid)
		return (CHARSET_PASS);
	if (invalid > 0 || last)
		return (CHARSET_CP1252);
	return (CHARSET_SNIFF);
}

/*
 * Decode one chunk to UTF-8 (or pass it on for libxml2 to decode).
 * Returns the input itself when nothing changes, else what was appended
 * to out, which must be empty on entry; *outlen is set either way.
 */
const char *
parse_charset_chunk(struct parse_charset *c, const char *in, size_t len,
    int last, struct buf *out, size_t *outlen)
{
	const unsigned char	*s = (const unsigned char *)in, *hi;
	size_t			 n = len;
	enum charset_mode	 m;

	*outlen = len;
	if (c->mode == CHARSET_PASS)
		return (in);
	if (c->mode == CHARSET_CP1252) {
		parse_charset_cp1252(out, s, n);
		*outlen = out->len;
		return (out->data != NULL ? out->data : "");
	}

	/* Sniffing: a cut sequence from the last chunk goes first. */
	if (c->ncarry > 0) {
		buf_add(&c->pending, c->carry, c->ncarry);
		buf_add(&c->pending, in, len);
		c->ncarry = 0;
		s = (const unsigned char *)c->pending.data;
		n = c->pending.len;
	}
	/* Eight bytes at a time: most of a document is ASCII. */
	for (hi = s; hi + 8 <= s + n && (swar_load(hi) & SWAR_HIGHS) == 0;
	    hi += 8)
		;
	for (; hi < s + n && *hi < 0x80; hi++)
		;
	if (hi == s + n)
		m = last ? c->fallback : CHARSET_SNIFF;
	else
		m = parse_charset_judge(hi, n - (hi - s), last);
	if (m == CHARSET_SNIFF && hi < s + n) {
		/* Only a cut sequence (at most 3 bytes): wait for the rest. */
		c->ncarry = n - (hi - s);
		memcpy(c->carry, hi, c->ncarry);
		n = hi - s;
	} else if (m != CHARSET_SNIFF)
		c->mode = m;
	if (c->mode == CHARSET_CP1252)
		parse_charset_cp1252(out, s, n);
	else if (s == (const unsigned char *)in) {
		*outlen = n;	/* ASCII so far, or UTF-8: no copy */
		return (in);
	} else
		buf_add(out, s, n);
	buf_free(&c->pending);
	*outlen = out->len;
	return (out->data != NULL ? out->data : "");
}

void
parse_charset_free(struct parse_charset *c)
{
	buf_free(&c->pending);
}
