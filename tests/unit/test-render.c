/*
 * Unit tests for the render module: the Atom document (render-atom.c),
 * served bodies and the cache (render.c), and reading tags from the store
 * with render pacing (render-tags.c).
 */
#include "config.h"

#include <time.h>

#include <libxml/parser.h>

#include "test.h"
#include "conf.h"
#include "db.h"
#include "parse.h"
#include "render.h"
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
	b = render_atom("russia", &items, BASE);
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
	b1 = render_atom("t", &items, BASE);
	b2 = render_atom("t", &items, BASE);
	free(it->title);
	it->title = xstrdup("one, corrected");
	b3 = render_atom("t", &items, BASE);
	items_free(&items);
	assert_string_equal(b1->etag, b2->etag);
	assert_string_not_equal(b1->etag, b3->etag);
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
	b = render_atom("t", &items, BASE);
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

/* No entries: still a valid feed, updated now. */
static void
test_empty(void **state)
{
	struct items	 items;
	struct body	*b;

	TAILQ_INIT(&items);
	b = render_atom("empty", &items, BASE);
	assert_true(well_formed(b));
	assert_int_equal(b->nitems, 0);
	assert_int_equal(b->updated, 0);
	assert_non_null(strstr(b->data, "<updated>"));
	assert_null(strstr(b->data, "<entry>"));
	render_body_unref(b);
}

static struct body *
body(const char *tag, const char *text)
{
	return (render_body_new(tag, xstrdup(text), strlen(text), 0, 0));
}

/* The cache holds one body per tag; replaced bodies live while held. */
static void
test_cache(void **state)
{
	struct conf	*conf;
	struct body	*a1, *a2, *b, *gone, *list[3];
	char		*cause = NULL;

	conf = conf_load_string("t.conf", "[feed f]\nurl = http://x/\n"
	    "tags = a, b\n", &cause);
	assert_non_null(conf);
	a1 = body("a", "first");
	render_cache_put(a1);
	assert_ptr_equal(render_cache_get("a"), a1);
	assert_int_equal(a1->refs, 2);
	assert_null(render_cache_get("b"));

	/* A response holds a1 while a2 replaces it. */
	render_body_ref(a1);
	a2 = body("a", "second");
	b = body("b", "bee");
	gone = body("gone", "not configured");
	list[0] = a2;
	list[1] = b;
	list[2] = gone;
	render_cache_update(list, 3, 7, conf);
	assert_ptr_equal(render_cache_get("a"), a2);
	assert_ptr_equal(render_cache_get("b"), b);
	assert_null(render_cache_get("gone"));
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
	assert_int_equal(render_cache_get("a")->refs, 1);
	conf_unref(conf);

	/* A tag gone from the configuration goes from the cache. */
	conf = conf_load_string("t.conf", "[feed f]\nurl = http://x/\n"
	    "tags = b\n", &cause);
	render_cache_retain(conf);
	assert_null(render_cache_get("a"));
	assert_non_null(render_cache_get("b"));
	render_cache_clear();
	assert_null(render_cache_get("b"));
	conf_unref(conf);
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
	render_tags_configure(conf_base_url(fx->conf));
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
	assert_int_equal(n, 2);
	assert_string_equal(v[0]->tag, "world");
	assert_int_equal(v[0]->nitems, 2);
	assert_true(strstr(v[0]->data, "newer") < strstr(v[0]->data,
	    "older"));
	assert_non_null(strstr(v[0]->data, "<id>" BASE "/tags/world.atom"));
	assert_string_equal(v[1]->tag, "nosuch");
	assert_int_equal(v[1]->nitems, 0);
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
	assert_int_equal(n, 1);
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
	assert_int_equal(n, 2);
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
		cmocka_unit_test(test_etag),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_cache),
		cmocka_unit_test_setup_teardown(test_tags_from_store, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tags_pacing, setup,
		    teardown),
	};

	log_init("test-render", LOG_TO_STDERR, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
