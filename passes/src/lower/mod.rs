//! Lowering: the float IR → the circuit [`Program`], with fixed-point types inferred by
//! interval arithmetic on the way.
//!
//! Every non-constant tensor becomes a [`QTensor`]: one witness variable per element at the
//! activation scale `s`, plus a proven bound on |integer|. Each op's lowering is a small
//! unit in this folder (`linear`, `nonlinear`, `softmax`, `wiring`) that emits arguments
//! through the [`Builder`]. Bounds are sound: they hold for every input in the calibrated
//! range, so the Range/Rescale widths derived from them never reject an honest witness, and
//! the field check here proves no value wraps around the field.

mod linear;
mod logic;
mod math;
mod nonlinear;
mod softmax;
mod wiring;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use zkc_ir::{ElemType, Graph, Op, Tensor};
use zkc_runtime::{Argument, HashKind, Origin, Program, Table, TensorVars, Var};

use crate::quantize::QuantPlan;
use crate::visibility::Visibility;

/// A lowered tensor: one variable per element, all at the activation scale.
#[derive(Clone, Debug)]
pub struct QTensor {
    /// Shape.
    pub shape: Vec<usize>,
    /// Variables, row-major.
    pub vars: Vec<Var>,
    /// Proven max |integer| over all elements.
    pub bound: i128,
}

/// Why lowering failed: always names the node and what to change.
#[derive(Debug, thiserror::Error)]
#[error("node {index} `{name}` ({op}): {reason}")]
pub struct LowerError {
    /// Node index.
    pub index: usize,
    /// Node name.
    pub name: String,
    /// Op name.
    pub op: String,
    /// What is wrong and what to change.
    pub reason: String,
}

/// Result of lowering: the program and the per-value fixed-point types.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Compiled {
    /// The circuit program.
    pub program: Program,
    /// The plan it was built with.
    pub plan: QuantPlan,
    /// Per graph value: its fixed-point type (constants: `None`).
    pub types: Vec<Option<ElemType>>,
    /// Per node: the largest accumulator (bits) it needs before rescaling.
    pub accumulator_bits: Vec<u32>,
    /// How many parameters are witness values (0 when they are fixed); they follow the model
    /// inputs in the solver's input list.
    #[serde(default)]
    pub param_count: usize,
    /// Their quantized values, for the prover only: the compiler keeps them out of the
    /// compiled circuit file (see `zkc_compiler::pipeline::write_circuit`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<i128>,
    /// With public parameters: the largest |integer| among them, which the circuit's widths
    /// were derived from; a verifier refuses public parameters beyond it (0 otherwise, so
    /// the circuit file says nothing about private weights).
    #[serde(default)]
    pub public_param_bound: i128,
}

/// Signed bits needed to hold every integer in `[-bound, bound]`.
pub fn signed_bits(bound: i128) -> u32 {
    let b = bound.unsigned_abs();
    (128 - b.leading_zeros()) + 1
}

/// Emits arguments for one node at a time, tagging each with the node's [`Origin`].
pub struct Builder {
    prog: Program,
    origin: Origin,
    consts: HashMap<i128, Var>,
    /// The activation scale.
    pub scale: u32,
    /// The weight scale.
    pub weight_scale: u32,
    /// Max lookup table bits.
    pub lookup_bits: u32,
    field_bits: u32,
    max_acc_bits: u32,
    params: Params,
    /// Proven lower bounds of variables (integers), where an argument gives one: constants,
    /// lookups (the table's least value), maxima, rescales and non-negative combinations of
    /// bounded variables. Division uses them to prove its divisor positive.
    lower: HashMap<Var, i128>,
    /// Softmax outputs: each variable's row (a number per normalized group) and the row's
    /// size. A row's values are ≥ 0 and sum to at most 2^s (each is ⌊eᵢ·2^s / Σe⌋), so a
    /// product that contracts a whole row with another tensor is a convex combination.
    simplex: HashMap<Var, (usize, usize)>,
}

