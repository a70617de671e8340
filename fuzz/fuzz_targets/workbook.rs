//! A whole .xlsx workbook (any bytes) through `vakt check` with the survey pack. Panics that the
//! engine catches and reports (VK0001) are not crashes: that is the isolation under test.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use vakt::check::{engine, Plan, Registry};
use vakt::pack::Pack;

static PLAN: OnceLock<Option<Plan>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    static HOOK: std::sync::Once = std::sync::Once::new();
    // libFuzzer aborts on every panic; vakt catches reader panics and reports the file.
    HOOK.call_once(vakt::read::guard::install_quiet_hook);
    let plan = PLAN.get_or_init(|| Plan::new(Pack::embedded().ok()?, Registry::builtin()).ok());
    let Some(plan) = plan.as_ref() else { return };
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("return.xlsx");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let (_, result) = engine::check_path(plan, &path);
    assert!(result.findings.len() <= 100_000);
});
