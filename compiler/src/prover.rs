//! Proving with a backend: keys, proofs and public values as versioned files in a directory.
//!
//! A proof directory holds `circuit.zkc`, `pk.zkc`, `vk.zkc`, `proof.zkc`, `public.json` and
//! `output.json` (and `params.zkc` when the weights are witness values). Only `vk.zkc`,
//! `circuit.zkc`, `proof.zkc` and `public.json` are needed to verify, and they hold no
//! private value; `pk.zkc`, `params.zkc` and `output.json` are the prover's.

use std::path::Path;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use zkc_passes::{Compiled, Visibility, VisibilityConfig};
use zkc_runtime::{artifact, Backend, HashKind, Keys, Trace};

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

/// The public values a verifier checks, with what they encode: public inputs and outputs
/// (dequantized) and the commitments of hashed groups. Private values never appear here.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct PublicFile {
    /// The backend.
    pub backend: String,
    /// Hash of the circuit the proof is for.
    pub circuit_hash: String,
    /// The public values, in circuit order (inputs, parameters, outputs), as decimal strings.
    pub public: Vec<String>,
    /// Who sees what.
    #[serde(default)]
    pub visibility: VisibilityConfig,
    /// The model inputs the values encode (dequantized), when inputs are public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_data: Option<Vec<Vec<f64>>>,
    /// The model outputs the values encode (dequantized); empty unless outputs are public.
    #[serde(default)]
    pub output_data: Vec<Vec<f64>>,
    /// The Poseidon commitment of each hashed group (`input`, `params`, `output`), as
    /// `zkc hash` prints it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub commitments: BTreeMap<String, String>,
}

/// Where each group's public values sit in the public-value list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sections {
    /// The inputs' values or digest.
    pub input: std::ops::Range<usize>,
    /// The parameters' values or digest.
    pub params: std::ops::Range<usize>,
    /// The outputs' values or digest.
    pub output: std::ops::Range<usize>,
}

impl Sections {
    /// The layout of `compiled`'s public values.
    pub fn of(compiled: &Compiled) -> Self {
        let vis = compiled.plan.config.visibility;
        let prog = &compiled.program;
        let n_in: usize = prog.inputs.iter().map(|t| t.vars.len()).sum();
        let n_out: usize = prog.outputs.iter().map(|t| t.vars.len()).sum();
        let a = VisibilityConfig::public_count(vis.input, n_in);
        let b = a + VisibilityConfig::public_count(vis.params, compiled.param_count);
        let c = b + VisibilityConfig::public_count(vis.output, n_out);
        Sections {
            input: 0..a,
            params: a..b,
            output: b..c,
        }
    }

    /// The named group's range and visibility.
    pub fn group(&self, compiled: &Compiled, name: &str) -> Option<(std::ops::Range<usize>, Visibility)> {
        let vis = compiled.plan.config.visibility;
        match name {
            "input" => Some((self.input.clone(), vis.input)),
            "params" => Some((self.params.clone(), vis.params)),
            "output" => Some((self.output.clone(), vis.output)),
            _ => None,
        }
    }
}

/// The hash a circuit for `backend` uses for `hashed` values.
pub fn hash_kind(backend: &str) -> HashKind {
    if backend == "plonky2" {
        HashKind::PoseidonGoldilocks
    } else {
        HashKind::PoseidonBn254
    }
}

/// A digest (four 64-bit limbs, least significant first) as `0x` and 64 hex digits, most
/// significant limb first: for BN254 this is the field element in big-endian hex.
pub fn digest_hex(d: &[i128]) -> String {
    let mut s = String::from("0x");
    for limb in d.iter().rev() {
        s.push_str(&format!("{:016x}", *limb as u64));
    }
    s
}

/// Parses [`digest_hex`]'s form back into limbs.
pub fn parse_digest_hex(s: &str) -> Result<[i128; 4], String> {
    let h = s.strip_prefix("0x").unwrap_or(s);
    if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "`{s}` is not a commitment: expected 0x and 64 hex digits, as `zkc hash` prints"
        ));
    }
    let mut d = [0i128; 4];
    for (i, limb) in d.iter_mut().enumerate() {
        let chunk = &h[(3 - i) * 16..(4 - i) * 16];
        *limb = i128::from(u64::from_str_radix(chunk, 16).map_err(|e| e.to_string())?);
    }
    Ok(d)
}

