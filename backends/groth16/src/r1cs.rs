//! The lowering of a [`Program`] to R1CS: one pass over the arguments (one file each in
//! `args/`) that allocates variables, records constraints `⟨A,z⟩·⟨B,z⟩ = ⟨C,z⟩` and, given a
//! trace, the assignment `z`.
//!
//! Variable indices follow arkworks' matrix layout: `0` is the constant one, `1..num_instance`
//! are the public values in `Public`-argument order, witnesses follow. Every program variable
//! is represented by a linear combination ([`Lc`]) over these indices: a single witness for
//! inputs, products and maxima, the weighted bits of its decomposition for a Rescale quotient,
//! and the folded terms for a `Linear` output (which therefore costs no constraint and has no
//! witness cell of its own). An input, product or maximum whose first publication is a
//! `Public` gets that `Public`'s instance variable instead of a witness (see `args/public.rs`).
//! The same pass serves `cost` (counting only), `setup`, `mock` and `prove`, so the four can
//! never disagree about the circuit.

use ark_bn254::Fr;
use ark_ff::{One, Zero};
use zkc_runtime::{BackendError, Program, Trace, Var};

use crate::field::fr;

/// A linear combination: `(coefficient, variable index)`, sorted by index, no duplicates, no
/// zero coefficients (the row format of `ark_relations::r1cs::ConstraintMatrices`).
pub type Lc = Vec<(Fr, usize)>;

/// Index of the constant-one variable.
pub const ONE: usize = 0;

/// A `Linear` term whose own linear combination is longer than this is first bound to a
/// witness (one constraint) instead of being copied into the sum: it keeps chains of wide
/// sums (e.g. a residual add of two convolutions) from growing quadratically.
pub const INLINE_MAX: usize = 32;

/// How a program variable is represented.
#[derive(Clone, Debug)]
pub(crate) struct Rep {
    pub lc: Lc,
    /// The argument that defines the variable (mock failures are attributed to it).
    pub def: u32,
}

/// A variable known to lie in `[-2^(n-1), 2^(n-1))` through a decomposition
/// `v + 2^(n-1) = Σ bᵢ·2^i`; `top` is the witness of bit `n-1` (1 iff `v ≥ 0`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Signed {
    pub n: u32,
    pub top: usize,
}

/// The R1CS of a program (and its assignment, when built from a trace).
pub struct R1cs {
    /// Number of instance variables including the constant one.
    pub num_instance: usize,
    /// Number of witness variables.
    pub num_witness: usize,
    /// Number of constraints.
    pub num_constraints: usize,
    /// Rows of A, B, C (empty when built for counting only).
    pub a: Vec<Lc>,
    /// See `a`.
    pub b: Vec<Lc>,
    /// See `a`.
    pub c: Vec<Lc>,
    /// For each constraint, the index of the argument that emitted it.
    pub row_arg: Vec<u32>,
    /// The full assignment `z` (constant one, instance, witness); empty without a trace.
    pub z: Vec<Fr>,
    /// Constraints per argument.
    pub per_arg: Vec<u32>,
    pub(crate) reps: Vec<Option<Rep>>,
}

/// The lowering state. `args/*` add their constraints through it.
pub(crate) struct Builder<'a> {
    pub program: &'a Program,
    trace: Option<&'a Trace>,
    keep_rows: bool,
    pub num_instance: usize,
    next_public: usize,
    num_witness: usize,
    pub z: Vec<Fr>,
    pub a: Vec<Lc>,
    pub b: Vec<Lc>,
    pub c: Vec<Lc>,
    pub row_arg: Vec<u32>,
    pub per_arg: Vec<u32>,
    num_constraints: usize,
    /// The argument being lowered.
    pub arg: u32,
    pub reps: Vec<Option<Rep>>,
    pub signed: Vec<Option<Signed>>,
    /// Powers of two, `pow[i] = 2^i` for `i ≤ 253`.
    pub pow: Vec<Fr>,
    /// The lookup tables' values as field elements.
    pub tables: Vec<std::rc::Rc<Vec<Fr>>>,
    /// Per program variable, the instance index of its first `Public` (0: never published).
    /// [`Builder::define_witness`] uses that instance variable as the variable's cell.
    first_public: Vec<usize>,
}

