//! Benches only: see benches/engine.rs.
