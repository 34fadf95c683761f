#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Dev/test Redis: redis-server on 127.0.0.1:6379, data in .run/data/redis, appendonly off.
#   usage: scripts/infra/redis.sh up|down|status|restart
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=redis
PORT="${REDIS_PORT:-6379}"
DATA="$DATA_DIR/redis"
CONF="$DATA/redis.conf"
LOGFILE="$LOG_DIR/redis.log"
# redis rewrites its process title ("redis-server 127.0.0.1:6379") once started.
PATTERN="redis-server"

ready() { [[ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" == PONG ]]; }

up() {
  if owned_running "$NAME" "$PATTERN"; then
    log "redis already running (pid $(<"$PID_DIR/$NAME.pid"), 127.0.0.1:$PORT)"
    return 0
  fi
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    apt_install redis-server redis-tools
  fi
  require_port_free "$NAME" "$PORT"
  mkdir -p "$DATA"
  render "$INFRA_DIR/redis/redis.conf.template" "$CONF" "PORT=$PORT" "DATA_DIR=$DATA"
  log "redis: starting (log: $LOGFILE)"
  spawn "$NAME" "$LOGFILE" redis-server "$CONF"
  wait_ready "$NAME" "$PATTERN" 20 "$LOGFILE" ready
  log "redis ready on 127.0.0.1:$PORT (pid $(<"$PID_DIR/$NAME.pid"))"
}

down() {
  if owned_running "$NAME" "$PATTERN" 2>/dev/null; then
    log "redis: stopping"
    # SIGTERM: redis saves its RDB snapshot and exits.
    stop_pid "$NAME" 20
  else
    log "redis: not running"
  fi
  wait_port_closed "$NAME" "$PORT"
}

status() {
  if owned_running "$NAME" "$PATTERN" 2>/dev/null; then
    if ready; then echo "redis: running (pid $(<"$PID_DIR/$NAME.pid"), 127.0.0.1:$PORT)"
    else echo "redis: starting or unhealthy (pid $(<"$PID_DIR/$NAME.pid"); log: $LOGFILE)"; return 1; fi
  else
    echo "redis: stopped"; return 3
  fi
}

infra_main "$NAME" "$@"
