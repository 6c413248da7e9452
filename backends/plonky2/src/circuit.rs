//! Packs a [`Plan`] into plonky2 rows and builds the circuit; fills the witness from a trace.
//!
//! Every value (program variable or auxiliary) is one virtual target; gate wires are
//! copy-constrained to those targets. The witness sets every value target and every
//! range-check limb directly from the trace: nothing is recomputed from the constraints, so a
//! wrong trace gives either a witness conflict (plonky2's own generators for products and
//! lookups) or a proof that does not verify.
//!
//! Packing: weighted sums go to [`LinearGate`] groups whose width is chosen per program
//! (at most four shapes, the cheapest for the program's histogram of sum lengths; longer sums
//! chain through partial sums), or, when the pack pass grants shared inputs and it gives
//! fewer padded rows, to [`crate::gates::KernelGate`] blocks (see [`crate::blocks`]); range
//! checks go to one [`RangeGate`] type per bit width; relu and max selections to
//! [`MaxGate`]; products to plonky2's arithmetic gate; tables to plonky2's lookup argument;
//! Poseidon hashes to plonky2's Poseidon gate (one row per 8 inputs).

use std::collections::BTreeMap;
use std::sync::Arc;

use plonky2::field::types::{Field, PrimeField64};
use plonky2::fri::reduction_strategies::FriReductionStrategy;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};
use plonky2::plonk::config::PoseidonGoldilocksConfig;
use zkc_runtime::{BackendError, Program, Trace};

use crate::blocks::Kernels;
use crate::field::{canonical, fits, to_field, F};
use crate::gates::{LinearGate, MaxGate, RangeGate};
use crate::plan::{digest_vars, does_not_fit, vars_of, Lin, Plan, RangeReq, Val};

/// Extension degree.
pub const D: usize = 2;
/// Hash and field configuration (Poseidon over Goldilocks, recursion-friendly).
pub type C = PoseidonGoldilocksConfig;

/// The circuit configuration of program circuits: plonky2's standard recursion config (135
/// wires, 80 routed, 100-bit security, FRI rate 1/8) with 80 constants per row so weighted
/// sums carry their coefficients, and zero knowledge when asked.
///
/// plonky2 blinds a zero-knowledge circuit with one random row per value the proof opens,
/// about `28 queries × (1 + 2·Σ(arity - 1) + 2·final coefficients)` for the FRI layers, three
/// times over. With the standard arity-16 folding that is ~8,300 rows (every zero-knowledge
/// circuit would have at least 2^14 rows); arity-4 folding down to a 2-coefficient final
/// polynomial opens far fewer values (~3,100 rows at 2^12), at the price of more, smaller FRI
/// layers, and arity-2 folding fewer still (~2,300). FRI's soundness depends on the rate and
/// query count, which stay the standard ones. [`config_for`] picks the folding per circuit.
pub fn program_config(zero_knowledge: bool) -> CircuitConfig {
    let mut config = CircuitConfig {
        zero_knowledge,
        num_constants: 80,
        ..CircuitConfig::standard_recursion_config()
    };
    if zero_knowledge {
        config.fri_config.reduction_strategy = FRI_FOLDINGS[0].clone();
    }
    config
}

/// FRI foldings tried for a zero-knowledge circuit, the default (shorter proofs) first.
const FRI_FOLDINGS: [FriReductionStrategy; 2] = [
    FriReductionStrategy::ConstantArityBits(2, 1),
    FriReductionStrategy::ConstantArityBits(1, 0),
];

/// Rows of the circuit of `gates` gates under `config` once plonky2 has blinded it (when
/// zero-knowledge) and padded it to a power of two: plonky2's own count, one random row per
/// opened value and two per opened value of the permutation polynomial.
pub fn padded_rows(config: &CircuitConfig, gates: usize) -> usize {
    let mut degree = gates.max(1).next_power_of_two();
    if !config.zero_knowledge {
        return degree;
    }
    let fri = &config.fri_config;
    loop {
        let bits = degree.trailing_zeros() as usize;
        let arities =
            fri.reduction_strategy
                .reduction_arity_bits(bits, fri.rate_bits, fri.cap_height, fri.num_query_rounds);
        let folding: usize = arities.iter().map(|&a| (1usize << a) - 1).sum();
        let final_coeffs = degree >> arities.iter().sum::<usize>();
        let opened = fri.num_query_rounds * (1 + D * folding + D * final_coeffs);
        let blinding = (D + opened) + 2 * (2 * D + opened);
        if gates + blinding <= degree {
            return degree;
        }
        degree *= 2;
    }
}

