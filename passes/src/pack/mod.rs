//! The pack pass: program-level rewrites that change how many cells, gates or constraints
//! the arguments take, each kept only when the chosen backend's cost model says the program
//! got cheaper. The backends' own packers (halo2's column × row placement, plonky2's
//! operations per gate) then place the result; this pass decides *what* they place.
//!
//! Steps (each documented with its soundness argument at its function):
//! - [`exact_rescales`]: a `Rescale` by `2^k` of a `Linear` whose coefficients and constant
//!   are all multiples of `2^t` shifts by `k - t` instead (no `Rescale` at all when `t = k`):
//!   a sum-pool, a weight of 1, a scalar that is a power of two.
//! - [`merged_rescales`]: `Rescale(Rescale(x, a), b)` (directly or through an identity
//!   `Linear`) with the inner quotient used nowhere else becomes `Rescale(x, a + b)`: one
//!   remainder and one quotient range check instead of two, and one rounding instead of two.
//! - [`deferred_rescales`]: a `Rescale` whose quotient only feeds `Linear`s that are each
//!   rescaled again (a pool before a convolution) is folded into those later `Rescale`s.
//! - [`unscaled_outputs`]: an output that is a `Rescale` quotient only published is
//!   published unscaled (exact, at scale `s + k`): no remainder or quotient range check.
//! - [`widened_relus`]: a relu one bit narrower than its input's own signed decomposition
//!   gets that bit (one R1CS constraint per relu instead of two).
//! - [`shared_inputs`]: grants the backend [`zkc_runtime::Packing::shared_inputs`], laying
//!   `Linear`s over the same inputs out together (plonky2: one kernel-gate block per
//!   convolution position, the weights inside the gate, instead of one weighted sum per
//!   output channel with its weights in the row's constants). A layout freedom, not a
//!   rewrite: kept only when the backend's cost drops.

mod defer;
mod outputs;
mod relu_bits;

pub use defer::{deferred_rescales, deferred_rescales_within};
pub use outputs::unscaled_outputs;
pub use relu_bits::widened_relus;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use zkc_runtime::{Argument, Backend, Cost, Program, Var};

/// One step of the pass as it was tried.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PackStep {
    /// The step's name.
    pub name: String,
    /// Sites it rewrote.
    pub sites: usize,
    /// Backend cost (headline total) before and after the step.
    pub cost: (u64, u64),
    /// Whether the step was kept (it did not make the program costlier).
    pub kept: bool,
}

/// What the pack pass did.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PackReport {
    /// The steps in order.
    pub steps: Vec<PackStep>,
}

/// A comparable score: the headline total, then the sum over nodes as a tie-break (halo2's
/// rows can be set by a lookup table while the work around it shrinks).
pub fn score(c: &Cost) -> f64 {
    if c.total == u64::MAX {
        return f64::INFINITY;
    }
    c.total as f64 + c.per_node.values().sum::<u64>() as f64 * 1e-7
}

/// A step: the program, and the widest signed value (bits) the backend's field holds.
type Step = fn(&Program, u32) -> Option<(Program, usize)>;

const STEPS: [(&str, Step); 6] = [
    ("exact-rescale", |p, _| exact_rescales(p)),
    ("merge-rescales", |p, _| merged_rescales(p)),
    ("defer-rescales", |p, bits| {
        defer::deferred_rescales_within(p, bits.saturating_sub(3))
    }),
    ("unscaled-outputs", |p, _| outputs::unscaled_outputs(p)),
    ("widen-relus", |p, _| Some(relu_bits::widened_relus(p))),
    ("share-inputs", |p, _| shared_inputs(p)),
];

/// Steps that only grant a layout freedom: kept only if the backend gets strictly cheaper
/// (a backend that ignores the freedom keeps the program, and its hash, unchanged).
const FREEDOMS: [&str; 1] = ["share-inputs"];

