//! Shared-input blocks (`Packing::shared_inputs`): a convolution-shaped program laid out as
//! block rows proves and verifies, and every changed witness value is rejected, including
//! a block's partial sums and the last chunk's outputs.

mod common;

use common::Builder;
use halo2_proofs::halo2curves::bn256::Fr;
use zkc_backend_halo2::plan::{self, Shape, Src};
use zkc_backend_halo2::{keys, layout, mock, witness, Halo2};
use zkc_runtime::testing::mutations;
use zkc_runtime::{Backend, Program, Trace};

fn backend() -> Halo2 {
    Halo2::with_srs_dir(common::srs_dir())
}

/// A 1-D convolution: `channels` outputs at each of `positions` over a window of `kernel`
/// inputs, each output rescaled by 2^3 and its quotient public; blocks granted.
fn conv(positions: usize, kernel: usize, channels: usize) -> (Program, Trace) {
    let mut b = Builder::new();
    let xs: Vec<_> = (0..positions + kernel - 1)
        .map(|i| b.input((i as i128 * 37) % 23 - 11))
        .collect();
    for p in 0..positions {
        for c in 0..channels {
            let terms: Vec<(i128, _)> = (0..kernel)
                .map(|j| ((j as i128 * 7 + c as i128 * 5) % 11 - 5, xs[p + j]))
                .collect();
            let y = b.linear(&terms, c as i128 * 3 - 2);
            let q = b.rescale(y, 3, 12);
            b.public(q);
        }
    }
    let (mut p, t) = b.finish();
    p.packing.shared_inputs = true;
    (p, t)
}

#[test]
fn a_convolution_packs_into_block_rows_and_proves() {
    let (p, t) = conv(10, 9, 3);
    let with = layout::layout(&p).unwrap();
    assert!(with.block_gates > 0, "blocks used: {with:?}");
    let mut plain = p.clone();
    plain.packing = Default::default();
    let without = layout::layout(&plain).unwrap();
    assert_eq!(without.block_gates, 0);
    assert!(
        with.work < without.work,
        "blocks are cheaper: {} vs {}",
        with.work,
        without.work
    );
    let b = backend();
    b.mock(&p, &t).unwrap();
    let keys = b.setup(&p).unwrap();
    let proof = b.prove(&p, &keys.proving_key, &t).unwrap();
    let public = t.public_values(&p);
    b.verify(&p, &keys.verifying_key, &public, &proof).unwrap();
    let mut bad = public.clone();
    bad[4] += 1;
    assert!(b.verify(&p, &keys.verifying_key, &bad, &proof).is_err());
    // A key of the layout without blocks is refused for the program with them.
    let plain_keys = b.setup(&plain).unwrap();
    assert!(b.prove(&p, &plain_keys.proving_key, &t).is_err());
}

#[test]
fn every_changed_value_of_a_blocked_program_is_rejected() {
    let (p, t) = conv(8, 9, 3);
    assert!(layout::layout(&p).unwrap().block_gates > 0);
    backend().mock(&p, &t).unwrap();
    let ms = mutations(&p, &t);
    assert!(ms.len() > 8 * 3 * 3, "{} mutations", ms.len());
    for m in &ms {
        assert!(
            backend().mock(&p, &m.trace).is_err(),
            "a changed {} of argument {} ({}) was accepted",
            m.var,
            m.argument,
            m.argument_kind
        );
    }
    // And by the real prover for a block output.
    let linear = ms.iter().find(|m| m.argument_kind == "Linear").unwrap();
    let keys = backend().setup(&p).unwrap();
    if let Ok(proof) = backend().prove(&p, &keys.proving_key, &linear.trace) {
        for public in [linear.trace.public_values(&p), t.public_values(&p)] {
            assert!(backend().verify(&p, &keys.verifying_key, &public, &proof).is_err());
        }
    }
}

/// A slot area narrower than the inputs: blocks continue over chunk rows, and a changed
/// partial sum (the only cells no program variable names) breaks the gate.
#[test]
fn chunked_blocks_pin_their_partial_sums() {
    let (p, t) = conv(8, 20, 3);
    let shape = Shape {
        slots: 1,
        width: 10,
        lanes: 2,
        pairs: 0,
        limb_bits: 6,
        f2: 0,
        hash_groups: 0,
        // 7 inputs per row: 20 inputs in 3 chunks, one gate each.
        blocks: 3,
    };
    let k = 10;
    let plan = plan::pack(&p, shape, layout::usable_rows(k)).unwrap();
    assert_eq!(plan.gates.len(), 3);
    let public = keys::instance(&t.public_values(&p));
    let honest = witness::advice_columns(&plan, &p, &t, 1 << k);
    mock::run(&p, k, &plan, &honest, public.clone()).unwrap();
    let mut checked = 0;
    for (c, col) in plan.advice.iter().enumerate() {
        for (r, src) in col.iter().enumerate() {
            if matches!(src, Src::BlockPartial(_)) {
                let mut bad = honest.clone();
                bad[c][r] += Fr::one();
                let err = mock::run(&p, k, &plan, &bad, public.clone()).unwrap_err();
                assert!(err.to_string().contains("block gate"), "{err}");
                checked += 1;
            }
        }
    }
    // 8 blocks × 2 partial rows × 3 outputs.
    assert_eq!(checked, 8 * 2 * 3);
}
