//! Work shared between the machine's cores, in a fixed order.
//!
//! Independent pieces of work — the returns of a national run, the attacker's programs of a
//! table's cells — run on every core, and the answers come back in input order, so what a run
//! reports and writes is the same on any machine.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The cores vakt may use, when limited (`vakt --threads N`); 0: not limited.
static LIMIT: AtomicUsize = AtomicUsize::new(0);

/// How many cores vakt uses: the machine's, or fewer when [`limit_cores`] said so.
pub fn cores() -> usize {
    let machine = std::thread::available_parallelism().map_or(1, usize::from);
    match LIMIT.load(Ordering::Relaxed) {
        0 => machine,
        n => n,
    }
}

/// Uses at most `n` cores from now on in this process (at least one): what `vakt --threads N`
/// sets, once, before any work. Output never depends on it, only the time taken.
///
/// ```
/// vakt_core::par::limit_cores(1);
/// assert_eq!(vakt_core::par::cores(), 1);
/// ```
pub fn limit_cores(n: usize) {
    LIMIT.store(n.max(1), Ordering::Relaxed);
}

/// `f` of every item, in order, computed on up to all cores.
///
/// ```
/// let squares = vakt_core::par::map(&[1u64, 2, 3], |&x| x * x);
/// assert_eq!(squares, [1, 4, 9]);
/// ```
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_on(items, cores(), f)
}

/// [`map_on`], starting the heaviest items first (by `weight`, ties in input order), so that the
/// items left for the end are light ones and no core waits long for the last; a national run's
/// returns differ tenfold in size. The answers come back in input order all the same. On one
/// worker the items are taken in input order.
///
/// ```
/// let lengths = vakt_core::par::map_heaviest_first_on(&["a", "ccc", "bb"], |s| s.len() as u64, 2, |s| s.len());
/// assert_eq!(lengths, [1, 3, 2]);
/// ```
pub fn map_heaviest_first_on<T: Sync, R: Send>(
    items: &[T],
    weight: impl Fn(&T) -> u64,
    workers: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if workers < 2 {
        return map_on(items, workers, f);
    }
    let mut order: Vec<(usize, &T)> = items.iter().enumerate().collect();
    order.sort_by_cached_key(|&(i, item)| (std::cmp::Reverse(weight(item)), i));
    let answers = map_on(&order, workers, |&(_, item)| f(item));
    let mut placed: Vec<(usize, R)> = order.iter().map(|&(i, _)| i).zip(answers).collect();
    placed.sort_by_key(|&(i, _)| i);
    placed.into_iter().map(|(_, r)| r).collect()
}

/// [`map_heaviest_first_on`] for work that changes its item: `f` has the item to itself. The
/// answer of an item whose work panicked is `None` (what it left is not to be trusted); the
/// others come back in input order.
///
/// ```
/// let mut counts = vec![1u64, 30, 2];
/// let answers = vakt_core::par::map_heaviest_first_mut(&mut counts, |&c| c, 2, |c| {
///     *c += 1;
///     *c
/// });
/// assert_eq!(answers, [Some(2), Some(31), Some(3)]);
/// assert_eq!(counts, [2, 31, 3]);
/// ```
pub fn map_heaviest_first_mut<T: Send, R: Send>(
    items: &mut [T],
    weight: impl Fn(&T) -> u64,
    workers: usize,
    f: impl Fn(&mut T) -> R + Sync,
) -> Vec<Option<R>> {
    // Each item is locked by the one worker that takes it: never waited for, and a lock poisoned
    // by a panic marks the item lost.
    let slots: Vec<std::sync::Mutex<&mut T>> = items.iter_mut().map(std::sync::Mutex::new).collect();
    let weigh = |slot: &std::sync::Mutex<&mut T>| slot.lock().map_or(0, |item| weight(&**item));
    map_heaviest_first_on(&slots, weigh, workers, |slot| {
        slot.lock().ok().map(|mut item| f(&mut **item))
    })
}

/// [`map`] on at most `workers` threads (1: one after the other, on this thread).
pub fn map_on<T: Sync, R: Send>(items: &[T], workers: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = workers.max(1);
    if cores < 2 || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..cores.min(items.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        // A worker that panicked has lost its answers: compute those again here, where the
        // panic, if it repeats, is the caller's.
        workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    let mut out = Vec::with_capacity(items.len());
    let mut have = done.into_iter().peekable();
    for (i, item) in items.iter().enumerate() {
        match have.next_if(|(j, _)| *j == i) {
            Some((_, r)) => out.push(r),
            None => out.push(f(item)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn answers_come_back_in_input_order() {
        let items: Vec<u64> = (0..1000).collect();
        let want: Vec<u64> = items.iter().map(|x| x * x).collect();
        for workers in [1, 2, 3, 8] {
            assert_eq!(super::map_on(&items, workers, |&x| x * x), want, "{workers} workers");
        }
    }

    #[test]
    fn work_that_panics_on_its_item_loses_that_answer_only() {
        let mut items: Vec<u64> = (0..40).collect();
        for workers in [1, 2, 4] {
            let answers = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                super::map_heaviest_first_mut(
                    &mut items.clone(),
                    |&x| x % 7,
                    workers,
                    |x| {
                        assert!(*x != 13, "item 13 breaks");
                        *x * 2
                    },
                )
            }));
            // On one worker the panic is the caller's, as `map_on` runs it here.
            let Ok(answers) = answers else {
                assert_eq!(workers, 1);
                continue;
            };
            for (i, a) in answers.iter().enumerate() {
                let want = (i != 13).then_some(i as u64 * 2);
                assert_eq!(*a, want, "item {i}, {workers} workers");
            }
        }
        let answers = super::map_heaviest_first_mut(
            &mut items,
            |&x| x,
            3,
            |x| {
                *x += 1;
                *x
            },
        );
        assert_eq!(answers, (1..=40).map(Some).collect::<Vec<_>>());
        assert_eq!(items, (1..=40).collect::<Vec<u64>>(), "each item changed once");
    }

    #[test]
    fn the_heaviest_items_start_first_and_answers_come_back_in_input_order() {
        let weights: Vec<u64> = vec![3, 50, 7, 50, 1, 90, 2];
        let started = std::sync::Mutex::new(Vec::new());
        let answers = super::map_heaviest_first_on(
            &weights,
            |&w| w,
            2,
            |&w| {
                started.lock().unwrap().push(w);
                w * 10
            },
        );
        assert_eq!(answers, [30, 500, 70, 500, 10, 900, 20]);
        let started = started.into_inner().unwrap();
        let mut first_two = started[..2].to_vec();
        first_two.sort_unstable();
        assert_eq!(first_two, [50, 90], "started in the order {started:?}");
        // Each worker takes the next heaviest as it finishes: the lightest items come last.
        let mut last_two = started[5..].to_vec();
        last_two.sort_unstable();
        assert_eq!(last_two, [1, 2], "started in the order {started:?}");
    }
}
