/* Unit tests for parse*.c: RSS 2.0 and Atom 1.0, the mess, and hostility. */
#include "config.h"

#include <time.h>

#include "test.h"
#include "parse.h"

static int
parse_with(const char *text, size_t len, const char *base, struct doc **doc,
    char **cause)
{
	struct parse_opts	opts;

	parse_opts_init(&opts);
	opts.base = base;
	return (parse_doc(text, len, &opts, doc, cause));
}

static struct doc *
parse_ok(const char *text, const char *base)
{
	struct doc	*doc;
	char		*cause = NULL;

	if (parse_with(text, strlen(text), base, &doc, &cause) != 0)
		fail_msg("parse failed: %s", cause);
	free(cause);
	return (doc);
}

static char *
parse_fail(const char *text)
{
	struct doc	*doc = NULL;
	char		*cause = NULL;

	assert_int_equal(parse_with(text, strlen(text), NULL, &doc, &cause),
	    -1);
	assert_null(doc);
	assert_non_null(cause);
	return (cause);
}

static struct item *
nth(struct doc *doc, int n)
{
	struct item	*it = TAILQ_FIRST(&doc->items);

	while (n-- > 0 && it != NULL)
		it = TAILQ_NEXT(it, entry);
	assert_non_null(it);
	return (it);
}

