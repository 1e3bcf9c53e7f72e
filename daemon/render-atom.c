/*
 * render-atom.c: a tag's entries to an Atom 1.0 document (RFC 4287).
 *
 * Runs on the worker thread; the result is a struct body that the loop
 * thread caches and serves as is.  xmlTextWriter does all escaping.  Each
 * entry keeps its original id and carries a <source> naming its feed, so
 * that readers can tell where it came from (RFC 4287 section 4.2.11).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "feedmux.h"

static void	atom_time(xmlTextWriterPtr, const char *, time_t);
static void	atom_element(xmlTextWriterPtr, const char *, const char *);
static void	atom_link(xmlTextWriterPtr, const char *, const char *,
		    const char *);
static void	atom_entry(xmlTextWriterPtr, struct item *);

void
body_ref(struct body *b)
{
	b->refs++;
}

void
body_unref(struct body *b)
{
	if (b == NULL || --b->refs > 0)
		return;
	free(b->tag);
	free(b->data);
	free(b);
}

static void
atom_time(xmlTextWriterPtr w, const char *name, time_t t)
{
	char	buf[UTIL_TIMEBUF];

	xmlTextWriterWriteElement(w, BAD_CAST name,
	    BAD_CAST util_format_time(t, buf, sizeof(buf)));
}

static void
atom_element(xmlTextWriterPtr w, const char *name, const char *value)
{
	if (value != NULL)
		xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST value);
}

static void
atom_link(xmlTextWriterPtr w, const char *rel, const char *type,
    const char *href)
{
	if (href == NULL)
		return;
	xmlTextWriterStartElement(w, BAD_CAST "link");
	xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST rel);
	if (type != NULL)
		xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST type);
	xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST href);
	xmlTextWriterEndElement(w);
}

static void
atom_html(xmlTextWriterPtr w, const char *name, const char *html)
{
	if (html == NULL)
		return;
	xmlTextWriterStartElement(w, BAD_CAST name);
	xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "html");
	xmlTextWriterWriteString(w, BAD_CAST html);
	xmlTextWriterEndElement(w);
}

static void
atom_enclosure(xmlTextWriterPtr w, const struct enclosure *e)
{
	xmlTextWriterStartElement(w, BAD_CAST "link");
	xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST "enclosure");
	xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST e->url);
	if (e->type != NULL)
		xmlTextWriterWriteAttribute(w, BAD_CAST "type",
		    BAD_CAST e->type);
	if (e->length >= 0)
		xmlTextWriterWriteFormatAttribute(w, BAD_CAST "length",
		    "%lld", (long long)e->length);
	xmlTextWriterEndElement(w);
}

static void
atom_entry(xmlTextWriterPtr w, struct item *it)
{
	const char	*source_title;
	size_t		 i;

	source_title = it->source_title != NULL ? it->source_title :
	    it->source_name;
	xmlTextWriterStartElement(w, BAD_CAST "entry");
	atom_element(w, "id", it->id != NULL ? it->id : it->uid);
	atom_element(w, "title", it->title != NULL ? it->title : "");
	atom_link(w, "alternate", "text/html", it->link);
	atom_time(w, "updated", it->updated ? it->updated : it->sort_time);
	if (it->published != 0)
		atom_time(w, "published", it->published);
	/* Atom wants an author; the publishing feed is the honest fallback. */
	for (i = 0; i < it->nauthors || (i == 0 && it->nauthors == 0); i++) {
		xmlTextWriterStartElement(w, BAD_CAST "author");
		atom_element(w, "name", it->nauthors > 0 ? it->authors[i] :
		    source_title);
		xmlTextWriterEndElement(w);
	}
	for (i = 0; i < it->nenclosures; i++)
		atom_enclosure(w, &it->enclosures[i]);
	for (i = 0; i < it->ncategories; i++) {
		xmlTextWriterStartElement(w, BAD_CAST "category");
		xmlTextWriterWriteAttribute(w, BAD_CAST "term",
		    BAD_CAST it->categories[i]);
		xmlTextWriterEndElement(w);
	}
	atom_html(w, "summary", it->summary);
	atom_html(w, "content", it->content);

	xmlTextWriterStartElement(w, BAD_CAST "source");
	atom_element(w, "id", it->source_url);
	atom_element(w, "title", source_title);
	atom_link(w, "alternate", "text/html", it->source_link);
	atom_link(w, "self", NULL, it->source_url);
	xmlTextWriterEndElement(w);

	xmlTextWriterEndElement(w);
}

/*
 * Render the Atom feed of one tag.  base is the public URL prefix of this
 * daemon ("http://host:port"), used for the feed's id and self link.
 */
struct body *
render_atom(const char *tag, struct items *items, const char *base)
{
	xmlBufferPtr		 xb;
	xmlTextWriterPtr	 w;
	struct item		*it;
	struct body		*b;
	char			*self, *home, *title;
	time_t			 updated = 0, t;
	int			 n = 0;

	TAILQ_FOREACH(it, items, entry) {
		t = it->updated ? it->updated : it->sort_time;
		if (t > updated)
			updated = t;
		n++;
	}
	xasprintf(&self, "%s/tags/%s.atom", base, tag);
	xasprintf(&home, "%s/", base);
	xasprintf(&title, "feedmux: %s", tag);

	if ((xb = xmlBufferCreate()) == NULL ||
	    (w = xmlNewTextWriterMemory(xb, 0)) == NULL)
		fatalx("%s: out of memory", __func__);
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	xmlTextWriterStartDocument(w, "1.0", "utf-8", NULL);
	xmlTextWriterStartElement(w, BAD_CAST "feed");
	xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST NS_ATOM);
	atom_element(w, "id", self);
	atom_element(w, "title", title);
	atom_time(w, "updated", updated ? updated : time(NULL));
	atom_link(w, "self", "application/atom+xml", self);
	atom_link(w, "alternate", "text/html", home);
	xmlTextWriterStartElement(w, BAD_CAST "generator");
	xmlTextWriterWriteAttribute(w, BAD_CAST "uri", BAD_CAST FEEDMUX_URL);
	xmlTextWriterWriteAttribute(w, BAD_CAST "version",
	    BAD_CAST PACKAGE_VERSION);
	xmlTextWriterWriteString(w, BAD_CAST "feedmux");
	xmlTextWriterEndElement(w);
	TAILQ_FOREACH(it, items, entry)
		atom_entry(w, it);
	xmlTextWriterEndDocument(w);
	xmlFreeTextWriter(w);

	b = xcalloc(1, sizeof(*b));
	b->refs = 1;
	b->tag = xstrdup(tag);
	b->len = xmlBufferLength(xb);
	b->data = xmalloc(b->len + 1);
	memcpy(b->data, xmlBufferContent(xb), b->len);
	b->data[b->len] = '\0';
	b->updated = updated;
	b->nitems = n;
	snprintf(b->etag, sizeof(b->etag), "\"%016llx\"",
	    (unsigned long long)util_hash64(b->data, b->len, 0));
	xmlBufferFree(xb);
	free(self);
	free(home);
	free(title);
	return (b);
}
