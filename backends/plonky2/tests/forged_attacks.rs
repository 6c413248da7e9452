//! The attacks that broke other zkML systems, as forged plonky2 witnesses: a malicious prover
//! does not use zkc's witness filler, it sets any wire. As in `forged_witness.rs`, every value
//! target is set from a (possibly dishonest) trace and the range-check limbs are written
//! directly with field-level values chosen so that the decomposition's *sum* equation holds —
//! the base-4 digits of `x + p` with the excess in the top limb, a limb equal to the base 4
//! with the next one lower — and only the per-limb constraint stands in the way. The proof
//! plonky2 produces from such a witness must not verify (a witness that breaks a constraint
//! usually makes plonky2's prover fail outright: its quotient polynomial does not divide).
//!
//! Every case first runs the same harness on the honest values and checks that the proof
//! verifies, so a rejection is due to the forgery.
//!
//! Hashed parameters: over Goldilocks zkc hashes parameters unpacked (one field element per
//! value, `params_hash` = `hash_no_pad` of the values; the Poseidon absorbs 8 elements per gate
//! row, so packing would save little), so the BN254 attack on a packed word (`w₀ += 2^b,
//! w₁ -= 1` leaves the word and the digest unchanged) has no word to forge here. What plonky2
//! must guarantee instead is that changing any one hashed value changes the digest the proof
//! is checked against; `hash_plonky2_*` tests that.

use std::panic::AssertUnwindSafe;

use plonky2::field::types::{Field, PrimeField64};
use plonky2::iop::generator::generate_partial_witness;
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartialWitness, PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::prover::prove_with_partition_witness;
use plonky2::util::timing::TimingTree;
use zkc_backend_plonky2::circuit::{Circuit, C, D};
use zkc_backend_plonky2::field::{to_field, F};
use zkc_backend_plonky2::plan::{RangeReq, Val};
use zkc_runtime::testing::{div_program, range_program, rescale_program, with_values, ProgramBuilder};
use zkc_runtime::{Argument, HashKind, Program, Table, Trace, Var};

// ---------------------------------------------------------------------------------------
// The harness (the forging witness of `forged_witness.rs`)

/// Which range check to forge: the one lowered from argument `arg` whose main operand is
/// `u` (any of that argument's checks when `None`), and its limbs, least significant first.
struct Forge {
    arg: usize,
    u: Option<Var>,
    limbs: Limbs,
}

/// The forged limbs of a check.
enum Limbs {
    /// These limbs (padded with zeros).
    Given(Vec<F>),
    /// The base-4 digits of the checked value's canonical integer (`x + p` for a negative
    /// `x`) in all limbs but the top one, and what is left of the value (a field element) in
    /// the top one.
    ExcessOnTop,
}

/// The value a range check decomposes: `a·u + c·v + offset`.
fn checked(vals: &[F], r: &RangeReq) -> F {
    let (a, u) = r.u;
    let mut value = a * vals[u.0 as usize] + r.offset;
    if let Some((c, v)) = r.v {
        value += c * vals[v.0 as usize];
    }
    value
}

/// Limb `i`'s weight: 4^i.
fn weight(i: usize) -> F {
    F::from_canonical_u64(4).exp_u64(i as u64)
}