static const char rss[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
    " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n"
    "<channel><title>Chan &amp; Co</title><link>http://ex.org/</link>\n"
    "<description>d</description>\n"
    "<item><title>First</title><link>/p/1</link>\n"
    " <guid isPermaLink=\"false\">id-1</guid>\n"
    " <pubDate>Sun, 30 Mar 2014 20:42:00 -0400</pubDate>\n"
    " <dc:creator>Ann Author</dc:creator>\n"
    " <category>Russia</category><category>Syria</category>"
    "<category>Russia</category>\n"
    " <description>&lt;p&gt;short&lt;/p&gt;</description>\n"
    " <content:encoded><![CDATA[<p>long <b>body</b></p>]]></content:encoded>\n"
    "</item>\n"
    "<item><title>No id</title><link>http://ex.org/p/2</link>"
    "<dc:date>2014-03-29T10:00:00Z</dc:date></item>\n"
    "<item><title>Neither</title><description>just text</description>"
    "</item>\n"
    "</channel></rss>\n";

static void
test_rss(void **state)
{
	struct doc	*doc = parse_ok(rss, "http://ex.org/feed.xml");
	struct item	*it;

	assert_int_equal(doc->format, FORMAT_RSS20);
	assert_string_equal(doc_format_name(doc->format), "rss2.0");
	assert_string_equal(doc->title, "Chan & Co");
	assert_string_equal(doc->link, "http://ex.org/");
	assert_int_equal(doc->nitems, 3);

	it = nth(doc, 0);
	assert_string_equal(it->id, "id-1");
	assert_string_equal(it->uid, "id-1");
	assert_string_equal(it->title, "First");
	assert_string_equal(it->link, "http://ex.org/p/1");
	assert_int_equal(it->nauthors, 1);
	assert_string_equal(it->authors[0], "Ann Author");
	assert_int_equal(it->published, 1396226520);
	assert_int_equal(it->updated, 0);
	assert_int_equal(it->ncategories, 2);
	assert_string_equal(it->categories[0], "Russia");
	assert_string_equal(it->categories[1], "Syria");
	assert_string_equal(it->summary, "<p>short</p>");
	assert_string_equal(it->content, "<p>long <b>body</b></p>");

	it = nth(doc, 1);
	assert_null(it->id);
	assert_string_equal(it->uid, "http://ex.org/p/2");
	assert_int_equal(it->published, 1396087200);

	it = nth(doc, 2);
	assert_null(it->id);
	assert_null(it->link);
	assert_true(strncmp(it->uid, "hash:", 5) == 0);
	assert_int_equal(it->published, 0);
	doc_free(doc);
}

/* Entries with neither id nor link keep the same identity across polls. */
static void
test_hash_identity_is_stable(void **state)
{
	struct doc	*a = parse_ok(rss, NULL), *b = parse_ok(rss, NULL);

	assert_string_equal(nth(a, 2)->uid, nth(b, 2)->uid);
	assert_string_not_equal(nth(a, 2)->uid, nth(a, 1)->uid);
	doc_free(a);
	doc_free(b);
}

static const char atom[] =
    "<?xml version=\"1.0\"?>\n"
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
    "<title>Atom feed</title><id>urn:feed</id>\n"
    "<link rel=\"self\" href=\"http://ex.org/atom\"/>"
    "<link href=\"http://ex.org/\"/>\n"
    "<updated>2014-03-31T00:42:00Z</updated>\n"
    "<author><name>Feed Author</name></author>\n"
    "<entry><id>urn:e1</id><title type=\"html\">A &amp;lt;b&amp;gt;</title>\n"
    " <link rel=\"edit\" href=\"http://ex.org/edit/1\"/>\n"
    " <link rel=\"alternate\" href=\"e/1\"/>\n"
    " <published>2014-03-30T20:42:00-04:00</published>\n"
    " <updated>2014-04-01T00:00:00Z</updated>\n"
    " <author><name>Bob</name><email>b@ex.org</email></author>\n"
    " <category term=\"Lavrov\"/><category term=\"Kerry\"/>\n"
    " <summary>1 &lt; 2 &amp; 3</summary>\n"
    " <content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
    "<p class=\"x\">Hi &amp; <em>bye</em></p></div></content>\n"
    "</entry>\n"
    "<entry><id>urn:e2</id><title>Two</title>"
    "<updated>2014-03-01T00:00:00Z</updated>"
    "<content type=\"html\">&lt;p&gt;two&lt;/p&gt;</content></entry>\n"
    "</feed>\n";

static void
test_atom(void **state)
{
	struct doc	*doc = parse_ok(atom, "http://ex.org/feeds/atom");
	struct item	*it;

	assert_int_equal(doc->format, FORMAT_ATOM10);
	assert_string_equal(doc->title, "Atom feed");
	assert_string_equal(doc->id, "urn:feed");
	assert_string_equal(doc->link, "http://ex.org/");
	assert_int_equal(doc->updated, 1396226520);
	assert_int_equal(doc->nitems, 2);

	it = nth(doc, 0);
	assert_string_equal(it->id, "urn:e1");
	assert_string_equal(it->link, "http://ex.org/feeds/e/1");
	assert_int_equal(it->nauthors, 1);
	assert_string_equal(it->authors[0], "Bob");
	assert_int_equal(it->published, 1396226520);
	assert_int_equal(it->updated, 1396310400);
	assert_int_equal(it->ncategories, 2);
	assert_string_equal(it->categories[1], "Kerry");
	/* type="text" is escaped into HTML. */
	assert_string_equal(it->summary, "1 &lt; 2 &amp; 3");
	/* xhtml: the children of the wrapping div, as markup. */
	assert_string_equal(it->content, "<p class=\"x\">Hi &amp; "
	    "<em>bye</em></p>");

	it = nth(doc, 1);
	assert_null(it->link);
	/* No author of its own: inherits the feed's (RFC 4287 4.2.1). */
	assert_int_equal(it->nauthors, 1);
	assert_string_equal(it->authors[0], "Feed Author");
	assert_int_equal(it->published, 0);
	assert_string_equal(it->content, "<p>two</p>");
	doc_free(doc);
}

static void
test_not_a_feed(void **state)
{
	char	*e;

	e = parse_fail("<html><body>hello</body></html>");
	assert_string_equal(e, "not a feed: root element is <html>");
	free(e);
	e = parse_fail("");
	assert_string_equal(e, "not a feed: empty document");
	free(e);
	e = parse_fail("just some text");
	assert_true(strncmp(e, "not a feed:", 11) == 0);
	free(e);
	e = parse_fail("<feed><entry/></feed>");	/* no Atom namespace */
	free(e);
}

/* A truncated document yields its complete entries. */
static void
test_truncated(void **state)
{
	const char	*t =
	    "<rss version=\"2.0\"><channel><title>T</title>"
	    "<item><title>a</title><guid>1</guid></item>"
	    "<item><title>b</title><guid>2</guid></item>"
	    "<item><title>c</title><gu";
	struct doc	*doc;
	char		*cause = NULL;

	assert_int_equal(parse_with(t, strlen(t), NULL, &doc, &cause), 0);
	assert_non_null(cause);		/* says it recovered */
	assert_int_equal(doc->nitems, 2);
	assert_string_equal(nth(doc, 1)->title, "b");
	free(cause);
	doc_free(doc);
}

/* Billion laughs: refused past the expansion limit; no external ones. */
static void
test_entity_bomb(void **state)
{
	const char	*bomb =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
	    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
	    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
	    "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
	    "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
	    "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"
	    "<!ENTITY ext SYSTEM \"file:///etc/passwd\">\n"
	    "]>\n<rss version=\"2.0\"><channel><title>&h;</title>"
	    "<item><title>&h;x&ext;</title><guid>1</guid>"
	    "<description>&h;</description></item></channel></rss>\n";
	struct doc	*doc;
	char		*cause = NULL;
	struct item	*it;

	assert_int_equal(parse_with(bomb, strlen(bomb), NULL, &doc, &cause),
	    0);
	free(cause);
	assert_int_equal(doc->nitems, 1);
	it = nth(doc, 0);
	assert_string_equal(it->title, "x");
	assert_null(it->summary);
	assert_null(doc->title);
	doc_free(doc);
}

/* Fields over the limit are cut; nesting beyond the limit is ignored. */
static void
test_limits(void **state)
{
	struct buf	 b;
	struct doc	*doc;
	char		*cause = NULL, chunk[1000];
	int		 i;

	buf_init(&b);
	buf_addstr(&b, "<rss><channel><item><guid>1</guid><description>");
	memset(chunk, 'x', sizeof(chunk));
	for (i = 0; i < PARSE_DEFAULT_MAX_FIELD / (int)sizeof(chunk) + 10; i++)
		buf_add(&b, chunk, sizeof(chunk));
	buf_addstr(&b, "</description></item></channel></rss>");
	assert_int_equal(parse_with(b.data, b.len, NULL, &doc, &cause), 0);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "truncated"));
	assert_true(strlen(nth(doc, 0)->summary) <= PARSE_DEFAULT_MAX_FIELD);
	free(cause);
	doc_free(doc);
	buf_free(&b);

	/* 300 levels of nesting inside an item. */
	buf_init(&b);
	buf_addstr(&b, "<rss><channel><item><guid>deep</guid>");
	for (i = 0; i < 300; i++)
		buf_addstr(&b, "<x>");
	for (i = 0; i < 300; i++)
		buf_addstr(&b, "</x>");
	buf_addstr(&b, "</item></channel></rss>");
	assert_int_equal(parse_with(b.data, b.len, NULL, &doc, &cause), 0);
	assert_true(doc->nitems <= 1);
	free(cause);
	doc_free(doc);
	buf_free(&b);
}

