//! One table's rules on two threads, for a run with a core to spare.
//!
//! A national run checks one return per core. A single return, or fewer returns than cores, would
//! leave a core idle while one thread reads and checks a million rows. For such a run the engine
//! gathers a large table's data rows in batches, with what it worked out for each row (its parsed
//! values, related rows and key seed), and shares the table's rules out between its own thread
//! and a second one (started once for the table and fed batch by batch): while the second runs
//! its rules over one batch (with up to one more waiting for it), the first reads the next batch
//! and runs its own rules over it. Which rule runs where is decided from their cost on the first
//! batch (and again, ever more rarely, on later ones), to balance the two threads.
//!
//! What a run reports cannot depend on this. Each rule sees every row of the table in order and
//! keeps its own state, so rules do not depend on each other; their findings are tagged with the
//! row and the rule's rank and handed to the collector in exactly the order one thread would have
//! made them; and the collector masks only once the return is read. The return-key table, and a
//! table that looks up its own rows, are checked on one thread: their rows change what the rules
//! of their later rows see. A table that other tables look up is shared out like any other: the
//! rows it keeps for them are set aside from the scope its rules read until it is done
//! (`engine::stream_split`).

use super::sink::Tagged;
use super::{ReturnRule, ReturnScope, RowCtx, RowRule, Sink};
use crate::check::keys::{Part, RowKeys};
use crate::pack::Table;
use crate::read::RowBuf;
use crate::value::keyhash::KeyHash;
use crate::value::Parsed;
use std::sync::Arc;
use std::thread::Scope;
use std::time::{Duration, Instant};

/// Data rows per batch: enough that handing a batch over costs little beside checking it, few
/// enough that a batch (copied cells, parsed values) stays within a few megabytes.
pub(super) const BATCH_ROWS: usize = 4096;

/// Data rows of a table gathered for its rules, with what the engine worked out for each.
pub(super) struct Batch {
    rows: Vec<RowBuf>,
    values: Vec<Parsed>,
    related: Vec<Option<u32>>,
    seeds: Vec<KeyHash>,
    /// The key parts the engine worked out for each row (its relations' and the kept rows'),
    /// by column: the rules take them rather than work them out again on each thread.
    parts: Vec<(u32, Part)>,
    /// Per row: where its values, its related rows and its key parts start.
    starts: Vec<(usize, usize, usize)>,
    len: usize,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            rows: Vec::new(),
            values: Vec::new(),
            related: Vec::new(),
            seeds: Vec::new(),
            parts: Vec::new(),
            starts: Vec::new(),
            len: 0,
        }
    }

    fn clear(&mut self) {
        self.values.clear();
        self.related.clear();
        self.seeds.clear();
        self.parts.clear();
        self.starts.clear();
        self.len = 0;
    }

    fn push(&mut self, row: &RowBuf, values: &[Parsed], related: &[Option<u32>], (seed, keys): (KeyHash, &RowKeys)) {
        if self.rows.len() <= self.len {
            self.rows.push(RowBuf::default());
        }
        if let Some(kept) = self.rows.get_mut(self.len) {
            kept.copy_from(row);
        }
        self.starts
            .push((self.values.len(), self.related.len(), self.parts.len()));
        self.values.extend_from_slice(values);
        self.related.extend_from_slice(related);
        self.seeds.push(seed);
        self.parts.extend(keys.known());
        self.len += 1;
    }

    /// The context the rules see for row `i` of the batch, with `keys` (reset for it) as its key
    /// parts, starting from those the engine worked out.
    fn ctx<'b>(&'b self, i: usize, env: &Env<'b>, keys: &'b RowKeys) -> Option<RowCtx<'b>> {
        let &(v, r, k) = self.starts.get(i)?;
        let (v_end, r_end, k_end) =
            self.starts
                .get(i + 1)
                .copied()
                .unwrap_or((self.values.len(), self.related.len(), self.parts.len()));
        keys.preset(self.parts.get(k..k_end)?);
        Some(RowCtx::new(
            self.rows.get(i)?,
            self.values.get(v..v_end)?,
            env.physical,
            env.scope,
            self.related.get(r..r_end)?,
            (*self.seeds.get(i)?, keys),
        ))
    }
}

/// A rule of the table: a row rule, or a return rule observing the table's rows.
pub(super) enum Rule<'a, 'p> {
    /// A row rule of the table.
    Row(&'a mut (dyn RowRule + 'p)),
    /// A return rule, observing this table's rows.
    Return(&'a mut (dyn ReturnRule + 'p)),
}

/// A rule with its rank in the one-thread order (rank 0 is the engine's own row findings) and the
/// time it took on the first batch.
pub(super) struct Ranked<'a, 'p> {
    rank: u32,
    rule: Rule<'a, 'p>,
    spent: Duration,
}

