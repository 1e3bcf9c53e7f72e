/* Unit tests for db.c: schema, dedup, cross-feed merge, order, state. */
#include "config.h"

#include <unistd.h>

#include <sqlite3.h>

#include "test.h"

struct fixture {
	char		 dir[64];
	char		 path[128];
	struct conf	*conf;
	struct db	*db;
};

static const char conf_text[] =
    "[feed a]\nurl = http://a.example/feed\ntags = t, only-a\n"
    "[feed b]\nurl = http://b.example/feed\ntags = t\n";

static int
setup(void **state)
{
	struct fixture	*fx = xcalloc(1, sizeof(*fx));
	char		*cause = NULL;

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/feedmux-db.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return (-1);
	snprintf(fx->path, sizeof(fx->path), "%s/t.db", fx->dir);
	fx->conf = conf_load_string("t.conf", conf_text, &cause);
	if (fx->conf == NULL || (fx->db = db_open(fx->path, &cause)) == NULL)
		return (-1);
	if (db_sync_conf(fx->db, fx->conf) != 0)
		return (-1);
	*state = fx;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	char		 cmd[160];

	db_close(fx->db);
	conf_unref(fx->conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return (-1);
	free(fx);
	return (0);
}

static struct doc *
doc_of(const char *xml)
{
	struct parse_opts	 opts;
	struct doc		*doc;
	char			*cause = NULL;

	parse_opts_init(&opts);
	opts.base = "http://x.example/";
	if (parse_doc(xml, strlen(xml), &opts, &doc, &cause) != 0)
		fail_msg("%s", cause);
	free(cause);
	return (doc);
}

static int
store(struct fixture *fx, const char *feed, const char *xml)
{
	struct feed_state	 st;
	struct doc		*doc = doc_of(xml);
	int			 added = -1;

	memset(&st, 0, sizeof(st));
	assert_int_equal(db_state_load(fx->db, feed, &st), 0);
	st.last_poll = time(NULL);
	assert_int_equal(db_store(fx->db, feed, doc, &st, &added), 0);
	feed_state_clear(&st);
	doc_free(doc);
	return (added);
}

static int
count(struct items *items)
{
	struct item	*it;
	int		 n = 0;

	TAILQ_FOREACH(it, items, entry)
		n++;
	return (n);
}

#define RSS(items) "<rss version=\"2.0\"><channel><title>Feed</title>" \
	items "</channel></rss>"

static const char feed_a[] = RSS(
    "<item><guid>g1</guid><title>one</title><link>http://x/1</link>"
    "<pubDate>Mon, 01 Jan 2018 00:00:00 GMT</pubDate>"
    "<category>C1</category></item>"
    "<item><guid>g2</guid><title>two</title><link>http://x/2</link>"
    "<pubDate>Tue, 02 Jan 2018 00:00:00 GMT</pubDate></item>"
    "<item><title>three</title><link>http://x/3</link>"
    "<pubDate>Wed, 03 Jan 2018 00:00:00 GMT</pubDate></item>");

/* b shares one entry with a by guid and one by link only. */
static const char feed_b[] = RSS(
    "<item><guid>g2</guid><title>two again</title><link>http://y/2</link>"
    "<pubDate>Tue, 02 Jan 2018 00:00:00 GMT</pubDate></item>"
    "<item><guid>other</guid><title>three elsewhere</title>"
    "<link>http://x/3</link></item>"
    "<item><guid>b4</guid><title>four</title><link>http://y/4</link>"
    "<pubDate>Thu, 04 Jan 2018 00:00:00 GMT</pubDate></item>"
    "<item><guid>future</guid><title>liar</title><link>http://y/5</link>"
    "<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>");

static void
test_schema(void **state)
{
	struct fixture	*fx = *state;
	struct db	*db2;
	sqlite3		*h;
	char		*cause = NULL;

	assert_int_equal(db_schema_version(fx->db), 3);
	/* Reopening an up-to-date database migrates nothing. */
	db2 = db_open(fx->path, &cause);
	assert_non_null(db2);
	db_close(db2);
	/* A database from a newer feedmux is refused, not damaged. */
	assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_null(db_open(fx->path, &cause));
	assert_non_null(strstr(cause, "newer"));
	free(cause);
	assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 3", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/*
 * A database as feedmux 0.1 schema version 1 left it (a fixture: the
 * migration must keep working on such files forever).
 */
static const char schema_v1[] =
    "CREATE TABLE feeds (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " url TEXT NOT NULL DEFAULT '', title TEXT, link TEXT, etag TEXT,"
    " last_modified TEXT, last_poll INTEGER NOT NULL DEFAULT 0,"
    " last_success INTEGER NOT NULL DEFAULT 0,"
    " last_change INTEGER NOT NULL DEFAULT 0,"
    " next_poll INTEGER NOT NULL DEFAULT 0,"
    " http_status INTEGER NOT NULL DEFAULT 0,"
    " error_stage INTEGER NOT NULL DEFAULT 0, error TEXT,"
    " failures INTEGER NOT NULL DEFAULT 0,"
    " entries INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE feed_tags (tag TEXT NOT NULL, feed_id INTEGER NOT NULL"
    " REFERENCES feeds(id) ON DELETE CASCADE, PRIMARY KEY (tag, feed_id))"
    " WITHOUT ROWID;"
    "CREATE TABLE entries (id INTEGER PRIMARY KEY, feed_id INTEGER NOT NULL"
    " REFERENCES feeds(id) ON DELETE CASCADE, uid TEXT NOT NULL,"
    " guid TEXT, title TEXT, link TEXT, author TEXT, summary TEXT,"
    " content TEXT, published INTEGER, updated INTEGER,"
    " first_seen INTEGER NOT NULL, sort_time INTEGER NOT NULL,"
    " UNIQUE (feed_id, uid));"
    "CREATE INDEX entries_uid ON entries(uid);"
    "CREATE INDEX entries_link ON entries(link);"
    "CREATE INDEX entries_feed_sort ON entries(feed_id, sort_time);"
    "CREATE TABLE entry_categories (entry_id INTEGER NOT NULL REFERENCES"
    " entries(id) ON DELETE CASCADE, term TEXT NOT NULL,"
    " PRIMARY KEY (entry_id, term)) WITHOUT ROWID;"
    "INSERT INTO feeds (name, url) VALUES ('a', 'http://a.example/feed');"
    "INSERT INTO feed_tags VALUES ('t', 1);"
    "INSERT INTO entries (feed_id, uid, title, author, first_seen, sort_time)"
    " VALUES (1, 'old-1', 'Old', 'Ann Author', 1000, 1000);"
    "PRAGMA user_version = 1;";

/* Version 1 files are migrated in place and keep their entries. */
static void
test_migrate_from_v1(void **state)
{
	struct fixture	*fx = *state;
	struct items	 items;
	struct item	*it;
	struct db	*db;
	sqlite3		*h;
	char		 path[160], *cause = NULL;

	snprintf(path, sizeof(path), "%s/v1.db", fx->dir);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, schema_v1, NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);

	db = db_open(path, &cause);
	assert_non_null(db);
	assert_int_equal(db_schema_version(db), 3);
	TAILQ_INIT(&items);
	assert_int_equal(db_tag_items(db, "t", 50, &items), 0);
	it = TAILQ_FIRST(&items);
	assert_non_null(it);
	assert_string_equal(it->title, "Old");
	assert_int_equal(it->nauthors, 1);
	assert_string_equal(it->authors[0], "Ann Author");
	items_free(&items);
	db_close(db);
}

static void
test_dedup_within_feed(void **state)
{
	struct fixture		*fx = *state;
	struct feed_state	 st;

	assert_int_equal(store(fx, "a", feed_a), 3);
	assert_int_equal(store(fx, "a", feed_a), 0);
	memset(&st, 0, sizeof(st));
	assert_int_equal(db_state_load(fx->db, "a", &st), 0);
	assert_int_equal(st.entries, 3);
	feed_state_clear(&st);
}

static void
test_merge_across_feeds(void **state)
{
	struct fixture	*fx = *state;
	struct items	 items;
	struct item	*it;
	const char	*want[] = { "four", "three", "two", "one" };
	int		 n = 0;

	assert_int_equal(store(fx, "a", feed_a), 3);
	assert_int_equal(store(fx, "b", feed_b), 4);

	TAILQ_INIT(&items);
	assert_int_equal(db_tag_items(fx->db, "t", 50, &items), 0);
	TAILQ_FOREACH(it, &items, entry) {
		if (n == 0) {
			/* A date far in the future sorts as first seen. */
			assert_string_equal(it->title, "liar");
			n++;
			continue;
		}
		assert_true(n - 1 < 4);
		assert_string_equal(it->title, want[n - 1]);
		/* Duplicates are attributed to the feed that had them first. */
		if (strcmp(it->title, "two") == 0 ||
		    strcmp(it->title, "three") == 0)
			assert_string_equal(it->source_name, "a");
		n++;
	}
	assert_int_equal(n, 5);
	it = TAILQ_LAST(&items, items);
	assert_string_equal(it->title, "one");
	assert_int_equal(it->ncategories, 1);
	assert_string_equal(it->categories[0], "C1");
	assert_string_equal(it->source_url, "http://a.example/feed");
	items_free(&items);

	/* A tag of one feed has only that feed's entries. */
	TAILQ_INIT(&items);
	assert_int_equal(db_tag_items(fx->db, "only-a", 50, &items), 0);
	assert_int_equal(count(&items), 3);
	items_free(&items);

	/* The limit holds. */
	TAILQ_INIT(&items);
	assert_int_equal(db_tag_items(fx->db, "t", 2, &items), 0);
	assert_int_equal(count(&items), 2);
	items_free(&items);
}

static void
test_state_roundtrip(void **state)
{
	struct fixture		*fx = *state;
	struct feed_state	 st, back;

	memset(&st, 0, sizeof(st));
	memset(&back, 0, sizeof(back));
	st.last_poll = 100;
	st.last_success = 90;
	st.next_poll = 200;
	st.http_status = 503;
	st.stage = STAGE_HTTP;
	st.error = xstrdup("HTTP status 503");
	st.failures = 3;
	st.etag = xstrdup("\"abc\"");
	st.last_modified = xstrdup("Mon, 01 Jan 2018 00:00:00 GMT");
	assert_int_equal(db_state_save(fx->db, "b", &st), 0);
	assert_int_equal(db_state_load(fx->db, "b", &back), 0);
	assert_int_equal(back.last_poll, 100);
	assert_int_equal(back.next_poll, 200);
	assert_int_equal(back.http_status, 503);
	assert_int_equal(back.stage, STAGE_HTTP);
	assert_string_equal(back.error, "HTTP status 503");
	assert_int_equal(back.failures, 3);
	assert_string_equal(back.etag, "\"abc\"");
	assert_string_equal(back.last_modified,
	    "Mon, 01 Jan 2018 00:00:00 GMT");
	assert_int_equal(db_state_load(fx->db, "nosuch", &back), -1);
	feed_state_clear(&st);
	feed_state_clear(&back);
}

/* Rendering: the Atom output is well-formed and keeps original ids. */
static void
test_render(void **state)
{
	struct fixture	*fx = *state;
	struct items	 items;
	struct body	*b;

	assert_int_equal(store(fx, "a", feed_a), 3);
	TAILQ_INIT(&items);
	assert_int_equal(db_tag_items(fx->db, "t", 50, &items), 0);
	b = render_atom("t", &items, "http://127.0.0.1:8080");
	items_free(&items);
	assert_int_equal(b->nitems, 3);
	assert_non_null(strstr(b->data, "<id>g1</id>"));
	assert_non_null(strstr(b->data,
	    "<id>http://127.0.0.1:8080/tags/t.atom</id>"));
	assert_non_null(strstr(b->data, "<source>"));
	assert_true(b->etag[0] == '"' && b->etag[strlen(b->etag) - 1] == '"');
	body_unref(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dedup_within_feed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_merge_across_feeds, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_state_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_render, setup, teardown),
	};

	log_init("test-db", LOG_TO_STDERR, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
