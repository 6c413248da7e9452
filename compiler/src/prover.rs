//! Proving with a backend: keys, proofs and public values as versioned files in a directory.
//!
//! A proof directory holds `circuit.zkc`, `pk.zkc`, `vk.zkc`, `proof.zkc`, `public.json` and
//! `output.json`. Only `vk.zkc`, `circuit.zkc`, `proof.zkc` and `public.json` are needed to
//! verify.

use std::path::Path;

use serde::{Deserialize, Serialize};
use zkc_passes::Compiled;
use zkc_runtime::{artifact, Backend, Keys, Trace};

use crate::io::OutputFile;
use crate::pipeline::PipelineError;

/// The backends built into this zkc.
pub fn available() -> &'static [&'static str] {
    &["halo2", "plonky2", "groth16"]
}

/// The backend called `name`.
pub fn backend(name: &str) -> Result<Box<dyn Backend>, PipelineError> {
    match name {
        "halo2" => Ok(Box::new(zkc_backend_halo2::Halo2::new())),
        "plonky2" => Ok(Box::new(zkc_backend_plonky2::Plonky2::new())),
        "groth16" => Ok(Box::new(zkc_backend_groth16::Groth16)),
        other => Err(PipelineError::Backend(other.into())),
    }
}

/// The public values a verifier checks, with the model outputs they encode.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct PublicFile {
    /// The backend.
    pub backend: String,
    /// Hash of the circuit the proof is for.
    pub circuit_hash: String,
    /// The public values, in circuit order, as decimal strings.
    pub public: Vec<String>,
    /// The model outputs those values encode (dequantized).
    pub output_data: Vec<Vec<f64>>,
}

impl PublicFile {
    /// The public values of `trace`.
    pub fn new(backend: &str, compiled: &Compiled, trace: &Trace) -> Self {
        let public = trace
            .public_values(&compiled.program)
            .iter()
            .map(|v| v.to_string())
            .collect();
        let outs = crate::pipeline::outputs(compiled, trace);
        PublicFile {
            backend: backend.into(),
            circuit_hash: compiled.program.hash(),
            public,
            output_data: outs.into_iter().map(|t| t.data).collect(),
        }
    }

    /// Parses the values and checks that `output_data` is what they encode.
    pub fn values(&self, compiled: &Compiled, path: &str) -> Result<Vec<i128>, PipelineError> {
        let bad = |reason: String| PipelineError::Damaged {
            path: path.into(),
            reason,
        };
        let vals: Vec<i128> = self
            .public
            .iter()
            .map(|s| s.parse::<i128>().map_err(|e| bad(format!("public value `{s}`: {e}"))))
            .collect::<Result<_, _>>()?;
        let mut i = 0;
        for (o, tv) in compiled.program.outputs.iter().enumerate() {
            let d = (1u64 << tv.scale) as f64;
            let want = self
                .output_data
                .get(o)
                .ok_or_else(|| bad(format!("output_data has no entry for output {o}")))?;
            if want.len() != tv.vars.len() {
                return Err(bad(format!(
                    "output_data[{o}] has {} values, the circuit has {}",
                    want.len(),
                    tv.vars.len()
                )));
            }
            for w in want {
                let v = *vals
                    .get(i)
                    .ok_or_else(|| bad("fewer public values than outputs".into()))?;
                if (v as f64 / d - w).abs() > 0.5 / d {
                    return Err(bad(format!(
                        "output_data[{o}] says {w} but the public value encodes {}",
                        v as f64 / d
                    )));
                }
                i += 1;
            }
        }
        Ok(vals)
    }
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), PipelineError> {
    let io = |source| {
        PipelineError::Artifact(artifact::ArtifactError::Io {
            path: path.display().to_string(),
            source,
        })
    };
    let text = serde_json::to_string_pretty(value).expect("serializes");
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Writes keys to `dir/pk.zkc` and `dir/vk.zkc`.
pub fn write_keys(dir: &Path, backend: &str, compiled: &Compiled, keys: &Keys) -> Result<(), PipelineError> {
    let h = compiled.program.hash();
    artifact::write(
        &dir.join("pk.zkc"),
        &artifact::Header::new("proving-key", backend, &h),
        &keys.proving_key,
    )?;
    artifact::write(
        &dir.join("vk.zkc"),
        &artifact::Header::new("verifying-key", backend, &h),
        &keys.verifying_key,
    )?;
    Ok(())
}

/// Writes `dir/proof.zkc`, `dir/public.json` and `dir/output.json`.
pub fn write_proof(
    dir: &Path,
    backend: &str,
    compiled: &Compiled,
    trace: &Trace,
    proof: &[u8],
) -> Result<PublicFile, PipelineError> {
    let h = compiled.program.hash();
    artifact::write(
        &dir.join("proof.zkc"),
        &artifact::Header::new("proof", backend, &h),
        proof,
    )?;
    let public = PublicFile::new(backend, compiled, trace);
    write_json(&dir.join("public.json"), &public)?;
    write_json(
        &dir.join("output.json"),
        &OutputFile {
            output_data: public.output_data.clone(),
        },
    )?;
    Ok(public)
}

/// Reads a public-values file.
pub fn read_public(path: &Path) -> Result<PublicFile, PipelineError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| {
        PipelineError::Artifact(artifact::ArtifactError::Io {
            path: p.clone(),
            source,
        })
    })?;
    serde_json::from_str(&text).map_err(|e| PipelineError::Damaged {
        path: p,
        reason: format!("not a public-values file: {e}"),
    })
}

/// One inner proof of an aggregate: its circuit and public values.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct AggregateInner {
    /// Hash of the inner circuit.
    pub circuit_hash: String,
    /// Its public values (decimal strings).
    pub public: Vec<String>,
    /// The model outputs they encode.
    pub output_data: Vec<Vec<f64>>,
}

/// A hash naming an aggregate: its inner circuits and public values, in order.
pub fn aggregate_tag(inner: &[AggregateInner]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(serde_json::to_vec(inner).expect("serializes")))
}

/// Writes `dir/aggregate.json`.
pub fn write_aggregate(dir: &Path, inner: &[AggregateInner]) -> Result<(), PipelineError> {
    write_json(&dir.join("aggregate.json"), &inner)
}

/// Reads `dir/aggregate.json`.
pub fn read_aggregate(dir: &Path) -> Result<Vec<AggregateInner>, PipelineError> {
    let path = dir.join("aggregate.json");
    let p = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|source| {
        PipelineError::Artifact(artifact::ArtifactError::Io {
            path: p.clone(),
            source,
        })
    })?;
    serde_json::from_str(&text).map_err(|e| PipelineError::Damaged {
        path: p,
        reason: format!("not an aggregate description: {e}"),
    })
}
