//! The key parts of one row, folded and hashed once and shared by every rule that keys on them.
//!
//! A patient row of the survey is keyed on its group by the relation to its group, by the count
//! of patients per group and by the unique key (group, patient), and on its patient by the unique
//! key, the consistency check and the identifier register. Folding a cell (trim, lower-case,
//! collapse spaces) and hashing it is the dear part of a key; here each column of the current row
//! is folded and hashed at most once, on first use, and a key of several columns only combines
//! their hashes after the row's seed (its return). The row's own hash (of every cell, for "an
//! exact copy of row N") is kept the same way.
//!
//! The engine resets the parts at the start of every row; a [`crate::check::RowCtx`] borrows them.
//! When a table's rules run on two threads (`check::split`), each thread has its own parts, and
//! the parts the engine already worked out for the row (its relations', the rows it keeps for
//! later tables) go with the row ([`RowKeys::known`], [`RowKeys::preset`]): a patient's group is
//! folded and hashed once, not once more on each thread.

use crate::read::RowBuf;
use crate::value::keyhash::{Key128, KeyHash};
use crate::value::text;
use std::cell::{Cell, RefCell};

/// One column's part of the current row.
#[derive(Clone, Copy)]
pub(crate) enum Part {
    /// Not worked out yet.
    Unknown,
    /// The cell is blank (or the column absent): no key holds it.
    Empty,
    /// The hash of the folded text.
    Hash(Key128),
}

/// The parts of the current row; see the module documentation.
#[derive(Default)]
pub(crate) struct RowKeys {
    /// Per column, the row it was worked out for (a [`RowKeys::row`] number) and its part.
    parts: RefCell<Vec<(u32, Part)>>,
    /// Counts the rows reset for, from 1: a part of another row is unknown for this one. This
    /// forgets a row's parts without writing every column's slot on every row.
    row: u32,
    row_hash: Cell<Option<u64>>,
    scratch: RefCell<String>,
}

impl RowKeys {
    /// Forgets the last row's parts; `columns` is the number of pack columns of the table.
    pub(crate) fn reset(&mut self, columns: usize) {
        let parts = self.parts.get_mut();
        self.row = self.row.wrapping_add(1);
        if self.row == 0 || parts.len() != columns {
            // Every 2^32 rows, or a table of another width: start the slots afresh.
            self.row = 1;
            parts.clear();
            parts.resize(columns, (0, Part::Unknown));
        }
        self.row_hash.set(None);
    }

    /// The folded, hashed key of `cols` after `seed`; `None` when a part is blank.
    pub(crate) fn key(&self, seed: KeyHash, cols: &[usize], row: &RowBuf, physical: &[Option<u32>]) -> Option<Key128> {
        let mut h = seed;
        for &c in cols {
            h.hashed(self.part(c, row, physical)?);
        }
        Some(h.finish())
    }