/// Grants [`zkc_runtime::Packing::shared_inputs`]; the sites are the groups of two or more
/// `Linear`s over the same ordered inputs. Meaning-preserving by construction: no argument
/// changes, only how a backend may place them.
pub fn shared_inputs(p: &Program) -> Option<(Program, usize)> {
    if p.packing.shared_inputs {
        return None;
    }
    let mut groups: HashMap<Vec<Var>, usize> = HashMap::new();
    for (a, _) in &p.arguments {
        if let Argument::Linear { terms, .. } = a {
            if terms.len() > 1 {
                *groups.entry(terms.iter().map(|(_, v)| *v).collect()).or_default() += 1;
            }
        }
    }
    let sites = groups.values().filter(|&&n| n > 1).count();
    let mut out = p.clone();
    out.packing.shared_inputs = true;
    Some((out, sites))
}

/// Every step applied without asking the backend: what the fuse pass's search costs (one
/// backend call per candidate instead of one per step). `value_bits` is the backend's
/// ([`Backend::value_bits`]).
pub fn pack_all(program: &Program, value_bits: u32) -> Program {
    let mut cur = program.clone();
    for (_, step) in STEPS {
        if let Some((next, _)) = step(&cur, value_bits) {
            cur = next;
        }
    }
    cur
}

/// Runs every step on `program`, keeping those `backend` finds no costlier.
pub fn pack(program: &Program, backend: &dyn Backend) -> (Program, PackReport) {
    let steps = STEPS;
    let mut cur = program.clone();
    let mut cost = backend.cost(&cur);
    let mut report = PackReport::default();
    for (name, step) in steps {
        let Some((next, sites)) = step(&cur, backend.value_bits()) else {
            continue;
        };
        if sites == 0 {
            continue;
        }
        let c = backend.cost(&next);
        let kept = if FREEDOMS.contains(&name) {
            score(&c) < score(&cost)
        } else {
            score(&c) <= score(&cost)
        };
        report.steps.push(PackStep {
            name: name.into(),
            sites,
            cost: (cost.total, c.total),
            kept,
        });
        if kept {
            cur = next;
            cost = c;
        }
    }
    (cur, report)
}

/// Per variable: how many arguments read it, plus one if it is a model input or output.
fn uses(p: &Program) -> Vec<u32> {
    let mut u = vec![0u32; p.num_vars as usize];
    for (a, _) in &p.arguments {
        for v in a.reads() {
            u[v.0 as usize] += 1;
        }
    }
    for t in p.inputs.iter().chain(&p.outputs) {
        for v in &t.vars {
            u[v.0 as usize] += 1;
        }
    }
    u
}

/// Per variable: the argument that defines it.
fn definers(p: &Program) -> HashMap<Var, usize> {
    let mut d = HashMap::new();
    for (i, (a, _)) in p.arguments.iter().enumerate() {
        for v in a.defines() {
            d.insert(v, i);
        }
    }
    d
}

fn trailing_zeros(c: i128) -> u32 {
    if c == 0 {
        u32::MAX
    } else {
        c.trailing_zeros()
    }
}

