//! `Slab<T>`: an array that is either owned or a window into a memory-mapped file.

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use bytemuck::Pod;
use memmap2::Mmap;

/// A read-only array of plain values, owned or borrowed from a shared mapping.
#[derive(Debug, Clone)]
pub enum Slab<T: Pod> {
    /// Values the slab owns.
    Owned(Vec<T>),
    /// Checked at construction to be aligned and in bounds, so `deref` cannot fail.
    Mapped {
        /// The mapping.
        map: Arc<Mmap>,
        /// The window's first byte.
        start: usize,
        /// Values in the window.
        len: usize,
        /// The value type.
        _t: PhantomData<T>,
    },
}

impl<T: Pod> Slab<T> {
    /// A window of `len` values at byte `start` of `map`, or `None` if misaligned or out of bounds.
    pub fn mapped(map: &Arc<Mmap>, start: usize, len: usize) -> Option<Self> {
        let bytes = len.checked_mul(size_of::<T>())?;
        let end = start.checked_add(bytes)?;
        let window = map.get(start..end)?;
        bytemuck::try_cast_slice::<u8, T>(window).ok()?;
        Some(Slab::Mapped { map: Arc::clone(map), start, len, _t: PhantomData })
    }
}

impl<T: Pod> Default for Slab<T> {
    fn default() -> Self {
        Slab::Owned(Vec::new())
    }
}

impl<T: Pod> Deref for Slab<T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        match self {
            Slab::Owned(v) => v,
            Slab::Mapped { map, start, len, .. } => {
                bytemuck::cast_slice(&map[*start..*start + *len * size_of::<T>()])
            }
        }
    }
}

impl<T: Pod> From<Vec<T>> for Slab<T> {
    fn from(v: Vec<T>) -> Self {
        Slab::Owned(v)
    }
}
