//! The module's allocator: power-of-two size classes, each with a free list, carved from
//! memory the module grows. It replaces std's dlmalloc in the JS package's build (5 KB of
//! code there; this is a few hundred bytes), and as fast for the glue's many small,
//! short-lived buffers: an allocation pops a list or bumps a pointer, a free pushes.
//!
//! The price is rounding: a block is the size class at or above the request, so a buffer may
//! hold up to twice what it asked for, and blocks are never split or merged (a class keeps the
//! most it ever had in use). `Vec` growth doubles anyway, and `realloc` within the class keeps
//! the block, so a growing body moves once per class, not once per reserve.
//!
//! Only on `wasm32-unknown-unknown`, which is single-threaded (no atomics in this build), so
//! the state needs no lock.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32::memory_grow;
use core::cell::UnsafeCell;
use core::ptr::null_mut;

/// Blocks are at least 16 bytes (room for the free list's link, and `u128`'s alignment).
const MIN_CLASS: u32 = 4;
/// One free list per power of two up to 2^31.
const CLASSES: usize = 32;
const PAGE: usize = 65_536;

struct State {
    /// The head of each class's free list (0: empty); a free block's first word links the next.
    free: [usize; CLASSES],
    /// The unused memory at the end: `[next, end)`.
    next: usize,
    end: usize,
}

/// The allocator; `#[global_allocator]` in `main.rs`.
pub struct Heap(UnsafeCell<State>);

// SAFETY: wasm32-unknown-unknown without the atomics feature runs one thread.
unsafe impl Sync for Heap {}

impl Heap {
    pub const fn new() -> Self {
        Heap(UnsafeCell::new(State {
            free: [0; CLASSES],
            next: 0,
            end: 0,
        }))
    }
}

/// The class of a layout: log2 of the block size, or `None` past 2 GiB (or for an alignment
/// beyond a page, which blocks do not promise). Inlined: it is a few instructions of every
/// allocation's fast path.
#[inline(always)]
fn class_of(layout: Layout) -> Option<usize> {
    if layout.align() > PAGE {
        return None;
    }
    let size = layout.size().max(layout.align()).max(1 << MIN_CLASS);
    let class = usize::BITS - (size - 1).leading_zeros();
    (class < CLASSES as u32).then_some(class as usize)
}

impl State {
    /// A new block of class `class` from the end of memory, aligned to its size (up to a
    /// page), growing memory when the end is reached.
    fn carve(&mut self, class: usize) -> *mut u8 {
        let size = 1usize << class;
        let align = size.min(PAGE);
        let mut start = (self.next + align - 1) & !(align - 1);
        if self.end < start || self.end - start < size {
            // Grow by whole pages: the block's, or 16 pages for small ones.
            let pages = size.div_ceil(PAGE).max(16);
            let old = memory_grow(0, pages);
            if old == usize::MAX {
                return null_mut();
            }
            let grown = old * PAGE;
            if grown != self.end {
                // The first growth (or memory grown by someone else): start over there; the
                // rest of the old span stays unused.
                self.next = grown;
            }
            self.end = (old + pages) * PAGE;
            start = (self.next + align - 1) & !(align - 1);
            if self.end - start < size {
                return self.carve(class);
            }
        }
        self.next = start + size;
        start as *mut u8
    }
}

unsafe impl GlobalAlloc for Heap {
    // Out of line: inlined, it would be copied into every allocation site.
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(layout) else {
            return null_mut();
        };
        // SAFETY: one thread, and no reentrancy: nothing here allocates.
        let state = &mut *self.0.get();
        let head = state.free[class];
        if head != 0 {
            // SAFETY: `head` is a free block of this class; its first word is the next link.
            state.free[class] = *(head as *const usize);
            return head as *mut u8;
        }
        state.carve(class)
    }

    // Out of line: inlined, it would be copied into every allocation site.
    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some(class) = class_of(layout) else {
            return;
        };
        let state = &mut *self.0.get();
        // SAFETY: `ptr` is a block of this class (the same layout allocated it), at least 16
        // bytes, aligned for a word; it is ours again.
        *(ptr as *mut usize) = state.free[class];
        state.free[class] = ptr as usize;
    }

    // Out of line: inlined, it would be copied into every allocation site.
    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY (of the layout): `GlobalAlloc::realloc` promises `new_size`, rounded up to the
        // alignment, does not overflow.
        let new = Layout::from_size_align_unchecked(new_size, layout.align());
        if class_of(new).is_some() && class_of(new) == class_of(layout) {
            return ptr;
        }
        let moved = self.alloc(new);
        if !moved.is_null() {
            core::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        moved
    }
}
