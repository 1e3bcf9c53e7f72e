/*
 * Unit tests for the render module: the Atom, RSS, JSON Feed and HTML
 * documents (render-atom.c, render-rss.c, render-json.c, render-html.c),
 * hostile input through sanitize_item into every format, served bodies,
 * gzip and the cache (render.c), and reading tags from the store with
 * render pacing (render-tags.c).
 */
#include "config.h"

#include <time.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <zlib.h>

#include "test.h"
#include "conf.h"
#include "db.h"
#include "parse.h"
#include "render.h"
#include "sanitize.h"
#include "store-fixture.h"

#define BASE	"http://127.0.0.1:8080"

/* An entry as the store gives it back, with its source feed. */
static struct item *
entry(const char *id, const char *title, time_t when)
{
	struct item	*it = item_new();

	it->id = xstrdup(id);
	it->uid = xstrdup(id);
	it->title = xstrdup(title);
	xasprintf(&it->link, "http://x.example/%s", id);
	it->published = it->sort_time = when;
	it->source_name = xstrdup("wire");
	it->source_title = xstrdup("Diplomacy Wire");
	it->source_link = xstrdup("http://x.example/");
	it->source_url = xstrdup("http://x.example/feed.atom");
	return (it);
}

/* Render items as the first page of tag in format f. */
static struct body *
render(enum render_format f, const char *tag, struct items *items)
{
	struct render_page	 p;
	struct item		*it;
	char			*title;
	struct body		*b = NULL;

	memset(&p, 0, sizeof(p));
	xasprintf(&title, "feedmux: %s", tag);
	p.tag = tag;
	p.title = title;
	p.base = BASE;
	TAILQ_FOREACH(it, items, entry) {
		if (it->sort_time > p.updated)
			p.updated = it->sort_time;
		p.nitems++;
	}
	switch (f) {
	case RENDER_ATOM:
		b = render_atom(&p, items);
		break;
	case RENDER_RSS:
		b = render_rss(&p, items);
		break;
	case RENDER_JSON:
		b = render_json(&p, items);
		break;
	case RENDER_HTML:
	case RENDER_NFORMATS:
		b = render_river(&p, items);
		break;
	}
	free(title);
	return (b);
}