/// The witness of `trace` as zkc fills it, except the limbs named by `forge`.
fn witness(c: &Circuit, trace: &Trace, forge: &[Forge]) -> PartialWitness<F> {
    let vars: Vec<F> = trace.values.iter().map(|&v| to_field(v)).collect();
    let vals = c.plan.values(&vars);
    let mut pw = PartialWitness::new();
    for (&t, &v) in c.targets.iter().zip(&vals) {
        pw.set_target(t, v).unwrap();
    }
    let mut used = vec![false; forge.len()];
    for f in &c.limbs {
        let n = f.gate.limbs();
        let value = checked(&vals, &f.req);
        let forged = forge
            .iter()
            .position(|g| f.req.owner == g.arg && g.u.is_none_or(|u| f.req.u.1 == Val(u.0)));
        let digits: Vec<F> = match forged.map(|i| (i, &forge[i].limbs)) {
            Some((i, limbs)) => {
                used[i] = true;
                let d = match limbs {
                    Limbs::Given(l) => {
                        let mut d = l.clone();
                        d.resize(n, F::ZERO);
                        d
                    }
                    Limbs::ExcessOnTop => {
                        let mut x = value.to_canonical_u64();
                        let mut d: Vec<F> = (0..n - 1)
                            .map(|_| {
                                let l = x & 3;
                                x >>= 2;
                                F::from_canonical_u64(l)
                            })
                            .collect();
                        let low = d.iter().enumerate().fold(F::ZERO, |acc, (i, &l)| acc + l * weight(i));
                        d.push((value - low) * weight(n - 1).inverse());
                        d
                    }
                };
                // The forgery keeps the decomposition's sum equation: only the per-limb
                // constraints can catch it.
                let sum = d.iter().enumerate().fold(F::ZERO, |acc, (i, &l)| acc + l * weight(i));
                assert_eq!(sum, value, "the forged limbs must sum to the checked value");
                d
            }
            None => {
                let mut x = value.to_canonical_u64();
                (0..n)
                    .map(|i| {
                        let binary = f.gate.bits % 2 == 1 && i + 1 == n;
                        let d = if binary { x & 1 } else { x & 3 };
                        x >>= 2;
                        F::from_canonical_u64(d)
                    })
                    .collect()
            }
        };
        for (i, d) in digits.into_iter().enumerate() {
            pw.set_target(Target::wire(f.row, f.gate.wire_limb(f.slot, i)), d)
                .unwrap();
        }
    }
    assert!(
        used.iter().all(|&u| u),
        "every forgery names a range check of the circuit"
    );
    pw
}

/// What became of a witness: a verifying proof, or why not.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Verified,
    ProverRefused(String),
    Rejected(String),
}

/// Proves a forged witness with no witness generator running: every target the harness set
/// (value targets and limbs) takes the forged value, every other wire (what plonky2's
/// generators fill: Poseidon rounds, lookup outputs and tables, products, constants) keeps the
/// value the generators computed for the honest witness. Nothing recomputes or cross-checks a
/// value before plonky2's prover commits to the wires.
fn outcome(c: &Circuit, honest: PartialWitness<F>, forged: PartialWitness<F>) -> Outcome {
    let (prover, common) = (&c.data.prover_only, &c.data.common);
    let full = generate_partial_witness(honest, prover, common).expect("the honest witness generates");
    let (num_wires, degree) = (common.config.num_wires, common.degree());
    let mut pw = PartitionWitness::new(num_wires, degree, &prover.representative_map);
    for (t, v) in forged.target_values {
        if let Err(e) = pw.set_target(t, v) {
            return Outcome::ProverRefused(format!("the forged values conflict: {e}"));
        }
    }
    for row in 0..degree {
        for col in 0..num_wires {
            let t = Target::wire(row, col);
            if pw.try_get_target(t).is_none() {
                if let Some(v) = full.try_get_target(t) {
                    pw.set_target(t, v).expect("an unset partition");
                }
            }
        }
    }
    let proved = std::panic::catch_unwind(AssertUnwindSafe(|| {
        prove_with_partition_witness::<F, C, D>(prover, common, pw, &mut TimingTree::default())
    }));
    match proved {
        Err(_) => Outcome::ProverRefused("plonky2's prover panicked".into()),
        Ok(Err(e)) => Outcome::ProverRefused(e.to_string()),
        Ok(Ok(proof)) => match c.data.verify(proof) {
            Ok(()) => Outcome::Verified,
            Err(e) => Outcome::Rejected(e.to_string()),
        },
    }
}

