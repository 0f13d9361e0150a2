//! The public Rust API end to end: the engine's decisions driven through [`driver::run`] with
//! an in-memory host, a fixed clock and scripted randomness.
#![cfg(not(target_arch = "wasm32"))]

mod support;

mod checks;
mod driver;
mod flows;
mod numbers;
mod props;
