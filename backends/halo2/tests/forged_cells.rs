//! Forged witnesses below the trace: a malicious prover does not run zkc's witness filler, it
//! writes whatever advice cells make the equations it wants to cheat hold. These tests take
//! the advice columns [`witness::advice_columns`] gives for a (possibly dishonest) trace, edit
//! individual cells with field-level values — the running sum of a range check rewritten as
//! the decomposition of `x + p`, a limb pushed to the limb base — and run the grid both under
//! the MockProver ([`mock::run`], and halo2's own failure list to see *which* constraint
//! fails) and through a real proof (`create_proof_from_advice` with a seeded key), which must
//! not verify.
//!
//! Every forgery keeps the gate equations (`F1`, `F2`) and the copy constraints satisfied, so
//! the failure list names exactly the bound that stops it: a range lookup at the forged limb,
//! the pair lookup of a table, or (for a Max output equal to neither operand) the product gate.
//! Every case first runs the same harness on the honest values and checks that the mock
//! passes and the proof verifies, so a rejection is due to the forgery.
//!
//! halo2-axiom's prover does not check the witness: it commits to the forged columns (for a
//! lookup whose input is not in the table it builds permuted columns that cannot satisfy the
//! lookup argument), and the verifier rejects the proof. Should the prover fail or panic
//! instead, the harness reports "prover refuses", which counts as a rejection too.

use std::panic::{catch_unwind, AssertUnwindSafe};

use halo2_proofs::dev::{FailureLocation, MockProver, VerifyFailure};
use halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_proofs::plonk::{create_proof_from_advice, ProvingKey};
use halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_proofs::poly::kzg::multiopen::ProverSHPLONK;
use halo2_proofs::transcript::{Blake2bWrite, Challenge255, TranscriptWriterBuffer};
use rand_chacha::rand_core::SeedableRng;
use zkc_backend_halo2::circuit::ZkcCircuit;
use zkc_backend_halo2::field::{fr, pow2};
use zkc_backend_halo2::plan::{Plan, Src, Val};
use zkc_backend_halo2::{keys, layout, mock, witness, Halo2};
use zkc_runtime::testing::{div_program, range_program, rescale_program, with_values, ProgramBuilder};
use zkc_runtime::{Argument, Backend, HashKind, Keys, Program, Table, Trace, Var};

// ---------------------------------------------------------------------------------------
// The harness

/// A program laid out, with seeded keys.
struct Setup {
    program: Program,
    k: u32,
    plan: Plan,
    keys: Keys,
    params: ParamsKZG<Bn256>,
    pk: ProvingKey<G1Affine>,
    /// Whether the honest grid has been proved (once per setup is enough).
    honest_proved: std::cell::Cell<bool>,
}

fn setup(program: &Program) -> Setup {
    let (k, plan) = layout::plan_program(program).expect("the program lays out");
    let keys = Halo2::new()
        .setup_with_seed(program, b"zkc forged-cells tests")
        .expect("setup");
    let h = keys::Header {
        k,
        shape: plan.shape,
        program_hash: program.hash(),
    };
    let (params, pk) = keys::read_pk(&keys.proving_key, &h).expect("the key reads back");
    Setup {
        program: program.clone(),
        k,
        plan,
        keys,
        params,
        pk,
        honest_proved: std::cell::Cell::new(false),
    }
}

/// Advice columns (as a malicious prover may edit them) and the claimed public values.
#[derive(Clone)]
struct Grid {
    cols: Vec<Vec<Fr>>,
    public: Vec<i128>,
}

impl Setup {
    /// What zkc's filler writes for `trace` (honest or not).
    fn grid(&self, trace: &Trace) -> Grid {
        Grid {
            cols: witness::advice_columns(&self.plan, &self.program, trace, 1 << self.k),
            public: trace.public_values(&self.program),
        }
    }

