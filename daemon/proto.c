/*
 * proto.c: the control commands, each defined once (see proto.h), and
 * the two ends of a request: a command line made into "args" (the
 * client), and a request line checked against the table (the daemon).
 * Shared by feedmuxd and feedmuxctl.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "util.h"
#include "xmalloc.h"

/* Sorted by name; indexed by enum proto_cmd_id. */
const struct proto_cmd proto_cmds[PROTO_NCMDS] = {
	[PROTO_ADD] = { "add", PROTO_ARG_STRING, "url", 1, 1,
	    "URL [--name N] [--tag T]... [--interval I] [--force]",
	    "add a feed at run time; it is fetched once and what was found "
	    "is shown (--force keeps it even if that fetch fails)", NULL, {
		{ "name", 0, PROTO_ARG_STRING, "N" },
		{ "tag", 0, PROTO_ARG_LIST, "T" },
		{ "interval", 0, PROTO_ARG_STRING, "I" },
		{ "force", 0, PROTO_ARG_FLAG, NULL } } },
	[PROTO_BACKUP] = { "backup", PROTO_ARG_PATH, "file", 1, 1, "FILE",
	    "write a consistent copy of the database to a new FILE", NULL,
	    { { NULL, 0, 0, NULL } } },
	[PROTO_ENTRIES] = { "entries", PROTO_ARG_STRING, "tag", 1, 0,
	    "TAG [-n N]", "the newest N entries a tag serves (default 20)",
	    NULL, { { "limit", 'n', PROTO_ARG_INT, "N" } } },
	[PROTO_EXPORT] = { "export", PROTO_ARG_NONE, NULL, 0, 0, "",
	    "every feed as OPML, tags as categories", NULL,
	    { { NULL, 0, 0, NULL } } },
	[PROTO_FEED] = { "feed", PROTO_ARG_STRING, "feed", 1, 0, "NAME",
	    "everything known about one feed", NULL,
	    { { NULL, 0, 0, NULL } } },
	[PROTO_FEEDS] = { "feeds", PROTO_ARG_NONE, NULL, 0, 0,
	    "[--tag T] [--state S]",
	    "every feed (or those with tag T, or in state S: ok, failing, "
	    "gone, new, paused, disabled): result, entries, polls, tags",
	    NULL, {
		{ "tag", 0, PROTO_ARG_STRING, "T" },
		{ "state", 0, PROTO_ARG_STRING, "S" } } },
	[PROTO_IMPORT] = { "import", PROTO_ARG_FEEDS, "file", 1, 1,
	    "FILE.opml", "add the feeds of an OPML file (categories become "
	    "tags); duplicates and bad outlines are reported and skipped",
	    NULL, { { NULL, 0, 0, NULL } } },
	[PROTO_PAUSE] = { "pause", PROTO_ARG_STRING, "feed", 1, 1, "FEED",
	    "stop polling a feed (its entries stay served) until resume",
	    NULL, { { NULL, 0, 0, NULL } } },
	[PROTO_PURGE] = { "purge", PROTO_ARG_STRING, "feed", 0, 1, "[FEED]",
	    "apply retention now, to one feed or all", NULL,
	    { { NULL, 0, 0, NULL } } },
	[PROTO_REFRESH] = { "refresh", PROTO_ARG_STRING, "feed", 0, 1,
	    "FEED|--all [--wait]", "poll one feed or all now; with --wait, "
	    "answer when the polls are done and served", NULL, {
		{ "all", 0, PROTO_ARG_FLAG, NULL },
		{ "wait", 0, PROTO_ARG_FLAG, NULL } } },
	[PROTO_RELOAD] = { "reload", PROTO_ARG_NONE, NULL, 0, 1, "",
	    "read the configuration file again; answer when it is served",
	    NULL, { { NULL, 0, 0, NULL } } },
	[PROTO_REMOVE] = { "remove", PROTO_ARG_STRING, "feed", 1, 1,
	    "FEED [--forget]", "remove a feed added at run time (or, with "
	    "--forget, any feed no longer configured) and, with --forget, "
	    "its stored entries", NULL,
	    { { "forget", 0, PROTO_ARG_FLAG, NULL } } },
	[PROTO_RESUME] = { "resume", PROTO_ARG_STRING, "feed", 1, 1, "FEED",
	    "poll a paused feed, or one that said 410 Gone, again now", NULL,
	    { { NULL, 0, 0, NULL } } },
	[PROTO_STATUS] = { "status", PROTO_ARG_FLAG, "brief", 0, 0, "[brief]",
	    "the daemon, its counts and each feed's last poll", NULL,
	    { { NULL, 0, 0, NULL } } },
	[PROTO_TAG] = { "tag", PROTO_ARG_STRING, "feed", 1, 1,
	    "FEED +T|-T...", "add (+T) or take away (-T) a feed's tags",
	    "changes", { { NULL, 0, 0, NULL } } },
	[PROTO_TAGS] = { "tags", PROTO_ARG_NONE, NULL, 0, 0, "",
	    "every tag: its URL, feeds, rules and entries", NULL,
	    { { NULL, 0, 0, NULL } } },
};

