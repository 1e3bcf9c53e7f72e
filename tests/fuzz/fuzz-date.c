/* fuzz-date.c: libFuzzer target for the date parsers. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;
	time_t	 t;

	if (size > 256)
		return (0);
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	t = date_parse(s);
	/* Whatever is read must format as a date. */
	if (t != 0) {
		char	buf[UTIL_TIMEBUF];

		util_format_time(t, buf, sizeof(buf));
		/* As the JSON schema says: four digits of year, in range. */
		if (strlen(buf) != 20 || buf[4] != '-' ||
		    strcmp(buf, "1970-01-01T00:00:00Z") == 0)
			abort();
	}
	date_parse_rfc3339(s);
	free(s);
	return (0);
}
