//! The lowering of a [`Program`] into gate-level requests (weighted sums, range checks,
//! selections, products, table lookups, public inputs) before they are packed into rows.
//!
//! Every argument lowers in its own file under `args/`; this module holds the request types,
//! the static checks that the program fits Goldilocks, and the packing choices.

use plonky2::field::types::Field;
use std::collections::BTreeMap;

use zkc_runtime::{Argument, BackendError, Program, Var};

use crate::field::{fits, pow2, to_field, F};

/// A value the circuit carries: a program variable (`0 .. num_vars`) or an auxiliary value
/// (a partial sum, a shifted lookup operand) defined by a [`Lin`] formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Val(pub u32);

/// `constant + Σ c·x`: the formula of an auxiliary value, evaluated in the field.
#[derive(Clone, Debug)]
pub struct Lin {
    /// The constant term.
    pub constant: F,
    /// The terms.
    pub terms: Vec<(F, Val)>,
}

/// `out = constant + Σ c·x` on a [`crate::gates::LinearGate`] group (or a chain of them).
#[derive(Clone, Debug)]
pub struct LinReq {
    /// The formula.
    pub lin: Lin,
    /// The value it defines.
    pub out: Val,
    /// The argument it implements.
    pub owner: usize,
}

/// `0 ≤ a·u + c·v + offset < 2^bits` on a [`crate::gates::RangeGate`] slot.
#[derive(Clone, Debug)]
pub struct RangeReq {
    /// Width.
    pub bits: u32,
    /// Main operand with its coefficient.
    pub u: (F, Val),
    /// Optional scaled second operand.
    pub v: Option<(F, Val)>,
    /// Constant offset.
    pub offset: F,
    /// The argument it implements.
    pub owner: usize,
}

/// `(out - a)·(out - b) = 0` (`b = 0` when absent) on a [`crate::gates::MaxGate`] slot.
#[derive(Clone, Debug)]
pub struct MaxReq {
    /// The selected value.
    pub out: Val,
    /// First operand.
    pub a: Val,
    /// Second operand or the constant 0.
    pub b: Option<Val>,
    /// The argument it implements.
    pub owner: usize,
}

/// `out = a·b (+ addend)` on plonky2's arithmetic gate.
#[derive(Clone, Debug)]
pub struct MulReq {
    /// The product (plus addend).
    pub out: Val,
    /// Left factor.
    pub a: Val,
    /// Right factor.
    pub b: Val,
    /// Optional addend.
    pub addend: Option<Val>,
    /// The argument it implements.
    pub owner: usize,
}

/// `(x, y)` is a row of lookup table `lut` (both already shifted to `u16`).
#[derive(Clone, Debug)]
pub struct LookupReq {
    /// Shifted input.
    pub x: Val,
    /// Shifted output.
    pub y: Val,
    /// Index into [`Plan::luts`].
    pub lut: usize,
    /// The argument it implements.
    pub owner: usize,
}

/// `digest = PoseidonHash::hash_no_pad(inputs)` on plonky2's Poseidon gates.
#[derive(Clone, Debug)]
pub struct HashReq {
    /// The hashed values.
    pub inputs: Vec<Val>,
    /// The four digest values.
    pub digest: [Val; 4],
    /// The argument it implements.
    pub owner: usize,
}

/// A program table as a plonky2 lookup table of `(x - lo, y - min)` pairs.
#[derive(Clone, Debug)]
pub struct Lut {
    /// Index into `program.tables`.
    pub table: usize,
    /// The shifted pairs.
    pub pairs: Vec<(u16, u16)>,
    /// The table's `lo`.
    pub lo: i128,
    /// The smallest output.
    pub min: i128,
}

