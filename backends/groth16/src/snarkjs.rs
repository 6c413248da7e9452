//! Export to snarkjs's JSON formats (`snarkjs groth16 verify verification_key.json
//! public.json proof.json`): points in projective form with z = "1", field elements as
//! decimal strings, G2 coordinates as `[c0, c1]` pairs, public values as field elements
//! (a negative value v as p - |v|).

use std::path::Path;

use ark_bn254::{Bn254, Fq, Fq2, G1Affine, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::AffineRepr;
use ark_ff::PrimeField;
use serde_json::{json, Value};
use zkc_runtime::BackendError;

use crate::field::fr;
use crate::keys::{read_proof, read_vk_any};

fn dec(x: Fq) -> Value {
    Value::String(x.into_bigint().to_string())
}

fn fq2(x: Fq2) -> Value {
    json!([dec(x.c0), dec(x.c1)])
}

/// A G1 point as `[x, y, "1"]` (`["0", "1", "0"]` at infinity).
pub fn g1(p: &G1Affine) -> Value {
    match p.xy() {
        Some((x, y)) => json!([dec(x), dec(y), "1"]),
        None => json!(["0", "1", "0"]),
    }
}

/// A G2 point as `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`.
pub fn g2(p: &G2Affine) -> Value {
    match p.xy() {
        Some((x, y)) => json!([fq2(x), fq2(y), ["1", "0"]]),
        None => json!([["0", "0"], ["1", "0"], ["0", "0"]]),
    }
}

/// snarkjs's `verification_key.json` for a zkc Groth16 verifying key.
pub fn verification_key_json(vk: &[u8]) -> Result<Value, BackendError> {
    let (_, vk) = read_vk_any(vk)?;
    let ab = Bn254::pairing(vk.alpha_g1, vk.beta_g2).0;
    let f6 = |x: ark_bn254::Fq6| json!([fq2(x.c0), fq2(x.c1), fq2(x.c2)]);
    Ok(json!({
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.gamma_abc_g1.len() - 1,
        "vk_alpha_1": g1(&vk.alpha_g1),
        "vk_beta_2": g2(&vk.beta_g2),
        "vk_gamma_2": g2(&vk.gamma_g2),
        "vk_delta_2": g2(&vk.delta_g2),
        "vk_alphabeta_12": [f6(ab.c0), f6(ab.c1)],
        "IC": vk.gamma_abc_g1.iter().map(g1).collect::<Vec<_>>(),
    }))
}

/// snarkjs's `proof.json` for a zkc Groth16 proof.
pub fn proof_json(proof: &[u8]) -> Result<Value, BackendError> {
    let p = read_proof(proof)?;
    Ok(json!({
        "pi_a": g1(&p.a),
        "pi_b": g2(&p.b),
        "pi_c": g1(&p.c),
        "protocol": "groth16",
        "curve": "bn128",
    }))
}

/// snarkjs's `public.json`: the public values as decimal field elements.
pub fn public_json(public: &[i128]) -> Value {
    Value::Array(
        public
            .iter()
            .map(|&v| Value::String(crate::field::decimal(fr(v))))
            .collect(),
    )
}

/// Writes `verification_key.json`, `proof.json` and `public.json` into `dir` (created if
/// missing), ready for `snarkjs groth16 verify`.
pub fn export_snarkjs(vk: &[u8], proof: &[u8], public: &[i128], dir: &Path) -> Result<(), BackendError> {
    let vkj = verification_key_json(vk)?;
    let n = vkj["nPublic"].as_u64().unwrap_or(0) as usize;
    if n != public.len() {
        return Err(BackendError::Malformed {
            what: "public values",
            reason: format!(
                "the verifying key takes {n} public values but {} were given",
                public.len()
            ),
        });
    }
    let files = [
        ("verification_key.json", vkj),
        ("proof.json", proof_json(proof)?),
        ("public.json", public_json(public)),
    ];
    let io = |e: std::io::Error| BackendError::Malformed {
        what: "export directory",
        reason: format!("{}: {e}", dir.display()),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    for (name, v) in files {
        let text = serde_json::to_string_pretty(&v).expect("JSON values serialize");
        zkc_runtime::artifact::write_file_atomic(&dir.join(name), (text + "\n").as_bytes()).map_err(io)?;
    }
    Ok(())
}
