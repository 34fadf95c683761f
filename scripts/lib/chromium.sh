# Provides the headless browser of the console's browser tests: Debian's `chromium`.
# Why Debian's: playwright-core cannot download a browser build on these machines (only
# package registries are reachable), and the distribution's package brings its own
# libraries. Sourced by ./dev (setup); CHROMIUM_PATH tells the tests where it is.
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_chromium() {
  if [[ -n "${CHROMIUM_PATH:-}" && -x "${CHROMIUM_PATH}" ]]; then return 0; fi
  # The fonts package gives pages real glyphs in screenshots instead of empty boxes.
  apt_install chromium fonts-dejavu-core
  [[ -x /usr/bin/chromium ]] || die "chromium installed but /usr/bin/chromium is missing"
  export CHROMIUM_PATH=/usr/bin/chromium
}
