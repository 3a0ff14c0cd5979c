//! The allocator: mimalloc, asked for plain blocks whenever the alignment allows.
//!
//! The `mimalloc` crate sends every request through mimalloc's aligned entry points,
//! which take a longer path. Nearly every allocation of this program needs at most word
//! alignment, which every mimalloc block has (block sizes are whole words from aligned
//! pages), so those go to `mi_malloc` and friends: about 20 fewer instructions on each of
//! the millions of allocations an analysis of a large model makes.

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// The alignment every mimalloc block has.
const WORD: usize = std::mem::size_of::<usize>();

pub struct Mimalloc;

// SAFETY: every method forwards to mimalloc with the layout's size, and with its
// alignment whenever that is more than a word; mimalloc returns null on failure, as
// `GlobalAlloc` requires, and `mi_free` frees blocks from either entry point.
unsafe impl GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe {
            if layout.align() <= WORD {
                mi::mi_malloc(layout.size()) as *mut u8
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe {
            if layout.align() <= WORD {
                mi::mi_zalloc(layout.size()) as *mut u8
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe {
            if layout.align() <= WORD {
                mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
            } else {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}

/// mimalloc v2's `mi_option_purge_delay` (libmimalloc-sys names no constant for it);
/// a test (in `main.rs`, as the bench shares this file) checks it against the
/// documented default.
pub const MI_OPTION_PURGE_DELAY: mi::mi_option_t = 15;

/// A command runs once and exits: memory it frees is better kept for its next
/// allocations than handed back to the OS and faulted in again (this cut a third of the
/// system time of analysing a 10,000-component model).
pub fn keep_freed_memory() {
    // SAFETY: sets one integer option of the allocator, which mimalloc allows at any
    // time; -1 means "never purge".
    unsafe { mi::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}
