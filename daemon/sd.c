/*
 * sd.c: systemd glue.  Only this file knows about libsystemd; without it
 * (./configure --disable-systemd) these are no-ops.  sd_notify itself is a
 * no-op when NOTIFY_SOCKET is unset, so running by hand costs nothing.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "sd.h"

void
sd_ready(void)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, "READY=1");
#endif
}

void
sd_reloading(void)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, "RELOADING=1");
#endif
}

void
sd_stopping(void)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, "STOPPING=1");
#endif
}

void
sd_status(const char *fmt, ...)
{
#ifdef HAVE_SYSTEMD
	va_list	ap;
	char	msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", msg);
#else
	(void)fmt;
#endif
}
