//! The optimization pipeline: fuse (graph level) then pack (program level), both driven by
//! the chosen backend's cost model, with what each changed and the cost before and after.

use serde::{Deserialize, Serialize};
use zkc_ir::{Graph, Tensor};
use zkc_runtime::Backend;

use crate::fuse::{self, FuseConfig, FuseReport};
use crate::lower::{lower, Compiled, LowerError};
use crate::pack::{self, PackReport};
use crate::quantize::QuantPlan;

/// The passes that can be chosen on the command line.
pub const PASSES: &[&str] = &["fuse", "pack"];

/// Which passes run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassSet {
    /// Graph rewrites with egg.
    pub fuse: bool,
    /// Program-level rewrites.
    pub pack: bool,
}

impl PassSet {
    /// Every pass (the default).
    pub fn all() -> Self {
        PassSet { fuse: true, pack: true }
    }

    /// No pass: the circuit is the direct lowering of the imported graph.
    pub fn none() -> Self {
        PassSet {
            fuse: false,
            pack: false,
        }
    }

    /// Parses a comma-separated list such as `fuse,pack` (`none` for no pass).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut s = PassSet::none();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "fuse" => s.fuse = true,
                "pack" => s.pack = true,
                "none" => {}
                other => {
                    return Err(format!(
                        "unknown pass `{other}`; choose from {} (or `none`)",
                        PASSES.join(", ")
                    ))
                }
            }
        }
        Ok(s)
    }

    /// Whether any pass runs.
    pub fn any(&self) -> bool {
        self.fuse || self.pack
    }
}

/// What the passes did, with the backend's cost (headline total) after each stage.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PassReport {
    /// The backend.
    pub backend: String,
    /// Its cost unit.
    pub unit: String,
    /// Cost of the direct lowering.
    pub before: u64,
    /// Cost after fuse (when it ran).
    pub after_fuse: Option<u64>,
    /// Cost after every pass.
    pub after: u64,
    /// The fuse pass's report.
    pub fuse: Option<FuseReport>,
    /// Why fuse's result was discarded, if it was.
    pub fuse_discarded: Option<String>,
    /// The pack pass's report.
    pub pack: Option<PackReport>,
}

impl PassReport {
    /// Human-readable lines for `zkc compile --explain-passes`.
    pub fn explain(&self) -> String {
        let mut s = String::new();
        let pct = |a: u64, b: u64| {
            if a == 0 {
                0.0
            } else {
                100.0 * (a as f64 - b as f64) / a as f64
            }
        };
        s += &format!("passes for {}: cost in {}\n", self.backend, self.unit);
        s += &format!("  direct lowering: {}\n", self.before);
        if let Some(f) = &self.fuse {
            let after = self.after_fuse.unwrap_or(self.before);
            s += &format!(
                "  fuse (lowered, before pack): {} -> {} ({:.1}% less); e-graph {} classes / {} nodes, {} graphs costed\n",
                self.before,
                after,
                pct(self.before, after),
                f.egraph.0,
                f.egraph.1,
                f.evaluations
            );
            let fired: Vec<String> = f.rules_fired.iter().map(|(r, n)| format!("{r}×{n}")).collect();
            s += &format!(
                "    rules fired: {}\n",
                if fired.is_empty() {
                    "none".into()
                } else {
                    fired.join(", ")
                }
            );
            if let Some(why) = &self.fuse_discarded {
                s += &format!("    result discarded: {why}\n");
            }
            for r in &f.removed {
                s += &format!("    - {r}\n");
            }
            for a in &f.added {
                s += &format!("    + {a}\n");
            }
        }
        if let Some(p) = &self.pack {
            for st in &p.steps {
                s += &format!(
                    "  pack/{}: {} site(s), {} -> {} ({}){}\n",
                    st.name,
                    st.sites,
                    st.cost.0,
                    st.cost.1,
                    if st.kept { "kept" } else { "not kept: costlier" },
                    if st.kept {
                        format!(", {:.1}% less", pct(st.cost.0, st.cost.1))
                    } else {
                        String::new()
                    }
                );
            }
        }
        s += &format!(
            "  total: {} -> {} ({:.1}% less)\n",
            self.before,
            self.after,
            pct(self.before, self.after)
        );
        s
    }
}

