#!/usr/bin/env bash
# npm test: installs what is missing, then runs every suite. Fails loudly if a browser is
# missing or a browser run executed zero tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browsers
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

summary=()
step() { printf '\n=== %s\n' "$*"; started=$SECONDS; }
done_step() { summary+=("$(printf '%-34s %s (%ss)' "$1" "$2" "$((SECONDS - started))")"); }

# wasm-pack test in one environment; the run must report at least one passed test, since an
# unconfigured browser run skips everything and still exits 0.
wasm_pack_test() {
  local name=$1; shift
  step "wasm-pack test $*"
  local log
  log=$(mktemp)
  # The test runner's HTTP server (tiny_http) runs connections on a thread pool that does not
  # grow for a burst of new ones, so a page that opens several at once can wait 300 s for a
  # reply (wasm-pack#783). The module's JS is one file (js/bindings.js), so the test page
  # opens few connections (Chrome: 10 of 10 runs finished, against 4 of 6 with six files), and
  # Firefox keeps to one (webdriver.json). Should a run still stall, it is cut off at 150 s
  # (a normal run takes under 10 s) and retried, twice at most, saying so; a failing test is
  # never retried.
  local attempt status
  for attempt in 1 2 3; do
    status=0
    (
      if [ -n "${BROWSER:-}" ]; then export WASM_BINDGEN_USE_BROWSER=1; else unset WASM_BINDGEN_USE_BROWSER; fi
      timeout 150 wasm-pack test "$@"
    ) 2>&1 | tee "$log" || status=$?
    [ "$status" -eq 124 ] || break
    echo "RETRY: wasm-pack test $* stalled for 150 s before finishing (attempt $attempt of 3)" >&2
  done
  if [ "$status" -ne 0 ]; then
    echo "FAILED: wasm-pack test $* (see above)" >&2; exit 1
  fi
  local passed
  passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log" | awk '{s += $4} END {print s + 0}')
  if [ "$passed" -eq 0 ]; then
    echo "FAILED: wasm-pack test $* ran zero tests" >&2; exit 1
  fi
  done_step "$name" "$passed passed"
}

step "cargo test (native core)"
log=$(mktemp)
cargo test --locked 2>&1 | tee "$log"
done_step "cargo test" "$(grep -Eo '[0-9]+ passed' "$log" | awk '{s += $1} END {print s}') passed"

step "npm run build"
node scripts/build.mjs
done_step "build" "ok"

wasm_pack_test "wasm-pack test --node" --node
BROWSER=1 wasm_pack_test "wasm-pack test --chrome" --headless --chrome
# webdriver.json gives Firefox one connection per server (see wasm_pack_test): without it an
# idle second connection held the page for Firefox's 115 s keep-alive timeout in about half the
# runs.
BROWSER=1 wasm_pack_test "wasm-pack test --firefox" --headless --firefox

# A throwaway PostgreSQL server (Debian's, which setup.sh installs) for the Node server's SQL
# host test, unless TEST_DATABASE_URL already names one. initdb refuses to run as root, so as
# root the server runs as the postgres user.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "${TEST_DATABASE_URL:-}" ] && [ -n "$pg_bin" ]; then
  as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  pgdir=$(mktemp -d)
  [ "$(id -u)" -ne 0 ] || chown postgres "$pgdir"
  pgport=$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
  as_pg "$pg_bin/initdb" -D "$pgdir/data" -A trust -U postgres >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
    -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1" start >/dev/null
  trap 'as_pg "$pg_bin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pgport/postgres"
fi

step "node --test js/test"
log=$(mktemp)
node --test --test-reporter=spec js/test/*.test.mjs 2>&1 | tee "$log"
done_step "node --test" "$(sed -n 's/^ℹ pass \([0-9]*\)/\1/p' "$log") passed"

printf '\n=== summary\n'
printf '%s\n' "${summary[@]}"
