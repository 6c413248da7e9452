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

#[test]
fn table_with_fixed_point_types() {
    use zkc_compiler::{io, pipeline};
    for name in ["cnn", "attn"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models");
        let mut g = onnx::load(&dir.join(format!("{name}.onnx")), &onnx::ImportOptions::default()).unwrap();
        let samples = io::read_samples(&dir.join(format!("{name}.input.json")), &g).unwrap();
        let compiled = pipeline::compile(&g, &samples, Default::default(), "none").unwrap();
        for (v, t) in g.values.iter_mut().zip(&compiled.types) {
            if let Some(t) = t {
                v.ty = *t;
            }
        }
        insta::assert_snapshot!(
            format!("typed_table_{name}"),
            table::render(&g, &table::Extra::default())
        );
    }
}
