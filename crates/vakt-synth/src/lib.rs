//! Synthetic survey returns: a national set that reproduces Lorentzen & Ruud (2014), laid out as the
//! 25 health authorities would send it, with seeded defects and the ground truth to score a checker
//! against. `vakt-synth` is the command; the tests use [`generate`] directly.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let opts = vakt_synth::Options { seed: 1, clean: true, scale: 1 };
//! let summary = vakt_synth::generate(dir.path(), &opts)?;
//! assert_eq!((summary.groups, summary.patients), (426, 2391), "the paper's totals");
//! assert_eq!(summary.defects, 0);
//! assert!(dir.path().join("truth/patients.csv").exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod defects;
pub mod layout;
pub mod model;
pub mod nin;
pub mod rng;
mod write;

use rng::Rng;
use serde_json::json;
use std::path::Path;
use vakt_core::pack::Pack;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// Seed no defects.
    pub clean: bool,
    /// Multiply groups and patients (1 reproduces the paper).
    pub scale: usize,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub returns: usize,
    pub groups: usize,
    pub patients: usize,
    pub defects: usize,
}

/// Text as it looks after UTF-8 was read as Windows-1252 (`å` → `Ã¥`); `None` for plain ASCII.
pub fn mojibake(s: &str) -> Option<String> {
    if s.is_ascii() {
        return None;
    }
    let (garbled, _, _) = encoding_rs::WINDOWS_1252.decode(s.as_bytes());
    Some(garbled.into_owned())
}

/// Writes `out/returns/`, `out/truth/` and `out/defects.json`.
pub fn generate(out: &Path, opts: &Options) -> Result<Summary, String> {
    let pack = Pack::embedded().map_err(|e| format!("embedded pack: {e}"))?;
    let national = model::build(opts.seed, opts.scale);
    let mut rng = Rng::new(opts.seed).fork("layout");
    let styles = layout::formats(&national, &mut rng);
    let mut plans: Vec<layout::ReturnPlan> = national
        .returns
        .iter()
        .zip(&styles)
        .map(|(r, &(format, lang))| {
            // Excel caps a sheet at 1,048,576 rows: national-scale returns go out as CSV.
            let format = if r.patients.len() > 1_000_000 {
                layout::Format::Csv
            } else {
                format
            };
            let mut rr = rng.fork(&r.authority_code);
            layout::plan(&pack, r, format, lang, &mut rr)
        })
        .collect();
    if !opts.clean {
        let mut drng = rng.fork("defects");
        defects::seed(&mut plans, &national, &pack, &mut drng);
    }
    let returns_dir = out.join("returns");
    std::fs::create_dir_all(&returns_dir).map_err(|e| format!("{}: {e}", returns_dir.display()))?;
    let mut records = Vec::new();
    let mut utf8_toggle = rng.fork("csv-encoding");
    for plan in &plans {
        let utf8 = plan.format == layout::Format::Csv && plan.code != "HN-FIN" && utf8_toggle.chance(0.5);
        let placed = write::write_return(out, plan, utf8)?;
        let tables: Vec<String> = plan.sheets.iter().map(|s| s.table.clone()).collect();
        for d in &plan.defects {
            records.push(write::defect_json(&plan.code, &placed, &tables, d));
        }
    }
    write::write_truth(out, &national)?;
    let doc = json!({
        "generator": "vakt-synth",
        "version": env!("CARGO_PKG_VERSION"),
        "seed": opts.seed,
        "scale": opts.scale,
        "clean": opts.clean,
        "authorities_without_groups": national.without_groups,
        "defects": records,
    });
    let path = out.join("defects.json");
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Summary {
        returns: national.returns.len(),
        groups: national.returns.iter().map(|r| r.groups.len()).sum(),
        patients: national.returns.iter().map(|r| r.patients.len()).sum(),
        defects: plans.iter().map(|p| p.defects.len()).sum(),
    })
}