impl<'a, 'p> Ranked<'a, 'p> {
    /// The table's row rules, then the return rules, in the order one thread runs them.
    pub(super) fn all<'r: 'p, 'q: 'p>(
        rows: &'a mut [Box<dyn RowRule + 'r>],
        returns: &'a mut [Box<dyn ReturnRule + 'q>],
    ) -> Vec<Ranked<'a, 'p>> {
        let rows = rows.iter_mut().map(|r| {
            let r: &'a mut (dyn RowRule + 'p) = r.as_mut();
            Rule::Row(r)
        });
        let returns = returns.iter_mut().map(|r| {
            let r: &'a mut (dyn ReturnRule + 'p) = r.as_mut();
            Rule::Return(r)
        });
        rows.chain(returns)
            .zip(1u32..)
            .map(|(rule, rank)| Ranked {
                rank,
                rule,
                spent: Duration::ZERO,
            })
            .collect()
    }
}

/// What every thread needs to know of the table: shared, read-only.
#[derive(Clone, Copy)]
pub(super) struct Env<'e> {
    pub(super) file: &'e str,
    pub(super) sheet: Option<&'e str>,
    pub(super) table_index: usize,
    pub(super) table: &'e Table,
    pub(super) physical: &'e [Option<u32>],
    pub(super) scope: &'e ReturnScope,
}

impl<'e> Env<'e> {
    fn sink<'f>(&self, found: &'f mut Vec<Tagged>) -> Sink<'f>
    where
        'e: 'f,
    {
        Sink::tagged(
            found,
            (self.file, self.sheet),
            self.table_index,
            self.table,
            self.physical,
        )
    }
}

/// Rows a rule checks one after the other before the next rule takes them ([`run_marked`]).
const BLOCK_ROWS: usize = 16;

/// Runs `rules` over every row of `batch`; their findings go to `found`, tagged, and are put in
/// order by [`merge`].
///
/// A block of [`BLOCK_ROWS`] rows at a time, each rule over the whole block: the rows and their
/// key parts stay in cache for all the rules, and a rule that looks its keys up in a table past
/// the caches (unique keys, consistency, counts) asks for the next row's while the last one's is
/// still on its way, not one miss after the other with every other rule's work in between. When
/// `timed`, each rule adds its time over each block to `spent`: two clock readings a rule and
/// block (a few hundred nanoseconds against the block's tens of microseconds), not two a cell.
fn run(batch: &Batch, rules: &mut [Ranked<'_, '_>], env: Env<'_>, found: &mut Vec<Tagged>, timed: bool) {
    crate::read::guard::in_rules(|| run_marked(batch, rules, env, found, timed));
}

