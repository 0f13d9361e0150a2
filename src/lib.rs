//! # contact-phone
//!
//! Sets a user's contact phone number and runs its verification, following ZITADEL's "Set
//! contact phone" API (`PUT /v3alpha/users/:userId/phone`). The same code runs in edge workers,
//! browsers and Node through WebAssembly; storage and SMS stay with the host.
//!
//! ```
//! use contact_phone::engine::{prepare, request::SetPhone, Context, Operation};
//! use contact_phone::json;
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
//! - [`driver`] does the I/O in order, written once against the small [`driver::Host`] trait:
//!   load the record, ask the engine, save it with compare-and-swap (reloading and deciding
//!   again when another writer won), then run the effects.
//! - `wasm` (only on `wasm32`) adapts JS values and the JS host object to the driver and
//!   exports `setPhone`, `verifyPhone`, `resendPhoneCode`, `removePhone`, `getPhone`,
//!   `normalizePhone` and the `PhoneError` class.
#![warn(missing_docs)]

pub mod driver;
pub mod engine;
#[cfg(any(target_arch = "wasm32", test))]
mod heap;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// The wasm module's allocator; see [`heap`].
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new(heap::WasmPages);
