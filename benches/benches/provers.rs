//! Prove and verify on every backend, on ff and mlp (keys made once, outside the timing).
//!
//! `cargo bench -p zkc-benches --bench provers` (add `-- halo2/` etc. to pick one backend).

use criterion::{criterion_group, criterion_main, Criterion};
use zkc_benches::shared;
use zkc_compiler::{io, onnx, pipeline, prover};
use zkc_passes::QuantConfig;

fn bench(c: &mut Criterion) {
    for name in ["ff", "mlp"] {
        let g = onnx::load(&shared(name, "onnx"), &onnx::ImportOptions::default()).unwrap();
        let inputs = io::read_inputs(&shared(name, "input.json"), &g).unwrap();
        for &backend in prover::available() {
            let compiled =
                pipeline::compile(&g, std::slice::from_ref(&inputs), QuantConfig::default(), backend).unwrap();
            let trace = pipeline::witness(&compiled, &inputs).unwrap();
            let b = prover::backend(backend).unwrap();
            let program = &compiled.program;
            let keys = b.setup(program).unwrap();
            let public = trace.public_values(program);
            c.bench_function(&format!("{backend}/prove/{name}"), |bn| {
                bn.iter(|| b.prove(program, &keys.proving_key, &trace).unwrap())
            });
            let proof = b.prove(program, &keys.proving_key, &trace).unwrap();
            c.bench_function(&format!("{backend}/verify/{name}"), |bn| {
                bn.iter(|| b.verify(program, &keys.verifying_key, &public, &proof).unwrap())
            });
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