    /// The parts of the current row worked out so far, by column: for another [`RowKeys`] of the
    /// same row ([`RowKeys::preset`]), so that a part is worked out once even when the rules
    /// that need it run on two threads.
    pub(crate) fn known(&self) -> impl Iterator<Item = (u32, Part)> + '_ {
        let row = self.row;
        let parts = self.parts.borrow();
        (0..parts.len()).filter_map(move |c| match parts.get(c) {
            Some(&(r, part)) if r == row && !matches!(part, Part::Unknown) => Some((u32::try_from(c).ok()?, part)),
            _ => None,
        })
    }

    /// Takes the parts of the current row that another [`RowKeys`] of the same row worked out
    /// ([`RowKeys::known`]). Call after [`RowKeys::reset`] for the row.
    pub(crate) fn preset(&self, known: &[(u32, Part)]) {
        let mut parts = self.parts.borrow_mut();
        for &(col, part) in known {
            if let Some(slot) = parts.get_mut(col as usize) {
                *slot = (self.row, part);
            }
        }
    }

    /// The hash of column `col`'s folded text, worked out on first use.
    fn part(&self, col: usize, row: &RowBuf, physical: &[Option<u32>]) -> Option<Key128> {
        let known = self.parts.borrow().get(col).copied();
        let part = match known {
            Some((r, Part::Hash(h))) if r == self.row => return Some(h),
            Some((r, Part::Empty)) if r == self.row => return None,
            _ => self.fold(col, row, physical),
        };
        if let Some(slot) = self.parts.borrow_mut().get_mut(col) {
            *slot = (self.row, part);
        }
        match part {
            Part::Hash(h) => Some(h),
            _ => None,
        }
    }

    fn fold(&self, col: usize, row: &RowBuf, physical: &[Option<u32>]) -> Part {
        let Some(p) = physical.get(col).copied().flatten() else {
            return Part::Empty;
        };
        let t = text::trim(row.get(p as usize).text);
        if t.is_empty() {
            return Part::Empty;
        }
        Part::Hash(text::key_hash(t, &mut self.scratch.borrow_mut()))
    }

    /// A hash of every cell of the row as written (trimmed), to tell an exact copy of an earlier
    /// row.
    pub(crate) fn row_hash(&self, row: &RowBuf) -> u64 {
        if let Some(h) = self.row_hash.get() {
            return h;
        }
        let h = row.trimmed_hash();
        self.row_hash.set(Some(h));
        h
    }
}

#[cfg(test)]
mod tests {
    use super::RowKeys;
    use crate::read::RowBuf;
    use crate::value::cell::CellKind;
    use crate::value::keyhash::KeyHash;

    fn row(cells: &[&str]) -> RowBuf {
        let mut r = RowBuf::default();
        for c in cells {
            r.push(CellKind::Text, c);
        }
        r
    }

    #[test]
    fn a_key_is_its_folded_parts_and_a_blank_part_means_no_key() {
        let physical = [Some(0), Some(1), Some(2), None];
        let mut keys = RowKeys::default();
        let seed = *KeyHash::default().part(b"oslo");
        keys.reset(4);
        let a = row(&[" G1 ", "Ola  Hansen", ""]);
        let k = keys.key(seed, &[0, 1], &a, &physical);
        // Asked again: the same key from the kept parts.
        assert_eq!(keys.key(seed, &[0, 1], &a, &physical), k);
        assert_eq!(keys.key(seed, &[0, 2], &a, &physical), None);
        assert_eq!(keys.key(seed, &[3], &a, &physical), None);
        // Another row that folds the same gives the same key, after a reset.
        keys.reset(4);
        let b = row(&["g1", "ola hansen", "x"]);
        assert_eq!(keys.key(seed, &[0, 1], &b, &physical), k);
        assert!(k.is_some());
        // Order, seed and columns matter.
        assert_ne!(keys.key(seed, &[1, 0], &b, &physical), k);
        assert_ne!(keys.key(KeyHash::default(), &[0, 1], &b, &physical), k);
        assert_ne!(keys.key(seed, &[0], &b, &physical), k);
        // Without the reset the parts of the last row would answer for a new one.
        keys.reset(4);
        let c = row(&["g2", "ola hansen", "x"]);
        assert_ne!(keys.key(seed, &[0, 1], &c, &physical), k);
    }

    /// When the row count wraps, a part worked out 2^32 rows before (under the same count) is not
    /// taken for the new row's; nor is a part of a table of another width.
    #[test]
    fn parts_are_forgotten_when_the_row_count_wraps_and_the_width_changes() {
        let physical = [Some(0), Some(1)];
        let seed = KeyHash::default();
        let fresh = |cells: &[&str], cols: &[usize]| {
            let mut keys = RowKeys::default();
            keys.reset(cells.len());
            keys.key(seed, cols, &row(cells), &physical)
        };
        let mut keys = RowKeys::default();
        keys.reset(1);
        assert_eq!(keys.row, 1);
        let a = keys.key(seed, &[0], &row(&["a"]), &physical);
        assert_eq!(a, fresh(&["a"], &[0]));
        keys.row = u32::MAX;
        keys.reset(1);
        assert_eq!(keys.row, 1, "the count wrapped to the first row's");
        assert_eq!(keys.key(seed, &[0], &row(&["b"]), &physical), fresh(&["b"], &[0]));
        keys.reset(2);
        let b = keys.key(seed, &[0, 1], &row(&["c", "d"]), &physical);
        assert_eq!(b, fresh(&["c", "d"], &[0, 1]));
    }

