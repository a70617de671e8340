//! `vakt publish`: every table of the pack's publication plan, protected together.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt publish --help` prints them.

use crate::disclose::{self, data::Data, ledger, link, suppress, tabulate};
use crate::pack::Publication;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Examples and exit status, shown after the options by `vakt publish --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt publish clean/ --out tables/2026\n  vakt publish clean/ --rules my-pack.toml --out tables/2026 --lang nb\n  vakt publish clean/ --out tables/2026-revised --ledger tables/ledger.jsonl\n\nExit status: 0 every table is safe, alone, together and with what the ledger says was published; 1 refused: combined with an earlier release a table would give a hidden count away (nothing is written); 2 the pack has no publication plan, or the data or the ledger could not be read.";

/// Write every table of the pack's publication plan (`[[publication]]`) from a clean dataset,
/// protected together.
///
/// Tables that count the same population share cells (a margin of one is a margin of the other):
/// a cell hidden in one table is hidden, and protected, in every table that holds it, so no table
/// gives away what another hides. Writes DIR/NAME/ for each table as `vakt tabulate` does
/// (table.csv, table.xlsx, audit.json, summary.md), and appends what it published to the ledger
/// (next to DIR: its parent's ledger.jsonl, or --ledger). The next publish reads the ledger: a
/// cell an earlier table hid is hidden here too, and a cell an earlier table showed counts as
/// known; where that would give a hidden count away, the publish is refused.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The clean dataset: the folder `vakt clean` wrote (one CSV file per table).
    data: PathBuf,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Rule pack whose `[[publication]]` entries say what to publish. Default: the survey pack
    /// built into vakt.
    #[arg(long, value_name = "PACK")]
    rules: Option<PathBuf>,
    /// The ledger of earlier releases, appended to (default: ledger.jsonl next to --out).
    #[arg(long, value_name = "FILE")]
    ledger: Option<PathBuf>,
    /// Seconds each table's search for the cheapest safe pattern may take (see `vakt tabulate`).
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    time_limit: u64,
    /// Show codes instead of the code lists' labels.
    #[arg(long)]
    codes: bool,
    /// Language of margins, headers and summaries (default: from the locale, English otherwise).
    #[arg(long, value_enum)]
    lang: Option<super::check::LangArg>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let fail = super::incomplete;
    let Some(pack) = super::load_pack(args.rules.as_deref()) else {
        return Ok(ExitCode::from(super::EXIT_INCOMPLETE));
    };
    if pack.publications.is_empty() {
        return fail(&format!("the pack `{}` has no [[publication]] plan", pack.name));
    }
    let mut grids = Vec::new();
    for p in &pack.publications {
        match count(&args.data, p) {
            Ok(g) => grids.push(g),
            Err(e) => return fail(&format!("publication `{}`: {e}", p.name)),
        }
    }
    let linked: Vec<link::Linked<'_>> = pack
        .publications
        .iter()
        .zip(&grids)
        .map(|(p, (g, _, _))| link::Linked {
            population: population_of(p),
            grid: g,
            threshold: p.threshold,
        })
        .collect();
    let ledger_path = args.ledger.clone().unwrap_or_else(|| {
        let parent = args
            .out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        parent.join("ledger.jsonl")
    });
    let earlier = match ledger::Ledger::read(&ledger_path) {
        Ok(l) => l,
        Err(e) => return fail(&e),
    };
    let limit = std::time::Duration::from_secs(args.time_limit);
    let finest = finest_cells(&pack.publications, &grids, &earlier);
    let (mut protections, rounds, settled) = protect_across(&linked, &finest, limit, &earlier);
    let names: Vec<&str> = pack.publications.iter().map(|p| p.name.as_str()).collect();
    let mut refusals = known_before(&names, &linked, &mut protections, &earlier);
    if refusals.is_empty() {
        refusals = derivable_with_ledger(&names, &linked, &protections, &finest, &earlier, limit);
    }
    if refusals.is_empty() && !settled {
        refusals.push(
            "the tables could not be protected together: nested categories kept giving a hidden count away".into(),
        );
    }
    if !refusals.is_empty() {
        errln!("vakt: refused: with what {} says was published, these tables would give hidden counts away; nothing was written:", ledger_path.display());
        for r in &refusals {
            errln!("  {r}");
        }
        return Ok(ExitCode::from(super::EXIT_FINDINGS));
    }
    let lang = super::check::LangArg::resolve(args.lang);
    let mut all_safe = true;
    for ((p, (grid, records, _)), protection) in pack.publications.iter().zip(&grids).zip(&protections) {
        let (mut grid, records) = (grid.clone(), *records);
        if !args.codes {
            super::tabulate::relabel(&mut grid, &pack, lang);
        }
        let safe = write(&args.out.join(&p.name), &grid, protection, p, records, lang)?;
        all_safe &= safe;
        outln!(
            "{}: {} cells, {} suppressed{}",
            p.name,
            grid.cells.len(),
            protection.suppressed.iter().filter(|&&s| s).count(),
            if safe { "" } else { ", NOT safe" }
        );
    }
    let date = today();
    let lines: Vec<String> = pack
        .publications
        .iter()
        .zip(&linked)
        .zip(&protections)
        .map(|((p, l), pr)| {
            ledger::line(
                &p.name,
                (&pack.name, &pack.sha256),
                &date,
                &l.population,
                l.grid,
                &pr.suppressed,
            )
        })
        .collect();
    if let Err(e) = ledger::append(&ledger_path, &lines) {
        return fail(&e);
    }
    outln!(
        "{} tables protected together ({rounds} rounds); wrote {}; ledger {}",
        pack.publications.len(),
        args.out.display(),
        ledger_path.display()
    );
    Ok(if all_safe {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_FINDINGS)
    })
}

/// Reads the counted table and its joins from the clean dataset and counts the publication.
fn count(dir: &Path, p: &Publication) -> Result<(disclose::grid::Grid, usize, Data), String> {
    let read = |table: &str| {
        let path = dir.join(format!("{table}.csv"));
        Data::read(&path, None).map_err(|e| e.to_string())
    };
    let mut data = read(&p.table)?;
    for (table, on) in &p.joins {
        let other = read(table)?;
        data.join(&other, on).map_err(|e| format!("{table}: {e}"))?;
    }
    let spec = tabulate::Spec {
        rows: p.rows.clone(),
        cols: p.cols.clone(),
        layers: p.layers.clone(),
        distinct: p.count_distinct.clone(),
        rows_within: p.rows_within.clone(),
    };
    let (grid, counted) = tabulate::count(&data, &spec).map_err(|e| e.to_string())?;
    Ok((grid, counted.records, data))
}

/// Writes one table as `vakt tabulate` does; whether it is safe.
fn write(
    dir: &Path,
    grid: &disclose::grid::Grid,
    protection: &suppress::Protection,
    p: &Publication,
    records: usize,
    lang: crate::report::i18n::Lang,
) -> anyhow::Result<bool> {
    let policy = disclose::Policy {
        name: "publication plan",
        threshold: p.threshold,
        symbol: symbol(&p.symbol),
    };
    let dims: Vec<&str> = grid.dims.iter().map(|d| d.0.as_str()).collect();
    let unit = p
        .count_distinct
        .as_ref()
        .map_or("rows".to_string(), |c| format!("distinct {c}"));
    let what = format!("{unit} by {}", dims.join(" × "));
    let notes = vec![
        format!("Source: the clean table `{}` ({records} records).", p.table),
        "Protected together with the other tables of the publication plan: a cell hidden in one is hidden in all that hold it.".to_string(),
    ];
    let caption = disclose::Caption {
        what: &what,
        notes: &notes,
        lang,
    };
    disclose::write_outputs(dir, grid, protection, &policy, suppress::Zeros::Publish, caption)?;
    let exact = suppress::determined(grid, &protection.suppressed);
    Ok((0..grid.cells.len()).all(|c| {
        !protection.suppressed[c]
            || !(exact[c]
                || (protection.primary[c]
                    && protection.intervals[c].is_some_and(|(lo, hi)| !suppress::passes(lo, hi, p.threshold))))
    }))
}

/// The symbols a publication may use (the presets' own).
fn symbol(s: &str) -> &'static str {
    match s {
        "*" => "*",
        "." => ".",
        ".." => "..",
        _ => ":",
    }
}

/// Cells the new tables hide but an earlier release showed: published knowledge. Each is shown
/// here too (hiding it protects nothing), and the table must still be safe; the tables and cells
/// where it is not are returned, naming the earlier table.
fn known_before(
    names: &[&str],
    linked: &[link::Linked<'_>],
    protections: &mut [suppress::Protection],
    earlier: &ledger::Ledger,
) -> Vec<String> {
    let mut refusals = Vec::new();
    for ((l, pr), name) in linked.iter().zip(protections.iter_mut()).zip(names) {
        let keys = link::cell_keys(l.grid, &l.population);
        let mut shown_before = Vec::new();
        for (c, key) in keys.iter().enumerate() {
            if let Some(e) = earlier.cells.get(key).filter(|e| e.shown.is_some() && pr.suppressed[c]) {
                pr.suppressed[c] = false;
                shown_before.push((c, e));
            }
        }
        if shown_before.is_empty() {
            continue;
        }
        // Zeros are published, so a hidden count is at least 1.
        let intervals = suppress::intervals(l.grid, &pr.suppressed, 1.0);
        let protected = |c: usize| {
            pr.suppressed[c]
                && intervals
                    .as_ref()
                    .is_some_and(|iv| iv[c].is_some_and(|(lo, hi)| suppress::passes(lo, hi, l.threshold)))
        };
        let exposed = (0..l.grid.cells.len()).any(|c| pr.primary[c] && !protected(c));
        if !exposed && suppress::small_sums(l.grid, &pr.suppressed, l.threshold).is_empty() {
            pr.intervals = intervals.unwrap_or_else(|| vec![None; l.grid.cells.len()]);
            continue;
        }
        let cells: Vec<String> = shown_before
            .iter()
            .map(|(c, e)| format!("{} (shown by `{}`, {})", l.grid.label(*c), e.table, e.date))
            .collect();
        refusals.push(format!(
            "{name}: {} cell(s) it must hide were shown before: {}",
            shown_before.len(),
            cells.join("; ")
        ));
    }
    refusals
}

/// Today's date (UTC), for the ledger.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    crate::value::Date(i32::try_from(days).unwrap_or(0)).to_string()
}

type Counted = (disclose::grid::Grid, usize, Data);

/// Per table, the finest cells of its population when the tables of that population can be read
/// together (two or more tables, one data table holding all their variables, counted by rows or
/// by persons who each fall in one finest cell); `None` otherwise.
fn finest_cells(
    plan: &[Publication],
    grids: &[Counted],
    earlier: &ledger::Ledger,
) -> Vec<Option<std::rc::Rc<link::Finest>>> {
    let mut out: Vec<Option<std::rc::Rc<link::Finest>>> = vec![None; plan.len()];
    for (i, p) in plan.iter().enumerate() {
        if out[i].is_some() {
            continue;
        }
        let same: Vec<usize> = (0..plan.len())
            .filter(|&j| plan[j].population() == p.population())
            .collect();
        let population = population_of(p);
        let in_ledger: Vec<&String> = earlier
            .cells
            .keys()
            .filter(|k| k.0 == population)
            .flat_map(|k| k.1.iter().map(|(v, _)| v))
            .collect();
        if same.len() < 2 && in_ledger.is_empty() {
            continue;
        }
        let mut vars: Vec<String> = Vec::new();
        for &j in &same {
            for (name, _) in &grids[j].0.dims {
                if !vars.contains(name) {
                    vars.push(name.clone());
                }
            }
        }
        // The ledger's variables too, where the data has them.
        for v in in_ledger {
            if !vars.contains(v) && same.iter().any(|&j| grids[j].2.column(v).is_ok()) {
                vars.push(v.clone());
            }
        }
        let Some(data) = same
            .iter()
            .map(|&j| &grids[j].2)
            .find(|d| vars.iter().all(|v| d.column(v).is_ok()))
        else {
            continue;
        };
        if let Some(f) = finest_of(data, &vars, p.count_distinct.as_deref()) {
            let f = std::rc::Rc::new(f);
            for &j in &same {
                out[j] = Some(f.clone());
            }
        }
    }
    out
}

/// Counts the data by every combination of `vars`; `None` when a person falls in two of them
/// (then cells are not sums of finest cells).
fn finest_of(data: &Data, vars: &[String], distinct: Option<&str>) -> Option<link::Finest> {
    use std::collections::{BTreeMap, HashMap, HashSet};
    let cols: Vec<usize> = vars.iter().map(|v| data.column(v).ok()).collect::<Option<_>>()?;
    let person = distinct.map(|d| data.column(d).ok()).unwrap_or(None);
    let label = |s: &str| {
        if s.is_empty() {
            "(blank)".to_string()
        } else {
            s.to_string()
        }
    };
    let mut rows: BTreeMap<Vec<String>, f64> = BTreeMap::new();
    let mut persons: BTreeMap<Vec<String>, HashSet<&str>> = BTreeMap::new();
    let mut cell_of: HashMap<&str, Vec<String>> = HashMap::new();
    for r in &data.rows {
        let key: Vec<String> = cols.iter().map(|&c| label(&r[c])).collect();
        match person {
            Some(pc) if !r[pc].is_empty() => {
                if cell_of.get(r[pc].as_str()).is_some_and(|k| *k != key) {
                    return None;
                }
                cell_of.insert(r[pc].as_str(), key.clone());
                persons.entry(key).or_default().insert(r[pc].as_str());
            }
            Some(_) => {}
            None => *rows.entry(key).or_insert(0.0) += 1.0,
        }
    }
    let cells = if person.is_some() {
        persons.into_iter().map(|(k, s)| (k, s.len() as f64)).collect()
    } else {
        rows.into_iter().collect()
    };
    Some(link::Finest {
        vars: vars.to_vec(),
        cells,
    })
}

/// Protects the tables together (shared cells), then reads each population's tables together
/// over its finest cells, with what the ledger says earlier releases showed and hid; where a
/// small count — a primary of these tables, or one an earlier release hid — is still recovered or
/// bounded below the threshold (nested categories: 18–29 shown in one table, 18–24 shown in
/// another, 25–29 hidden), the most specific shown cells that hold it are hidden too, and the
/// tables protected again. The last protections, their rounds, and whether it settled.
fn protect_across(
    linked: &[link::Linked<'_>],
    finest: &[Option<std::rc::Rc<link::Finest>>],
    limit: std::time::Duration,
    earlier: &ledger::Ledger,
) -> (Vec<suppress::Protection>, usize, bool) {
    let keys: Vec<Vec<link::CellKey>> = linked.iter().map(|l| link::cell_keys(l.grid, &l.population)).collect();
    let mut forced = earlier.hidden();
    // The reader's programs get the tables' time again, all rounds together.
    let deadline = std::time::Instant::now() + limit.saturating_mul(linked.len().max(1) as u32);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (protections, rounds) = link::protect_together(linked, suppress::Zeros::Publish, limit, &forced);
        let before = forced.len();
        let mut exposed_any = false;
        for group in groups(linked, finest, earlier) {
            if group.held_by_one_table(linked, &keys) {
                continue;
            }
            let seen = group.seen(linked, &protections);
            let (cells, hidden_before) = group.exposed(&seen, linked, deadline);
            let targets = cells
                .iter()
                .filter_map(|&(gi, c)| Some((Some(gi), link::members(&group.finest, seen[gi].grid, c)?)))
                .chain(hidden_before.iter().map(|&e| (None, group.before[e].1.clone())));
            for (from, hidden) in targets {
                exposed_any = true;
                // In the other tables, hide the most specific shown cells that hold it (the fewest
                // finest cells): 18–29 × F, not the margins above it.
                for (gj, &j) in group.tables.iter().enumerate().filter(|(gj, _)| Some(*gj) != from) {
                    let holding: Vec<(usize, usize)> = (0..linked[j].grid.cells.len())
                        .filter(|&d| !seen[gj].suppressed[d] && linked[j].grid.cells[d].value > 0.0)
                        .filter_map(|d| {
                            let m = link::members(&group.finest, linked[j].grid, d)?;
                            m.iter().any(|x| hidden.contains(x)).then_some((d, m.len()))
                        })
                        .collect();
                    let fewest = holding.iter().map(|h| h.1).min();
                    for &(d, _) in holding.iter().filter(|h| Some(h.1) == fewest) {
                        forced.insert(keys[j][d].clone());
                    }
                }
            }
        }
        if !exposed_any || forced.len() == before || attempts == 10 {
            return (protections, rounds, !exposed_any);
        }
    }
}

/// The tables of one population read together: their finest cells, and what the ledger holds of
/// that population, mapped onto them.
struct Group<'l> {
    tables: Vec<usize>,
    finest: std::rc::Rc<link::Finest>,
    before: Vec<(&'l ledger::Entry, Vec<usize>)>,
}

impl Group<'_> {
    fn seen<'a>(&self, linked: &'a [link::Linked<'_>], protections: &'a [suppress::Protection]) -> Vec<link::Seen<'a>> {
        self.tables
            .iter()
            .map(|&j| link::Seen {
                grid: linked[j].grid,
                suppressed: &protections[j].suppressed,
                primary: &protections[j].primary,
                threshold: linked[j].threshold,
            })
            .collect()
    }

    fn constraints(&self) -> Vec<(Vec<usize>, Option<f64>)> {
        self.before.iter().map(|(e, m)| (m.clone(), e.shown)).collect()
    }

    /// What a reader of the group's tables and of the ledger still gets (`link::exposed_with`).
    fn exposed(
        &self,
        seen: &[link::Seen<'_>],
        linked: &[link::Linked<'_>],
        deadline: std::time::Instant,
    ) -> (Vec<(usize, usize)>, Vec<usize>) {
        link::exposed_with(
            seen,
            &self.finest,
            &self.constraints(),
            self.threshold(linked),
            Some(deadline),
        )
    }

    /// Whether one table of the group holds every cell of the others (the same key and count:
    /// a table of a hierarchy's subtotals beside the hierarchy), at one threshold and with nothing
    /// in the ledger. Then a reader of the group knows no more than that table shows — the others'
    /// shown cells are its shown cells, since linked cells are hidden in all their tables or in
    /// none — and its own protection, which protects every linked hidden cell as a primary,
    /// already answers what the reading over the finest cells would: that reading is skipped (on a
    /// diagnosis hierarchy of 2,520 cells it ran out of time and refused the plan).
    fn held_by_one_table(&self, linked: &[link::Linked<'_>], keys: &[Vec<link::CellKey>]) -> bool {
        let Some(&first) = self.tables.first() else {
            return false;
        };
        let one_threshold = self
            .tables
            .iter()
            .all(|&j| linked[j].threshold == linked[first].threshold);
        if !self.before.is_empty() || !one_threshold {
            return false;
        }
        self.tables.iter().any(|&a| {
            let count: std::collections::HashMap<&link::CellKey, f64> = keys[a]
                .iter()
                .zip(&linked[a].grid.cells)
                .map(|(k, c)| (k, c.value))
                .collect();
            self.tables.iter().all(|&b| {
                keys[b]
                    .iter()
                    .zip(&linked[b].grid.cells)
                    .all(|(k, c)| count.get(k) == Some(&c.value))
            })
        })
    }

    /// The strictest threshold of the group's tables, for counts an earlier release hid.
    fn threshold(&self, linked: &[link::Linked<'_>]) -> f64 {
        self.tables.iter().map(|&j| linked[j].threshold).fold(0.0, f64::max)
    }
}

/// The populations that can be read together, each once.
fn groups<'l>(
    linked: &[link::Linked<'_>],
    finest: &[Option<std::rc::Rc<link::Finest>>],
    earlier: &'l ledger::Ledger,
) -> Vec<Group<'l>> {
    let mut out: Vec<Group<'l>> = Vec::new();
    for (i, f) in finest.iter().enumerate() {
        let Some(f) = f else { continue };
        if out.iter().any(|g| std::rc::Rc::ptr_eq(&g.finest, f)) {
            continue;
        }
        let tables = (0..linked.len())
            .filter(|&j| finest[j].as_ref().is_some_and(|g| std::rc::Rc::ptr_eq(f, g)))
            .collect();
        let population = &linked[i].population;
        let mut before: Vec<(&ledger::Entry, Vec<usize>)> = earlier
            .cells
            .iter()
            .filter(|(k, _)| &k.0 == population)
            .filter_map(|(k, e)| Some((k, e, link::members_of(f, &k.1)?)))
            .map(|(_, e, m)| (e, m))
            .collect();
        // A fixed order: the ledger is a map.
        before.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.table.cmp(&b.0.table)));
        out.push(Group {
            tables,
            finest: f.clone(),
            before,
        });
    }
    out
}

/// The population a publication counts, as cells and the ledger name it.
fn population_of(p: &Publication) -> String {
    let (table, distinct) = p.population();
    format!("{table}/{}", distinct.unwrap_or_default())
}

/// With what the ledger says was published (read over the finest cells, so that nested
/// categories count), the small counts a reader could still recover or bound below the threshold:
/// the table and cell, or the earlier hidden count, and the earlier tables.
fn derivable_with_ledger(
    names: &[&str],
    linked: &[link::Linked<'_>],
    protections: &[suppress::Protection],
    finest: &[Option<std::rc::Rc<link::Finest>>],
    earlier: &ledger::Ledger,
    limit: std::time::Duration,
) -> Vec<String> {
    let deadline = std::time::Instant::now() + limit.saturating_mul(linked.len().max(1) as u32);
    let mut refusals = Vec::new();
    for group in groups(linked, finest, earlier) {
        if group.before.is_empty() {
            continue;
        }
        let seen = group.seen(linked, protections);
        let mut tables: Vec<String> = group
            .before
            .iter()
            .map(|(e, _)| format!("`{}` ({})", e.table, e.date))
            .collect();
        tables.sort();
        tables.dedup();
        if !link::consistent(&seen, &group.finest, &group.constraints()) {
            refusals.push(format!(
                "the ledger shows counts of `{}` that today's data no longer gives (a revision, {}): what the difference reveals cannot be judged; publish against a new ledger only if the earlier release is withdrawn",
                linked[group.tables[0]].population,
                tables.join(", ")
            ));
            continue;
        }
        let (cells, hidden_before) = group.exposed(&seen, linked, deadline);
        for (gi, c) in cells {
            let j = group.tables[gi];
            refusals.push(format!(
                "{}: {} could be derived with what {} published",
                names[j],
                linked[j].grid.label(c),
                tables.join(", ")
            ));
        }
        for e in hidden_before {
            refusals.push(format!(
                "a count `{}` hid could be derived from these tables",
                group.before[e].0.table
            ));
        }
    }
    refusals
}