/// Parameters that are witness values (visibility other than `fixed`): one variable per
/// element and scale, created at first use and shared by every node that reads it.
struct Params {
    /// The solver input index of the first parameter (the number of model input elements).
    base: usize,
    /// (graph value, scale) → its variables and max |integer|.
    vars: HashMap<(usize, u32), (Vec<Var>, i128)>,
    /// Every parameter variable, in solver input order.
    order: Vec<Var>,
    /// Their values.
    values: Vec<i128>,
}

type R<T> = Result<T, String>;

impl Builder {
    fn new_var(&mut self) -> Var {
        let v = Var(self.prog.num_vars);
        self.prog.num_vars += 1;
        v
    }

    fn push(&mut self, a: Argument) {
        self.prog.arguments.push((a, self.origin.clone()));
    }

    fn check_field(&mut self, bound: i128) -> R<()> {
        let bits = signed_bits(bound);
        self.max_acc_bits = self.max_acc_bits.max(bits);
        if bits + 1 > self.field_bits {
            return Err(format!(
                "an intermediate value needs {bits} bits but the backend's field holds {} signed bits; lower --scale or --weight-scale, or pick a backend with a larger field",
                self.field_bits
            ));
        }
        Ok(())
    }

    /// `Σ cᵢ·xᵢ + c₀` as a new variable (or an existing one for the identity).
    pub fn linear(&mut self, terms: Vec<(i128, Var)>, constant: i128, bound: i128) -> R<Var> {
        self.check_field(bound)?;
        if constant == 0 && terms.len() == 1 && terms[0].0 == 1 {
            return Ok(terms[0].1);
        }
        if terms.is_empty() {
            return Ok(self.constant(constant));
        }
        let lb = terms
            .iter()
            .try_fold(constant, |acc, &(c, v)| match self.lower.get(&v) {
                Some(&l) if c > 0 => acc.checked_add(c.checked_mul(l)?),
                _ => None,
            });
        let out = self.new_var();
        self.push(Argument::Linear { out, terms, constant });
        if let Some(l) = lb {
            self.lower.insert(out, l);
        }
        Ok(out)
    }

    /// A variable fixed to `c` (shared across the program).
    pub fn constant(&mut self, c: i128) -> Var {
        if let Some(&v) = self.consts.get(&c) {
            return v;
        }
        let out = self.new_var();
        self.push(Argument::Linear {
            out,
            terms: vec![],
            constant: c,
        });
        self.consts.insert(c, out);
        self.lower.insert(out, c);
        out
    }

    /// Marks `row` as one softmax row (see [`Builder::simplex`]).
    pub fn mark_simplex(&mut self, row: &[Var]) {
        let id = self.simplex.len();
        for &v in row {
            self.simplex.insert(v, (id, row.len()));
        }
    }

    /// Whether `vars` are exactly one whole softmax row (in any order).
    pub fn is_simplex_row(&self, vars: &[Var]) -> bool {
        let Some(&(id, n)) = vars.first().and_then(|v| self.simplex.get(v)) else {
            return false;
        };
        n == vars.len() && vars.iter().all(|v| self.simplex.get(v).is_some_and(|&(i, _)| i == id)) && {
            let mut u = vars.to_vec();
            u.sort();
            u.dedup();
            u.len() == n
        }
    }

    /// The proven lower bound of `v`, if any argument gives one.
    pub fn lower_bound(&self, v: Var) -> Option<i128> {
        self.lower.get(&v).copied()
    }

    /// Records that `v ≥ lb` holds in every witness the arguments so far admit.
    pub fn set_lower_bound(&mut self, v: Var, lb: i128) {
        let e = self.lower.entry(v).or_insert(lb);
        *e = (*e).max(lb);
    }

    /// `a·b`.
    pub fn mul(&mut self, a: Var, b: Var, bound: i128) -> R<Var> {
        self.check_field(bound)?;
        let out = self.new_var();
        self.push(Argument::Mul { out, a, b });
        if a == b {
            self.lower.insert(out, 0);
        }
        Ok(out)
    }

