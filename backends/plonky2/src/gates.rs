//! zkc's three custom plonky2 gates, each packing many independent operations per row, and
//! the gate serializer that knows them next to plonky2's default gates.
//!
//! None of them has a witness generator: the backend writes every wire from the trace
//! itself (see `circuit::Circuit::witness`), so a witness that breaks a gate's equation is
//! never "repaired" — it yields a proof that does not verify.
//!
//! - [`LinearGate`]: `groups` independent weighted sums per row,
//!   `out_j = k_j + Σ_i c_{j,i}·in_{j,i}` with the `c` and `k` in the row's constants.
//! - [`RangeGate`]: `slots` range checks of `bits` bits per row,
//!   `a_s·u_s + c_s·v_s + o_s = Σ_i l_{s,i}·4^i` with every limb `l ∈ {0,1,2,3}` (the top limb
//!   in `{0,1}` when `bits` is odd), so `0 ≤ a·u + c·v + o < 2^bits`; `a_s`, `c_s`, `o_s` are
//!   constants.
//! - [`MaxGate`]: `slots` selections per row, `(out_s - a_s)·(out_s - c_s·b_s) = 0`.
//! - [`KernelGate`]: `blocks` copies per row of one fixed coefficient matrix applied to
//!   shared inputs, `out_{b,c} = k_c + [prev]·p_{b,c} + Σ_i W_{c,i}·in_{b,i}`, the matrix
//!   inside the gate (a convolution's kernel at one position), so the inputs are placed once
//!   for all of its output channels.

use plonky2::field::extension::{Extendable, FieldExtension};
use plonky2::field::packed::PackedField;
use plonky2::field::types::{Field, Field64};
use plonky2::gates::arithmetic_base::ArithmeticGate;
use plonky2::gates::arithmetic_extension::ArithmeticExtensionGate;
use plonky2::gates::base_sum::BaseSumGate;
use plonky2::gates::constant::ConstantGate;
use plonky2::gates::coset_interpolation::CosetInterpolationGate;
use plonky2::gates::exponentiation::ExponentiationGate;
use plonky2::gates::gate::Gate;
use plonky2::gates::lookup::LookupGate;
use plonky2::gates::lookup_table::LookupTableGate;
use plonky2::gates::multiplication_extension::MulExtensionGate;
use plonky2::gates::noop::NoopGate;
use plonky2::gates::packed_util::PackedEvaluableBase;
use plonky2::gates::poseidon::PoseidonGate;
use plonky2::gates::poseidon_mds::PoseidonMdsGate;
use plonky2::gates::public_input::PublicInputGate;
use plonky2::gates::random_access::RandomAccessGate;
use plonky2::gates::reducing::ReducingGate;
use plonky2::gates::reducing_extension::ReducingExtensionGate;
use plonky2::gates::util::StridedConstraintConsumer;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::iop::generator::WitnessGeneratorRef;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CommonCircuitData};
use plonky2::plonk::vars::{
    EvaluationTargets, EvaluationVars, EvaluationVarsBase, EvaluationVarsBaseBatch, EvaluationVarsBasePacked,
};
use plonky2::util::serialization::{Buffer, GateSerializer, IoError, IoResult, Read, Write};
use plonky2::{get_gate_tag_impl, impl_gate_serializer, read_gate_impl};

/// Largest gate parameter accepted when deserializing (a malformed key must not allocate).
const MAX_PARAM: usize = 1 << 12;

fn read_param(src: &mut Buffer) -> IoResult<usize> {
    let v = src.read_usize()?;
    if v > MAX_PARAM {
        return Err(IoError);
    }
    Ok(v)
}

// ---------------------------------------------------------------------------------------
// LinearGate
// ---------------------------------------------------------------------------------------

/// `groups` weighted sums of `inputs` terms each: `out = k + Σ cᵢ·inᵢ` (degree 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinearGate {
    /// Independent sums per row.
    pub groups: usize,
    /// Terms per sum.
    pub inputs: usize,
}

