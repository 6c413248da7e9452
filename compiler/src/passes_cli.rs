//! `--passes LIST`, `--no-passes` and `--explain-passes`: which optimization passes run
//! (fuse, pack; all by default) and the driver that compiles with them.

use zkc_ir::{Graph, Tensor};
use zkc_passes::optimize::{self, Optimized, PassSet};
use zkc_passes::QuantConfig;

use crate::pipeline::{field_bits, PipelineError};

/// The pass flags, flattened into `compile`, `run` and `fullprove`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct PassArgs {
    /// Optimization passes to run, comma-separated: fuse (e-graph rewrites of the model),
    /// pack (program-level rewrites); `none` for none [default: fuse,pack]. Each keeps a
    /// rewrite only when the backend's cost model says the circuit got cheaper.
    #[arg(long, value_name = "LIST", conflicts_with = "no_passes")]
    pub passes: Option<String>,
    /// Run no optimization pass: the circuit is the direct lowering of the model.
    #[arg(long)]
    pub no_passes: bool,
    /// Print what each pass changed and the backend's cost before and after it.
    #[arg(long)]
    pub explain_passes: bool,
}

impl PassArgs {
    /// The chosen passes.
    pub fn set(&self) -> Result<PassSet, String> {
        if self.no_passes {
            return Ok(PassSet::none());
        }
        match &self.passes {
            None => Ok(PassSet::all()),
            Some(list) => PassSet::parse(list),
        }
    }
}

/// The backend whose cost model steers the passes when the target is not a proof system
/// (`run --fixed` compiles for the generic 252-bit field): Groth16, on the same field.
pub const FIXED_POINT_COST_MODEL: &str = "groth16";

/// Calibrates on `samples`, then lowers `graph` for `backend` after the chosen passes, each
/// steered by that backend's cost model (`none`: [`FIXED_POINT_COST_MODEL`]'s).
pub fn compile(
    graph: &Graph,
    samples: &[Vec<Tensor>],
    mut cfg: QuantConfig,
    backend: &str,
    passes: PassSet,
) -> Result<Optimized, PipelineError> {
    cfg.field_bits = field_bits(backend).ok_or_else(|| PipelineError::Backend(backend.into()))?;
    let plan = zkc_passes::calibrate(graph, samples, &cfg)?;
    let model = if backend == "none" {
        FIXED_POINT_COST_MODEL
    } else {
        backend
    };
    let b = crate::prover::backend(model)?;
    Ok(optimize::optimize(graph, &plan, b.as_ref(), passes, samples)?)
}

/// `zkc table` after the passes: for each backend, the optimized graph's nodes with that
/// backend's cost per node, and the totals before and after (the table above it, without
/// passes, is the "before" per node).
pub fn table_after(
    graph: &Graph,
    samples: &[Vec<Tensor>],
    cfg: &QuantConfig,
    backends: &[String],
    passes: PassSet,
) -> Result<String, PipelineError> {
    let mut out = String::new();
    for name in backends {
        let opt = compile(graph, samples, cfg.clone(), name, passes)?;
        let b = crate::prover::backend(name)?;
        let cost = b.cost(&opt.compiled.program);
        let mut g = opt.graph.clone();
        for (v, t) in g.values.iter_mut().zip(&opt.compiled.types) {
            if let Some(t) = t {
                v.ty = *t;
            }
        }
        let extra = crate::table::Extra {
            headers: vec![format!("{name} {} after passes", cost.unit)],
            cells: (0..g.nodes.len())
                .map(|i| vec![cost.per_node.get(&i).copied().unwrap_or(0).to_string()])
                .collect(),
        };
        out += &format!("\nafter passes for {name}:\n");
        out += &crate::table::render(&g, &extra);
        out += &format!(
            "total {name}: {} -> {} {} with passes ({})\n",
            opt.report.before, opt.report.after, cost.unit, cost.detail
        );
    }
    Ok(out)
}
