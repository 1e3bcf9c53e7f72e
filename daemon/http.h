/*
 * http.h: the HTTP front end (libevent's evhttp), answering from the
 * render cache only: no store, no rendering on the request path.
 */
#ifndef HTTP_H
#define HTTP_H

struct conf;
struct event_base;

int	http_start(struct event_base *, struct conf *);
void	http_configure(struct conf *);
void	http_stop(void);

#endif
