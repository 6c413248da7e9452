//! Helpers shared by zkc's criterion benchmarks.

use std::path::PathBuf;

/// Path of a shared benchmark model file (`../shared/models/NAME.EXT`).
pub fn shared(name: &str, ext: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/models")
        .join(format!("{name}.{ext}"))
}
