//! The pipeline driver: model → calibration → lowering → program → witness.
//!
//! The CLI and the tests both go through these functions, so what a user runs is what is
//! tested.

use std::path::Path;

use serde::{Deserialize, Serialize};
use zkc_ir::{Graph, Tensor};
use zkc_passes::lower::{dequantize_outputs, quantize_inputs};
use zkc_passes::{Compiled, QuantConfig};
use zkc_runtime::{artifact, Trace};

/// Signed bits a value may use in each backend's field (BN254 ≈ 253 bits, Goldilocks ≈ 64).
pub fn field_bits(backend: &str) -> Option<u32> {
    match backend {
        "halo2" | "groth16" => Some(252),
        "plonky2" => Some(63),
        "none" => Some(252),
        _ => None,
    }
}

/// The backends zkc knows.
pub const BACKENDS: &[&str] = &["halo2", "plonky2", "groth16"];

/// Errors of the pipeline, each naming what failed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Calibration failed.
    #[error("calibration: {0}")]
    Quant(#[from] zkc_passes::QuantError),
    /// Lowering failed.
    #[error("lowering to circuit arguments: {0}")]
    Lower(#[from] zkc_passes::LowerError),
    /// An input outside the calibrated range.
    #[error("{0}")]
    InputRange(#[from] zkc_passes::lower::InputRangeError),
    /// The solver failed.
    #[error("computing the witness: {0}")]
    Solve(String),
    /// Unknown backend.
    #[error("unknown backend `{0}`; choose one of halo2, plonky2, groth16")]
    Backend(String),
    /// Artifact problem.
    #[error("{0}")]
    Artifact(#[from] artifact::ArtifactError),
    /// Witness parameters needed but not loaded.
    #[error("this circuit takes its {0} weights and biases as private witness values, kept in params.zkc beside circuit.zkc (written by `zkc compile`, for the prover only); it is missing — copy it there or recompile")]
    MissingParams(usize),
    /// Malformed compiled circuit.
    #[error("{path}: damaged compiled circuit ({reason}); recompile it with `zkc compile`")]
    Damaged {
        /// The file.
        path: String,
        /// Decoder message.
        reason: String,
    },
}

/// Calibrates on `samples` and lowers `graph` for `backend`.
pub fn compile(
    graph: &Graph,
    samples: &[Vec<Tensor>],
    mut cfg: QuantConfig,
    backend: &str,
) -> Result<Compiled, PipelineError> {
    cfg.field_bits = field_bits(backend).ok_or_else(|| PipelineError::Backend(backend.into()))?;
    let plan = zkc_passes::calibrate(graph, samples, &cfg)?;
    Ok(zkc_passes::lower(graph, &plan)?)
}

/// Solves the witness for model inputs (and the circuit's witness parameters, if any).
pub fn witness(compiled: &Compiled, inputs: &[Tensor]) -> Result<Trace, PipelineError> {
    let mut ints = quantize_inputs(compiled, inputs)?;
    if compiled.params.len() != compiled.param_count {
        return Err(PipelineError::MissingParams(compiled.param_count));
    }
    ints.extend_from_slice(&compiled.params);
    zkc_runtime::solver::solve(&compiled.program, &ints).map_err(|e| PipelineError::Solve(e.to_string()))
}

/// The dequantized model outputs of a witness.
pub fn outputs(compiled: &Compiled, trace: &Trace) -> Vec<Tensor> {
    dequantize_outputs(&compiled.program, trace)
}

/// What `circuit.zkc` holds besides the program.
#[derive(Serialize, Deserialize)]
pub struct CircuitFile {
    /// The backend it was compiled for.
    pub backend: String,
    /// The compiled program and its plan.
    pub compiled: Compiled,
    /// The file's [`artifact::Header::contents_hash`] (set when written or read; not part
    /// of the payload it hashes).
    #[serde(skip)]
    pub contents_hash: String,
}

/// Writes a compiled circuit artifact. Witness parameters (private, hashed or public
/// weights) are not part of it: they go to `params.zkc` beside it, a file for the prover
/// only, so the circuit file can be handed to verifiers without revealing them.
pub fn write_circuit(path: &Path, backend: &str, compiled: &Compiled) -> Result<CircuitFile, PipelineError> {
    let mut stripped = compiled.clone();
    let params = std::mem::take(&mut stripped.params);
    let mut file = CircuitFile {
        backend: backend.into(),
        compiled: stripped,
        contents_hash: String::new(),
    };
    let payload = serde_json::to_vec(&file).expect("compiled circuit serializes");
    let contents = artifact::contents_hash(&payload);
    let hash = compiled.program.hash();
    if compiled.param_count > 0 {
        let text: Vec<String> = params.iter().map(|v| v.to_string()).collect();
        let payload = serde_json::to_vec(&text).expect("params serialize");
        artifact::write(
            &params_path(path),
            &artifact::Header::new("params", backend, &hash),
            &payload,
        )?;
    }
    let header = artifact::Header::new("circuit", backend, &hash).with_contents(&contents);
    artifact::write(path, &header, &payload)?;
    file.compiled.params = params;
    file.contents_hash = contents;
    Ok(file)
}

/// `params.zkc` beside a circuit file.
pub fn params_path(circuit: &Path) -> std::path::PathBuf {
    circuit.with_file_name("params.zkc")
}

/// Loads the witness parameters of `file` from `params.zkc` beside `circuit`, when the
/// circuit has any and the file is there (a verifier's copy has none; proving needs it).
fn load_params(circuit: &Path, file: &mut CircuitFile) -> Result<(), PipelineError> {
    let path = params_path(circuit);
    if file.compiled.param_count == 0 || !path.exists() {
        return Ok(());
    }
    let hash = file.compiled.program.hash();
    let (_, payload) = artifact::read(&path, "params", &file.backend, Some(&hash))?;
    let damaged = |reason: String| PipelineError::Damaged {
        path: path.display().to_string(),
        reason,
    };
    let text: Vec<String> = serde_json::from_slice(&payload).map_err(|e| damaged(e.to_string()))?;
    let values = text
        .iter()
        .map(|v| v.parse::<i128>().map_err(|e| damaged(format!("parameter `{v}`: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    if values.len() != file.compiled.param_count {
        return Err(damaged(format!(
            "{} parameters but the circuit takes {}",
            values.len(),
            file.compiled.param_count
        )));
    }
    file.compiled.params = values;
    Ok(())
}

/// Reads a compiled circuit artifact (any backend) and checks its hash.
pub fn read_circuit(path: &Path) -> Result<CircuitFile, PipelineError> {
    let (header, payload) = artifact::read_any(path)?;
    let p = path.display().to_string();
    if header.kind != "circuit" {
        return Err(artifact::ArtifactError::Mismatch {
            path: p,
            reason: format!("this file is a {} but a compiled circuit was expected", header.kind),
        }
        .into());
    }
    if header.format_version != artifact::FORMAT_VERSION {
        return Err(artifact::ArtifactError::Mismatch {
            path: p,
            reason: format!(
                "artifact format version {} but this zkc reads {}; recompile with `zkc compile`",
                header.format_version,
                artifact::FORMAT_VERSION
            ),
        }
        .into());
    }
    let mut file: CircuitFile = serde_json::from_slice(&payload).map_err(|e| PipelineError::Damaged {
        path: p.clone(),
        reason: e.to_string(),
    })?;
    if file.compiled.program.hash() != header.circuit_hash {
        return Err(PipelineError::Damaged {
            path: p,
            reason: "the circuit hash in the header does not match the contents".into(),
        });
    }
    if header.contents_hash.is_empty() || header.contents_hash != artifact::contents_hash(&payload) {
        return Err(PipelineError::Damaged {
            path: p,
            reason: "its contents (program, visibility, input ranges) do not match the contents hash in its header: the file was edited or damaged; compile it again".into(),
        });
    }
    file.contents_hash = header.contents_hash;
    load_params(path, &mut file)?;
    Ok(file)
}

/// Refuses a key or proof (`header`, read from `path`) made for another version of `file`:
/// the same program but another plan (visibility, input ranges, weight bound).
pub fn check_contents(path: &Path, header: &artifact::Header, file: &CircuitFile) -> Result<(), PipelineError> {
    if header.contents_hash != file.contents_hash {
        return Err(artifact::ArtifactError::Mismatch {
            path: path.display().to_string(),
            reason: format!(
                "this {} was made for another version of the circuit file (same program, but its visibility, input ranges or weight bound differ); run setup (and prove) again with this circuit.zkc",
                header.kind
            ),
        }
        .into());
    }
    Ok(())
}
