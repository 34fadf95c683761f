# shellcheck shell=bash source-path=SCRIPTDIR
# Helpers shared by the scripts/infra/<name>.sh servers. Sourced, never executed.
# Why: every server script has the same life cycle (up/down/status, pid file, port, log),
# and the same traps (a stale pid file naming a recycled pid, a port held by a stranger).
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

# shellcheck disable=SC2034 # used by the scripts that source this file
INFRA_DIR="$ROOT/scripts/infra"
# shellcheck disable=SC2034
FIXTURES_DIR="$ROOT/test/fixtures"

# owned_running NAME PATTERN — true when the pid file of NAME names a live process whose
# command line contains PATTERN. A pid file naming a dead (or recycled) pid is removed,
# so that a crash never blocks the next `up`.
owned_running() {
  local name="$1" pattern="$2" f="$PID_DIR/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(<"$f")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$pattern"; then
    return 0
  fi
  log "$name: removing stale pid file (pid $pid is not a running $name)"
  rm -f "$f"
  return 1
}

# port_holder PORT — prints "pid/command" of whoever listens on 127.0.0.1:PORT (best effort).
port_holder() {
  local out
  out="$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2)" || true
  if [[ -n "$out" ]]; then printf '%s/%s' "$out" "$(tr '\0' ' ' 2>/dev/null <"/proc/$out/cmdline" | cut -c1-80)"; else printf 'unknown process'; fi
}

# require_port_free NAME PORT — dies when another process already listens on PORT.
require_port_free() {
  local name="$1" port="$2"
  if port_open "$port"; then
    die "$name: port $port is already taken by $(port_holder "$port") — not ours (no live pid file); stop it first (a system service? e.g. \`systemctl disable --now <service>\`)"
  fi
}

# spawn NAME LOGFILE COMMAND... — starts COMMAND in the background in its own session
# (so the caller's Ctrl-C or exit does not kill it), stdin from /dev/null, stdout and
# stderr appended to LOGFILE, and records its pid in the pid file of NAME.
spawn() {
  local name="$1" logfile="$2"; shift 2
  printf '\n===== %s %s starting =====\n' "$(date -Is)" "$name" >>"$logfile"
  setsid "$@" </dev/null >>"$logfile" 2>&1 &
  echo "$!" >"$PID_DIR/$name.pid"
}

# wait_ready NAME PATTERN TIMEOUT LOGFILE COMMAND... — polls COMMAND until it succeeds;
# fails early, with the log's tail, when the process dies meanwhile.
wait_ready() {
  local name="$1" pattern="$2" timeout="$3" logfile="$4"; shift 4
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! owned_running "$name" "$pattern" 2>/dev/null; then
      tail -n 30 "$logfile" >&2 || true
      die "$name exited during start-up (log: $logfile)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$logfile" >&2 || true
      die "$name not ready after ${timeout}s (log: $logfile)"
    fi
    sleep 0.2
  done
}

# wait_port_closed NAME PORT [TIMEOUT] — after a stop: the port must be free again.
wait_port_closed() {
  local name="$1" port="$2" timeout="${3:-10}"
  local deadline=$((SECONDS + timeout))
  while port_open "$port"; do
    ((SECONDS >= deadline)) && die "$name: port $port still taken by $(port_holder "$port") after stop"
    sleep 0.2
  done
}

# render TEMPLATE OUT KEY=VALUE... — replaces @KEY@ in TEMPLATE, writes OUT (only when the
# content changed, so that mtimes stay meaningful). Fails on a placeholder left unreplaced.
render() {
  local template="$1" out="$2"; shift 2
  [[ -f "$template" ]] || die "template $template is missing"
  local content kv
  # Bash 5.2 would expand '&' in a replacement to the matched text; values are literal here.
  shopt -u patsub_replacement 2>/dev/null || true
  content="$(<"$template")"
  for kv in "$@"; do content="${content//@${kv%%=*}@/${kv#*=}}"; done
  if grep -qE '@[A-Z_]+@' <<<"$content"; then
    die "template $template: unreplaced placeholder $(grep -oE '@[A-Z_]+@' <<<"$content" | head -n1)"
  fi
  if [[ ! -f "$out" ]] || [[ "$(<"$out")" != "$content" ]]; then printf '%s\n' "$content" >"$out"; fi
}

# infra_main NAME "$@" — dispatches up|down|status|restart to functions <verb>.
infra_main() {
  local name="$1"; shift
  case "${1:-}" in
    up) up ;;
    down) down ;;
    status) status ;;
    restart) down && up ;;
    *) printf 'usage: %s up|down|status|restart\n' "scripts/infra/$name.sh" >&2; exit 2 ;;
  esac
}