/* Too many entries: the rest are skipped, and that is said. */
static void
test_max_items(void **state)
{
	struct buf	 b;
	struct doc	*doc;
	char		*cause = NULL;
	int		 i;

	buf_init(&b);
	buf_addstr(&b, "<rss><channel>");
	for (i = 0; i < PARSE_DEFAULT_MAX_ITEMS + 5; i++)
		buf_addstr(&b, "<item><title>t</title></item>");
	buf_addstr(&b, "</channel></rss>");
	assert_int_equal(parse_with(b.data, b.len, NULL, &doc, &cause), 0);
	assert_int_equal(doc->nitems, PARSE_DEFAULT_MAX_ITEMS);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "skipped"));
	free(cause);
	doc_free(doc);
	buf_free(&b);
}

/* Encodings other than UTF-8 come out as UTF-8. */
static void
test_latin1(void **state)
{
	const char	*t = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
	    "<rss><channel><item><title>caf\xe9</title><guid>1</guid></item>"
	    "</channel></rss>";
	struct doc	*doc = parse_ok(t, NULL);

	assert_string_equal(nth(doc, 0)->title, "caf\xc3\xa9");
	doc_free(doc);
}

/* Everything an entry says, as one string, to compare two parses. */
static void
describe(struct doc *doc, struct item *it, void *arg)
{
	struct buf	*b = arg;
	size_t		 i;

	buf_addstr(b, it->uid);
	buf_addstr(b, it->title ? it->title : "-");
	buf_addstr(b, it->link ? it->link : "-");
	buf_addstr(b, it->summary ? it->summary : "-");
	buf_addstr(b, it->content ? it->content : "-");
	for (i = 0; i < it->ncategories; i++)
		buf_addstr(b, it->categories[i]);
	buf_addc(b, '\n');
	item_free(it);
}

static void
parse_chunked(const char *text, size_t chunk, struct buf *out)
{
	struct parse_opts	 opts;
	struct parser		*p;
	struct doc		*doc;
	char			*cause;
	size_t			 off, n, len = strlen(text);

	parse_opts_init(&opts);
	p = parse_new(&opts, describe, out);
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		parse_push(p, text + off, n);
	}
	assert_int_equal(parse_end(p, &doc, &cause), 0);
	free(cause);
	doc_free(doc);
}

