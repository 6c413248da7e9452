//! Calibration: from sample inputs to the fixed-point plan (scales and proven input ranges).
//!
//! All activations share one scale `s` (value = integer / 2^s) and weights use `s_w`; a
//! product is brought back to `s` by a Rescale. What calibration decides is the range of
//! each model input: an input outside it is an error at proving time, never clipped.

use serde::{Deserialize, Serialize};
use zkc_ir::{Graph, Tensor};

use crate::visibility::VisibilityConfig;

/// Fixed-point settings. The default scale 2^-14 gives outputs at least as accurate as
/// EZKL 23's defaults on the shared models.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuantConfig {
    /// Activation scale `s`.
    pub scale: u32,
    /// Weight scale `s_w`.
    pub weight_scale: u32,
    /// Largest lookup table, as log2 of its size; wider inputs are rescaled or saturated.
    pub lookup_bits: u32,
    /// Signed bits a value may use in the target field (from the backend).
    pub field_bits: u32,
    /// How much wider than the largest calibration value the input range is (factor ≥ 1).
    pub input_margin: f64,
    /// Explicit input ranges (max |value| per model input), overriding calibration.
    pub input_range: Option<f64>,
    /// The most witness values a circuit may have; lowering stops at the node that exceeds it.
    #[serde(default = "default_max_vars")]
    pub max_vars: u64,
    /// Who sees the inputs, parameters and outputs (see [`crate::visibility`]).
    #[serde(default)]
    pub visibility: VisibilityConfig,
}

fn default_max_vars() -> u64 {
    DEFAULT_MAX_VARS
}

/// Default circuit size limit: 2^26 witness values.
pub const DEFAULT_MAX_VARS: u64 = 1 << 26;

impl Default for QuantConfig {
    fn default() -> Self {
        QuantConfig {
            scale: 14,
            weight_scale: 14,
            lookup_bits: 12,
            field_bits: 252,
            input_margin: 2.0,
            input_range: None,
            max_vars: DEFAULT_MAX_VARS,
            visibility: VisibilityConfig::default(),
        }
    }
}

impl QuantConfig {
    /// The configuration for a calibration target: `accuracy` (finer scale) or `constraints`
    /// (coarser scale, smaller tables and range checks).
    pub fn for_target(target: &str) -> Option<Self> {
        match target {
            "accuracy" => Some(QuantConfig {
                scale: 16,
                weight_scale: 16,
                lookup_bits: 14,
                ..Default::default()
            }),
            "constraints" => Some(QuantConfig {
                scale: 8,
                weight_scale: 8,
                lookup_bits: 10,
                ..Default::default()
            }),
            _ => None,
        }
    }
}

/// The result of calibration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuantPlan {
    /// The settings used.
    pub config: QuantConfig,
    /// Per model input: the proven range, as max |value|.
    pub input_ranges: Vec<f64>,
    /// Per model input: the largest |value| seen in calibration.
    pub input_observed: Vec<f64>,
    /// Number of calibration samples.
    pub samples: usize,
}

/// Why calibration gave up.
#[derive(Debug, thiserror::Error)]
pub enum QuantError {
    /// No samples.
    #[error("calibration needs at least one sample input")]
    NoSamples,
    /// A sample did not run.
    #[error("calibration sample {sample}: {reason}")]
    Sample {
        /// Which sample.
        sample: usize,
        /// The interpreter's complaint.
        reason: String,
    },
    /// A non-finite value.
    #[error(
        "calibration sample {sample}: model input {input} holds a non-finite value; calibration needs finite inputs"
    )]
    NonFinite {
        /// Which sample.
        sample: usize,
        /// Which input.
        input: usize,
    },
}

/// Calibrates the input ranges from samples (each sample: one tensor per model input).
pub fn calibrate(graph: &Graph, samples: &[Vec<Tensor>], config: &QuantConfig) -> Result<QuantPlan, QuantError> {
    if samples.is_empty() && config.input_range.is_none() {
        return Err(QuantError::NoSamples);
    }
    let mut observed = vec![0.0f64; graph.inputs.len()];
    for (si, sample) in samples.iter().enumerate() {
        graph.run(sample).map_err(|e| QuantError::Sample {
            sample: si,
            reason: e.to_string(),
        })?;
        for (i, t) in sample.iter().enumerate() {
            for &v in &t.data {
                if !v.is_finite() {
                    return Err(QuantError::NonFinite { sample: si, input: i });
                }
                observed[i] = observed[i].max(v.abs());
            }
        }
    }
    let input_ranges = observed
        .iter()
        .map(|&o| match config.input_range {
            Some(r) => r,
            // A power of two at least `margin` times the largest value seen (and ≥ 1 ulp).
            None => {
                let want = (o * config.input_margin).max(2f64.powi(-(config.scale as i32)));
                2f64.powi(want.log2().ceil() as i32)
            }
        })
        .collect();
    Ok(QuantPlan {
        config: config.clone(),
        input_ranges,
        input_observed: observed,
        samples: samples.len(),
    })
}
