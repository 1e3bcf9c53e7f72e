/* fuzz-conf.c: libFuzzer target for the configuration reader. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	*conf;
	char		*s, *cause = NULL;

	if (size > 65536)
		return (0);
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if ((conf = conf_load_string("fuzz.conf", s, &cause)) != NULL)
		conf_unref(conf);
	free(cause);
	free(s);
	return (0);
}
