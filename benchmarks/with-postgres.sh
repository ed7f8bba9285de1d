#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster, for the benchmarks:
#
#   benchmarks/with-postgres.sh .venv/bin/python -m benchmarks
#
# The same approach as deploy/ci/with-postgres.sh (Debian's server binaries, installed with
# apt-get when missing and we are root; a cluster in a temporary directory on 127.0.0.1 and a
# free port; stopped and deleted however the command ends), with one difference that matters
# for a write benchmark: durability stays ON (fsync, synchronous_commit, full_page_writes at
# PostgreSQL's defaults), as in production. The CI script turns it off for speed.
#
# The command sees DATABASE_URL=postgres://cms:…@127.0.0.1:<port>/cms and PG_BINDIR.
set -euo pipefail

log() { printf 'bench-postgres: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $# -gt 0 ]] || die "usage: $0 COMMAND [ARGS...]"

find_bindir() {  # the newest installed version's server programs
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/psql" ]]; then
      printf '%s' "$dir"
      return
    fi
  done
}

BINDIR="$(find_bindir)"
if [[ -z "$BINDIR" ]]; then
  [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null ||
    die "PostgreSQL's server programs are missing: apt-get install postgresql (as root)"
  log "PostgreSQL is not installed: installing Debian's postgresql package"
  # Only the binaries: no default cluster on 5432.
  mkdir -p /etc/postgresql-common
  [[ -e /etc/postgresql-common/createcluster.conf ]] ||
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends postgresql >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends postgresql >/dev/null; } ||
    die "apt-get could not install postgresql"
  BINDIR="$(find_bindir)"
  [[ -n "$BINDIR" ]] || die "postgresql installed, but no server programs in /usr/lib/postgresql/*/bin"
fi

if [[ "$(id -u)" == 0 ]]; then  # initdb refuses root: the cluster belongs to postgres
  id postgres >/dev/null 2>&1 || die "the postgres OS user does not exist"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

PGTMP="$(mktemp -d "${TMPDIR:-/tmp}/bench-postgres.XXXXXX")"
chmod 700 "$PGTMP"
[[ "$(id -u)" == 0 ]] && chown postgres: "$PGTMP"
DATA="$PGTMP/data"

cleanup() {
  local status=$?
  if [[ -f "$DATA/postmaster.pid" ]]; then
    as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      as_pg "$BINDIR/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PGTMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PASSWORD="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
printf '%s\n' "$PASSWORD" >"$PGTMP/pwfile"
[[ "$(id -u)" == 0 ]] && chown postgres: "$PGTMP/pwfile"
chmod 600 "$PGTMP/pwfile"
as_pg "$BINDIR/initdb" -D "$DATA" -U postgres --pwfile="$PGTMP/pwfile" -E UTF8 --locale=C.UTF-8 \
  --auth-local=trust --auth-host=scram-sha-256 >"$PGTMP/initdb.log" 2>&1 ||
  { cat "$PGTMP/initdb.log" >&2; die "initdb failed"; }
rm -f "$PGTMP/pwfile"

as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$PGTMP/server.log" -w -t 60 start \
  -o "-h 127.0.0.1 -p $PORT -k $PGTMP" >/dev/null ||
  { cat "$PGTMP/server.log" >&2; die "PostgreSQL did not start"; }

as_pg "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGTMP" -p "$PORT" -U postgres -d postgres \
  -c "CREATE ROLE cms LOGIN PASSWORD '$PASSWORD'" \
  -c "CREATE DATABASE cms OWNER cms" >/dev/null

log "$("$BINDIR/postgres" --version) on 127.0.0.1:$PORT, durability on (data in $PGTMP, removed afterwards)"
export DATABASE_URL="postgres://cms:$PASSWORD@127.0.0.1:$PORT/cms"
export PG_BINDIR="$BINDIR"
set +e
"$@"
status=$?
set -e
exit "$status"
