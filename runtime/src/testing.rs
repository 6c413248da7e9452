//! The shared soundness harness, public because every backend runs it in its own tests:
//! a program that uses every argument kind, the single-value mutations of a trace that a
//! backend must reject, bound cases (traces that satisfy every equation but break exactly
//! one bound), and random valid programs.
//!
//! [`Argument::Hash`] is not in [`every_argument_program`], [`bound_cases`] or
//! [`random_program`]: its [`HashKind`] is fixed by the backend's field, so no one program
//! runs everywhere. [`hash_program`], [`hash_bound_cases`] and [`random_program_with_hash`]
//! are their counterparts for one kind.

use crate::checker::check;
use crate::program::{Argument, HashKind, Origin, Program, Table, Var};
use crate::solver::solve;
use crate::trace::Trace;

/// Appends arguments with a fresh [`Origin`] each (`test_node_<i>`).
struct Build {
    p: Program,
}

impl Build {
    fn new() -> Self {
        Build { p: Program::default() }
    }
    fn var(&mut self) -> Var {
        self.p.num_vars += 1;
        Var(self.p.num_vars - 1)
    }
    fn push(&mut self, a: Argument) {
        let node = self.p.arguments.len();
        let name = format!("test_node_{node}");
        self.p.arguments.push((a, Origin { node, name }));
    }
    /// A new variable defined by `f(var)`.
    fn def(&mut self, f: impl FnOnce(Var) -> Argument) -> Var {
        let v = self.var();
        self.push(f(v));
        v
    }
    /// `(q, r)` defined by `f(q, r)`.
    fn def2(&mut self, f: impl FnOnce(Var, Var) -> Argument) -> (Var, Var) {
        let (q, r) = (self.var(), self.var());
        self.push(f(q, r));
        (q, r)
    }
}

/// A small program (20 variables) that uses every [`Argument`] kind, every variable
/// constrained, with inputs for which it solves: Linear with negative coefficients and a
/// constant, Rescale of a positive and a negative value, a lookup table with negative `lo`
/// and non-monotone values, Div of a negative value, Max of two operands and relu on both
/// signs, and two public values (one negative). Values stay below 2^40 and the table has
/// 41 entries within 16 bits of its minimum, so the Goldilocks backend runs it too.
pub fn every_argument_program() -> (Program, Vec<i128>) {
    let mut b = Build::new();
    let x: Vec<Var> = (0..3).map(|i| b.def(|x| Argument::Input { x, index: i })).collect();
    for &x in &x {
        b.push(Argument::Range { x, bits: 12 });
    }
    // l = 3·x0 - 2·x1 + 5 = -26
    let l = b.def(|out| Argument::Linear {
        out,
        terms: vec![(3, x[0]), (-2, x[1])],
        constant: 5,
    });
    // m = l·x2 = 234
    let m = b.def(|out| Argument::Mul { out, a: l, b: x[2] });
    // round(234 / 16) = 15 r 2; round(-26 / 8) = -3 r 2.
    let (q1, r1) = b.def2(|q, r| Argument::Rescale {
        x: m,
        q,
        r,
        k: 4,
        q_bits: 20,
    });
    let (q2, r2) = b.def2(|q, r| Argument::Rescale {
        x: l,
        q,
        r,
        k: 3,
        q_bits: 12,
    });
    b.p.tables.push(Table {
        name: "test_square_mod_23".into(),
        lo: -20,
        values: (-20i128..=20).map(|i| (i * i * 7) % 23 + 100).collect(),
    });
    // y = table[-3] = 117
    let y = b.def(|y| Argument::Lookup { x: q2, y, table: 0 });
    // d = y - 90 = 27; floor(-26 / 27) = -1 r 1.
    let d = b.def(|out| Argument::Linear {
        out,
        terms: vec![(1, y)],
        constant: -90,
    });
    let (dq, dr) = b.def2(|q, r| Argument::Div {
        n: l,
        d,
        q,
        r,
        bits: 24,
    });
    let mx = b.def(|out| Argument::Max {
        out,
        a: q1,
        b: Some(dq),
        bits: 24,
    });
    let relu_pos = b.def(|out| Argument::Max {
        out,
        a: q1,
        b: None,
        bits: 24,
    });
    let relu_neg = b.def(|out| Argument::Max {
        out,
        a: dq,
        b: None,
        bits: 24,
    });
    // The remainders and the maxima feed a public value too.
    let out = b.def(|out| Argument::Linear {
        out,
        terms: vec![(1, mx), (1, relu_pos), (2, relu_neg), (1, r1), (1, r2), (1, dr), (1, y)],
        constant: 0,
    });
    b.push(Argument::Public { x: out });
    b.push(Argument::Public { x: q2 });
    (b.p, vec![-7, 5, -9])
}

