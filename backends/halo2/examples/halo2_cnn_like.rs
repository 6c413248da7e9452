//! Times setup, prove and verify of the halo2 backend on a synthetic program shaped like the
//! shared LeNet-style cnn (conv 4x5x5 pad 2 → relu → avgpool → conv 8x5x5 → relu → avgpool →
//! gemm 10), with fixed-point scale 8. Run: `cargo run --release -p zkc-backend-halo2
//! --example halo2_cnn_like`. Prints the layout, the times and the peak resident memory.

use std::time::Instant;

use zkc_backend_halo2::{layout, Halo2};
use zkc_runtime::{Argument, Backend, Origin, Program, Trace, Var};

struct B {
    p: Program,
    v: Vec<i128>,
    node: usize,
}

impl B {
    fn var(&mut self, x: i128) -> Var {
        self.v.push(x);
        self.p.num_vars += 1;
        Var(self.p.num_vars - 1)
    }
    fn push(&mut self, a: Argument) {
        self.p.arguments.push((
            a,
            Origin {
                node: self.node,
                name: format!("n{}", self.node),
            },
        ));
    }
    fn linear(&mut self, terms: Vec<(i128, Var)>, c: i128) -> Var {
        let s = terms.iter().map(|&(k, x)| k * self.v[x.0 as usize]).sum::<i128>() + c;
        let out = self.var(s);
        self.push(Argument::Linear {
            out,
            terms,
            constant: c,
        });
        out
    }
    fn rescale(&mut self, x: Var, k: u32, q_bits: u32) -> Var {
        let xv = self.v[x.0 as usize] + (1 << (k - 1));
        let q = self.var(xv.div_euclid(1 << k));
        let r = self.var(xv.rem_euclid(1 << k));
        self.push(Argument::Rescale { x, q, r, k, q_bits });
        q
    }
    fn relu(&mut self, a: Var, bits: u32) -> Var {
        let out = self.var(self.v[a.0 as usize].max(0));
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

fn cnn() -> (Program, Trace) {
    let mut b = B {
        p: Program::default(),
        v: vec![],
        node: 0,
    };
    let mut seed = 0x9E3779B97F4A7C15u64;
    let img: Vec<Var> = (0..784)
        .map(|i| {
            let x = b.var(rnd(&mut seed) * 2);
            b.push(Argument::Input { x, index: i });
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
    (b.p, Trace { values: b.v })
}

fn peak_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0) / 1024)
        })
        .unwrap_or(0)
}

fn main() {
    let (program, trace) = cnn();
    let terms: usize = program
        .arguments
        .iter()
        .map(|(a, _)| {
            if let Argument::Linear { terms, .. } = a {
                terms.len()
            } else {
                0
            }
        })
        .sum();
    println!(
        "arguments={} vars={} linear terms={terms}",
        program.arguments.len(),
        program.num_vars
    );
    let t = Instant::now();
    let l = layout(&program).unwrap();
    println!(
        "layout {:?} in {:?}",
        (
            l.k,
            l.rows,
            l.slots,
            l.slot_width,
            l.range_lanes,
            l.limb_bits,
            l.advice_columns,
            l.fixed_columns
        ),
        t.elapsed()
    );
    let backend = Halo2::new();
    let t = Instant::now();
    backend.mock(&program, &trace).unwrap();
    println!("mock {:?} (peak {} MB)", t.elapsed(), peak_mb());
    let t = Instant::now();
    let keys = backend.setup(&program).unwrap();
    println!(
        "setup {:?} pk={} MB vk={} B (peak {} MB)",
        t.elapsed(),
        keys.proving_key.len() >> 20,
        keys.verifying_key.len(),
        peak_mb()
    );
    let t = Instant::now();
    let proof = backend.prove(&program, &keys.proving_key, &trace).unwrap();
    println!(
        "prove {:?} proof={} B (peak {} MB)",
        t.elapsed(),
        proof.len(),
        peak_mb()
    );
    let t = Instant::now();
    backend
        .verify(&program, &keys.verifying_key, &trace.public_values(&program), &proof)
        .unwrap();
    println!("verify {:?}", t.elapsed());
}
