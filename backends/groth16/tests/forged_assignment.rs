//! Forged assignments below the trace: a malicious prover does not use zkc's witness filler,
//! it writes the full R1CS assignment `z` (constant one, instance, witness) with whatever
//! field elements make the equations it wants to cheat hold. These tests lower a program with
//! [`r1cs::lower`] (for a possibly dishonest trace), then edit the bit witnesses of one
//! decomposition directly — the bits of `x + p` with the excess in the top "bit", a bit set to
//! the base 2 with the next bit one lower, non-boolean lookup selectors — so that every sum and
//! product row holds and only the booleanity (or exclusion) rows stand in the way. They check
//! which rows fail (`A·z ∘ B·z ≠ C·z`), and that a proof made from the edited assignment with
//! [`prover::prove`] and a seeded key does not verify.
//!
//! Every case first runs the same harness on the honest assignment and checks that no row
//! fails and the proof verifies, so a rejection is due to the forgery.

use ark_bn254::Fr;
use ark_ff::{BigInteger, Field, One, PrimeField, Zero};
use rand_chacha::rand_core::SeedableRng;
use zkc_backend_groth16::field::{fr, pow2};
use zkc_backend_groth16::keys::{self, Shape};
use zkc_backend_groth16::r1cs::{lower, Lc, R1cs, ONE};
use zkc_backend_groth16::{prover, Groth16};
use zkc_runtime::testing::{div_program, range_program, rescale_program, with_values, ProgramBuilder};
use zkc_runtime::{Argument, Backend, HashKind, Keys, Program, Table, Trace, Var};

// ---------------------------------------------------------------------------------------
// The harness

fn eval(lc: &Lc, z: &[Fr]) -> Fr {
    lc.iter().fold(Fr::zero(), |acc, &(c, i)| acc + c * z[i])
}

/// A program's R1CS rows and seeded keys.
struct Setup {
    program: Program,
    rows: R1cs,
    keys: Keys,
}

fn setup(program: &Program, honest: &Trace) -> Setup {
    let rows = lower(program, Some(honest), true).expect("the program lowers");
    let keys = Groth16
        .setup_with_seed(program, b"zkc forged-assignment tests")
        .expect("setup");
    Setup {
        program: program.clone(),
        rows,
        keys,
    }
}

/// An assignment (as a malicious prover may edit it) and the public values it claims.
#[derive(Clone)]
struct Assignment {
    z: Vec<Fr>,
    public: Vec<i128>,
}

impl Setup {
    /// The assignment zkc's lowering computes for `trace` (honest or not).
    fn assign(&self, trace: &Trace) -> Assignment {
        let r = lower(&self.program, Some(trace), true).expect("the program lowers");
        Assignment {
            z: r.z,
            public: trace.public_values(&self.program),
        }
    }

    /// Whether row `k` is the booleanity row `w·(1 - w) = 0` of some witness `w`.
    fn boolean_of(&self, k: usize) -> Option<usize> {
        let r = &self.rows;
        match (&r.a[k][..], &r.b[k][..], r.c[k].is_empty()) {
            ([(c, w)], [(o, ONE), (m, w2)], true) if c.is_one() && o.is_one() && *m == -Fr::one() && w == w2 => {
                Some(*w)
            }
            _ => None,
        }
    }

    /// The boolean witnesses of argument `arg`, in allocation order.
    fn bits(&self, arg: usize) -> Vec<usize> {
        (0..self.rows.num_constraints)
            .filter(|&k| self.rows.row_arg[k] == arg as u32)
            .filter_map(|k| self.boolean_of(k))
            .collect()
    }

    /// The rows `a` violates, each named `bool w<i>` (booleanity of witness `i`) or
    /// `arg <j> row <k>` (the `k`-th row of argument `j`).
    fn failing(&self, a: &Assignment) -> Vec<String> {
        let r = &self.rows;
        (0..r.num_constraints)
            .filter(|&k| eval(&r.a[k], &a.z) * eval(&r.b[k], &a.z) != eval(&r.c[k], &a.z))
            .map(|k| match self.boolean_of(k) {
                Some(w) => format!("bool w{w}"),
                None => {
                    let arg = r.row_arg[k];
                    let first = r.row_arg.iter().position(|&x| x == arg).expect("row of arg");
                    format!("arg {arg} row {}", k - first)
                }
            })
            .collect()
    }

