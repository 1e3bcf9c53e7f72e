/*
 * proto.h: the control protocol between feedmuxctl and feedmuxd.
 *
 * One JSON object per line, each way, over a Unix stream socket.
 *   request:  {"v": 1, "cmd": "refresh", "args": {"feed": "NAME"}}
 *   reply:    {"v": 1, "ok": true, "data": {...}}
 *             {"v": 1, "ok": false, "error": "message"}
 * A client may send several requests on one connection; replies come in
 * order.  Bump PROTO_VERSION when a reply changes incompatibly.
 *
 * Every command is defined once, in proto_cmds (proto.c): its name, its
 * argument and where the argument goes in "args", whether it needs a
 * privileged peer, and a line of help.  The daemon (ctl-cmd.c) and the
 * client (feedmuxctl.c) both read it; each adds only its handler or its
 * printer, indexed by enum proto_cmd_id.
 */
#ifndef PROTO_H
#define PROTO_H

#define PROTO_VERSION		1
#define PROTO_MAX_REQUEST	(64 * 1024)
#define PROTO_MAX_REPLY		(256 * 1024 * 1024)

enum proto_cmd_id {
	PROTO_BACKUP,
	PROTO_FEEDS,
	PROTO_PURGE,
	PROTO_REFRESH,
	PROTO_RELOAD,
	PROTO_RESUME,
	PROTO_STATUS,
	PROTO_TAGS,
	PROTO_NCMDS
};

/* What a command's one argument is. */
enum proto_arg {
	PROTO_ARG_NONE,
	PROTO_ARG_STRING,	/* "args": {key: "ARG"} */
	PROTO_ARG_PATH,		/* the same, made absolute by the client */
	PROTO_ARG_FLAG		/* the word key itself: {key: true} */
};

struct proto_cmd {
	const char	*name;
	enum proto_arg	 arg;
	const char	*key;		/* its name in "args" */
	int		 required;	/* the argument must be given */
	int		 privileged;	/* root, the daemon's user or group */
	const char	*usage;		/* the argument, as usage shows it */
	const char	*help;
};

extern const struct proto_cmd proto_cmds[PROTO_NCMDS];

const struct proto_cmd	*proto_cmd_find(const char *, enum proto_cmd_id *);
char			*proto_cmd_names(void);

#endif