/// Bits of an integer above 127 repeat its sign (two's complement).
fn bit(v: i128, i: u32) -> bool {
    (v >> i.min(127)) & 1 == 1
}

impl<'a> Builder<'a> {
    fn new(program: &'a Program, trace: Option<&'a Trace>, keep_rows: bool) -> Self {
        let num_instance = 1 + program.public_vars().len();
        // Instance `j + 1` belongs to the `j`-th Public, in argument order (the order of the
        // public values `verify` and the exports take).
        let mut first_public = vec![0; program.num_vars as usize];
        for (j, x) in program.public_vars().into_iter().enumerate() {
            if let Some(slot) = first_public.get_mut(x.0 as usize).filter(|s| **s == 0) {
                *slot = j + 1;
            }
        }
        let mut z = Vec::new();
        if trace.is_some() {
            z = vec![Fr::zero(); num_instance];
            z[ONE] = Fr::one();
        }
        let pow = std::iter::successors(Some(Fr::one()), |p| Some(ark_ff::AdditiveGroup::double(p)))
            .take(254)
            .collect();
        Builder {
            program,
            trace,
            keep_rows,
            num_instance,
            next_public: 1,
            num_witness: 0,
            z,
            a: Vec::new(),
            b: Vec::new(),
            c: Vec::new(),
            row_arg: Vec::new(),
            per_arg: vec![0; program.arguments.len()],
            num_constraints: 0,
            arg: 0,
            reps: vec![None; program.num_vars as usize],
            signed: vec![None; program.num_vars as usize],
            pow,
            tables: program
                .tables
                .iter()
                .map(|t| std::rc::Rc::new(t.values.iter().map(|&v| fr(v)).collect()))
                .collect(),
            first_public,
        }
    }

    /// Whether values are being assigned (a trace was given).
    pub fn has_witness(&self) -> bool {
        self.trace.is_some()
    }

    /// The trace value of `v` (0 without a trace: setup and cost never look at values).
    pub fn tv(&self, v: Var) -> i128 {
        self.trace.map_or(0, |t| t.values[v.0 as usize])
    }

    /// The error for a program the solver would also refuse.
    pub fn malformed(&self, what: String) -> BackendError {
        let (a, o) = &self.program.arguments[self.arg as usize];
        BackendError::DoesNotFit {
            backend: "groth16",
            reason: format!("argument {} `{a}` from {o}: {what}", self.arg),
        }
    }

    fn check_var(&self, v: Var) -> Result<usize, BackendError> {
        let i = v.0 as usize;
        if i >= self.reps.len() {
            return Err(self.malformed(format!(
                "{v} is beyond the program's {} variables",
                self.program.num_vars
            )));
        }
        Ok(i)
    }

    /// The linear combination of a defined variable.
    pub fn lc(&self, v: Var) -> Result<&Lc, BackendError> {
        let i = self.check_var(v)?;
        self.reps[i]
            .as_ref()
            .map(|r| &r.lc)
            .ok_or_else(|| self.malformed(format!("reads {v} before it is defined")))
    }

    /// Defines `v` as `lc`.
    pub fn define(&mut self, v: Var, lc: Lc) -> Result<(), BackendError> {
        let i = self.check_var(v)?;
        if self.reps[i].is_some() {
            return Err(self.malformed(format!("defines {v} a second time")));
        }
        self.reps[i] = Some(Rep { lc, def: self.arg });
        Ok(())
    }

    /// A new witness with value `value` (ignored without a trace).
    pub fn witness(&mut self, value: impl FnOnce() -> Fr) -> usize {
        let idx = self.num_instance + self.num_witness;
        self.num_witness += 1;
        if self.has_witness() {
            self.z.push(value());
        }
        idx
    }

