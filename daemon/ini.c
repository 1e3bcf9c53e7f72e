/*
 * ini.c: the INI syntax, for feedmuxd's configuration and for feedmuxctl
 * (which reads control_socket from the same file).
 *
 * We had libinih, whose line buffer (200 bytes) made a long feed URL
 * impossible to write and whose line numbers came too late for some
 * errors.  This reader takes lines of up to INI_LINE_MAX bytes, reports
 * every error as "file:line: message" at the line that has it, and
 * otherwise reads what libinih read, as feedmux built it:
 *
 *   - a UTF-8 byte order mark before the first line is skipped;
 *   - a line whose first non-blank character is '#' or ';' is a comment;
 *   - "[name]" starts a section; only blanks or a comment may follow;
 *   - "key = value" (or "key: value", whichever comes first) sets a key,
 *     blanks around key and value dropped; in the value, a ';' after a
 *     blank starts a comment, a '#' does not;
 *   - an indented line is an error (libinih read it as the continuation
 *     of the previous value, a trap we keep closed);
 *   - a NUL byte, or a line longer than INI_LINE_MAX, is an error.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

/* One read of one source. */
struct ini_read {
	FILE		*fp;		/* a file, or ... */
	const char	*str;		/* ... the rest of a string */
	const char	*file;		/* for messages */
	int		 line;
	char		*buf;		/* INI_LINE_MAX + 1 bytes */
	char		*section;
	ini_cb		 cb;
	void		*arg;
	char		*error;		/* "file:line: message" */
};

static int	 ini_read(struct ini_read *, char **);
static int	 ini_next_line(struct ini_read *, size_t *);
static int	 ini_next_file_line(struct ini_read *, size_t *);
static int	 ini_line(struct ini_read *, char *, size_t);
static int	 ini_section(struct ini_read *, char *);
static int	 ini_setting(struct ini_read *, char *);
static char	*ini_comment(char *, const char *);

/* "file:line: message", for the reader and for its callers. */
char *
ini_error(const char *file, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *s;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	xasprintf(&s, "%s:%d: %s", file, line, msg);
	free(msg);
	return (s);
}

/*
 * Read fp, named file in messages.  0 when all was read; -1 at a syntax
 * error (*cause says it) or when the callback stopped (*cause NULL).
 */
int
ini_read_file(FILE *fp, const char *file, ini_cb cb, void *arg,
    char **cause)
{
	struct ini_read	r;

	memset(&r, 0, sizeof(r));
	r.fp = fp;
	r.file = file;
	r.cb = cb;
	r.arg = arg;
	return (ini_read(&r, cause));
}

/* The same from a string (a NUL ends it). */
int
ini_read_string(const char *text, const char *file, ini_cb cb, void *arg,
    char **cause)
{
	struct ini_read	r;

	memset(&r, 0, sizeof(r));
	r.str = text;
	r.file = file;
	r.cb = cb;
	r.arg = arg;
	return (ini_read(&r, cause));
}

static int
ini_read(struct ini_read *r, char **cause)
{
	size_t	len;
	int	rv;

	*cause = NULL;
	r->buf = xmalloc(INI_LINE_MAX + 1);
	r->section = xstrdup("");
	while ((rv = ini_next_line(r, &len)) == 1) {
		if ((rv = ini_line(r, r->buf, len)) != 0)
			break;
	}
	free(r->buf);
	free(r->section);
	*cause = r->error;
	return (rv == 0 ? 0 : -1);
}

/* The next line into r->buf, newline dropped: 1, 0 at the end, -1. */
static int
ini_next_line(struct ini_read *r, size_t *len)
{
	size_t	n;

	if (r->fp != NULL)
		return (ini_next_file_line(r, len));
	if (*r->str == '\0')
		return (0);
	r->line++;
	n = strcspn(r->str, "\n");
	if (n > INI_LINE_MAX) {
		r->error = ini_error(r->file, r->line, "line too long (at "
		    "most %d characters)", INI_LINE_MAX);
		return (-1);
	}
	memcpy(r->buf, r->str, n);
	r->buf[n] = '\0';
	r->str += n + (r->str[n] == '\n');
	*len = n;
	return (1);
}

