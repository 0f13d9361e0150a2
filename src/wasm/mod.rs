//! JS bindings: convert JS values to JSON, run the [`crate::driver::Driver`] over the JS host
//! object (`js/bindings.js` awaits its Promises), and turn [`PhoneError`](crate::engine::error::PhoneError)s into the JS `PhoneError` class.
//! No decisions are made here; they belong to the engine, where native tests see them.

mod convert;
mod error;
mod exports;
pub use exports::*;
mod host;
mod http;
pub use http::*;
mod pending;
pub use pending::PendingCall;
mod platform;
mod types;