/// The whole program as requests.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Program variables.
    pub num_vars: u32,
    /// Auxiliary value formulas; `aux[i]` is `Val(num_vars + i)`.
    pub aux: Vec<Lin>,
    /// Weighted sums.
    pub linear: Vec<LinReq>,
    /// Range checks.
    pub ranges: Vec<RangeReq>,
    /// Selections.
    pub maxes: Vec<MaxReq>,
    /// Products.
    pub muls: Vec<MulReq>,
    /// Table lookups.
    pub lookups: Vec<LookupReq>,
    /// The tables used.
    pub luts: Vec<Lut>,
    /// Poseidon hashes.
    pub hashes: Vec<HashReq>,
    /// Public values in order, with the argument that marks them.
    pub publics: Vec<(Val, usize)>,
    /// Whether weighted sums over the same inputs may share a [`crate::gates::KernelGate`]
    /// block (granted by the pack pass: [`zkc_runtime::Packing::shared_inputs`]).
    pub shared_inputs: bool,
    /// The argument being lowered (owner of new requests).
    pub(crate) owner: usize,
}

/// A [`BackendError::DoesNotFit`] naming argument `index` of `program`.
pub fn does_not_fit(program: &Program, index: usize, reason: impl std::fmt::Display) -> BackendError {
    let at = match program.arguments.get(index) {
        Some((a, o)) => format!("argument {index} `{a}` from {o}"),
        None => format!("argument {index}"),
    };
    BackendError::DoesNotFit {
        backend: "plonky2",
        reason: format!("{at}: {reason}"),
    }
}

impl Plan {
    /// Lowers every argument, checking statically that coefficients, constants, table values
    /// and bit widths fit Goldilocks.
    pub fn new(program: &Program) -> Result<Plan, BackendError> {
        let mut plan = Plan {
            num_vars: program.num_vars,
            shared_inputs: program.packing.shared_inputs,
            ..Plan::default()
        };
        zkc_runtime::field_bounds::GOLDILOCKS
            .check_program(program)
            .map_err(|e| does_not_fit(program, e.index, e.reason))?;
        let mut lut_of_table = BTreeMap::new();
        for (index, (arg, _)) in program.arguments.iter().enumerate() {
            plan.owner = index;
            let fail = |reason: String| does_not_fit(program, index, reason);
            for v in vars_of(arg) {
                if v.0 >= program.num_vars {
                    return Err(fail(format!(
                        "{v} is beyond the program's {} variables (malformed program)",
                        program.num_vars
                    )));
                }
            }
            match arg {
                Argument::Input { .. } => {}
                Argument::Linear { out, terms, constant } => {
                    crate::args::linear::lower(&mut plan, *out, terms, *constant).map_err(fail)?
                }
                Argument::Mul { out, a, b } => crate::args::mul::lower(&mut plan, *out, *a, *b),
                Argument::Range { x, bits } => crate::args::range::lower(&mut plan, *x, *bits),
                Argument::Lookup { x, y, table } => {
                    crate::args::lookup::lower(&mut plan, program, &mut lut_of_table, *x, *y, *table).map_err(fail)?
                }
                Argument::Rescale { x, q, r, k, q_bits } => {
                    crate::args::rescale::lower(&mut plan, *x, *q, *r, *k, *q_bits)
                }
                Argument::Div { n, d, q, r, bits } => crate::args::div::lower(&mut plan, *n, *d, *q, *r, *bits),
                Argument::Max { out, a, b, bits } => crate::args::max::lower(&mut plan, *out, *a, *b, *bits),
                Argument::Public { x } => crate::args::public::lower(&mut plan, *x),
                Argument::Hash { inputs, digest, kind } => {
                    crate::args::hash::lower(&mut plan, inputs, *digest, *kind).map_err(fail)?
                }
            }
        }
        Ok(plan)
    }

    /// The value of a program variable.
    pub fn var(&self, v: Var) -> Val {
        Val(v.0)
    }

    /// Total number of values (variables and auxiliaries).
    pub fn num_vals(&self) -> usize {
        self.num_vars as usize + self.aux.len()
    }

    /// A new auxiliary value defined by `lin`, constrained by a weighted sum.
    pub fn derived(&mut self, lin: Lin) -> Val {
        let out = Val(self.num_vars + self.aux.len() as u32);
        self.aux.push(lin.clone());
        self.linear.push(LinReq {
            lin,
            out,
            owner: self.owner,
        });
        out
    }

