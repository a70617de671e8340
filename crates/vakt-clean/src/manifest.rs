//! `manifest.json`: what was cleaned, with which rules and key, and where every row went.

use super::files::TableFile;
use super::write::{InputStats, TableStats};
use super::{output, CleanError, Options};
use serde_json::{json, Value};
use std::path::Path;
use vakt_core::pack::Pack;

fn table_json(pack: &Pack, s: &TableStats) -> Value {
    let c = s.counts;
    json!({
        "table": pack.tables[s.table].name,
        "file": s.file,
        "sheet": s.sheet,
        "rows_read": c.read(),
        "data_rows": c.data,
        "rows_written": s.written,
        "rows_rejected": s.rejected,
        "duplicate_rows": s.duplicates,
        "non_data_rows": c.totals + c.notes + c.blank + c.trailing_blank,
        "non_data": s.non_data.iter().map(|(a, b, k)| {
            if a == b { json!({"row": a, "kind": k}) } else { json!({"rows": [a, b], "kind": k}) }
        }).collect::<Vec<_>>(),
        "non_data_unlisted": s.non_data_unlisted,
        "flagged_rows": s.counters.flagged_rows,
        "flagged_cells": s.counters.flagged_cells,
        "pseudonyms": s.counters.pseudonyms,
        "leading_zero_repairs": s.counters.zero_repairs,
        "free_text_tags": s.counters.tags,
    })
}

/// The pack as the audit trail names it: path, hash over every file, each file's hash.
pub fn rules_json(pack: &Pack) -> Value {
    json!({
        "path": pack.path,
        "embedded": pack.embedded,
        "sha256": pack.sha256,
        "toml_sha256": pack.toml_sha256,
        "files": pack.files.iter().map(|f| json!({"path": f.path, "sha256": f.sha256})).collect::<Vec<_>>(),
    })
}

/// Writes the manifest into `dir`.
pub fn write(
    dir: &Path,
    pack: &Pack,
    opts: &Options<'_>,
    (inputs, dropped): (&[InputStats], &[String]),
    files: &[TableFile],
    outputs: &[(String, String)],
    distinct_pseudonyms: usize,
) -> Result<(), CleanError> {
    let per_table: Vec<Value> = files
        .iter()
        .enumerate()
        .map(|(t, f)| {
            let sts: Vec<&TableStats> = inputs.iter().flat_map(|i| &i.tables).filter(|s| s.table == t).collect();
            let sum = |g: &dyn Fn(&TableStats) -> u64| sts.iter().map(|s| g(s)).sum::<u64>();
            json!({
                "table": f.name,
                "rows_read": sum(&|s| s.counts.read()),
                "rows_written": f.written,
                "rows_rejected": f.rejected_rows,
                "duplicate_rows": sum(&|s| s.duplicates),
                "non_data_rows": sum(&|s| s.counts.totals + s.counts.notes + s.counts.blank + s.counts.trailing_blank),
                "flagged_rows": sum(&|s| s.counters.flagged_rows),
                "pseudonyms": sum(&|s| s.counters.pseudonyms),
                "leading_zero_repairs": sum(&|s| s.counters.zero_repairs),
                "free_text_tags": sum(&|s| s.counters.tags),
            })
        })
        .collect();
    let inputs_json: Vec<Value> = inputs
        .iter()
        .map(|i| {
            json!({
                "path": i.path,
                "sha256": i.sha256,
                "return_key": i.return_key,
                "problems": i.problems,
                "tables": i.tables.iter().map(|s| table_json(pack, s)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let manifest = json!({
        "kind": output::MANIFEST_KIND,
        "tool": {"name": "vakt", "version": env!("CARGO_PKG_VERSION")},
        "rules": rules_json(pack),
        "pseudonyms": {
            "algorithm": "vakt-pseudo/v1",
            "project": opts.key.project,
            "domain": opts.domain,
            "key_fingerprint": opts.key.fingerprint,
            "id_types": pack.id_types.iter().map(|t| json!({"name": t.name, "form": t.form.name()})).collect::<Vec<_>>(),
            "collision_check": "passed",
            "distinct_pseudonyms": distinct_pseudonyms,
        },
        "policy": {
            "on_error": opts.on_error.name(),
            "resubmissions": match opts.resubmissions { super::Resubmissions::Refuse => "refuse", super::Resubmissions::Latest => "latest" },
        },
        "inputs": inputs_json,
        "resubmissions_left_out": dropped,
        "tables": per_table,
        "outputs": outputs.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
    });
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| CleanError::Io("manifest.json".into(), e.to_string()))?
        + "\n";
    let mp = dir.join("manifest.json");
    std::fs::write(&mp, text).map_err(|e| CleanError::Io(mp.display().to_string(), e.to_string()))?;
    output::private_file(&mp)
}
