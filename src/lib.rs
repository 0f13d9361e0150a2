//! # contact-phone
//!
//! Sets a user's contact phone number and runs its verification, following ZITADEL's "Set
//! contact phone" API (`PUT /v3alpha/users/:userId/phone`). The same code runs in edge workers,
//! browsers and Node through WebAssembly; storage and SMS stay with the host.
//!
//! ```
//! use contact_phone::engine::{prepare, request::SetPhone};
//! use serde_json::json;
//! # fn main() -> Result<(), contact_phone::engine::error::PhoneError> {
//! let request = json!({"phone": {"number": "+41 71 123 45 67", "isVerified": true}});
//! let set = SetPhone::parse(&json!("u1"), &request)?;
//! let (set, options) = prepare(set, &json!({"caller": {"permissions": ["user.write"]}}))?;
//! # let _ = (set, options);
//! # Ok(())
//! # }
//! ```
//!
//! ## How it fits together
//!
//! - [`engine`] decides. It is sans-IO, as rustls and quinn-proto are: given the stored
//!   record, the parsed request, the options, the time and a random source, it returns the
//!   record to save (with its audit events), the effects to run after the save (an SMS) and the
//!   reply, or an error. It never awaits, reads a clock or draws randomness itself.
//! - [`driver`] puts the I/O in order, as a state machine that does none itself
//!   ([`driver::Driver`]): for HTTP, route, options and token, then authenticate; for every
//!   call, load the record, ask the engine, save it with compare-and-swap (reloading and
//!   deciding again when another writer won), then run the effects. [`driver::run`] and
//!   [`driver::drive`] run it over the small [`driver::Host`] trait (the tests' hosts).
//! - [`http`] routes `handleHttp`'s requests and writes its responses and their statuses.
//! - `wasm` (only on `wasm32`) turns what the driver wants into calls of the JS host object,
//!   adapts JS values, and exports `setPhone`, `verifyPhone`, `resendPhoneCode`, `removePhone`,
//!   `getPhone`, `handleHttp`, `rateLimitedResponse`, `normalizePhone` and the `PhoneError`
//!   class. The only async code is `js/bindings.js`, which awaits the host's Promises, so the
//!   wasm carries no async runtime. Values go to JS through serde-wasm-bindgen and come from JS
//!   as JSON (serde_json).
#![warn(missing_docs)]

pub mod driver;
pub mod engine;
pub mod http;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
