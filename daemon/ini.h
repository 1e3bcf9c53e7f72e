/*
 * ini.h: a small INI reader, shared by both programs.  It knows the
 * syntax only (sections, "key = value", comments, line numbers); the
 * caller's callback gives the keys their meaning.
 */
#ifndef INI_H
#define INI_H

#include <stdio.h>

/* The longest line, newline not counted; a longer one is an error. */
#define INI_LINE_MAX	65536

/*
 * Called with the line number for each section header (key and value
 * NULL, section the text between the brackets, trimmed) and for each
 * setting (section is the current one, "" before the first header).
 * Return 0 to go on, -1 to stop reading.
 */
typedef int (*ini_cb)(void *, int, const char *, const char *,
    const char *);

int	 ini_read_file(FILE *, const char *, ini_cb, void *, char **);
int	 ini_read_string(const char *, const char *, ini_cb, void *, char **);
char	*ini_error(const char *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
