/*
 * parse-internal.h: the parser's insides, shared by the driver (parse.c),
 * the methods the format files build entries with (parse-field.c) and the
 * format files (parse-rss.c, parse-atom.c, parse-module.c, parse-json.c).
 * Calls go driver -> format files -> parse-field.c, never back.
 */
#ifndef PARSE_INTERNAL_H
#define PARSE_INTERNAL_H

#include <libxml/parser.h>

#include "parse.h"
#include "text.h"
#include "util.h"

/* Namespaces we know, by small number (libxml2 interns URIs per parse). */
enum ns {
	NS_NONE,
	NS_RSS10,
	NS_RSS090,
	NS_RDF,
	NS_ATOM10,
	NS_ATOM03,
	NS_DCEL,
	NS_DCTERMS,
	NS_CONTENTMOD,
	NS_MEDIA,
	NS_ITUNES,
	NS_SY,
	NS_XHTML,
	NS_OTHER
};

/* Elements we know, whatever their namespace. */
enum el {
	EL_OTHER,
	EL_AUTHOR,
	EL_CATEGORY,
	EL_CHANNEL,
	EL_CONTENT,
	EL_CREATED,
	EL_DAY,
	EL_DESCRIPTION,
	EL_DURATION,
	EL_ENCLOSURE,
	EL_ENCODED,
	EL_ENTRY,
	EL_FEED,
	EL_GROUP,
	EL_GUID,
	EL_HOUR,
	EL_ID,
	EL_IMAGE,
	EL_ISSUED,
	EL_ITEM,
	EL_LASTBUILDDATE,
	EL_LINK,
	EL_MODIFIED,
	EL_NAME,
	EL_PUBDATE,
	EL_PUBLISHED,
	EL_RDF,
	EL_RSS,
	EL_SKIPDAYS,
	EL_SKIPHOURS,
	EL_SUMMARY,
	EL_TEXTINPUT,
	EL_THUMBNAIL,
	EL_TITLE,
	EL_TTL,
	EL_UPDATED,
	EL_UPDATEFREQUENCY,
	EL_UPDATEPERIOD,
	/* Dublin Core, which shares names with nothing above. */
	EL_DC_CREATOR,
	EL_DC_DATE,
	EL_DC_SUBJECT,
	EL_DC_MODIFIED,
	EL_ITUNES_AUTHOR,
	/* Fallbacks for a missing core element, and Atom's entry source. */
	EL_DC_TITLE,
	EL_DC_DESCRIPTION,
	EL_DC_AUTHOR,
	EL_ITUNES_SUMMARY,
	EL_SOURCE,
	EL_ITUNES_CATEGORY
};

/* What to do with an element's text when it ends. */
enum field {
	FIELD_NONE,
	FIELD_TITLE,
	FIELD_LINK,
	FIELD_ID,
	FIELD_GUID,
	FIELD_PUBLISHED,
	FIELD_UPDATED,
	FIELD_AUTHOR,		/* a name */
	FIELD_AUTHOR_RSS,	/* "email (Name)" */
	FIELD_AUTHOR_ITUNES,	/* "email (Name)", only if there is no other */
	FIELD_AUTHOR_ALT,	/* a name, only if there is no other */
	FIELD_CATEGORY,
	FIELD_SUMMARY,
	FIELD_CONTENT,
	FIELD_DURATION,
	FIELD_TTL,
	FIELD_HOUR,
	FIELD_DAY,
	FIELD_UPDATE_PERIOD,
	FIELD_UPDATE_FREQUENCY,
	FIELD_TITLE_ALT,	/* only if there is no title */
	FIELD_SUMMARY_ALT	/* only if there is no summary */
};

/* How a collected text is to be read. */
enum text_kind {
	KIND_PLAIN,		/* literal text */
	KIND_HTML,		/* an HTML string */
	KIND_HTML_EXACT,	/* HTML said to be so: never unescaped again */
	KIND_XHTML,		/* inline markup, serialised as we go */
	KIND_SKIP		/* a media type we do not show: dropped */
};

/* How parse-charset.c treats the bytes before libxml2 sees them. */
enum charset_mode {
	CHARSET_PASS,		/* UTF-8, or decoded by libxml2 */
	CHARSET_CP1252,		/* windows-1252, decoded to UTF-8 */
	CHARSET_SNIFF		/* undecided until a non-ASCII byte */
};

struct parse_charset {
	enum charset_mode	 mode;
	enum charset_mode	 fallback;	/* if only ASCII was seen */
	unsigned char		 carry[4];	/* a cut sequence, sniffing */
	size_t			 ncarry;
	struct buf		 pending;
};

