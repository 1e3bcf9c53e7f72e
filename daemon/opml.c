/*
 * opml.c: OPML in and out.  An outline with an xmlUrl is a feed; the
 * outlines around it (folders) and its category attribute (OPML 2.0:
 * comma-separated, slash-delimited) become its tags.  The file is the
 * admin's, but may come from anywhere: libxml2 reads it with no network,
 * no external entities and no DTD.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "opml.h"
#include "util.h"
#include "xmalloc.h"

/* Folders deeper than this are flattened into the last one. */
#define OPML_MAX_DEPTH	32

static void	opml_walk(xmlNode *, char **, size_t, struct opml_feed **,
		    size_t *, size_t *);
static char	*opml_attr(xmlNode *, const char *);
static void	opml_add_tag(struct opml_feed *, const char *);
static void	opml_escape(FILE *, const char *);

/*
 * A folder or category name as a tag: lower case; letters, digits, '.',
 * '_' and '-', other runs made one '-'; at most 64.  NULL if nothing is
 * left.
 */
char *
opml_tag_name(const char *s)
{
	char	*out;
	size_t	 n = 0;
	int	 dash = 0;

	out = xmalloc(65);
	for (; *s != '\0' && n < 64; s++) {
		if (isalnum((unsigned char)*s) || *s == '.' || *s == '_' ||
		    (*s == '-' && n > 0)) {
			if (dash && n > 0 && n < 63)
				out[n++] = '-';
			dash = 0;
			out[n++] = tolower((unsigned char)*s);
		} else
			dash = 1;
	}
	while (n > 0 && (out[n - 1] == '-' || out[n - 1] == '.'))
		n--;
	out[n] = '\0';
	if (n == 0 || out[0] == '.') {
		free(out);
		return (NULL);
	}
	return (out);
}

static char *
opml_attr(xmlNode *n, const char *name)
{
	xmlChar	*v;
	char	*s;

	if ((v = xmlGetProp(n, (const xmlChar *)name)) == NULL)
		return (NULL);
	s = xstrdup((const char *)v);
	xmlFree(v);
	if (*util_trim(s) == '\0') {
		free(s);
		return (NULL);
	}
	return (s);
}

static void
opml_add_tag(struct opml_feed *f, const char *name)
{
	char	*t;
	size_t	 i;

	if ((t = opml_tag_name(name)) == NULL)
		return;
	for (i = 0; i < f->ntags; i++) {
		if (strcmp(f->tags[i], t) == 0) {
			free(t);
			return;
		}
	}
	f->tags = xreallocarray(f->tags, f->ntags + 1, sizeof(*f->tags));
	f->tags[f->ntags++] = t;
}

/* Outlines under n, with folders (their names) around them. */
static void
opml_walk(xmlNode *n, char **folders, size_t depth, struct opml_feed **out,
    size_t *nout, size_t *skipped)
{
	struct opml_feed	*f;
	char			*url, *name, *cat, *p, *tok, *last;
	size_t			 i;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)n->name, "outline") != 0)
			continue;
		url = opml_attr(n, "xmlUrl");
		if ((name = opml_attr(n, "text")) == NULL)
			name = opml_attr(n, "title");
		if (url == NULL) {
			/* A folder, or an outline that is not a feed. */
			if (n->children == NULL) {
				(*skipped)++;
				free(name);
				continue;
			}
			if (depth < OPML_MAX_DEPTH)
				folders[depth] = name;
			opml_walk(n->children, folders, depth <
			    OPML_MAX_DEPTH ? depth + 1 : depth, out, nout,
			    skipped);
			if (depth < OPML_MAX_DEPTH)
				folders[depth] = NULL;
			free(name);
			continue;
		}
		*out = xreallocarray(*out, *nout + 1, sizeof(**out));
		f = &(*out)[(*nout)++];
		memset(f, 0, sizeof(*f));
		f->url = url;
		f->title = name;
		f->link = opml_attr(n, "htmlUrl");
		for (i = 0; i < depth && i < OPML_MAX_DEPTH; i++) {
			if (folders[i] != NULL)
				opml_add_tag(f, folders[i]);
		}
		if ((cat = opml_attr(n, "category")) != NULL) {
			p = cat;
			while ((tok = strsep(&p, ",")) != NULL) {
				/* "/Tech/Linux": the last part names it. */
				last = strrchr(tok, '/');
				opml_add_tag(f, last != NULL ? last + 1 : tok);
			}
			free(cat);
		}
	}
}

/*
 * Read an OPML file's feeds into a new array (*n of them); *skipped is how
 * many outlines were neither feeds nor folders.  -1 and *cause on error.
 */
int
opml_read(const char *path, struct opml_feed **out, size_t *n,
    size_t *skipped, char **cause)
{
	xmlDoc	*doc;
	xmlNode	*root, *c;
	char	*folders[OPML_MAX_DEPTH] = { NULL };

	*out = NULL;
	*n = *skipped = 0;
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	if (doc == NULL) {
		xasprintf(cause, "%s: not a well-formed XML file (%s)", path,
		    xmlGetLastError() != NULL ?
		    util_trim(xmlGetLastError()->message) : "unreadable");
		return (-1);
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || strcmp((const char *)root->name, "opml") != 0) {
		xasprintf(cause, "%s: not OPML (the root element is not "
		    "<opml>)", path);
		xmlFreeDoc(doc);
		return (-1);
	}
	for (c = root->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, "body") == 0)
			opml_walk(c->children, folders, 0, out, n, skipped);
	}
	xmlFreeDoc(doc);
	return (0);
}

void
opml_free(struct opml_feed *v, size_t n)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		free(v[i].url);
		free(v[i].title);
		free(v[i].link);
		for (j = 0; j < v[i].ntags; j++)
			free(v[i].tags[j]);
		free(v[i].tags);
	}
	free(v);
}

/* An attribute value, escaped for XML. */
static void
opml_escape(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\t':
		case '\n':
		case '\r':
			fprintf(fp, "&#%d;", *s);
			break;
		default:
			/* XML 1.0 has no other control characters. */
			if ((unsigned char)*s >= 0x20)
				fputc(*s, fp);
		}
	}
}

/* An OPML 2.0 document of feeds; tags go in category. */
void
opml_write(FILE *fp, const struct opml_feed *v, size_t n)
{
	char	 date[64];
	time_t	 now = time(NULL);
	size_t	 i, j;

	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT",
	    gmtime(&now));
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<opml version=\"2.0\">\n<head>\n<title>feedmux "
	    "subscriptions</title>\n<dateCreated>%s</dateCreated>\n"
	    "</head>\n<body>\n", date);
	for (i = 0; i < n; i++) {
		fputs("<outline type=\"rss\" text=\"", fp);
		opml_escape(fp, v[i].title != NULL ? v[i].title : v[i].url);
		fputs("\" xmlUrl=\"", fp);
		opml_escape(fp, v[i].url);
		fputc('"', fp);
		if (v[i].link != NULL) {
			fputs(" htmlUrl=\"", fp);
			opml_escape(fp, v[i].link);
			fputc('"', fp);
		}
		if (v[i].ntags > 0) {
			fputs(" category=\"", fp);
			for (j = 0; j < v[i].ntags; j++) {
				if (j > 0)
					fputc(',', fp);
				opml_escape(fp, v[i].tags[j]);
			}
			fputc('"', fp);
		}
		fputs("/>\n", fp);
	}
	fputs("</body>\n</opml>\n", fp);
}