fn run_marked(batch: &Batch, rules: &mut [Ranked<'_, '_>], env: Env<'_>, found: &mut Vec<Tagged>, timed: bool) {
    let mut sink = env.sink(found);
    let columns = env.table.columns.len();
    let check = |i: usize, ctx: &RowCtx<'_>, r: &mut Ranked<'_, '_>, sink: &mut Sink<'_>| {
        sink.tag((i as u32, r.rank));
        match &mut r.rule {
            Rule::Row(rule) => rule.check(ctx, sink),
            Rule::Return(rule) => rule.observe(env.table_index, ctx, sink),
        }
    };
    let mut block_keys: [RowKeys; BLOCK_ROWS] = std::array::from_fn(|_| RowKeys::default());
    for start in (0..batch.len).step_by(BLOCK_ROWS) {
        let rows = start..batch.len.min(start.saturating_add(BLOCK_ROWS));
        block_keys.iter_mut().for_each(|k| k.reset(columns));
        let ctxs: smallvec::SmallVec<[(usize, RowCtx<'_>); BLOCK_ROWS]> = rows
            .zip(&block_keys)
            .filter_map(|(i, k)| Some((i, batch.ctx(i, &env, k)?)))
            .collect();
        for r in rules.iter_mut() {
            // Timed block by block, in the order the rules always run, so that a rule's cost is
            // what it costs untimed (a rule run over the whole batch alone would take the cache
            // misses of every row, which the rules of a block share).
            let started = timed.then(Instant::now);
            ctxs.iter().for_each(|(i, ctx)| check(*i, ctx, r, &mut sink));
            if let Some(started) = started {
                r.spent += started.elapsed();
            }
        }
    }
}

/// Hands the findings of one batch, made on two threads, to the collector in one-thread order.
fn merge(mut found: Vec<Tagged>, theirs: Vec<Tagged>, direct: &mut Sink<'_>) {
    found.extend(theirs);
    // Stable: findings of one rule at one row keep their order.
    found.sort_by_key(|t| t.at);
    for t in found {
        if t.failed {
            direct.fail(t.finding);
        } else {
            direct.push(t.finding);
        }
    }
}

/// Batches between two measurements of the rules' cost, once the table is long.
const RETIME_EVERY: u32 = 256;

/// Whether the rules' cost is measured on batch `n` (0-based): the first four (0 to 3), then ever
/// more rarely (5, 9, 17 … 257), as the keys the rules hold grow and their cost with them, then
/// every 256th (513, 769 …), so that one slow moment of the machine at a measurement (which can
/// put every rule back on the engine's thread) does not decide the rest of a long table.
///
/// Each is one batch past a power of two (batches 1 and 2 are at one as well, while the table's
/// vectors are still small). Batch 2^k starts at row 2^k × [`BATCH_ROWS`], a power
/// of two: where every vector a rule keeps a row in doubles, and every chunk of a
/// [`crate::chunked::Chunked`] list fills. Timed there, a rule that keeps one number a row (`vakt
/// clean`'s key recorder, some 250 µs a batch) measured up to ten times its cost at each
/// doubling and went to the second thread on that measure, which then had too little to do while
/// the engine's thread kept too much (stop 42).
fn is_timed(n: u32) -> bool {
    let Some(past) = n.checked_sub(1) else {
        return true;
    };
    (past.is_power_of_two() && past <= RETIME_EVERY) || past.is_multiple_of(RETIME_EVERY)
}

/// Batches the second thread may have on hand at once: while it checks one, the next waits for
/// it, so that a batch that takes one thread longer than usual (a key map that doubles, a page
/// fault, a timed batch) does not hold the other thread up at that batch. With one batch in flight
/// the two threads met at every batch (the 1.1M-row return, stop 42: median 1.10 → 1.08 s and the
/// slowest of 21 runs 1.18 → 1.11 s).
const IN_FLIGHT: usize = 2;

/// A batch for the second thread: its rules when they change hands (the first batch and after
/// every new share-out), and whether to give them back with the batch (a timed batch, whose
/// costs share the rules out again).
struct Job<'a, 'p> {
    batch: Arc<Batch>,
    rules: Option<Vec<Ranked<'a, 'p>>>,
    timed: bool,
    give_back: bool,
}

/// A batch the second thread has checked: its findings, and its rules if it was asked for them.
struct Checked<'a, 'p> {
    found: Vec<Tagged>,
    rules: Option<Vec<Ranked<'a, 'p>>>,
}

/// A batch on the second thread: this thread's findings for it, the batch (for reuse once the
/// second thread has let it go), the time this thread took to read it if its rules were timed,
/// and whether the rules come back with it.
struct InFlight {
    mine: Vec<Tagged>,
    batch: Arc<Batch>,
    reading: Option<Duration>,
    gives_back: bool,
}

/// The second thread of a table, started with its first shared batch: it keeps the rules it is
/// given and checks the batches it is sent with them, in order, until the pipeline drops its end
/// (one thread a table, not one a batch: a whole return has hundreds of batches).
struct Worker<'a, 'p> {
    to: std::sync::mpsc::Sender<Job<'a, 'p>>,
    from: std::sync::mpsc::Receiver<std::thread::Result<Checked<'a, 'p>>>,
}

impl<'a, 'p> Worker<'a, 'p> {
    fn start<'s, 'e>(scope: &'s Scope<'s, 'e>, env: Env<'e>) -> Self
    where
        'a: 's,
        'p: 's,
        'e: 's,
    {
        let (to, jobs) = std::sync::mpsc::channel::<Job<'a, 'p>>();
        let (done, from) = std::sync::mpsc::channel();
        scope.spawn(move || {
            let mut rules = Vec::new();
            // A rule that panics here panics on the engine's thread when the batch lands, where
            // the engine reports the input as unreadable, as it would on one thread.
            serve(&jobs, &done, |job: Job<'a, 'p>| {
                if let Some(given) = job.rules {
                    rules = given;
                }
                let mut found = Vec::new();
                run(&job.batch, &mut rules, env, &mut found, job.timed);
                drop(job.batch);
                let back = job.give_back.then(|| std::mem::take(&mut rules));
                Checked { found, rules: back }
            });
        });
        Worker { to, from }
    }
}

/// The second thread's loop: answers each job, in order, with what `work` made of it or with its
/// panic. After a panic it answers nothing more, but takes the jobs still sent until the engine's
/// thread lets its end go. The engine's thread, landing the answers in order, then always comes to
/// the panic and reports the rule's own words: had this thread stopped, the engine's next send
/// could fail first and say only that the thread stopped (a race CI met in stop 42).
fn serve<J, A>(
    jobs: &std::sync::mpsc::Receiver<J>,
    answers: &std::sync::mpsc::Sender<std::thread::Result<A>>,
    mut work: impl FnMut(J) -> A,
) {
    for job in jobs {
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(job)));
        let failed = answer.is_err();
        if answers.send(answer).is_err() {
            return;
        }
        if failed {
            jobs.iter().for_each(drop);
            return;
        }
    }
}

/// What the engine's thread does when the second thread has stopped without an answer: stop as a
/// panicking rule would (the engine reports the input as unreadable).
fn lost() -> ! {
    crate::read::guard::rules_failed();
    std::panic::resume_unwind(Box::new("the second thread of a table stopped"))
}

/// The batches of one table on their way through the two threads.
pub(super) struct Pipeline<'s, 'a, 'p, 'e> {
    scope: &'s Scope<'s, 'e>,
    env: Env<'e>,
    filling: Batch,
    spares: Vec<Batch>,
    mine: Vec<Ranked<'a, 'p>>,
    /// The second thread's rules while they are on this thread (between share-outs).
    theirs: Vec<Ranked<'a, 'p>>,
    /// The second thread holds its rules (`theirs` is empty until they come back, with the last
    /// batch in flight when that one `gives_back`).
    theirs_away: bool,
    /// This thread's findings for the batch being filled.
    found: Vec<Tagged>,
    in_flight: std::collections::VecDeque<InFlight>,
    worker: Option<Worker<'a, 'p>>,
    /// Batches handed to the rules so far.
    batches: u32,
    /// When the batch being filled was started.
    started: Option<Instant>,
    /// How long this thread took to read each of the last batches.
    readings: Readings,
}

