# Sourced by bench/*/setup-peers.sh (which define `log`). `build_loadgen SRC DIR` builds the
# Go load generator in SRC into DIR/loadgen when the binary is missing or any file of SRC or
# of the kit every load generator is built from (bench/loadgen-kit) is newer than it.
# Needs Go (>= 1.26, as the go.mod files say) on PATH.

LOADGEN_KIT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../loadgen-kit" && pwd)"

build_loadgen() {
  local src="$1" dir="$2"
  command -v go >/dev/null || { log "go is not on PATH"; exit 1; }
  if [[ -x "$dir/loadgen" ]] && [[ -z "$(find "$src" "$LOADGEN_KIT" -newer "$dir/loadgen" -type f | head -1)" ]]; then
    log "loadgen up to date"
    return
  fi
  log "building the load generator"
  mkdir -p "$dir"
  (cd "$src" && go build -trimpath -o "$dir/loadgen.new" . && mv -f "$dir/loadgen.new" "$dir/loadgen")
  log "loadgen installed in $dir"
}