/* Chunk boundaries anywhere (mid-character, mid-reference, mid-CDATA
 * marker) change nothing. */
static void
test_chunk_boundaries(void **state)
{
	const char	*docs[] = { rss, atom,
	    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel>"
	    "<item><title>caf\xe9 \x93quoted\x94</title></item></channel></rss>",
	    "<rss><channel><item><title>AT&T &amp; more &nbsp;&#233;&#xe9;"
	    "</title><link>http://x/?a=1&b=2</link><description>"
	    "<![CDATA[<p>Tom & Jerry]] ]]]]></description>"
	    "<category>caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x82 "
	    "bad \xff</category></item></channel></rss>" };
	struct buf	whole, chunked;
	size_t		i, chunk;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		buf_init(&whole);
		parse_chunked(docs[i], strlen(docs[i]), &whole);
		assert_true(whole.len > 0);
		for (chunk = 1; chunk <= 13; chunk++) {
			buf_init(&chunked);
			parse_chunked(docs[i], chunk, &chunked);
			assert_string_equal(whole.data, chunked.data);
			buf_free(&chunked);
		}
		buf_free(&whole);
	}
	/* The encoding is read from the declaration, however it arrives. */
	buf_init(&whole);
	parse_chunked(docs[2], 1, &whole);
	assert_non_null(strstr(whole.data, "caf\xc3\xa9 \xe2\x80\x9cquoted"));
	buf_free(&whole);
	/* And the ampersands really were kept. */
	buf_init(&whole);
	parse_chunked(docs[3], 3, &whole);
	assert_non_null(strstr(whole.data, "AT&T & more \xc2\xa0\xc3\xa9\xc3\xa9"));
	assert_non_null(strstr(whole.data, "http://x/?a=1&b=2"));
	assert_non_null(strstr(whole.data, "<p>Tom & Jerry]] ]]"));
	assert_non_null(strstr(whole.data, "\xe2\x82\xac \xf0\x9f\x98\x80 "
	    "\xef\xbf\xbd bad \xef\xbf\xbd"));
	buf_free(&whole);
}

/* Parse text in chunks of the given size, with an HTTP charset. */
static void
parse_charset_chunked(const char *text, size_t chunk, const char *charset,
    struct buf *out)
{
	struct parse_opts	 opts;
	struct parser		*p;
	struct doc		*doc;
	char			*cause;
	size_t			 off, n, len = strlen(text);

	parse_opts_init(&opts);
	opts.charset = charset;
	p = parse_new(&opts, describe, out);
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		parse_push(p, text + off, n);
	}
	assert_int_equal(parse_end(p, &doc, &cause), 0);
	free(cause);
	doc_free(doc);
}

/*
 * Mislabelled and unlabelled documents are read by their bytes, however
 * the stream is cut: the first non-ASCII byte comes after the 1024-byte
 * head here, and the smaller chunks split it.
 */