static const struct proto_opt	*proto_opt_find(const struct proto_cmd *,
				    const char *, size_t);
static int			 proto_value(const char *, enum proto_arg,
				    const char *, json_t **, char **);

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

/* "add, backup, ...": every command's name, in a new string. */
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

/* The option of pc called name (len bytes of it), or NULL. */
static const struct proto_opt *
proto_opt_find(const struct proto_cmd *pc, const char *name, size_t len)
{
	const struct proto_opt	*o;

	for (o = pc->opts; o < pc->opts + PROTO_MAX_OPTS && o->name != NULL;
	    o++) {
		if (len == 1 && o->short_name == *name)
			return (o);
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return (o);
	}
	return (NULL);
}

/* A command-line word as the JSON value type wants; -1 and why. */
static int
proto_value(const char *what, enum proto_arg type, const char *s,
    json_t **out, char **cause)
{
	char		*end, *cwd, *abs;
	long long	 n;

	switch (type) {
	case PROTO_ARG_INT:
		errno = 0;
		n = strtoll(s, &end, 10);
		if (*s == '\0' || *end != '\0' || n < 0 || errno != 0) {
			xasprintf(cause, "%s wants a number, not \"%s\"",
			    what, s);
			return (-1);
		}
		*out = json_integer(n);
		return (0);
	case PROTO_ARG_PATH:
	case PROTO_ARG_FEEDS:
		/* The daemon runs elsewhere ("/"): send an absolute path. */
		if (*s == '/')
			abs = xstrdup(s);
		else if ((cwd = getcwd(NULL, 0)) == NULL) {
			xasprintf(cause, "getcwd: %s", strerror(errno));
			return (-1);
		} else {
			xasprintf(&abs, "%s/%s", cwd, s);
			free(cwd);
		}
		*out = json_string(abs);
		free(abs);
		if (*out == NULL) {
			xasprintf(cause, "%s is not UTF-8", what);
			return (-1);
		}
		return (0);
	default:
		if ((*out = json_string(s)) == NULL) {
			xasprintf(cause, "%s is not UTF-8", what);
			return (-1);
		}
		return (0);
	}
}

/*
 * A command line (the words after the command's name) as the request's
 * "args"; NULL and *cause on a usage error.  An option is --name, --name=V
 * or -X; any other word is the argument, then (for a command with "rest",
 * such as "tag FEED +T -T") one more of the rest.
 */