    /// halo2's MockProver failures, each as `lookup <name> row <r>`, `gate <name> row <r>`,
    /// `copy ...` or another failure's text.
    fn failures(&self, g: &Grid) -> Vec<String> {
        let circuit = ZkcCircuit {
            plan: &self.plan,
            witness: Some(&g.cols),
        };
        let prover = MockProver::run(self.k, &circuit, vec![keys::instance(&g.public)]).expect("mock prover runs");
        let row = |l: &FailureLocation| match l {
            FailureLocation::InRegion { offset, .. } => *offset,
            FailureLocation::OutsideRegion { row } => *row,
        };
        let mut out: Vec<String> = match prover.verify() {
            Ok(()) => Vec::new(),
            Err(fs) => fs
                .iter()
                .map(|f| match f {
                    VerifyFailure::Lookup { name, location, .. } => format!("lookup {name} row {}", row(location)),
                    VerifyFailure::ConstraintNotSatisfied {
                        constraint, location, ..
                    } => {
                        let text = constraint.to_string();
                        let name = text.split('\'').nth(1).unwrap_or(&text).to_string();
                        format!("gate {name} row {}", row(location))
                    }
                    VerifyFailure::Permutation { column, location } => {
                        format!("copy {column:?} row {}", row(location))
                    }
                    other => other.to_string(),
                })
                .collect(),
        };
        out.sort();
        out.dedup();
        out
    }

    /// `zkc mock`'s verdict on the grid.
    fn mock(&self, g: &Grid) -> Result<(), String> {
        mock::run(&self.program, self.k, &self.plan, &g.cols, keys::instance(&g.public)).map_err(|e| e.to_string())
    }

    /// A real proof of the grid, verified against `public`.
    fn prove_and_verify(&self, g: &Grid, public: &[i128]) -> Outcome {
        let instance = keys::instance(&g.public);
        let cols = g.cols.clone();
        let proof = catch_unwind(AssertUnwindSafe(|| {
            let mut transcript = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(Vec::new());
            create_proof_from_advice::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _>(
                &self.params,
                &self.pk,
                &[&instance[..]],
                cols,
                rand_chacha::ChaCha20Rng::seed_from_u64(7),
                &mut transcript,
            )
            .map(|()| transcript.finalize())
        }));
        match proof {
            Err(_) => Outcome::ProverRefused("the halo2 prover panicked".into()),
            Ok(Err(e)) => Outcome::ProverRefused(format!("{e:?}")),
            Ok(Ok(proof)) => match Halo2::new().verify(&self.program, &self.keys.verifying_key, public, &proof) {
                Ok(()) => Outcome::Verified,
                Err(e) => Outcome::Rejected(e.to_string()),
            },
        }
    }

    /// The honest grid passes the mock and proves; `forged` fails the mock with exactly the
    /// failures `expect` (halo2's names and rows) and gives no proof that verifies, against
    /// its own public values or the honest ones.
    fn assert_rejected(&self, honest: &Grid, forged: &Grid, expect: &[String], what: &str) {
        assert_eq!(self.failures(honest), Vec::<String>::new(), "{what}: honest grid");
        self.mock(honest)
            .unwrap_or_else(|e| panic!("{what}: the honest grid fails the mock: {e}"));
        if !self.honest_proved.replace(true) {
            assert_eq!(
                self.prove_and_verify(honest, &honest.public),
                Outcome::Verified,
                "{what}: the honest grid does not prove"
            );
        }
        let failures = self.failures(forged);
        assert_eq!(failures, expect, "{what}: the failures of the forged grid");
        let err = self.mock(forged).expect_err(what);
        eprintln!("{what}: mock: {err}");
        for public in [&forged.public, &honest.public] {
            let outcome = self.prove_and_verify(forged, public);
            eprintln!("{what}: proof against {public:?}: {outcome:?}");
            assert_ne!(
                outcome,
                Outcome::Verified,
                "{what}: a forged grid gave a verifying proof"
            );
        }
    }

