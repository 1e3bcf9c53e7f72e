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
		assert_false(pc->required && pc->arg == PROTO_ARG_NONE);
		if (i > 0)
			assert_true(strcmp(proto_cmds[i - 1].name,
			    pc->name) < 0);
		assert_ptr_equal(proto_cmd_find(pc->name, &id), pc);
		assert_int_equal(id, i);
	}
	assert_null(proto_cmd_find("frob", &id));
	names = proto_cmd_names();
	assert_string_equal(names, "backup, feeds, purge, refresh, reload, "
	    "resume, status, tags");
	free(names);
}

/* Only looking is open to every peer that can open the socket. */
static void
test_privilege(void **state)
{
	int	i;

	for (i = 0; i < PROTO_NCMDS; i++) {
		if (i == PROTO_STATUS || i == PROTO_FEEDS || i == PROTO_TAGS)
			assert_false(proto_cmds[i].privileged);
		else
			assert_true(proto_cmds[i].privileged);
	}
	assert_int_equal(proto_cmds[PROTO_STATUS].arg, PROTO_ARG_FLAG);
	assert_string_equal(proto_cmds[PROTO_STATUS].key, "brief");
	assert_int_equal(proto_cmds[PROTO_BACKUP].arg, PROTO_ARG_PATH);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_privilege),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