/// The honest trace proves through the harness; the forged one does not.
fn assert_rejected(p: &Program, honest: &Trace, bad: &Trace, forge: &[Forge], what: &str) {
    let c = Circuit::build(p, false).unwrap();
    assert_eq!(
        outcome(&c, witness(&c, honest, &[]), witness(&c, honest, &[])),
        Outcome::Verified,
        "{what}: the harness does not prove the honest trace"
    );
    let o = outcome(&c, witness(&c, honest, &[]), witness(&c, bad, forge));
    eprintln!("{what}: {o:?}");
    assert_ne!(o, Outcome::Verified, "{what}: a forged witness verified");
}

fn int(v: u64) -> F {
    F::from_canonical_u64(v)
}

// ---------------------------------------------------------------------------------------
// Max

#[test]
fn max_plonky2_rejects_relu_alias_x_plus_p() {
    // ReLU(5) = 0: (out - a)·out = 0 holds; the checked 2·out - a = -5 is p - 5, decomposed
    // into its base-4 digits with the rest in the top limb.
    let mut b = ProgramBuilder::default();
    let a = b.input(5);
    let (out, arg) = b.def(|out| Argument::Max {
        out,
        a,
        b: None,
        bits: 20,
    });
    b.public(out);
    let (p, honest) = b.finish();
    let forge = [Forge {
        arg,
        u: None,
        limbs: Limbs::ExcessOnTop,
    }];
    assert_rejected(&p, &honest, &with_values(&honest, &[(out, 0)]), &forge, "relu(5) = 0");
}

#[test]
fn max_plonky2_rejects_x_plus_p_alias_of_the_smaller_operand() {
    // max(5, -3) = -3: the checked 2·out - a - b = -8 is decomposed as p - 8.
    let mut b = ProgramBuilder::default();
    let a = b.input(5);
    let c = b.input(-3);
    let (out, arg) = b.def(|out| Argument::Max {
        out,
        a,
        b: Some(c),
        bits: 20,
    });
    b.public(out);
    let (p, honest) = b.finish();
    let forge = [Forge {
        arg,
        u: None,
        limbs: Limbs::ExcessOnTop,
    }];
    assert_rejected(
        &p,
        &honest,
        &with_values(&honest, &[(out, -3)]),
        &forge,
        "max(5, -3) = -3",
    );
}

#[test]
fn max_plonky2_rejects_output_equal_to_neither_operand() {
    // max(5, -3) = 7: the checked 2·7 - 5 + 3 = 12 is in range (honest limbs); only the
    // selection (out - a)·(out - b) = 0 fails.
    let mut b = ProgramBuilder::default();
    let a = b.input(5);
    let c = b.input(-3);
    let (out, _) = b.def(|out| Argument::Max {
        out,
        a,
        b: Some(c),
        bits: 20,
    });
    b.public(out);
    let (p, honest) = b.finish();
    assert_rejected(&p, &honest, &with_values(&honest, &[(out, 7)]), &[], "max(5, -3) = 7");

    // relu(-2) = 3: 2·3 + 2 = 8 in range, 3·5 ≠ 0.
    let mut b = ProgramBuilder::default();
    let a = b.input(-2);
    let (out, _) = b.def(|out| Argument::Max {
        out,
        a,
        b: None,
        bits: 20,
    });
    b.public(out);
    let (p, honest) = b.finish();
    assert_rejected(&p, &honest, &with_values(&honest, &[(out, 3)]), &[], "relu(-2) = 3");
}

// ---------------------------------------------------------------------------------------
// Range

#[test]
fn range_plonky2_rejects_x_plus_p_decomposition() {
    // x = -2^15 - 1 on 16 signed bits: x + 2^15 = -1, decomposed as p - 1.
    let (p, honest, x, arg) = range_program(16);
    let forge = [Forge {
        arg,
        u: None,
        limbs: Limbs::ExcessOnTop,
    }];
    let bad = with_values(&honest, &[(x, -(1 << 15) - 1)]);
    assert_rejected(&p, &honest, &bad, &forge, "range x = -2^15 - 1 as x + p");
}