/// How long the engine's thread took to read each of the last three batches (parse their rows
/// and work out what the rules need), for a share-out to weigh the middle one. One slow batch
/// then does not decide it: batch 33 of the 1.1M-row return, a timed one, took twice the usual to
/// read in every run, every rule went to the second thread on that measure, and the engine's
/// thread sat idle for some 90 ms of the batches after it (stop 43).
#[derive(Default)]
struct Readings {
    last: [Duration; 3],
    seen: usize,
}

impl Readings {
    fn record(&mut self, reading: Duration) {
        self.last.rotate_right(1);
        if let Some(first) = self.last.first_mut() {
            *first = reading;
        }
        self.seen = self.seen.saturating_add(1);
    }

    /// The middle of the last three readings (the lower of two, the one of one; zero before any).
    fn steady(&self) -> Duration {
        let mut last = self.last;
        let Some(seen) = last.get_mut(..self.seen.min(3)) else {
            return Duration::ZERO;
        };
        seen.sort_unstable();
        seen.get(seen.len().saturating_sub(1) / 2).copied().unwrap_or_default()
    }
}

impl<'s, 'a: 's, 'p: 's, 'e> Pipeline<'s, 'a, 'p, 'e> {
    /// A pipeline for one table, with all its rules on this thread until the first batch is in.
    pub(super) fn new(scope: &'s Scope<'s, 'e>, env: Env<'e>, rules: Vec<Ranked<'a, 'p>>) -> Self {
        Pipeline {
            scope,
            env,
            filling: Batch::new(),
            spares: Vec::new(),
            mine: rules,
            theirs: Vec::new(),
            theirs_away: false,
            found: Vec::new(),
            in_flight: std::collections::VecDeque::new(),
            worker: None,
            batches: 0,
            started: None,
            readings: Readings::default(),
        }
    }

