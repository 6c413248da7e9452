//! Times cost, setup, prove and verify of the Groth16 backend on a compiled circuit:
//! `cargo run --release -p zkc-backend-groth16 --example bench -- DIR` where `DIR` holds
//! `circuit.zkc` and `witness.zkc` (from `zkc compile --backend groth16` and `zkc witness`).
//! Prints the R1CS size, the times, the key and proof sizes and the peak resident memory.

use std::path::PathBuf;
use std::time::Instant;

use zkc_backend_groth16::Groth16;
use zkc_runtime::{artifact, Backend, Program, Trace};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Process CPU seconds (user + system): with 2 cores, idle-machine wall time ≈ CPU / 2
/// for the parallel phases, which makes numbers comparable on a busy machine.
fn cpu() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let f: Vec<&str> = s.rsplit(')').next()?.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: bench DIR")?);
    let (_, c) = artifact::read_any(&dir.join("circuit.zkc"))?;
    let c: serde_json::Value = serde_json::from_slice(&c)?;
    let program: Program = serde_json::from_value(c["compiled"]["program"].clone())?;
    let (_, w) = artifact::read_any(&dir.join("witness.zkc"))?;
    let trace: Trace = serde_json::from_slice(&w)?;
    let g = Groth16;
    let t = Instant::now();
    let cost = g.cost(&program);
    println!(
        "cost: {} {} ({}) in {:?}",
        cost.total,
        cost.unit,
        cost.detail,
        t.elapsed()
    );
    let t = Instant::now();
    g.mock(&program, &trace)?;
    println!("mock: {:?}", t.elapsed());
    let t = Instant::now();
    let c = cpu();
    let keys = g.setup(&program)?;
    println!(
        "setup: {:?}, cpu {:.2}s (pk {:.1} MB, vk {} B)",
        t.elapsed(),
        cpu() - c,
        keys.proving_key.len() as f64 / 1e6,
        keys.verifying_key.len()
    );
    println!("peak memory after setup: {:.0} MB", peak_rss_mb());
    for _ in 0..2 {
        let t = Instant::now();
        let c = cpu();
        let proof = g.prove(&program, &keys.proving_key, &trace)?;
        println!("prove: {:?}, cpu {:.2}s ({} B)", t.elapsed(), cpu() - c, proof.len());
        let t = Instant::now();
        g.verify(&program, &keys.verifying_key, &trace.public_values(&program), &proof)?;
        println!("verify: {:?}", t.elapsed());
    }
    println!("peak memory: {:.0} MB", peak_rss_mb());
    Ok(())
}
