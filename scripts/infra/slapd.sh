#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Dev/test LDAP: OpenLDAP slapd with the demo directory (test/fixtures/ldap), listening on
# ldap://127.0.0.1:10389/, mdb data in .run/data/slapd. Config is rendered from
# test/fixtures/ldap/slapd.conf.template; the directory is loaded once with ldapadd (not
# slapadd, which bypasses the memberof overlay) when it is empty.
#   usage: scripts/infra/slapd.sh up|down|status|restart
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=slapd
PORT="${SLAPD_PORT:-10389}"
URL="ldap://127.0.0.1:$PORT"
FIXTURE="$FIXTURES_DIR/ldap"
DATA="$DATA_DIR/slapd"
CONF="$DATA/slapd.conf"
LOGFILE="$LOG_DIR/slapd.log"
PATTERN="slapd -f $CONF"
SUFFIX="dc=company,dc=com"
# DEV ONLY root account of the demo directory (test/fixtures/ldap/README.md).
ROOT_DN="cn=admin,$SUFFIX"
ROOT_PASSWORD="ldap-admin-password"
# slapd -d: "stats" logs connections and operations, and every error (with -d 0 slapd
# would not even print why it refuses its configuration).
DEBUG_LEVEL="${SLAPD_DEBUG:-stats}"

module_dir() {
  local d
  for d in /usr/lib/ldap /usr/lib/openldap /usr/libexec/openldap /usr/lib64/openldap; do
    [[ -f "$d/back_mdb.so" || -f "$d/back_mdb.la" ]] && { printf '%s' "$d"; return 0; }
  done
  return 1
}

slapd_bin() { command -v slapd 2>/dev/null || { [[ -x /usr/sbin/slapd ]] && echo /usr/sbin/slapd; }; }

ready() { ldapsearch -x -LLL -H "$URL" -s base -b "" namingContexts >/dev/null; }

loaded() {
  ldapsearch -x -LLL -H "$URL" -D "$ROOT_DN" -w "$ROOT_PASSWORD" -s base -b "$SUFFIX" dn >/dev/null 2>&1
}

up() {
  if owned_running "$NAME" "$PATTERN"; then
    log "slapd already running (pid $(<"$PID_DIR/$NAME.pid"), $URL)"
    return 0
  fi
  if [[ -z "$(slapd_bin)" ]] || ! command -v ldapadd >/dev/null 2>&1; then apt_install slapd ldap-utils; fi
  local slapd modules
  slapd="$(slapd_bin)" || die "slapd: no slapd binary after installing the slapd package"
  modules="$(module_dir)" || die "slapd: no OpenLDAP module directory with back_mdb found"
  require_port_free "$NAME" "$PORT"

  mkdir -p "$DATA/db"
  render "$FIXTURE/slapd.conf.template" "$CONF" "MODULE_DIR=$modules" "DATA_DIR=$DATA"
  # slaptest names the offending line; slapd itself would only exit.
  if ! "$(dirname "$slapd")/slaptest" -Q -u -f "$CONF" >>"$LOGFILE" 2>&1; then
    tail -n 5 "$LOGFILE" >&2
    die "slapd: configuration $CONF is invalid (log: $LOGFILE)"
  fi

  log "slapd: starting (log: $LOGFILE)"
  # -d keeps slapd in the foreground, so the pid file holds the server's own pid.
  spawn "$NAME" "$LOGFILE" "$slapd" -f "$CONF" -h "$URL/" -d "$DEBUG_LEVEL"
  wait_ready "$NAME" "$PATTERN" 20 "$LOGFILE" ready

  if ! loaded; then
    log "slapd: loading the demo directory ($FIXTURE/demo-directory.ldif)"
    ldapadd -x -c -H "$URL" -D "$ROOT_DN" -w "$ROOT_PASSWORD" -f "$FIXTURE/demo-directory.ldif" \
      >>"$LOG_DIR/slapd-load.log" 2>&1 || log "slapd: ldapadd reported errors (log: $LOG_DIR/slapd-load.log)"
  fi
  # The check that matters to identity: a user bind reads the groups through memberOf.
  ldapsearch -x -LLL -H "$URL" -D "uid=alice,ou=people,$SUFFIX" -w alice-password \
    -b "ou=people,$SUFFIX" "(uid=alice)" memberOf 2>/dev/null \
    | grep -qi "^memberOf: cn=researchers,ou=groups,$SUFFIX\$" \
    || die "slapd: the demo directory is not as expected (alice is not memberOf researchers); to reload it: scripts/infra/slapd.sh down && rm -rf $DATA && scripts/infra/slapd.sh up"
  log "slapd ready on $URL (pid $(<"$PID_DIR/$NAME.pid"))"
}

down() {
  if owned_running "$NAME" "$PATTERN" 2>/dev/null; then
    log "slapd: stopping"
    stop_pid "$NAME" 20
  else
    log "slapd: not running"
  fi
  wait_port_closed "$NAME" "$PORT"
}

status() {
  if owned_running "$NAME" "$PATTERN" 2>/dev/null; then
    if ready 2>/dev/null; then echo "slapd: running (pid $(<"$PID_DIR/$NAME.pid"), $URL)"
    else echo "slapd: starting or unhealthy (pid $(<"$PID_DIR/$NAME.pid"); log: $LOGFILE)"; return 1; fi
  else
    echo "slapd: stopped"; return 3
  fi
}

infra_main "$NAME" "$@"
