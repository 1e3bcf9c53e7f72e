/*
 * text.h: text utilities for the parser, the store and the renderers:
 * UTF-8 cleaning, HTML entities, HTML to plain text, and one escaper for
 * each language feedmux writes (XML, HTML, JSON).  No daemon state.
 */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>

struct buf;
struct _xmlEntity;

/* State of text_clean_chunk across the chunks of one stream. */
struct text_cleaner {
	int		utf8;		/* validate UTF-8, not only strip C0 */
	unsigned char	carry[4];
	size_t		ncarry;
};

const char	*text_clean_chunk(struct text_cleaner *, const char *, size_t,
		    int, struct buf *, size_t *);
char		*text_clean(const char *);
size_t		 text_utf8_encode(unsigned int, char *);
int		 text_utf8_seq(const unsigned char *, size_t, int *);
void		 text_cap(char *, size_t);

struct _xmlEntity *text_html_entity(const char *);
char		*text_from_html(char *);
char		*text_collapse(char *);
char		*text_unescape_twice(char *);
char		*text_base64_decode(const char *);

/* The languages text_escape writes; see its tables in text.c. */
enum text_lang {
	TEXT_XML,		/* XML character data */
	TEXT_XML_ATTR,		/* an XML attribute value in double quotes */
	TEXT_HTML,		/* HTML text */
	TEXT_HTML_ATTR		/* an HTML attribute value, either quote */
};

void		 text_escape(struct buf *, const char *, size_t,
		    enum text_lang);
char		*text_escape_html(const char *);
void		 text_json_string(struct buf *, const char *);
void		 text_json_strings(struct buf *, char **, size_t);

#endif