json_t *
proto_args_parse(const struct proto_cmd *pc, int argc, char **argv,
    char **cause)
{
	const struct proto_opt	*o;
	json_t			*args = json_object(), *v, *list;
	const char		*w, *eq, *value;
	int			 i, npos = 0;

	for (i = 0; i < argc; i++) {
		w = argv[i];
		o = NULL;
		if (strncmp(w, "--", 2) == 0 && w[2] != '\0') {
			eq = strchr(w + 2, '=');
			o = proto_opt_find(pc, w + 2, eq != NULL ?
			    (size_t)(eq - w - 2) : strlen(w + 2));
			if (o == NULL) {
				xasprintf(cause, "%s: unknown option %s",
				    pc->name, w);
				goto fail;
			}
		} else if (w[0] == '-' && w[1] != '\0' && w[2] == '\0') {
			eq = NULL;
			if ((o = proto_opt_find(pc, w + 1, 1)) == NULL &&
			    pc->rest == NULL) {
				xasprintf(cause, "%s: unknown option %s",
				    pc->name, w);
				goto fail;
			}
		}
		if (o != NULL) {
			if (o->type == PROTO_ARG_FLAG) {
				if (eq != NULL) {
					xasprintf(cause, "%s: --%s takes no "
					    "value", pc->name, o->name);
					goto fail;
				}
				json_object_set_new(args, o->name, json_true());
				continue;
			}
			if (eq != NULL)
				value = eq + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			else {
				xasprintf(cause, "%s: --%s wants a value (%s)",
				    pc->name, o->name, o->usage);
				goto fail;
			}
			if (proto_value(o->name, o->type, value, &v,
			    cause) != 0)
				goto fail;
			if (o->type != PROTO_ARG_LIST) {
				json_object_set_new(args, o->name, v);
				continue;
			}
			if ((list = json_object_get(args, o->name)) == NULL) {
				list = json_array();
				json_object_set_new(args, o->name, list);
			}
			json_array_append_new(list, v);
			continue;
		}
		if (npos == 0 && pc->arg != PROTO_ARG_NONE) {
			npos++;
			if (pc->arg == PROTO_ARG_FLAG) {
				if (strcmp(w, pc->key) != 0) {
					xasprintf(cause, "%s: unknown word "
					    "\"%s\"", pc->name, w);
					goto fail;
				}
				json_object_set_new(args, pc->key,
				    json_true());
				continue;
			}
			if (proto_value(pc->key, pc->arg, w, &v, cause) != 0)
				goto fail;
			json_object_set_new(args, pc->key, v);
			continue;
		}
		if (pc->rest == NULL || npos == 0) {
			xasprintf(cause, "%s: too many arguments (\"%s\")",
			    pc->name, w);
			goto fail;
		}
		if ((list = json_object_get(args, pc->rest)) == NULL) {
			list = json_array();
			json_object_set_new(args, pc->rest, list);
		}
		if ((v = json_string(w)) == NULL) {
			xasprintf(cause, "%s: not UTF-8", pc->name);
			goto fail;
		}
		json_array_append_new(list, v);
	}
	if (pc->required && npos == 0) {
		xasprintf(cause, "%s: missing %s", pc->name, pc->usage);
		goto fail;
	}
	return (args);

fail:
	json_decref(args);
	return (NULL);
}

/* What proto_type_ok wants, for the error that says so. */
static const char *const proto_type_names[] = {
	[PROTO_ARG_NONE] = "absent",
	[PROTO_ARG_STRING] = "a string",
	[PROTO_ARG_PATH] = "an absolute path",
	[PROTO_ARG_FLAG] = "true or false",
	[PROTO_ARG_LIST] = "a list of strings",
	[PROTO_ARG_INT] = "a number, 0 or more",
	[PROTO_ARG_FEEDS] = "a list of objects",
};

