/*
 * Unit tests for text.c: UTF-8 cleaning (also across chunks), HTML
 * entities and HTML to text, the escapers for XML, HTML and JSON, and
 * cutting text at a character boundary.
 */
#include "config.h"

#include <libxml/entities.h>

#include "test.h"
#include "text.h"

/* Clean s in chunks of n bytes (utf8: validate), as the parser does. */
static char *
clean_in_chunks(const char *s, size_t n, int utf8)
{
	struct text_cleaner	 f = { utf8, { 0 }, 0 };
	struct buf		 out, tmp;
	const char		*r;
	size_t			 len = strlen(s), i, k, got;

	buf_init(&out);
	buf_init(&tmp);
	for (i = 0; i < len || i == 0; i += k) {
		k = len - i < n ? len - i : n;
		buf_reset(&tmp);
		r = text_clean_chunk(&f, s + i, k, i + k >= len, &tmp, &got);
		buf_add(&out, r, got);
		if (len == 0)
			break;
	}
	buf_free(&tmp);
	return (buf_steal(&out));
}

static void
test_clean(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "plain ascii, tab\tand\r\nnewlines", "plain ascii, tab\tand"
		    "\r\nnewlines" },
		{ "bell\007 and escape\033 go", "bell and escape go" },
		{ "caf\xc3\xa9 \xe2\x80\x9cok\xe2\x80\x9d", "caf\xc3\xa9 "
		    "\xe2\x80\x9cok\xe2\x80\x9d" },
		/* One U+FFFD per maximal subpart (Unicode 3.9, 3-7). */
		{ "a\xff" "b", "a\xef\xbf\xbd" "b" },
		{ "a\xe2\x80" "b", "a\xef\xbf\xbd" "b" },
		{ "overlong \xc0\xaf", "overlong \xef\xbf\xbd\xef\xbf\xbd" },
		{ "surrogate \xed\xa0\x80", "surrogate \xef\xbf\xbd"
		    "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "cut at the end \xf0\x9f\x98", "cut at the end "
		    "\xef\xbf\xbd" },
		{ "emoji \xf0\x9f\x98\x80 kept", "emoji \xf0\x9f\x98\x80 kept" },
	};
	size_t	i, n;
	char	*s;

	for (i = 0; i < NELEM(cases); i++) {
		s = text_clean(cases[i].in);
		assert_string_equal(s, cases[i].out);
		free(s);
		/* Whatever the chunk size, the same bytes come out. */
		for (n = 1; n <= 5; n++) {
			s = clean_in_chunks(cases[i].in, n, 1);
			assert_string_equal(s, cases[i].out);
			free(s);
		}
	}
	/* Not UTF-8 (a single-byte charset): only C0 controls go. */
	s = clean_in_chunks("caf\xe9\001 \x93ok\x94", 3, 0);
	assert_string_equal(s, "caf\xe9 \x93ok\x94");
	free(s);
}

/* Clean input is handed back as it is: no copy. */
static void
test_clean_no_copy(void **state)
{
	struct text_cleaner	 f = { 1, { 0 }, 0 };
	struct buf		 out;
	const char		*in = "nothing to change here", *r;
	size_t			 got;

	buf_init(&out);
	r = text_clean_chunk(&f, in, strlen(in), 1, &out, &got);
	assert_ptr_equal(r, in);
	assert_int_equal(got, strlen(in));
	assert_null(out.data);
}

static void
test_utf8_encode_and_cap(void **state)
{
	char	u[4], s[32];

	assert_int_equal(text_utf8_encode(0x41, u), 1);
	assert_int_equal(text_utf8_encode(0xe9, u), 2);
	assert_memory_equal(u, "\xc3\xa9", 2);
	assert_int_equal(text_utf8_encode(0x20ac, u), 3);
	assert_memory_equal(u, "\xe2\x82\xac", 3);
	assert_int_equal(text_utf8_encode(0x1f600, u), 4);
	assert_int_equal(text_utf8_encode(0xd800, u), 0);
	assert_int_equal(text_utf8_encode(0x110000, u), 0);

	/* Cut at a character boundary, never inside one. */
	snprintf(s, sizeof(s), "ab\xe2\x82\xac" "cd");
	text_cap(s, 3);
	assert_string_equal(s, "ab");
	snprintf(s, sizeof(s), "ab\xe2\x82\xac" "cd");
	text_cap(s, 5);
	assert_string_equal(s, "ab\xe2\x82\xac");
	text_cap(s, 100);
	assert_string_equal(s, "ab\xe2\x82\xac");
}

/* HTML entities as the parser sees them: fixed text, never expanded. */
static void
test_entities(void **state)
{
	xmlEntity	*e;

	assert_non_null(e = text_html_entity("nbsp"));
	assert_int_equal(e->length, 2);
	assert_memory_equal(e->content, "\xc2\xa0", 2);
	assert_int_equal(e->etype, XML_INTERNAL_PREDEFINED_ENTITY);
	assert_non_null(e = text_html_entity("mdash"));
	assert_memory_equal(e->content, "\xe2\x80\x94", 3);
	assert_null(text_html_entity("nosuch"));
	assert_null(text_html_entity("NBSP"));
}