static void
test_charset_sniff(void **state)
{
	static const struct {
		const char	*decl;
		const char	*charset;
		const char	*title;
		const char	*want;
	} cases[] = {
		/* Said ISO-8859-1 or windows-1252, wrote UTF-8. */
		{ "encoding=\"ISO-8859-1\"", NULL,
		    "M\xc3\xbcnchen \xe2\x80\x9cq\xe2\x80\x9d",
		    "M\xc3\xbcnchen \xe2\x80\x9cq\xe2\x80\x9d" },
		{ "", "windows-1252", "Z\xc3\xbcrich \xe2\x82\xac",
		    "Z\xc3\xbcrich \xe2\x82\xac" },
		/* Said nothing, wrote windows-1252. */
		{ "", NULL, "Caf\xe9 \x93menu\x94",
		    "Caf\xc3\xa9 \xe2\x80\x9cmenu\xe2\x80\x9d" },
		/* Said nothing, wrote UTF-8. */
		{ "", NULL, "M\xc3\xbcnchen", "M\xc3\xbcnchen" },
		/* C1 bytes are windows-1252, even undefined ones. */
		{ "encoding=\"ISO-8859-1\"", NULL, "don\x92t \x96 caf\xe9",
		    "don\xe2\x80\x99t \xe2\x80\x93 caf\xc3\xa9" },
		{ "encoding=\"windows-1252\"", NULL, "a\x81" "b\x9d" "c",
		    "a\xc2\x81" "b\xc2\x9d" "c" },
		/* A declared UTF-8 is not second-guessed. */
		{ "encoding=\"UTF-8\"", NULL, "don\x92t",
		    "don\xef\xbf\xbdt" },
	};
	const size_t	 chunks[] = { 1, 2, 3, 5, 1024, 1100, 65536 };
	struct buf	 doc, whole, chunked;
	size_t		 i, j, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&doc);
		buf_addstr(&doc, "<?xml version=\"1.0\" ");
		buf_addstr(&doc, cases[i].decl);
		buf_addstr(&doc, "?><rss><channel><description>");
		for (k = 0; k < 1100; k++)
			buf_addc(&doc, 'x');
		buf_addstr(&doc, "</description><item><title>");
		buf_addstr(&doc, cases[i].title);
		buf_addstr(&doc, "</title><guid>1</guid></item></channel>"
		    "</rss>");
		buf_init(&whole);
		parse_charset_chunked(doc.data, doc.len, cases[i].charset,
		    &whole);
		assert_non_null(strstr(whole.data, cases[i].want));
		for (j = 0; j < sizeof(chunks) / sizeof(chunks[0]); j++) {
			buf_init(&chunked);
			parse_charset_chunked(doc.data, chunks[j],
			    cases[i].charset, &chunked);
			assert_string_equal(whole.data, chunked.data);
			buf_free(&chunked);
		}
		buf_free(&whole);
		buf_free(&doc);
	}
}

/* RSS in a default namespace, module fallbacks, author forms, rdf:about. */
static void
test_rss_modules(void **state)
{
	struct doc	*doc;
	struct item	*it;

	doc = parse_ok("<rss version=\"2.0\" xmlns=\"http://example.org/"
	    "own-rss\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
	    "xmlns:media=\"http://search.yahoo.com/mrss/\"><channel>"
	    "<title>T</title><item><dc:title>Alt</dc:title>"
	    "<media:description>d &amp; e</media:description>"
	    "<author>Jo Doe (jo@ex.org)</author></item>"
	    "<item><title>Core</title><dc:title>Alt</dc:title>"
	    "<dc:author>x@ex.org (X)</dc:author><media:category>c"
	    "</media:category></item></channel></rss>", NULL);
	assert_int_equal(doc->format, FORMAT_RSS20);
	assert_string_equal(doc->title, "T");
	it = nth(doc, 0);
	assert_string_equal(it->title, "Alt");
	assert_string_equal(it->summary, "d &amp; e");
	assert_int_equal(it->nauthors, 1);
	assert_string_equal(it->authors[0], "Jo Doe");
	it = nth(doc, 1);
	assert_string_equal(it->title, "Core");
	assert_int_equal(it->nauthors, 1);
	assert_string_equal(it->authors[0], "X");
	assert_int_equal(it->ncategories, 1);
	assert_string_equal(it->categories[0], "c");
	doc_free(doc);

	doc = parse_ok("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-"
	    "rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\"><channel>"
	    "<title>T</title></channel><item rdf:about=\"urn:x:1\"><title>"
	    "A</title><link>http://ex.org/a</link></item></rdf:RDF>", NULL);
	it = nth(doc, 0);
	assert_string_equal(it->id, "urn:x:1");
	assert_string_equal(it->uid, "urn:x:1");
	doc_free(doc);

	/* Even a namespace we know, given to <rss>, is plain RSS there. */
	doc = parse_ok("<rss version=\"2.0\" xmlns=\"http://purl.org/rss/"
	    "1.0/\"><channel><title>T</title><item><title>I</title></item>"
	    "</channel></rss>", NULL);
	assert_int_equal(doc->format, FORMAT_RSS20);
	assert_string_equal(nth(doc, 0)->title, "I");
	doc_free(doc);
}

