/*
 * sd.h: systemd notification, watchdog, socket activation and the
 * journal sink (sd.c); no-ops when built without libsystemd or when not
 * run by systemd.
 */
#ifndef SD_H
#define SD_H

#include <stdint.h>

struct log_fields;

void		sd_ready(void);
void		sd_reloading(void);
void		sd_stopping(void);
void		sd_status(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
uint64_t	sd_watchdog_usec(void);
void		sd_watchdog_ping(void);
int		sd_sockets(int *, int *, char **);
int		sd_journal_log(int, const char *, const char *,
		    const struct log_fields *);

#endif