    /// `round(x / 2^k)`, half up; `bound` bounds |x|. Returns the quotient and its bound.
    pub fn rescale(&mut self, x: Var, k: u32, bound: i128) -> R<(Var, i128)> {
        if k == 0 {
            return Ok((x, bound));
        }
        self.check_field(bound + (1 << (k - 1)))?;
        let qb = (bound + (1i128 << (k - 1))) >> k;
        let (q, r) = (self.new_var(), self.new_var());
        self.push(Argument::Rescale {
            x,
            q,
            r,
            k,
            q_bits: signed_bits(qb),
        });
        // q = ⌊(x + 2^(k-1)) / 2^k⌋ is monotone in x.
        if let Some(l) = self.lower_bound(x) {
            self.lower.insert(q, (l + (1i128 << (k - 1))) >> k);
        }
        Ok((q, qb))
    }

    /// `max(a, b)` (b = 0 when `None`); `diff_bound` bounds |a - b|.
    pub fn max(&mut self, a: Var, b: Option<Var>, diff_bound: i128) -> R<Var> {
        self.check_field(diff_bound)?;
        let out = self.new_var();
        // out - a and out - b lie in [0, |a - b|].
        let bits = (signed_bits(diff_bound) - 1).max(1);
        self.push(Argument::Max { out, a, b, bits });
        let lb = match b {
            None => Some(0),
            Some(b) => self.lower_bound(b),
        };
        if let Some(l) = lb.into_iter().chain(self.lower_bound(a)).max() {
            self.lower.insert(out, l);
        }
        Ok(out)
    }

    /// `table[x]`.
    pub fn lookup(&mut self, x: Var, table: usize) -> Var {
        let y = self.new_var();
        self.push(Argument::Lookup { x, y, table });
        if let Some(&l) = self.prog.tables[table].values.iter().min() {
            self.lower.insert(y, l);
        }
        y
    }

    /// Adds a table and returns its index.
    pub fn table(&mut self, t: Table) -> usize {
        if let Some(i) = self.prog.tables.iter().position(|x| x == &t) {
            return i;
        }
        self.prog.tables.push(t);
        self.prog.tables.len() - 1
    }

    /// `floor(n / d)` with `0 < d`, `|n|, d ≤ bound`.
    pub fn div(&mut self, n: Var, d: Var, bound: i128) -> R<Var> {
        self.check_field(bound)?;
        let (q, r) = (self.new_var(), self.new_var());
        self.push(Argument::Div {
            n,
            d,
            q,
            r,
            bits: signed_bits(bound),
        });
        // ⌊n / d⌋ ≥ 0 for n ≥ 0 and d > 0.
        if self.lower_bound(n).is_some_and(|l| l >= 0) {
            self.lower.insert(q, 0);
        }
        Ok(q)
    }