    /// A real proof from the assignment, verified against `public`.
    fn prove_and_verify(&self, a: &Assignment, public: &[i128]) -> Result<(), String> {
        let r = lower(&self.program, None, true).expect("the program lowers");
        let sh = Shape {
            constraints: r.num_constraints as u64,
            instance: r.num_instance as u64,
            witness: r.num_witness as u64,
        };
        let (m, _) = r.into_matrices();
        assert_eq!(a.z.len(), m.num_instance_variables + m.num_witness_variables);
        let pk = keys::read_pk(&self.keys.proving_key, &self.program.hash(), sh).expect("the key reads back");
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let (rr, ss) = (
            <Fr as ark_std::UniformRand>::rand(&mut rng),
            <Fr as ark_std::UniformRand>::rand(&mut rng),
        );
        let proof = prover::prove(&pk, &m, &a.z, rr, ss).map_err(|e| format!("prover: {e}"))?;
        Groth16
            .verify(
                &self.program,
                &self.keys.verifying_key,
                public,
                &keys::write_proof(&proof),
            )
            .map_err(|e| e.to_string())
    }

    /// The honest assignment satisfies every row and proves; `forged` violates exactly the
    /// rows `expect` and gives no proof that verifies, against its own public values or the
    /// honest ones.
    fn assert_rejected(&self, honest: &Assignment, forged: &Assignment, expect: &[String], what: &str) {
        assert_eq!(self.failing(honest), Vec::<String>::new(), "{what}: honest assignment");
        self.prove_and_verify(honest, &honest.public)
            .unwrap_or_else(|e| panic!("{what}: the honest assignment does not prove: {e}"));
        // The instance part of `z` is what the verifier is given.
        let inst: Vec<Fr> = forged.public.iter().map(|&v| fr(v)).collect();
        assert_eq!(
            &forged.z[1..1 + inst.len()],
            &inst[..],
            "{what}: the claimed public values"
        );
        assert_eq!(
            self.failing(forged),
            expect,
            "{what}: the rows the forged assignment violates"
        );
        for public in [&forged.public, &honest.public] {
            let outcome = self.prove_and_verify(forged, public);
            eprintln!("{what}: proof against {public:?}: {outcome:?}");
            assert!(outcome.is_err(), "{what}: a forged assignment gave a verifying proof");
        }
    }
}

impl Assignment {
    /// Sets the bit witnesses `bits` (weights `2^i`) so that `Σ 2^i·bᵢ = target` in the
    /// field: the low `n - 1` bits of `target`'s canonical integer, the rest of it (a field
    /// element, not a bit) in the top one. With `target` the field image of a negative value
    /// that integer is `value + p`: the decomposition of `x + p`.
    fn decompose_with_excess_on_top(&mut self, bits: &[usize], target: Fr) {
        let n = bits.len();
        let big = target.into_bigint();
        let mut low = Fr::zero();
        for (i, &w) in bits[..n - 1].iter().enumerate() {
            let b = if big.get_bit(i) { Fr::one() } else { Fr::zero() };
            self.z[w] = b;
            low += b * pow2(i as u32);
        }
        self.z[bits[n - 1]] = (target - low) * pow2(n as u32 - 1).inverse().expect("invertible");
    }

    fn set(&mut self, w: usize, v: i128) {
        self.z[w] = fr(v);
    }

    fn sum(&self, bits: &[usize]) -> Fr {
        bits.iter()
            .enumerate()
            .fold(Fr::zero(), |acc, (i, &w)| acc + self.z[w] * pow2(i as u32))
    }
}

fn bool_of(w: usize) -> String {
    format!("bool w{w}")
}

// ---------------------------------------------------------------------------------------
// Max

fn relu_program(a: i128, range_first: Option<u32>, bits: u32) -> (Program, Trace, Var, Var, usize, Option<usize>) {
    let mut b = ProgramBuilder::default();
    let a = b.input(a);
    let range = range_first.map(|n| b.push(Argument::Range { x: a, bits: n }));
    let (out, arg) = b.def(|out| Argument::Max { out, a, b: None, bits });
    b.public(out);
    let (p, t) = b.finish();
    (p, t, a, out, arg, range)
}

#[test]
fn max_groth16_rejects_relu_alias_x_plus_p() {
    // ReLU(5) = 0 on the general form: S = 2·out - a = -5 is p - 5 in the field, its bits the
    // low bits of p - 5 and the rest of it in the top one; (out - a)·out = 0 holds.
    let (p, honest, _, out, arg, _) = relu_program(5, None, 20);
    let s = setup(&p, &honest);
    let e = s.bits(arg);
    assert_eq!(e.len(), 20);
    let mut forged = s.assign(&with_values(&honest, &[(out, 0)]));
    forged.decompose_with_excess_on_top(&e, -fr(5));
    assert_eq!(forged.sum(&e), -fr(5));
    s.assert_rejected(&s.assign(&honest), &forged, &[bool_of(e[19])], "relu(5) = 0, S = p - 5");
}

