/*
 * Unit tests for sanitize.c: the HTML allow-list, URL resolution and
 * schemes, text caps at a character boundary, and a whole entry.
 */
#include "config.h"

#include <libxml/parser.h>

#include "item.h"
#include "sanitize.h"
#include "test.h"
#include "xmalloc.h"

#define BASE	"http://example.org/post/1"

/* sanitize_html of in, compared with want. */
static void
check_html(const char *in, const char *want)
{
	char	*got = sanitize_html(in, 1 << 20, BASE);

	if (strcmp(got, want) != 0)
		fail_msg("sanitize_html(\"%s\")\n  got  \"%s\"\n  want \"%s\"",
		    in, got, want);
	free(got);
}

static void
test_html_allowlist(void **state)
{
	/* Harmless markup stays as it was. */
	check_html("<p>a <b>b</b> <em>c</em><br>d</p>",
	    "<p>a <b>b</b> <em>c</em><br>d</p>");
	check_html("<ul><li>x</li></ul><table><tr><td colspan=\"2\">y</td>"
	    "</tr></table>", "<ul><li>x</li></ul><table><tr>"
	    "<td colspan=\"2\">y</td></tr></table>");
	/* Dangerous elements go with their content. */
	check_html("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>");
	check_html("<div>a<style>p{}</style><iframe src=\"http://x/\">f"
	    "</iframe><object>o</object><embed src=\"http://x/\">b</div>",
	    "<div>ab</div>");
	check_html("<div><form action=\"http://x/\"><input name=\"q\">"
	    "<button>go</button></form>c</div>", "<div>c</div>");
	check_html("<div><svg><script>x</script></svg>d</div>",
	    "<div>d</div>");
	/* Unknown elements go, their text stays. */
	check_html("<div><blink>b</blink><marquee>m</marquee></div>",
	    "<div>bm</div>");
	/* Event handlers, style, class and id never survive. */
	check_html("<p onclick=\"x()\" onmouseover=x style=\"color:red\" "
	    "class=\"c\" id=\"i\" title=\"t\">a</p>", "<p title=\"t\">a</p>");
	/* Comments, including conditional ones, go. */
	check_html("<p>a<!-- <script>x</script> -->b</p>", "<p>ab</p>");
	/* Text is escaped again; a stray ]]> is harmless. */
	check_html("<p>&lt;script&gt; ]]&gt; &amp; \"q\"</p>",
	    "<p>&lt;script&gt; ]]&gt; &amp; \"q\"</p>");
	/*
	 * Nesting deeper than our limit is unwrapped, never recursed; far
	 * deeper, libxml2 stops reading (a bounded cost, the text is lost).
	 */
	{
		struct buf	 b;
		char		*got, *p;
		int		 i, n;

		buf_init(&b);
		for (i = 0; i < 200; i++)
			buf_addstr(&b, "<div>");
		buf_addstr(&b, "deep");
		got = sanitize_html(b.data, 1 << 20, BASE);
		assert_non_null(strstr(got, "deep"));
		for (n = 0, p = got; (p = strstr(p, "<div>")) != NULL; p++)
			n++;
		assert_true(n > 32 && n <= 64);
		free(got);
		for (i = 0; i < 100000; i++)
			buf_addstr(&b, "<div>");
		got = sanitize_html(b.data, 1 << 20, BASE);
		free(got);
		buf_free(&b);
	}
	/* Nothing in, nothing out. */
	check_html("", "");
}

static void
test_html_urls(void **state)
{
	/* Relative URLs resolve against the entry's address. */
	check_html("<a href=\"/about\">a</a><img src=\"p.png\" alt=\"p\">",
	    "<a href=\"http://example.org/about\">a</a><img "
	    "src=\"http://example.org/post/p.png\" alt=\"p\">");
	/* Script and data URLs go, however they are spelled. */
	check_html("<a href=\"javascript:alert(1)\">j</a>", "<a>j</a>");
	check_html("<a href=\" JaVaScRiPt:alert(1)\">j</a>", "<a>j</a>");
	check_html("<a href=\"java&#x09;script:alert(1)\">j</a>", "<a>j</a>");
	check_html("<a href=\"vbscript:msgbox\">v</a>", "<a>v</a>");
	check_html("<img src=\"data:image/png;base64,AAAA\">", "<img>");
	check_html("<a href=\"mailto:a@example.org\">m</a>",
	    "<a href=\"mailto:a@example.org\">m</a>");
	check_html("<img src=\"mailto:a@example.org\">", "<img>");
	check_html("<blockquote cite=\"ftp://x/\">q</blockquote>",
	    "<blockquote>q</blockquote>");
}

