#!/bin/sh
# contrib/nginx/feedmux-cache.conf works: Debian's nginx, configured with
# it on 127.0.0.1, answers 200 client polls of one tag (plain and gzip)
# while feedmux sees at most one request per variant and max-age; a
# private tag is never cached.
. "$top_srcdir/tests/lib.sh"

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || fail "nginx is missing (apt-get install nginx-light)"

mkdir "$T/www"
cp "$top_srcdir/contrib/demo/security-clearance.xml" "$T/www/"
echo 'private-token-0123456789' > "$T/token"
write_conf <<EOF2
allow_file_urls = yes

[feed security-clearance]
url = file://$T/www/security-clearance.xml
tags = russia, hidden

[tag hidden]
token_file = $T/token
EOF2
start_daemon
ctl refresh --wait > /dev/null || fail "refresh failed"
wait_max_age /tags/russia.atom

# The shipped file, with our ports and paths.
NPORT=$(free_port)
mkdir -p "$T/nginx/logs" "$T/cache"
sed -e "s|127.0.0.1:8080|127.0.0.1:$HTTP_PORT|" \
    -e "s|listen 80;|listen 127.0.0.1:$NPORT;|" \
    -e "s|/var/cache/nginx/feedmux|$T/cache|" \
    "$top_srcdir/contrib/nginx/feedmux-cache.conf" > "$T/nginx/feedmux.conf"
cat > "$T/nginx/nginx.conf" <<EOF2
daemon off;
master_process off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $T/nginx/body;
	proxy_temp_path $T/nginx/proxy;
	fastcgi_temp_path $T/nginx/fastcgi;
	uwsgi_temp_path $T/nginx/uwsgi;
	scgi_temp_path $T/nginx/scgi;
	include $T/nginx/feedmux.conf;
}
EOF2
"$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" &
SERVER_PID=$!	# stopped by lib.sh's cleanup
for _ in $(seq 100); do
	curl -s -o /dev/null "http://127.0.0.1:$NPORT/health" && break
	sleep 0.05
done

"$PY" - "$NPORT" "$HTTP_PORT" <<'EOF2' || fail "proxy cache"
import gzip, re, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
nport, fport = sys.argv[1:]
def get(port, path, headers={}):
    req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path),
                                 headers=dict(headers, Host="feeds.example.org"))
    try:
        r = urllib.request.urlopen(req, timeout=30)
        return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
def served():
    m = get(fport, "/metrics")[2].decode()
    return sum(float(v) for v in re.findall(
        r'^feedmux_http_requests_total\{code="(?:200|304)"\} (\S+)$', m, re.M))
before = served()
direct = get(fport, "/tags/russia.atom")[2]
def poll(i):
    h = {"Accept-Encoding": "gzip"} if i % 2 else {}
    code, hdr, body = get(nport, "/tags/russia.atom", h)
    assert code == 200, code
    if i % 2:
        assert hdr.get("Content-Encoding") == "gzip", dict(hdr)
        body = gzip.decompress(body)
    assert body == direct, "the cache served other bytes"
    return hdr.get("X-Cache-Status")
with ThreadPoolExecutor(8) as ex:
    status = list(ex.map(poll, range(200)))
# Two metrics scrapes and the direct GET are ours; the rest came via nginx.
upstream = served() - before - 2
assert upstream <= 2, "feedmux saw %d requests for 200 polls" % upstream
assert status.count("HIT") >= 190, status
print("ok - 200 polls through nginx: %d reached feedmux, %d cache hits"
      % (upstream, status.count("HIT")))
# A private tag is passed through, never stored.
for i in range(3):
    code, hdr, _ = get(nport, "/tags/hidden.atom?token=private-token-0123456789")
    assert code == 200 and hdr.get("X-Cache-Status") in ("MISS", "BYPASS", "EXPIRED", None), \
        hdr.get("X-Cache-Status")
code, hdr, _ = get(nport, "/tags/hidden.atom")
assert code == 404, code
EOF2
ok "nginx with contrib/nginx/feedmux-cache.conf caches tag feeds by max-age"
stop_daemon