#[test]
fn max_groth16_rejects_relu_alias_on_the_sign_bit() {
    // ReLU of a Range-checked value is `out = s·a` with `s` the top bit of a's decomposition
    // `a + 2^(n-1) = Σ bᵢ·2^i`. ReLU(5) = 0 needs s = 0: 5 + 128 = 133 = 5 + 2·64, i.e. bit 6
    // set to the base 2 with bit 7 (the sign) one lower.
    let (p, honest, _, out, _, range) = relu_program(5, Some(8), 8);
    let s = setup(&p, &honest);
    let bits = s.bits(range.expect("a Range"));
    assert_eq!(bits.len(), 8);
    let mut forged = s.assign(&with_values(&honest, &[(out, 0)]));
    assert_eq!(forged.z[bits[7]], Fr::one(), "the honest sign bit");
    forged.z[bits[7]] = Fr::zero();
    forged.z[bits[6]] = Fr::from(2u64);
    assert_eq!(forged.sum(&bits), fr(133));
    s.assert_rejected(
        &s.assign(&honest),
        &forged,
        &[bool_of(bits[6])],
        "relu(5) = 0, sign bit 0",
    );
}

fn max_program(a: i128, c: i128) -> (Program, Trace, Var, usize) {
    let mut b = ProgramBuilder::default();
    let a = b.input(a);
    let c = b.input(c);
    let (out, arg) = b.def(|out| Argument::Max {
        out,
        a,
        b: Some(c),
        bits: 20,
    });
    b.public(out);
    let (p, t) = b.finish();
    (p, t, out, arg)
}

#[test]
fn max_groth16_rejects_x_plus_p_alias_of_the_smaller_operand() {
    // max(5, -3) = -3: S = 2·out - a - b = -8, decomposed as p - 8; (out - a)·(out - b) = 0.
    let (p, honest, out, arg) = max_program(5, -3);
    let s = setup(&p, &honest);
    let e = s.bits(arg);
    let mut forged = s.assign(&with_values(&honest, &[(out, -3)]));
    forged.decompose_with_excess_on_top(&e, -fr(8));
    s.assert_rejected(&s.assign(&honest), &forged, &[bool_of(e[19])], "max(5, -3) = -3");
}

#[test]
fn max_groth16_rejects_output_equal_to_neither_operand() {
    // max(5, -3) = 7: S = 12 decomposes honestly; only (out - a)·(out - b) = 0 fails (the
    // argument's second row, after the 20 bits and the sum).
    let (p, honest, out, arg) = max_program(5, -3);
    let s = setup(&p, &honest);
    let forged = s.assign(&with_values(&honest, &[(out, 7)]));
    s.assert_rejected(
        &s.assign(&honest),
        &forged,
        &[format!("arg {arg} row 21")],
        "max(5, -3) = 7",
    );

    // relu(-2) = 3 on the general form: S = 8 in range, (3 + 2)·3 ≠ 0.
    let (p, honest, _, out, arg, _) = relu_program(-2, None, 20);
    let s = setup(&p, &honest);
    let forged = s.assign(&with_values(&honest, &[(out, 3)]));
    s.assert_rejected(
        &s.assign(&honest),
        &forged,
        &[format!("arg {arg} row 21")],
        "relu(-2) = 3",
    );

    // relu(-2) = 3 on the sign bit: out = s·a = 0 ≠ 3 (the argument's only row).
    let (p, honest, _, out, arg, _) = relu_program(-2, Some(8), 8);
    let s = setup(&p, &honest);
    let forged = s.assign(&with_values(&honest, &[(out, 3)]));
    s.assert_rejected(
        &s.assign(&honest),
        &forged,
        &[format!("arg {arg} row 0")],
        "relu(-2) = 3, sign bit",
    );
}

// ---------------------------------------------------------------------------------------
// Range

#[test]
fn range_groth16_rejects_x_plus_p_decomposition() {
    // x = -2^15 - 1 on 16 signed bits: x + 2^15 = -1, decomposed as p - 1.
    let (p, honest, x, arg) = range_program(16);
    let s = setup(&p, &honest);
    let bits = s.bits(arg);
    let mut forged = s.assign(&with_values(&honest, &[(x, -(1 << 15) - 1)]));
    forged.decompose_with_excess_on_top(&bits, -Fr::one());
    s.assert_rejected(&s.assign(&honest), &forged, &[bool_of(bits[15])], "range x = -2^15 - 1");
}