#[test]
fn range_plonky2_rejects_limb_equal_to_base_with_next_limb_lower() {
    // x = 2^15 on 16 signed bits: x + 2^15 = 4^8. Canonically the top limb (4^7) would be
    // 4; forged: limb 6 = 4 (the base) and limb 7 = 3, one lower.
    let (p, honest, x, arg) = range_program(16);
    let bad = with_values(&honest, &[(x, 1 << 15)]);
    let mut limbs = vec![F::ZERO; 8];
    limbs[7] = int(4);
    let canonical = [Forge {
        arg,
        u: None,
        limbs: Limbs::Given(limbs.clone()),
    }];
    assert_rejected(&p, &honest, &bad, &canonical, "range x = 2^15, top limb 4");
    limbs[7] = int(3);
    limbs[6] = int(4);
    let forge = [Forge {
        arg,
        u: None,
        limbs: Limbs::Given(limbs),
    }];
    assert_rejected(&p, &honest, &bad, &forge, "range x = 2^15, limb 6 = 4");
}

// ---------------------------------------------------------------------------------------
// Rescale

#[test]
fn rescale_plonky2_rejects_remainder_equal_to_2k() {
    // x = 3·2^12 - 2^11: q = 3, r = 0. Forged q = 2, r = 2^12 = 4^6: top limb 4, or limb 4
    // equal to the base and the top limb 3.
    let (p, honest, q, r, arg) = rescale_program(3 * 4096 - 2048);
    assert_eq!((honest.get(q), honest.get(r)), (3, 0));
    let bad = with_values(&honest, &[(q, 2), (r, 4096)]);
    let mut limbs = vec![F::ZERO; 6];
    limbs[5] = int(4);
    let canonical = [Forge {
        arg,
        u: Some(r),
        limbs: Limbs::Given(limbs.clone()),
    }];
    assert_rejected(&p, &honest, &bad, &canonical, "rescale r = 2^k, top limb 4");
    limbs[5] = int(3);
    limbs[4] = int(4);
    let forge = [Forge {
        arg,
        u: Some(r),
        limbs: Limbs::Given(limbs),
    }];
    assert_rejected(&p, &honest, &bad, &forge, "rescale r = 2^k, limb 4 = 4");
}

#[test]
fn rescale_plonky2_rejects_negative_remainder_x_plus_p() {
    // x + 2^11 = 2^12·3 + 4095: forged q = 4, r = -1, decomposed as p - 1.
    let (p, honest, q, r, arg) = rescale_program(3 * 4096 + 4095 - 2048);
    let bad = with_values(&honest, &[(q, 4), (r, -1)]);
    let forge = [Forge {
        arg,
        u: Some(r),
        limbs: Limbs::ExcessOnTop,
    }];
    assert_rejected(&p, &honest, &bad, &forge, "rescale r = -1 as p - 1");
}

// ---------------------------------------------------------------------------------------
// Div

#[test]
fn div_plonky2_rejects_remainder_equal_to_divisor() {
    // 30 = 6·5 = 5·5 + 5: r = d, so the checked d - 1 - r = -1 is decomposed as p - 1.
    let (p, honest, [_, d, q, r], arg) = div_program(30, 5);
    let bad = with_values(&honest, &[(q, 5), (r, 5)]);
    let forge = [Forge {
        arg,
        u: Some(d),
        limbs: Limbs::ExcessOnTop,
    }];
    assert_rejected(&p, &honest, &bad, &forge, "div r = d");
}

#[test]
fn div_plonky2_rejects_negative_remainder_x_plus_p() {
    // 29 = 5·5 + 4 = 6·5 - 1: r = -1 decomposed as p - 1.
    let (p, honest, [_, _, q, r], arg) = div_program(29, 5);
    let bad = with_values(&honest, &[(q, 6), (r, -1)]);
    let forge = [Forge {
        arg,
        u: Some(r),
        limbs: Limbs::ExcessOnTop,
    }];
    assert_rejected(&p, &honest, &bad, &forge, "div r = -1 as p - 1");
}

// ---------------------------------------------------------------------------------------
// Lookup

