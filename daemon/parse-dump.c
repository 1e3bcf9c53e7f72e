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

#include "parse.h"
#include "text.h"
#include "util.h"

struct dump {
	FILE		*out;
	struct buf	 line;
	int		 feed_done;
	int		 failed;
};

/*
 * The output is written by hand, not with jansson: it is the bulk of what
 * --parse does (jansson's per-character escaping and UTF-8 checks were
 * half the run time on a 50 MB feed), and every string is already valid
 * UTF-8 without C0 controls, so only '"', '\\' and the controls the
 * parser keeps (tab, CR, LF) need escaping.
 */
/* ,"key": */
static void
json_put_key(struct buf *b, const char *key, int first)
{
	if (!first)
		buf_addc(b, ',');
	text_json_string(b, key);
	buf_addc(b, ':');
}

static void
json_put_time(struct buf *b, time_t t)
{
	char	tbuf[UTIL_TIMEBUF];

	if (t == 0)
		buf_addstr(b, "null");
	else
		text_json_string(b, util_format_time(t, tbuf, sizeof(tbuf)));
}

static void
json_put_int(struct buf *b, long long v, int null_if_zero)
{
	char	nbuf[32];

	if (v == 0 && null_if_zero) {
		buf_addstr(b, "null");
		return;
	}
	snprintf(nbuf, sizeof(nbuf), "%lld", v);
	buf_addstr(b, nbuf);
}

static void
dump_flush(struct dump *d)
{
	buf_addstr(&d->line, "}}\n");
	if (fwrite(d->line.data, 1, d->line.len, d->out) != d->line.len)
		d->failed = 1;
	buf_reset(&d->line);
}

static void
dump_feed(struct dump *d, struct doc *doc)
{
	static const char	*days[] = { "Sunday", "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday" };
	const struct feed_hints	*h = &doc->hints;
	struct buf		*b = &d->line;
	int			 i, day, n;

	buf_addstr(b, "{\"feed\":{");
	json_put_key(b, "format", 1);
	text_json_string(b, doc_format_name(doc->format));
	json_put_key(b, "title", 0);
	text_json_string(b, doc->title);
	json_put_key(b, "link", 0);
	text_json_string(b, doc->link);
	json_put_key(b, "id", 0);
	text_json_string(b, doc->id);
	json_put_key(b, "updated", 0);
	json_put_time(b, doc->updated);
	json_put_key(b, "hints", 0);
	buf_addc(b, '{');
	json_put_key(b, "ttl", 1);
	json_put_int(b, h->ttl, 1);
	json_put_key(b, "skip_hours", 0);
	buf_addc(b, '[');
	for (i = n = 0; i < 24; i++) {
		if (h->skip_hours & (1U << i)) {
			if (n++ > 0)
				buf_addc(b, ',');
			json_put_int(b, i, 0);
		}
	}
	buf_addc(b, ']');
	json_put_key(b, "skip_days", 0);
	buf_addc(b, '[');
	for (i = 1, n = 0; i <= 7; i++) {	/* Monday first, as ISO 8601 */
		day = i % 7;
		if (h->skip_days & (1U << day)) {
			if (n++ > 0)
				buf_addc(b, ',');
			text_json_string(b, days[day]);
		}
	}
	buf_addc(b, ']');
	json_put_key(b, "update_period", 0);
	text_json_string(b, h->update_period);
	json_put_key(b, "update_frequency", 0);
	json_put_int(b, h->update_frequency, 1);
	buf_addc(b, '}');
	dump_flush(d);
	d->feed_done = 1;
}

static void
dump_item(struct doc *doc, struct item *it, void *arg)
{
	struct dump		*d = arg;
	struct buf		*b = &d->line;
	struct enclosure	*e;
	size_t			 i;

	if (!d->feed_done)
		dump_feed(d, doc);
	buf_addstr(b, "{\"entry\":{");
	json_put_key(b, "id", 1);
	text_json_string(b, it->id);
	json_put_key(b, "title", 0);
	text_json_string(b, it->title);
	json_put_key(b, "link", 0);
	text_json_string(b, it->link);
	json_put_key(b, "published", 0);
	json_put_time(b, it->published);
	json_put_key(b, "updated", 0);
	json_put_time(b, it->updated);
	json_put_key(b, "authors", 0);
	text_json_strings(b, it->authors, it->nauthors);
	json_put_key(b, "categories", 0);
	text_json_strings(b, it->categories, it->ncategories);
	json_put_key(b, "summary", 0);
	text_json_string(b, it->summary);
	json_put_key(b, "content", 0);
	text_json_string(b, it->content);
	json_put_key(b, "enclosures", 0);
	buf_addc(b, '[');
	for (i = 0; i < it->nenclosures; i++) {
		e = &it->enclosures[i];
		buf_addstr(b, i > 0 ? ",{" : "{");
		json_put_key(b, "url", 1);
		text_json_string(b, e->url);
		json_put_key(b, "type", 0);
		text_json_string(b, e->type);
		json_put_key(b, "length", 0);
		if (e->length >= 0)
			json_put_int(b, e->length, 0);
		else
			buf_addstr(b, "null");
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
	json_put_key(b, "image", 0);
	text_json_string(b, it->image);
	json_put_key(b, "duration", 0);
	json_put_int(b, it->duration, 1);
	dump_flush(d);
	item_free(it);
}

/* Parse one file, printing as we go.  0, or -1 with a message printed. */
static int
dump_file(const char *path, const struct parse_opts *opts, FILE *out)
{
	struct dump	 d;
	struct parser	*p;
	struct doc	*doc;
	FILE		*f;
	char		 chunk[65536], *cause;
	size_t		 n;

	memset(&d, 0, sizeof(d));
	d.out = out;
	buf_init(&d.line);
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
		buf_free(&d.line);
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
		buf_free(&d.line);
		return (-1);
	}
	if (!d.feed_done)
		dump_feed(&d, doc);
	if (cause != NULL) {
		fprintf(stderr, "feedmuxd: %s: %s\n", path, cause);
		free(cause);
	}
	doc_free(doc);
	buf_free(&d.line);
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
