# Shared shell helpers for ./dev and the infra scripts. Sourced, never executed.
# Why: one place for paths, logging and readiness waits so every script behaves alike.

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
RUN_DIR="${MODELGATE_RUN_DIR:-$ROOT/.run}"
TOOLS_DIR="$RUN_DIR/tools"
DATA_DIR="$RUN_DIR/data"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
mkdir -p "$TOOLS_DIR" "$DATA_DIR" "$LOG_DIR" "$PID_DIR"

NODE_MAJOR=24
PNPM_VERSION=10.34.8

log() { printf '[modelgate] %s\n' "$*" >&2; }
die() { printf '[modelgate] error: %s\n' "$*" >&2; exit 1; }

# wait_for DESCRIPTION TIMEOUT_SECONDS COMMAND...  — polls COMMAND until it succeeds.
wait_for() {
  local what="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS >= deadline )); then
      die "$what not ready after ${timeout}s (logs: $LOG_DIR)"
    fi
    sleep 0.3
  done
}

# port_open PORT — true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_alive NAME — true when the pid file of NAME names a live process.
pid_alive() {
  local f="$PID_DIR/$1.pid"
  [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

# stop_pid NAME [TIMEOUT] — SIGTERM, wait, then SIGKILL; removes the pid file.
stop_pid() {
  local name="$1" timeout="${2:-20}" f="$PID_DIR/$1.pid" pid
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop in ${timeout}s; killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$f"
}

# apt_install PKG... — installs missing Debian packages (root, or sudo when available).
apt_install() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  (( ${#missing[@]} == 0 )) && return 0
  command -v apt-get >/dev/null || die "missing system packages (${missing[*]}) and no apt-get"
  local sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  log "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq >"$LOG_DIR/apt.log" 2>&1 || die "apt-get update failed (see $LOG_DIR/apt.log)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >>"$LOG_DIR/apt.log" 2>&1 || die "apt-get install ${missing[*]} failed (see $LOG_DIR/apt.log)"
}
