#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Dev/test PostgreSQL: a cluster of our own (initdb/pg_ctl of the Debian server packages),
# data in .run/data/postgres, listening on 127.0.0.1:5432 only, database `modelgate`.
# DEV ONLY: `trust` authentication on loopback (see scripts/infra/postgres/pg_hba.conf.template).
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
#   usage: scripts/infra/postgres.sh up|down|status|restart
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=postgres
PORT="${POSTGRES_PORT:-5432}"
DATABASE=modelgate
HERE="$INFRA_DIR/postgres"
DATA="$DATA_DIR/postgres"
LOGFILE="$LOG_DIR/postgres.log"
PATTERN="-D $DATA"
SOCKET_DIR="$RUN_DIR/sockets/postgres"
# A unix socket path is limited to 107 bytes; a deep checkout falls back to /tmp.
if ((${#SOCKET_DIR} + 16 > 107)); then
  SOCKET_DIR="/tmp/modelgate-pg-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
fi

PG_BIN=""
find_pg_bin() {
  local d best=""
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/initdb" ]] || continue
    if [[ -z "$best" ]] || [[ "$(printf '%s\n%s\n' "$best" "$d" | sort -V | tail -n1)" == "$d" ]]; then best="$d"; fi
  done
  [[ -n "$best" ]] && PG_BIN="$best"
}

ensure_server_packages() {
  find_pg_bin || { apt_install postgresql; find_pg_bin || die "postgres: no initdb under /usr/lib/postgresql/*/bin after installing postgresql"; }
}

# as_pg COMMAND... — runs COMMAND as the postgres system user when we are root.
AS_PG=()
if (($(id -u) == 0)); then AS_PG=(runuser -u postgres --); fi
as_pg() { "${AS_PG[@]}" "$@"; }

# The server user must reach the data dir through every parent directory.
check_traversable() {
  (($(id -u) == 0)) || return 0
  id postgres >/dev/null 2>&1 || die "postgres: no 'postgres' system user (is the postgresql package installed?)"
  as_pg test -x "$DATA_DIR" && return 0
  local d="" part
  IFS='/' read -r -a parts <<<"${DATA_DIR#/}"
  for part in "${parts[@]}"; do
    d="$d/$part"
    as_pg test -x "$d" && continue
    # A checkout under a private directory (mktemp -d is 0700): let the postgres user, and
    # only it, pass through (search permission, no listing) rather than opening the tree.
    command -v setfacl >/dev/null 2>&1 || apt_install acl
    log "postgres: granting the 'postgres' user passage through $d (setfacl u:postgres:x)"
    setfacl -m u:postgres:x "$d" 2>/dev/null && as_pg test -x "$d" ||
      die "postgres: the 'postgres' user cannot enter $d (mode $(stat -c %A "$d")), so it cannot reach $DATA; make it traversable (chmod o+x $d) or set MODELGATE_RUN_DIR to a reachable place"
  done
}

server_pid() { head -n1 "$DATA/postmaster.pid" 2>/dev/null; }

# adopt — a postmaster of this data dir that lost its pid file (ours) is adopted, never doubled.
adopt() {
  local pid
  pid="$(server_pid || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$PATTERN"; then
    echo "$pid" >"$PID_DIR/$NAME.pid"
  fi
  return 0
}

ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -d postgres -U postgres; }

up() {
  adopt
  if owned_running "$NAME" "$PATTERN"; then
    log "postgres already running (pid $(<"$PID_DIR/$NAME.pid"), 127.0.0.1:$PORT)"
    return 0
  fi
  ensure_server_packages
  require_port_free "$NAME" "$PORT"
  check_traversable

  mkdir -p "$DATA" "$SOCKET_DIR"
  touch "$LOGFILE"
  if (($(id -u) == 0)); then chown postgres:postgres "$DATA" "$SOCKET_DIR" "$LOGFILE"; fi
  chmod 700 "$DATA"

  local version
  version="$(basename "$(dirname "$PG_BIN")")"
  if [[ ! -f "$DATA/PG_VERSION" ]]; then
    log "postgres: initialising a PostgreSQL $version cluster in $DATA"
    as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >>"$LOGFILE" 2>&1 \
      || die "postgres: initdb failed (log: $LOGFILE)"
  elif [[ "$(<"$DATA/PG_VERSION")" != "$version" ]]; then
    die "postgres: $DATA holds a PostgreSQL $(<"$DATA/PG_VERSION") cluster but the server here is $version; remove $DATA (dev data) or install postgresql-$(<"$DATA/PG_VERSION")"
  fi

  render "$HERE/postgresql.conf.template" "$DATA/modelgate.conf" "PORT=$PORT" "SOCKET_DIR=$SOCKET_DIR"
  render "$HERE/pg_hba.conf.template" "$DATA/pg_hba.conf"
  grep -qxF "include 'modelgate.conf'" "$DATA/postgresql.conf" \
    || printf "\n# Modelgate dev settings (scripts/infra/postgres.sh)\ninclude 'modelgate.conf'\n" >>"$DATA/postgresql.conf"
  if (($(id -u) == 0)); then chown postgres:postgres "$DATA/modelgate.conf" "$DATA/pg_hba.conf"; fi

  log "postgres: starting (log: $LOGFILE)"
  # After a crash the server finds its stale postmaster.pid and starts over it, but refuses
  # while the dead postmaster is an unreaped zombie or its orphaned backends still hold the
  # shared memory (a second or two): retry a few times before giving up.
  local attempt
  for attempt in 1 2 3 4 5; do
    # Own session: the caller's Ctrl-C must not reach the postmaster (SIGINT = fast shutdown).
    if setsid -w "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOGFILE" -w -t 60 -s start; then break; fi
    if ((attempt == 5)) || ! tail -n 5 "$LOGFILE" | grep -qE 'lock file "postmaster.pid" already exists|pre-existing shared memory block'; then
      tail -n 20 "$LOGFILE" >&2
      die "postgres: pg_ctl start failed (log: $LOGFILE)"
    fi
    log "postgres: the previous server's processes are still exiting; retrying"
    sleep 2
  done
  server_pid >"$PID_DIR/$NAME.pid"
  wait_ready "$NAME" "$PATTERN" 30 "$LOGFILE" ready

  if [[ "$("$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]]; then
    log "postgres: creating database $DATABASE"
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DATABASE"
  fi
  log "postgres ready on 127.0.0.1:$PORT, database $DATABASE (pid $(<"$PID_DIR/$NAME.pid"))"
}

down() {
  find_pg_bin || true
  adopt
  if owned_running "$NAME" "$PATTERN" 2>/dev/null; then
    log "postgres: stopping"
    # Fast shutdown (SIGINT): a plain SIGTERM is a "smart" shutdown that waits for every
    # pooled client of every service to disconnect.
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 30 -s stop || log "postgres: pg_ctl stop failed; signalling"
    stop_pid "$NAME" 20
  else
    log "postgres: not running"
  fi
  wait_port_closed "$NAME" "$PORT"
}

status() {
  find_pg_bin || true
  adopt
  if owned_running "$NAME" "$PATTERN" 2>/dev/null; then
    if [[ -n "$PG_BIN" ]] && ready; then echo "postgres: running (pid $(<"$PID_DIR/$NAME.pid"), 127.0.0.1:$PORT)"
    else echo "postgres: starting or unhealthy (pid $(<"$PID_DIR/$NAME.pid"); log: $LOGFILE)"; return 1; fi
  else
    echo "postgres: stopped"; return 3
  fi
}

infra_main "$NAME" "$@"