    /// The range check of argument `arg` whose first cell holds `z0`.
    fn lane(&self, arg: usize, z0: impl Fn(&Src) -> bool) -> Lane {
        let sh = self.plan.shape;
        let mut found = Vec::new();
        for i in 0..sh.lanes {
            let col = sh.lane_col(i);
            let cells = &self.plan.advice[col];
            for row in 0..cells.len() {
                if self.plan.owner[col][row] != arg as u32 || !z0(&cells[row]) {
                    continue;
                }
                let mut rows = vec![row];
                while let Some(Src::Shift(..)) = cells.get(rows.len() + row) {
                    rows.push(row + rows.len());
                }
                found.push(Lane { lane: i, col, rows });
            }
        }
        assert_eq!(found.len(), 1, "argument {arg}: one range check with that first cell");
        found.pop().expect("one")
    }

    /// The range check of argument `arg` on variable `v`.
    fn lane_of_var(&self, arg: usize, v: Var) -> Lane {
        self.lane(arg, |s| *s == Src::Var(v.0))
    }

    /// The range check of argument `arg` on the difference `a - b + c`.
    fn lane_of_diff(&self, arg: usize, a: Var, b: Option<Var>, c: i128) -> Lane {
        let vals = &self.plan.vals;
        self.lane(arg, |s| match *s {
            Src::Val(i) => matches!(vals[i as usize], Val::Diff { a: x, b: y, c: z }
                if x == a.0 && y == b.map(|b| b.0) && z == c),
            _ => false,
        })
    }

    fn limb_bits(&self) -> u32 {
        self.plan.shape.limb_bits
    }
}

/// The prover's fate on a grid.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Verified,
    ProverRefused(String),
    Rejected(String),
}

/// A range check's running sum: lane `lane` (advice column `col`), rows `z₀ … z_{m-1}`.
/// Row `i < m-1` looks up the limb `zᵢ - 2^L·zᵢ₊₁`, the last row `z_{m-1}` itself.
#[derive(Debug)]
struct Lane {
    lane: usize,
    col: usize,
    rows: Vec<usize>,
}

impl Lane {
    fn fail(&self, i: usize) -> String {
        format!("lookup zkc:lane={} row {}", self.lane, self.rows[i])
    }
    fn top(&self) -> String {
        self.fail(self.rows.len() - 1)
    }
    fn limbs(&self) -> usize {
        self.rows.len()
    }
}

impl Grid {
    fn get(&self, lane: &Lane, i: usize) -> Fr {
        self.cols[lane.col][lane.rows[i]]
    }
    fn set(&mut self, lane: &Lane, i: usize, v: Fr) {
        self.cols[lane.col][lane.rows[i]] = v;
    }
    /// Rewrites `z₁ … z_{m-1}` as the base-2^L decomposition of the canonical integer of
    /// `z₀` (for a negative value `v` that integer is `v + p`): every limb but the top one
    /// lies in `[0, 2^L)`, and the top running sum is what is left of a 254-bit number.
    fn decompose_as_canonical(&mut self, lane: &Lane, l: u32) {
        let inv = pow2(l).invert().unwrap();
        for i in 1..lane.limbs() {
            let z = self.get(lane, i - 1);
            let low = fr(low_bits(z, l) as i128);
            self.set(lane, i, (z - low) * inv);
        }
    }
    /// Limb `i` set to its value plus the limb base 2^L, the next limb one lower: `zᵢ₊₁ -= 1`
    /// (every other running sum unchanged, so the recombination still holds).
    fn limb_plus_base(&mut self, lane: &Lane, i: usize) {
        let z = self.get(lane, i + 1);
        self.set(lane, i + 1, z - Fr::ONE);
    }
}

/// The low `l ≤ 64` bits of `z`'s canonical integer.
fn low_bits(z: Fr, l: u32) -> u64 {
    let repr = z.to_repr();
    let low = u64::from_le_bytes(repr.as_ref()[..8].try_into().expect("8 bytes"));
    if l >= 64 {
        low
    } else {
        low & ((1u64 << l) - 1)
    }
}

// ---------------------------------------------------------------------------------------
// Max

