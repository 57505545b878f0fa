#!/usr/bin/env bash
# Installs the Debian packages the build and the embedded database need, only when missing;
# `install-deps.sh test` also what the tests of deploy/ run: systemd-analyze, promtool, setpriv.
set -euo pipefail

missing=()
[ -f /usr/include/csv.h ] || missing+=(libcsv-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
[ -f /usr/include/postgresql/libpq-fe.h ] || missing+=(libpq-dev)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
[ -x /usr/bin/time ] || missing+=(time)
if [ "$(id -u)" = 0 ]; then command -v setfacl >/dev/null 2>&1 || missing+=(acl); fi
if [ "${1:-}" = test ]; then
    [ -x /usr/bin/systemd-analyze ] || missing+=(systemd)
    [ -x /usr/bin/promtool ] || missing+=(prometheus)
    [ -x /usr/bin/setpriv ] || missing+=(util-linux)
fi

[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
