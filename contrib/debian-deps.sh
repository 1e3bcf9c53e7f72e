#!/bin/sh
# Install what building and testing feedmux needs on Debian 12, as root.
# Does nothing (and needs no network) when everything is already there.
set -eu

PACKAGES="build-essential autoconf automake pkg-config
libcurl4-openssl-dev libxml2-dev libevent-dev libsqlite3-dev libsystemd-dev
libjansson-dev libpcre2-dev libcmocka-dev zlib1g-dev
python3 python3-feedparser python3-prometheus-client libxml2-utils xsltproc
curl valgrind nginx-light newsboat systemd"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "debian-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# nginx is a test tool here, not a service: keep its package from starting
# one (on port 80) unless the machine already has a policy of its own.
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
