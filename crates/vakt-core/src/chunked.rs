//! An append-only list in fixed chunks of about a megabyte, for what is kept per key or per row of
//! a whole return (consistency facts, declared counts, the keys `vakt clean` records).
//!
//! One growing `Vec` doubles its capacity as it fills: at the end of a million-row return it holds
//! up to twice what it needs, and while it grows the old and the new buffer live at once. Here the
//! first chunk grows like a vector up to a megabyte; later chunks never move, and the list never
//! holds more than a megabyte of spare room.

/// Bytes per chunk.
const CHUNK_BYTES: usize = 1 << 20;

/// An append-only list of `T` in fixed chunks; see the module documentation.
///
/// ```
/// let mut list = vakt_core::chunked::Chunked::default();
/// for i in 0..100_000u64 {
///     list.push(i * 2);
/// }
/// assert_eq!((list.len(), list.get(70_000)), (100_000, Some(&140_000)));
/// assert_eq!(list.iter().rev().next(), Some(&199_998));
/// ```
pub struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    /// Items per chunk: a megabyte of them, at least one.
    const PER_CHUNK: usize = {
        let size = std::mem::size_of::<T>();
        if size == 0 || size >= CHUNK_BYTES {
            1
        } else {
            CHUNK_BYTES / size
        }
    };

    /// Appends an item.
    pub fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(c) if c.len() < Self::PER_CHUNK => c.push(item),
            _ => {
                // The first chunk grows as a vector does: most lists are short (a small table of a
                // national run has a list per rule), and a megabyte each would add up.
                let mut c = if self.chunks.is_empty() {
                    Vec::new()
                } else {
                    Vec::with_capacity(Self::PER_CHUNK)
                };
                c.push(item);
                self.chunks.push(c);
            }
        }
        self.len += 1;
    }

    /// The item at `i`, in push order.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / Self::PER_CHUNK)?.get(i % Self::PER_CHUNK)
    }

    /// How many items were pushed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The items in push order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::Chunked;

    #[test]
    fn items_across_chunk_boundaries_come_back_in_push_order() {
        // 16-byte items: 65,536 a chunk, so 200,000 items fill three chunks and part of a fourth.
        let mut c: Chunked<(u64, u64)> = Chunked::default();
        let n = 200_000u64;
        for i in 0..n {
            c.push((i, i.wrapping_mul(7)));
        }
        assert_eq!(c.len(), 200_000);
        for i in [0u64, 65_535, 65_536, 131_071, 131_072, 199_999] {
            assert_eq!(c.get(i as usize), Some(&(i, i.wrapping_mul(7))), "item {i}");
        }
        assert_eq!(c.get(200_000), None);
        let back: Vec<u64> = c.iter().map(|&(i, _)| i).collect();
        assert_eq!(back, (0..n).collect::<Vec<_>>());
    }
}
