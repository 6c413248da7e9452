//! The four shared benchmark models agree with onnxruntime's recorded outputs.

use zkc_compiler::{io, onnx};

#[test]
fn shared_models_match_onnxruntime_within_1e_5() {
    for name in zkc_tests::SHARED_MODELS {
        let dir = zkc_tests::shared_dir().join("models");
        let g = onnx::load(&dir.join(format!("{name}.onnx")), &onnx::ImportOptions::default()).unwrap();
        let inputs = io::read_inputs(&dir.join(format!("{name}.input.json")), &g).unwrap();
        let outs = g.run(&inputs).unwrap();
        let want = io::read_outputs(&dir.join(format!("{name}.expected.json"))).unwrap();
        assert_eq!(outs.len(), want.output_data.len(), "{name}");
        for (o, w) in outs.iter().zip(&want.output_data) {
            assert_eq!(o.data.len(), w.len(), "{name}");
            let err = o.data.iter().zip(w).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
            println!("{name}: max abs error {err:e}");
            assert!(err <= 1e-5, "{name}: max abs error {err} > 1e-5");
        }
    }
}