/// The optimized model: the graph after fuse, its compiled program after pack, the report.
#[derive(Clone, Debug)]
pub struct Optimized {
    /// The graph the program was lowered from.
    pub graph: Graph,
    /// The program and its types (indexed by `graph`'s values).
    pub compiled: Compiled,
    /// What happened.
    pub report: PassReport,
}

/// Largest difference between two lists of tensors relative to their size.
fn float_mismatch(a: &[Tensor], b: &[Tensor]) -> f64 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| {
            x.data
                .iter()
                .zip(&y.data)
                .map(|(p, q)| (p - q).abs() / (1.0 + p.abs().max(q.abs())))
        })
        .fold(0.0, f64::max)
}

/// `graph` with every constant weight of a Conv or MatMul rounded to the weight grid
/// `2^-s_w`: the lowering quantizes them that way anyway, so the circuit is the same, and
/// rewrites that rely on integral weights (`matmul-defer-rescale`) become exact.
pub fn snap_weights(graph: &Graph, weight_scale: u32) -> Graph {
    let k = (1u64 << weight_scale) as f64;
    let mut g = graph.clone();
    for n in &graph.nodes {
        let w = match (&n.op, n.inputs.get(1)) {
            (zkc_ir::Op::Conv(_) | zkc_ir::Op::MatMul, Some(&w)) => w,
            _ => continue,
        };
        if let Some(t) = &mut g.values[w.0].constant {
            for v in &mut t.data {
                *v = (*v * k).round() / k;
            }
        }
    }
    g
}

/// Deterministic inputs spread over the calibrated ranges (half of each), so the
/// fixed-point check has data even when the ranges were given without samples.
fn probe_inputs(graph: &Graph, plan: &QuantPlan) -> Vec<Vec<Tensor>> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    (0..2)
        .map(|_| {
            graph
                .inputs
                .iter()
                .zip(&plan.input_ranges)
                .map(|(&v, &r)| {
                    let shape = graph.value(v).shape.clone();
                    let n = shape.iter().product();
                    Tensor::new(shape, (0..n).map(|_| next() * r * 0.5).collect())
                })
                .collect()
        })
        .collect()
}

/// The fixed-point outputs of `program` on each input set (`None` when one does not solve).
fn fixed_outputs(
    compiled: &Compiled,
    program: &zkc_runtime::Program,
    inputs: &[Vec<Tensor>],
) -> Option<Vec<Vec<Tensor>>> {
    let c = Compiled {
        program: program.clone(),
        ..compiled.clone()
    };
    inputs
        .iter()
        .map(|i| {
            let ints = crate::lower::quantize_inputs(&c, i).ok()?;
            let trace = zkc_runtime::solver::solve(program, &ints).ok()?;
            Some(crate::lower::dequantize_outputs(program, &trace))
        })
        .collect()
}

/// How far fixed-point outputs may be from the float model: no further than the direct
/// lowering's own error (or one unit of the scale, when that is larger), so
/// that the passes never trade away the accuracy the scale was chosen for. A changed
/// rounding order moves outputs by a unit or two; a weight scaled below the weight grid
/// moves them much more.
fn tolerance(direct_error: f64, scale: u32) -> f64 {
    direct_error.max(2f64.powi(-(scale as i32)))
}

/// Largest mismatch of fixed-point outputs against float ones over all probes.
fn error(fixed: &[Vec<Tensor>], float: &[Vec<Tensor>]) -> f64 {
    fixed
        .iter()
        .zip(float)
        .map(|(x, y)| float_mismatch(x, y))
        .fold(0.0, f64::max)
}