    /// Defines `v` as a fresh cell holding its trace value: the instance variable of its first
    /// `Public` if it has one (that `Public` then costs no constraint), else a new witness.
    pub fn define_witness(&mut self, v: Var) -> Result<usize, BackendError> {
        let i = self.check_var(v)?;
        if self.reps[i].is_some() {
            return Err(self.malformed(format!("defines {v} a second time")));
        }
        let val = self.tv(v);
        let w = match self.first_public[i] {
            0 => self.witness(|| fr(val)),
            p => {
                if self.has_witness() {
                    self.z[p] = fr(val);
                }
                p
            }
        };
        self.define(v, vec![(Fr::one(), w)])?;
        Ok(w)
    }

    /// The next public (instance) variable, holding `value`.
    pub fn instance(&mut self, value: Fr) -> usize {
        let idx = self.next_public;
        self.next_public += 1;
        if self.has_witness() {
            self.z[idx] = value;
        }
        idx
    }

    /// Records `⟨a,z⟩·⟨b,z⟩ = ⟨c,z⟩`.
    pub fn enforce(&mut self, a: Lc, b: Lc, c: Lc) {
        self.num_constraints += 1;
        self.per_arg[self.arg as usize] += 1;
        if self.keep_rows {
            self.a.push(a);
            self.b.push(b);
            self.c.push(c);
            self.row_arg.push(self.arg);
        }
    }

    /// Records `⟨lc,z⟩ = 0` (as `lc · 1 = 0`).
    pub fn enforce_zero(&mut self, lc: Lc) {
        self.enforce(lc, vec![(Fr::one(), ONE)], Vec::new());
    }

    /// `n` boolean witnesses (`b·(1 - b) = 0` each), the bits of `v + offset` where the offset
    /// is `2^(n-1)` when `signed`: the low bits of `v` in two's complement with the top bit
    /// flipped. A `v` outside the range gets bits whose sum differs from it, which the
    /// constraint that ties the sum to `v` then rejects.
    pub fn bits(&mut self, v: i128, n: u32, signed: bool) -> Vec<usize> {
        (0..n)
            .map(|i| {
                let mut b = bit(v, i);
                if signed && i + 1 == n {
                    b = !b;
                }
                let w = self.witness(|| if b { Fr::one() } else { Fr::zero() });
                self.enforce(
                    vec![(Fr::one(), w)],
                    vec![(Fr::one(), ONE), (-Fr::one(), w)],
                    Vec::new(),
                );
                w
            })
            .collect()
    }

    /// `Σ 2^(shift+i)·bitsᵢ`, minus `2^(shift+n-1)` when `signed`.
    pub fn bits_lc(&self, bits: &[usize], shift: u32, signed: bool) -> Lc {
        let mut lc: Lc = Vec::with_capacity(bits.len() + 1);
        if signed && !bits.is_empty() {
            lc.push((-self.pow[(shift as usize) + bits.len() - 1], ONE));
        }
        lc.extend(bits.iter().enumerate().map(|(i, &w)| (self.pow[shift as usize + i], w)));
        lc
    }

    /// Binds a long linear combination to a witness (one constraint, attributed to the
    /// argument that defined `v`) so that uses copy one term instead of many.
    pub fn materialize(&mut self, v: Var) -> Result<(), BackendError> {
        let i = self.check_var(v)?;
        let Some(rep) = self.reps[i].take() else {
            return Err(self.malformed(format!("reads {v} before it is defined")));
        };
        let val = self.tv(v);
        let w = self.witness(|| fr(val));
        let here = self.arg;
        self.arg = rep.def;
        self.enforce(rep.lc, vec![(Fr::one(), ONE)], vec![(Fr::one(), w)]);
        self.arg = here;
        self.reps[i] = Some(Rep {
            lc: vec![(Fr::one(), w)],
            def: rep.def,
        });
        Ok(())
    }