/* Atom: base64, source authors, link choice, html escaped exactly once. */
static void
test_atom_source_base64(void **state)
{
	struct doc	*doc;
	struct item	*it;

	doc = parse_ok("<feed xmlns=\"http://www.w3.org/2005/Atom\">"
	    "<author><name>Feed</name></author>"
	    "<entry><id>1</id><link rel=\"alternate\"/><link href=\"\"/>"
	    "<link rel=\"alternate\" type=\"application/pdf\" "
	    "href=\"http://ex.org/a.pdf\"/><link href=\"http://ex.org/a\"/>"
	    "<source><author><name>Src</name></author></source>"
	    "<summary type=\"html\">&amp;lt;p&amp;gt;</summary>"
	    "<content type=\"application/octet-stream\">PGI+aGk8L2I+"
	    "</content></entry>"
	    "<entry><id>2</id><content type=\"image/png\">AAEC</content>"
	    "</entry></feed>", NULL);
	it = nth(doc, 0);
	assert_string_equal(it->link, "http://ex.org/a");
	assert_int_equal(it->nauthors, 1);
	assert_string_equal(it->authors[0], "Src");
	assert_string_equal(it->summary, "&lt;p&gt;");
	assert_string_equal(it->content, "&lt;b&gt;hi&lt;/b&gt;");
	it = nth(doc, 1);
	assert_null(it->content);
	assert_string_equal(it->authors[0], "Feed");
	doc_free(doc);

	doc = parse_ok("<feed xmlns=\"http://purl.org/atom/ns#\"><entry>"
	    "<title mode=\"base64\">SGVs\nbG8=</title>"
	    "<content type=\"text/html\" mode=\"base64\">PGI+aGk8L2I+"
	    "</content></entry></feed>", NULL);
	it = nth(doc, 0);
	assert_string_equal(it->title, "Hello");
	assert_string_equal(it->content, "<b>hi</b>");
	doc_free(doc);
}

static const char entities[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE feed [\n"
    "<!-- a comment with \"quotes\" and <!ENTITY fake \"no\"> -->\n"
    "<!ENTITY brand \"Feedmux &amp; Co\">\n"
    "<!ENTITY site 'http://ex.org'>\n"
    "<!ENTITY news \"&brand; news\">\n"
    "<!ENTITY brand \"second declaration, ignored\">\n"
    "<!ENTITY % pe \"parameter\">\n"
    "<!ENTITY ext SYSTEM \"file:///etc/passwd\">\n"
    "<!ENTITY tag '<b>\"x\"</b>'>\n"
    "]>\n"
    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>&news;</title>\n"
    "<entry><id>&site;/1</id><title>&brand; &foo; &#X41;&#x42;"
    " &ext;&pe;&fake;</title>\n"
    " <link href=\"&site;/p?a=1&amp;b=2\"/>\n"
    " <category term=\"Society &amp; Culture\"/>"
    "<category term=\"caf&eacute; &brand; &foo;\"/>"
    "<category term=\"&tag;\"/>\n"
    "</entry></feed>\n";

/* Internal DTD entities are expanded, unknown ones kept as written. */
static void
test_entity_internal(void **state)
{
	struct doc	*doc;
	struct item	*it;
	char		*cause = NULL;

	assert_int_equal(parse_with(entities, strlen(entities), NULL, &doc,
	    &cause), 0);
	assert_non_null(cause);		/* &ext; was not loaded */
	assert_non_null(strstr(cause, "ext"));
	free(cause);
	assert_string_equal(doc->title, "Feedmux & Co news");
	it = nth(doc, 0);
	assert_string_equal(it->id, "http://ex.org/1");
	assert_string_equal(it->title, "Feedmux & Co &foo; AB &pe;&fake;");
	assert_string_equal(it->link, "http://ex.org/p?a=1&b=2");
	assert_int_equal(it->ncategories, 3);
	assert_string_equal(it->categories[0], "Society & Culture");
	assert_string_equal(it->categories[1],
	    "caf\xc3\xa9 Feedmux & Co &foo;");
	/* Entity text is never markup. */
	assert_string_equal(it->categories[2], "<b>\"x\"</b>");
	doc_free(doc);
}

/* After an error, libxml2 drops named references; ours are not named. */
static void
test_entity_after_error(void **state)
{
	const char	*t = "<rss version=\"2.0\"><channel><title>a</titel>"
	    "<item><title>A &amp; B &lt; C &eacute;</title><guid>1</guid>"
	    "<category>Society &amp; Culture</category></item>"
	    "</channel></rss>";
	struct doc	*doc = parse_ok(t, NULL);

	assert_string_equal(nth(doc, 0)->title, "A & B < C \xc3\xa9");
	assert_string_equal(nth(doc, 0)->categories[0], "Society & Culture");
	doc_free(doc);
}

/* A bigger bomb, and a loop: refused quickly, with a clear cause. */
static void
test_entity_bomb_bounded(void **state)
{
	struct buf	 b;
	struct doc	*doc;
	char		*cause = NULL;
	clock_t		 t0;
	int		 i, j;

	buf_init(&b);
	buf_addstr(&b, "<!DOCTYPE rss [<!ENTITY l0 \"lol\">\n");
	for (i = 1; i < 10; i++) {
		buf_addstr(&b, "<!ENTITY ");
		buf_addc(&b, 'l');
		buf_addc(&b, '0' + i);
		buf_addstr(&b, " \"");
		for (j = 0; j < 10; j++) {
			buf_addstr(&b, "&l");
			buf_addc(&b, '0' + i - 1);
			buf_addc(&b, ';');
		}
		buf_addstr(&b, "\">\n");
	}
	buf_addstr(&b, "<!ENTITY loop1 \"&loop2;\"><!ENTITY loop2 "
	    "\"&loop1;\">]>\n<rss><channel><item><guid>1</guid>"
	    "<title>a&l9;b&loop1;c</title><description>&l9;&l9;"
	    "</description></item></channel></rss>");
	t0 = clock();
	assert_int_equal(parse_with(b.data, b.len, NULL, &doc, &cause), 0);
	assert_true(clock() - t0 < CLOCKS_PER_SEC);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "entity 'l9' not expanded"));
	assert_string_equal(nth(doc, 0)->title, "abc");
	assert_null(nth(doc, 0)->summary);
	free(cause);
	doc_free(doc);
	buf_free(&b);
}

