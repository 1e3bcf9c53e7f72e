/*
 * http-request.c: reading an HTTP/1.x request head, in place.
 *
 * Only what serving feeds needs is kept: the method, the path
 * (percent-decoded), the query, and the headers that decide the answer
 * (validators, Accept-Encoding, Connection, Host, Authorization).  Anything
 * malformed is a 400; a request with a body is refused (we serve only GET
 * and HEAD, and never read bodies).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "http-internal.h"

static int	http_hex(int);
static int	http_token_in(const char *, const char *);
static int	http_accepts_gzip(const char *);
static int	http_header(struct http_request *, char *, char *);
static int	http_request_line(struct http_request *, char *, int *);

static int
http_hex(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* Decode %XX in place; -1 for a bad escape or a NUL. */
int
http_percent_decode(char *s)
{
	char	*out = s;
	int	 hi, lo;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*out++ = *s;
			continue;
		}
		if ((hi = http_hex((unsigned char)s[1])) < 0 ||
		    (lo = http_hex((unsigned char)s[2])) < 0 ||
		    (hi == 0 && lo == 0))
			return (-1);
		*out++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*out = '\0';
	return (0);
}

/*
 * The value of name in a query string ("a=1&b=2"), decoded into out;
 * NULL when absent, badly escaped or too long.
 */
const char *
http_query_param(const char *query, const char *name, char *out,
    size_t outlen)
{
	const char	*p, *end;
	size_t		 n = strlen(name), len;

	for (p = query; p != NULL && *p != '\0'; p = end + (*end != '\0')) {
		end = p + strcspn(p, "&;");
		if ((size_t)(end - p) <= n || strncmp(p, name, n) != 0 ||
		    p[n] != '=')
			continue;
		len = end - (p + n + 1);
		if (len >= outlen)
			return (NULL);
		memcpy(out, p + n + 1, len);
		out[len] = '\0';
		return (http_percent_decode(out) == 0 ? out : NULL);
	}
	return (NULL);
}

/* Does a query string name the parameter at all (good value or not)? */
int
http_query_has(const char *query, const char *name)
{
	const char	*p, *end;
	size_t		 n = strlen(name);

	for (p = query; p != NULL && *p != '\0'; p = end + (*end != '\0')) {
		end = p + strcspn(p, "&;");
		if ((size_t)(end - p) >= n && strncmp(p, name, n) == 0 &&
		    (p[n] == '=' || p + n == end))
			return (1);
	}
	return (0);
}

/* Is token one of the comma-separated tokens of list (any case)? */
static int
http_token_in(const char *list, const char *token)
{
	size_t	n = strlen(token), len;

	while (*list != '\0') {
		list += strspn(list, " \t,");
		len = strcspn(list, " \t,;");
		if (len == n && strncasecmp(list, token, n) == 0)
			return (1);
		list += strcspn(list, ",");
	}
	return (0);
}

