/*
 * ctl.h: the control socket.  ctl.c is the server: connections, peer
 * credentials, request lines; it hands each request to the dispatch
 * function given to ctl_start.  ctl-cmd.c handles the commands of
 * proto.h's table and replies through ctl.c.
 */
#ifndef CTL_H
#define CTL_H

#include <time.h>

#include "proto.h"

struct conf;
struct conf_change;
struct ctl_client;
struct event_base;
struct feed;

/* What a command handler did: replied, failed (replied), or answers later. */
enum cmd_retval {
	CMD_OK,
	CMD_ERROR,
	CMD_WAIT
};

typedef enum cmd_retval (*ctl_dispatch_cb)(struct ctl_client *,
    enum proto_cmd_id, json_t *);

/* ctl.c */
int	 ctl_start(struct event_base *, const char *, int, ctl_dispatch_cb);
void	 ctl_stop(void);
void	 ctl_reply_ok(struct ctl_client *, struct json_t *);
void	 ctl_reply_error(struct ctl_client *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 ctl_client_privileged(struct ctl_client *);
void	 ctl_client_peer(struct ctl_client *, long *, long *);
void	 ctl_client_ref(struct ctl_client *);
void	 ctl_client_unref(struct ctl_client *);

/*
 * ctl-cmd.c.  main() applies a configuration for the commands: the file
 * read again (reread) or the running one, with changes (taken; NULL: the
 * running ones) laid over it; done(arg, error) once it is served, error
 * saying why if it could not be stored.  0, or -1 and why.
 */
typedef int (*ctl_apply_cb)(int, struct conf_change *, size_t,
    void (*)(void *, const char *), void *, char **);

void		 ctl_cmd_init(struct event_base *, time_t, int, ctl_apply_cb);
void		 ctl_cmd_configure(struct conf *);
enum cmd_retval	 ctl_cmd_dispatch(struct ctl_client *, enum proto_cmd_id,
		    json_t *);

/* ctl-base.c: polls ended, tags were rendered (NULL); shutting down. */
void		 ctl_base_feed_done(struct feed *);
void		 ctl_base_cancel_all(void);
void		 ctl_cmd_shutdown(void);

#endif
