//! The wasm heap, in place of std's dlmalloc (7 KB of the wasm; this is under 1 KB).
//!
//! Blocks are powers of two from 8 bytes, each aligned to its size. A freed block goes on
//! its size's free list and is reused for the next request of that size, so a call's
//! allocations cost a few instructions each and memory settles at what the busiest call
//! needed. Blocks under 64 KB are cut from 64 KB pages of `memory.grow`; larger ones are
//! whole pages. Nothing is coalesced or given back: wasm memory cannot shrink anyway, and
//! the library's calls allocate the same few sizes again and again.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

/// The smallest block (a free-list link fits in it), as a power of two.
const MIN_CLASS: usize = 3;
/// Size classes: 2^3 up to 2^31 bytes.
const CLASSES: usize = 32;
/// A wasm page.
const PAGE: usize = 1 << 16;

/// Free lists and the page being cut.
struct Lists {
    /// Per class, the address of the first free block (0: none); a free block's first word
    /// holds the next one's address.
    free: [usize; CLASSES],
    /// Next unused address in the current page, and the page's end.
    next: usize,
    end: usize,
}

/// The global allocator of the wasm module.
pub(crate) struct Heap<G = WasmPages> {
    lists: UnsafeCell<Lists>,
    pages: G,
}

/// Where pages come from.
pub(crate) trait Grow {
    /// The address of `n` fresh, page-aligned pages, or `None` when memory is exhausted.
    fn grow(&self, n: usize) -> Option<usize>;
}

/// `memory.grow` on the module's memory.
pub(crate) struct WasmPages;

#[cfg(target_arch = "wasm32")]
impl Grow for WasmPages {
    fn grow(&self, n: usize) -> Option<usize> {
        let previous = core::arch::wasm32::memory_grow(0, n);
        (previous != usize::MAX).then(|| previous * PAGE)
    }
}

// The allocator has no lock: wasm32-unknown-unknown without the atomics feature runs one
// thread, so nothing else can touch the lists while a method runs.
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
compile_error!("the wasm heap is single-threaded; threads need a locking allocator");

// SAFETY: see above; every method runs to completion on the only thread.
unsafe impl<G> Sync for Heap<G> {}

impl<G> Heap<G> {
    /// An empty heap over `pages`.
    pub(crate) const fn new(pages: G) -> Self {
        Heap { lists: UnsafeCell::new(Lists { free: [0; CLASSES], next: 0, end: 0 }), pages }
    }
}

/// The class of blocks that fits `layout` (size and alignment), if any does.
fn class(layout: Layout) -> Option<usize> {
    let size = layout.size().max(layout.align()).max(1 << MIN_CLASS);
    let class = size.checked_next_power_of_two()?.trailing_zeros() as usize;
    (class < CLASSES).then_some(class)
}

