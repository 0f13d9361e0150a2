//! JS bindings: convert JS values to JSON, adapt the JS host object to [`crate::driver::Host`],
//! and turn [`PhoneError`](crate::engine::error::PhoneError)s into the JS `PhoneError` class.
//! No decisions are made here; they belong to the engine, where native tests see them.

mod convert;
mod error;
mod exports;
pub use exports::*;
mod host;
mod http;
pub use http::*;
mod platform;
mod types;