impl LinearGate {
    /// The widest packing of `inputs`-term sums the config's routed wires allow.
    pub fn new(config: &CircuitConfig, inputs: usize) -> Self {
        LinearGate {
            groups: (config.num_routed_wires / (inputs + 1)).min(config.num_constants / (inputs + 1)),
            inputs,
        }
    }
    fn width(&self) -> usize {
        self.inputs + 1
    }
    /// Wire (and constant) of input `i` of group `j`.
    pub fn wire_input(&self, j: usize, i: usize) -> usize {
        j * self.width() + i
    }
    /// Wire of the output of group `j` (and the constant holding `k`).
    pub fn wire_output(&self, j: usize) -> usize {
        j * self.width() + self.inputs
    }
}

impl<F: RichField + Extendable<D>, const D: usize> Gate<F, D> for LinearGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }
    fn serialize(&self, dst: &mut Vec<u8>, _: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.groups)?;
        dst.write_usize(self.inputs)
    }
    fn deserialize(src: &mut Buffer, _: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(LinearGate {
            groups: read_param(src)?,
            inputs: read_param(src)?,
        })
    }
    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<F::Extension> {
        (0..self.groups)
            .map(|j| {
                let mut sum = vars.local_constants[self.wire_output(j)];
                for i in 0..self.inputs {
                    let w = self.wire_input(j, i);
                    sum += vars.local_constants[w] * vars.local_wires[w];
                }
                vars.local_wires[self.wire_output(j)] - sum
            })
            .collect()
    }
    fn eval_unfiltered_base_one(&self, _: EvaluationVarsBase<F>, _: StridedConstraintConsumer<F>) {
        panic!("use eval_unfiltered_base_packed instead");
    }
    fn eval_unfiltered_base_batch(&self, vars_base: EvaluationVarsBaseBatch<F>) -> Vec<F> {
        self.eval_unfiltered_base_batch_packed(vars_base)
    }
    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        (0..self.groups)
            .map(|j| {
                let mut sum = vars.local_constants[self.wire_output(j)];
                for i in 0..self.inputs {
                    let w = self.wire_input(j, i);
                    sum = builder.mul_add_extension(vars.local_constants[w], vars.local_wires[w], sum);
                }
                builder.sub_extension(vars.local_wires[self.wire_output(j)], sum)
            })
            .collect()
    }
    fn generators(&self, _row: usize, _local_constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        Vec::new()
    }
    fn num_wires(&self) -> usize {
        self.groups * self.width()
    }
    fn num_constants(&self) -> usize {
        self.groups * self.width()
    }
    fn degree(&self) -> usize {
        2
    }
    fn num_constraints(&self) -> usize {
        self.groups
    }
}

impl<F: RichField + Extendable<D>, const D: usize> PackedEvaluableBase<F, D> for LinearGate {
    fn eval_unfiltered_base_packed<P: PackedField<Scalar = F>>(
        &self,
        vars: EvaluationVarsBasePacked<P>,
        mut yield_constr: StridedConstraintConsumer<P>,
    ) {
        for j in 0..self.groups {
            let mut sum = vars.local_constants[self.wire_output(j)];
            for i in 0..self.inputs {
                let w = self.wire_input(j, i);
                sum += vars.local_constants[w] * vars.local_wires[w];
            }
            yield_constr.one(vars.local_wires[self.wire_output(j)] - sum);
        }
    }
}

// ---------------------------------------------------------------------------------------
// RangeGate
// ---------------------------------------------------------------------------------------

/// `slots` checks `0 ≤ a·u + c·v + o < 2^bits` by base-4 decomposition (degree 4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeGate {
    /// Bits checked per slot.
    pub bits: usize,
    /// Checks per row.
    pub slots: usize,
}