/* Whether v has the JSON type an argument of this kind is sent as. */
static int
proto_type_ok(enum proto_arg type, json_t *v)
{
	size_t	 i;
	json_t	*e;

	switch (type) {
	case PROTO_ARG_STRING:
		return (json_is_string(v));
	case PROTO_ARG_PATH:
		return (json_is_string(v) && json_string_value(v)[0] == '/');
	case PROTO_ARG_FLAG:
		return (json_is_boolean(v));
	case PROTO_ARG_INT:
		return (json_is_integer(v) && json_integer_value(v) >= 0);
	case PROTO_ARG_LIST:
		if (!json_is_array(v))
			return (0);
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				return (0);
		}
		return (1);
	case PROTO_ARG_FEEDS:
		/* An array of objects; ctl-cmd.c reads each one. */
		if (!json_is_array(v))
			return (0);
		json_array_foreach(v, i, e) {
			if (!json_is_object(e))
				return (0);
		}
		return (1);
	default:
		return (0);
	}
}

/* Whether args suit pc: known keys of the right types; 0, or -1 and why. */
int
proto_args_check(const struct proto_cmd *pc, json_t *args, char **cause)
{
	const struct proto_opt	*o;
	const char		*key, *poskey;
	enum proto_arg		 type;
	json_t			*v;

	/* On the wire, import carries the feeds, not the file's name. */
	poskey = pc->arg == PROTO_ARG_FEEDS ? "feeds" : pc->key;
	json_object_foreach(args, key, v) {
		if (poskey != NULL && strcmp(key, poskey) == 0)
			type = pc->arg;
		else if (pc->rest != NULL && strcmp(key, pc->rest) == 0)
			type = PROTO_ARG_LIST;
		else if ((o = proto_opt_find(pc, key, strlen(key))) != NULL &&
		    strlen(key) > 1)
			type = o->type;
		else {
			xasprintf(cause, "%s: unknown argument \"%s\"",
			    pc->name, key);
			return (-1);
		}
		if (!proto_type_ok(type, v)) {
			xasprintf(cause, "%s: \"%s\" must be %s", pc->name,
			    key, proto_type_names[type]);
			return (-1);
		}
	}
	if (pc->required && json_object_get(args, poskey) == NULL) {
		xasprintf(cause, "%s: \"%s\" is required", pc->name, poskey);
		return (-1);
	}
	return (0);
}

/*
 * One request line: its command and its "args" (a new reference, an
 * object even when the request had none), or -1 and *cause, the error to
 * reply.  Nothing in the line is trusted: it may come from any local user.
 */
int
proto_request_parse(const char *line, size_t len, enum proto_cmd_id *id,
    json_t **args, char **cause)
{
	const struct proto_cmd	*pc;
	json_t			*req, *a;
	json_error_t		 err;
	const char		*cmd;
	json_int_t		 v;
	char			*names;

	*args = NULL;
	if ((req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err)) ==
	    NULL) {
		xasprintf(cause, "bad request: %s", err.text);
		return (-1);
	}
	if (!json_is_object(req))
		xasprintf(cause, "bad request: not a JSON object");
	else if (!json_is_integer(json_object_get(req, "v")))
		xasprintf(cause, "bad request: no protocol version \"v\"");
	else if ((v = json_integer_value(json_object_get(req, "v"))) !=
	    PROTO_VERSION)
		xasprintf(cause, "protocol version %lld not supported (this "
		    "feedmuxd speaks %d)", (long long)v, PROTO_VERSION);
	else if ((cmd = json_string_value(json_object_get(req, "cmd"))) ==
	    NULL)
		xasprintf(cause, "bad request: no command \"cmd\"");
	else if ((pc = proto_cmd_find(cmd, id)) == NULL) {
		names = proto_cmd_names();
		xasprintf(cause, "unknown command \"%s\" (commands: %s)", cmd,
		    names);
		free(names);
	} else if ((a = json_object_get(req, "args")) != NULL &&
	    !json_is_object(a))
		xasprintf(cause, "bad request: \"args\" must be an object");
	else {
		*args = a != NULL ? json_incref(a) : json_object();
		if (proto_args_check(pc, *args, cause) == 0) {
			json_decref(req);
			return (0);
		}
		json_decref(*args);
		*args = NULL;
	}
	json_decref(req);
	return (-1);
}