#[test]
fn max_halo2_rejects_relu_alias_x_plus_p() {
    // ReLU(5) = 0: out·(out - a) = 0 holds, and d = out - a = -5 is p - 5 in the field;
    // its running sum is the decomposition of the integer p - 5.
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
    let s = setup(&p);
    let lane = s.lane_of_diff(arg, out, Some(a), 0);
    assert!(lane.limbs() >= 2, "a multi-limb check (L = {})", s.limb_bits());
    let mut forged = s.grid(&with_values(&honest, &[(out, 0)]));
    forged.decompose_as_canonical(&lane, s.limb_bits());
    assert_eq!(forged.get(&lane, 0), -fr(5));
    s.assert_rejected(&s.grid(&honest), &forged, &[lane.top()], "relu(5) = 0, d = p - 5");
}

#[test]
fn max_halo2_rejects_x_plus_p_alias_of_the_smaller_operand() {
    // max(5, -3) = -3: (out - a)·(out - b) = 0 holds, and d₁ = out - a = -8 is decomposed as
    // p - 8.
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
    let s = setup(&p);
    let lane = s.lane_of_diff(arg, out, Some(a), 0);
    let mut forged = s.grid(&with_values(&honest, &[(out, -3)]));
    forged.decompose_as_canonical(&lane, s.limb_bits());
    s.assert_rejected(&s.grid(&honest), &forged, &[lane.top()], "max(5, -3) = -3");
}

#[test]
fn max_halo2_rejects_output_equal_to_neither_operand() {
    // max(5, -3) = 7: both differences (2 and 10) are in range and decompose canonically;
    // only the product gate (out - a)·(out - b) = 0 can fail.
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
    let s = setup(&p);
    let forged = s.grid(&with_values(&honest, &[(out, 7)]));
    let f = s.failures(&forged);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].starts_with("gate zkc:slot=") && f[0].contains(":F2"), "{f:?}");
    s.assert_rejected(&s.grid(&honest), &forged, &f, "max(5, -3) = 7");

    // relu(-2) = 3: d = 5 and out = 3 in range; out·d = 15 ≠ 0.
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
    let s = setup(&p);
    let forged = s.grid(&with_values(&honest, &[(out, 3)]));
    let f = s.failures(&forged);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].starts_with("gate zkc:slot=") && f[0].contains(":F2"), "{f:?}");
    s.assert_rejected(&s.grid(&honest), &forged, &f, "relu(-2) = 3");
}

// ---------------------------------------------------------------------------------------
// Range

#[test]
fn range_halo2_rejects_x_plus_p_decomposition() {
    // x = -2^15 - 1 on 16 signed bits, its running sum the decomposition of x + p.
    let (p, honest, x, arg) = range_program(16);
    let s = setup(&p);
    let lane = s.lane_of_var(arg, x);
    assert!(lane.limbs() >= 2);
    let mut forged = s.grid(&with_values(&honest, &[(x, -(1 << 15) - 1)]));
    forged.decompose_as_canonical(&lane, s.limb_bits());
    s.assert_rejected(&s.grid(&honest), &forged, &[lane.top()], "range x = -2^15 - 1 as x + p");
}

#[test]
fn range_halo2_rejects_limb_equal_to_base() {
    // x = 2^15 on 16 signed bits: its canonical top limb 2^(top-1) is out of the signed top
    // range; the forgery lowers the top limb by one and sets the limb below it to 2^L.
    let (p, honest, x, arg) = range_program(16);
    let s = setup(&p);
    let lane = s.lane_of_var(arg, x);
    let m = lane.limbs();
    assert!(m >= 2);
    let canonical = s.grid(&with_values(&honest, &[(x, 1 << 15)]));
    let mut forged = canonical.clone();
    forged.limb_plus_base(&lane, m - 2);
    s.assert_rejected(
        &s.grid(&honest),
        &canonical,
        &[lane.top()],
        "range x = 2^15, canonical limbs",
    );
    s.assert_rejected(
        &s.grid(&honest),
        &forged,
        &[lane.fail(m - 2)],
        "range x = 2^15, limb = 2^L",
    );
}

// ---------------------------------------------------------------------------------------
// Rescale