/* A DOCTYPE that arrives in pieces is read whole. */
static void
test_entity_chunks(void **state)
{
	struct buf	 doc, whole, chunked;
	size_t		 chunk;
	int		 i;

	buf_init(&doc);
	buf_addstr(&doc, "<?xml version=\"1.0\"?><!--");
	for (i = 0; i < 1100; i++)
		buf_addc(&doc, '-' + (i % 2) * ('x' - '-'));
	buf_addstr(&doc, "x-->");
	buf_addstr(&doc, entities + strlen("<?xml version=\"1.0\"?>\n"));
	buf_addc(&doc, '\0');
	buf_init(&whole);
	parse_chunked(doc.data, doc.len, &whole);
	assert_non_null(strstr(whole.data, "Feedmux & Co &foo; AB"));
	for (chunk = 1; chunk <= 13; chunk++) {
		buf_init(&chunked);
		parse_chunked(doc.data, chunk, &chunked);
		assert_string_equal(whole.data, chunked.data);
		buf_free(&chunked);
	}
	buf_free(&whole);
	buf_free(&doc);
}

/*
 * The same output however the document is cut, past the first 1024
 * bytes (read as one): t after a long comment, in pieces of 1 to 13
 * bytes, gives what it gives whole, and that holds want.
 */
static void
assert_chunks_agree(const char *t, const char *want)
{
	struct buf	 padded, whole, chunked;
	size_t		 chunk;

	buf_init(&padded);
	buf_addstr(&padded, "<!--");
	for (chunk = 0; chunk < 1100; chunk++)
		buf_addc(&padded, 'x');
	buf_addstr(&padded, "-->");
	buf_addstr(&padded, t);
	buf_addc(&padded, '\0');
	buf_init(&whole);
	parse_chunked(padded.data, padded.len, &whole);
	assert_non_null(strstr(whole.data, want));
	for (chunk = 1; chunk <= 13; chunk++) {
		buf_init(&chunked);
		parse_chunked(padded.data, chunk, &chunked);
		assert_string_equal(whole.data, chunked.data);
		buf_free(&chunked);
	}
	buf_free(&whole);
	buf_free(&padded);
}

/* A bare '<' or '&' is text, even after an error; chunks change nothing. */
static void
test_bare_lt_amp(void **state)
{
	const char	*t = "<rss version=\"2.0\"><channel><title>t</titel>"
	    "<item><title>1 < 2 & 3 <= 4 <</title><guid>1</guid></item>"
	    "<item><title>b &amp; c</title><link>http://x/?a=1&b=2</link>"
	    "</item></channel></rss>";
	struct doc	*doc = parse_ok(t, NULL);

	assert_int_equal(doc->nitems, 2);
	assert_string_equal(nth(doc, 0)->title, "1 < 2 & 3 <= 4 <");
	assert_string_equal(nth(doc, 1)->title, "b & c");
	assert_string_equal(nth(doc, 1)->link, "http://x/?a=1&b=2");
	doc_free(doc);
	assert_chunks_agree(t, "1 < 2 & 3 <= 4 <");
}