/* Does Accept-Encoding allow gzip ("gzip", "x-gzip", "*"; not q=0)? */
static int
http_accepts_gzip(const char *v)
{
	char	 elem[64], *tok, *q;
	size_t	 len, n;

	while (*v != '\0') {
		len = strcspn(v, ",");
		if (len < sizeof(elem)) {
			memcpy(elem, v, len);
			elem[len] = '\0';
			tok = elem + strspn(elem, " \t");
			n = strcspn(tok, " \t;");
			q = strstr(tok + n, "q=");
			if ((n == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
			    (n == 6 && strncasecmp(tok, "x-gzip", 6) == 0) ||
			    (n == 1 && *tok == '*'))
				return (q == NULL || strtod(q + 2, NULL) > 0);
		}
		v += len + (v[len] == ',');
	}
	return (0);
}

/* One header line "Name: value"; -1 if malformed. */
static int
http_header(struct http_request *req, char *line, char *end)
{
	char	*colon, *v, *e;

	if (*line == ' ' || *line == '\t')
		return (-1);		/* obsolete line folding */
	if ((colon = memchr(line, ':', end - line)) == NULL || colon == line)
		return (-1);
	for (v = line; v < colon; v++) {
		if (*v <= ' ' || *v == 0x7f)
			return (-1);
	}
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (e = end; e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	*e = '\0';
	if (strcasecmp(line, "Host") == 0) {
		if (req->host != NULL)
			return (-1);
		req->host = v;
	} else if (strcasecmp(line, "If-None-Match") == 0)
		req->if_none_match = v;
	else if (strcasecmp(line, "If-Modified-Since") == 0)
		req->if_modified_since = v;
	else if (strcasecmp(line, "Authorization") == 0)
		req->authorization = v;
	else if (strcasecmp(line, "Accept-Encoding") == 0)
		req->gzip = http_accepts_gzip(v);
	else if (strcasecmp(line, "Connection") == 0) {
		if (http_token_in(v, "close"))
			req->keep_alive = 0;
		else if (http_token_in(v, "keep-alive"))
			req->keep_alive = 1;
	} else if (strcasecmp(line, "Content-Length") == 0) {
		if (*v == '\0' || v[strspn(v, "0123456789")] != '\0')
			return (-1);
		if (v[strspn(v, "0")] != '\0')
			req->has_body = 1;
	} else if (strcasecmp(line, "Transfer-Encoding") == 0)
		req->has_body = 1;
	return (0);
}

/* "METHOD target HTTP/1.x"; -1 with *status if it is not one. */
static int
http_request_line(struct http_request *req, char *line, int *status)
{
	char	*target, *version, *p;

	*status = 400;
	if ((target = strchr(line, ' ')) == NULL)
		return (-1);
	*target++ = '\0';
	if ((version = strchr(target, ' ')) == NULL)
		return (-1);
	*version++ = '\0';
	if (strcmp(line, "GET") == 0)
		req->method = HTTP_GET;
	else if (strcmp(line, "HEAD") == 0)
		req->method = HTTP_HEAD;
	else
		req->method = HTTP_OTHER;
	if (strncmp(version, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)
	    version[7]) || version[8] != '\0') {
		*status = strncmp(version, "HTTP/", 5) == 0 ? 505 : 400;
		return (-1);
	}
	req->minor = version[7] - '0';
	req->keep_alive = req->minor >= 1;
	/* The absolute form (through a proxy): keep its path. */
	if (strncasecmp(target, "http://", 7) == 0 ||
	    strncasecmp(target, "https://", 8) == 0) {
		p = strstr(target, "://") + 3;
		target = p + strcspn(p, "/?");
		if (*target != '/')
			return (-1);
	}
	if (*target != '/')
		return (-1);
	for (p = target; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return (-1);
	}
	if ((p = strchr(target, '?')) != NULL) {
		*p = '\0';
		req->query = p + 1;
	}
	if ((p = strchr(target, '#')) != NULL)
		*p = '\0';
	if (http_percent_decode(target) != 0)
		return (-1);
	req->path = target;
	return (0);
}

/*
 * Read a request head from buf[0..len).  Returns its length once it is
 * whole (the head is then NUL-terminated in place and req filled), 0 while
 * more is needed, -1 with *status (400, 431, 505) when it is bad.
 */
int
http_request_parse(char *buf, size_t len, struct http_request *req,
    int *status)
{
	char	*end, *line, *eol, *next;
	size_t	 headlen;

	memset(req, 0, sizeof(*req));
	/* Empty lines before a request are allowed (RFC 9112 2.2). */
	for (line = buf; line < buf + len && (*line == '\r' ||
	    *line == '\n'); line++)
		;
	if ((end = memmem(line, len - (line - buf), "\r\n\r\n", 4)) != NULL)
		headlen = end + 4 - buf;
	else if ((end = memmem(line, len - (line - buf), "\n\n", 2)) != NULL)
		headlen = end + 2 - buf;
	else {
		if (len >= HTTP_MAX_HEAD) {
			*status = 431;
			return (-1);
		}
		return (0);
	}
	*end = '\0';
	for (; line != NULL && *line != '\0'; line = next) {
		eol = strchr(line, '\n');
		next = eol != NULL ? eol + 1 : NULL;
		if (eol == NULL)
			eol = line + strlen(line);
		if (eol > line && eol[-1] == '\r')
			eol--;
		*eol = '\0';
		if (req->path == NULL) {
			if (http_request_line(req, line, status) != 0)
				return (-1);
			continue;
		}
		if (http_header(req, line, eol) != 0) {
			*status = 400;
			return (-1);
		}
	}
	if (req->path == NULL || (req->minor >= 1 && req->host == NULL)) {
		*status = 400;
		return (-1);
	}
	return ((int)headlen);
}

/* Does an If-None-Match header list this ETag (or "*")?  Weak tags match
 * too: the weak comparison is what If-None-Match uses (RFC 9110 13.1.2). */
int
http_etag_matches(const char *header, const char *etag)
{
	const char	*p;
	size_t		 n = strlen(etag);

	if (header == NULL)
		return (0);
	if (strcmp(header, "*") == 0)
		return (1);
	for (p = header; (p = strstr(p, etag)) != NULL; p += n) {
		if ((p == header || p[-1] == ' ' || p[-1] == ',' ||
		    p[-1] == '/') && (p[n] == '\0' || p[n] == ',' ||
		    p[n] == ' '))
			return (1);
	}
	return (0);
}

/* An HTTP date (If-Modified-Since); 0 if it is not one. */
time_t
http_parse_date(const char *s)
{
	time_t	t = date_parse(s);

	return (t > 0 ? t : 0);
}