/// [`program_config`] with the FRI folding that gives `gates` gates the fewest padded rows
/// (the default folding on a tie): a layout decision, recorded in the circuit's common data
/// so the verifier follows it.
pub fn config_for(zero_knowledge: bool, gates: usize) -> CircuitConfig {
    let mut config = program_config(zero_knowledge);
    if zero_knowledge {
        let mut best = padded_rows(&config, gates);
        for strategy in &FRI_FOLDINGS[1..] {
            let mut c = config.clone();
            c.fri_config.reduction_strategy = strategy.clone();
            let rows = padded_rows(&c, gates);
            if rows < best {
                best = rows;
                config = c;
            }
        }
    }
    config
}

/// Rows charged per extra gate type when choosing sum shapes (each type's constraints are
/// evaluated on every row of the quotient domain).
const SHAPE_PENALTY: f64 = 8.0;

/// One weighted-sum group: `out = constant + Σ terms` with `terms.len() ≤ shape`.
struct Group {
    shape: usize,
    terms: Vec<(F, Val)>,
    constant: F,
    out: Val,
    owner: usize,
}

/// Where a range check's limbs live, to fill them from the trace.
#[derive(Clone, Debug)]
pub struct LimbFill {
    /// Gate row.
    pub row: usize,
    /// The gate.
    pub gate: RangeGate,
    /// Slot in the row.
    pub slot: usize,
    /// The checked expression.
    pub req: RangeReq,
}

/// The program laid out on a builder, before `build`.
pub struct Assembled {
    /// The builder with every gate added.
    pub builder: CircuitBuilder<F, D>,
    /// The plan, with the partial sums of chained weighted sums added.
    pub plan: Plan,
    /// One target per value.
    pub targets: Vec<Target>,
    /// Range-check limb positions.
    pub limbs: Vec<LimbFill>,
    /// Rows attributed to each argument (fractions of shared rows).
    pub rows_by_argument: Vec<f64>,
    /// Rows that `build` adds (public-input hashing, lookup tables, constants).
    pub build_rows: usize,
    /// A line describing the layout.
    pub detail: String,
}