    /// A sink for a finding of the engine's own about the row that comes next (a blank or note
    /// row), placed before the next data row's findings.
    pub(super) fn engine_sink(&mut self) -> Sink<'_> {
        let at = (self.filling.len as u32, 0);
        let mut sink = self.env.sink(&mut self.found);
        sink.tag(at);
        sink
    }

    /// Adds a data row, with the key parts the engine worked out for it (`keys`); a full batch
    /// goes to the rules.
    pub(super) fn push(
        &mut self,
        (row, values): (&RowBuf, &[Parsed]),
        related: &[Option<u32>],
        (seed, keys): (KeyHash, &RowKeys),
        direct: &mut Sink<'_>,
    ) {
        self.started.get_or_insert_with(Instant::now);
        self.filling.push(row, values, related, (seed, keys));
        if self.filling.len >= BATCH_ROWS {
            self.dispatch(direct);
        }
    }

    /// Whether the rules' cost is measured on this batch ([`is_timed`]).
    fn timed(&self) -> bool {
        is_timed(self.batches)
    }

    fn dispatch(&mut self, direct: &mut Sink<'_>) {
        if let Some(started) = self.started.take() {
            self.readings.record(started.elapsed());
        }
        let timed = self.timed();
        self.batches += 1;
        // Room for this batch, and the rules back if they are coming back to be shared out again.
        while self.in_flight.len() >= IN_FLIGHT
            || self.theirs_away && self.in_flight.back().is_some_and(|f| f.gives_back)
        {
            self.land(direct);
        }
        if self.theirs.is_empty() && !self.theirs_away {
            // The first batch, or rules that do not share out: all on this thread.
            run(&self.filling, &mut self.mine, self.env, &mut self.found, timed);
            merge(std::mem::take(&mut self.found), Vec::new(), direct);
            self.filling.clear();
            if timed {
                self.balance(self.readings.steady());
            }
            return;
        }
        let mut next = self.spares.pop().unwrap_or_else(Batch::new);
        next.clear();
        let batch = Arc::new(std::mem::replace(&mut self.filling, next));
        let job = Job {
            batch: Arc::clone(&batch),
            rules: (!self.theirs_away).then(|| std::mem::take(&mut self.theirs)),
            timed,
            give_back: timed,
        };
        self.theirs_away = true;
        #[cfg(test)]
        tests::FLIGHTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (scope, env) = (self.scope, self.env);
        let worker = self.worker.get_or_insert_with(|| Worker::start(scope, env));
        if worker.to.send(job).is_err() {
            lost();
        }
        run(&batch, &mut self.mine, self.env, &mut self.found, timed);
        self.in_flight.push_back(InFlight {
            mine: std::mem::take(&mut self.found),
            batch,
            reading: timed.then(|| self.readings.steady()),
            gives_back: timed,
        });
    }

    /// Waits for the oldest batch on the second thread, hands its findings to the collector, and,
    /// when its rules come back timed, shares the rules out again.
    fn land(&mut self, direct: &mut Sink<'_>) {
        let Some(flight) = self.in_flight.pop_front() else {
            return;
        };
        let checked = match self.worker.as_ref().map(|w| w.from.recv()) {
            Some(Ok(Ok(c))) => c,
            // A rule panicked on the second thread: panic here, where the engine catches it and
            // reports the input as unreadable, as it would on one thread.
            Some(Ok(Err(panic))) => {
                crate::read::guard::rules_failed();
                std::panic::resume_unwind(panic)
            }
            _ => lost(),
        };
        merge(flight.mine, checked.found, direct);
        // The second thread let its handle go before answering: the batch is this thread's again.
        if let Ok(batch) = Arc::try_unwrap(flight.batch) {
            self.spares.push(batch);
        }
        if let Some(rules) = checked.rules {
            self.theirs = rules;
            self.theirs_away = false;
            if let Some(reading) = flight.reading {
                self.balance(reading);
            }
        }
    }

    /// Shares the rules out by their cost on the last timed batch ([`shares`]).
    fn balance(&mut self, reading: Duration) {
        let mut rules = std::mem::take(&mut self.mine);
        rules.append(&mut self.theirs);
        rules.sort_by_key(|r| std::cmp::Reverse(r.spent));
        let spent: Vec<Duration> = rules.iter().map(|r| r.spent).collect();
        let theirs = shares(&spent, reading, self.env.sheet.is_some());
        for (mut r, there) in rules.into_iter().zip(theirs) {
            r.spent = Duration::ZERO;
            if there {
                self.theirs.push(r);
            } else {
                self.mine.push(r);
            }
        }
    }

    /// Checks the rows left and hands every finding to the collector.
    pub(super) fn finish(mut self, direct: &mut Sink<'_>) {
        if self.theirs_away && !self.in_flight.back().is_some_and(|f| f.gives_back) {
            // The rules back with an empty batch, so the rows left are checked here by all.
            let job = Job {
                batch: Arc::new(Batch::new()),
                rules: None,
                timed: false,
                give_back: true,
            };
            let back = self.worker.as_ref().is_some_and(|w| w.to.send(job).is_ok());
            if !back {
                lost();
            }
            self.in_flight.push_back(InFlight {
                mine: Vec::new(),
                batch: Arc::new(Batch::new()),
                reading: None,
                gives_back: true,
            });
        }
        while !self.in_flight.is_empty() {
            self.land(direct);
        }
        self.mine.append(&mut self.theirs);
        run(&self.filling, &mut self.mine, self.env, &mut self.found, false);
        merge(std::mem::take(&mut self.found), Vec::new(), direct);
    }
}

/// Which rules, given by their cost on the last timed batch (`spent`, the dearest first), go to
/// the second thread: this thread starts with the cost of reading a batch (`reading`), and each
/// rule goes to the thread with less to do.
///
/// A workbook's rules that cost less than reading its batch all stay: its reader is a busy
/// thread of its own, and a third busy thread on two cores would slow it down. A CSV file is
/// parsed on this thread (`engine::splits`), so its rules are shared out whatever they cost: a table whose rules cost less
/// than its reading (a return's groups and group therapists) kept them all on this thread, which
/// then read and checked while the second core idled (the 1.1M-row return: 1.25 → 1.08 s, median
/// of 11 runs, stop 41).
fn shares(spent: &[Duration], reading: Duration, workbook: bool) -> Vec<bool> {
    let checking: Duration = spent.iter().sum();
    if workbook && checking < reading {
        return vec![false; spent.len()];
    }
    let (mut here, mut there) = (reading, Duration::ZERO);
    spent
        .iter()
        .map(|&cost| {
            let goes = there < here;
            if goes {
                there += cost;
            } else {
                here += cost;
            }
            goes
        })
        .collect()
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests may panic"
)]
mod tests {
    use crate::check::{engine, Plan, Registry, RowCtx, RowRule, RuleKind, Sink, TableSchema};
    use crate::finding::CheckInfo;
    use crate::pack::Pack;
    use crate::read::Input;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Batches handed to a second thread, in this test binary.
    pub(super) static FLIGHTS: AtomicUsize = AtomicUsize::new(0);

