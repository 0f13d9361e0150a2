//! JS bindings: convert JS values to JSON, run the [`crate::driver::Driver`] over the JS host
//! object (`js/bindings.js` awaits its Promises), and turn
//! [`PhoneError`](crate::engine::error::PhoneError)s into the JS `PhoneError` class. No
//! decisions are made here; they belong to the engine, where native tests see them.
//!
//! Without the `calls` feature only `normalizePhone` and `PhoneError` are exported: the
//! phone-only module of `contact-phone/phone`.

mod convert;
mod error;
mod normalize;
pub use normalize::*;
mod recent;
mod types;

#[cfg(feature = "calls")]
mod calls;
#[cfg(feature = "calls")]
pub use calls::*;
#[cfg(feature = "calls")]
mod host;
#[cfg(feature = "calls")]
mod http;
#[cfg(feature = "calls")]
pub use http::*;
#[cfg(feature = "calls")]
mod pending;
#[cfg(feature = "calls")]
pub use pending::PendingCall;
#[cfg(feature = "calls")]
mod platform;
