#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Dev OpenID Connect provider (apps/dev-idp, oidc-provider) on http://127.0.0.1:3100,
# users from the demo directory in slapd (scripts/infra/slapd.sh). Signing keys live in
# .run/data/dev-idp and survive restarts. Builds apps/dev-idp when dist/ is missing or older
# than its sources.
#   usage: scripts/infra/idp.sh up|down|status|restart
#   env:   DEV_IDP_PORT (3100), DEV_IDP_ISSUER (http://127.0.0.1:$DEV_IDP_PORT), LDAP_URL, ...
#          (apps/dev-idp/src/config/dev-idp.config.ts lists them all)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=../lib/node.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/node.sh"

NAME=dev-idp
APP="$ROOT/apps/dev-idp"
MAIN="$APP/dist/main.js"
PORT="${DEV_IDP_PORT:-3100}"
ISSUER="${DEV_IDP_ISSUER:-http://127.0.0.1:$PORT}"
LOGFILE="$LOG_DIR/dev-idp.log"
PATTERN="$MAIN"
LDAP_URL="${LDAP_URL:-ldap://127.0.0.1:10389}"

ready() {
  node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(1500) })
      .then((r) => r.json().then((d) => process.exit(r.ok && d.issuer === process.argv[2] ? 0 : 1)))
      .catch(() => process.exit(1));' "$ISSUER/.well-known/openid-configuration" "$ISSUER"
}

ensure_built() {
  [[ -d "$APP/node_modules/oidc-provider" ]] || die "dev-idp: dependencies are not installed (run \`pnpm install\` at $ROOT)"
  if [[ ! -f "$MAIN" ]] || [[ -n "$(find "$APP/src" "$APP/package.json" -newer "$MAIN" -print -quit)" ]]; then
    log "dev-idp: building apps/dev-idp"
    (cd "$ROOT" && pnpm --filter @modelgate/dev-idp build) >"$LOG_DIR/dev-idp-build.log" 2>&1 \
      || die "dev-idp: build failed (log: $LOG_DIR/dev-idp-build.log)"
    touch "$MAIN"
  fi
}

up() {
  if owned_running "$NAME" "$PATTERN"; then
    log "dev-idp already running (pid $(<"$PID_DIR/$NAME.pid"), $ISSUER)"
    return 0
  fi
  ensure_node
  require_port_free "$NAME" "$PORT"
  ensure_built
  local host_port="${LDAP_URL#*://}"
  host_port="${host_port%%/*}"
  port_open "${host_port##*:}" || log "dev-idp: warning: LDAP ($LDAP_URL) is not reachable; logins fail until slapd is up (scripts/infra/slapd.sh up)"

  log "dev-idp: starting (log: $LOGFILE)"
  DEV_IDP_PORT="$PORT" DEV_IDP_ISSUER="$ISSUER" DEV_IDP_DATA_DIR="$DATA_DIR/dev-idp" LDAP_URL="$LDAP_URL" \
    spawn "$NAME" "$LOGFILE" node --enable-source-maps "$MAIN"
  wait_ready "$NAME" "$PATTERN" 30 "$LOGFILE" ready
  log "dev-idp ready at $ISSUER (pid $(<"$PID_DIR/$NAME.pid"))"
}

down() {
  if owned_running "$NAME" "$PATTERN" 2>/dev/null; then
    log "dev-idp: stopping"
    stop_pid "$NAME" 15
  else
    log "dev-idp: not running"
  fi
  wait_port_closed "$NAME" "$PORT"
}

status() {
  ensure_node
  if owned_running "$NAME" "$PATTERN" 2>/dev/null; then
    if ready; then echo "dev-idp: running (pid $(<"$PID_DIR/$NAME.pid"), $ISSUER)"
    else echo "dev-idp: starting or unhealthy (pid $(<"$PID_DIR/$NAME.pid"); log: $LOGFILE)"; return 1; fi
  else
    echo "dev-idp: stopped"; return 3
  fi
}

infra_main "$NAME" "$@"
