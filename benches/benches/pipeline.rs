//! Float interpretation, compilation and witness generation on the shared models.

use criterion::{criterion_group, criterion_main, Criterion};
use zkc_benches::shared;
use zkc_compiler::{io, onnx, pipeline};
use zkc_passes::QuantConfig;

fn bench(c: &mut Criterion) {
    for name in ["mlp", "cnn", "attn"] {
        let g = onnx::load(&shared(name, "onnx"), &onnx::ImportOptions::default()).unwrap();
        let inputs = io::read_inputs(&shared(name, "input.json"), &g).unwrap();
        c.bench_function(&format!("float_run/{name}"), |b| b.iter(|| g.run(&inputs).unwrap()));
        let samples = vec![inputs.clone()];
        c.bench_function(&format!("compile/{name}"), |b| {
            b.iter(|| pipeline::compile(&g, &samples, QuantConfig::default(), "halo2").unwrap())
        });
        let compiled = pipeline::compile(&g, &samples, QuantConfig::default(), "halo2").unwrap();
        c.bench_function(&format!("witness/{name}"), |b| {
            b.iter(|| pipeline::witness(&compiled, &inputs).unwrap())
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