#[test]
fn rescale_halo2_rejects_remainder_equal_to_2k() {
    // x = 3·2^12 - 2^11: q = 3, r = 0. Forged q = 2, r = 2^12; x + 2^11 = 2^12·q + r holds.
    let (p, honest, q, r, arg) = rescale_program(3 * 4096 - 2048);
    assert_eq!((honest.get(q), honest.get(r)), (3, 0));
    let s = setup(&p);
    let lane = s.lane_of_var(arg, r);
    let m = lane.limbs();
    assert!(m >= 2);
    let canonical = s.grid(&with_values(&honest, &[(q, 2), (r, 4096)]));
    s.assert_rejected(&s.grid(&honest), &canonical, &[lane.top()], "rescale r = 2^k");
}

#[test]
fn rescale_halo2_rejects_limb_equal_to_base() {
    // The same r = 2^12 with its top limb lowered and the limb below it set to 2^L: every
    // limb but that one in range.
    let (p, honest, q, r, arg) = rescale_program(3 * 4096 - 2048);
    let s = setup(&p);
    let lane = s.lane_of_var(arg, r);
    let m = lane.limbs();
    let mut forged = s.grid(&with_values(&honest, &[(q, 2), (r, 4096)]));
    forged.limb_plus_base(&lane, m - 2);
    s.assert_rejected(
        &s.grid(&honest),
        &forged,
        &[lane.fail(m - 2)],
        "rescale r = 2^k, limb = 2^L",
    );
}

#[test]
fn rescale_halo2_rejects_negative_remainder_x_plus_p() {
    // x + 2^11 = 2^12·3 + 4095: forged q = 4, r = -1, decomposed as p - 1.
    let (p, honest, q, r, arg) = rescale_program(3 * 4096 + 4095 - 2048);
    assert_eq!((honest.get(q), honest.get(r)), (3, 4095));
    let s = setup(&p);
    let lane = s.lane_of_var(arg, r);
    let mut forged = s.grid(&with_values(&honest, &[(q, 4), (r, -1)]));
    forged.decompose_as_canonical(&lane, s.limb_bits());
    s.assert_rejected(&s.grid(&honest), &forged, &[lane.top()], "rescale r = -1 as p - 1");
}

// ---------------------------------------------------------------------------------------
// Div

#[test]
fn div_halo2_rejects_remainder_equal_to_divisor() {
    // 30 = 6·5 + 0 = 5·5 + 5: r = d, so e = d - 1 - r = -1, decomposed as p - 1.
    let (p, honest, [_, d, q, r], arg) = div_program(30, 5);
    let s = setup(&p);
    let lane = s.lane_of_diff(arg, d, Some(r), -1);
    assert!(lane.limbs() >= 2);
    let mut forged = s.grid(&with_values(&honest, &[(q, 5), (r, 5)]));
    forged.decompose_as_canonical(&lane, s.limb_bits());
    assert_eq!(forged.get(&lane, 0), -Fr::ONE);
    s.assert_rejected(&s.grid(&honest), &forged, &[lane.top()], "div r = d");
}

#[test]
fn div_halo2_rejects_negative_remainder_x_plus_p() {
    // 29 = 5·5 + 4 = 6·5 - 1: r = -1 decomposed as p - 1 (e = 5 in range).
    let (p, honest, [_, _, q, r], arg) = div_program(29, 5);
    let s = setup(&p);
    let lane = s.lane_of_var(arg, r);
    let mut forged = s.grid(&with_values(&honest, &[(q, 6), (r, -1)]));
    forged.decompose_as_canonical(&lane, s.limb_bits());
    s.assert_rejected(&s.grid(&honest), &forged, &[lane.top()], "div r = -1 as p - 1");
}

// ---------------------------------------------------------------------------------------
// Lookup