/// [`every_argument_program`] and its solved trace.
pub fn every_argument_trace() -> (Program, Trace) {
    let (p, inputs) = every_argument_program();
    let t = solve(&p, &inputs).expect("the every-argument program solves");
    (p, t)
}

/// A small program around two [`Argument::Hash`]es of `kind`: three inputs (one negative),
/// a Linear of them, a hash of 9 values (inputs repeated, the Linear output among them:
/// several BN254 permutations with an odd last chunk, two Goldilocks chunks), its four digest
/// values and the Linear output public, and a hash of no values. 12 variables, all pinned.
pub fn hash_program(kind: HashKind) -> (Program, Vec<i128>) {
    let mut b = Build::new();
    let x: Vec<Var> = (0..3).map(|i| b.def(|x| Argument::Input { x, index: i })).collect();
    let l = b.def(|out| Argument::Linear {
        out,
        terms: vec![(3, x[0]), (-2, x[1])],
        constant: 5,
    });
    let digest = [b.var(), b.var(), b.var(), b.var()];
    b.push(Argument::Hash {
        inputs: vec![x[0], x[1], x[2], l, x[2], x[1], x[0], l, x[1]],
        digest,
        kind,
    });
    let empty = [b.var(), b.var(), b.var(), b.var()];
    b.push(Argument::Hash {
        inputs: vec![],
        digest: empty,
        kind,
    });
    for x in digest {
        b.push(Argument::Public { x });
    }
    b.push(Argument::Public { x: l });
    (b.p, vec![-7, 5, 1 << 40])
}

/// [`hash_program`] and its solved trace.
pub fn hash_trace(kind: HashKind) -> (Program, Trace) {
    let (p, inputs) = hash_program(kind);
    let t = solve(&p, &inputs).expect("the hash program solves");
    (p, t)
}

/// One trace with a single value changed.
#[derive(Clone, Debug)]
pub struct Mutation {
    /// The changed variable.
    pub var: Var,
    /// The kind of the argument that defines the variable (`"Rescale"`, …).
    pub argument_kind: &'static str,
    /// The index of that argument in the program.
    pub argument: usize,
    /// The mutated trace.
    pub trace: Trace,
}

/// For every variable, `trace` with that one value changed by +1, in definition order.
///
/// A defined variable is always included: its defining argument pins it, so the checker must
/// reject the change (the runtime's tests prove this for every kind). An [`Argument::Input`]
/// variable is included only when the checker rejects the change: a model input is a free
/// witness, and one that no later equation binds (say, only the unchosen operand of a Max)
/// can take another value in another valid witness. Backends must reject every mutation
/// returned.
pub fn mutations(program: &Program, trace: &Trace) -> Vec<Mutation> {
    let mut out = Vec::new();
    for (argument, (a, _)) in program.arguments.iter().enumerate() {
        for var in a.defines() {
            let mut t = trace.clone();
            let Some(slot) = t.values.get_mut(var.0 as usize) else {
                continue;
            };
            *slot = slot.checked_add(1).unwrap_or(*slot - 1);
            if matches!(a, Argument::Input { .. }) && check(program, &t).is_ok() {
                continue;
            }
            out.push(Mutation {
                var,
                argument_kind: a.kind(),
                argument,
                trace: t,
            });
        }
    }
    out
}

/// The first mutation of each defining argument kind (Input, Linear, Mul, Lookup, Rescale,
/// Div, Max, Hash), for the slow prove/verify soundness tests.
pub fn one_mutation_per_argument_kind(program: &Program, trace: &Trace) -> Vec<Mutation> {
    let mut seen = std::collections::BTreeSet::new();
    mutations(program, trace)
        .into_iter()
        .filter(|m| seen.insert(m.argument_kind))
        .collect()
}

