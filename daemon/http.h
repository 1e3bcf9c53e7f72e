/*
 * http.h: the HTTP server: serving threads answering from the render
 * cache only (no store, no rendering on the request path).
 */
#ifndef HTTP_H
#define HTTP_H

struct conf;

int		 http_listen(const struct conf *, int);
int		 http_start(const struct conf *);
void		 http_configure(const struct conf *);
void		 http_stop(void);

#endif