#[test]
fn lookup_halo2_rejects_input_outside_table_domain() {
    // Table lo = -2, values [5, 7, 6, 5]: inputs -3 and 2 are outside it, whatever y is.
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
    let s = setup(&p);
    let plan = &s.plan;
    let pair_row = (0..plan.shape.pairs)
        .flat_map(|pi| {
            let col = plan.shape.pair_col(pi);
            (0..plan.advice[col].len())
                .filter(move |&r| plan.advice[col][r] == Src::Var(x.0))
                .map(move |r| (pi, r))
        })
        .collect::<Vec<_>>();
    assert_eq!(pair_row.len(), 1);
    let (pi, row) = pair_row[0];
    let expect = [format!("lookup zkc:pair={pi} row {row}")];
    for (xv, yv) in [(-3, 5), (2, 5), (-3, 0), (2, 0), (-2 + (1 << 20), 5)] {
        let forged = s.grid(&with_values(&honest, &[(x, xv), (y, yv)]));
        s.assert_rejected(
            &s.grid(&honest),
            &forged,
            &expect,
            &format!("lookup x = {xv}, y = {yv}"),
        );
    }
}

// ---------------------------------------------------------------------------------------
// Hash (packed parameters)

#[test]
fn hash_halo2_rejects_packed_word_carrying_between_weights() {
    // Hashed parameters over BN254 are packed: W = Σ (wᵢ + 2^(b-1))·2^(b·i), hashed behind
    // N and b (runtime `pack_params`, lowering `pack_params`). Forging w₀ += 2^b, w₁ -= 1
    // leaves W, and so the digest, unchanged; only the Range on each weight stops it.
    let weights = [3i128, -2];
    let (bw, per_word) = zkc_runtime::poseidon::pack_layout(&weights);
    assert!(per_word >= 2);
    let half = 1i128 << (bw - 1);
    let mut b = ProgramBuilder::default();
    let w: Vec<Var> = weights.iter().map(|&v| b.input(v)).collect();
    let ranges: Vec<usize> = w.iter().map(|&x| b.push(Argument::Range { x, bits: bw })).collect();
    let (n, _) = b.def(|out| Argument::Linear {
        out,
        terms: vec![],
        constant: weights.len() as i128,
    });
    let (bb, _) = b.def(|out| Argument::Linear {
        out,
        terms: vec![],
        constant: bw as i128,
    });
    let (word, _) = b.def(|out| Argument::Linear {
        out,
        terms: vec![(1, w[0]), (1 << bw, w[1])],
        constant: half + (half << bw),
    });
    let digest = [b.var(), b.var(), b.var(), b.var()];
    b.push(Argument::Hash {
        inputs: vec![n, bb, word],
        digest,
        kind: HashKind::PoseidonBn254,
    });
    for x in digest {
        b.public(x);
    }
    // What the model computes with the weights (the forgery changes it).
    let (y, _) = b.def(|out| Argument::Linear {
        out,
        terms: vec![(1, w[0]), (1, w[1])],
        constant: 0,
    });
    b.public(y);
    let (p, honest) = b.finish();
    assert_eq!(
        digest.map(|d| honest.get(d)),
        zkc_runtime::poseidon::params_hash(HashKind::PoseidonBn254, &weights),
        "the program hashes exactly what pack_params defines"
    );
    let forged_trace = with_values(&honest, &[(w[0], weights[0] + (1 << bw)), (w[1], weights[1] - 1)]);
    let forged_trace = solve_linear(&p, forged_trace);
    assert_eq!(forged_trace.get(word), honest.get(word), "the packed word is unchanged");
    assert_ne!(forged_trace.get(y), honest.get(y));
    let s = setup(&p);
    let lane = s.lane_of_var(ranges[0], w[0]);
    let forged = s.grid(&forged_trace);
    let f = s.failures(&forged);
    assert!(
        !f.is_empty()
            && f.iter()
                .all(|x| x.starts_with(&format!("lookup zkc:lane={} ", lane.lane))),
        "{f:?}"
    );
    s.assert_rejected(&s.grid(&honest), &forged, &f, "w0 += 2^b, w1 -= 1");
}

/// Recomputes the Linear outputs of `t` from their terms (the forged weights feed them).
fn solve_linear(p: &Program, mut t: Trace) -> Trace {
    for (a, _) in &p.arguments {
        if let Argument::Linear { out, terms, constant } = a {
            t.values[out.0 as usize] = terms.iter().map(|&(c, v)| c * t.get(v)).sum::<i128>() + constant;
        }
    }
    t
}
