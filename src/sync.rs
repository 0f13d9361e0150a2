//! Statics that calls share (the regex caches, normalizePhone's recent options), in both kinds
//! of build: std's `OnceLock` natively, where tests run on many threads; on wasm32, which runs
//! one thread, core's `OnceCell` and any value marked shareable, so the npm wasm needs no std.

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use std::sync::OnceLock;

// Nothing here locks: wasm32-unknown-unknown without the atomics feature runs one thread.
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
compile_error!("the wasm build is single-threaded; threads need locks in sync.rs and heap.rs");

/// A value set once, on first use (`std::sync::OnceLock`'s API, for one thread). Boxed, so
/// that an empty cell is all zero bytes: a static array of them then takes no space in the
/// wasm's data (unboxed, the 508 regex caches of `territory.rs` were 6 KB of it).
#[cfg(target_arch = "wasm32")]
pub(crate) struct OnceLock<T>(core::cell::OnceCell<alloc::boxed::Box<T>>);

// SAFETY: one thread only (see above), so no two threads can reach the cell.
#[cfg(target_arch = "wasm32")]
unsafe impl<T> Sync for OnceLock<T> {}

#[cfg(target_arch = "wasm32")]
impl<T> OnceLock<T> {
    /// An empty cell.
    pub(crate) const fn new() -> Self {
        OnceLock(core::cell::OnceCell::new())
    }

    /// The value, computed by `init` on first use.
    pub(crate) fn get_or_init(&self, init: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(|| alloc::boxed::Box::new(init()))
    }
}

/// A static that only the wasm module's one thread touches (in place of `thread_local!`).
#[cfg(target_arch = "wasm32")]
pub(crate) struct Local<T>(pub(crate) T);

// SAFETY: one thread only (see above).
#[cfg(target_arch = "wasm32")]
unsafe impl<T> Sync for Local<T> {}