/* Is the document well-formed XML (libxml2, no network, no entities)? */
static int
well_formed(const struct body *b)
{
	xmlDocPtr	doc;

	doc = xmlReadMemory(b->data, (int)b->len, "t.atom", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return (0);
	xmlFreeDoc(doc);
	return (1);
}

static struct doc *
reparse(const struct body *b)
{
	struct parse_opts	 opts;
	struct doc		*doc;
	char			*cause = NULL;

	parse_opts_init(&opts);
	assert_int_equal(parse_doc(b->data, b->len, &opts, &doc, &cause), 0);
	free(cause);
	return (doc);
}

/* The document: feed metadata, original ids, sources, newest update. */
static void
test_atom(void **state)
{
	struct items	 items;
	struct item	*it;
	struct body	*b;
	struct doc	*doc;

	TAILQ_INIT(&items);
	it = entry("tag:x,2014:2", "two", 1400000200);
	TAILQ_INSERT_TAIL(&items, it, entry);
	it = entry("tag:x,2014:1", "one", 1400000100);
	it->authors = xcalloc(1, sizeof(*it->authors));
	it->authors[0] = xstrdup("Jo Doe");
	it->nauthors = 1;
	it->enclosures = xcalloc(1, sizeof(*it->enclosures));
	it->enclosures[0].url = xstrdup("http://x.example/a.mp3");
	it->enclosures[0].type = xstrdup("audio/mpeg");
	it->enclosures[0].length = 1234;
	it->nenclosures = 1;
	TAILQ_INSERT_TAIL(&items, it, entry);
	b = render(RENDER_ATOM, "russia", &items);
	items_free(&items);

	assert_true(well_formed(b));
	assert_string_equal(b->tag, "russia");
	assert_int_equal(b->nitems, 2);
	assert_int_equal(b->updated, 1400000200);
	assert_true(b->etag[0] == '"' && b->etag[strlen(b->etag) - 1] == '"');
	assert_non_null(strstr(b->data, "<id>" BASE "/tags/russia.atom</id>"));
	assert_non_null(strstr(b->data, "<link rel=\"self\" type=\"application/"
	    "atom+xml\" href=\"" BASE "/tags/russia.atom\"/>"));
	assert_non_null(strstr(b->data, "<title>feedmux: russia</title>"));

	doc = reparse(b);
	assert_int_equal(doc->format, FORMAT_ATOM10);
	assert_int_equal(doc->nitems, 2);
	it = TAILQ_FIRST(&doc->items);
	assert_string_equal(it->id, "tag:x,2014:2");
	/* No author: the source feed's title stands in. */
	assert_int_equal(it->nauthors, 1);
	assert_string_equal(it->authors[0], "Diplomacy Wire");
	it = TAILQ_NEXT(it, entry);
	assert_string_equal(it->id, "tag:x,2014:1");
	assert_string_equal(it->authors[0], "Jo Doe");
	assert_int_equal(it->nenclosures, 1);
	assert_string_equal(it->enclosures[0].type, "audio/mpeg");
	assert_int_equal(it->enclosures[0].length, 1234);
	doc_free(doc);
	/* Each entry says where it came from (RFC 4287 4.2.11). */
	assert_non_null(strstr(b->data, "<source>\n      <id>http://x.example/"
	    "feed.atom</id>\n      <title>Diplomacy Wire</title>"));
	render_body_unref(b);
}

/* The ETag follows the bytes: same content, same tag; any change, another. */
static void
test_etag(void **state)
{
	struct items	 items;
	struct item	*it;
	struct body	*b1, *b2, *b3;

	TAILQ_INIT(&items);
	it = entry("a", "one", 1400000000);
	TAILQ_INSERT_TAIL(&items, it, entry);
	b1 = render(RENDER_ATOM, "t", &items);
	b2 = render(RENDER_ATOM, "t", &items);
	free(it->title);
	it->title = xstrdup("one, corrected");
	b3 = render(RENDER_ATOM, "t", &items);
	items_free(&items);
	assert_string_equal(b1->etag, b2->etag);
	assert_string_not_equal(b1->etag, b3->etag);
	/* Each encoding has its own validator. */
	assert_string_not_equal(b1->etag, b1->gzetag);
	render_body_unref(b1);
	render_body_unref(b2);
	render_body_unref(b3);
}

/* What needs escaping comes back intact through an XML parser. */
static void
test_escaping(void **state)
{
	struct items	 items;
	struct item	*it;
	struct body	*b;
	struct doc	*doc;

	TAILQ_INIT(&items);
	it = entry("x&y", "1 < 2 && 3 > 2 \"quoted\"", 1400000000);
	free(it->link);
	it->link = xstrdup("http://x/?a=1&b=2");
	it->categories = xcalloc(1, sizeof(*it->categories));
	it->categories[0] = xstrdup("say \"hi\"\tthere\r\nnow");
	it->ncategories = 1;
	it->summary = xstrdup("<p>a &amp; b</p>");
	TAILQ_INSERT_TAIL(&items, it, entry);
	b = render(RENDER_ATOM, "t", &items);
	items_free(&items);
	assert_true(well_formed(b));
	doc = reparse(b);
	it = TAILQ_FIRST(&doc->items);
	assert_non_null(it);
	assert_string_equal(it->id, "x&y");
	assert_string_equal(it->title, "1 < 2 && 3 > 2 \"quoted\"");
	assert_string_equal(it->link, "http://x/?a=1&b=2");
	/* Attribute white space survives as references, not normalised. */
	assert_string_equal(it->categories[0], "say \"hi\"\tthere\r\nnow");
	assert_string_equal(it->summary, "<p>a &amp; b</p>");
	doc_free(doc);
	render_body_unref(b);
}

/* No entries: still a valid feed. */
static void
test_empty(void **state)
{
	struct items	 items;
	struct body	*b;

	TAILQ_INIT(&items);
	b = render(RENDER_ATOM, "empty", &items);
	assert_true(well_formed(b));
	assert_int_equal(b->nitems, 0);
	assert_int_equal(b->updated, 0);
	assert_non_null(strstr(b->data, "<updated>"));
	assert_null(strstr(b->data, "<entry>"));
	render_body_unref(b);
}

/* Two entries with what each format has to carry. */
static void
two_entries(struct items *items)
{
	struct item	*it;

	TAILQ_INIT(items);
	it = entry("tag:x,2014:2", "two", 1400000200);
	it->summary = xstrdup("<p>sum</p>");
	it->content = xstrdup("<p>full text</p>");
	TAILQ_INSERT_TAIL(items, it, entry);
	it = entry("http://x.example/tag:x,2014:1", "one", 1400000100);
	free(it->link);
	it->link = xstrdup(it->id);
	it->authors = xcalloc(1, sizeof(*it->authors));
	it->authors[0] = xstrdup("Jo Doe");
	it->nauthors = 1;
	it->categories = xcalloc(1, sizeof(*it->categories));
	it->categories[0] = xstrdup("Lavrov");
	it->ncategories = 1;
	it->enclosures = xcalloc(1, sizeof(*it->enclosures));
	it->enclosures[0].url = xstrdup("http://x.example/a.mp3");
	it->enclosures[0].type = xstrdup("audio/mpeg");
	it->enclosures[0].length = 1234;
	it->nenclosures = 1;
	it->summary = xstrdup("<p>only a summary</p>");
	TAILQ_INSERT_TAIL(items, it, entry);
}

/* RSS 2.0: ids as guids, sources, one enclosure, atom:link self. */
static void
test_rss(void **state)
{
	struct items	 items;
	struct item	*it;
	struct body	*b;
	struct doc	*doc;

	two_entries(&items);
	b = render(RENDER_RSS, "russia", &items);
	items_free(&items);
	assert_true(well_formed(b));
	assert_int_equal(b->format, RENDER_RSS);
	assert_non_null(strstr(b->data, "<atom:link rel=\"self\" type=\""
	    "application/rss+xml\" href=\"" BASE "/tags/russia.rss\"/>"));
	assert_non_null(strstr(b->data, "<source url=\"http://x.example/"
	    "feed.atom\">Diplomacy Wire</source>"));
	assert_non_null(strstr(b->data, "<guid isPermaLink=\"false\">"
	    "tag:x,2014:2</guid>"));
	assert_non_null(strstr(b->data, "<guid isPermaLink=\"true\">"
	    "http://x.example/tag:x,2014:1</guid>"));
	assert_non_null(strstr(b->data, "<pubDate>Tue, 13 May 2014 16:56:40 GMT</pubDate>"));
	doc = reparse(b);
	assert_int_equal(doc->format, FORMAT_RSS20);
	assert_int_equal(doc->nitems, 2);
	it = TAILQ_FIRST(&doc->items);
	assert_string_equal(it->id, "tag:x,2014:2");
	assert_string_equal(it->summary, "<p>sum</p>");
	assert_string_equal(it->content, "<p>full text</p>");
	it = TAILQ_NEXT(it, entry);
	assert_string_equal(it->authors[0], "Jo Doe");
	assert_string_equal(it->categories[0], "Lavrov");
	assert_int_equal(it->enclosures[0].length, 1234);
	doc_free(doc);
	render_body_unref(b);
}

/* JSON Feed 1.1: valid JSON, required keys, authors, the extension. */
static void
test_json(void **state)
{
	struct items	 items;
	struct body	*b;
	struct doc	*doc;
	json_error_t	 err;
	json_t		*j, *item, *src;

	two_entries(&items);
	b = render(RENDER_JSON, "russia", &items);
	items_free(&items);
	j = json_loadb(b->data, b->len, 0, &err);
	if (j == NULL)
		fail_msg("not JSON: %s at %d", err.text, err.position);
	assert_string_equal(json_string_value(json_object_get(j, "version")),
	    "https://jsonfeed.org/version/1.1");
	assert_string_equal(json_string_value(json_object_get(j,
	    "feed_url")), BASE "/tags/russia.json");
	assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
	item = json_array_get(json_object_get(j, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(item, "id")),
	    "tag:x,2014:2");
	assert_string_equal(json_string_value(json_object_get(item,
	    "content_html")), "<p>full text</p>");
	/* JSON Feed's summary is plain text. */
	assert_string_equal(json_string_value(json_object_get(item,
	    "summary")), "sum");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(item, "authors"), 0), "name")), "Diplomacy Wire");
	src = json_object_get(json_object_get(item, "_feedmux"), "source");
	assert_string_equal(json_string_value(json_object_get(src,
	    "feed_url")), "http://x.example/feed.atom");
	assert_string_equal(json_string_value(json_object_get(src, "name")),
	    "wire");
	item = json_array_get(json_object_get(j, "items"), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(item, "attachments"), 0), "size_in_bytes")), 1234);
	json_decref(j);
	/* Our own parser reads it back too. */
	doc = reparse(b);
	assert_int_equal(doc->format, FORMAT_JSONFEED11);
	assert_int_equal(doc->nitems, 2);
	doc_free(doc);
	render_body_unref(b);
}