/// A trace at or just past one bound of one argument, with every equation satisfied.
#[derive(Clone, Debug)]
pub struct BoundCase {
    /// What the case tests, e.g. `rescale: r = 2^k with q one lower`.
    pub name: String,
    /// Inputs for the free variables, then the argument under test.
    pub program: Program,
    /// The (possibly dishonest) trace.
    pub trace: Trace,
    /// Whether the checker accepts it; a backend's `mock` must agree.
    pub valid: bool,
}

/// Traces at and one past every bound of every argument (ranges, remainders, quotient
/// widths, Max's choice and width, the lookup domain, non-positive divisors). Equations hold
/// in each, so only a backend that really enforces the bound rejects the invalid ones: a
/// +1 mutation never tests that, since the equation catches it first.
pub fn bound_cases() -> Vec<BoundCase> {
    let mut cases = Vec::new();
    // `free` input variables, then `a` over variables 0.. (free first, then the defined ones).
    let mut case = |name: &str, free: u32, a: Argument, values: &[i128], valid: bool| {
        let mut b = Build::new();
        for index in 0..free as usize {
            b.def(|x| Argument::Input { x, index });
        }
        b.p.num_vars = values.len() as u32;
        if matches!(a, Argument::Lookup { .. }) {
            b.p.tables.push(Table {
                name: "edge".into(),
                lo: -2,
                values: vec![5, 7, 6, 5],
            });
        }
        b.push(a);
        cases.push(BoundCase {
            name: name.into(),
            program: b.p,
            trace: Trace {
                values: values.to_vec(),
            },
            valid,
        });
    };
    for (bits, x, valid) in [(8, -128, true), (8, 127, true), (8, -129, false), (8, 128, false)]
        .into_iter()
        .chain([(1, -1, true), (1, 0, true), (1, 1, false), (1, -2, false)])
    {
        case(
            &format!("range {bits} bits: x = {x}"),
            1,
            Argument::Range { x: Var(0), bits },
            &[x],
            valid,
        );
    }
    let rescale = Argument::Rescale {
        x: Var(0),
        q: Var(1),
        r: Var(2),
        k: 3,
        q_bits: 4,
    };
    for (name, xqr, valid) in [
        ("r = 2^k - 1", [3, 0, 7], true),
        ("r = 0 for a negative x", [-4, 0, 0], true),
        ("r = 2^k with q one lower", [4, 0, 8], false),
        ("r = -1 with q one higher", [3, 1, -1], false),
        ("q = 2^(q_bits-1) - 1", [52, 7, 0], true),
        ("q = 2^(q_bits-1)", [60, 8, 0], false),
        ("q = -2^(q_bits-1)", [-68, -8, 0], true),
        ("q = -2^(q_bits-1) - 1", [-76, -9, 0], false),
    ] {
        case(
            &format!("rescale k=3 q_bits=4: {name}"),
            1,
            rescale.clone(),
            &xqr,
            valid,
        );
    }
    let div = Argument::Div {
        n: Var(0),
        d: Var(1),
        q: Var(2),
        r: Var(3),
        bits: 4,
    };
    for (name, ndqr, valid) in [
        ("r = d - 1", [8, 3, 2, 2], true),
        ("r = d with q one lower", [7, 3, 1, 4], false),
        ("r = -1 with q one higher", [8, 3, 3, -1], false),
        ("d = 0", [5, 0, 0, 5], false),
        ("d negative", [7, -3, -2, 1], false),
        ("d = 1, q = 2^(bits-1) - 1", [7, 1, 7, 0], true),
        ("d = 1, q = 2^(bits-1)", [8, 1, 8, 0], false),
        ("d = 1, q = -2^(bits-1)", [-8, 1, -8, 0], true),
        ("d = 1, q = -2^(bits-1) - 1", [-9, 1, -9, 0], false),
        ("r = 2^bits - 1 = d - 1", [15, 16, 0, 15], true),
        ("r = 2^bits < d", [19, 20, 0, 19], false),
        ("d - 1 - r = 2^bits", [0, 17, 0, 0], false),
    ] {
        case(&format!("div bits=4: {name}"), 2, div.clone(), &ndqr, valid);
    }
    let max = Argument::Max {
        out: Var(2),
        a: Var(0),
        b: Some(Var(1)),
        bits: 4,
    };
    for (name, abo, valid) in [
        ("a - b = 2^bits - 1", [10, -5, 10], true),
        ("a - b = 2^bits", [11, -5, 11], false),
        ("out = the smaller operand", [3, -5, -5], false),
        ("a = b", [4, 4, 4], true),
    ] {
        case(&format!("max bits=4: {name}"), 2, max.clone(), &abo, valid);
    }
    let relu = Argument::Max {
        out: Var(1),
        a: Var(0),
        b: None,
        bits: 4,
    };
    for (name, ao, valid) in [
        ("negative a gives 0", [-2, 0], true),
        ("out = a < 0", [-2, -2], false),
        ("out = 0 < a", [3, 0], false),
        ("a = 2^bits - 1", [15, 15], true),
        ("a = 2^bits", [16, 16], false),
    ] {
        case(&format!("relu bits=4: {name}"), 1, relu.clone(), &ao, valid);
    }
    let lookup = Argument::Lookup {
        x: Var(0),
        y: Var(1),
        table: 0,
    };
    for (name, xy, valid) in [
        ("x = lo", [-2, 5], true),
        ("x = hi", [1, 5], true),
        ("x = lo - 1", [-3, 5], false),
        ("x = hi + 1", [2, 5], false),
        ("y of another row", [0, 7], false),
    ] {
        case(&format!("lookup lo=-2 len=4: {name}"), 1, lookup.clone(), &xy, valid);
    }
    cases
}