    /// `⌊x·2^shift / d⌋` for `|x| ≤ x_bound` and `1 ≤ d ≤ d_bound`. One `Div` when its width
    /// fits the field (`2·bits + 1` within the field's signed bits); otherwise long division
    /// in base 2^j, so every `Div` stays narrow: `q₀ = ⌊x / d⌋` with remainder
    /// `r₀ = x - q₀·d ∈ [0, d)`, then digits `qᵢ = ⌊rᵢ₋₁·2^j / d⌋`, `rᵢ = rᵢ₋₁·2^j - qᵢ·d`,
    /// and `q = Σ qᵢ·2^(shift - i·j)` (the last digit taking the leftover bits). Each
    /// remainder is a `Mul` and a `Linear` over `Div`-pinned values, so the result is exactly
    /// the single division's.
    pub fn div_scaled(&mut self, x: Var, x_bound: i128, shift: u32, d: Var, d_bound: i128) -> R<Var> {
        let n_bound = x_bound << shift;
        let direct = signed_bits(n_bound.max(d_bound));
        if 2 * direct < self.field_bits {
            let n = self.linear(vec![(1i128 << shift, x)], 0, n_bound)?;
            return self.div(n, d, n_bound.max(d_bound));
        }
        // The widest Div numerator the field allows (unsigned bits): 2·signed_bits + 1 ≤ field bits.
        let max_bits = (self.field_bits - 1) / 2 - 1;
        let d_bits = 128 - d_bound.unsigned_abs().leading_zeros();
        if d_bits + 1 > max_bits {
            return Err(format!(
                "a division by a {d_bits}-bit divisor does not fit this backend's field even digit by digit; lower --scale"
            ));
        }
        let j = max_bits - d_bits;
        // A dividend too wide for one Div starts from its top bits: x = h·2^m + l with
        // h = ⌊x / 2^m⌋ (a Rescale of x - 2^(m-1)) and 0 ≤ l < 2^m; l's bits are brought down
        // into the digits below, top first (⌊(h·2^m + l)·2^shift / d⌋ = ⌊x·2^shift / d⌋).
        let mut m = 0u32;
        while signed_bits(((x_bound + (1i128 << m)) >> m).max(d_bound)) > max_bits + 1 {
            m += 1;
        }
        let (x, x_bound, mut rest, shift) = if m == 0 {
            (x, x_bound, None, shift)
        } else {
            let (h, hb, l) = self.split_top(x, x_bound, m)?;
            (h, hb, Some((l, m)), shift + m)
        };
        let (mut num, mut num_bound, mut q_bound) = (x, x_bound, x_bound);
        let mut digits: Vec<(i128, Var)> = Vec::new();
        let mut done = 0u32;
        loop {
            let qi = self.div(num, d, num_bound.max(d_bound))?;
            digits.push((1i128 << (shift - done), qi));
            if done == shift {
                break;
            }
            // r = numerator - qᵢ·d ∈ [0, d), shifted into the next digit's numerator with the
            // next bits of the dividend (zeros once l is used up).
            let qd = self.mul(qi, d, q_bound * d_bound)?;
            let r = self.linear(vec![(1, num), (-1, qd)], 0, num_bound + q_bound * d_bound)?;
            let mut step = j.min(shift - done);
            let mut terms = vec![(1i128 << step, r)];
            if let Some((l, bits)) = rest {
                step = step.min(bits);
                terms[0].0 = 1i128 << step;
                let (chunk, left) = if bits == step {
                    (l, None)
                } else {
                    let (c, _, left) = self.split_top(l, 1i128 << bits, bits - step)?;
                    (c, Some((left, bits - step)))
                };
                terms.push((1, chunk));
                rest = left;
            }
            done += step;
            // r·2^step + chunk ≤ (d - 1)·2^step + 2^step - 1 < d·2^step.
            num_bound = d_bound << step;
            num = self.linear(terms, 0, num_bound)?;
            q_bound = 1i128 << step;
        }
        self.linear(digits, 0, n_bound + (1i128 << shift))
    }

    /// `x = h·2^m + l` with `h = ⌊x / 2^m⌋` (a `Rescale` of `x - 2^(m-1)`) and
    /// `0 ≤ l < 2^m` (a `Linear`); returns `h`, its bound and `l`. `m ≥ 1`.
    fn split_top(&mut self, x: Var, x_bound: i128, m: u32) -> R<(Var, i128, Var)> {
        let half = 1i128 << (m - 1);
        let xs = self.linear(vec![(1, x)], -half, x_bound + half)?;
        let (h, hb) = self.rescale(xs, m, x_bound + half)?;
        let l = self.linear(vec![(1, x), (-(1i128 << m), h)], 0, x_bound + (hb << m))?;
        self.set_lower_bound(l, 0);
        Ok((h, hb, l))
    }

    /// Quantizes a constant tensor at scale `scale`.
    pub fn quantize(t: &Tensor, scale: u32) -> Vec<i128> {
        t.data
            .iter()
            .map(|&v| (v * (1u64 << scale) as f64).round() as i128)
            .collect()
    }

