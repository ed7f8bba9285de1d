#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster:
#
#   deploy/ci/with-postgres.sh .venv/bin/pytest
#
# Uses Debian's PostgreSQL server binaries (/usr/lib/postgresql/*/bin), installing the
# `postgresql` package with apt-get when they are missing and we are root. The cluster lives
# in a temporary directory, listens on 127.0.0.1 on a free port (never a running server's),
# runs as the `postgres` OS user when we are root (initdb refuses root), and is stopped and
# deleted when the command ends, however it ends. The command sees
# DATABASE_URL=postgres://…@127.0.0.1:<port>/cms, EXPECT_DATABASE_VENDOR=postgresql and
# PG_BINDIR (the server programs' directory).
#
# Durability (fsync, synchronous_commit, full_page_writes) is off for speed, unless
# PG_DURABLE=1: the benchmarks measure writes as production would make them
# (`PG_DURABLE=1 deploy/ci/with-postgres.sh .venv/bin/python -m benchmarks`).
#
# SKIP_POSTGRES=1 skips it (locally only: under CI=true a missing PostgreSQL is an error).
set -euo pipefail

log() { printf 'with-postgres: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $# -gt 0 ]] || die "usage: $0 COMMAND [ARGS...]"

if [[ "${SKIP_POSTGRES:-}" == 1 ]]; then
  [[ "${CI:-}" == true ]] && die "SKIP_POSTGRES=1 is not allowed in CI: the suite must pass on PostgreSQL."
  log "SKIP_POSTGRES=1: NOT running '$*' on PostgreSQL (SQLite only). Unset it before pushing."
  exit 0
fi

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
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    log "PostgreSQL is not installed: installing Debian's postgresql package"
    # Only the binaries: no default cluster on 5432 (a test must not depend on one).
    mkdir -p /etc/postgresql-common
    [[ -e /etc/postgresql-common/createcluster.conf ]] ||
      echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends postgresql >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends postgresql >/dev/null; } ||
      die "apt-get could not install postgresql"
    BINDIR="$(find_bindir)"
  fi
fi
if [[ -z "$BINDIR" ]]; then
  hint="install Debian's postgresql package (apt-get install postgresql)"
  [[ "${CI:-}" == true ]] || hint="$hint, or set SKIP_POSTGRES=1 to skip the PostgreSQL pass locally"
  die "PostgreSQL's server programs (initdb, pg_ctl) are not in /usr/lib/postgresql/*/bin: $hint."
fi

# As root, the cluster belongs to the postgres OS user; otherwise to whoever runs this.
if [[ "$(id -u)" == 0 ]]; then
  id postgres >/dev/null 2>&1 || die "the postgres OS user does not exist (it comes with postgresql-common)"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

PGTMP="$(mktemp -d "${TMPDIR:-/tmp}/with-postgres.XXXXXX")"
chmod 700 "$PGTMP"  # the socket is here, with trust for local connections
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

# A throwaway cluster: durability off for speed, unless PG_DURABLE=1.
OPTIONS="-h 127.0.0.1 -p $PORT -k $PGTMP"
DURABILITY="durability on"
if [[ "${PG_DURABLE:-}" != 1 ]]; then
  OPTIONS="$OPTIONS -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  DURABILITY="durability off"
fi
as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$PGTMP/server.log" -w -t 60 start -o "$OPTIONS" \
  >/dev/null || { cat "$PGTMP/server.log" >&2; die "PostgreSQL did not start"; }

# The role may create databases: pytest-django makes test_cms beside cms.
as_pg "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGTMP" -p "$PORT" -U postgres -d postgres \
  -c "CREATE ROLE cms LOGIN CREATEDB PASSWORD '$PASSWORD'" \
  -c "CREATE DATABASE cms OWNER cms" >/dev/null

VERSION="$("$BINDIR/postgres" --version)"
log "$VERSION on 127.0.0.1:$PORT, $DURABILITY (data in $PGTMP, removed afterwards)"
export DATABASE_URL="postgres://cms:$PASSWORD@127.0.0.1:$PORT/cms"
export EXPECT_DATABASE_VENDOR=postgresql
export PG_BINDIR="$BINDIR"
set +e
"$@"
status=$?
set -e
exit "$status"