#[test]
fn range_groth16_rejects_limb_equal_to_base() {
    // x = 2^15 on 16 signed bits: x + 2^15 = 2^16 = 2^15·1 + 2^14·2: bit 14 set to the base.
    let (p, honest, x, arg) = range_program(16);
    let s = setup(&p, &honest);
    let bits = s.bits(arg);
    let mut forged = s.assign(&with_values(&honest, &[(x, 1 << 15)]));
    for &w in &bits {
        forged.set(w, 0);
    }
    forged.set(bits[15], 1);
    forged.set(bits[14], 2);
    assert_eq!(forged.sum(&bits), fr(1 << 16));
    s.assert_rejected(
        &s.assign(&honest),
        &forged,
        &[bool_of(bits[14])],
        "range x = 2^15, bit = 2",
    );
}

// ---------------------------------------------------------------------------------------
// Rescale

#[test]
fn rescale_groth16_rejects_remainder_equal_to_2k() {
    // x = 3·2^12 - 2^11: q = 3, r = 0. Forged q = 2, r = 2^12 = 2·2^11 (top bit of r = 2).
    let (p, honest, q, r, arg) = rescale_program(3 * 4096 - 2048);
    let s = setup(&p, &honest);
    let rb = s.bits(arg)[..12].to_vec();
    let mut forged = s.assign(&with_values(&honest, &[(q, 2), (r, 4096)]));
    forged.decompose_with_excess_on_top(&rb, fr(4096));
    assert_eq!(forged.z[rb[11]], Fr::from(2u64));
    s.assert_rejected(&s.assign(&honest), &forged, &[bool_of(rb[11])], "rescale r = 2^k");
}

#[test]
fn rescale_groth16_rejects_limb_equal_to_base() {
    // r = 2^12 as 2·2^10 + 1·2^11: bit 10 set to the base, bit 11 one lower than the 2 above.
    let (p, honest, q, r, arg) = rescale_program(3 * 4096 - 2048);
    let s = setup(&p, &honest);
    let rb = s.bits(arg)[..12].to_vec();
    let mut forged = s.assign(&with_values(&honest, &[(q, 2), (r, 4096)]));
    for &w in &rb {
        forged.set(w, 0);
    }
    forged.set(rb[11], 1);
    forged.set(rb[10], 2);
    s.assert_rejected(
        &s.assign(&honest),
        &forged,
        &[bool_of(rb[10])],
        "rescale r = 2^k, bit = 2",
    );
}

#[test]
fn rescale_groth16_rejects_negative_remainder_x_plus_p() {
    // x + 2^11 = 2^12·3 + 4095: forged q = 4, r = -1, r's bits those of p - 1.
    let (p, honest, q, r, arg) = rescale_program(3 * 4096 + 4095 - 2048);
    let s = setup(&p, &honest);
    let rb = s.bits(arg)[..12].to_vec();
    let mut forged = s.assign(&with_values(&honest, &[(q, 4), (r, -1)]));
    forged.decompose_with_excess_on_top(&rb, -Fr::one());
    s.assert_rejected(&s.assign(&honest), &forged, &[bool_of(rb[11])], "rescale r = -1");
}

// ---------------------------------------------------------------------------------------
// Div

#[test]
fn div_groth16_rejects_remainder_equal_to_divisor() {
    // 30 = 6·5 = 5·5 + 5: r = d, so t = d - 1 - r = -1, decomposed as p - 1.
    let (p, honest, [_, _, q, r], arg) = div_program(30, 5);
    let s = setup(&p, &honest);
    let t = s.bits(arg)[16..32].to_vec();
    let mut forged = s.assign(&with_values(&honest, &[(q, 5), (r, 5)]));
    forged.decompose_with_excess_on_top(&t, -Fr::one());
    s.assert_rejected(&s.assign(&honest), &forged, &[bool_of(t[15])], "div r = d");
}

#[test]
fn div_groth16_rejects_negative_remainder_x_plus_p() {
    // 29 = 5·5 + 4 = 6·5 - 1: r = -1, its bits those of p - 1 (t = 5 honest).
    let (p, honest, [_, _, q, r], arg) = div_program(29, 5);
    let s = setup(&p, &honest);
    let rb = s.bits(arg)[..16].to_vec();
    let mut forged = s.assign(&with_values(&honest, &[(q, 6), (r, -1)]));
    forged.decompose_with_excess_on_top(&rb, -Fr::one());
    s.assert_rejected(&s.assign(&honest), &forged, &[bool_of(rb[15])], "div r = -1");
}

