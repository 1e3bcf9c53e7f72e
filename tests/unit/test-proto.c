/*
 * Unit tests for proto.c: the command table the daemon and feedmuxctl
 * share (sorted, unique, documented), and what may change anything.
 */
#include "config.h"

#include "test.h"
#include "proto.h"

static void
test_table(void **state)
{
	const struct proto_cmd	*pc;
	enum proto_cmd_id	 id;
	char			*names;
	int			 i;

	for (i = 0; i < PROTO_NCMDS; i++) {
		pc = &proto_cmds[i];
		assert_non_null(pc->name);
		assert_true(strlen(pc->help) > 10);
		assert_int_equal(pc->arg == PROTO_ARG_NONE, pc->key == NULL);
		assert_true(pc->rest == NULL || pc->arg != PROTO_ARG_NONE);
		assert_false(pc->required && pc->arg == PROTO_ARG_NONE);
		if (i > 0)
			assert_true(strcmp(proto_cmds[i - 1].name,
			    pc->name) < 0);
		assert_ptr_equal(proto_cmd_find(pc->name, &id), pc);
		assert_int_equal(id, i);
	}
	assert_null(proto_cmd_find("frob", &id));
	names = proto_cmd_names();
	assert_string_equal(names, "add, backup, entries, export, feed, feeds, "
	    "import, pause, purge, refresh, reload, remove, resume, status, "
	    "tag, tags");
	free(names);
}

/* Only looking is open to every peer that can open the socket. */
static void
test_privilege(void **state)
{
	int	i;

	for (i = 0; i < PROTO_NCMDS; i++) {
		if (i == PROTO_STATUS || i == PROTO_FEEDS || i == PROTO_TAGS ||
		    i == PROTO_FEED || i == PROTO_ENTRIES || i == PROTO_EXPORT)
			assert_false(proto_cmds[i].privileged);
		else
			assert_true(proto_cmds[i].privileged);
	}
	assert_int_equal(proto_cmds[PROTO_STATUS].arg, PROTO_ARG_FLAG);
	assert_string_equal(proto_cmds[PROTO_STATUS].key, "brief");
	assert_int_equal(proto_cmds[PROTO_BACKUP].arg, PROTO_ARG_PATH);
}

/* Parse words for a command into args, as JSON text; NULL on error. */
static char *
parse(const char *cmd, const char *words)
{
	char	*copy, *argv[16], *p, *cause, *out;
	json_t	*args;
	int	 argc = 0;

	copy = strdup(words);
	for (p = strtok(copy, " "); p != NULL; p = strtok(NULL, " "))
		argv[argc++] = p;
	args = proto_args_parse(proto_cmd_find(cmd, NULL), argc, argv,
	    &cause);
	free(copy);
	if (args == NULL) {
		free(cause);
		return (NULL);
	}
	out = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(args);
	return (out);
}

#define assert_parse(cmd, words, want) do {			\
	char	*got_ = parse(cmd, words);				\
	assert_non_null(got_);					\
	assert_string_equal(got_, want);			\
	free(got_);						\
} while (0)

static void
test_args_parse(void **state)
{
	assert_parse("add", "http://a/ --tag x --tag=y --interval 1h --force",
	    "{\"force\":true,\"interval\":\"1h\",\"tag\":[\"x\",\"y\"],"
	    "\"url\":\"http://a/\"}");
	assert_parse("tag", "f +a -b", "{\"changes\":[\"+a\",\"-b\"],"
	    "\"feed\":\"f\"}");
	assert_parse("entries", "t -n 5", "{\"limit\":5,\"tag\":\"t\"}");
	assert_parse("refresh", "--all --wait", "{\"all\":true,\"wait\":true}");
	assert_parse("status", "brief", "{\"brief\":true}");
	assert_parse("backup", "/x/y", "{\"file\":\"/x/y\"}");
	assert_null(parse("add", ""));			/* required */
	assert_null(parse("add", "u --tag"));		/* no value */
	assert_null(parse("add", "u --force=1"));	/* flag with value */
	assert_null(parse("add", "u v"));		/* one argument */
	assert_null(parse("entries", "t -n -1"));
	assert_null(parse("entries", "t -x 1"));
	assert_null(parse("status", "long"));
	assert_null(parse("feeds", "--colour"));
	assert_null(parse("backup", "\247"));		/* not UTF-8 (fuzz) */
	assert_null(parse("feed", "\377x"));
}

/* Whether a request line parses; its error must contain want. */
static void
assert_request(const char *line, const char *want)
{
	enum proto_cmd_id	 id;
	json_t			*args;
	char			*cause = NULL;
	int			 rv;

	rv = proto_request_parse(line, strlen(line), &id, &args, &cause);
	if (want == NULL) {
		assert_int_equal(rv, 0);
		assert_true(json_is_object(args));
		json_decref(args);
		return;
	}
	assert_int_equal(rv, -1);
	assert_null(args);
	assert_non_null(strstr(cause, want));
	free(cause);
}

static void
test_request_parse(void **state)
{
	assert_request("{\"v\":1,\"cmd\":\"status\"}", NULL);
	assert_request("{\"v\":1,\"cmd\":\"tag\",\"args\":{\"feed\":\"f\","
	    "\"changes\":[\"+a\"]}}", NULL);
	assert_request("{\"v\":1,\"cmd\":\"import\",\"args\":{\"feeds\":"
	    "[{\"url\":\"http://a/\"}]}}", NULL);
	assert_request("nope", "bad request");
	assert_request("[]", "not a JSON object");
	assert_request("{\"v\":2,\"cmd\":\"status\"}", "version 2");
	assert_request("{\"v\":1}", "no command");
	assert_request("{\"v\":1,\"cmd\":\"frob\"}", "unknown command");
	assert_request("{\"v\":1,\"cmd\":\"status\",\"args\":3}",
	    "must be an object");
	assert_request("{\"v\":1,\"cmd\":\"feed\"}", "\"feed\" is required");
	assert_request("{\"v\":1,\"cmd\":\"feed\",\"args\":{\"feed\":1}}",
	    "must be a string");
	assert_request("{\"v\":1,\"cmd\":\"backup\",\"args\":{\"file\":"
	    "\"rel\"}}", "absolute path");
	assert_request("{\"v\":1,\"cmd\":\"entries\",\"args\":{\"tag\":\"t\","
	    "\"limit\":-3}}", "a number");
	assert_request("{\"v\":1,\"cmd\":\"tag\",\"args\":{\"feed\":\"f\","
	    "\"changes\":[1]}}", "a list of strings");
	assert_request("{\"v\":1,\"cmd\":\"import\",\"args\":{\"feeds\":"
	    "[1]}}", "a list of objects");
	assert_request("{\"v\":1,\"cmd\":\"tags\",\"args\":{\"x\":1}}",
	    "unknown argument");
	assert_request("{\"v\":1,\"cmd\":\"status\",\"v\":1}", "bad request");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_privilege),
		cmocka_unit_test(test_args_parse),
		cmocka_unit_test(test_request_parse),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
