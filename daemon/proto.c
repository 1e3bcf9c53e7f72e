/*
 * proto.c: the control commands, each defined once (see proto.h).
 * Shared by feedmuxd and feedmuxctl.
 */
#include "config.h"

#include <string.h>

#include "proto.h"
#include "util.h"

/* Sorted by name; indexed by enum proto_cmd_id. */
const struct proto_cmd proto_cmds[PROTO_NCMDS] = {
	[PROTO_BACKUP] = { "backup", PROTO_ARG_PATH, "file", 1, 1, "FILE",
	    "write a consistent copy of the database to a new FILE" },
	[PROTO_FEEDS] = { "feeds", PROTO_ARG_NONE, NULL, 0, 0, "",
	    "every feed: result, entries, last and next poll, tags" },
	[PROTO_PURGE] = { "purge", PROTO_ARG_STRING, "feed", 0, 1, "[FEED]",
	    "apply retention now, to one feed or all" },
	[PROTO_REFRESH] = { "refresh", PROTO_ARG_STRING, "feed", 0, 1,
	    "[FEED]", "poll one feed or all now; answer when done" },
	[PROTO_RELOAD] = { "reload", PROTO_ARG_NONE, NULL, 0, 1, "",
	    "read the configuration file again" },
	[PROTO_RESUME] = { "resume", PROTO_ARG_STRING, "feed", 1, 1, "FEED",
	    "poll a feed again that said 410 Gone" },
	[PROTO_STATUS] = { "status", PROTO_ARG_FLAG, "brief", 0, 0, "[brief]",
	    "the daemon, its counts and each feed's last poll" },
	[PROTO_TAGS] = { "tags", PROTO_ARG_NONE, NULL, 0, 0, "",
	    "every tag: its URL, feeds, rules and entries" },
};

/* The command called name, or NULL; *id is its index. */
const struct proto_cmd *
proto_cmd_find(const char *name, enum proto_cmd_id *id)
{
	int	i;

	for (i = 0; i < PROTO_NCMDS; i++) {
		if (strcmp(proto_cmds[i].name, name) == 0) {
			if (id != NULL)
				*id = i;
			return (&proto_cmds[i]);
		}
	}
	return (NULL);
}

/* "backup, feeds, ...": every command's name, in a new string. */
char *
proto_cmd_names(void)
{
	struct buf	b;
	int		i;

	buf_init(&b);
	for (i = 0; i < PROTO_NCMDS; i++) {
		if (i > 0)
			buf_addstr(&b, ", ");
		buf_addstr(&b, proto_cmds[i].name);
	}
	return (buf_steal(&b));
}