    /// The parts one `RowKeys` worked out for a row, handed to another (a rule thread's), give
    /// the keys that other would have worked out itself: blank parts stay blank, parts not
    /// handed over are worked out on demand, and the last row's parts are never handed on.
    #[test]
    fn parts_handed_to_another_thread_give_the_keys_it_would_work_out() {
        let physical = [Some(0), Some(1), Some(2), None];
        let seed = *KeyHash::default().part(b"bergen");
        let own = |cells: &[&str], cols: &[usize]| {
            let mut keys = RowKeys::default();
            keys.reset(4);
            keys.key(seed, cols, &row(cells), &physical)
        };
        let mut engine = RowKeys::default();
        let mut theirs = RowKeys::default();
        engine.reset(4);
        let first = row(&["G1", " Ola ", "x"]);
        assert!(engine.key(seed, &[0, 1], &first, &physical).is_some());
        let known: Vec<_> = engine.known().collect();
        assert_eq!(known.iter().map(|&(c, _)| c).collect::<Vec<_>>(), [0, 1]);

        engine.reset(4);
        let second = row(&["G2", "", "y"]);
        assert_eq!(engine.key(seed, &[1], &second, &physical), None);
        let known: Vec<_> = engine.known().collect();
        assert_eq!(
            known.iter().map(|&(c, _)| c).collect::<Vec<_>>(),
            [1],
            "only this row's parts, the blank one too"
        );
        theirs.reset(4);
        theirs.preset(&known);
        for cols in [&[0usize][..], &[1], &[2], &[0, 2], &[3], &[2, 0]] {
            assert_eq!(
                theirs.key(seed, cols, &second, &physical),
                own(&["G2", "", "y"], cols),
                "{cols:?}"
            );
        }
        // A part handed over is taken as it is, not worked out again from the cells.
        theirs.reset(4);
        engine.reset(4);
        assert!(engine.key(seed, &[0], &first, &physical).is_some());
        theirs.preset(&engine.known().collect::<Vec<_>>());
        assert_eq!(theirs.key(seed, &[0], &second, &physical), own(&["G1"], &[0]));
    }

    #[test]
    fn the_row_hash_is_kept_for_the_row_and_worked_out_again_after_a_reset() {
        let mut keys = RowKeys::default();
        keys.reset(1);
        let a = keys.row_hash(&row(&["a", " b"]));
        assert_eq!(keys.row_hash(&row(&["a", "b "])), a);
        keys.reset(1);
        assert_eq!(keys.row_hash(&row(&["a ", "b"])), a);
        keys.reset(1);
        assert_ne!(keys.row_hash(&row(&["a", "c"])), a);
    }

    /// Rows are told apart by where their cells end, not only by their text end to end, and by
    /// how many cells they have.
    #[test]
    fn the_row_hash_tells_cells_apart() {
        let hash = |cells: &[&str]| {
            let mut keys = RowKeys::default();
            keys.reset(cells.len());
            keys.row_hash(&row(cells))
        };
        let rows: [&[&str]; 7] = [
            &["ab", "c"],
            &["a", "bc"],
            &["abc"],
            &["abc", ""],
            &["", "abc"],
            &["a", "b", "c"],
            &["abc", "", ""],
        ];
        for (i, a) in rows.iter().enumerate() {
            for b in &rows[i + 1..] {
                assert_ne!(hash(a), hash(b), "{a:?} and {b:?}");
            }
        }
        assert_eq!(hash(&[" ab", "c\u{a0}"]), hash(&["ab", "c"]), "trimmed");
    }
}
