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
//! - [`driver`] puts the I/O in order, as a state machine that does none itself
//!   ([`driver::Driver`]): load the record, ask the engine, save it with compare-and-swap
//!   (reloading and deciding again when another writer won), then run the effects.
//!   [`driver::run`] runs it over the small [`driver::Host`] trait (the tests' hosts).
//! - `wasm` (only on `wasm32`) runs the driver over the JS host object, adapts JS values, and
//!   exports `setPhone`, `verifyPhone`, `resendPhoneCode`, `removePhone`, `getPhone`,
//!   `handleHttp`, `normalizePhone` and the `PhoneError` class. The only async code is
//!   `js/bindings.js`, which awaits the host's Promises, so the wasm carries no async runtime.
#![warn(missing_docs)]
// The npm build turns the `std` feature off: the wasm then links no std, and a panic traps
// without formatting a message (see `panic` below). Tests and native builds keep std.
#![cfg_attr(not(feature = "std"), no_std)]

#[cfg(feature = "std")]
extern crate alloc;
#[cfg(not(feature = "std"))]
#[macro_use]
extern crate alloc;
// Natively the shared caches use std's `OnceLock` (`sync.rs`), with or without the feature.
#[cfg(all(not(feature = "std"), not(target_arch = "wasm32")))]
extern crate std;

pub mod driver;
pub mod engine;
#[cfg(any(target_arch = "wasm32", test))]
mod heap;
mod sync;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// What every module uses from `alloc`, which std's prelude would bring.
mod prelude {
    pub(crate) use alloc::borrow::ToOwned;
    pub(crate) use alloc::boxed::Box;
    pub(crate) use alloc::string::String;
    pub(crate) use alloc::vec::Vec;
}

#[doc(hidden)]
pub mod __private {
    //! For [`json!`](crate::json)'s expansion in other crates.
    pub use alloc::vec;
}

/// Without std, a panic (which the engine avoids on any input) is a trap, as it is with std
/// on wasm32-unknown-unknown; only the message formatting is gone, about 3 KB of the wasm.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// The wasm module's allocator; see [`heap`].
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new(heap::WasmPages);
