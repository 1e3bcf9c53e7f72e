/*
 * Unit tests for log.c's journal sink: what it receives (message, fields,
 * all cleaned of control characters), and stderr when it declines.  This
 * holds without journald; tests/integration/systemd.sh checks sd.c's sink
 * on the wire where it can stand in for journald's socket.
 */
#include "config.h"

#include <sys/stat.h>

#include <syslog.h>
#include <unistd.h>

#include "test.h"

static struct {
	int	calls;
	int	pri;
	int	rv;
	char	ident[64];
	char	msg[256];
	int	has_fields;
	char	feed[64], tag[64], url[256], stage[32];
} got;

static void
copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "(null)");
}

static int
sink(int pri, const char *ident, const char *msg,
    const struct log_fields *f)
{
	got.calls++;
	got.pri = pri;
	copy(got.ident, sizeof(got.ident), ident);
	copy(got.msg, sizeof(got.msg), msg);
	got.has_fields = f != NULL;
	if (f != NULL) {
		copy(got.feed, sizeof(got.feed), f->feed);
		copy(got.tag, sizeof(got.tag), f->tag);
		copy(got.url, sizeof(got.url), f->url);
		copy(got.stage, sizeof(got.stage), f->stage);
	}
	return (got.rv);
}

/* The file stderr is while log_init looks, and stderr itself (cmocka's). */
static int	journal_fd = -1, saved_stderr = -1;

/*
 * Make stderr "the journal": a file JOURNAL_STREAM names, while log_init
 * looks (it decides then); cmocka gets its stderr back afterwards.
 */
static int
journal_setup(void **state)
{
	char		 path[] = "/tmp/test-log.XXXXXX", js[64];
	struct stat	 sb;

	if ((journal_fd = mkstemp(path)) == -1)
		return (-1);
	unlink(path);
	fstat(journal_fd, &sb);
	snprintf(js, sizeof(js), "%lu:%lu", (unsigned long)sb.st_dev,
	    (unsigned long)sb.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	fflush(stderr);
	if ((saved_stderr = dup(STDERR_FILENO)) == -1 ||
	    dup2(journal_fd, STDERR_FILENO) == -1)
		return (-1);
	log_init("test-log", LOG_TO_STDERR, 1);
	dup2(saved_stderr, STDERR_FILENO);
	log_set_journal(sink);
	return (0);
}

static void
test_fields(void **state)
{
	memset(&got, 0, sizeof(got));
	log_fields_info(&(struct log_fields){ .feed = "bad\nfeed",
	    .url = "http://x/\x1b[2J", .stage = "fetch" }, "feed %s: %s",
	    "bad\nfeed", "fetch failed: \r\nFORGED=1");
	assert_int_equal(got.calls, 1);
	assert_int_equal(got.pri, LOG_INFO);
	assert_string_equal(got.ident, "test-log");
	assert_string_equal(got.msg, "feed bad?feed: fetch failed: ??FORGED=1");
	assert_true(got.has_fields);
	assert_string_equal(got.feed, "bad?feed");
	assert_string_equal(got.tag, "(null)");
	assert_string_equal(got.url, "http://x/?[2J");
	assert_string_equal(got.stage, "fetch");

	log_fields_warnx(&(struct log_fields){ .tag = "t" }, "x");
	assert_int_equal(got.pri, LOG_WARNING);
	assert_string_equal(got.tag, "t");
	assert_string_equal(got.feed, "(null)");
}

static void
test_plain(void **state)
{
	memset(&got, 0, sizeof(got));
	log_info("no fields");
	assert_int_equal(got.calls, 1);
	assert_false(got.has_fields);
	log_debug("debug at -v");
	assert_int_equal(got.calls, 2);
	assert_int_equal(got.pri, LOG_DEBUG);
}

/* A sink that declines (no journald) leaves the line to stderr. */
static void
test_declined(void **state)
{
	char	buf[256];
	ssize_t	n;

	memset(&got, 0, sizeof(got));
	got.rv = -1;
	fflush(stderr);
	dup2(journal_fd, STDERR_FILENO);
	log_fields_info(&(struct log_fields){ .feed = "f" }, "to stderr");
	dup2(saved_stderr, STDERR_FILENO);
	assert_int_equal(got.calls, 1);
	n = pread(journal_fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "<6>to stderr\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_declined),
	};

	return (cmocka_run_group_tests(tests, journal_setup, NULL));
}
