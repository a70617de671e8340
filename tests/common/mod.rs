//! Helpers shared by the integration tests.

use std::collections::BTreeMap;
use std::path::Path;

/// Copies the files of a fixture folder (`fixtures/returns/HN-FIN`, say) into `to`, which it
/// creates, except those `skip` names; `to` then holds a return of its own to change.
#[allow(dead_code, reason = "each test binary uses some of the helpers")]
pub fn copy_fixture_folder(from: &str, to: &Path, skip: &[&str]) {
    std::fs::create_dir(to).unwrap();
    for f in std::fs::read_dir(from).unwrap() {
        let f = f.unwrap().path();
        let name = f.file_name().unwrap();
        if !skip.iter().any(|s| name == *s) {
            std::fs::copy(&f, to.join(name)).unwrap();
        }
    }
}

/// Every file below `dir`, by relative path, with its bytes.
#[allow(dead_code, reason = "each test binary uses some of the helpers")]
pub fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}
