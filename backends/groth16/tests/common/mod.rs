//! Outside tools the export tests run (snarkjs, solcjs), installed by `.ci/run` with
//! `npm ci` in `.ci/node`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `.ci/node` in the repository.
pub fn node_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/node")
}

/// The npm-installed command `name`. A missing node or a missing install fails the test
/// (it never passes without running the tool); always `Some`.
pub fn node_tool(name: &str) -> Option<PathBuf> {
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "node is not installed, so `{name}` cannot check zkc's export: install node and npm, then run `npm install --prefix .ci/node` in the repository root"
    );
    let bin = node_dir().join("node_modules/.bin").join(name);
    assert!(
        bin.exists(),
        "{} is missing: run `npm install --prefix .ci/node` in the repository root (CI's .ci/run does)",
        bin.display()
    );
    Some(bin)
}
