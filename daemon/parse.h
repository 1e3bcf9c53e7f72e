/* parse.h: parser plumbing shared by parse.c and the format files. */
#ifndef PARSE_H
#define PARSE_H

#include <libxml/parser.h>

enum field {
	FIELD_NONE,
	FIELD_TITLE,
	FIELD_LINK,
	FIELD_ID,
	FIELD_PUBLISHED,
	FIELD_UPDATED,
	FIELD_AUTHOR,
	FIELD_SUMMARY,		/* HTML */
	FIELD_SUMMARY_TEXT,	/* plain text, escaped on store */
	FIELD_CONTENT,
	FIELD_CONTENT_TEXT,
	FIELD_CATEGORY
};

struct parser {
	struct doc		*doc;
	const char		*base;
	int			 depth;
	char			 root[64];	/* an unknown root element */

	struct item		*item;
	int			 item_depth;
	int			 in_author;	/* atom:author */

	struct buf		 text;
	enum field		 field;
	int			 field_depth;
	int			 xhtml_depth;	/* > 0: collecting markup */

	const xmlChar		**attrs;	/* of the element starting */
	int			 nattrs;

	char			 error[256];	/* first libxml2 error */
	int			 nerrors;
	int			 truncated;
	size_t			 skipped;
};

void	 parser_text_begin(struct parser *, enum field);
void	 parser_xhtml_begin(struct parser *, enum field);
char	*parser_text_take(struct parser *);
void	 parser_set_field(struct parser *, enum field, char *);
char	*parser_attr(struct parser *, const char *);
char	*parser_resolve(struct parser *, const char *);
void	 parser_item_begin(struct parser *);
void	 parser_item_end(struct parser *);

void	 parse_rss_start(struct parser *, const char *, const char *);
void	 parse_atom_start(struct parser *, const char *, const char *);
void	 parse_atom_end(struct parser *, const char *, const char *);

#endif