/// Weighted-sum shapes worth considering: the widest group of each packing density.
fn ladder(routed: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (1..=routed / 2).map(|g| routed / g - 1).filter(|&m| m >= 1).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn groups_per_row(routed: usize, m: usize) -> usize {
    routed / (m + 1)
}

/// The group shapes a sum of `n` terms uses with `shapes` (ascending): one group if one fits,
/// else a chain of the widest, each passing its partial sum on, ending in the smallest that
/// fits the rest. `None` when neither works (no shape of width ≥ 2 to chain with).
fn chain(n: usize, shapes: &[usize]) -> Option<Vec<usize>> {
    let fit = |k: usize| shapes.iter().copied().find(|&m| m >= k);
    if let Some(m) = fit(n.max(1)) {
        return Some(vec![m]);
    }
    let big = *shapes.last()?;
    if big < 2 {
        return None;
    }
    let mut out = vec![big];
    let mut left = n - big;
    loop {
        if let Some(m) = fit(left + 1) {
            out.push(m);
            return Some(out);
        }
        out.push(big);
        left -= big - 1;
    }
}

/// The cheapest set of at most four shapes for the histogram `sizes` (term count → sums).
fn choose_shapes(sizes: &BTreeMap<usize, usize>, routed: usize) -> Vec<usize> {
    let ladder = ladder(routed);
    let cost = |shapes: &[usize]| -> Option<f64> {
        let mut rows = SHAPE_PENALTY * shapes.len() as f64;
        for (&n, &count) in sizes {
            let c = chain(n, shapes)?;
            rows += count as f64 * c.iter().map(|&m| 1.0 / groups_per_row(routed, m) as f64).sum::<f64>();
        }
        Some(rows)
    };
    let mut best: Option<(f64, Vec<usize>)> = None;
    let mut consider = |s: Vec<usize>| {
        if let Some(c) = cost(&s) {
            if best.as_ref().is_none_or(|(b, _)| c < *b) {
                best = Some((c, s));
            }
        }
    };
    for (i, &a) in ladder.iter().enumerate() {
        consider(vec![a]);
        for (j, &b) in ladder.iter().enumerate().skip(i + 1) {
            consider(vec![a, b]);
            for (k, &c) in ladder.iter().enumerate().skip(j + 1) {
                consider(vec![a, b, c]);
                for &d in ladder.iter().skip(k + 1) {
                    consider(vec![a, b, c, d]);
                }
            }
        }
    }
    best.map(|(_, s)| s)
        .unwrap_or_else(|| vec![*ladder.last().expect("routed wires")])
}

/// Lays `plan` out on a fresh builder with `config`.
///
/// When the program grants shared inputs, the layout with kernel blocks is kept only if it
/// has fewer padded rows than the one without: rows are padded to a power of two, so gates
/// saved below the same power save nothing, while every kernel gate type is evaluated on
/// every row of the quotient domain (on attn, 576 -> 393 gates at 2^12 rows either way
/// proved 20% slower).
pub fn assemble(plan: Plan, config: CircuitConfig) -> Assembled {
    if !plan.shared_inputs {
        return assemble_with(plan, config);
    }
    let mut without = plan.clone();
    without.shared_inputs = false;
    let zero_knowledge = config.zero_knowledge;
    let padded = |a: &Assembled| {
        let gates = a.builder.num_gates() + a.build_rows;
        padded_rows(&config_for(zero_knowledge, gates), gates)
    };
    let with = assemble_with(plan, config.clone());
    let mut without = assemble_with(without, config);
    if padded(&with) < padded(&without) {
        with
    } else {
        without.detail += "; kernel blocks unused (no fewer padded rows)";
        without
    }
}

fn assemble_with(mut plan: Plan, config: CircuitConfig) -> Assembled {
    let routed = config.num_routed_wires;
    let mut builder = CircuitBuilder::<F, D>::new(config.clone());
    let mut rows = vec![0.0f64; plan.publics.iter().map(|p| p.1 + 1).max().unwrap_or(0)];
    let mut charge = |owner: usize, r: f64| {
        if rows.len() <= owner {
            rows.resize(owner + 1, 0.0);
        }
        rows[owner] += r;
    };

    // Weighted sums: blocks of shared inputs first (when granted), the rest in groups:
    // choose shapes, split chains (new partial-sum values), then targets.
    let kernels = Kernels::find(&mut plan, routed);
    let mut sizes = BTreeMap::new();
    for (_, req) in plan.linear.iter().enumerate().filter(|(i, _)| !kernels.member[*i]) {
        *sizes.entry(req.lin.terms.len()).or_insert(0usize) += 1;
    }
    let shapes = if sizes.is_empty() {
        vec![]
    } else {
        choose_shapes(&sizes, routed)
    };
    let mut groups: Vec<Group> = Vec::new();
    let linear = std::mem::take(&mut plan.linear);
    for (_, req) in linear.iter().enumerate().filter(|(i, _)| !kernels.member[*i]) {
        let c = chain(req.lin.terms.len(), &shapes).expect("the chosen shapes chain every sum");
        let terms = &req.lin.terms;
        let mut idx = 0;
        let mut prev: Option<Val> = None;
        for (gi, &m) in c.iter().enumerate() {
            let last = gi + 1 == c.len();
            let mut gterms: Vec<(F, Val)> = prev.map(|p| (F::ONE, p)).into_iter().collect();
            let take = if last { terms.len() - idx } else { m - gterms.len() };
            gterms.extend_from_slice(&terms[idx..idx + take]);
            idx += take;
            let constant = if gi == 0 { req.lin.constant } else { F::ZERO };
            let out = if last {
                req.out
            } else {
                let v = Val(plan.num_vars + plan.aux.len() as u32);
                plan.aux.push(Lin {
                    constant,
                    terms: gterms.clone(),
                });
                v
            };
            groups.push(Group {
                shape: m,
                terms: gterms,
                constant,
                out,
                owner: req.owner,
            });
            prev = Some(out);
        }
    }
    plan.linear = linear;

    let targets = builder.add_virtual_targets(plan.num_vals());
    let t = |v: Val| targets[v.0 as usize];
    let mut detail = Vec::new();

    for &m in &shapes {
        let gate = LinearGate::new(&config, m);
        let mine: Vec<&Group> = groups.iter().filter(|g| g.shape == m).collect();
        for chunk in mine.chunks(gate.groups) {
            let mut constants = vec![F::ZERO; gate.groups * (m + 1)];
            for (j, g) in chunk.iter().enumerate() {
                for (i, &(c, _)) in g.terms.iter().enumerate() {
                    constants[gate.wire_input(j, i)] = c;
                }
                constants[gate.wire_output(j)] = g.constant;
            }
            let row = builder.add_gate(gate.clone(), constants);
            for (j, g) in chunk.iter().enumerate() {
                for (i, &(_, x)) in g.terms.iter().enumerate() {
                    builder.connect(Target::wire(row, gate.wire_input(j, i)), t(x));
                }
                builder.connect(Target::wire(row, gate.wire_output(j)), t(g.out));
                charge(g.owner, 1.0 / gate.groups as f64);
            }
        }
        detail.push(format!(
            "{}x{m}-term sums: {} rows",
            gate.groups,
            mine.len().div_ceil(gate.groups)
        ));
    }

    // Shared-input blocks, `gate.blocks` per row; a row's unused blocks hold zeros, their
    // outputs the gate's constants.
    for mine in kernels.placed.chunk_by(|a, b| a.gate == b.gate) {
        let gate = &kernels.gates[mine[0].gate];
        let share = 1.0 / (gate.blocks * gate.m()) as f64;
        for chunk in mine.chunks(gate.blocks) {
            let row = builder.add_gate(gate.clone(), Vec::new());
            for (b, p) in chunk.iter().enumerate() {
                for (i, &x) in p.inputs.iter().enumerate() {
                    builder.connect(Target::wire(row, gate.wire_input(b, i)), t(x));
                }
                for (c, &x) in p.prev.iter().enumerate() {
                    builder.connect(Target::wire(row, gate.wire_prev(b, c)), t(x));
                }
                for (c, &x) in p.outs.iter().enumerate() {
                    builder.connect(Target::wire(row, gate.wire_output(b, c)), t(x));
                }
                for &o in &p.owners {
                    charge(o, share);
                }
            }
            for b in chunk.len()..gate.blocks {
                for (c, &k) in gate.constants.iter().enumerate() {
                    if k != 0 {
                        let k = builder.constant(F::from_canonical_u64(k));
                        builder.connect(Target::wire(row, gate.wire_output(b, c)), k);
                    }
                }
            }
        }
    }
    if !kernels.gates.is_empty() {
        detail.push(format!(
            "{} blocks of {} kernel gates: {} rows",
            kernels.placed.iter().filter(|p| p.prev.is_empty()).count(),
            kernels.gates.len(),
            kernels.rows()
        ));
    }

    // Range checks: one gate type per width.
    let mut by_bits: BTreeMap<u32, Vec<&RangeReq>> = BTreeMap::new();
    for r in &plan.ranges {
        by_bits.entry(r.bits).or_default().push(r);
    }
    let mut limbs = Vec::new();
    for (&bits, reqs) in &by_bits {
        let gate = RangeGate::new(&config, bits as usize);
        for chunk in reqs.chunks(gate.slots) {
            let mut constants = vec![F::ZERO; 3 * gate.slots];
            for (s, r) in chunk.iter().enumerate() {
                constants[gate.const_a(s)] = r.u.0;
                constants[gate.const_c(s)] = r.v.map_or(F::ZERO, |v| v.0);
                constants[gate.const_o(s)] = r.offset;
            }
            let row = builder.add_gate(gate.clone(), constants);
            for (s, r) in chunk.iter().enumerate() {
                builder.connect(Target::wire(row, gate.wire_u(s)), t(r.u.1));
                if let Some((_, v)) = r.v {
                    builder.connect(Target::wire(row, gate.wire_v(s)), t(v));
                }
                limbs.push(LimbFill {
                    row,
                    gate: gate.clone(),
                    slot: s,
                    req: (*r).clone(),
                });
                charge(r.owner, 1.0 / gate.slots as f64);
            }
        }
        detail.push(format!(
            "{}x{bits}-bit ranges: {} rows",
            gate.slots,
            reqs.len().div_ceil(gate.slots)
        ));
    }

    // Selections.
    if !plan.maxes.is_empty() {
        let gate = MaxGate::new(&config);
        for chunk in plan.maxes.chunks(gate.slots) {
            let constants = (0..gate.slots)
                .map(|s| match chunk.get(s) {
                    Some(m) if m.b.is_some() => F::ONE,
                    _ => F::ZERO,
                })
                .collect();
            let row = builder.add_gate(gate.clone(), constants);
            for (s, m) in chunk.iter().enumerate() {
                builder.connect(Target::wire(row, gate.wire_out(s)), t(m.out));
                builder.connect(Target::wire(row, gate.wire_a(s)), t(m.a));
                if let Some(b) = m.b {
                    builder.connect(Target::wire(row, gate.wire_b(s)), t(b));
                }
                charge(m.owner, 1.0 / gate.slots as f64);
            }
        }
        detail.push(format!(
            "{}x max: {} rows",
            gate.slots,
            plan.maxes.len().div_ceil(gate.slots)
        ));
    }

    // Products on plonky2's arithmetic gate (its generator recomputes a·b + c).
    let per_row = routed / 4;
    for m in &plan.muls {
        let p = match m.addend {
            None => builder.mul(t(m.a), t(m.b)),
            Some(c) => builder.mul_add(t(m.a), t(m.b), t(c)),
        };
        builder.connect(p, t(m.out));
        charge(m.owner, 1.0 / per_row as f64);
    }
    if !plan.muls.is_empty() {
        detail.push(format!("{} products", plan.muls.len()));
    }

    // Poseidon hashes with plonky2's own sponge (one Poseidon gate row per 8 inputs).
    for h in &plan.hashes {
        let out = builder.hash_n_to_hash_no_pad::<PoseidonHash>(h.inputs.iter().map(|&v| t(v)).collect());
        for (&o, &d) in out.elements.iter().zip(&h.digest) {
            builder.connect(o, t(d));
        }
        charge(h.owner, crate::args::hash::rows(h.inputs.len()) as f64);
    }
    if !plan.hashes.is_empty() {
        let rows: usize = plan
            .hashes
            .iter()
            .map(|h| crate::args::hash::rows(h.inputs.len()))
            .sum();
        detail.push(format!("{} hashes: {rows} Poseidon rows", plan.hashes.len()));
    }

    // Lookups.
    let mut build_rows = 1; // the public-input gate
    let lookup_slots = routed / 2;
    let table_slots = routed / 3;
    let mut lut_ids = Vec::with_capacity(plan.luts.len());
    for lut in &plan.luts {
        lut_ids.push(builder.add_lookup_table_from_pairs(Arc::new(lut.pairs.clone())));
    }
    let mut first_owner: BTreeMap<usize, usize> = BTreeMap::new();
    let mut lookups_per_lut = vec![0usize; plan.luts.len()];
    for l in &plan.lookups {
        let out = builder.add_lookup_from_index(t(l.x), lut_ids[l.lut]);
        builder.connect(out, t(l.y));
        charge(l.owner, 1.0 / lookup_slots as f64);
        first_owner.entry(l.lut).or_insert(l.owner);
        lookups_per_lut[l.lut] += 1;
    }
    for (i, lut) in plan.luts.iter().enumerate() {
        let table_rows = lut.pairs.len().div_ceil(table_slots) + 1;
        build_rows += table_rows + lookups_per_lut[i].div_ceil(lookup_slots);
        if let Some(&o) = first_owner.get(&i) {
            charge(o, table_rows as f64);
        }
        detail.push(format!(
            "table {} ({} entries): {} lookups",
            lut.table,
            lut.pairs.len(),
            lookups_per_lut[i]
        ));
    }

    // Public inputs, hashed by Poseidon (8 per permutation row) in `build`.
    for &(x, owner) in &plan.publics {
        builder.register_public_input(t(x));
        charge(owner, 1.0 / 8.0);
    }
    build_rows += plan.publics.len().div_ceil(8) + 1; // + a constant gate

    Assembled {
        builder,
        plan,
        targets,
        limbs,
        rows_by_argument: rows,
        build_rows,
        detail: detail.join(", "),
    }
}

/// A built program circuit with what the witness needs.
pub struct Circuit {
    /// plonky2's circuit data (prover, verifier and common parts).
    pub data: CircuitData<F, C, D>,
    /// The plan (with chain partial sums).
    pub plan: Plan,
    /// One target per value.
    pub targets: Vec<Target>,
    /// Range-check limb positions.
    pub limbs: Vec<LimbFill>,
}

impl Circuit {
    /// Lowers, lays out and builds `program`. Deterministic: the same program gives the same
    /// circuit digest.
    pub fn build(program: &Program, zero_knowledge: bool) -> Result<Circuit, BackendError> {
        let plan = Plan::new(program)?;
        let mut a = assemble(plan, program_config(zero_knowledge));
        a.builder.config = config_for(zero_knowledge, a.builder.num_gates() + a.build_rows);
        let (builder, plan, targets, limbs) = (a.builder, a.plan, a.targets, a.limbs);
        let data = crate::catch("building the circuit", move || Ok(builder.build::<C>()))?;
        Ok(Circuit {
            data,
            plan,
            targets,
            limbs,
        })
    }

    /// The circuit of `program` around already-built circuit data (read from a proving key):
    /// the layout is recomputed (cheap), the expensive preprocessing is not.
    pub fn with_data(program: &Program, data: CircuitData<F, C, D>) -> Result<Circuit, BackendError> {
        let plan = Plan::new(program)?;
        let a = assemble(plan, data.common.config.clone());
        Ok(Circuit {
            data,
            plan: a.plan,
            targets: a.targets,
            limbs: a.limbs,
        })
    }

    /// The partial witness: every value target and every range limb, from `trace`.
    pub fn witness(&self, program: &Program, trace: &Trace) -> Result<PartialWitness<F>, BackendError> {
        let vars = trace_in_field(program, trace)?;
        let vals = self.plan.values(&vars);
        let mut pw = PartialWitness::new();
        let err = |e: anyhow::Error| BackendError::Prover(format!("witness: {e}"));
        for (&t, &v) in self.targets.iter().zip(&vals) {
            pw.set_target(t, v).map_err(err)?;
        }
        for f in &self.limbs {
            let r = &f.req;
            let mut value = r.u.0 * vals[r.u.1 .0 as usize] + r.offset;
            if let Some((c, v)) = r.v {
                value += c * vals[v.0 as usize];
            }
            let mut x = value.to_canonical_u64();
            let n = f.gate.limbs();
            for i in 0..n {
                let binary = f.gate.bits % 2 == 1 && i + 1 == n;
                let digit = if binary { x & 1 } else { x & 3 };
                x >>= 2;
                pw.set_target(
                    Target::wire(f.row, f.gate.wire_limb(f.slot, i)),
                    F::from_canonical_u64(digit),
                )
                .map_err(err)?;
            }
        }
        Ok(pw)
    }
}

/// The trace's values in the field, after checking its length and that every value lies in
/// the injective interval — `[0, p)` for a Poseidon digest value — (naming the first
/// argument that uses an offending variable).
pub fn trace_in_field(program: &Program, trace: &Trace) -> Result<Vec<F>, BackendError> {
    if trace.values.len() != program.num_vars as usize {
        return Err(BackendError::Unsatisfied(format!(
            "the trace has {} values but the program has {} variables",
            trace.values.len(),
            program.num_vars
        )));
    }
    let digest = digest_vars(program);
    let ok = |i: usize, v: i128| if digest[i] { canonical(v) } else { fits(v) };
    if let Some(i) = (0..trace.values.len()).find(|&i| !ok(i, trace.values[i])) {
        let v = trace.values[i];
        let user = program
            .arguments
            .iter()
            .position(|(a, _)| vars_of(a).iter().any(|x| x.0 as usize == i));
        let reason = if digest[i] {
            format!("v{i} = {v} is a Poseidon digest value but not a canonical Goldilocks element in [0, p); solve the program again")
        } else {
            format!(
                "v{i} = {v} does not fit Goldilocks' 63 signed bits (|v| < 2^62); quantize this node with fewer bits or rescale earlier"
            )
        };
        return Err(match user {
            Some(index) => does_not_fit(program, index, reason),
            None => BackendError::DoesNotFit {
                backend: "plonky2",
                reason,
            },
        });
    }
    Ok(trace.values.iter().map(|&v| to_field(v)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_cover_every_length() {
        let shapes = [4, 25, 79];
        for n in 0..400 {
            let c = chain(n, &shapes).unwrap();
            // First group holds up to its width, each next one passes the partial sum on.
            let capacity: usize = c[0] + c[1..].iter().map(|m| m - 1).sum::<usize>();
            assert!(capacity >= n, "n={n} {c:?}");
        }
        assert_eq!(chain(3, &[1]), None::<Vec<usize>>.or(None));
        assert_eq!(chain(1, &[1]), Some(vec![1]));
    }

    #[test]
    fn shapes_follow_the_histogram() {
        // Only 25-term sums: a 3-per-row shape of exactly 25 wins.
        let sizes = BTreeMap::from([(25usize, 1000usize)]);
        assert_eq!(choose_shapes(&sizes, 80), vec![25]);
    }
}