/// The commitment of a group's integer values (`group` is input, params or output) as a
/// circuit for `backend` computes it: parameters are packed first over BN254
/// ([`zkc_runtime::poseidon::params_hash`]).
pub fn commitment(backend: &str, group: &str, values: &[i128]) -> String {
    let kind = hash_kind(backend);
    digest_hex(&match group {
        "params" => zkc_runtime::poseidon::params_hash(kind, values),
        _ => zkc_runtime::poseidon::hash(kind, values),
    })
}

impl PublicFile {
    /// The public values of `trace`.
    pub fn new(backend: &str, compiled: &Compiled, trace: &Trace) -> Self {
        let vals = trace.public_values(&compiled.program);
        let vis = compiled.plan.config.visibility;
        let sec = Sections::of(compiled);
        let dequant = |tvs: &[zkc_runtime::TensorVars]| -> Vec<Vec<f64>> {
            tvs.iter()
                .map(|t| {
                    let d = (1u64 << t.scale) as f64;
                    t.vars.iter().map(|&v| trace.get(v) as f64 / d).collect()
                })
                .collect()
        };
        let mut commitments = BTreeMap::new();
        for name in ["input", "params", "output"] {
            let (range, v) = sec.group(compiled, name).expect("known group");
            if v == Visibility::Hashed {
                commitments.insert(name.to_string(), digest_hex(&vals[range]));
            }
        }
        PublicFile {
            backend: backend.into(),
            circuit_hash: compiled.program.hash(),
            public: vals.iter().map(|v| v.to_string()).collect(),
            visibility: vis,
            input_data: (vis.input == Visibility::Public).then(|| dequant(&compiled.program.inputs)),
            output_data: if vis.output == Visibility::Public {
                dequant(&compiled.program.outputs)
            } else {
                vec![]
            },
            commitments,
        }
    }