/// `Rescale(Linear(Σ cᵢxᵢ + c₀), k)` with every `cᵢ`, `c₀` divisible by `2^t` (`t ≤ k`):
/// becomes `Rescale(Linear(Σ (cᵢ/2^t)xᵢ + c₀/2^t), k - t)`, or, when `t = k`, the Linear
/// defines the quotient itself.
///
/// Soundness: with `L = Σ cᵢxᵢ + c₀ = 2^t·L'`, `⌊(L + 2^(k-1)) / 2^k⌋ = ⌊(L' + 2^(k-t-1)) /
/// 2^(k-t)⌋` for `k > t`, and `L / 2^k = L'` exactly for `t = k`: the quotient is the same
/// integer, so every argument downstream (and its widths) is unchanged. The new Rescale
/// keeps its quotient range; for `t = k` the quotient is a Linear of proven variables and
/// needs none. Only Linears read by that Rescale alone are touched.
pub fn exact_rescales(p: &Program) -> Option<(Program, usize)> {
    let uses = uses(p);
    let def = definers(p);
    let mut out = p.clone();
    let mut removed = HashSet::new();
    let mut alias = HashMap::new();
    let mut sites = 0;
    for (i, (a, _)) in p.arguments.iter().enumerate() {
        let Argument::Rescale { x, q, r, k, .. } = a else {
            continue;
        };
        let Some(&j) = def.get(x) else { continue };
        let Argument::Linear { terms, constant, .. } = &p.arguments[j].0 else {
            continue;
        };
        if uses[x.0 as usize] != 1 || uses[r.0 as usize] != 0 || removed.contains(&j) {
            continue;
        }
        let t = terms
            .iter()
            .map(|(c, _)| trailing_zeros(*c))
            .chain([trailing_zeros(*constant)])
            .min()
            .unwrap_or(u32::MAX)
            .min(*k);
        if t == 0 {
            continue;
        }
        sites += 1;
        let nterms: Vec<(i128, Var)> = terms.iter().map(|&(c, v)| (c >> t, v)).collect();
        let nconst = constant >> t;
        if t == *k {
            removed.insert(i);
            if nconst == 0 && nterms.len() == 1 && nterms[0].0 == 1 {
                // q = y: read y wherever q was read.
                removed.insert(j);
                alias.insert(*q, nterms[0].1);
            } else {
                out.arguments[j].0 = Argument::Linear {
                    out: *q,
                    terms: nterms,
                    constant: nconst,
                };
            }
        } else {
            out.arguments[j].0 = Argument::Linear {
                out: *x,
                terms: nterms,
                constant: nconst,
            };
            if let Argument::Rescale { k: kk, .. } = &mut out.arguments[i].0 {
                *kk = *k - t;
            }
        }
    }
    Some((compact(&out, &removed, &alias)?, sites))
}

/// `Rescale(Rescale(x, a) → q₁, b) → q₂` with `q₁` read only there (and `r₁` nowhere):
/// becomes `Rescale(x, a + b) → q₂` with `q₂`'s width. The same through an identity
/// `Linear` `y = 1·q₁` read only by the outer Rescale (a scale by a power of two after
/// `exact-rescale`, as attention's `1/√d` for `d = 16`): the Linear goes too.
///
/// Soundness: the merged argument is a Rescale like any other (remainder on `a + b` bits,
/// quotient on the old width), fully constrained. Completeness: for the lowering's bound
/// `B ≥ |x|`, the old quotient bound was `⌊(⌊(B + 2^(a-1)) / 2^a⌋ + 2^(b-1)) / 2^b⌋ =
/// ⌊(B + 2^(a-1) + 2^(a+b-1)) / 2^(a+b)⌋`, at least `|⌊(x + 2^(a+b-1)) / 2^(a+b)⌋|`, so
/// the single-rounding quotient fits every width derived from the old one. It differs from
/// the double rounding by at most one unit (and is the more exact of the two).
pub fn merged_rescales(p: &Program) -> Option<(Program, usize)> {
    let mut cur = p.clone();
    let mut total = 0;
    loop {
        let uses = uses(&cur);
        let def = definers(&cur);
        let mut out = cur.clone();
        let mut removed = HashSet::new();
        let mut sites = 0;
        for (i, (a, _)) in cur.arguments.iter().enumerate() {
            let Argument::Rescale { x: y, k: b, .. } = a else {
                continue;
            };
            let Some(&j0) = def.get(y) else { continue };
            // Through an identity Linear `y = 1·q₁` (what `exact-rescale` leaves of a
            // multiplication by a power of two), read only here.
            let (q1, identity) = match &cur.arguments[j0].0 {
                Argument::Linear { terms, constant: 0, .. }
                    if terms.len() == 1 && terms[0].0 == 1 && uses[y.0 as usize] == 1 =>
                {
                    (terms[0].1, Some(j0))
                }
                _ => (*y, None),
            };
            let Some(&j) = def.get(&q1) else { continue };
            let Argument::Rescale { x, q, r, k: a1, .. } = &cur.arguments[j].0 else {
                continue;
            };
            if *q != q1
                || uses[q1.0 as usize] != 1
                || uses[r.0 as usize] != 0
                || removed.contains(&j)
                || removed.contains(&i)
                || identity.is_some_and(|l| removed.contains(&l))
            {
                continue;
            }
            if let Argument::Rescale { x: xx, k: kk, .. } = &mut out.arguments[i].0 {
                *xx = *x;
                *kk = a1 + b;
            }
            removed.insert(j);
            removed.extend(identity);
            sites += 1;
        }
        if sites == 0 {
            return Some((cur, total));
        }
        total += sites;
        cur = compact(&out, &removed, &HashMap::new())?;
    }
}