static void
test_url(void **state)
{
	static const struct {
		const char	*url, *base;
		int		 flags;
		const char	*want;
	} cases[] = {
		{ "http://a.example/x", NULL, 0, "http://a.example/x" },
		{ "HTTPS://a.example/", NULL, 0, "HTTPS://a.example/" },
		{ "  http://a.example/ \n", NULL, 0, "http://a.example/" },
		{ "/x", "http://a.example/y/z", 0, "http://a.example/x" },
		{ "x", NULL, 0, NULL },
		{ "javascript:alert(1)", BASE, 0, NULL },
		{ "data:text/html,x", BASE, 0, NULL },
		{ "file:///etc/passwd", NULL, 0, NULL },
		{ "mailto:a@b", NULL, 0, NULL },
		{ "mailto:a@b", NULL, SANITIZE_MAILTO, "mailto:a@b" },
		{ "http://a.example/a b\"<>", NULL, 0,
		    "http://a.example/a%20b%22%3C%3E" },
		{ "", NULL, 0, NULL },
		{ NULL, NULL, 0, NULL },
	};
	size_t	 i;
	char	*got;

	for (i = 0; i < NELEM(cases); i++) {
		got = sanitize_url(cases[i].url, cases[i].base,
		    cases[i].flags);
		if (cases[i].want == NULL ? got != NULL : got == NULL ||
		    strcmp(got, cases[i].want) != 0)
			fail_msg("sanitize_url(\"%s\") = \"%s\", want \"%s\"",
			    cases[i].url, got ? got : "(null)",
			    cases[i].want ? cases[i].want : "(null)");
		free(got);
	}
}

static void
test_text(void **state)
{
	char	*s;

	/* Controls and invalid UTF-8 go; the cut keeps whole characters. */
	s = sanitize_text("a\001b\xff" "c", 100);
	assert_null(strchr(s, '\001'));
	assert_null(strchr(s, '\xff'));
	free(s);
	s = sanitize_text("\xc3\xa9\xc3\xa9", 3);	/* "éé", 4 bytes */
	assert_string_equal(s, "\xc3\xa9");
	free(s);
	assert_null(sanitize_text(NULL, 10));
}

static void
test_item(void **state)
{
	struct item	*it = item_new();
	char		*big;

	big = xmalloc(10 * 1024 * 1024 + 1);
	memset(big, 'x', 10 * 1024 * 1024);
	big[10 * 1024 * 1024] = '\0';
	it->title = big;
	it->link = xstrdup("javascript:alert(1)");
	it->source_link = xstrdup("http://example.org/");
	it->summary = xstrdup("<p onclick=\"x\">hi<script>x</script></p>");
	it->content = xstrdup("<script>only this</script>");
	it->nenclosures = 2;
	it->enclosures = xcalloc(2, sizeof(*it->enclosures));
	it->enclosures[0].url = xstrdup("data:audio/mp3,AAAA");
	it->enclosures[0].type = xstrdup("audio/mpeg");
	it->enclosures[1].url = xstrdup("/ep1.mp3");
	it->enclosures[1].length = 5;
	sanitize_item(it);
	assert_int_equal(strlen(it->title), SANITIZE_TITLE_MAX);
	assert_null(it->link);
	assert_string_equal(it->summary, "<p>hi</p>");
	assert_null(it->content);	/* nothing safe was left */
	assert_int_equal(it->nenclosures, 1);
	/* No entry link: the feed's resolves relative URLs. */
	assert_string_equal(it->enclosures[0].url,
	    "http://example.org/ep1.mp3");
	assert_int_equal(it->enclosures[0].length, 5);
	item_free(it);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_allowlist),
		cmocka_unit_test(test_html_urls),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_item),
	};
	int	rc;

	xmlInitParser();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return (rc);
}
