/*
 * parse-dump.c: "feedmuxd --parse FILE...": what the parser sees, as JSON
 * Lines, for people whose feed looks wrong and for scripts.  First
 * {"feed": {...}}, then one {"entry": {...}} per entry in document order.
 *
 * The keys are an interface: add keys, never rename or drop one.  Entries
 * are printed as they are parsed, so a file of any size costs little
 * memory; feed keys that a document gives only after its first entry are
 * therefore not shown.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feedmux.h"

struct dump {
	FILE	*out;
	int	 feed_done;
	int	 failed;
};

static json_t *
dump_time(time_t t)
{
	char	buf[UTIL_TIMEBUF];

	return (t != 0 ? json_string(util_format_time(t, buf, sizeof(buf))) :
	    json_null());
}

static json_t *
dump_str(const char *s)
{
	return (s != NULL ? json_string(s) : json_null());
}

static json_t *
dump_strings(char **v, size_t n)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return (a);
}

static void
dump_line(struct dump *d, const char *key, json_t *o)
{
	char	*s;

	s = json_dumps(json_pack("{s:o}", key, o), JSON_COMPACT |
	    JSON_PRESERVE_ORDER);
	if (s == NULL)
		fatalx("%s: json_dumps", __func__);
	if (fputs(s, d->out) == EOF || fputc('\n', d->out) == EOF)
		d->failed = 1;
	free(s);
}

static void
dump_feed(struct dump *d, struct doc *doc)
{
	static const char	*days[] = { "Sunday", "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday" };
	int			 day;
	const struct feed_hints	*h = &doc->hints;
	json_t			*hints, *hours, *dnames;
	int			 i;

	hours = json_array();
	for (i = 0; i < 24; i++) {
		if (h->skip_hours & (1U << i))
			json_array_append_new(hours, json_integer(i));
	}
	dnames = json_array();
	for (i = 1; i <= 7; i++) {	/* Monday first, as ISO 8601 */
		day = i % 7;
		if (h->skip_days & (1U << day))
			json_array_append_new(dnames, json_string(days[day]));
	}
	hints = json_pack("{s:o, s:o, s:o, s:o, s:o}",
	    "ttl", h->ttl ? json_integer(h->ttl) : json_null(),
	    "skip_hours", hours, "skip_days", dnames,
	    "update_period", dump_str(h->update_period),
	    "update_frequency", h->update_frequency ?
	    json_integer(h->update_frequency) : json_null());
	dump_line(d, "feed", json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}",
	    "format", doc_format_name(doc->format),
	    "title", dump_str(doc->title),
	    "link", dump_str(doc->link),
	    "id", dump_str(doc->id),
	    "updated", dump_time(doc->updated),
	    "hints", hints));
	d->feed_done = 1;
}

static void
dump_item(struct doc *doc, struct item *it, void *arg)
{
	struct dump	*d = arg;
	json_t		*enc;
	size_t		 i;

	if (!d->feed_done)
		dump_feed(d, doc);
	enc = json_array();
	for (i = 0; i < it->nenclosures; i++)
		json_array_append_new(enc, json_pack("{s:s, s:o, s:o}",
		    "url", it->enclosures[i].url,
		    "type", dump_str(it->enclosures[i].type),
		    "length", it->enclosures[i].length >= 0 ?
		    json_integer(it->enclosures[i].length) : json_null()));
	dump_line(d, "entry", json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
	    "s:o, s:o, s:o, s:o, s:o}",
	    "id", dump_str(it->id),
	    "title", dump_str(it->title),
	    "link", dump_str(it->link),
	    "published", dump_time(it->published),
	    "updated", dump_time(it->updated),
	    "authors", dump_strings(it->authors, it->nauthors),
	    "categories", dump_strings(it->categories, it->ncategories),
	    "summary", dump_str(it->summary),
	    "content", dump_str(it->content),
	    "enclosures", enc,
	    "image", dump_str(it->image),
	    "duration", it->duration ? json_integer(it->duration) :
	    json_null()));
	item_free(it);
}

/* Parse one file, printing as we go.  0, or -1 with a message printed. */
static int
dump_file(const char *path, const struct parse_opts *opts, FILE *out)
{
	struct dump	 d = { out, 0, 0 };
	struct parser	*p;
	struct doc	*doc;
	FILE		*f;
	char		 chunk[65536], *cause;
	size_t		 n;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "feedmuxd: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	p = parse_new(opts, dump_item, &d);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		parse_push(p, chunk, n);
	if (ferror(f)) {
		fprintf(stderr, "feedmuxd: %s: read error\n", path);
		parse_end(p, &doc, &cause);
		doc_free(doc);
		free(cause);
		if (f != stdin)
			fclose(f);
		return (-1);
	}
	if (f != stdin)
		fclose(f);
	if (parse_end(p, &doc, &cause) != 0) {
		fprintf(stderr, "feedmuxd: %s: %s\n", path, cause);
		free(cause);
		return (-1);
	}
	if (!d.feed_done)
		dump_feed(&d, doc);
	if (cause != NULL) {
		fprintf(stderr, "feedmuxd: %s: %s\n", path, cause);
		free(cause);
	}
	doc_free(doc);
	return (d.failed ? -1 : 0);
}

/*
 * Dump each file; base and charset stand for where it was fetched from
 * and the HTTP charset.  Returns the exit status.
 */
int
parse_dump_files(char **files, int nfiles, const char *base,
    const char *charset)
{
	struct parse_opts	opts;
	int			i, rv = 0;

	parse_opts_init(&opts);
	opts.base = base;
	opts.charset = charset;
	opts.max_items = SIZE_MAX;	/* streamed: no need to cap */
	for (i = 0; i < nfiles; i++) {
		if (dump_file(files[i], &opts, stdout) != 0)
			rv = 1;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "feedmuxd: writing output failed\n");
		rv = 1;
	}
	return (rv);
}