/* An entry left open does not swallow the entries after it. */
static void
test_entry_left_open(void **state)
{
	const char	*rss2 = "<rss version=\"2.0\"><channel><title>t</title>"
	    "<item><title>a</title><guid>1</guid>"
	    "<item><title>b</title><guid>2</guid></item>"
	    "<item><title>c</title><guid>3</guid></item>"
	    "</channel></rss>";
	const char	*atom1 = "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
	    "<entry><id>1</id><title>a <em>open</title></entry>"
	    "<entry><id>2</id><title>b</title>"
	    "<entry><id>3</id><title>c</title></entry>"
	    "<entry><id>4</id><title>d</title></entry></feed>";
	struct doc	*doc;
	int		 i;

	doc = parse_ok(rss2, NULL);
	assert_int_equal(doc->nitems, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(nth(doc, i)->id[0], '1' + i);
	assert_string_equal(nth(doc, 2)->title, "c");
	doc_free(doc);
	doc = parse_ok(atom1, NULL);
	assert_int_equal(doc->nitems, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(nth(doc, i)->id[0], '1' + i);
	assert_string_equal(nth(doc, 0)->title, "a open");
	assert_string_equal(nth(doc, 3)->title, "d");
	doc_free(doc);
}

/* "<br>" and its kind, left open in feed text, hold nothing open. */
static void
test_void_left_open(void **state)
{
	const char	*t = "<rss version=\"2.0\"><channel>"
	    "<item><title>a<BR>b<img src=\"x>y\" alt=\"1\">c</br><hr/>d<br >e"
	    "<bra>f</bra><imgx/></title><guid>1</guid></item>"
	    "<item><title>z</title><link>http://x/</link></item>"
	    "</channel></rss>";
	struct doc	*doc = parse_ok(t, NULL);

	assert_int_equal(doc->nitems, 2);
	assert_string_equal(nth(doc, 0)->title, "abcdef");
	assert_string_equal(nth(doc, 0)->id, "1");
	assert_string_equal(nth(doc, 1)->link, "http://x/");
	doc_free(doc);
	assert_chunks_agree(t, "abcdef");
}

/* Attribute values without quotes are read, references in them too. */
static void
test_unquoted_attrs(void **state)
{
	const char	*t = "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
	    "<entry><id>1</id><link rel=alternate href=http://x/1?a=1&amp;b=2"
	    " /><category term=caf&eacute;/><category term='q \"x\"'/>"
	    "</entry><entry><id>2</id><link href=\"http://x/2\"/>"
	    "<title type=html>a<br>b<img src=i.png alt=\"<\">c</title>"
	    "</entry></feed>";
	struct doc	*doc = parse_ok(t, NULL);

	assert_int_equal(doc->nitems, 2);
	assert_string_equal(nth(doc, 0)->link, "http://x/1?a=1&b=2");
	assert_string_equal(nth(doc, 0)->categories[0], "caf\xc3\xa9");
	assert_string_equal(nth(doc, 0)->categories[1], "q \"x\"");
	assert_string_equal(nth(doc, 1)->link, "http://x/2");
	assert_string_equal(nth(doc, 1)->title, "abc");
	doc_free(doc);
	assert_chunks_agree(t, "http://x/1?a=1&b=2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss),
		cmocka_unit_test(test_hash_identity_is_stable),
		cmocka_unit_test(test_atom),
		cmocka_unit_test(test_not_a_feed),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_entity_bomb),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_max_items),
		cmocka_unit_test(test_latin1),
		cmocka_unit_test(test_chunk_boundaries),
		cmocka_unit_test(test_charset_sniff),
		cmocka_unit_test(test_rss_modules),
		cmocka_unit_test(test_atom_source_base64),
		cmocka_unit_test(test_entity_internal),
		cmocka_unit_test(test_entity_after_error),
		cmocka_unit_test(test_entity_bomb_bounded),
		cmocka_unit_test(test_entity_chunks),
		cmocka_unit_test(test_bare_lt_amp),
		cmocka_unit_test(test_entry_left_open),
		cmocka_unit_test(test_void_left_open),
		cmocka_unit_test(test_unquoted_attrs),
	};

	log_init("test-parse", LOG_TO_STDERR, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