impl RangeGate {
    /// As many slots as the config's wires, routed wires and constants allow.
    pub fn new(config: &CircuitConfig, bits: usize) -> Self {
        let per_slot = 2 + limbs(bits);
        let slots = (config.num_wires / per_slot)
            .min(config.num_routed_wires / 2)
            .min(config.num_constants / 3);
        RangeGate { bits, slots }
    }
    /// Number of base-4 limbs.
    pub fn limbs(&self) -> usize {
        limbs(self.bits)
    }
    /// Wire of `u` in slot `s`.
    pub fn wire_u(&self, s: usize) -> usize {
        2 * s
    }
    /// Wire of `v` in slot `s`.
    pub fn wire_v(&self, s: usize) -> usize {
        2 * s + 1
    }
    /// Wire of limb `i` of slot `s` (advice: never copied).
    pub fn wire_limb(&self, s: usize, i: usize) -> usize {
        2 * self.slots + s * self.limbs() + i
    }
    /// Constant index of `a` (the coefficient of `u`) in slot `s`.
    pub fn const_a(&self, s: usize) -> usize {
        3 * s
    }
    /// Constant index of `c` (the coefficient of `v`) in slot `s`.
    pub fn const_c(&self, s: usize) -> usize {
        3 * s + 1
    }
    /// Constant index of `o` in slot `s`.
    pub fn const_o(&self, s: usize) -> usize {
        3 * s + 2
    }
    /// Whether limb `i` is binary (the top limb of an odd width).
    fn binary(&self, i: usize) -> bool {
        self.bits % 2 == 1 && i + 1 == self.limbs()
    }
}

fn limbs(bits: usize) -> usize {
    bits.div_ceil(2)
}

impl<F: RichField + Extendable<D>, const D: usize> Gate<F, D> for RangeGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }
    fn serialize(&self, dst: &mut Vec<u8>, _: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.bits)?;
        dst.write_usize(self.slots)
    }
    fn deserialize(src: &mut Buffer, _: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(RangeGate {
            bits: read_param(src)?,
            slots: read_param(src)?,
        })
    }
    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<F::Extension> {
        let mut out = Vec::with_capacity(Gate::<F, D>::num_constraints(self));
        let four = F::Extension::from_canonical_u64(4);
        for s in 0..self.slots {
            let value = vars.local_constants[self.const_a(s)] * vars.local_wires[self.wire_u(s)]
                + vars.local_constants[self.const_c(s)] * vars.local_wires[self.wire_v(s)]
                + vars.local_constants[self.const_o(s)];
            let mut sum = F::Extension::ZERO;
            for i in (0..self.limbs()).rev() {
                sum = sum * four + vars.local_wires[self.wire_limb(s, i)];
            }
            out.push(sum - value);
            for i in 0..self.limbs() {
                let l = vars.local_wires[self.wire_limb(s, i)];
                out.push(if self.binary(i) {
                    l * (l - F::Extension::ONE)
                } else {
                    (0..4u64).map(|j| l - F::Extension::from_canonical_u64(j)).product()
                });
            }
        }
        out
    }
    fn eval_unfiltered_base_one(&self, _: EvaluationVarsBase<F>, _: StridedConstraintConsumer<F>) {
        panic!("use eval_unfiltered_base_packed instead");
    }
    fn eval_unfiltered_base_batch(&self, vars_base: EvaluationVarsBaseBatch<F>) -> Vec<F> {
        self.eval_unfiltered_base_batch_packed(vars_base)
    }
    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        let mut out = Vec::with_capacity(Gate::<F, D>::num_constraints(self));
        let four = builder.constant_extension(F::Extension::from_canonical_u64(4));
        for s in 0..self.slots {
            let au = builder.mul_add_extension(
                vars.local_constants[self.const_a(s)],
                vars.local_wires[self.wire_u(s)],
                vars.local_constants[self.const_o(s)],
            );
            let value = builder.mul_add_extension(
                vars.local_constants[self.const_c(s)],
                vars.local_wires[self.wire_v(s)],
                au,
            );
            let mut sum = builder.zero_extension();
            for i in (0..self.limbs()).rev() {
                sum = builder.mul_add_extension(sum, four, vars.local_wires[self.wire_limb(s, i)]);
            }
            out.push(builder.sub_extension(sum, value));
            for i in 0..self.limbs() {
                let l = vars.local_wires[self.wire_limb(s, i)];
                let top = if self.binary(i) { 2 } else { 4 };
                let factors: Vec<_> = (0..top)
                    .map(|j| builder.add_const_extension(l, -F::from_canonical_u64(j)))
                    .collect();
                out.push(builder.mul_many_extension(factors));
            }
        }
        out
    }
    fn generators(&self, _row: usize, _local_constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        Vec::new()
    }
    fn num_wires(&self) -> usize {
        self.slots * (2 + self.limbs())
    }
    fn num_constants(&self) -> usize {
        3 * self.slots
    }
    fn degree(&self) -> usize {
        if self.limbs() > 1 || (self.limbs() == 1 && !self.binary(0)) {
            4
        } else {
            2
        }
    }
    fn num_constraints(&self) -> usize {
        self.slots * (1 + self.limbs())
    }
}

