/*
 * fuzz-proto.c: libFuzzer target for the control protocol's two parsers:
 * a request line as feedmuxd reads it from any local user, and a
 * command line as feedmuxctl turns it into "args" (first byte 0).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Words separated by NUL bytes: a command, then its arguments. */
static void
fuzz_args(const uint8_t *data, size_t size)
{
	const struct proto_cmd	*pc;
	char			*copy, *argv[64], *cause = NULL;
	json_t			*args;
	size_t			 i;
	int			 argc = 0;

	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = copy;
	for (i = 0; i < size && argc < 64; i++) {
		if (copy[i] == '\0')
			argv[argc++] = copy + i + 1;
	}
	if ((pc = proto_cmd_find(argv[0], NULL)) != NULL) {
		args = proto_args_parse(pc, argc - 1, argv + 1, &cause);
		/* What the client makes, the daemon must accept. */
		if (args != NULL && pc->arg != PROTO_ARG_FEEDS &&
		    proto_args_check(pc, args, &cause) != 0)
			abort();
		json_decref(args);
	}
	free(cause);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum proto_cmd_id	 id;
	json_t			*args;
	char			*cause = NULL;

	if (size > PROTO_MAX_REQUEST)
		return (0);
	if (size > 0 && data[0] == 0) {
		fuzz_args(data + 1, size - 1);
		return (0);
	}
	if (proto_request_parse((const char *)data, size, &id, &args,
	    &cause) == 0) {
		if (id >= PROTO_NCMDS || !json_is_object(args))
			abort();
		json_decref(args);
	} else if (cause == NULL)
		abort();
	free(cause);
	return (0);
}
