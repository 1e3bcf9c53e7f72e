/*
 * proto.h: the control protocol between feedmuxctl and feedmuxd.
 *
 * One JSON object per line, each way, over a Unix stream socket.
 *   request:  {"v": 1, "cmd": "refresh", "args": {"feed": "NAME"}}
 *   reply:    {"v": 1, "ok": true, "data": {...}}
 *             {"v": 1, "ok": false, "error": "message"}
 * A client may send several requests on one connection; replies come in
 * order.  Bump PROTO_VERSION when a reply changes incompatibly.
 */
#ifndef PROTO_H
#define PROTO_H

#define PROTO_VERSION		1
#define PROTO_MAX_REQUEST	(64 * 1024)
#define PROTO_MAX_REPLY		(256 * 1024 * 1024)

#endif