/* The river page: entries in order, with their sources and content. */
static void
test_river(void **state)
{
	struct items	 items;
	struct body	*b;

	two_entries(&items);
	b = render(RENDER_HTML, "russia", &items);
	items_free(&items);
	assert_non_null(strstr(b->data, "<!DOCTYPE html>"));
	assert_non_null(strstr(b->data, "<meta name=\"viewport\""));
	assert_true(strstr(b->data, ">two<") < strstr(b->data, ">one<"));
	assert_non_null(strstr(b->data, "<p>full text</p>"));
	assert_non_null(strstr(b->data, "<link rel=\"alternate\" type=\""
	    "application/atom+xml\" title=\"feedmux: russia\" href=\"" BASE
	    "/tags/russia.atom\">"));
	assert_null(strstr(b->data, "<script"));
	render_body_unref(b);
}

/*
 * Hostile input, through sanitize_item as render_tags does, gives a safe,
 * well-formed document in every format.
 */
static void
test_hostile(void **state)
{
	static const char *const bad[] = { "<script", "javascript:",
	    "onerror", "data:text", "\x01", "\xff" };
	struct items	 items;
	struct item	*it;
	struct body	*b;
	json_error_t	 err;
	json_t		*j;
	char		*huge;
	size_t		 i;
	int		 f;

	TAILQ_INIT(&items);
	it = entry("x]]>y", "a <script>alert(1)</script> ]]> \x01\xff title",
	    1400000000);
	free(it->link);
	it->link = xstrdup("javascript:alert(1)");
	it->summary = xstrdup("<img src=x onerror=alert(1)><a href=\""
	    "javascript:alert(1)\">x</a><script>alert(2)</script>]]>");
	it->content = xstrdup("<iframe src=\"data:text/html,x\"></iframe>"
	    "<p style=\"x\">\x02ok\xfe</p>");
	it->enclosures = xcalloc(1, sizeof(*it->enclosures));
	it->enclosures[0].url = xstrdup("data:text/plain,x");
	it->nenclosures = 1;
	TAILQ_INSERT_TAIL(&items, it, entry);
	it = entry("big", "", 1300000000);
	huge = xmalloc(10 * 1024 * 1024 + 1);
	memset(huge, 'x', 10 * 1024 * 1024);
	huge[10 * 1024 * 1024] = '\0';
	free(it->title);
	it->title = huge;
	TAILQ_INSERT_TAIL(&items, it, entry);
	TAILQ_FOREACH(it, &items, entry)
		sanitize_item(it);
	for (f = 0; f < RENDER_NFORMATS; f++) {
		b = render(f, "t", &items);
		if ((f == RENDER_ATOM || f == RENDER_RSS) && !well_formed(b))
			fail_msg("format %d not well-formed:\n%.2000s", f,
			    b->data);
		if (f == RENDER_JSON) {
			j = json_loadb(b->data, b->len, 0, &err);
			assert_non_null(j);
			json_decref(j);
		}
		for (i = 0; i < NELEM(bad); i++) {
			if (strstr(b->data, bad[i]) != NULL)
				fail_msg("format %d serves \"%s\"", f, bad[i]);
		}
		/* The 10 MB title is cut to the documented cap. */
		assert_true(b->len < 64 * 1024);
		render_body_unref(b);
	}
	items_free(&items);
}

