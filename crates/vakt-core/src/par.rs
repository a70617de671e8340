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
}
