//! Layout search: picks `k`, the slot count and width, the lanes and the limb width so the
//! program fits the cheapest circuit, by an estimated proving cost (commitments of size
//! `2^k`), then packs for real ([`crate::plan::pack`]).

use std::collections::{BTreeMap, BTreeSet};

use zkc_runtime::{Argument, BackendError, Program};

use crate::plan::{self, check_tags, limbs, range_size, Plan, Shape, MIN_WIDTH};
use crate::poseidon;
use crate::srs::MAX_K;

/// Rows at the end of the domain that halo2 reserves for blinding (`blinding_factors + 1`;
/// every advice column is queried at two rotations, so halo2 uses 5 blinding factors).
pub const UNUSABLE_ROWS: usize = 6;

/// The smallest `k` (halo2 needs at least 8 rows for this constraint system).
const MIN_K: u32 = 4;

const WIDTHS: &[usize] = &[5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 18, 20, 22, 24, 26, 28, 32];

/// How a program is laid out on the halo2 grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// `log2` of the number of rows.
    pub k: u32,
    /// Advice columns (slots × width + range lanes + 2 × lookup lanes + 9 × hash groups).
    pub advice_columns: usize,
    /// Fixed columns (gate coefficients, lane tags, lookup table).
    pub fixed_columns: usize,
    /// Rows in use (advice cells, lookup table, public values), at most `2^k - 6`.
    pub rows: usize,
    /// Arithmetic slots side by side.
    pub slots: usize,
    /// Advice columns per slot.
    pub slot_width: usize,
    /// Range-check lanes.
    pub range_lanes: usize,
    /// Table-lookup lanes.
    pub lookup_lanes: usize,
    /// Limb width of the range table.
    pub limb_bits: u32,
    /// Poseidon hash groups (9 advice columns each; 0 without a Hash).
    pub hash_groups: usize,
    /// Rows of the lookup table.
    pub table_rows: usize,
    /// Row-equivalents per IR node: the grid units (slot-rows, lane rows, lookup rows) the
    /// node's arguments use, divided by the number of units per row, rounded up.
    pub per_node_rows: BTreeMap<usize, u64>,
}

/// Usable rows for `k`.
pub fn usable_rows(k: u32) -> usize {
    (1usize << k).saturating_sub(UNUSABLE_ROWS)
}

/// Program statistics the estimate needs.
struct Stats {
    slot_units: Vec<u64>,
    max_chain: Vec<u64>,
    checks: BTreeMap<(u32, bool), u64>,
    max_bits: u32,
    lookups: u64,
    table_entries: u64,
    publics: u64,
    f2: u32,
    /// Rows the Hashes need in the hash groups, and the most one permutation needs at once.
    hash_rows: u64,
}

fn stats(program: &Program) -> Stats {
    let mut slot_units = vec![0u64; WIDTHS.len()];
    let mut max_chain = vec![1u64; WIDTHS.len()];
    let mut checks = BTreeMap::new();
    let mut lookups = 0;
    let mut tables = BTreeSet::new();
    let mut publics = 0;
    let mut inputs = 0u64;
    let mut f2 = 0;
    let mut hash_rows = 0u64;
    for (arg, _) in &program.arguments {
        f2 = f2.max(plan::f2_of(arg));
        hash_rows += plan::group_rows_of(arg) as u64;
        for (i, &w) in WIDTHS.iter().enumerate() {
            let r = plan::slot_rows_of(arg, w) as u64;
            slot_units[i] += r;
            max_chain[i] = max_chain[i].max(r);
        }
        for c in plan::checks_of(arg) {
            *checks.entry(c).or_insert(0) += 1;
        }
        match arg {
            Argument::Lookup { table, .. } => {
                lookups += 1;
                tables.insert(*table);
            }
            Argument::Public { .. } => publics += 1,
            Argument::Input { .. } => inputs += 1,
            _ => {}
        }
    }
    for (i, &w) in WIDTHS.iter().enumerate() {
        slot_units[i] += inputs.div_ceil(w as u64) + 1;
    }
    let table_entries = tables
        .iter()
        .filter_map(|&t| program.tables.get(t))
        .map(|t| t.values.len() as u64)
        .sum();
    let max_bits = checks.keys().map(|&(b, _)| b).max().unwrap_or(0);
    Stats {
        slot_units,
        max_chain,
        checks,
        max_bits,
        lookups,
        table_entries,
        publics,
        f2,
        hash_rows,
    }
}

/// Estimated proving cost of a shape at `k` (in field-element operations of size `2^k`):
/// advice commitments, permutation products (3 columns each), 3 polynomials per lookup,
/// 4 quotient pieces, and a lighter charge for fixed and permutation columns.
fn cost(k: u32, sh: &Shape) -> f64 {
    let a = sh.advice_columns() as f64;
    let e = sh.equality_columns() as f64;
    let z = ((e + 1.0) / 3.0).ceil();
    let lk = (sh.lanes + sh.pairs) as f64;
    let f = sh.fixed_columns() as f64;
    (1u64 << k) as f64 * (a + z + 3.0 * lk + 4.0 + 0.25 * (f + e + 1.0))
}

/// Rows of the fullest hash group when `rows` are spread over `groups`: a Hash continues in
/// its group until that is a permutation ahead, and each group ends with an output row.
fn group_rows(rows: u64, groups: usize) -> u64 {
    if groups == 0 {
        0
    } else {
        rows.div_ceil(groups as u64) + poseidon::BLOCK_ROWS as u64 + 2
    }
}

