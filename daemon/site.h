/*
 * site.h: the pages made on the loop thread, from the feeds' state: the
 * index (tags and feed health), the OPML list, the feeds' stylesheet, and
 * each tag's next poll (which sets its feeds' max-age).
 */
#ifndef SITE_H
#define SITE_H

struct conf;
struct event_base;

void	site_init(struct event_base *);
void	site_configure(const struct conf *);
void	site_changed(void);
void	site_refresh(void);
void	site_shutdown(void);

#endif
