/*
 * sd.h: systemd notification (sd.c), no-ops when built without libsystemd
 * or when not run by systemd.
 */
#ifndef SD_H
#define SD_H

void	sd_ready(void);
void	sd_reloading(void);
void	sd_stopping(void);
void	sd_status(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