impl<F: RichField + Extendable<D>, const D: usize> PackedEvaluableBase<F, D> for RangeGate {
    fn eval_unfiltered_base_packed<P: PackedField<Scalar = F>>(
        &self,
        vars: EvaluationVarsBasePacked<P>,
        mut yield_constr: StridedConstraintConsumer<P>,
    ) {
        let four = F::from_canonical_u64(4);
        for s in 0..self.slots {
            let value = vars.local_constants[self.const_a(s)] * vars.local_wires[self.wire_u(s)]
                + vars.local_constants[self.const_c(s)] * vars.local_wires[self.wire_v(s)]
                + vars.local_constants[self.const_o(s)];
            let mut sum = P::ZEROS;
            for i in (0..self.limbs()).rev() {
                sum = sum * four + vars.local_wires[self.wire_limb(s, i)];
            }
            yield_constr.one(sum - value);
            for i in 0..self.limbs() {
                let l = vars.local_wires[self.wire_limb(s, i)];
                yield_constr.one(if self.binary(i) {
                    l * (l - F::ONE)
                } else {
                    l * (l - F::ONE) * (l - F::TWO) * (l - F::from_canonical_u64(3))
                });
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// MaxGate
// ---------------------------------------------------------------------------------------

/// `slots` selections `(out - a)·(out - c·b) = 0` per row (degree 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaxGate {
    /// Selections per row.
    pub slots: usize,
}

impl MaxGate {
    /// As many slots as the config's routed wires and constants allow.
    pub fn new(config: &CircuitConfig) -> Self {
        MaxGate {
            slots: (config.num_routed_wires / 3).min(config.num_constants),
        }
    }
    /// Wire of `out` in slot `s`.
    pub fn wire_out(&self, s: usize) -> usize {
        3 * s
    }
    /// Wire of `a` in slot `s`.
    pub fn wire_a(&self, s: usize) -> usize {
        3 * s + 1
    }
    /// Wire of `b` in slot `s`.
    pub fn wire_b(&self, s: usize) -> usize {
        3 * s + 2
    }
}

impl<F: RichField + Extendable<D>, const D: usize> Gate<F, D> for MaxGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }
    fn serialize(&self, dst: &mut Vec<u8>, _: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.slots)
    }
    fn deserialize(src: &mut Buffer, _: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(MaxGate {
            slots: read_param(src)?,
        })
    }
    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<F::Extension> {
        (0..self.slots)
            .map(|s| {
                let out = vars.local_wires[self.wire_out(s)];
                (out - vars.local_wires[self.wire_a(s)])
                    * (out - vars.local_constants[s] * vars.local_wires[self.wire_b(s)])
            })
            .collect()
    }
    fn eval_unfiltered_base_one(&self, _: EvaluationVarsBase<F>, _: StridedConstraintConsumer<F>) {
        panic!("use eval_unfiltered_base_packed instead");
    }
    fn eval_unfiltered_base_batch(&self, vars_base: EvaluationVarsBaseBatch<F>) -> Vec<F> {
        self.eval_unfiltered_base_batch_packed(vars_base)
    }
    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        (0..self.slots)
            .map(|s| {
                let out = vars.local_wires[self.wire_out(s)];
                let da = builder.sub_extension(out, vars.local_wires[self.wire_a(s)]);
                let cb = builder.mul_extension(vars.local_constants[s], vars.local_wires[self.wire_b(s)]);
                let db = builder.sub_extension(out, cb);
                builder.mul_extension(da, db)
            })
            .collect()
    }
    fn generators(&self, _row: usize, _local_constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        Vec::new()
    }
    fn num_wires(&self) -> usize {
        3 * self.slots
    }
    fn num_constants(&self) -> usize {
        self.slots
    }
    fn degree(&self) -> usize {
        3
    }
    fn num_constraints(&self) -> usize {
        self.slots
    }
}

