//! Mock, set up, prove and verify compiled zkc circuits with the halo2 backend, with timings
//! and peak memory. Each argument is a directory holding `circuit.zkc` and `witness.zkc`
//! (from `zkc compile` and `zkc witness`):
//! `cargo run --release -p zkc-backend-halo2 --example halo2_models -- DIR...`

use std::path::Path;
use std::time::Instant;

use zkc_backend_halo2::{layout, Halo2};
use zkc_runtime::{artifact, Backend, Program, Trace};

fn load(dir: &Path) -> (Program, Trace) {
    let (_, circuit) = artifact::read_any(&dir.join("circuit.zkc")).expect("circuit.zkc");
    let v: serde_json::Value = serde_json::from_slice(&circuit).expect("circuit JSON");
    let program: Program = serde_json::from_value(v["compiled"]["program"].clone()).expect("program");
    let (_, witness) = artifact::read_any(&dir.join("witness.zkc")).expect("witness.zkc");
    let trace: Trace = serde_json::from_slice(&witness).expect("trace JSON");
    (program, trace)
}

fn peak_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0)
        / 1024
}

fn main() {
    for dir in std::env::args().skip(1) {
        let (program, trace) = load(Path::new(&dir));
        let l = layout(&program).expect("layout");
        println!(
            "{dir}: {} arguments, {} vars; k={} rows={} advice={} fixed={} slots={}x{} lanes={} L={} lookup lanes={} table rows={}",
            program.arguments.len(),
            program.num_vars,
            l.k,
            l.rows,
            l.advice_columns,
            l.fixed_columns,
            l.slots,
            l.slot_width,
            l.range_lanes,
            l.limb_bits,
            l.lookup_lanes,
            l.table_rows
        );
        let backend = Halo2::new();
        let t = Instant::now();
        backend.mock(&program, &trace).expect("mock");
        println!("  mock   {:>8.2?}", t.elapsed());
        let t = Instant::now();
        let keys = backend.setup(&program).expect("setup");
        println!(
            "  setup  {:>8.2?}  pk {} MB, vk {} B",
            t.elapsed(),
            keys.proving_key.len() >> 20,
            keys.verifying_key.len()
        );
        let t = Instant::now();
        let proof = backend.prove(&program, &keys.proving_key, &trace).expect("prove");
        println!("  prove  {:>8.2?}  proof {} B", t.elapsed(), proof.len());
        let t = Instant::now();
        backend
            .verify(&program, &keys.verifying_key, &trace.public_values(&program), &proof)
            .expect("verify");
        println!("  verify {:>8.2?}  peak memory {} MB", t.elapsed(), peak_mb());
    }
}
