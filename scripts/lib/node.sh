# Provisions the project's Node.js (24 LTS) and pnpm under .run/tools when the
# machine's node is older, and puts them first on PATH. Sourced by ./dev.
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_node() {
  local sys_major=0
  if command -v node >/dev/null 2>&1; then sys_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"; fi
  local local_node="$TOOLS_DIR/node_modules/node/bin/node"
  if [[ -x "$local_node" ]] || (( sys_major < NODE_MAJOR )); then
    if [[ ! -x "$local_node" ]]; then
      command -v npm >/dev/null || die "no npm on this machine to fetch Node $NODE_MAJOR"
      log "installing Node $NODE_MAJOR into $TOOLS_DIR (system node is v$sys_major)"
      # The npm package `node` carries the official binary; its preinstall fetches the
      # platform package from the npm registry, nothing else.
      npm install --prefix "$TOOLS_DIR" --no-save --loglevel=error "node@$NODE_MAJOR" >"$LOG_DIR/node-install.log" 2>&1 \
        || die "could not install Node $NODE_MAJOR (see $LOG_DIR/node-install.log)"
    fi
    export PATH="$TOOLS_DIR/node_modules/node/bin:$PATH"
  fi
  local pnpm_js="$TOOLS_DIR/pnpm-$PNPM_VERSION/node_modules/pnpm/bin/pnpm.cjs"
  if [[ ! -f "$pnpm_js" ]]; then
    log "installing pnpm $PNPM_VERSION into $TOOLS_DIR"
    npm install --prefix "$TOOLS_DIR/pnpm-$PNPM_VERSION" --no-save --loglevel=error "pnpm@$PNPM_VERSION" >"$LOG_DIR/pnpm-install.log" 2>&1 \
      || die "could not install pnpm (see $LOG_DIR/pnpm-install.log)"
  fi
  mkdir -p "$TOOLS_DIR/bin"
  printf '#!/usr/bin/env bash\nexec node "%s" "$@"\n' "$pnpm_js" >"$TOOLS_DIR/bin/pnpm"
  chmod +x "$TOOLS_DIR/bin/pnpm"
  export PATH="$TOOLS_DIR/bin:$ROOT/node_modules/.bin:$PATH"
  # Native addons must never build against the machine's older Node headers.
  export npm_config_nodedir=""
  export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
}
