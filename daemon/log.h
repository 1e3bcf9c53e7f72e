/*
 * log.h: leveled logging to stderr (journald-aware) or syslog.  A message
 * may carry fields (what it is about); a journal sink registered with
 * log_set_journal gets them when stderr is the journal.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

#define LOG_TO_STDERR	0
#define LOG_TO_SYSLOG	1

/* What a message is about, each NULL when unknown (journal fields). */
struct log_fields {
	const char	*feed;
	const char	*tag;
	const char	*url;
	const char	*stage;
};

/*
 * A journal sink: (priority, identifier, message, fields or NULL); 0 when
 * the journal took it, else -1 and the line goes to stderr as before.
 */
typedef int (*log_journal_cb)(int, const char *, const char *,
    const struct log_fields *);

void	log_init(const char *, int, int);
void	log_set_journal(log_journal_cb);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_fields_warnx(const struct log_fields *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_fields_info(const struct log_fields *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_fields_debug(const struct log_fields *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