    /// Checks a bit width against the field: values must not wrap modulo p.
    pub fn fits(&self, what: &str, bits: u32, max: u32) -> Result<(), BackendError> {
        if bits > max {
            return Err(BackendError::DoesNotFit {
                backend: "groth16",
                reason: format!(
                    "argument {} ({what} = {bits} bits) exceeds the {max} bits BN254's field allows here; requantize with fewer bits",
                    self.arg
                ),
            });
        }
        Ok(())
    }

    /// The sign-bit decomposition of `v`, when an earlier Range or Rescale made one.
    pub fn signed_of(&self, v: Var) -> Option<Signed> {
        self.signed.get(v.0 as usize).copied().flatten()
    }

    /// Records that `v` is decomposed on `n` signed bits with top bit `top`.
    pub fn set_signed(&mut self, v: Var, bits: &[usize]) {
        if let Some(&top) = bits.last() {
            self.signed[v.0 as usize] = Some(Signed {
                n: bits.len() as u32,
                top,
            });
        }
    }
}

/// `Σ cᵢ·lcᵢ` with terms merged by variable and zero coefficients dropped.
pub fn combine<'l>(parts: impl IntoIterator<Item = (Fr, &'l [(Fr, usize)])>, capacity: usize) -> Lc {
    let mut all: Lc = Vec::with_capacity(capacity);
    for (k, lc) in parts {
        if k.is_one() {
            all.extend_from_slice(lc);
        } else if !k.is_zero() {
            all.extend(lc.iter().map(|&(c, v)| (k * c, v)));
        }
    }
    normalize(all)
}

/// Sorts by variable, merges duplicates and drops zero coefficients.
pub fn normalize(mut lc: Lc) -> Lc {
    if lc.windows(2).all(|w| w[0].1 < w[1].1) {
        lc.retain(|(c, _)| !c.is_zero());
        return lc;
    }
    lc.sort_unstable_by_key(|t| t.1);
    let mut out: Lc = Vec::with_capacity(lc.len());
    for (c, v) in lc {
        match out.last_mut() {
            Some(last) if last.1 == v => last.0 += c,
            _ => out.push((c, v)),
        }
    }
    out.retain(|(c, _)| !c.is_zero());
    out
}

/// Lowers `program` to R1CS. With a trace, also computes the assignment (the trace must
/// have one value per program variable). With `keep_rows = false` only counts.
pub fn lower(program: &Program, trace: Option<&Trace>, keep_rows: bool) -> Result<R1cs, BackendError> {
    if let Some(t) = trace {
        if t.values.len() != program.num_vars as usize {
            return Err(BackendError::Prover(format!(
                "the trace has {} values but the program has {} variables; solve the program again",
                t.values.len(),
                program.num_vars
            )));
        }
    }
    zkc_runtime::field_bounds::BN254
        .check_program(program)
        .map_err(|e| BackendError::DoesNotFit {
            backend: "groth16",
            reason: e.to_string(),
        })?;
    let mut b = Builder::new(program, trace, keep_rows);
    for (i, (arg, _)) in program.arguments.iter().enumerate() {
        b.arg = i as u32;
        crate::args::lower(&mut b, arg)?;
    }
    Ok(R1cs {
        num_instance: b.num_instance,
        num_witness: b.num_witness,
        num_constraints: b.num_constraints,
        a: b.a,
        b: b.b,
        c: b.c,
        row_arg: b.row_arg,
        z: b.z,
        per_arg: b.per_arg,
        reps: b.reps,
    })
}

impl R1cs {
    /// The arkworks form of the matrices (moves the rows out).
    pub fn into_matrices(self) -> (ark_relations::r1cs::ConstraintMatrices<Fr>, Vec<Fr>) {
        let nz = |m: &Vec<Lc>| m.iter().map(Vec::len).sum();
        let m = ark_relations::r1cs::ConstraintMatrices {
            num_instance_variables: self.num_instance,
            num_witness_variables: self.num_witness,
            num_constraints: self.num_constraints,
            a_num_non_zero: nz(&self.a),
            b_num_non_zero: nz(&self.b),
            c_num_non_zero: nz(&self.c),
            a: self.a,
            b: self.b,
            c: self.c,
        };
        (m, self.z)
    }
}
