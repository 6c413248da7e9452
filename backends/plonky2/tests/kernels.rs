//! Shared-input blocks on [`KernelGate`]s (granted by the pack pass's `share-inputs`): a
//! two-layer 1-D "convolution" whose first layer's neighbouring positions are merged into
//! runs (zero coefficients where a position does not read an input) and whose second layer's
//! 88-input sums are split into chunks chained by partial sums. The blocks must compute
//! exactly the weighted sums: the honest trace proves and verifies, and every single-value
//! mutation of it cannot be proven.

mod common;

use common::Builder;
use zkc_backend_plonky2::blocks::Kernels;
use zkc_backend_plonky2::plan::Plan;
use zkc_backend_plonky2::Plonky2;
use zkc_runtime::testing::mutations;
use zkc_runtime::{Backend, Program, Trace};

/// Layer 1: 4 channels, kernel 9 over 40 inputs (32 positions). Layer 2: 2 channels, kernel
/// 22 over the 4 channels (88 inputs, 11 positions), published.
fn conv_program(shared: bool) -> (Program, Trace) {
    let mut b = Builder::new();
    let xs: Vec<_> = (0..40).map(|i| b.input((i * 13 % 17) - 8)).collect();
    let mut h = vec![Vec::new(); 4];
    for p in 0..32 {
        for (c, hc) in h.iter_mut().enumerate() {
            let terms: Vec<_> = (0..9).map(|j| (((c * 9 + j) % 7) as i128 - 3, xs[p + j])).collect();
            hc.push(b.linear(&terms, c as i128 - 1));
        }
    }
    for p in 0..11 {
        for c in 0..2 {
            let terms: Vec<_> = (0..4)
                .flat_map(|ci| (0..22).map(move |j| (ci, j)))
                .map(|(ci, j)| ((((c * 5 + ci * 3 + j) % 9) as i128) - 4, h[ci][p + j]))
                .collect();
            let y = b.linear(&terms, 7 - c as i128);
            b.public(y);
        }
    }
    let (mut p, t) = b.finish();
    p.packing.shared_inputs = shared;
    (p, t)
}

#[test]
fn blocks_merge_neighbours_chain_long_sums_and_take_fewer_rows() {
    let (p, _) = conv_program(true);
    let mut plan = Plan::new(&p).unwrap();
    let k = Kernels::find(&mut plan, 80);
    assert!(k.member.iter().all(|&m| m), "every sum is in a block");
    assert!(
        k.gates.iter().any(|g| g.coeffs.iter().flatten().any(|&c| c == 0)),
        "neighbouring positions are merged over their union of inputs"
    );
    assert!(k.gates.iter().any(|g| g.prev), "88-input sums are chunked");
    let (q, _) = conv_program(false);
    assert!(Kernels::find(&mut Plan::new(&q).unwrap(), 80).gates.is_empty());
    let b = Plonky2::without_zero_knowledge();
    let (with, without) = (b.cost(&p), b.cost(&q));
    assert!(
        with.total < without.total,
        "blocks {} vs weighted sums {} gates",
        with.total,
        without.total
    );
    assert!(with.detail.contains("kernel gates"), "{}", with.detail);
    assert!(with.detail.contains("padded to 2^5 rows"), "{}", with.detail);
    assert!(without.detail.contains("padded to 2^6 rows"), "{}", without.detail);
}

/// With zero knowledge both layouts pad to 2^12 rows (the blinding rows dominate), so the
/// blocks are not used: they would save no row and cost gate evaluations. (cnn, where they
/// take the circuit from 2^13 to 2^12 rows, proves with them in `tests/tests/passes.rs`.)
#[test]
fn zero_knowledge_uses_blocks_only_when_they_shrink_the_padded_rows() {
    let (p, t) = conv_program(true);
    let b = Plonky2::default();
    let cost = b.cost(&p);
    assert!(cost.detail.contains("kernel blocks unused"), "{}", cost.detail);
    assert_eq!(cost.total, b.cost(&conv_program(false).0).total);
    let keys = b.setup(&p).unwrap();
    let proof = b.prove(&p, &keys.proving_key, &t).unwrap();
    b.verify(&p, &keys.verifying_key, &t.public_values(&p), &proof).unwrap();
    let mut wrong = t.public_values(&p);
    wrong[0] += 1;
    assert!(b.verify(&p, &keys.verifying_key, &wrong, &proof).is_err());
}

#[test]
fn every_mutation_of_a_blocked_trace_cannot_be_proven() {
    let (p, t) = conv_program(true);
    let b = Plonky2::without_zero_knowledge();
    b.mock(&p, &t).expect("the honest trace is accepted");
    let keys = b.setup(&p).unwrap();
    let proof = b.prove(&p, &keys.proving_key, &t).unwrap();
    b.verify(&p, &keys.verifying_key, &t.public_values(&p), &proof).unwrap();
    let all = mutations(&p, &t);
    assert!(
        all.len() > 150,
        "inputs, first-layer and second-layer values are mutated"
    );
    for m in all {
        if let Ok(proof) = b.prove(&p, &keys.proving_key, &m.trace) {
            for public in [m.trace.public_values(&p), t.public_values(&p)] {
                assert!(
                    b.verify(&p, &keys.verifying_key, &public, &proof).is_err(),
                    "{} mutation of {}: a proof verified",
                    m.argument_kind,
                    m.var
                );
            }
            panic!("{} mutation of {}: prove returned a proof", m.argument_kind, m.var);
        }
    }
}
