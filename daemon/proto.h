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
 * positional argument, its --options, where each goes in "args", whether
 * it needs a privileged peer, and a line of help.  The client turns a
 * command line into "args" with proto_args_parse; the daemon checks a
 * request with proto_request_parse before any handler sees it.  Each side
 * adds only its handler or its printer, indexed by enum proto_cmd_id.
 */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>

#include <jansson.h>

#define PROTO_VERSION		1
#define PROTO_MAX_REQUEST	(64 * 1024)
#define PROTO_MAX_REPLY		(256 * 1024 * 1024)
#define PROTO_MAX_OPTS		4

enum proto_cmd_id {
	PROTO_ADD,
	PROTO_BACKUP,
	PROTO_ENTRIES,
	PROTO_EXPORT,
	PROTO_FEED,
	PROTO_FEEDS,
	PROTO_IMPORT,
	PROTO_PAUSE,
	PROTO_PURGE,
	PROTO_REFRESH,
	PROTO_RELOAD,
	PROTO_REMOVE,
	PROTO_RESUME,
	PROTO_STATUS,
	PROTO_TAG,
	PROTO_TAGS,
	PROTO_NCMDS
};

/* What an argument or an option's value is. */
enum proto_arg {
	PROTO_ARG_NONE,
	PROTO_ARG_STRING,	/* "args": {key: "ARG"} */
	PROTO_ARG_PATH,		/* the same, made absolute by the client */
	PROTO_ARG_FLAG,		/* a word or --option alone: {key: true} */
	PROTO_ARG_LIST,		/* a repeatable option: {key: ["A", "B"]} */
	PROTO_ARG_INT,		/* {key: N}, N >= 0 */
	PROTO_ARG_FEEDS		/* import: the client sends {"feeds": [...]} */
};

/* One --option of a command; key is its name without the dashes. */
struct proto_opt {
	const char	*name;
	char		 short_name;	/* -X, or 0 */
	enum proto_arg	 type;
	const char	*usage;		/* its value, as usage shows it */
};

struct proto_cmd {
	const char		*name;
	enum proto_arg		 arg;
	const char		*key;		/* its name in "args" */
	int			 required;	/* the argument must be given */
	int			 privileged;	/* root, the daemon's user or
						   group */
	const char		*usage;		/* the arguments, as usage
						   shows them */
	const char		*help;
	const char		*rest;		/* more words: {rest: [...]} */
	struct proto_opt	 opts[PROTO_MAX_OPTS];
};

extern const struct proto_cmd proto_cmds[PROTO_NCMDS];

const struct proto_cmd	*proto_cmd_find(const char *, enum proto_cmd_id *);
char			*proto_cmd_names(void);
json_t			*proto_args_parse(const struct proto_cmd *, int,
			    char **, char **);
int			 proto_args_check(const struct proto_cmd *,
			    json_t *, char **);
int			 proto_request_parse(const char *, size_t,
			    enum proto_cmd_id *, json_t **, char **);

#endif
