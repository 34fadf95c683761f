#!/usr/bin/env bash
# Installs what the gateway benchmark compares against, into this machine / .run/tools/
# (idempotent: what is already there at the pinned version is kept):
#   nginx                          Debian package `nginx` (apt-get); run by the bench as its own
#                                  process with a generated config under .run/bench/gateway/
#   .run/tools/litellm/            a Python venv with PyPI `litellm[proxy]==$LITELLM_VERSION`
#   .run/tools/gateway-loadgen/    the benchmark's load generator (bench/gateway/loadgen, Go, with
#                                  bench/loadgen-kit; bench/lib/build-loadgen.sh builds it)
# Peers are installed here, by the benchmark's own setup, never by CI. LiteLLM is pinned to
# 1.106.12: the newer releases' `proxy` extra names packages (litellm-proxy, a .post1 of
# litellm-proxy-extras) that the package index reachable here does not have.
set -euo pipefail

LITELLM_VERSION="${LITELLM_VERSION:-1.106.12}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TOOLS="$ROOT/.run/tools"
mkdir -p "$TOOLS"
log() { printf '[setup-peers] %s\n' "$*" >&2; }

# nginx: installed without letting the package start a system nginx on :80 (the bench runs
# its own instance); policy-rc.d 101 is Debian's documented "do not start services" answer.
if command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]]; then
  log "nginx present ($(/usr/sbin/nginx -v 2>&1 | cut -d/ -f2))"
else
  log "installing the Debian package nginx"
  own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  trap '[[ $own_policy == 1 ]] && rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
  [[ $own_policy == 1 ]] && rm -f /usr/sbin/policy-rc.d
  trap - EXIT
  log "nginx installed ($(/usr/sbin/nginx -v 2>&1 | cut -d/ -f2))"
fi

# LiteLLM proxy in a venv of its own.
LITELLM_DIR="$TOOLS/litellm"
if [[ -x "$LITELLM_DIR/bin/litellm" ]] && "$LITELLM_DIR/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('litellm') != '$LITELLM_VERSION')"; then
  log "litellm $LITELLM_VERSION present"
else
  command -v python3 >/dev/null || { log "python3 is not on PATH"; exit 1; }
  log "installing litellm[proxy]==$LITELLM_VERSION into $LITELLM_DIR (a few minutes)"
  python3 -m venv "$LITELLM_DIR"
  "$LITELLM_DIR/bin/pip" install -q "litellm[proxy]==$LITELLM_VERSION"
  log "litellm $LITELLM_VERSION installed"
fi

# The load generator: rebuilt when its sources or the kit's are newer than the binary.
source "$HERE/../lib/build-loadgen.sh"
build_loadgen "$HERE/loadgen" "$TOOLS/gateway-loadgen"
