#!/usr/bin/env bash
# Fetches and builds what the peer comparison needs, into .run/tools/ (idempotent: a tool
# already at the pinned version is kept, so later runs skip it):
#   .run/tools/cerbos/cerbos      Cerbos PDP, the binary shipped by the npm package @cerbos/cerbos-linux-x64
#   .run/tools/opa/opa            OPA, `go install github.com/open-policy-agent/opa@$OPA_VERSION` (module proxy)
#   .run/tools/bench-loadgen/loadgen  the benchmark's load generator (bench/decision/loadgen, Go,
#                                 with bench/loadgen-kit; bench/lib/build-loadgen.sh builds it)
# Needs Go (>= 1.26, as loadgen/go.mod says) and npm on PATH.
set -euo pipefail

CERBOS_VERSION="${CERBOS_VERSION:-0.55.0}"
OPA_VERSION="${OPA_VERSION:-v1.22.4}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TOOLS="$ROOT/.run/tools"
mkdir -p "$TOOLS"
log() { printf '[setup-peers] %s\n' "$*" >&2; }

command -v go >/dev/null || { log "go is not on PATH"; exit 1; }

# Cerbos: the npm package is only a carrier for the binary; unpack it rather than install it.
CERBOS_DIR="$TOOLS/cerbos"
if [[ -x "$CERBOS_DIR/cerbos" ]] && "$CERBOS_DIR/cerbos" --version 2>/dev/null | head -1 | grep -qx "$CERBOS_VERSION"; then
  log "cerbos $CERBOS_VERSION present"
else
  command -v npm >/dev/null || { log "npm is not on PATH"; exit 1; }
  log "fetching @cerbos/cerbos-linux-x64@$CERBOS_VERSION"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "@cerbos/cerbos-linux-x64@$CERBOS_VERSION" >/dev/null)
  tar -xzf "$tmp"/cerbos-cerbos-linux-x64-"$CERBOS_VERSION".tgz -C "$tmp"
  mkdir -p "$CERBOS_DIR"
  install -m 0755 "$tmp/package/cerbos-linux-x64" "$CERBOS_DIR/cerbos.new"
  mv -f "$CERBOS_DIR/cerbos.new" "$CERBOS_DIR/cerbos"
  "$CERBOS_DIR/cerbos" --version | head -1 | grep -qx "$CERBOS_VERSION"
  log "cerbos $CERBOS_VERSION installed in $CERBOS_DIR"
fi

# OPA: built from source through the Go module proxy (takes minutes on 2 cores).
OPA_DIR="$TOOLS/opa"
if [[ -x "$OPA_DIR/opa" ]] && "$OPA_DIR/opa" version 2>/dev/null | grep -qx "Version: ${OPA_VERSION#v}"; then
  log "opa $OPA_VERSION present"
else
  log "building opa $OPA_VERSION with $(go version | cut -d' ' -f3) (a few minutes)"
  mkdir -p "$OPA_DIR"
  GOBIN="$OPA_DIR" GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/open-policy-agent/opa@$OPA_VERSION"
  "$OPA_DIR/opa" version | grep -qx "Version: ${OPA_VERSION#v}"
  log "opa $OPA_VERSION installed in $OPA_DIR"
fi

# The load generator: rebuilt when its sources or the kit's are newer than the binary.
source "$HERE/../lib/build-loadgen.sh"
build_loadgen "$HERE/loadgen" "$TOOLS/bench-loadgen"
