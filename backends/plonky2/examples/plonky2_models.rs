//! Mock, set up, prove and verify compiled zkc circuits with the plonky2 backend, with
//! timings, sizes and peak memory; optionally aggregate four proofs of each. Each argument is
//! a directory holding `circuit.zkc` and `witness.zkc` (from `zkc compile --backend plonky2`
//! and `zkc witness`):
//! `cargo run --release -p zkc-backend-plonky2 --example plonky2_models -- [--plain] [--aggregate] DIR...`
//! (`--plain`: without zero knowledge).

use std::path::Path;
use std::time::Instant;

use zkc_backend_plonky2::{aggregate, keys, verify_aggregate, Plonky2};
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

/// The aggregation circuit's size, read from its key (the checksum is 32 bytes after the
/// 64-character tag; then the inner count, 40 bytes per inner proof, and the verifier data).
fn aggregate_degree_bits(avk: &[u8]) -> usize {
    let (_, payload) = keys::unseal(avk, keys::AGG_VK_MAGIC, "aggregate key").expect("aggregate key");
    let n = u64::from_le_bytes(payload[..8].try_into().expect("8 bytes")) as usize;
    let vd = keys::parse_verifier_data(&payload[8 + 40 * n..], "aggregate key").expect("verifier data");
    vd.common.degree_bits()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backend = if args.iter().any(|a| a == "--plain") {
        Plonky2::without_zero_knowledge()
    } else {
        Plonky2::new()
    };
    let agg = args.iter().any(|a| a == "--aggregate");
    for dir in args.iter().filter(|a| !a.starts_with("--")) {
        let (program, trace) = load(Path::new(dir));
        let cost = backend.cost(&program);
        println!(
            "{dir}: {} arguments, {} vars, zk={}; {} {} ({})",
            program.arguments.len(),
            program.num_vars,
            backend.zero_knowledge,
            cost.total,
            cost.unit,
            cost.detail
        );
        let t = Instant::now();
        backend.mock(&program, &trace).expect("mock");
        println!("  mock   {:>8.2?}", t.elapsed());
        let t = Instant::now();
        let keys = backend.setup(&program).expect("setup");
        println!(
            "  setup  {:>8.2?}  pk {} KB, vk {} B",
            t.elapsed(),
            keys.proving_key.len() >> 10,
            keys.verifying_key.len()
        );
        // As in a fresh `zkc prove`: the circuit comes from the proving key, not the cache.
        zkc_backend_plonky2::clear_cache();
        let t = Instant::now();
        let proof = backend.prove(&program, &keys.proving_key, &trace).expect("prove");
        println!(
            "  prove  {:>8.2?}  proof {} B (circuit read from the proving key)",
            t.elapsed(),
            proof.len()
        );
        let t = Instant::now();
        backend.prove(&program, &keys.proving_key, &trace).expect("prove");
        println!("  prove  {:>8.2?}  (circuit cached)", t.elapsed());
        let public = trace.public_values(&program);
        let t = Instant::now();
        backend
            .verify(&program, &keys.verifying_key, &public, &proof)
            .expect("verify");
        println!("  verify {:>8.2?}  peak memory {} MB", t.elapsed(), peak_mb());
        if agg {
            let items: Vec<_> = (0..4)
                .map(|_| (program.clone(), keys.verifying_key.clone(), proof.clone()))
                .collect();
            let t = Instant::now();
            let (avk, aproof) = aggregate(&items).expect("aggregate");
            println!(
                "  aggregate 4 {:>8.2?}  proof {} B, aggregation circuit 2^{} rows",
                t.elapsed(),
                aproof.len(),
                aggregate_degree_bits(&avk)
            );
            let inner: Vec<_> = (0..4).map(|_| (keys.verifying_key.clone(), public.clone())).collect();
            let t = Instant::now();
            verify_aggregate(&avk, &aproof, &inner).expect("verify aggregate");
            println!("  verify aggregate {:>8.2?}  peak memory {} MB", t.elapsed(), peak_mb());
        }
    }
}
