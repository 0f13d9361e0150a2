#!/usr/bin/env bash
# npm run fuzz: runs every fuzz target with cargo-fuzz (libFuzzer, nightly) for FUZZ_SECONDS
# each (default 600), then minimises its corpus. New corpus entries are meant to be committed:
# `npm test` replays them (tests/fuzz_replay.rs). A crash is saved under fuzz/artifacts/; once
# fixed, copy it to fuzz/regressions/<target>/ under a name that says what it found (cmin never
# touches that folder) and list it in tests/fuzz_replay.rs, so it stays a regression test.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export PATH="$HOME/.cargo/bin:$PATH"
rustup toolchain list | grep -q '^nightly' || { echo "fuzzing needs a nightly toolchain (rustup toolchain install nightly)" >&2; exit 1; }
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
seconds=${FUZZ_SECONDS:-600}
mkdir -p target
failed=()
for target in ${FUZZ_TARGETS:-request_json normalize verify state_machine}; do
  echo "=== $target: ${seconds}s"
  if ! cargo +nightly fuzz run -O "$target" -- -max_total_time="$seconds" -max_len=4096 \
    -print_final_stats=1 > "target/$target.log" 2>&1; then
    failed+=("$target")
  fi
  grep -E '^Done|stat::number_of_executed_units|SUMMARY|panicked|Test unit written' "target/$target.log" || true
  cargo +nightly fuzz cmin -O "$target" >/dev/null 2>&1
  echo "corpus: $(ls "corpus/$target" | wc -l) inputs"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashed: ${failed[*]} (inputs under fuzz/artifacts/)" >&2
  exit 1
fi