    /// Constrains `out = lin`.
    pub fn linear(&mut self, out: Val, lin: Lin) {
        self.linear.push(LinReq {
            lin,
            out,
            owner: self.owner,
        });
    }

    /// Constrains `0 ≤ a·u + c·v + offset < 2^bits` (`u = (a, u)`, `v = (c, v)`).
    pub fn range(&mut self, bits: u32, u: (F, Val), v: Option<(F, Val)>, offset: F) {
        self.ranges.push(RangeReq {
            bits,
            u,
            v,
            offset,
            owner: self.owner,
        });
    }

    /// Constrains `-2^(bits-1) ≤ x < 2^(bits-1)` (`bits ≤ 63`); with `bits = 0` nothing fits,
    /// and the two contradictory checks `x = 0`, `x = -1` say so.
    pub fn signed_range(&mut self, x: Val, bits: u32) {
        if bits == 0 {
            self.range(0, (F::ONE, x), None, F::ZERO);
            self.range(0, (F::ONE, x), None, F::ONE);
        } else {
            self.range(bits, (F::ONE, x), None, pow2(bits - 1));
        }
    }

    /// Constrains `(out - a)·(out - b) = 0`.
    pub fn max(&mut self, out: Val, a: Val, b: Option<Val>) {
        self.maxes.push(MaxReq {
            out,
            a,
            b,
            owner: self.owner,
        });
    }

    /// Constrains `out = a·b + addend`.
    pub fn mul(&mut self, out: Val, a: Val, b: Val, addend: Option<Val>) {
        self.muls.push(MulReq {
            out,
            a,
            b,
            addend,
            owner: self.owner,
        });
    }

    /// Evaluates every value from the program variables' values (already in the field).
    pub fn values(&self, vars: &[F]) -> Vec<F> {
        let mut vals = Vec::with_capacity(self.num_vals());
        vals.extend_from_slice(vars);
        for lin in &self.aux {
            let v = lin
                .terms
                .iter()
                .fold(lin.constant, |acc, &(c, x)| acc + c * vals[x.0 as usize]);
            vals.push(v);
        }
        vals
    }
}

/// A coefficient or constant as a field element, if it lies in the injective interval.
pub fn constant(c: i128, what: &str) -> Result<F, String> {
    if fits(c) {
        Ok(to_field(c))
    } else {
        Err(format!(
            "{what} {c} does not fit Goldilocks' 63 signed bits; lower the weight or scale precision (--bits) for this node"
        ))
    }
}

/// Per program variable: whether it is a Poseidon digest value (a canonical element in
/// `[0, p)`, where every other value lies in the signed 63-bit interval).
pub fn digest_vars(program: &Program) -> Vec<bool> {
    let mut out = vec![false; program.num_vars as usize];
    for (a, _) in &program.arguments {
        if let Argument::Hash { digest, .. } = a {
            for d in digest {
                if let Some(s) = out.get_mut(d.0 as usize) {
                    *s = true;
                }
            }
        }
    }
    out
}

/// The variables an argument mentions.
pub fn vars_of(a: &Argument) -> Vec<Var> {
    match a {
        Argument::Input { x, .. } | Argument::Range { x, .. } | Argument::Public { x } => vec![*x],
        Argument::Linear { out, terms, .. } => std::iter::once(*out).chain(terms.iter().map(|t| t.1)).collect(),
        Argument::Mul { out, a, b } => vec![*out, *a, *b],
        Argument::Lookup { x, y, .. } => vec![*x, *y],
        Argument::Rescale { x, q, r, .. } => vec![*x, *q, *r],
        Argument::Div { n, d, q, r, .. } => vec![*n, *d, *q, *r],
        Argument::Max { out, a, b, .. } => std::iter::once(*out).chain(std::iter::once(*a)).chain(*b).collect(),
        Argument::Hash { inputs, digest, .. } => inputs.iter().chain(digest).copied().collect(),
    }
}
