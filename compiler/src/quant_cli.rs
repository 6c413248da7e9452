//! The fixed-point and visibility flags shared by `compile`, `run`, `table`, `bench` and the
//! other commands that calibrate a model.

use std::path::Path;

use anyhow::{bail, Context, Result};
use clap::Args;
use zkc_passes::{QuantConfig, Visibility, VisibilityConfig};

/// Fixed-point settings; defaults are chosen automatically.
#[derive(Args, Clone, Debug)]
pub struct QuantArgs {
    /// Calibration target: `accuracy` (finer scale) or `constraints` (smaller circuit).
    #[arg(long)]
    pub target: Option<String>,
    /// Activation scale s: values are integers / 2^s (default 14).
    #[arg(long)]
    pub scale: Option<u32>,
    /// Weight scale (default: the activation scale).
    #[arg(long)]
    pub weight_scale: Option<u32>,
    /// Lookup/range bits: the largest lookup table has 2^bits entries (default 12).
    #[arg(long)]
    pub bits: Option<u32>,
    /// Proven input range: every model input must satisfy |x| ≤ this (default: from the
    /// calibration data, twice the largest value rounded up to a power of two).
    #[arg(long)]
    pub input_range: Option<f64>,
    /// Refuse circuits with more witness values than this (checked node by node).
    #[arg(long)]
    pub max_vars: Option<u64>,
    #[command(flatten)]
    pub visibility: VisibilityArgs,
}

/// Who sees the inputs, weights and outputs. `hashed` keeps the values private and makes a
/// Poseidon hash of them public (computed in the circuit; `zkc hash` computes it outside).
#[derive(Args, Clone, Default, Debug)]
pub struct VisibilityArgs {
    /// Model inputs: public, private or hashed [default: private].
    #[arg(long, value_name = "V")]
    pub input_visibility: Option<Visibility>,
    /// Weights and biases: fixed (constants of the circuit), public, private or hashed
    /// [default: fixed]. Non-fixed weights are witness values kept in params.zkc for the
    /// prover, and every weight·input product costs a multiplication.
    #[arg(long, value_name = "V")]
    pub param_visibility: Option<Visibility>,
    /// Model outputs: public, private or hashed [default: public].
    #[arg(long, value_name = "V")]
    pub output_visibility: Option<Visibility>,
}

impl VisibilityArgs {
    pub fn config(&self) -> Result<VisibilityConfig> {
        let d = VisibilityConfig::default();
        let c = VisibilityConfig {
            input: self.input_visibility.unwrap_or(d.input),
            params: self.param_visibility.unwrap_or(d.params),
            output: self.output_visibility.unwrap_or(d.output),
        };
        c.validate().map_err(anyhow::Error::msg)?;
        Ok(c)
    }

    /// Checks the flags given against a compiled circuit's visibility.
    pub fn check(&self, path: &Path, have: VisibilityConfig) -> Result<()> {
        for (flag, want, got) in [
            ("--input-visibility", self.input_visibility, have.input),
            ("--param-visibility", self.param_visibility, have.params),
            ("--output-visibility", self.output_visibility, have.output),
        ] {
            if let Some(w) = want {
                if w != got {
                    bail!(
                        "{}: compiled with {flag} {got}, not {w}; visibility is fixed at compile time: recompile with `zkc compile ... {flag} {w}`",
                        path.display()
                    );
                }
            }
        }
        Ok(())
    }
}

impl QuantArgs {
    pub fn config(&self) -> Result<QuantConfig> {
        let mut c = match &self.target {
            None => QuantConfig::default(),
            Some(t) => QuantConfig::for_target(t)
                .with_context(|| format!("unknown --target `{t}`; use accuracy or constraints"))?,
        };
        if let Some(s) = self.scale {
            if s > 24 {
                bail!("--scale {s} is too large (at most 24)");
            }
            c.scale = s;
            c.weight_scale = self.weight_scale.unwrap_or(s);
        }
        if let Some(w) = self.weight_scale {
            if w > 24 {
                bail!("--weight-scale {w} is too large (at most 24)");
            }
            c.weight_scale = w;
        }
        if let Some(b) = self.bits {
            if !(4..=20).contains(&b) {
                bail!("--bits {b} is out of range (4..=20)");
            }
            c.lookup_bits = b;
        }
        if let Some(m) = self.max_vars {
            c.max_vars = m;
        }
        if let Some(r) = self.input_range {
            if !(r.is_finite() && r > 0.0) {
                bail!("--input-range must be a positive number");
            }
            c.input_range = Some(r);
        }
        c.visibility = self.visibility.config()?;
        Ok(c)
    }
}