impl<F: RichField + Extendable<D>, const D: usize> PackedEvaluableBase<F, D> for MaxGate {
    fn eval_unfiltered_base_packed<P: PackedField<Scalar = F>>(
        &self,
        vars: EvaluationVarsBasePacked<P>,
        mut yield_constr: StridedConstraintConsumer<P>,
    ) {
        for s in 0..self.slots {
            let out = vars.local_wires[self.wire_out(s)];
            yield_constr.one(
                (out - vars.local_wires[self.wire_a(s)])
                    * (out - vars.local_constants[s] * vars.local_wires[self.wire_b(s)]),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// KernelGate
// ---------------------------------------------------------------------------------------

/// Most coefficients a deserialized [`KernelGate`] may carry.
const MAX_KERNEL: usize = 1 << 16;

/// `blocks` per row of `out_c = k_c + [prev]·p_c + Σ_i W[c][i]·in_i` for one fixed matrix `W`
/// (`m` outputs × `t` inputs) and constants `k` (degree 1).
///
/// A block's wires are its `t` inputs, then (if `prev`) the `m` partial sums of the previous
/// chunk of the same inputs, then its `m` outputs, all routed. The coefficients and
/// constants are canonical Goldilocks elements kept in the gate itself (so in the verifying
/// key's gate list), not in the row's constants: one gate type serves every position of a
/// convolution, and a row is not limited to the config's 80 constants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelGate {
    /// `coeffs[c][i]`: coefficient of input `i` in output `c` (canonical).
    pub coeffs: Vec<Vec<u64>>,
    /// The constant of each output (canonical).
    pub constants: Vec<u64>,
    /// Whether each output adds the previous chunk's partial sum.
    pub prev: bool,
    /// Blocks per row.
    pub blocks: usize,
}

impl KernelGate {
    /// Outputs per block.
    pub fn m(&self) -> usize {
        self.coeffs.len()
    }
    /// Inputs per block.
    pub fn t(&self) -> usize {
        self.coeffs.first().map_or(0, Vec::len)
    }
    /// Wires per block.
    pub fn width(&self) -> usize {
        self.t() + self.m() * (1 + usize::from(self.prev))
    }
    /// Wire of input `i` of block `b`.
    pub fn wire_input(&self, b: usize, i: usize) -> usize {
        b * self.width() + i
    }
    /// Wire of the previous partial sum of output `c` in block `b` (only when `prev`).
    pub fn wire_prev(&self, b: usize, c: usize) -> usize {
        b * self.width() + self.t() + c
    }
    /// Wire of output `c` of block `b`.
    pub fn wire_output(&self, b: usize, c: usize) -> usize {
        b * self.width() + self.t() + self.m() * usize::from(self.prev) + c
    }
}

impl<F: RichField + Extendable<D>, const D: usize> Gate<F, D> for KernelGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }
    fn serialize(&self, dst: &mut Vec<u8>, _: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.blocks)?;
        dst.write_bool(self.prev)?;
        dst.write_usize(self.m())?;
        dst.write_usize(self.t())?;
        for row in &self.coeffs {
            for &c in row {
                dst.write_usize(c as usize)?;
            }
        }
        for &k in &self.constants {
            dst.write_usize(k as usize)?;
        }
        Ok(())
    }
    fn deserialize(src: &mut Buffer, _: &CommonCircuitData<F, D>) -> IoResult<Self> {
        let blocks = read_param(src)?;
        let prev = src.read_bool()?;
        let m = read_param(src)?;
        let t = read_param(src)?;
        if m == 0 || m * (t + 1) > MAX_KERNEL {
            return Err(IoError);
        }
        let mut element = || -> IoResult<u64> {
            let v = src.read_usize()? as u64;
            if v >= <F as Field64>::ORDER {
                return Err(IoError);
            }
            Ok(v)
        };
        let mut coeffs = Vec::with_capacity(m);
        for _ in 0..m {
            coeffs.push((0..t).map(|_| element()).collect::<IoResult<Vec<u64>>>()?);
        }
        let constants = (0..m).map(|_| element()).collect::<IoResult<Vec<u64>>>()?;
        Ok(KernelGate {
            coeffs,
            constants,
            prev,
            blocks,
        })
    }
    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<F::Extension> {
        let e = |c: u64| F::Extension::from_basefield(F::from_canonical_u64(c));
        let mut out = Vec::with_capacity(self.blocks * self.m());
        for b in 0..self.blocks {
            for (c, row) in self.coeffs.iter().enumerate() {
                let mut sum = e(self.constants[c]);
                if self.prev {
                    sum += vars.local_wires[self.wire_prev(b, c)];
                }
                for (i, &w) in row.iter().enumerate().filter(|(_, &w)| w != 0) {
                    sum += e(w) * vars.local_wires[self.wire_input(b, i)];
                }
                out.push(vars.local_wires[self.wire_output(b, c)] - sum);
            }
        }
        out
    }
    fn eval_unfiltered_base_one(&self, _: EvaluationVarsBase<F>, _: StridedConstraintConsumer<F>) {
        panic!("use eval_unfiltered_base_packed instead");
    }
    fn eval_unfiltered_base_batch(&self, vars_base: EvaluationVarsBaseBatch<F>) -> Vec<F> {
        self.eval_unfiltered_base_batch_packed(vars_base)
    }
    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        let one = builder.one_extension();
        let mut out = Vec::with_capacity(self.blocks * self.m());
        for b in 0..self.blocks {
            for (c, row) in self.coeffs.iter().enumerate() {
                let k = F::from_canonical_u64(self.constants[c]);
                let mut sum = builder.constant_extension(F::Extension::from_basefield(k));
                if self.prev {
                    sum = builder.add_extension(sum, vars.local_wires[self.wire_prev(b, c)]);
                }
                for (i, &w) in row.iter().enumerate().filter(|(_, &w)| w != 0) {
                    let x = vars.local_wires[self.wire_input(b, i)];
                    sum = builder.arithmetic_extension(F::from_canonical_u64(w), F::ONE, one, x, sum);
                }
                out.push(builder.sub_extension(vars.local_wires[self.wire_output(b, c)], sum));
            }
        }
        out
    }
    fn generators(&self, _row: usize, _local_constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        Vec::new()
    }
    fn num_wires(&self) -> usize {
        self.blocks * self.width()
    }
    fn num_constants(&self) -> usize {
        0
    }
    fn degree(&self) -> usize {
        1
    }
    fn num_constraints(&self) -> usize {
        self.blocks * self.m()
    }
}