#define PARSE_MAX_BASES	16
#define PARSE_MAX_DEPTH	64

/* Internal DTD entities (parse-entity.c): how many, how deep, how big. */
#define PARSE_MAX_ENTITIES	64
#define PARSE_MAX_ENTITY_DEPTH	8
#define PARSE_MAX_ENTITY_BYTES	(1024 * 1024)	/* per document */
#define PARSE_MAX_DOCTYPE	(64 * 1024)

/* A general entity the internal DTD subset declares. */
struct parse_entity {
	char			*name;
	char			*value;		/* NULL: external, not read */
};

struct parser {
	const struct parse_opts	*opts;
	struct doc		*doc;
	parse_item_cb		 cb;
	void			*cb_arg;

	xmlParserCtxtPtr	 ctxt;
	int			 started;
	struct buf		 head;		/* first bytes, until started */
	int			 is_json;
	struct buf		 json;		/* JSON Feeds are read whole */
	struct parse_charset	 charset;
	struct buf		 decoded;	/* after parse_charset_chunk */
	struct text_cleaner	 cleaner;
	struct buf		 clean;
	struct buf		 fixed;		/* after parser_fix_amps */
	struct buf		 fixcarry;	/* undecided tail */
	int			 in_cdata;
	size_t			 nbytes;

	/* The internal DTD subset's entities (parse-entity.c). */
	int			 doctype_done;	/* seen, or too late */
	struct parse_entity	*entities;
	int			 nentities;
	size_t			 entity_bytes;	/* expanded so far */
	size_t			 entity_mark;	/* where this expansion began */

	int			 depth;
	enum el			 stack[PARSE_MAX_DEPTH + 2];
	char			 root[64];	/* an unknown root element */

	/* xml:base in scope, innermost last. */
	struct {
		int		 depth;
		char		*url;
	}			 bases[PARSE_MAX_BASES];
	int			 nbases;

	/* Namespace URIs seen, by pointer (interned by libxml2). */
	struct {
		const xmlChar	*uri;
		enum ns		 ns;
	}			 nscache[8];
	int			 nnscache;

	struct item		*item;
	int			 item_depth;
	struct item		*alt;		/* the item's fallback fields */
	int			 base64;	/* the text is base64 */
	int			 weak_link;	/* 1 item, 2 feed: not HTML */
	int			 guid_permalink;

	struct buf		 text;
	enum field		 field;
	enum text_kind		 kind;
	int			 field_depth;
	int			 xhtml_depth;	/* > 0: serialising markup */

	const xmlChar		**attrs;	/* of the element starting */
	int			 nattrs;

	char			 error[256];	/* first libxml2 error */
	int			 nerrors;
	int			 truncated;
	size_t			 skipped;
};

/* parse-charset.c */
int		 parse_charset_is_cp1252(const char *);
void		 parse_charset_init(struct parse_charset *, enum charset_mode,
		    enum charset_mode);
const char	*parse_charset_chunk(struct parse_charset *, const char *,
		    size_t, int, struct buf *, size_t *);
void		 parse_charset_free(struct parse_charset *);

/* parse-field.c */
enum el		 parser_parent(struct parser *);
char		*parser_attr(struct parser *, const char *);
char		*parser_resolve(struct parser *, const char *);
void		 parser_push_base(struct parser *);
void		 parser_pop_base(struct parser *);
void		 parser_text_begin(struct parser *, enum field, enum text_kind);
char		*parser_text_take(struct parser *);
void		 parser_markup(struct parser *, const char *, int);
void		 parser_set_field(struct parser *, enum field, enum text_kind,
		    char *);
void		 parser_item_begin(struct parser *);
void		 parser_add_enclosure(struct parser *, const char *,
		    const char *, const char *);
void		 parser_add_enclosure_attrs(struct parser *, const char *);
void		 parser_emit(struct parser *, struct item *);

/* parse-entity.c: references rewritten before libxml2 reads them. */
size_t		 parse_entity_ref(struct parser *, const char *, size_t,
		    struct buf *);
size_t		 parse_entity_doctype(struct parser *, const char *, size_t);
void		 parse_entity_free(struct parser *);

/* parse-module.c: elements of modules any format may carry. */
int		 parse_module_item(struct parser *, enum ns, enum el);
void		 parse_module_link(struct parser *);

/* The format files: an element starts; a JSON Feed is read. */
void		 parse_rss_start(struct parser *, enum ns, enum el);
void		 parse_atom_start(struct parser *, enum ns, enum el);
int		 parse_json(struct parser *, char **);

#endif