static struct body *
body(const char *tag, const char *text)
{
	return (render_body_new(tag, RENDER_ATOM, xstrdup(text),
	    strlen(text), 0, 0));
}

/* The body the cache serves for a tag's Atom feed (not referenced). */
static struct body *
cached(const char *tag)
{
	struct body	*b = render_cache_get(tag, RENDER_ATOM);

	render_body_unref(b);
	return (b);
}

/* The cache holds one body per tag and format; replaced bodies live
 * while held. */
static void
test_cache(void **state)
{
	struct render_served	 s;
	struct conf		*conf;
	struct body		*a1, *a2, *b, *gone, *list[3];
	char			*cause = NULL;

	conf = conf_load_string("t.conf", "[feed f]\nurl = http://x/\n"
	    "tags = a, b\n", &cause);
	assert_non_null(conf);
	/* Configured tags are known, unrendered ones have no body yet. */
	assert_false(render_cache_lookup("a", RENDER_ATOM, NULL, &s));
	render_cache_retain(conf);
	assert_true(render_cache_lookup("a", RENDER_ATOM, NULL, &s));
	assert_null(s.body);
	assert_false(render_cache_lookup("gone", RENDER_ATOM, NULL, &s));

	a1 = body("a", "first");
	render_cache_put(a1);
	assert_ptr_equal(cached("a"), a1);
	assert_int_equal(a1->refs, 2);
	assert_null(cached("b"));
	assert_null(render_cache_get("a", RENDER_RSS));

	/* A response holds a1 while a2 replaces it. */
	render_body_ref(a1);
	a2 = body("a", "second");
	b = body("b", "bee");
	gone = body("gone", "not configured");
	list[0] = a2;
	list[1] = b;
	list[2] = gone;
	render_cache_update(list, 3, 7, conf);
	assert_ptr_equal(cached("a"), a2);
	assert_ptr_equal(cached("b"), b);
	assert_null(cached("gone"));
	assert_int_equal(render_cache_seq(), 7);
	assert_int_equal(a1->refs, 2);	/* ours and the response's */
	render_body_unref(a1);
	render_body_unref(a1);
	/* An older render never moves the served seq back. */
	render_cache_update(NULL, 0, 3, conf);
	assert_int_equal(render_cache_seq(), 7);
	render_body_unref(a2);
	render_body_unref(b);
	render_body_unref(gone);
	assert_int_equal(cached("a")->refs, 1);

	/* Next polls are kept per tag, for max-age. */
	render_cache_next_poll("a", 12345);
	assert_true(render_cache_lookup("a", RENDER_ATOM, NULL, &s));
	assert_int_equal(s.next_poll, 12345);
	render_body_unref(s.body);
	conf_unref(conf);

	/* Pages by path. */
	render_cache_page_put("/", a2 = body("", "index"));
	render_body_unref(a2);
	a2 = render_cache_page_get("/");
	assert_string_equal(a2->data, "index");
	render_body_unref(a2);
	assert_null(render_cache_page_get("/opml"));

	/* A tag gone from the configuration goes from the cache. */
	conf = conf_load_string("t.conf", "[feed f]\nurl = http://x/\n"
	    "tags = b\n", &cause);
	render_cache_retain(conf);
	assert_null(cached("a"));
	assert_false(render_cache_lookup("a", RENDER_ATOM, NULL, &s));
	assert_non_null(cached("b"));
	render_cache_clear();
	assert_null(cached("b"));
	assert_null(render_cache_page_get("/"));
	conf_unref(conf);
}