/// Candidate shapes in order of estimated cost.
fn candidates(st: &Stats) -> Vec<(f64, u32, Shape)> {
    let mut best: Vec<(f64, u32, Shape)> = Vec::new();
    let keep = 12;
    let need_lanes = !st.checks.is_empty();
    let need_pairs = st.lookups > 0;
    let mut first_feasible: Option<u32> = None;
    for k in MIN_K..=MAX_K {
        if let Some(f) = first_feasible {
            if k > f + 2 {
                break;
            }
        }
        let usable = usable_rows(k) as u64;
        let limb_choices: Vec<u32> = if need_lanes {
            (1..=(k - 1).min(24).min(st.max_bits.max(1))).collect()
        } else {
            vec![1]
        };
        for &l in &limb_choices {
            let (lane_units, table) = if need_lanes {
                let mut tags = BTreeSet::new();
                let mut units = 0u64;
                for (&(bits, signed), &count) in &st.checks {
                    units += count * limbs(bits, l).0 as u64;
                    tags.extend(check_tags(bits, signed, l));
                }
                (units, tags.iter().map(|&(w, _)| range_size(w)).sum::<u64>())
            } else {
                (0, 0)
            };
            let table = table + st.table_entries;
            if (need_lanes || need_pairs) && table + 1 > usable {
                continue;
            }
            let max_limbs = limbs(st.max_bits, l).0 as u64;
            for (wi, &w) in WIDTHS.iter().enumerate() {
                for slots in 1..=4usize {
                    if slots * w > 64 {
                        break;
                    }
                    let slot_rows = st.slot_units[wi].div_ceil(slots as u64) + st.max_chain[wi];
                    if slot_rows > usable {
                        continue;
                    }
                    let lane_opts: Vec<usize> = if need_lanes { (1..=8).collect() } else { vec![0] };
                    let pair_opts: Vec<usize> = if need_pairs { (1..=4).collect() } else { vec![0] };
                    let group_opts: Vec<usize> = if st.hash_rows > 0 {
                        (1..=4).filter(|&g| group_rows(st.hash_rows, g) <= usable).collect()
                    } else {
                        vec![0]
                    };
                    for &lanes in &lane_opts {
                        let lane_rows = if lanes > 0 {
                            lane_units.div_ceil(lanes as u64) + max_limbs
                        } else {
                            0
                        };
                        if lane_rows > usable {
                            continue;
                        }
                        for &pairs in &pair_opts {
                            let pair_rows = if pairs > 0 {
                                st.lookups.div_ceil(pairs as u64) + 1
                            } else {
                                0
                            };
                            if pair_rows > usable || st.publics > usable {
                                continue;
                            }
                            for &hash_groups in &group_opts {
                                let sh = Shape {
                                    slots,
                                    width: w,
                                    lanes,
                                    pairs,
                                    limb_bits: l,
                                    f2: st.f2,
                                    hash_groups,
                                };
                                let c = cost(k, &sh);
                                first_feasible.get_or_insert(k);
                                if best.len() < keep || c < best[best.len() - 1].0 {
                                    let at = best.partition_point(|b| b.0 <= c);
                                    best.insert(at, (c, k, sh));
                                    best.truncate(keep);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    best
}

/// Lays `program` out: the chosen `k` and the full placement.
pub fn plan_program(program: &Program) -> Result<(u32, Plan), BackendError> {
    debug_assert!(WIDTHS[0] >= MIN_WIDTH);
    zkc_runtime::field_bounds::BN254
        .check_program(program)
        .map_err(|e| BackendError::DoesNotFit {
            backend: "halo2",
            reason: e.to_string(),
        })?;
    for (i, (arg, _)) in program.arguments.iter().enumerate() {
        if let Argument::Hash { kind, .. } = arg {
            crate::args::hash::check_kind(i, *kind)?;
        }
    }
    let st = stats(program);
    let cands = candidates(&st);
    if cands.is_empty() {
        return Err(BackendError::DoesNotFit {
            backend: "halo2",
            reason: format!(
                "no layout fits in 2^{MAX_K} rows (range checks up to {} bits, {} lookups, {} Poseidon rows)",
                st.max_bits, st.lookups, st.hash_rows
            ),
        });
    }
    let mut last_err = None;
    let (_, best_k, best_shape) = cands[0];
    // The estimate can be short (e.g. many variables no argument mentions): after the
    // candidates, grow k for the best shape until it fits.
    let fallback = (best_k + 1..=MAX_K).map(|k| (0.0, k, best_shape));
    for (_, k, shape) in cands.into_iter().chain(fallback) {
        match plan::pack(program, shape, usable_rows(k)) {
            Ok(plan) => return Ok((k, plan)),
            Err(e @ BackendError::DoesNotFit { .. }) if e.to_string().contains("larger k") => last_err = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_err.expect("at least one candidate was tried"))
}

/// The layout of `program` (what `zkc table` shows for halo2).
pub fn layout(program: &Program) -> Result<Layout, BackendError> {
    let (k, plan) = plan_program(program)?;
    Ok(describe(k, &plan))
}

/// Summarizes a plan.
pub fn describe(k: u32, plan: &Plan) -> Layout {
    let sh = plan.shape;
    let parallel = (sh.slots + sh.lanes + sh.pairs + sh.hash_groups).max(1) as u64;
    Layout {
        k,
        advice_columns: sh.advice_columns(),
        fixed_columns: sh.fixed_columns(),
        rows: plan
            .rows
            .max(if sh.has_table() { plan.table_rows + 1 } else { 0 })
            .max(plan.publics.len()),
        slots: sh.slots,
        slot_width: sh.width,
        range_lanes: sh.lanes,
        lookup_lanes: sh.pairs,
        limb_bits: sh.limb_bits,
        hash_groups: sh.hash_groups,
        table_rows: plan.table_rows,
        per_node_rows: plan
            .units_per_node
            .iter()
            .map(|(&n, &u)| (n, u.div_ceil(parallel)))
            .collect(),
    }
}
