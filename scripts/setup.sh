#!/usr/bin/env bash
# Installs what building and testing need, skipping whatever is already there.
#   scripts/setup.sh             Rust wasm target, pinned wasm-bindgen-cli, npm packages
#   scripts/setup.sh --browsers  also wasm-pack, Debian chromium + chromium-driver + firefox-esr,
#                                postgresql, geckodriver (crates.io)
# Everything comes from the package registries (rustup, crates.io, npm, Debian); no tool
# downloads a browser or binary of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must be exactly the wasm-bindgen of Cargo.lock.
wbg=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wbg"; then
  say "installing wasm-bindgen-cli $wbg (a few minutes)"
  # --locked fails on this registry mirror (webpki-roots 1.0.11 is missing); fall back.
  cargo install wasm-bindgen-cli --version "=$wbg" --locked || cargo install wasm-bindgen-cli --version "=$wbg"
fi

if [ ! -x node_modules/.bin/wasm-opt ] || ! cmp -s package-lock.json node_modules/.package-lock.json.src 2>/dev/null; then
  say "installing npm packages"
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.package-lock.json.src
fi

[ "${1:-}" = --browsers ] || exit 0

if ! wasm-pack --version 2>/dev/null | grep -q " $WASM_PACK_VERSION"; then
  say "installing wasm-pack $WASM_PACK_VERSION (a few minutes)"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked
fi

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v firefox-esr >/dev/null || missing+=(firefox-esr)
# PostgreSQL for the Node server's SQL host test (npm test starts a throwaway server).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! geckodriver --version 2>/dev/null | grep -q "^geckodriver $GECKODRIVER_VERSION"; then
  say "installing geckodriver $GECKODRIVER_VERSION from crates.io (several minutes)"
  cargo install geckodriver --version "$GECKODRIVER_VERSION" --locked
fi