/// The digest bounds of a [`Argument::Hash`] of `kind` over two inputs: traces whose digest
/// stands for the right hash in the field but is not its canonical form. BN254: a limb moved
/// past 2^64 (same integer), the split of `h + p` (same field element, limbs in range) and a
/// negative limb; Goldilocks: an element plus or minus `p`. The honest trace is valid.
pub fn hash_bound_cases(kind: HashKind) -> Vec<BoundCase> {
    let inputs = [-3i128, 1 << 40];
    let honest = crate::poseidon::hash(kind, &inputs);
    let mut digests: Vec<(&str, [i128; 4], bool)> = vec![("canonical digest", honest, true)];
    match kind {
        HashKind::PoseidonBn254 => {
            use ark_ff::{BigInteger, PrimeField};
            // Some limb above the lowest non-zero one can lend 2^64 to the one below it.
            if let Some(i) = (1..4).find(|&i| honest[i] > 0) {
                let mut d = honest;
                d[i] -= 1;
                d[i - 1] += 1 << 64;
                digests.push(("a limb of 2^64 or more, the integer unchanged", d, false));
                let mut d = honest;
                d[i] += 1;
                d[i - 1] -= 1 << 64;
                digests.push(("a negative limb, the integer unchanged", d, false));
            }
            let mut big = ark_ff::BigInt(honest.map(|l| l as u64));
            // h < p < 2^256 - p: no carry.
            big.add_with_carry(&ark_bn254::Fr::MODULUS);
            digests.push(("the limbs of h + p", big.0.map(|l| l as i128), false));
        }
        HashKind::PoseidonGoldilocks => {
            let p = crate::poseidon::GOLDILOCKS_P as i128;
            let mut d = honest;
            d[0] += p;
            digests.push(("an element plus p", d, false));
            let mut d = honest;
            d[1] -= p;
            digests.push(("an element minus p", d, false));
        }
    }
    digests
        .into_iter()
        .map(|(name, d, valid)| {
            let mut b = Build::new();
            let x: Vec<Var> = (0..2).map(|index| b.def(|x| Argument::Input { x, index })).collect();
            let digest = [b.var(), b.var(), b.var(), b.var()];
            b.push(Argument::Hash {
                inputs: x,
                digest,
                kind,
            });
            BoundCase {
                name: format!("hash {kind:?}: {name}"),
                program: b.p,
                trace: Trace {
                    values: inputs.iter().copied().chain(d).collect(),
                },
                valid,
            }
        })
        .collect()
}