#[test]
fn lookup_plonky2_rejects_input_outside_table_domain() {
    // Table lo = -2, values [5, 7, 6, 5]; the circuit looks up (x - lo, y - min) in the table
    // of pairs (0..4, ·): x = -3 gives p - 1, x = 2 gives 4, neither a table input.
    //
    // Limitation: plonky2's prover computes the lookup multiplicities itself
    // (`set_lookup_wires`, inside `prove_with_partition_witness`) and panics on an input that
    // is not in the table, so this forgery stops there, before the logUp argument (whose
    // sum Σ 1/(α - x) = Σ mᵢ/(α - tᵢ) no multiplicities can balance for an x outside the
    // table) is committed. A prover that skipped that step would have to beat logUp.
    let mut b = ProgramBuilder::default();
    b.p.tables.push(Table {
        name: "edge".into(),
        lo: -2,
        values: vec![5, 7, 6, 5],
    });
    let x = b.input(0);
    let (y, _) = b.def(|y| Argument::Lookup { x, y, table: 0 });
    b.public(y);
    let (p, honest) = b.finish();
    for (xv, yv) in [(-3, 5), (2, 5), (-3, 7), (2, 6)] {
        let bad = with_values(&honest, &[(x, xv), (y, yv)]);
        assert_rejected(&p, &honest, &bad, &[], &format!("lookup x = {xv}, y = {yv}"));
    }
}

// ---------------------------------------------------------------------------------------
// Hash

#[test]
fn hash_plonky2_rejects_a_changed_hashed_value_under_the_committed_digest() {
    // Two hashed weights (unpacked, see the module docs), their digest public, and a model
    // output that uses them. Changing one weight while keeping the committed digest gives no
    // proof; the honest proof for the changed weight carries another digest, so a verifier
    // holding the committed one rejects it.
    let build = |w0: i128| {
        let mut b = ProgramBuilder::default();
        let w = [b.input(w0), b.input(-2)];
        let digest = [b.var(), b.var(), b.var(), b.var()];
        b.push(Argument::Hash {
            inputs: w.to_vec(),
            digest,
            kind: HashKind::PoseidonGoldilocks,
        });
        for x in digest {
            b.public(x);
        }
        let (y, _) = b.def(|out| Argument::Linear {
            out,
            terms: vec![(1, w[0]), (1, w[1])],
            constant: 0,
        });
        b.public(y);
        let (p, t) = b.finish();
        (p, t, w, digest, y)
    };
    let (p, honest, w, digest, y) = build(3);
    assert_eq!(
        digest.map(|d| honest.get(d)),
        zkc_runtime::poseidon::params_hash(HashKind::PoseidonGoldilocks, &[3, -2]),
        "the digest is params_hash of the unpacked values"
    );
    // One weight changed, the committed digest kept (every equation but the hash holds).
    for (w0, what) in [(4, "w0 + 1"), (3 + (1 << 3), "w0 + 2^3")] {
        let bad = with_values(&honest, &[(w[0], w0), (y, w0 - 2)]);
        assert_rejected(
            &p,
            &honest,
            &bad,
            &[],
            &format!("hash: {what} under the committed digest"),
        );
    }
    // The honest proof of the changed weight: its public digest differs from the committed one.
    let (p2, other, ..) = build(4);
    assert_eq!(p2, p, "the same circuit");
    assert_ne!(digest.map(|d| other.get(d)), digest.map(|d| honest.get(d)));
    let c = Circuit::build(&p, false).unwrap();
    let proof = c
        .data
        .prove(witness(&c, &other, &[]))
        .expect("the changed weight proves honestly");
    let committed: Vec<F> = honest.public_values(&p).iter().map(|&v| to_field(v)).collect();
    assert_ne!(proof.public_inputs, committed);
    assert!(c.data.verify(proof.clone()).is_ok());
    let mut claimed = proof;
    claimed.public_inputs = committed;
    assert!(
        c.data.verify(claimed).is_err(),
        "a proof for another weight verified under the committed digest"
    );
}
