//! Snapshots of `zkc table` on the shared models.

use std::path::Path;

use zkc_compiler::{onnx, table};

#[test]
fn table_of_shared_models() {
    for name in ["ff", "mlp", "cnn", "attn"] {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/models")
            .join(format!("{name}.onnx"));
        let g = onnx::load(&p, &onnx::ImportOptions::default()).unwrap();
        insta::assert_snapshot!(format!("table_{name}"), table::render(&g, &table::Extra::default()));
    }
}