unsafe impl<G: Grow> GlobalAlloc for Heap<G> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class(layout) else { return core::ptr::null_mut() };
        // SAFETY: single-threaded and not re-entered (see `Sync`), so this is the only
        // reference to the lists.
        let lists = unsafe { &mut *self.lists.get() };
        let Some(head) = lists.free.get_mut(class) else { return core::ptr::null_mut() };
        if *head != 0 {
            let block = *head;
            // SAFETY: a block on a free list is ours, at least 8 bytes and aligned, and its
            // first word was written by `dealloc`.
            *head = unsafe { *(block as *const usize) };
            return block as *mut u8;
        }
        let size = 1usize << class;
        if size >= PAGE {
            // Whole pages are only page-aligned: larger alignments are not served.
            if layout.align() > PAGE {
                return core::ptr::null_mut();
            }
            return self.pages.grow(size / PAGE).map_or(core::ptr::null_mut(), |a| a as *mut u8);
        }
        // Cut from the current page, aligned to the block's size; a fresh page when it is
        // used up (its rest is left unused).
        let mut start = lists.next.wrapping_add(size - 1) & !(size - 1);
        if lists.next == 0 || start.wrapping_add(size) > lists.end || start < lists.next {
            let Some(page) = self.pages.grow(1) else { return core::ptr::null_mut() };
            (start, lists.end) = (page, page + PAGE);
        }
        lists.next = start + size;
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as in `alloc`.
        let lists = unsafe { &mut *self.lists.get() };
        if let Some(head) = class(layout).and_then(|c| lists.free.get_mut(c)) {
            // SAFETY: `ptr` came from `alloc` with this layout, so it is a block of this
            // class that nobody uses any more; its first word becomes the link.
            unsafe { *(ptr as *mut usize) = *head };
            *head = ptr as usize;
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees a valid layout for `new_size` (GlobalAlloc::realloc).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class(new_layout) == class(layout) {
            return ptr;
        }
        // SAFETY: `new_layout` is valid (above); the blocks do not overlap.
        unsafe {
            let new = self.alloc(new_layout);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Pages from the native allocator, freed when the test ends.
    #[derive(Default)]
    struct TestPages(RefCell<Vec<(*mut u8, Layout)>>);

    impl Grow for TestPages {
        fn grow(&self, n: usize) -> Option<usize> {
            let layout = Layout::from_size_align(n * PAGE, PAGE).ok()?;
            // SAFETY: the layout has a non-zero size.
            let page = unsafe { std::alloc::alloc(layout) };
            self.0.borrow_mut().push((page, layout));
            Some(page as usize)
        }
    }

    impl Drop for TestPages {
        fn drop(&mut self) {
            for (page, layout) in self.0.borrow_mut().drain(..) {
                // SAFETY: allocated above with this layout.
                unsafe { std::alloc::dealloc(page, layout) };
            }
        }
    }

    #[test]
    fn blocks_are_aligned_disjoint_and_reused() {
        let heap = Heap::new(TestPages::default());
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for step in 0..20_000u32 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let roll = (seed % 100) as usize;
            if roll < 55 || live.is_empty() {
                let size = [1, 7, 8, 24, 100, 1000, 5000, 40_000, 70_000][roll % 9];
                let align = [1, 2, 4, 8, 16, 64][(seed >> 8) as usize % 6];
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: non-zero size.
                let p = unsafe { heap.alloc(layout) };
                assert!(!p.is_null());
                assert_eq!(p as usize % align, 0);
                let tag = step as u8;
                // SAFETY: the block is at least `size` bytes.
                unsafe { std::ptr::write_bytes(p, tag, size) };
                live.push((p, layout, tag));
            } else if roll < 85 {
                let (p, layout, tag) = live.swap_remove((seed >> 16) as usize % live.len());
                // SAFETY: written above and not freed since.
                let bytes = unsafe { std::slice::from_raw_parts(p, layout.size()) };
                assert!(bytes.iter().all(|&b| b == tag), "block overwritten");
                unsafe { heap.dealloc(p, layout) };
            } else {
                let i = (seed >> 16) as usize % live.len();
                let (p, layout, tag) = live[i];
                let new_size = [3, 50, 300, 9000][(seed >> 24) as usize % 4];
                // SAFETY: p is live with this layout; new_size is non-zero.
                let q = unsafe { heap.realloc(p, layout, new_size) };
                let kept = layout.size().min(new_size);
                // SAFETY: q holds at least new_size bytes, the first `kept` copied.
                let bytes = unsafe { std::slice::from_raw_parts(q, kept) };
                assert!(bytes.iter().all(|&b| b == tag), "realloc lost data");
                unsafe { std::ptr::write_bytes(q, tag, new_size) };
                live[i] = (q, Layout::from_size_align(new_size, layout.align()).unwrap(), tag);
            }
        }
        for (p, layout, tag) in live {
            let bytes = unsafe { std::slice::from_raw_parts(p, layout.size()) };
            assert!(bytes.iter().all(|&b| b == tag), "block overwritten");
        }
    }

    #[test]
    fn sizes_round_to_classes() {
        let class_of = |size, align| class(Layout::from_size_align(size, align).unwrap());
        assert_eq!(class_of(1, 1), Some(3));
        assert_eq!(class_of(9, 1), Some(4));
        assert_eq!(class_of(8, 64), Some(6));
        assert_eq!(class_of((1 << 31) + 1, 1), None);
    }
}