    /// Parses the values and checks that everything else in the file (visibility, input and
    /// output data, commitments) is what they encode, so that what a reader sees is what the
    /// proof is checked against.
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
        let vis = compiled.plan.config.visibility;
        if self.visibility != vis {
            return Err(bad(format!(
                "says inputs {}, parameters {}, outputs {} but the circuit has inputs {}, parameters {}, outputs {}",
                self.visibility.input,
                self.visibility.params,
                self.visibility.output,
                vis.input,
                vis.params,
                vis.output
            )));
        }
        let sec = Sections::of(compiled);
        if vals.len() != sec.output.end {
            return Err(bad(format!(
                "{} public values but the circuit has {}",
                vals.len(),
                sec.output.end
            )));
        }
        let check_data = |what: &str, data: &[Vec<f64>], tvs: &[zkc_runtime::TensorVars], at: usize| {
            let mut i = at;
            if data.len() != tvs.len() {
                return Err(bad(format!(
                    "{what} has {} entries, the circuit has {}",
                    data.len(),
                    tvs.len()
                )));
            }
            for (o, (want, tv)) in data.iter().zip(tvs).enumerate() {
                let d = (1u64 << tv.scale) as f64;
                if want.len() != tv.vars.len() {
                    return Err(bad(format!(
                        "{what}[{o}] has {} values, the circuit has {}",
                        want.len(),
                        tv.vars.len()
                    )));
                }
                for w in want {
                    let v = vals[i];
                    if (v as f64 / d - w).abs() > 0.5 / d {
                        return Err(bad(format!(
                            "{what}[{o}] says {w} but the public value encodes {}",
                            v as f64 / d
                        )));
                    }
                    i += 1;
                }
            }
            Ok(())
        };
        // Public inputs are range-checked in the circuit only to the power-of-two envelope of
        // their range, and public weights not at all (the verifier sees them): check here that
        // they are inside what the circuit was sized for.
        if vis.input == Visibility::Public {
            let mut i = sec.input.start;
            for (t, range) in compiled.program.inputs.iter().zip(&compiled.plan.input_ranges) {
                let bound = (range * (1u64 << t.scale) as f64).ceil() as i128;
                for _ in &t.vars {
                    if vals[i].abs() > bound {
                        return Err(bad(format!(
                            "public input value {} of `{}` is outside the circuit's input range ±{range}",
                            vals[i] as f64 / (1u64 << t.scale) as f64,
                            t.name
                        )));
                    }
                    i += 1;
                }
            }
        }
        if vis.params == Visibility::Public {
            if let Some(v) = vals[sec.params.clone()]
                .iter()
                .find(|v| v.abs() > compiled.public_param_bound)
            {
                return Err(bad(format!(
                    "public weight {v} is beyond the largest weight the circuit was compiled for ({})",
                    compiled.public_param_bound
                )));
            }
        }
        match (&self.input_data, vis.input) {
            (Some(data), Visibility::Public) => check_data("input_data", data, &compiled.program.inputs, 0)?,
            (None, Visibility::Public) => return Err(bad("the inputs are public but input_data is missing".into())),
            (Some(_), _) => return Err(bad(format!("has input_data but the inputs are {}", vis.input))),
            (None, _) => {}
        }
        if vis.output == Visibility::Public {
            check_data(
                "output_data",
                &self.output_data,
                &compiled.program.outputs,
                sec.output.start,
            )?;
        } else if !self.output_data.is_empty() {
            return Err(bad(format!("has output_data but the outputs are {}", vis.output)));
        }
        for name in ["input", "params", "output"] {
            let (range, v) = sec.group(compiled, name).expect("known group");
            match (self.commitments.get(name), v == Visibility::Hashed) {
                (Some(c), true) => {
                    let want = digest_hex(&vals[range]);
                    if c.to_lowercase() != want {
                        return Err(bad(format!(
                            "commitment `{name}` says {c} but the public values encode {want}"
                        )));
                    }
                }
                (None, true) => return Err(bad(format!("the {name} group is hashed but its commitment is missing"))),
                (Some(_), false) => return Err(bad(format!("has a commitment for `{name}`, which is not hashed"))),
                (None, false) => {}
            }
        }
        if let Some(k) = self
            .commitments
            .keys()
            .find(|k| !["input", "params", "output"].contains(&k.as_str()))
        {
            return Err(bad(format!(
                "unknown commitment `{k}`; expected input, params or output"
            )));
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
pub fn write_keys(dir: &Path, file: &crate::pipeline::CircuitFile, keys: &Keys) -> Result<(), PipelineError> {
    let (backend, h) = (&file.backend, file.compiled.program.hash());
    artifact::write(
        &dir.join("pk.zkc"),
        &artifact::Header::new("proving-key", backend, &h).with_contents(&file.contents_hash),
        &keys.proving_key,
    )?;
    artifact::write(
        &dir.join("vk.zkc"),
        &artifact::Header::new("verifying-key", backend, &h).with_contents(&file.contents_hash),
        &keys.verifying_key,
    )?;
    Ok(())
}

/// Writes `dir/proof.zkc`, `dir/public.json` (for verifiers) and `dir/output.json` (the
/// prover's outputs, private or not).
pub fn write_proof(
    dir: &Path,
    file: &crate::pipeline::CircuitFile,
    trace: &Trace,
    proof: &[u8],
) -> Result<(PublicFile, OutputFile), PipelineError> {
    let (backend, compiled) = (&file.backend, &file.compiled);
    let h = compiled.program.hash();
    artifact::write(
        &dir.join("proof.zkc"),
        &artifact::Header::new("proof", backend, &h).with_contents(&file.contents_hash),
        proof,
    )?;
    let public = PublicFile::new(backend, compiled, trace);
    write_json(&dir.join("public.json"), &public)?;
    // The prover's own copy of the outputs, whatever their visibility.
    let outputs = crate::io::outputs_file(&crate::pipeline::outputs(compiled, trace));
    write_json(&dir.join("output.json"), &outputs)?;
    Ok((public, outputs))
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
    /// The model inputs they encode, when the inputs are public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_data: Option<Vec<Vec<f64>>>,
    /// The model outputs they encode.
    pub output_data: Vec<Vec<f64>>,
}

impl AggregateInner {
    /// The public values, checked against `compiled` as a single proof's public.json is:
    /// the visibility, the input and output data they encode, and the public inputs inside
    /// the circuit's input range. `path` names the entry in messages.
    pub fn values(&self, compiled: &Compiled, path: &str) -> Result<Vec<i128>, PipelineError> {
        PublicFile {
            backend: "plonky2".into(),
            circuit_hash: self.circuit_hash.clone(),
            public: self.public.clone(),
            visibility: compiled.plan.config.visibility,
            input_data: self.input_data.clone(),
            output_data: self.output_data.clone(),
            commitments: BTreeMap::new(),
        }
        .values(compiled, path)
    }
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