    /// Rules dearer than reading are balanced between the threads, the dearest first; rules
    /// cheaper than reading stay on the engine's thread for a workbook, whose reader is busy,
    /// and are shared out for a CSV file, parsed on the engine's thread.
    #[test]
    fn rules_go_to_the_thread_with_less_to_do_and_a_csv_tables_cheap_rules_are_shared_too() {
        use super::shares;
        use std::time::Duration;
        let ms = |v: &[u64]| v.iter().map(|&m| Duration::from_millis(m)).collect::<Vec<_>>();
        // Reading 10 ms; rules 30, 8, 5, 4 ms: the second thread takes 30 (0 < 10), this thread 8
        // (18), 5 (23) and 4 (27), the second having 30.
        for workbook in [false, true] {
            let split = shares(&ms(&[30, 8, 5, 4]), Duration::from_millis(10), workbook);
            assert_eq!(split, [true, false, false, false], "workbook {workbook}");
        }
        // Reading 10 ms, rules 3, 2, 1 ms: a workbook keeps them all; a CSV table gives the second
        // thread all three (6 ms against this thread's 10 of reading).
        let cheap = ms(&[3, 2, 1]);
        assert_eq!(shares(&cheap, Duration::from_millis(10), true), [false, false, false]);
        assert_eq!(shares(&cheap, Duration::from_millis(10), false), [true, true, true]);
        // Reading 4 ms, rules 3, 2, 1 ms (dearer than reading together), a workbook too: 3 there
        // (0 < 4), 2 there (3 < 4), 1 here (5 > 4).
        assert_eq!(shares(&cheap, Duration::from_millis(4), true), [true, true, false]);
        assert!(shares(&[], Duration::from_millis(10), false).is_empty());
    }

    /// A pack written for this test: a return-key table, a parent table that the big table looks
    /// up, and a big table with rules of every sort: column rules, keys, a relation, expressions
    /// (two sharing a code, one reading the related row), a cardinality, a count from the parent,
    /// free text searched for identifiers.
    const PACK: &str = r#"
name = "split-test"
version = "1"
[codelists]
kind = "kind.csv"
[id_types]
person = { form = "national-id" }
[return]
table = "report"
column = "site"

[[table]]
name = "report"
files = ["report.csv"]
[[table.column]]
name = "site"
type = "text"
required = true

[[table]]
name = "wards"
files = ["wards.csv"]
[[table.column]]
name = "ward_id"
type = "text"
required = true
unique = true
[[table.column]]
name = "beds"
type = "integer"
[[table.column]]
name = "n_stays"
type = "integer"
[[table.count]]
column = "n_stays"
table = "stays"
key = ["ward_id"]
matching = ["ward_id"]

[[table]]
name = "stays"
files = ["stays.csv"]
unique = [["ward_id", "person_id"]]
[[table.column]]
name = "ward_id"
type = "text"
required = true
[[table.column]]
name = "person_id"
type = "text"
required = true
class = ["D"]
id_type = "person"
[[table.column]]
name = "kind"
type = "code"
codelist = "kind"
required = true
[[table.column]]
name = "age"
type = "integer"
range = { min = 0, max = 110 }
[[table.column]]
name = "days"
type = "integer"
range = { min = 1, max = 60 }
[[table.column]]
name = "note"
type = "text"
class = ["F"]
[[table.relation]]
name = "ward"
table = "wards"
columns = ["ward_id"]
references = ["ward_id"]
[[table.consistent]]
key = ["person_id"]
columns = ["age"]
[[table.cardinality]]
name = "few-stays"
when = "days >= 1"
key = ["person_id"]
max = 2
column = "person_id"
[[table.rule]]
name = "days-within-beds"
assert = "days <= ward.beds"
message = "days {days} over beds {ward.beds}"
[[table.rule]]
name = "adult-long-stay"
when = "age >= 18"
assert = "days < 50"
column = "days"
message = "adult stay of {days} days"
"#;