static void
test_from_html(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "<b>Bold</b> and <i>it</i>", "Bold and it" },
		{ "  spaced\n\tout  ", "spaced out" },
		{ "&#65;&#x42;&#X43; &eacute;t&eacute; &amp; &lt;3",
		    "ABC \xc3\xa9t\xc3\xa9 & <3" },
		{ "a < b and c > d", "a < b and c > d" },
		{ "&bogus; &#0; &#xzz;", "&bogus; &#0; &#xzz;" },
		{ "<!-- c --><p>x</p>", "x" },
	};
	size_t	i;
	char	*s;

	for (i = 0; i < NELEM(cases); i++) {
		s = text_from_html(xstrdup(cases[i].in));
		assert_string_equal(s, cases[i].out);
		free(s);
	}
	s = text_collapse(xstrdup("  a \n b  "));
	assert_string_equal(s, "a b");
	free(s);
}

/* Markup escaped twice is unescaped once, and only then. */
static void
test_unescape_twice(void **state)
{
	char	*s;

	s = text_unescape_twice(xstrdup("&lt;p&gt;x &amp;amp; y&lt;/p&gt;"));
	assert_string_equal(s, "<p>x &amp; y</p>");
	free(s);
	s = text_unescape_twice(xstrdup("<p>&lt;b&gt; is a tag</p>"));
	assert_string_equal(s, "<p>&lt;b&gt; is a tag</p>");
	free(s);
	s = text_unescape_twice(xstrdup("1 &lt; 2"));
	assert_string_equal(s, "1 &lt; 2");
	free(s);
}

static char *
escaped(const char *s, enum text_lang lang)
{
	struct buf	b;

	buf_init(&b);
	text_escape(&b, s, strlen(s), lang);
	buf_addstr(&b, "");
	return (buf_steal(&b));
}

/* One escaper, four languages: what each must escape, and only that. */
static void
test_escape(void **state)
{
	const char	*in = "<a href=\"x\">'&'</a>\r\n\t";
	char		*s;

	s = escaped(in, TEXT_XML);
	assert_string_equal(s, "&lt;a href=\"x\"&gt;'&amp;'&lt;/a&gt;"
	    "&#13;\n\t");
	free(s);
	s = escaped(in, TEXT_XML_ATTR);
	assert_string_equal(s, "&lt;a href=&quot;x&quot;&gt;'&amp;'"
	    "&lt;/a&gt;&#13;&#10;&#9;");
	free(s);
	s = escaped(in, TEXT_HTML);
	assert_string_equal(s, "&lt;a href=\"x\"&gt;'&amp;'&lt;/a&gt;\r\n\t");
	free(s);
	s = escaped(in, TEXT_HTML_ATTR);
	assert_string_equal(s, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;"
	    "&lt;/a&gt;\r\n\t");
	free(s);
	s = text_escape_html("caf\xc3\xa9 & co");
	assert_string_equal(s, "caf\xc3\xa9 &amp; co");
	free(s);
}

static void
test_json(void **state)
{
	struct buf	 b;
	char		*v[] = { "a", "b\"c" };
	char		*s;

	buf_init(&b);
	text_json_string(&b, "say \"hi\"\\ \n\r\t\001 and a long tail "
	    "of plain bytes \xc3\xa9");
	buf_addc(&b, ' ');
	text_json_string(&b, NULL);
	buf_addc(&b, ' ');
	text_json_strings(&b, v, 2);
	buf_addc(&b, ' ');
	text_json_strings(&b, NULL, 0);
	s = buf_steal(&b);
	assert_string_equal(s, "\"say \\\"hi\\\"\\\\ \\n\\r\\t\\u0001 and a "
	    "long tail of plain bytes \xc3\xa9\" null [\"a\",\"b\\\"c\"] []");
	free(s);
}

/* Words from HTML: no script, style or comment; blocks part words. */
static void
test_from_html_words(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "space<br/><a href=\"http://x/\">[link]</a>",
		    "space [link]" },
		{ "<p>one</p><p>two</p><div>three</div>four",
		    "one two three four" },
		{ "a<li>b</li><TD>c</TD>d", "a b c d" },
		{ "<b>Bo</b>ld and <i>it</i>", "Bold and it" },
		{ "x<script>var a = 1 > 0;</script>y", "x y" },
		{ "x<STYLE type=\"text/css\">p { }</Style>y", "x y" },
		{ "x<!-- a > b -->y", "xy" },
		{ "<script>if (a < b)", "if (a < b)" },
		{ "a <script src=\"s.js\"></script", "a </script" },
		{ "<br>", "" },
	};
	size_t	i;
	char	*s;

	for (i = 0; i < NELEM(cases); i++) {
		s = text_from_html(xstrdup(cases[i].in));
		assert_string_equal(s, cases[i].out);
		free(s);
	}
}

/* Base64 decodes to text, or to nothing if it is not text. */
static void
test_base64(void **state)
{
	char	*s;

	s = text_base64_decode(" SGVs\nbG8= ");
	assert_string_equal(s, "Hello");
	free(s);
	s = text_base64_decode("Y2Fmw6k=");
	assert_string_equal(s, "caf\xc3\xa9");
	free(s);
	assert_null(text_base64_decode("not base64!"));
	assert_null(text_base64_decode("AAEC"));		/* NUL */
	assert_null(text_base64_decode("/w=="));		/* 0xff */
	assert_null(text_base64_decode("QQ==QQ=="));
	assert_null(text_base64_decode(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_clean_no_copy),
		cmocka_unit_test(test_utf8_encode_and_cap),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_from_html),
		cmocka_unit_test(test_unescape_twice),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_from_html_words),
		cmocka_unit_test(test_base64),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