/* gzip is made once, with the body, and inflates to the same bytes. */
static void
test_gzip(void **state)
{
	struct body	*b, *small;
	struct buf	 text;
	z_stream	 z;
	char		*out;
	int		 i;

	buf_init(&text);
	for (i = 0; i < 200; i++)
		buf_addstr(&text, "<entry>the same words again</entry>\n");
	b = body("t", text.data);
	assert_non_null(b->gz);
	assert_true(b->gzlen < b->len / 4);
	out = xmalloc(b->len + 1);
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)b->gz;
	z.avail_in = (uInt)b->gzlen;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)b->len + 1;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, b->len);
	assert_memory_equal(out, b->data, b->len);
	inflateEnd(&z);
	free(out);
	buf_free(&text);
	render_body_unref(b);
	/* Too small to gain: served plain only. */
	small = body("t", "tiny");
	assert_null(small->gz);
	render_body_unref(small);
}

/* Page cursors: "TIME-KEY", read back exactly, junk refused. */
static void
test_cursor(void **state)
{
	struct render_cursor	 c;
	struct item		*it = item_new();
	char			*q;

	assert_int_equal(render_cursor_parse("1394515560-5", &c), 0);
	assert_int_equal(c.time, 1394515560);
	assert_int_equal(c.key, 5);
	assert_int_equal(render_cursor_parse("-5-7", &c), 0);	/* pre-1970 */
	assert_int_equal(c.time, -5);
	assert_int_equal(render_cursor_parse("5", &c), -1);
	assert_int_equal(render_cursor_parse("5-", &c), -1);
	assert_int_equal(render_cursor_parse("5-x", &c), -1);
	assert_int_equal(render_cursor_parse("5--1", &c), -1);
	assert_int_equal(render_cursor_parse("99999999999999999999-1", &c),
	    -1);
	it->sort_time = 1394515560;
	it->key = 42;
	q = render_cursor_query(it, 50, 50);
	assert_string_equal(q, "before=1394515560-42");
	free(q);
	q = render_cursor_query(it, 7, 50);
	assert_string_equal(q, "before=1394515560-42&limit=7");
	free(q);
	item_free(it);
}