/// A random valid program and its inputs, from `seed`: 1–3 inputs in [-128, 127], then 1–12
/// steps, each a Linear (random coefficients, constant) or Mul followed by a Rescale, a
/// Rescale and Lookup, a Max of two operands, a relu, a Div by `relu(b) + 1`, a Range or a
/// Public, over earlier values. Every value stays within ±128, so the bit widths are known
/// and the program always solves.
///
/// Every input also feeds the final public Linear sum. Without it an input could be
/// unconstrained — read only as the unchosen operand of a Max, a factor against 0, a
/// divisor when the quotient is 0, or a lookup input with equal neighbours — and then
/// changing it alone would give another valid witness. Every other variable is pinned by the
/// argument that defines it.
pub fn random_program(seed: u64) -> (Program, Vec<i128>) {
    random(seed, None)
}

/// [`random_program`] with one more kind of step: an [`Argument::Hash`] of `kind` over 0–4
/// earlier values, one of its digest values made public. Digests are never operands of later
/// steps (they are field-sized), so every other bound stays as in [`random_program`].
pub fn random_program_with_hash(seed: u64, kind: HashKind) -> (Program, Vec<i128>) {
    random(seed, Some(kind))
}

fn random(seed: u64, hash: Option<HashKind>) -> (Program, Vec<i128>) {
    let mut rng = SplitMix(seed);
    let mut b = Build::new();
    b.p.tables.push(Table {
        name: "random_t".into(),
        lo: -64,
        values: (-64i128..=64)
            .map(|i| (i * i * 7 + 3 * i).rem_euclid(41) - 20)
            .collect(),
    });
    let n_inputs = rng.below(3) as usize + 1;
    let inputs: Vec<i128> = (0..n_inputs).map(|_| rng.below(256) as i128 - 128).collect();
    let ins: Vec<Var> = (0..n_inputs)
        .map(|index| b.def(|x| Argument::Input { x, index }))
        .collect();
    for &x in &ins {
        b.push(Argument::Range { x, bits: 8 });
    }
    let mut live = ins.clone();
    for _ in 0..rng.below(12) + 1 {
        let pick = |rng: &mut SplitMix| live[rng.below(live.len() as u64) as usize];
        let (x, y) = (pick(&mut rng), pick(&mut rng));
        let coef = |rng: &mut SplitMix, m: u64| rng.below(2 * m + 1) as i128 - m as i128;
        let new = match rng.below(if hash.is_some() { 9 } else { 8 }) {
            0 => {
                // |c1·x + c2·y + c0| ≤ 776 → round(/8) within ±98.
                let (c1, c2, c0) = (coef(&mut rng, 3), coef(&mut rng, 3), coef(&mut rng, 8));
                let terms = vec![(c1, x), (c2, y)];
                let s = b.def(|out| Argument::Linear {
                    out,
                    terms,
                    constant: c0,
                });
                let k = 3;
                b.def2(|q, r| Argument::Rescale {
                    x: s,
                    q,
                    r,
                    k,
                    q_bits: 8,
                })
                .0
            }
            1 => {
                // |x·y| ≤ 2^14 → round(/2^7) within ±128.
                let m = b.def(|out| Argument::Mul { out, a: x, b: y });
                b.def2(|q, r| Argument::Rescale {
                    x: m,
                    q,
                    r,
                    k: 7,
                    q_bits: 9,
                })
                .0
            }
            2 => {
                let (h, _) = b.def2(|q, r| Argument::Rescale {
                    x,
                    q,
                    r,
                    k: 1,
                    q_bits: 8,
                });
                b.def(|y| Argument::Lookup { x: h, y, table: 0 })
            }
            3 => b.def(|out| Argument::Max {
                out,
                a: x,
                b: Some(y),
                bits: 9,
            }),
            4 => b.def(|out| Argument::Max {
                out,
                a: x,
                b: None,
                bits: 9,
            }),
            5 => {
                // d = relu(y) + 1 ∈ [1, 129]; floor(x / d) within ±128.
                let rl = b.def(|out| Argument::Max {
                    out,
                    a: y,
                    b: None,
                    bits: 9,
                });
                let d = b.def(|out| Argument::Linear {
                    out,
                    terms: vec![(1, rl)],
                    constant: 1,
                });
                b.def2(|q, r| Argument::Div { n: x, d, q, r, bits: 9 }).0
            }
            6 => {
                b.push(Argument::Range { x, bits: 9 });
                continue;
            }
            7 => {
                b.push(Argument::Public { x });
                continue;
            }
            _ => {
                let kind = hash.expect("hash steps are drawn only with a kind");
                let n = rng.below(5);
                let inputs = (0..n).map(|_| pick(&mut rng)).collect();
                let digest = [b.var(), b.var(), b.var(), b.var()];
                b.push(Argument::Hash { inputs, digest, kind });
                let x = digest[rng.below(4) as usize];
                b.push(Argument::Public { x });
                continue;
            }
        };
        live.push(new);
    }
    // The inputs (see above) and the last value, summed into a public value.
    let mut terms: Vec<(i128, Var)> = ins.iter().map(|&x| (1, x)).collect();
    terms.push((2, *live.last().expect("at least one input")));
    let s = b.def(|out| Argument::Linear {
        out,
        terms,
        constant: 0,
    });
    b.push(Argument::Public { x: s });
    (b.p, inputs)
}