    /// The parameter tensor `t` (graph value `id`) at `scale` as witness variables, with the
    /// largest |integer| (the bound the circuit is sized for).
    ///
    /// They are not range-checked here: public weights are seen by the verifier, hashed ones
    /// are bound to their commitment (over BN254 through packed words, whose range checks
    /// [`Builder::pack_params`] adds), and private ones are the prover's choice anyway — the statement is "some weights give
    /// this output". Every value computed from them still passes the Rescale, Max and Range
    /// checks of the ops that follow, which are constraints, not assumptions.
    pub fn param(&mut self, id: usize, t: &Tensor, scale: u32) -> (Vec<Var>, i128) {
        if let Some(p) = self.params.vars.get(&(id, scale)) {
            return p.clone();
        }
        let ints = Self::quantize(t, scale);
        let bound = ints.iter().map(|v| v.abs()).max().unwrap_or(0);
        let mut vars = Vec::with_capacity(ints.len());
        for c in ints {
            let x = self.new_var();
            let index = self.params.base + self.params.values.len();
            self.push(Argument::Input { x, index });
            self.params.values.push(c);
            self.params.order.push(x);
            vars.push(x);
        }
        self.params.vars.insert((id, scale), (vars.clone(), bound));
        (vars, bound)
    }

    /// The Poseidon of this backend's field: Goldilocks backends (63-bit fields) hash
    /// natively there; BN254 otherwise.
    fn hash_kind(&self) -> HashKind {
        if self.field_bits < 64 {
            HashKind::PoseidonGoldilocks
        } else {
            HashKind::PoseidonBn254
        }
    }

    /// The hash inputs [`zkc_runtime::poseidon::pack_params`] defines for the parameter
    /// variables `vars`: each parameter range-checked to the width `b` of the compiled values
    /// (so the packing is injective on every witness that satisfies the circuit), `k` of them
    /// per word by one `Linear`, behind the constants `N` and `b`.
    fn pack_params(&mut self, vars: &[Var]) -> R<Vec<Var>> {
        let (b, k) = zkc_runtime::poseidon::pack_layout(&self.params.values);
        debug_assert_eq!(vars.len(), self.params.values.len());
        let mut words = vec![self.constant(vars.len() as i128), self.constant(i128::from(b))];
        let half = 1i128 << (b - 1);
        for &x in vars {
            self.push(Argument::Range { x, bits: b });
        }
        for chunk in vars.chunks(k) {
            let terms: Vec<(i128, Var)> = chunk
                .iter()
                .enumerate()
                .map(|(i, &x)| (1i128 << (b as usize * i), x))
                .collect();
            let constant = (0..chunk.len()).map(|i| half << (b as usize * i)).sum();
            let bound = 1i128 << zkc_runtime::poseidon::PACK_WORD_BITS;
            words.push(self.linear(terms, constant, bound)?);
        }
        Ok(words)
    }

    /// Publishes `vars` as `visibility` says: each as a public value, their Poseidon digest
    /// (four public values), or nothing.
    fn publish(&mut self, vars: &[Var], visibility: Visibility) {
        match visibility {
            Visibility::Public => {
                for &x in vars {
                    self.push(Argument::Public { x });
                }
            }
            Visibility::Hashed => {
                let digest = [self.new_var(), self.new_var(), self.new_var(), self.new_var()];
                let kind = self.hash_kind();
                self.push(Argument::Hash {
                    inputs: vars.to_vec(),
                    digest,
                    kind,
                });
                for x in digest {
                    self.push(Argument::Public { x });
                }
            }
            Visibility::Private | Visibility::Fixed => {}
        }
    }

    /// A constant tensor as a QTensor of constant variables at the activation scale.
    pub fn const_tensor(&mut self, t: &Tensor) -> QTensor {
        let ints = Self::quantize(t, self.scale);
        let bound = ints.iter().map(|v| v.abs()).max().unwrap_or(0);
        let vars = ints.iter().map(|&c| self.constant(c)).collect();
        QTensor {
            shape: t.shape.clone(),
            vars,
            bound,
        }
    }
}