/* A store to render from. */
static int
setup(void **state)
{
	struct store_fixture	*fx = xcalloc(1, sizeof(*fx));

	*state = fx;
	if (store_fixture_open(fx, "[feed a]\nurl = http://a/\n"
	    "tags = news, world\n[feed b]\nurl = http://b/\ntags = world\n")
	    != 0)
		return (-1);
	render_tags_configure(fx->conf);
	render_tags_forget(fx->db);
	return (0);
}

static int
teardown(void **state)
{
	struct store_fixture	*fx = *state;
	int			 rv;

	render_tags_shutdown();
	rv = store_fixture_close(fx);
	free(fx);
	return (rv);
}

/* Store a document for a feed, as a successful poll would. */
static void
store(struct store_fixture *fx, const char *feed, const char *xml)
{
	struct parse_opts	 opts;
	struct feed_state	 fs;
	struct store_counts	 c;
	struct doc		*doc;
	char			*cause = NULL;

	parse_opts_init(&opts);
	assert_int_equal(parse_doc(xml, strlen(xml), &opts, &doc, &cause),
	    0);
	free(cause);
	memset(&fs, 0, sizeof(fs));
	assert_int_equal(db_begin(fx->db), 0);
	assert_int_equal(db_store(fx->db, feed, doc, &fs, &c), 0);
	assert_int_equal(db_commit(fx->db), 0);
	feed_state_clear(&fs);
	doc_free(doc);
}

static void
free_bodies(struct body **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		render_body_unref(v[i]);
	free(v);
}