/// SplitMix64: a tiny deterministic generator, so the harness needs no dependency.
struct SplitMix(u64);

impl SplitMix {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

/// Programs with one argument just past a width bound of `bounds`' field (or of zero
/// width), each with a trace of the right length. Every backend over that field must refuse
/// each at lowering ([`crate::BackendError::DoesNotFit`] naming the bound), before any key or
/// proof exists: past the bound a second witness satisfies the same field equations.
pub fn field_bound_violations(bounds: crate::field_bounds::FieldBounds) -> Vec<(String, Program, Trace)> {
    let c = bounds.capacity_bits;
    let args = [
        (
            format!("rescale k + q_bits = {} (k = {}, q_bits = {})", c + 1, c - 53, 54),
            3,
            Argument::Rescale {
                x: Var(0),
                q: Var(1),
                r: Var(2),
                k: c - 53,
                q_bits: 54,
            },
        ),
        (
            format!("div on {} bits (2·bits + 1 = {})", c / 2 + 1, 2 * (c / 2 + 1) + 1),
            4,
            Argument::Div {
                n: Var(0),
                d: Var(1),
                q: Var(2),
                r: Var(3),
                bits: c / 2 + 1,
            },
        ),
        (
            format!("range on {} bits", c + 1),
            1,
            Argument::Range { x: Var(0), bits: c + 1 },
        ),
        (
            format!("max over {c} bits"),
            3,
            Argument::Max {
                out: Var(2),
                a: Var(0),
                b: Some(Var(1)),
                bits: c,
            },
        ),
        ("range on 0 bits".to_string(), 1, Argument::Range { x: Var(0), bits: 0 }),
        (
            "rescale with a 0-bit quotient".to_string(),
            3,
            Argument::Rescale {
                x: Var(0),
                q: Var(1),
                r: Var(2),
                k: 2,
                q_bits: 0,
            },
        ),
        (
            "div on 0 bits".to_string(),
            4,
            Argument::Div {
                n: Var(0),
                d: Var(1),
                q: Var(2),
                r: Var(3),
                bits: 0,
            },
        ),
    ];
    args.into_iter()
        .map(|(name, vars, a)| {
            let mut b = Build::new();
            let free = vars - a.defines().len() as u32;
            for index in 0..free as usize {
                b.def(|x| Argument::Input { x, index });
            }
            b.p.num_vars = vars;
            b.push(a);
            (
                name,
                b.p,
                Trace {
                    values: vec![1; vars as usize],
                },
            )
        })
        .collect()
}

/// Builds a program argument by argument (each its own node `node<i>`) with the input
/// values beside it, for the forged-witness tests of every backend: they need each
/// argument's index to name the constraint they forge.
#[derive(Default)]
pub struct ProgramBuilder {
    /// The program so far.
    pub p: Program,
    /// The input values, in input order.
    pub inputs: Vec<i128>,
}

impl ProgramBuilder {
    /// A fresh variable no argument defines yet.
    pub fn var(&mut self) -> Var {
        self.p.num_vars += 1;
        Var(self.p.num_vars - 1)
    }
    /// Appends `a`; returns its index.
    pub fn push(&mut self, a: Argument) -> usize {
        let node = self.p.arguments.len();
        let name = format!("node{node}");
        self.p.arguments.push((a, Origin { node, name }));
        node
    }
    /// A new input of value `v`.
    pub fn input(&mut self, v: i128) -> Var {
        let x = self.var();
        let index = self.inputs.len();
        self.inputs.push(v);
        self.push(Argument::Input { x, index });
        x
    }
    /// A new variable defined by `f(var)`, with the argument's index.
    pub fn def(&mut self, f: impl FnOnce(Var) -> Argument) -> (Var, usize) {
        let v = self.var();
        let i = self.push(f(v));
        (v, i)
    }
    /// `(q, r)` defined by `f(q, r)`, with the argument's index.
    pub fn def2(&mut self, f: impl FnOnce(Var, Var) -> Argument) -> (Var, Var, usize) {
        let (q, r) = (self.var(), self.var());
        let i = self.push(f(q, r));
        (q, r, i)
    }
    /// Marks `x` public.
    pub fn public(&mut self, x: Var) {
        self.push(Argument::Public { x });
    }
    /// The program and its honest trace (solved, and checked by the checker).
    pub fn finish(self) -> (Program, Trace) {
        let t = solve(&self.p, &self.inputs).expect("the test program solves");
        check(&self.p, &t).expect("the honest trace checks");
        (self.p, t)
    }
}

/// `Range { x, bits }` on the public input `x = 1`: the program, its trace, `x` and the
/// Range's index.
pub fn range_program(bits: u32) -> (Program, Trace, Var, usize) {
    let mut b = ProgramBuilder::default();
    let x = b.input(1);
    let arg = b.push(Argument::Range { x, bits });
    b.public(x);
    let (p, t) = b.finish();
    (p, t, x, arg)
}

/// `x + 2^(k-1) = 2^k·q + r` with k = 12, q_bits = 8, `q` public: the program, its trace,
/// `q`, `r` and the Rescale's index.
pub fn rescale_program(x: i128) -> (Program, Trace, Var, Var, usize) {
    let mut b = ProgramBuilder::default();
    let x = b.input(x);
    let (q, r, arg) = b.def2(|q, r| Argument::Rescale {
        x,
        q,
        r,
        k: 12,
        q_bits: 8,
    });
    b.public(q);
    let (p, t) = b.finish();
    (p, t, q, r, arg)
}

/// `n = q·d + r` on 16 bits, `q` public: the program, its trace, `[n, d, q, r]` and the
/// Div's index.
pub fn div_program(n: i128, d: i128) -> (Program, Trace, [Var; 4], usize) {
    let mut b = ProgramBuilder::default();
    let n = b.input(n);
    let d = b.input(d);
    let (q, r, arg) = b.def2(|q, r| Argument::Div { n, d, q, r, bits: 16 });
    b.public(q);
    let (p, t) = b.finish();
    (p, t, [n, d, q, r], arg)
}

/// `trace` with some values replaced.
pub fn with_values(trace: &Trace, edits: &[(Var, i128)]) -> Trace {
    let mut t = trace.clone();
    for &(v, x) in edits {
        t.values[v.0 as usize] = x;
    }
    t
}

/// Asserts that `backend` (over `bounds`' field) refuses every
/// [`field_bound_violations`] case in `mock`, `setup` and `cost`, with a
/// [`crate::BackendError::DoesNotFit`] that names the argument and its width.
pub fn assert_field_bound_violations_refused(backend: &dyn crate::Backend, bounds: crate::field_bounds::FieldBounds) {
    let cases = field_bound_violations(bounds);
    assert_eq!(cases.len(), 7);
    for (name, program, trace) in cases {
        for (step, result) in [
            ("mock", backend.mock(&program, &trace).map(|_| ())),
            ("setup", backend.setup(&program).map(|_| ())),
        ] {
            match result {
                Err(crate::BackendError::DoesNotFit { reason, .. }) => {
                    assert!(
                        reason.contains("argument 0") || reason.contains("test_node_"),
                        "{name}: {reason}"
                    );
                    assert!(reason.contains("bits"), "{name}: {reason}");
                }
                other => panic!("{name}: {step} should refuse the program, got {other:?}"),
            }
        }
        let cost = backend.cost(&program);
        assert!(cost.detail.contains("does not fit"), "{name}: cost {cost:?}");
    }
}
