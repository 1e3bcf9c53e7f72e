/*
 * fetch.h: HTTP(S) transfers with libcurl's multi interface, on the
 * libevent loop.  A transfer's result goes to the callback given to
 * fetch_start, on the loop thread.
 */
#ifndef FETCH_H
#define FETCH_H

#include "util.h"

struct conf;
struct event_base;
struct sockaddr;

struct fetch_result {
	int		 ok;		/* finished, and its status usable */
	long		 http_status;	/* 0 for file:// */
	char		*error;
	struct buf	 body;
	char		*etag;
	char		*last_modified;
	char		*effective_url;
	char		*charset;	/* of the Content-Type, if any */
	char		*retry_after;	/* raw header values, or NULL */
	char		*cache_control;
	char		*expires;
	int		 redirects;	/* hops followed */
	int		 permanent;	/* every hop was a 301 or 308 */
};

/*
 * A feed's own request settings, borrowed for the call to fetch_start
 * (libcurl copies what it keeps).
 */
struct fetch_opts {
	const char	*user_agent;	/* NULL: the [daemon] user_agent */
	const char	*username;	/* NULL: no authentication */
	const char	*password;	/* never logged */
	char *const	*headers;	/* "Name: value", checked by conf.c */
	size_t		 nheaders;
};

/* The result (NULL if the transfer was cancelled), and the caller's arg. */
typedef void (*fetch_cb)(struct fetch_result *, void *);

int	 fetch_init(struct event_base *, const struct conf *);
void	 fetch_configure(const struct conf *);
void	 fetch_shutdown(void);
void	 fetch_start(const char *, const char *, const char *,
	    const struct fetch_opts *, fetch_cb, void *);
int	 fetch_private_address(const struct sockaddr *);
char	*fetch_host(const char *);
void	 fetch_result_free(struct fetch_result *);
int	 fetch_active(void);

#endif
