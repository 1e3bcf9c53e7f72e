/*
 * fuzz-parse.c: libFuzzer target for the feed parser (XML and JSON).
 * Each input is parsed once whole and once in small chunks, so that state
 * carried across chunk boundaries is exercised too.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
drop(struct doc *doc, struct item *it, void *arg)
{
	item_free(it);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_opts	 opts;
	struct parser		*p;
	struct doc		*doc;
	char			*cause;
	size_t			 off, n;

	parse_opts_init(&opts);
	opts.base = "http://example.org/feeds/feed.xml";
	opts.max_items = 100;
	opts.max_field = 64 * 1024;
	if (parse_doc((const char *)data, size, &opts, &doc, &cause) == 0)
		doc_free(doc);
	free(cause);

	/*
	 * Again in 7-byte chunks, with a charset as if from HTTP: one that
	 * libxml2 decodes, one that parse-charset.c sniffs, or none.
	 */
	opts.charset = size == 0 || data[0] % 3 == 0 ? NULL :
	    data[0] % 3 == 1 ? "windows-1251" : "iso-8859-1";
	p = parse_new(&opts, drop, NULL);
	for (off = 0; off < size; off += n) {
		n = size - off < 7 ? size - off : 7;
		parse_push(p, (const char *)data + off, n);
	}
	if (parse_end(p, &doc, &cause) == 0)
		doc_free(doc);
	free(cause);
	return (0);
}
