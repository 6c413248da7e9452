//! Shared helpers for zkc's end-to-end test suites.

use std::path::PathBuf;

pub mod onnx_cases;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repo")
        .to_path_buf()
}

/// `../shared` beside the repository (benchmark models and conformance data).
pub fn shared_dir() -> PathBuf {
    std::env::var_os("ZKC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().parent().expect("repo has a parent").join("shared"))
}

/// The shared benchmark model names.
pub const SHARED_MODELS: &[&str] = &["ff", "mlp", "cnn", "attn"];

/// Path of a shared model file.
pub fn shared_model(name: &str) -> PathBuf {
    shared_dir().join("models").join(format!("{name}.onnx"))
}