/// Lowers `graph` under `plan` after the chosen passes, each steered by `backend`'s cost.
/// `samples` (the calibration inputs) double-check that the fused graph computes the same
/// float outputs; a fused graph that does not is discarded (and the report says so).
pub fn optimize(
    graph: &Graph,
    plan: &QuantPlan,
    backend: &dyn Backend,
    passes: PassSet,
    samples: &[Vec<Tensor>],
) -> Result<Optimized, LowerError> {
    let base = lower(graph, plan)?;
    let cost0 = backend.cost(&base.program);
    let mut report = PassReport {
        backend: backend.name().into(),
        unit: cost0.unit.into(),
        before: cost0.total,
        after: cost0.total,
        ..PassReport::default()
    };
    let mut probes: Vec<Vec<Tensor>> = samples.to_vec();
    probes.extend(probe_inputs(graph, plan));
    probes.retain(|p| crate::lower::quantize_inputs(&base, p).is_ok());
    let float: Vec<Vec<Tensor>> = probes.iter().filter_map(|p| graph.run(p).ok()).collect();
    if float.len() != probes.len() {
        probes.clear();
    }
    // The accuracy budget: what the direct lowering achieves on the probes, a bit more.
    let budget =
        fixed_outputs(&base, &base.program, &probes).map(|direct| tolerance(error(&direct, &float), plan.config.scale));
    let (mut g, mut compiled) = (graph.clone(), base.clone());
    // Weights that are witness values (public, private or hashed) are the model's own,
    // quantized: folding would change what params.zkc holds and what a commitment binds to.
    let fuse = passes.fuse && plan.config.visibility.params == crate::Visibility::Fixed;
    if passes.fuse && !fuse {
        report.fuse_discarded =
            Some("not run: the weights are witness values (--param-visibility), kept as the model has them".into());
    }
    if fuse {
        let snapped = snap_weights(graph, plan.config.weight_scale);
        let mut score = |cand: &Graph| -> Option<f64> {
            let c = lower(cand, plan).ok()?;
            let p = if passes.pack {
                pack::pack_all(&c.program, backend.value_bits())
            } else {
                c.program.clone()
            };
            // A candidate exact over the reals can still lose precision in fixed point (a
            // weight scaled below the weight grid): its outputs must match the direct
            // lowering's on the probe inputs.
            if let Some(t) = budget {
                if error(&fixed_outputs(&c, &p, &probes)?, &float) > t {
                    return None;
                }
            }
            let s = pack::score(&backend.cost(&p));
            s.is_finite().then_some(s)
        };
        let cfg = FuseConfig {
            weight_scale: Some(plan.config.weight_scale),
            ..FuseConfig::default()
        };
        let (fused, frep) = fuse::fuse(&snapped, &cfg, &mut score);
        let mismatch = probes
            .iter()
            .filter_map(|s| Some(float_mismatch(&snapped.run(s).ok()?, &fused.run(s).ok()?)))
            .fold(0.0, f64::max);
        if mismatch > 1e-6 {
            report.fuse_discarded = Some(format!(
                "its float outputs differ from the model's by {mismatch:.2e} on the calibration samples (a rule bug: please report it)"
            ));
        } else if fused != snapped {
            match lower(&fused, plan) {
                Ok(c) => {
                    g = fused;
                    compiled = c;
                }
                Err(e) => report.fuse_discarded = Some(format!("it does not lower: {e}")),
            }
        }
        report.after_fuse = Some(backend.cost(&compiled.program).total);
        report.fuse = Some(frep);
    }
    if passes.pack {
        let (p, prep) = pack::pack(&compiled.program, backend);
        // The same fixed-point check as for fuse's candidates; pack's rewrites are exact or
        // change one rounding, so this only fails on a bug.
        let ok = match (budget, fixed_outputs(&compiled, &p, &probes)) {
            (Some(t), Some(o)) => error(&o, &float) <= t,
            (None, _) => true,
            (Some(_), None) => false,
        };
        if ok {
            compiled.program = p;
        }
        report.pack = Some(prep);
    }
    report.after = backend.cost(&compiled.program).total;
    if report.after > report.before {
        // Never costlier than no pass at all (the search scores with every pack step on,
        // the cost-checked pack may keep fewer).
        report
            .fuse_discarded
            .get_or_insert_with(|| "the result was costlier than the direct lowering".into());
        (g, compiled) = (graph.clone(), base);
        report.after = report.before;
    }
    Ok(Optimized {
        graph: g,
        compiled,
        report,
    })
}