// ---------------------------------------------------------------------------------------
// Lookup

#[test]
fn lookup_groth16_rejects_input_outside_table_domain() {
    // Table lo = -2, 4 entries on a 2×3 selector grid (cells 4 and 5 past the end).
    let mut b = ProgramBuilder::default();
    b.p.tables.push(Table {
        name: "edge".into(),
        lo: -2,
        values: vec![5, 7, 6, 5],
    });
    let x = b.input(0);
    let (y, arg) = b.def(|y| Argument::Lookup { x, y, table: 0 });
    b.public(y);
    let (p, honest) = b.finish();
    let s = setup(&p, &honest);
    let sel = s.bits(arg);
    assert_eq!(sel.len(), 5, "2 row and 3 column selectors");
    let (rows, cols) = (&sel[..2], &sel[2..]);
    // The product rows uᵢ = sᵢ·(Σⱼ table[i·3 + j]·tⱼ): recompute u from the forged selectors.
    let products: Vec<usize> = (0..s.rows.num_constraints)
        .filter(|&k| s.rows.row_arg[k] == arg as u32 && s.boolean_of(k).is_none())
        .filter(|&k| matches!(&s.rows.a[k][..], [(c, w)] if c.is_one() && rows.contains(w)) && s.rows.c[k].len() == 1)
        .collect();
    assert_eq!(products.len(), 2);
    let fill = |a: &mut Assignment, s_v: [i128; 2], t_v: [i128; 3]| {
        for (w, v) in rows.iter().zip(s_v).chain(cols.iter().zip(t_v)) {
            a.set(*w, v);
        }
        for &k in &products {
            let u = eval(&s.rows.a[k], &a.z) * eval(&s.rows.b[k], &a.z);
            a.z[s.rows.c[k][0].1] = u;
        }
    };

    // x = hi + 1 = 2: the selectors pick cell 4 (row 1, column 1), past the table's end;
    // y = 0 (no entry there). Only the exclusion row s₁·(t₁ + t₂) = 0 fails.
    let mut forged = s.assign(&with_values(&honest, &[(x, 2), (y, 0)]));
    fill(&mut forged, [0, 1], [0, 1, 0]);
    let exclusion = format!("arg {arg} row {}", 5 + 2 + 1 + 2);
    s.assert_rejected(&s.assign(&honest), &forged, &[exclusion], "lookup x = hi + 1");

    // x = lo - 1 = -3: row 0 and columns t₀ = 2, t₁ = -1 (sum 1, index -1); y = 2·5 - 7 = 3.
    let mut forged = s.assign(&with_values(&honest, &[(x, -3), (y, 3)]));
    fill(&mut forged, [1, 0], [2, -1, 0]);
    s.assert_rejected(
        &s.assign(&honest),
        &forged,
        &[bool_of(cols[0]), bool_of(cols[1])],
        "lookup x = lo - 1",
    );
}

// ---------------------------------------------------------------------------------------
// Hash (packed parameters)

#[test]
fn hash_groth16_rejects_packed_word_carrying_between_weights() {
    // Hashed parameters over BN254 are packed: W = Σ (wᵢ + 2^(b-1))·2^(b·i), hashed behind
    // N and b (runtime `pack_params`, lowering `pack_params`). Forging w₀ += 2^b, w₁ -= 1
    // leaves W, and so every Poseidon row and the digest, unchanged; only the Range on w₀
    // (its bits forged to sum to w₀ + 2^(b-1), the excess in the top one) stops it.
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
    let (w0, w1) = (weights[0] + (1 << bw), weights[1] - 1);
    let forged_trace = with_values(&honest, &[(w[0], w0), (w[1], w1), (y, w0 + w1)]);
    assert_eq!(
        w0 + half + ((w1 + half) << bw),
        honest.get(word),
        "the packed word is unchanged"
    );
    let s = setup(&p, &honest);
    let bits = s.bits(ranges[0]);
    let mut forged = s.assign(&forged_trace);
    forged.decompose_with_excess_on_top(&bits, fr(w0 + half));
    s.assert_rejected(
        &s.assign(&honest),
        &forged,
        &[bool_of(bits[bits.len() - 1])],
        "w0 += 2^b, w1 -= 1",
    );
}