/*
 * A line of a file, read a byte at a time: fgets would hide a NUL byte,
 * and a config file is small.
 */
static int
ini_next_file_line(struct ini_read *r, size_t *len)
{
	size_t	n = 0;
	int	c;

	if ((c = getc(r->fp)) == EOF) {
		if (!ferror(r->fp))
			return (0);
		xasprintf(&r->error, "%s: read error", r->file);
		return (-1);
	}
	r->line++;
	while (c != EOF && c != '\n') {
		if (n == INI_LINE_MAX) {
			r->error = ini_error(r->file, r->line, "line too long "
			    "(at most %d characters)", INI_LINE_MAX);
			return (-1);
		}
		r->buf[n++] = (char)c;
		c = getc(r->fp);
	}
	if (ferror(r->fp)) {
		xasprintf(&r->error, "%s: read error", r->file);
		return (-1);
	}
	r->buf[n] = '\0';
	*len = n;
	return (1);
}

/* One line: a comment, a blank line, a section header or a setting. */
static int
ini_line(struct ini_read *r, char *line, size_t len)
{
	char	*p;

	if (memchr(line, '\0', len) != NULL) {
		r->error = ini_error(r->file, r->line, "NUL byte in line");
		return (-1);
	}
	if (r->line == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
		line += 3;
	p = util_trim(line);
	if (*p == '\0' || *p == '#' || *p == ';')
		return (0);
	if (p != line) {
		r->error = ini_error(r->file, r->line, "indented line "
		    "(continuation lines are not supported)");
		return (-1);
	}
	if (*p == '[')
		return (ini_section(r, p));
	return (ini_setting(r, p));
}

/* "[name]", then nothing but a comment. */
static int
ini_section(struct ini_read *r, char *hdr)
{
	char	*end, *rest;

	if ((end = strchr(hdr, ']')) == NULL) {
		r->error = ini_error(r->file, r->line, "section header "
		    "without ']'");
		return (-1);
	}
	*end = '\0';
	rest = end + 1;
	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest != '\0' && *rest != '#' && *rest != ';') {
		r->error = ini_error(r->file, r->line, "text after the "
		    "section header's ']'");
		return (-1);
	}
	free(r->section);
	r->section = xstrdup(util_trim(hdr + 1));
	return (r->cb(r->arg, r->line, r->section, NULL, NULL));
}

/*
 * The first of the characters stop in s, or else where a comment starts
 * (a ';' after a blank); the NUL if neither.  (libinih's rule.)
 */
static char *
ini_comment(char *s, const char *stop)
{
	int	was_space = 0;

	for (; *s != '\0'; s++) {
		if (stop != NULL && strchr(stop, *s) != NULL)
			break;
		if (was_space && *s == ';')
			break;
		was_space = isspace((unsigned char)*s);
	}
	return (s);
}

/* "key = value" or "key: value". */
static int
ini_setting(struct ini_read *r, char *line)
{
	char	*sep, *key, *value, c;

	sep = ini_comment(line, "=:");
	if (*sep != '=' && *sep != ':') {
		r->error = ini_error(r->file, r->line, "syntax error "
		    "(expected [section] or key = value)");
		return (-1);
	}
	c = *sep;
	*sep = '\0';
	key = util_trim(line);
	if (*key == '\0') {
		r->error = ini_error(r->file, r->line, "syntax error (no key "
		    "before '%c')", c);
		return (-1);
	}
	value = sep + 1;
	*ini_comment(value, NULL) = '\0';
	value = util_trim(value);
	return (r->cb(r->arg, r->line, r->section, key, value));
}