/// An operand of a node: a lowered tensor or a constant.
#[derive(Clone, Copy)]
pub enum Operand<'a> {
    /// A witness tensor.
    Var(&'a QTensor),
    /// A constant (weights, biases, shapes).
    Const(&'a Tensor),
    /// A weight or bias that is a witness value (parameter visibility other than `fixed`):
    /// the constant and its graph value id. Quantized through [`Builder::param`].
    Param(&'a Tensor, usize),
}

/// Whether the constant operands of `op` are parameters (weights and biases).
fn takes_params(op: &Op) -> bool {
    use zkc_ir::BinaryOp;
    matches!(
        op,
        Op::MatMul | Op::Conv(_) | Op::ConvTranspose(_) | Op::Binary(BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul)
    )
}

/// Lowers the graph into a circuit program under `plan`.
pub fn lower(graph: &Graph, plan: &QuantPlan) -> Result<Compiled, LowerError> {
    let cfg = &plan.config;
    let mut b = Builder {
        prog: Program::default(),
        origin: Origin {
            node: usize::MAX,
            name: "inputs".into(),
        },
        consts: HashMap::new(),
        scale: cfg.scale,
        weight_scale: cfg.weight_scale,
        lookup_bits: cfg.lookup_bits,
        field_bits: cfg.field_bits,
        max_acc_bits: 0,
        lower: HashMap::new(),
        simplex: HashMap::new(),
        params: Params {
            base: 0,
            vars: HashMap::new(),
            order: Vec::new(),
            values: Vec::new(),
        },
    };
    cfg.visibility.validate().map_err(|reason| LowerError {
        index: usize::MAX,
        name: "visibility".into(),
        op: "-".into(),
        reason,
    })?;
    let mut q: Vec<Option<QTensor>> = vec![None; graph.values.len()];
    let mut types: Vec<Option<ElemType>> = vec![None; graph.values.len()];
    let mut index = 0usize;
    for (i, &id) in graph.inputs.iter().enumerate() {
        let v = graph.value(id);
        let bound = (plan.input_ranges[i] * (1u64 << cfg.scale) as f64).ceil() as i128;
        let bits = signed_bits(bound);
        let mut vars = Vec::new();
        b.origin = Origin {
            node: usize::MAX,
            name: format!("input `{}`", v.name),
        };
        for _ in 0..v.shape.iter().product::<usize>() {
            let x = b.new_var();
            b.push(Argument::Input { x, index });
            // Every input is proven inside the calibrated range, public ones too: a verifier
            // (an exported Solidity or snarkjs one included) sees only a field element, and
            // one outside the range could make a first-layer sum wrap the field into the
            // window the next Rescale accepts (docs/soundness.md).
            b.push(Argument::Range { x, bits });
            vars.push(x);
            index += 1;
        }
        b.prog.inputs.push(TensorVars {
            name: v.name.clone(),
            shape: v.shape.clone(),
            scale: cfg.scale,
            vars: vars.clone(),
        });
        types[id.0] = Some(ElemType::Fixed { scale: cfg.scale, bits });
        q[id.0] = Some(QTensor {
            shape: v.shape.clone(),
            vars,
            bound,
        });
    }
    b.params.base = index;
    b.origin = Origin {
        node: usize::MAX,
        name: "inputs".into(),
    };
    let input_vars: Vec<Var> = b.prog.inputs.iter().flat_map(|t| t.vars.clone()).collect();
    b.publish(&input_vars, cfg.visibility.input);
    let witness_params = cfg.visibility.params != Visibility::Fixed;
    let mut accumulator_bits = Vec::with_capacity(graph.nodes.len());
    for (ni, node) in graph.nodes.iter().enumerate() {
        b.origin = Origin {
            node: ni,
            name: node.name.clone(),
        };
        b.max_acc_bits = 0;
        let params_here = witness_params && takes_params(&node.op);
        let operands: Vec<Operand> = node
            .inputs
            .iter()
            .map(|&v| match (&q[v.0], &graph.value(v).constant) {
                (Some(t), _) => Operand::Var(t),
                (None, Some(c)) if params_here => Operand::Param(c, v.0),
                (None, Some(c)) => Operand::Const(c),
                (None, None) => unreachable!("topological order"),
            })
            .collect();
        let out_shape = graph.value(node.output).shape.clone();
        let err = |reason: String| LowerError {
            index: ni,
            name: node.name.clone(),
            op: node.op.name(),
            reason,
        };
        // ±inf and NaN have no fixed-point value; only a comparison (whose answer against a
        // finite witness is fixed) and a Where condition can take them.
        let takes_non_finite = |k: usize| matches!(node.op, Op::Logic(_)) || (matches!(node.op, Op::Where) && k == 0);
        let non_finite = operands.iter().enumerate().find_map(|(k, o)| match o {
            Operand::Const(t) | Operand::Param(t, _) if !takes_non_finite(k) => {
                t.data.iter().find(|v| !v.is_finite()).copied()
            }
            _ => None,
        });
        if let Some(v) = non_finite {
            return Err(err(format!(
                "a constant input holds {v}, which has no fixed-point value; replace it by a finite value in the model (a large negative mask value instead of -inf)"
            )));
        }
        let out = lower_node(&mut b, &node.op, &operands, &out_shape).map_err(err)?;
        if u64::from(b.prog.num_vars) > cfg.max_vars {
            return Err(err(format!(
                "the circuit reaches {} witness values here, over the limit of {}; raise it with --max-vars if this is intended",
                b.prog.num_vars, cfg.max_vars
            )));
        }
        debug_assert_eq!(out.vars.len(), out_shape.iter().product::<usize>());
        let bits = signed_bits(out.bound);
        accumulator_bits.push(b.max_acc_bits.max(bits));
        types[node.output.0] = Some(ElemType::Fixed { scale: cfg.scale, bits });
        q[node.output.0] = Some(out);
    }
    b.origin = Origin {
        node: usize::MAX,
        name: "parameters".into(),
    };
    let param_vars = std::mem::take(&mut b.params.order);
    if cfg.visibility.params == Visibility::Hashed && b.hash_kind() == HashKind::PoseidonBn254 {
        let words = b.pack_params(&param_vars).map_err(|reason| LowerError {
            index: usize::MAX,
            name: "parameters".into(),
            op: "-".into(),
            reason,
        })?;
        b.publish(&words, Visibility::Hashed);
    } else {
        b.publish(&param_vars, cfg.visibility.params);
    }
    b.origin = Origin {
        node: usize::MAX,
        name: "outputs".into(),
    };
    let mut output_vars = Vec::new();
    for &o in &graph.outputs {
        // An output the passes folded into a constant (a graph without inputs, such as ONNX's
        // `test_constant`) is its quantized value in fixed variables, published like any other.
        let folded;
        let t = match (&q[o.0], &graph.value(o).constant) {
            (Some(t), _) => t,
            (None, Some(c)) => {
                if let Some(v) = c.data.iter().find(|v| !v.is_finite()) {
                    return Err(LowerError {
                        index: usize::MAX,
                        name: format!("output `{}`", graph.value(o).name),
                        op: "Constant".into(),
                        reason: format!("the output is a constant holding {v}, which has no fixed-point value"),
                    });
                }
                folded = b.const_tensor(c);
                let bits = signed_bits(folded.bound);
                b.check_field(folded.bound).map_err(|reason| LowerError {
                    index: usize::MAX,
                    name: format!("output `{}`", graph.value(o).name),
                    op: "Constant".into(),
                    reason,
                })?;
                types[o.0] = Some(ElemType::Fixed { scale: cfg.scale, bits });
                &folded
            }
            (None, None) => {
                return Err(LowerError {
                    index: usize::MAX,
                    name: format!("output `{}`", graph.value(o).name),
                    op: "-".into(),
                    reason: "the output is neither computed by a node nor a constant (a zkc bug)".into(),
                })
            }
        };
        output_vars.extend(&t.vars);
        b.prog.outputs.push(TensorVars {
            name: graph.value(o).name.clone(),
            shape: t.shape.clone(),
            scale: cfg.scale,
            vars: t.vars.clone(),
        });
    }
    b.publish(&output_vars, cfg.visibility.output);
    let params = std::mem::take(&mut b.params.values);
    Ok(Compiled {
        program: b.prog,
        plan: plan.clone(),
        types,
        accumulator_bits,
        param_count: params.len(),
        public_param_bound: if cfg.visibility.params == Visibility::Public {
            params.iter().map(|v| v.abs()).max().unwrap_or(0)
        } else {
            0
        },
        params,
    })
}

fn lower_node(b: &mut Builder, op: &Op, ins: &[Operand], out_shape: &[usize]) -> R<QTensor> {
    use zkc_ir::BinaryOp;
    match op {
        Op::Binary(op @ (BinaryOp::Max | BinaryOp::Min)) => nonlinear::max_min(b, *op, ins, out_shape),
        Op::MatMul | Op::Conv(_) | Op::ConvTranspose(_) | Op::Binary(_) | Op::Reduce { .. } => {
            linear::lower(b, op, ins, out_shape)
        }
        Op::Pool(p) => match p.kind {
            zkc_ir::ops::PoolKind::Max => nonlinear::max_pool(b, p, ins, out_shape),
            _ => linear::lower(b, op, ins, out_shape),
        },
        Op::Activation(a) => nonlinear::activation(b, a, ins, out_shape),
        Op::PRelu => nonlinear::prelu(b, ins, out_shape),
        Op::Softmax { axis, log, coerce_2d } => softmax::lower(b, *axis, *log, *coerce_2d, ins, out_shape),
        Op::Reshape { .. }
        | Op::Transpose { .. }
        | Op::Slice { .. }
        | Op::Concat { .. }
        | Op::Gather { .. }
        | Op::Pad { .. } => wiring::lower(b, op, ins, out_shape),
        // The index of a maximum needs an equality (or one-hot selection) argument that the
        // circuit does not have yet; Max alone cannot pin which position attained it. TopK
        // needs a sorting argument, the recurrences and GridSample (whose sampling positions
        // are witness values) are float only for now.
        Op::ArgMaxMin { .. } | Op::TopK { .. } | Op::Rnn(_) | Op::GridSample(_) | Op::RoiAlign(_) => Err(format!(
            "{} has a float meaning (`zkc run`) but no circuit yet; compute it outside the proof or drop it from the model",
            op.name()
        )),
        Op::Logic(l) => logic::compare(b, *l, ins, out_shape),
        Op::Where => logic::select(b, ins, out_shape),
        Op::Mod { fmod } => logic::modulo(b, *fmod, ins, out_shape),
        // With constant indices the importer expands these into Gather/Concat/arithmetic.
        Op::GatherElements { .. } | Op::Scatter { .. } => Err(format!(
            "{} with indices computed at run time has no circuit; circuits need the indices as constants (an initializer or Constant node)",
            op.name()
        )),
    }
}

/// Why a model input cannot be quantized for proving.
#[derive(Debug, thiserror::Error)]
#[error("input {input} `{name}` index {index}: value {value} is outside the calibrated range [-{range}, {range}]; recalibrate with data that covers it or widen it with --input-range {suggest}")]
pub struct InputRangeError {
    /// Which model input.
    pub input: usize,
    /// Its name.
    pub name: String,
    /// Flat index of the element.
    pub index: usize,
    /// The value.
    pub value: f64,
    /// The range.
    pub range: f64,
    /// A range that would cover it.
    pub suggest: f64,
}

/// Quantizes model inputs into the solver's flat integer inputs, rejecting out-of-range values.
pub fn quantize_inputs(compiled: &Compiled, inputs: &[Tensor]) -> Result<Vec<i128>, InputRangeError> {
    let s = compiled.plan.config.scale;
    let mut out = Vec::new();
    for (i, (t, tv)) in inputs.iter().zip(&compiled.program.inputs).enumerate() {
        let range = compiled.plan.input_ranges[i];
        for (j, &v) in t.data.iter().enumerate() {
            if !v.is_finite() || v.abs() > range {
                let suggest = if v.is_finite() {
                    2f64.powi(v.abs().log2().ceil() as i32 + 1)
                } else {
                    range
                };
                return Err(InputRangeError {
                    input: i,
                    name: tv.name.clone(),
                    index: j,
                    value: v,
                    range,
                    suggest,
                });
            }
            out.push((v * (1u64 << s) as f64).round() as i128);
        }
    }
    Ok(out)
}

/// The model outputs of a trace, dequantized.
pub fn dequantize_outputs(program: &Program, trace: &zkc_runtime::Trace) -> Vec<Tensor> {
    program
        .outputs
        .iter()
        .map(|o| {
            let d = (1u64 << o.scale) as f64;
            Tensor::new(
                o.shape.clone(),
                o.vars.iter().map(|&v| trace.get(v) as f64 / d).collect(),
            )
        })
        .collect()
}
