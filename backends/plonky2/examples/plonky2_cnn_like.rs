//! Times setup, prove and verify of the plonky2 backend on a synthetic program shaped like the
//! shared LeNet-style cnn (conv 4x5x5 pad 2 → relu → avgpool → conv 8x5x5 → relu → avgpool →
//! gemm 10), fixed-point scale 8, and the aggregation of proofs. Run:
//! `cargo run --release -p zkc-backend-plonky2 --example plonky2_cnn_like [zk] [aggregate]`.
//! Prints the layout, the times, the proof size and the peak resident memory.

use std::time::Instant;

use zkc_backend_plonky2::{aggregate, verify_aggregate, Plonky2};
use zkc_runtime::{solve, Argument, Backend, Origin, Program, Var};

struct B {
    p: Program,
    node: usize,
}

impl B {
    fn var(&mut self) -> Var {
        self.p.num_vars += 1;
        Var(self.p.num_vars - 1)
    }
    fn push(&mut self, a: Argument) {
        let origin = Origin {
            node: self.node,
            name: format!("n{}", self.node),
        };
        self.p.arguments.push((a, origin));
    }
    fn linear(&mut self, terms: Vec<(i128, Var)>, constant: i128) -> Var {
        let out = self.var();
        self.push(Argument::Linear { out, terms, constant });
        out
    }
    fn rescale(&mut self, x: Var, k: u32, q_bits: u32) -> Var {
        let (q, r) = (self.var(), self.var());
        self.push(Argument::Rescale { x, q, r, k, q_bits });
        q
    }
    fn relu(&mut self, a: Var, bits: u32) -> Var {
        let out = self.var();
        self.push(Argument::Max { out, a, b: None, bits });
        out
    }
}

fn rnd(seed: &mut u64) -> i128 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed % 256) as i128 - 128
}

fn cnn() -> (Program, Vec<i128>) {
    let mut b = B {
        p: Program::default(),
        node: 0,
    };
    let mut seed = 0x9E3779B97F4A7C15u64;
    let mut inputs = Vec::new();
    let img: Vec<Var> = (0..784)
        .map(|i| {
            let x = b.var();
            inputs.push(rnd(&mut seed) * 2);
            b.push(Argument::Input { x, index: i });
            b.push(Argument::Range { x, bits: 10 });
            x
        })
        .collect();
    let conv = |b: &mut B, seed: &mut u64, inp: &[Var], c_in: usize, hw: usize, c_out: usize, pad: usize| {
        let out_hw = hw + 2 * pad - 4;
        let w: Vec<i128> = (0..c_out * c_in * 25).map(|_| rnd(seed)).collect();
        let mut outs = vec![];
        for o in 0..c_out {
            for y in 0..out_hw {
                for x in 0..out_hw {
                    let mut terms = vec![];
                    for c in 0..c_in {
                        for ky in 0..5 {
                            for kx in 0..5 {
                                let (iy, ix) = (y + ky, x + kx);
                                if iy < pad || ix < pad || iy - pad >= hw || ix - pad >= hw {
                                    continue;
                                }
                                let v = inp[c * hw * hw + (iy - pad) * hw + (ix - pad)];
                                terms.push((w[((o * c_in + c) * 5 + ky) * 5 + kx], v));
                            }
                        }
                    }
                    let acc = b.linear(terms, 100);
                    let q = b.rescale(acc, 8, 16);
                    outs.push(b.relu(q, 16));
                }
            }
        }
        (outs, out_hw)
    };
    let pool = |b: &mut B, inp: &[Var], c: usize, hw: usize| {
        let mut outs = vec![];
        for ch in 0..c {
            for y in 0..hw / 2 {
                for x in 0..hw / 2 {
                    let at = |dy: usize, dx: usize| inp[ch * hw * hw + (2 * y + dy) * hw + 2 * x + dx];
                    let s = b.linear(vec![(1, at(0, 0)), (1, at(0, 1)), (1, at(1, 0)), (1, at(1, 1))], 0);
                    outs.push(b.rescale(s, 2, 16));
                }
            }
        }
        outs
    };
    b.node = 1;
    let (a1, hw1) = conv(&mut b, &mut seed, &img, 1, 28, 4, 2);
    b.node = 2;
    let p1 = pool(&mut b, &a1, 4, hw1);
    b.node = 3;
    let (a2, hw2) = conv(&mut b, &mut seed, &p1, 4, 14, 8, 0);
    b.node = 4;
    let p2 = pool(&mut b, &a2, 8, hw2);
    b.node = 5;
    for _ in 0..10 {
        let terms: Vec<(i128, Var)> = p2.iter().map(|&v| (rnd(&mut seed), v)).collect();
        let acc = b.linear(terms, 7);
        let q = b.rescale(acc, 8, 24);
        b.push(Argument::Public { x: q });
    }
    (b.p, inputs)
}

fn peak_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
        })
        .unwrap_or(0)
        / 1024
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let zk = args.iter().any(|a| a == "zk");
    let backend = if zk {
        Plonky2::new()
    } else {
        Plonky2::without_zero_knowledge()
    };
    let (program, inputs) = cnn();
    let trace = solve(&program, &inputs).expect("cnn solves");
    let cost = backend.cost(&program);
    println!(
        "arguments={} vars={} zk={zk}",
        program.arguments.len(),
        program.num_vars
    );
    println!("cost: {} {} ({})", cost.total, cost.unit, cost.detail);
    let t = Instant::now();
    backend.mock(&program, &trace).unwrap();
    println!("mock {:?}", t.elapsed());
    let t = Instant::now();
    let keys = backend.setup(&program).unwrap();
    println!(
        "setup {:?} (pk {} B, vk {} B)",
        t.elapsed(),
        keys.proving_key.len(),
        keys.verifying_key.len()
    );
    let t = Instant::now();
    let proof = backend.prove(&program, &keys.proving_key, &trace).unwrap();
    println!("prove {:?} ({} B)", t.elapsed(), proof.len());
    let public = trace.public_values(&program);
    let t = Instant::now();
    backend.verify(&program, &keys.verifying_key, &public, &proof).unwrap();
    println!("verify {:?}", t.elapsed());
    if args.iter().any(|a| a == "aggregate") {
        let items: Vec<_> = (0..4)
            .map(|_| (program.clone(), keys.verifying_key.clone(), proof.clone()))
            .collect();
        let t = Instant::now();
        let (avk, aproof) = aggregate(&items).unwrap();
        println!("aggregate 4 {:?} ({} B)", t.elapsed(), aproof.len());
        let inner: Vec<_> = (0..4).map(|_| (keys.verifying_key.clone(), public.clone())).collect();
        let t = Instant::now();
        verify_aggregate(&avk, &aproof, &inner).unwrap();
        println!("verify aggregate {:?}", t.elapsed());
    }
    println!("peak memory {} MB", peak_mb());
}
