//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/*`) through the fuzz targets'
//! bodies on stable, so every input a fuzzer ever kept (crashes included, once fixed) stays a
//! regression test in `npm test`. Long fuzzing runs are `npm run fuzz`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(dead_code)]

#[path = "../fuzz/targets.rs"]
mod targets;

use std::fs;
use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut inputs = 0;
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        let data = fs::read(&path).expect("a corpus file");
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{target} fails on {}", path.display());
        inputs += 1;
    }
    assert!(inputs > 0, "the {target} corpus is empty");
}

#[test]
fn request_json_corpus() {
    replay("request_json", targets::request_json);
}

#[test]
fn normalize_corpus() {
    replay("normalize", targets::normalize);
}

#[test]
fn verify_corpus() {
    replay("verify", targets::verify);
}

#[test]
fn state_machine_corpus() {
    replay("state_machine", targets::state_machine);
}
