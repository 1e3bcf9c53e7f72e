/*
 * sanitize.h: what feedmux republishes is safe.  Entry HTML is cut down to
 * an allow-list of elements and attributes, URLs to http(s) (mailto where
 * a person is meant), and plain text to clean UTF-8 within a length cap.
 * The same rules serve every format and page.
 */
#ifndef SANITIZE_H
#define SANITIZE_H

#include <stddef.h>

struct item;

/* Longest text served, in bytes, cut at a character boundary. */
#define SANITIZE_TITLE_MAX	1024	/* titles of entries and feeds */
#define SANITIZE_NAME_MAX	256	/* authors, categories, names */
#define SANITIZE_SUMMARY_MAX	(64 * 1024)	/* HTML, before cleaning */
#define SANITIZE_CONTENT_MAX	(1024 * 1024)

/* sanitize_url's flags. */
#define SANITIZE_MAILTO		0x1	/* mailto: is fine too */

char	*sanitize_html(const char *, size_t, const char *);
char	*sanitize_url(const char *, const char *, int);
char	*sanitize_text(const char *, size_t);
void	 sanitize_item(struct item *);

#endif
