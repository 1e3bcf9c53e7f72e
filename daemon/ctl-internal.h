/*
 * ctl-internal.h: what the command handlers share: ctl-base.c (the
 * running configuration, a feed as JSON, replies held until polls, renders
 * or configurations are done), used by ctl-cmd.c (looking, refreshing,
 * reloading) and ctl-change.c (changing feeds at run time).
 */
#ifndef CTL_INTERNAL_H
#define CTL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "ctl.h"
#include "feed.h"
#include "util.h"

struct conf;
struct conf_change;

/* A poll waited for has ended and is served (client NULL: stopping). */
typedef void (*ctl_wait_cb)(struct ctl_client *, struct feed *, void *);

/* A time as RFC 3339 UTC, or JSON null when unknown. */
static inline json_t *
json_time(time_t t)
{
	char	buf[UTIL_TIMEBUF];

	if (t == 0)
		return (json_null());
	return (json_string(util_format_time(t, buf, sizeof(buf))));
}

static inline json_t *
json_str(const char *s)
{
	return (s != NULL ? json_string(s) : json_null());
}

static inline json_t *
json_strings(char **v, size_t n)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return (a);
}

/* The stage a poll failed at, or JSON null when it did not fail. */
static inline json_t *
json_stage(enum stage stage)
{
	if (stage == STAGE_NONE)
		return (json_null());
	return (json_string(feed_state_stage_name(stage)));
}

static inline json_t *
json_int_or_null(int64_t v)
{
	return (v != 0 ? json_integer(v) : json_null());
}


/* ctl-base.c */
void		 ctl_base_init(ctl_apply_cb, int);
void		 ctl_base_configure(struct conf *);
struct conf	*ctl_base_conf(void);
json_t		*ctl_base_feed_json(const struct feed *);
int		 ctl_base_apply(struct ctl_client *, int, struct conf_change *,
		    size_t, json_t *, const char *, char **);
void		 ctl_base_wait(struct ctl_client *, struct feed **, size_t,
		    int, ctl_wait_cb, void *);
void		 ctl_base_wait_one(struct ctl_client *, struct feed *,
		    ctl_wait_cb, void *);
void		 ctl_base_when_served(struct ctl_client *, json_t *,
		    uint64_t);

/* ctl-change.c */
enum cmd_retval	 ctl_change_add(struct ctl_client *, json_t *);
enum cmd_retval	 ctl_change_remove(struct ctl_client *, json_t *);
enum cmd_retval	 ctl_change_pause(struct ctl_client *, json_t *);
enum cmd_retval	 ctl_change_resume(struct ctl_client *, json_t *);
enum cmd_retval	 ctl_change_tag(struct ctl_client *, json_t *);
enum cmd_retval	 ctl_change_import(struct ctl_client *, json_t *);
enum cmd_retval	 ctl_change_export(struct ctl_client *, json_t *);

#endif