/* A tag's entries from the store, merged and newest first. */
static void
test_tags_from_store(void **state)
{
	struct store_fixture	 *fx = *state;
	struct body	**v;
	char		 *tags[] = { "world", "nosuch" };
	size_t		  n;

	store(fx, "a", "<rss version=\"2.0\"><channel><title>A</title>"
	    "<item><guid>a1</guid><title>older</title>"
	    "<pubDate>Mon, 01 Jan 2018 00:00:00 GMT</pubDate></item>"
	    "</channel></rss>");
	store(fx, "b", "<rss version=\"2.0\"><channel><title>B</title>"
	    "<item><guid>b1</guid><title>newer</title>"
	    "<pubDate>Tue, 02 Jan 2018 00:00:00 GMT</pubDate></item>"
	    "</channel></rss>");
	/* A tag the store does not know renders nothing. */
	n = render_tags(fx->db, tags, 2, &v);
	assert_int_equal(n, 2 * RENDER_NFORMATS);
	assert_string_equal(v[0]->tag, "world");
	assert_int_equal(v[0]->format, RENDER_ATOM);
	assert_int_equal(v[0]->nitems, 2);
	assert_true(strstr(v[0]->data, "newer") < strstr(v[0]->data,
	    "older"));
	assert_non_null(strstr(v[0]->data, "<id>" BASE "/tags/world.atom"));
	assert_int_equal(v[RENDER_RSS]->format, RENDER_RSS);
	assert_int_equal(v[RENDER_RSS]->nitems, 2);
	assert_int_equal(v[RENDER_JSON]->format, RENDER_JSON);
	assert_int_equal(v[RENDER_HTML]->format, RENDER_HTML);
	assert_string_equal(v[RENDER_NFORMATS]->tag, "nosuch");
	assert_int_equal(v[RENDER_NFORMATS]->nitems, 0);
	free_bodies(v, n);
}

/*
 * Pacing: changed tags wait until collected, render at once the first
 * time, and not again before the pause after a render has passed.
 */
static void
test_tags_pacing(void **state)
{
	struct store_fixture	 *fx = *state;
	struct body	**v;
	struct timespec	  when, now;
	size_t		  n;

	assert_false(render_tags_pending(NULL));
	store(fx, "b", "<rss version=\"2.0\"><channel><title>B</title>"
	    "<item><guid>b1</guid><title>one</title></item></channel></rss>");
	assert_false(render_tags_pending(NULL));	/* not collected yet */
	render_tags_collect(fx->db);
	assert_true(render_tags_pending(&when));
	assert_true(render_tags_due());
	n = render_tags_flush(fx->db, &v);
	assert_int_equal(n, RENDER_NFORMATS);
	assert_string_equal(v[0]->tag, "world");	/* b's only tag */
	free_bodies(v, n);
	assert_false(render_tags_pending(NULL));

	/* Changed again at once: waits at least the minimum pause. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	store(fx, "a", "<rss version=\"2.0\"><channel><title>A</title>"
	    "<item><guid>a1</guid><title>two</title></item></channel></rss>");
	render_tags_collect(fx->db);
	assert_true(render_tags_pending(&when));
	assert_true((when.tv_sec - now.tv_sec) * 1000 +
	    (when.tv_nsec - now.tv_nsec) / 1000000 >= 190);
	/* Both of a's tags wait, once each however often they change. */
	store(fx, "a", "<rss version=\"2.0\"><channel><title>A</title>"
	    "<item><guid>a2</guid><title>three</title></item></channel></rss>");
	render_tags_collect(fx->db);
	n = render_tags_flush(fx->db, &v);
	assert_int_equal(n, 2 * RENDER_NFORMATS);
	free_bodies(v, n);

	/* A configuration applied renders everything: nothing waits. */
	store(fx, "a", "<rss version=\"2.0\"><channel><title>A</title>"
	    "<item><guid>a3</guid><title>four</title></item></channel></rss>");
	render_tags_forget(fx->db);
	assert_false(render_tags_pending(NULL));
	render_tags_collect(fx->db);
	assert_false(render_tags_pending(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atom),
		cmocka_unit_test(test_rss),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_river),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_etag),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_cursor),
		cmocka_unit_test_setup_teardown(test_tags_from_store, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tags_pacing, setup,
		    teardown),
	};

	log_init("test-render", LOG_TO_STDERR, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