    fn plan_with(registry: Registry) -> Plan {
        let pack = Pack::from_source("split.toml", PACK.to_string(), &|rel: &str| match rel {
            "kind.csv" => Ok("code,en,no,synonyms\nA,Acute,Akutt,\nP,Planned,Planlagt,\n".into()),
            other => Err(format!("no file {other}")),
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
        Plan::new(pack, registry).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn plan() -> Plan {
        plan_with(Registry::builtin())
    }

    /// A rule kind whose rule panics at one row of the stays table, and is slow until then, so
    /// that the balancing sends it to the second thread.
    struct Bomb;
    struct BombRule(u64);
    impl RuleKind for Bomb {
        fn info(&self) -> CheckInfo {
            CheckInfo {
                code: crate::finding::Code::new("VK9002"),
                name: "bomb".into(),
                doc: " Panics.".into(),
            }
        }
        fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
            if schema.table.name != "stays" {
                return Vec::new();
            }
            vec![Box::new(BombRule(0))]
        }
    }
    impl RowRule for BombRule {
        fn check(&mut self, row: &RowCtx<'_>, _: &mut Sink<'_>) {
            self.0 = (0..2_000u64).fold(self.0, |a, b| a.wrapping_mul(31).wrapping_add(b));
            assert!(row.row.row != 20_000, "the bomb went off");
        }
    }

    /// A return whose stays table spans many batches and has findings of every rule, many past
    /// the listing cap, blank rows between data, and identifiers in free text. The generator is
    /// the test's own xorshift; the defects are chosen by it, not by asking vakt.
    fn write_return(dir: &std::path::Path, stays: usize) {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        std::fs::write(dir.join("report.csv"), "site\nNORD\n").unwrap();
        // Wards span more than one batch too: a table that later tables look up is checked on
        // two threads while it fills their lookup.
        let n_wards = super::BATCH_ROWS as u64 * 2 + 7;
        let mut wards = String::from("ward_id,beds,n_stays\n");
        for w in 0..n_wards {
            let id = if next(300) == 0 { next(w + 1) } else { w };
            wards.push_str(&format!("W{id},{},{}\n", 20 + next(40), next(3)));
        }
        std::fs::write(dir.join("wards.csv"), wards).unwrap();
        let mut out = String::from("ward_id,person_id,kind,age,days,note\n");
        for i in 0..stays {
            let ward = match next(50) {
                0 => "W-NONE".to_string(),
                _ => format!("W{}", next(n_wards)),
            };
            let person = match next(30) {
                0 => String::new(),
                1 => format!("P{}", next(i as u64 + 1)),
                _ => format!("P{i}"),
            };
            let kind = ["A", "P", "X", "a"][next(4) as usize];
            let age = match next(10) {
                0 => "abc".to_string(),
                1 => "140".to_string(),
                _ => next(100).to_string(),
            };
            let days = match next(8) {
                0 => "0".to_string(),
                1 => "75".to_string(),
                _ => (1 + next(60)).to_string(),
            };
            let note = match next(200) {
                0 => format!("see {person}"),
                1 => "ring 31129956715".to_string(),
                _ => String::new(),
            };
            out.push_str(&format!("{ward},{person},{kind},{age},{days},{note}\n"));
            if next(500) == 0 {
                out.push_str(",,,,,\n");
            }
        }
        std::fs::write(dir.join("stays.csv"), out).unwrap();
    }

    fn check(plan: &Plan, dir: &std::path::Path, split: bool) -> String {
        plan.share_cores(if split { 2 } else { 1 });
        let mut input = Input::open(dir).unwrap();
        let result = engine::check_input_with(plan, &mut input, Vec::new(), true);
        format!(
            "{:#?}\n{:?}\n{:?}\n{}\n{:?}",
            result.findings, result.dropped, result.error_cells, result.failed, result.tables
        )
    }

    /// A table's rules go to two threads only with the cores for it (two for a CSV file, three
    /// for a sheet, whose reader has a core of its own) and when checking it changes nothing its
    /// rules read: not the return-key table. (A table that looks up its own rows, the other case
    /// `splits` refuses, is refused by the pack before: a relation's table must come first.)
    #[test]
    fn only_a_table_that_can_be_checked_in_two_halves_with_the_cores_for_it_splits() {
        let plan = plan();
        let index = |name: &str| plan.pack().tables.iter().position(|t| t.name == name).unwrap();
        let (report, wards, stays) = (index("report"), index("wards"), index("stays"));
        for (cores, csv, sheet) in [(1, false, false), (2, true, false), (3, true, true)] {
            plan.share_cores(cores);
            assert_eq!(engine::splits(&plan, stays, false), csv, "{cores} cores, CSV");
            assert_eq!(engine::splits(&plan, stays, true), sheet, "{cores} cores, sheet");
            // Filling a lookup that only later tables read does not stop it.
            assert_eq!(engine::splits(&plan, wards, false), csv, "{cores} cores, wards");
            assert!(
                !engine::splits(&plan, report, false),
                "the return-key table, {cores} cores"
            );
        }
    }

    /// A share-out weighs the middle of the last three readings, so one slow batch, however slow,
    /// does not move it.
    #[test]
    fn one_slow_reading_does_not_decide_a_share_out() {
        let ms = std::time::Duration::from_millis;
        let mut r = super::Readings::default();
        assert_eq!(r.steady(), ms(0));
        r.record(ms(3));
        assert_eq!(r.steady(), ms(3), "the only reading");
        r.record(ms(9));
        assert_eq!(r.steady(), ms(3), "the lower of two");
        r.record(ms(2));
        assert_eq!(r.steady(), ms(3), "the middle of 3, 9, 2");
        r.record(ms(4));
        assert_eq!(r.steady(), ms(4), "the middle of 9, 2, 4: the oldest left");
        r.record(ms(500));
        assert_eq!(r.steady(), ms(4), "the middle of 2, 4, 500");
    }

    #[test]
    fn a_long_tables_rules_are_weighed_again_every_256_batches() {
        let timed: Vec<u32> = (0..1100).filter(|&n| super::is_timed(n)).collect();
        assert_eq!(timed, [0, 1, 2, 3, 5, 9, 17, 33, 65, 129, 257, 513, 769, 1025]);
        // None but batches 1 and 2 starts at a row where a vector of one entry a row doubles.
        let at_doublings: Vec<u32> = timed
            .iter()
            .copied()
            .filter(|&n| (n as usize * super::BATCH_ROWS).is_power_of_two())
            .collect();
        assert_eq!(at_doublings, [1, 2]);
    }

    #[test]
    fn two_threads_report_exactly_what_one_reports() {
        let dir = tempfile::tempdir().unwrap();
        let rows = super::BATCH_ROWS * 7 + 123;
        write_return(dir.path(), rows);
        let plan = plan();
        let one = check(&plan, dir.path(), false);
        let two = check(&plan, dir.path(), true);
        // The return is as rich as intended: every rule found something, and some kinds were
        // listed up to the cap.
        let codes = [
            "VK0006", "VK0016", "VK0101", "VK0102", "VK0103", "VK0104", "VK0106", "VK0201", "VK0202", "VK0203",
            "VK0204", "VK0205", "VK0208",
        ];
        for code in codes {
            assert!(
                one.contains(&format!("\"{code}\"")),
                "no {code} in the one-thread report"
            );
        }
        assert_eq!(one.len(), two.len(), "reports differ in length");
        assert!(one == two, "two threads report otherwise than one");
        assert!(FLIGHTS.load(Ordering::Relaxed) > 0, "no batch went to a second thread");
    }

    /// A damaged CSV file reads the same on two threads (parsed on the engine's thread) as on one
    /// (parsed on a reader thread): a byte that is not UTF-8 in one row (the file is then read as
    /// Windows-1252) and a stray quote that swallows every row after it are said the same way, and
    /// the rows before are checked.
    #[test]
    fn a_damaged_csv_file_reports_the_same_on_two_threads_as_on_one() {
        let dir = tempfile::tempdir().unwrap();
        write_return(dir.path(), super::BATCH_ROWS * 5 + 77);
        let stays = dir.path().join("stays.csv");
        let text = std::fs::read_to_string(&stays).unwrap();
        let mut bytes = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if i == 9_000 {
                bytes.extend_from_slice(b"W1,P9000,A,40,5,caf\xe9\n");
                continue;
            }
            if i == 15_000 {
                bytes.push(b'"');
            }
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
        }
        std::fs::write(&stays, bytes).unwrap();
        let plan = plan();
        let one = check(&plan, dir.path(), false);
        let two = check(&plan, dir.path(), true);
        assert!(one.contains("the file is not UTF-8"), "the byte is said");
        assert!(
            one.contains("starts on line 15001 runs to the end of the file"),
            "the quote is said"
        );
        assert!(one.contains("VK0101"), "the rows before it are checked");
        assert!(one == two, "two threads report otherwise than one");
    }

    #[test]
    fn a_rule_that_panics_on_the_second_thread_makes_the_input_unreadable_not_the_run_hang() {
        // The bomb is the dearest rule, so it goes to the second thread; it goes off in a middle
        // batch, and in the last batch (which lands when the table ends).
        for batches in [6, 5] {
            let dir = tempfile::tempdir().unwrap();
            write_return(dir.path(), super::BATCH_ROWS * batches);
            let plan = plan_with(Registry::builtin().with(Box::new(Bomb)).unwrap());
            plan.share_cores(2);
            let before = FLIGHTS.load(Ordering::Relaxed);
            let (_, result) = engine::check_path(&plan, dir.path());
            assert!(
                FLIGHTS.load(Ordering::Relaxed) > before,
                "no batch went to a second thread"
            );
            assert_rule_failed(&result, dir.path());
        }
    }

    /// After a job panics, the second thread answers no more jobs but still takes them until the
    /// engine's thread lets go, so that thread lands the panic (with the rule's words) rather than
    /// finding the second thread gone when it sends the next batch.
    #[test]
    fn the_second_thread_takes_the_jobs_sent_after_a_panic_until_the_engine_lets_go() {
        let (to, jobs) = std::sync::mpsc::channel::<u32>();
        let (done, from) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            scope.spawn(move || {
                super::serve(&jobs, &done, |n| {
                    assert!(n != 2, "job 2 panics");
                    n
                })
            });
            to.send(1).unwrap();
            to.send(2).unwrap();
            assert_eq!(from.recv().unwrap().ok(), Some(1));
            assert!(from.recv().unwrap().is_err(), "job 2's panic is its answer");
            // Time enough for a thread that stops at its panic to have stopped.
            std::thread::sleep(std::time::Duration::from_millis(100));
            assert!(to.send(3).is_ok(), "the second thread stopped taking jobs");
            drop(to);
            assert!(from.recv().is_err(), "a job after the panic was answered");
        });
    }

    #[test]
    fn a_rule_that_panics_on_one_thread_is_reported_as_a_rule_fault_not_a_damaged_file() {
        let dir = tempfile::tempdir().unwrap();
        write_return(dir.path(), super::BATCH_ROWS * 6);
        let plan = plan_with(Registry::builtin().with(Box::new(Bomb)).unwrap());
        plan.share_cores(1);
        let (_, result) = engine::check_path(&plan, dir.path());
        assert_rule_failed(&result, dir.path());
    }

    /// The input is unreadable, and the message says a rule stopped (with the rule's words), not
    /// that the file is damaged.
    fn assert_rule_failed(result: &crate::check::InputResult, dir: &std::path::Path) {
        assert!(result.failed, "the check is not marked failed");
        let f = result.findings.iter().find(|f| f.code == "VK0001").expect("no VK0001");
        let m = &f.message;
        assert!(m.starts_with(&dir.display().to_string()), "{m}");
        assert!(
            m.contains("a rule stopped while checking it") && m.contains("the bomb went off"),
            "{m}"
        );
        assert!(!m.contains("corrupt") && !m.contains("damaged"), "{m}");
    }
}
