//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/*`) and the crashes the fuzzers
//! found (`fuzz/regressions/<target>/*`, kept apart because `cargo fuzz cmin` may drop an input
//! that adds no coverage) through the fuzz targets' bodies on stable, so that both stay
//! regression tests in `npm test`. Long fuzzing runs are `npm run fuzz`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(dead_code)]

#[path = "../fuzz/targets.rs"]
mod targets;

use std::fs;
use std::path::Path;

/// Runs every file of `fuzz/<folder>/<target>/` through `run`; returns their names.
fn replay(folder: &str, target: &str, run: fn(&[u8])) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(folder).join(target);
    let mut names = Vec::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        let data = fs::read(&path).expect("a corpus file");
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{target} fails on {}", path.display());
        names.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    names.sort();
    names
}

fn replay_corpus(target: &str, run: fn(&[u8])) {
    assert!(!replay("corpus", target, run).is_empty(), "the {target} corpus is empty");
}

/// The crashes found so far, each fixed (see the commits that added them).
#[test]
fn crash_regressions() {
    let normalize = replay("regressions", "normalize", targets::normalize);
    assert_eq!(normalize, ["seventeen-national-digits"]);
    let verify = replay("regressions", "verify", targets::verify);
    assert_eq!(verify, ["only-rejected-random-bytes"]);
}

#[test]
fn request_json_corpus() {
    replay_corpus("request_json", targets::request_json);
}

#[test]
fn normalize_corpus() {
    replay_corpus("normalize", targets::normalize);
}

#[test]
fn verify_corpus() {
    replay_corpus("verify", targets::verify);
}

#[test]
fn state_machine_corpus() {
    replay_corpus("state_machine", targets::state_machine);
}