/// Drops the arguments in `removed`, reads `alias[v]` for `v`, and renumbers the variables
/// densely in order of definition.
fn compact(p: &Program, removed: &HashSet<usize>, alias: &HashMap<Var, Var>) -> Option<Program> {
    let resolve = |mut v: Var| {
        while let Some(&w) = alias.get(&v) {
            v = w;
        }
        v
    };
    let kept: Vec<_> = p
        .arguments
        .iter()
        .enumerate()
        .filter(|(i, _)| !removed.contains(i))
        .map(|(_, a)| a.clone())
        .collect();
    let mut map: BTreeMap<Var, Var> = BTreeMap::new();
    for (a, _) in &kept {
        for v in a.defines() {
            let n = Var(map.len() as u32);
            map.entry(v).or_insert(n);
        }
    }
    let m = |v: Var| map.get(&resolve(v)).copied();
    let mut args = Vec::with_capacity(kept.len());
    for (a, o) in kept {
        args.push((remap(&a, &m)?, o));
    }
    let mut out = p.clone();
    out.num_vars = map.len() as u32;
    out.arguments = args;
    for t in out.inputs.iter_mut().chain(out.outputs.iter_mut()) {
        t.vars = t.vars.iter().map(|&v| m(v)).collect::<Option<_>>()?;
    }
    Some(out)
}

fn remap(a: &Argument, m: &dyn Fn(Var) -> Option<Var>) -> Option<Argument> {
    Some(match a {
        Argument::Input { x, index } => Argument::Input {
            x: m(*x)?,
            index: *index,
        },
        Argument::Linear { out, terms, constant } => Argument::Linear {
            out: m(*out)?,
            terms: terms.iter().map(|&(c, v)| Some((c, m(v)?))).collect::<Option<_>>()?,
            constant: *constant,
        },
        Argument::Mul { out, a, b } => Argument::Mul {
            out: m(*out)?,
            a: m(*a)?,
            b: m(*b)?,
        },
        Argument::Range { x, bits } => Argument::Range { x: m(*x)?, bits: *bits },
        Argument::Lookup { x, y, table } => Argument::Lookup {
            x: m(*x)?,
            y: m(*y)?,
            table: *table,
        },
        Argument::Rescale { x, q, r, k, q_bits } => Argument::Rescale {
            x: m(*x)?,
            q: m(*q)?,
            r: m(*r)?,
            k: *k,
            q_bits: *q_bits,
        },
        Argument::Div { n, d, q, r, bits } => Argument::Div {
            n: m(*n)?,
            d: m(*d)?,
            q: m(*q)?,
            r: m(*r)?,
            bits: *bits,
        },
        Argument::Max { out, a, b, bits } => Argument::Max {
            out: m(*out)?,
            a: m(*a)?,
            b: match b {
                Some(b) => Some(m(*b)?),
                None => None,
            },
            bits: *bits,
        },
        Argument::Public { x } => Argument::Public { x: m(*x)? },
        Argument::Hash { inputs, digest, kind } => Argument::Hash {
            inputs: inputs.iter().map(|&v| m(v)).collect::<Option<_>>()?,
            digest: [m(digest[0])?, m(digest[1])?, m(digest[2])?, m(digest[3])?],
            kind: *kind,
        },
    })
}