impl<F: RichField + Extendable<D>, const D: usize> PackedEvaluableBase<F, D> for KernelGate {
    fn eval_unfiltered_base_packed<P: PackedField<Scalar = F>>(
        &self,
        vars: EvaluationVarsBasePacked<P>,
        mut yield_constr: StridedConstraintConsumer<P>,
    ) {
        for b in 0..self.blocks {
            for (c, row) in self.coeffs.iter().enumerate() {
                let mut sum = P::from(F::from_canonical_u64(self.constants[c]));
                if self.prev {
                    sum += vars.local_wires[self.wire_prev(b, c)];
                }
                for (i, &w) in row.iter().enumerate().filter(|(_, &w)| w != 0) {
                    sum += vars.local_wires[self.wire_input(b, i)] * F::from_canonical_u64(w);
                }
                yield_constr.one(vars.local_wires[self.wire_output(b, c)] - sum);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Serializer
// ---------------------------------------------------------------------------------------

/// plonky2's default gates plus zkc's: reads and writes the `CommonCircuitData` in keys.
#[derive(Debug, Default)]
pub struct ZkcGateSerializer;

impl<F: RichField + Extendable<D>, const D: usize> GateSerializer<F, D> for ZkcGateSerializer {
    impl_gate_serializer! {
        ZkcGateSerializer,
        ArithmeticGate,
        ArithmeticExtensionGate<D>,
        BaseSumGate<2>,
        ConstantGate,
        CosetInterpolationGate<F, D>,
        ExponentiationGate<F, D>,
        LookupGate,
        LookupTableGate,
        MulExtensionGate<D>,
        NoopGate,
        PoseidonMdsGate<F, D>,
        PoseidonGate<F, D>,
        PublicInputGate,
        RandomAccessGate<F, D>,
        ReducingExtensionGate<D>,
        ReducingGate<D>,
        LinearGate,
        RangeGate,
        MaxGate,
        KernelGate
    }
}
