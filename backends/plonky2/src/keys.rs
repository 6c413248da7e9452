//! Byte formats of keys and proofs. Each starts with an 8-byte magic naming what it is.
//!
//! - Proving key: magic, program hash, SHA-256 of the payload, payload = zero-knowledge flag,
//!   circuit digest and plonky2's full circuit data (the preprocessed constants/sigmas
//!   commitment included: reading it is several times faster than rebuilding, which is what
//!   keeps a fresh `zkc prove` fast). Large: about 12 KB per row.
//! - Verifying key: magic, program hash, SHA-256 of the payload, payload = plonky2's
//!   `VerifierCircuitData` (constants/sigmas Merkle cap, circuit digest and common data, with
//!   zkc's gates). The checksum is checked before plonky2 parses anything, so a damaged key
//!   is an error rather than a huge allocation.
//! - Proof: magic, then plonky2's `ProofWithPublicInputs` bytes.

use plonky2::field::types::{Field64, PrimeField64};
use plonky2::hash::hash_types::HashOut;
use plonky2::plonk::circuit_data::{CircuitData, CommonCircuitData, VerifierCircuitData};
use plonky2::plonk::proof::ProofWithPublicInputs;
use plonky2::util::serialization::DefaultGeneratorSerializer;
use sha2::{Digest, Sha256};
use zkc_runtime::{BackendError, Program};

use crate::circuit::{C, D};
use crate::field::F;
use crate::gates::ZkcGateSerializer;

/// Magic of a proving key.
pub const PK_MAGIC: &[u8; 8] = b"ZKCP2PK1";
/// Magic of a verifying key.
pub const VK_MAGIC: &[u8; 8] = b"ZKCP2VK1";
/// Magic of a proof.
pub const PROOF_MAGIC: &[u8; 8] = b"ZKCP2PF1";
/// Magic of an aggregation verifying key.
pub const AGG_VK_MAGIC: &[u8; 8] = b"ZKCP2AV1";
/// Magic of an aggregate proof.
pub const AGG_PROOF_MAGIC: &[u8; 8] = b"ZKCP2AP1";

fn malformed(what: &'static str, reason: impl Into<String>) -> BackendError {
    BackendError::Malformed {
        what,
        reason: reason.into(),
    }
}

/// Splits `bytes` into magic-checked body.
fn body<'a>(bytes: &'a [u8], magic: &[u8; 8], what: &'static str) -> Result<&'a [u8], BackendError> {
    match bytes.strip_prefix(&magic[..]) {
        Some(b) => Ok(b),
        None => Err(malformed(
            what,
            format!(
                "it does not start with {:?}; is it a plonky2 {what} written by zkc?",
                String::from_utf8_lossy(magic)
            ),
        )),
    }
}

/// Reads the 64-character program hash at the start of `b`.
fn program_hash<'a>(b: &'a [u8], what: &'static str) -> Result<(&'a str, &'a [u8]), BackendError> {
    if b.len() < 64 {
        return Err(malformed(what, "truncated before the program hash"));
    }
    let (h, rest) = b.split_at(64);
    let h = std::str::from_utf8(h).map_err(|_| malformed(what, "the program hash is not text"))?;
    Ok((h, rest))
}

fn check_hash(found: &str, expected: &str, what: &'static str) -> Result<(), BackendError> {
    if found != expected {
        return Err(malformed(
            what,
            format!("it was made for circuit {found}, not for this program ({expected}); run setup for this program"),
        ));
    }
    Ok(())
}

/// The circuit digest as bytes.
pub fn digest_bytes(h: &HashOut<F>) -> Vec<u8> {
    h.elements
        .iter()
        .flat_map(|e| e.to_canonical_u64().to_le_bytes())
        .collect()
}

/// Encodes a proving key: the zero-knowledge flag, the circuit digest and plonky2's full
/// circuit data (prover data with its preprocessed commitments, so proving skips the build).
pub fn write_pk(
    program_hash: &str,
    zero_knowledge: bool,
    data: &CircuitData<F, C, D>,
) -> Result<Vec<u8>, BackendError> {
    let mut payload = vec![zero_knowledge as u8];
    payload.extend(digest_bytes(&data.verifier_only.circuit_digest));
    payload.extend(
        data.to_bytes(&ZkcGateSerializer, &DefaultGeneratorSerializer::<C, D>::default())
            .map_err(|e| BackendError::Prover(format!("serializing the proving key: {e:?}")))?,
    );
    Ok(seal(PK_MAGIC, program_hash, &payload))
}

/// A proving key's contents.
pub struct ProvingKey<'a> {
    /// Whether the circuit is zero-knowledge.
    pub zero_knowledge: bool,
    /// The circuit digest.
    pub digest: Vec<u8>,
    /// plonky2's serialized circuit data.
    pub data: &'a [u8],
}

/// Decodes a proving key for `program_hash` (checksum checked; circuit data not parsed).
pub fn read_pk<'a>(bytes: &'a [u8], expected_hash: &str) -> Result<ProvingKey<'a>, BackendError> {
    let what = "proving key";
    let (h, payload) = unseal(bytes, PK_MAGIC, what)?;
    check_hash(h, expected_hash, what)?;
    if payload.len() < 33 || payload[0] > 1 {
        return Err(malformed(what, "truncated header"));
    }
    Ok(ProvingKey {
        zero_knowledge: payload[0] == 1,
        digest: payload[1..33].to_vec(),
        data: &payload[33..],
    })
}

/// Parses plonky2 circuit data from a proving key (inside `catch_unwind`).
pub fn parse_circuit_data(bytes: &[u8]) -> Result<CircuitData<F, C, D>, BackendError> {
    let what = "proving key";
    let data = crate::catch(what, || {
        CircuitData::<F, C, D>::from_bytes(
            bytes,
            &ZkcGateSerializer,
            &DefaultGeneratorSerializer::<C, D>::default(),
        )
        .map_err(|e| malformed(what, format!("plonky2 could not read it: {e:?}")))
    })
    .map_err(|e| match e {
        BackendError::Prover(r) => malformed(what, r),
        e => e,
    })?;
    validate_common(&data.common).map_err(|r| malformed(what, r))?;
    Ok(data)
}

/// Serializes verifier data with zkc's gate serializer.
pub fn verifier_data_bytes(vd: &VerifierCircuitData<F, C, D>) -> Result<Vec<u8>, BackendError> {
    vd.to_bytes(&ZkcGateSerializer)
        .map_err(|e| BackendError::Prover(format!("serializing the verifying key: {e:?}")))
}

/// Wraps a serialized payload with `magic`, a 64-byte tag and a SHA-256 checksum.
pub fn seal(magic: &[u8; 8], tag: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = magic.to_vec();
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&Sha256::digest(payload));
    out.extend_from_slice(payload);
    out
}

/// Opens a sealed key: checks magic and checksum; returns the tag and payload.
pub fn unseal<'a>(bytes: &'a [u8], magic: &[u8; 8], what: &'static str) -> Result<(&'a str, &'a [u8]), BackendError> {
    let b = body(bytes, magic, what)?;
    let (tag, rest) = program_hash(b, what)?;
    if rest.len() < 32 {
        return Err(malformed(what, "truncated before the checksum"));
    }
    let (sum, payload) = rest.split_at(32);
    if Sha256::digest(payload).as_slice() != sum {
        return Err(malformed(
            what,
            "the checksum does not match: the file is damaged or truncated",
        ));
    }
    Ok((tag, payload))
}

/// Encodes a verifying key.
pub fn write_vk(program_hash: &str, vd: &VerifierCircuitData<F, C, D>) -> Result<Vec<u8>, BackendError> {
    Ok(seal(VK_MAGIC, program_hash, &verifier_data_bytes(vd)?))
}

/// Parses plonky2 verifier data (inside `catch_unwind`: plonky2's reader may panic).
pub fn parse_verifier_data(payload: &[u8], what: &'static str) -> Result<VerifierCircuitData<F, C, D>, BackendError> {
    let payload = payload.to_vec();
    let vd = crate::catch(what, move || {
        VerifierCircuitData::<F, C, D>::from_bytes(payload, &ZkcGateSerializer)
            .map_err(|e| malformed(what, format!("plonky2 could not read it: {e:?}")))
    })
    .map_err(|e| match e {
        BackendError::Prover(r) => malformed(what, r),
        e => e,
    })?;
    validate_common(&vd.common).map_err(|r| malformed(what, r))?;
    Ok(vd)
}

/// Sanity limits on common data read from a key, so that verification cannot be steered
/// into absurd allocations.
fn validate_common(c: &CommonCircuitData<F, D>) -> Result<(), String> {
    let d = c.fri_params.degree_bits;
    if d > 28 || c.config.num_wires > 1024 || c.num_constants > 1024 || c.num_public_inputs > 1 << 24 {
        return Err(format!(
            "implausible circuit parameters (degree 2^{d}, {} wires, {} constants, {} public inputs)",
            c.config.num_wires, c.num_constants, c.num_public_inputs
        ));
    }
    for g in &c.gates {
        if g.0.num_wires() > c.config.num_wires || g.0.num_constants() > c.num_constants {
            return Err(format!("gate {} does not fit the circuit's wires", g.0.id()));
        }
    }
    Ok(())
}

/// Decodes a verifying key for `expected_hash`.
pub fn read_vk(bytes: &[u8], expected_hash: &str) -> Result<VerifierCircuitData<F, C, D>, BackendError> {
    let what = "verifying key";
    let (h, payload) = unseal(bytes, VK_MAGIC, what)?;
    check_hash(h, expected_hash, what)?;
    parse_verifier_data(payload, what)
}

/// Decodes a verifying key of any program; returns its program hash too.
pub fn read_any_vk(bytes: &[u8]) -> Result<(String, VerifierCircuitData<F, C, D>), BackendError> {
    let what = "verifying key";
    let (h, payload) = unseal(bytes, VK_MAGIC, what)?;
    Ok((h.to_string(), parse_verifier_data(payload, what)?))
}

/// Encodes a proof of a program.
pub fn write_proof(p: &ProofWithPublicInputs<F, C, D>) -> Vec<u8> {
    write_proof_with(PROOF_MAGIC, p)
}

/// Encodes a proof after `magic`.
pub fn write_proof_with(magic: &[u8; 8], p: &ProofWithPublicInputs<F, C, D>) -> Vec<u8> {
    let mut out = magic.to_vec();
    out.extend(p.to_bytes());
    out
}

/// Decodes a proof (starting with `magic`) for a circuit with `common` data.
pub fn read_proof(
    bytes: &[u8],
    magic: &[u8; 8],
    common: &CommonCircuitData<F, D>,
) -> Result<ProofWithPublicInputs<F, C, D>, BackendError> {
    let what = "proof";
    let b = body(bytes, magic, what)?;
    // The public inputs come last, after their count: check the count before plonky2 reads.
    let n = common.num_public_inputs;
    let tail = 8 * (n + 1);
    if b.len() < tail {
        return Err(malformed(what, "truncated"));
    }
    let count = u64::from_le_bytes(b[b.len() - tail..b.len() - tail + 8].try_into().expect("8 bytes"));
    if count != n as u64 {
        return Err(malformed(
            what,
            format!(
                "it carries {count} public values but the circuit has {n} (truncated, or made for another circuit)"
            ),
        ));
    }
    for chunk in b[b.len() - 8 * n..].chunks(8) {
        if u64::from_le_bytes(chunk.try_into().expect("8 bytes")) >= F::ORDER {
            return Err(malformed(what, "a public value is not a canonical field element"));
        }
    }
    let bytes = b.to_vec();
    let common = common.clone();
    crate::catch(what, move || {
        ProofWithPublicInputs::<F, C, D>::from_bytes(bytes, &common).map_err(|e| malformed(what, format!("{e}")))
    })
    .map_err(|e| match e {
        BackendError::Prover(r) => malformed(what, r),
        e => e,
    })
}

/// Public values as field elements, checking they fit.
pub fn public_in_field(public: &[i128]) -> Result<Vec<F>, BackendError> {
    public
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if crate::field::fits(v) {
                Ok(crate::field::to_field(v))
            } else {
                Err(BackendError::Unsatisfied(format!(
                    "public value {i} = {v} does not fit Goldilocks' 63 signed bits, so no proof can claim it"
                )))
            }
        })
        .collect()
}

/// The public values of `program` in the field: a Poseidon digest element must be canonical
/// (`[0, p)`), every other value must fit the signed 63-bit interval, so each accepted claim
/// names exactly one field element.
pub fn program_public_in_field(program: &Program, public: &[i128]) -> Result<Vec<F>, BackendError> {
    let digest = crate::plan::digest_vars(program);
    let vars = program.public_vars();
    public
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let is_digest = vars.get(i).is_some_and(|x| digest.get(x.0 as usize) == Some(&true));
            if !is_digest {
                return public_in_field(&[v]).map(|f| f[0]).map_err(|_| {
                    BackendError::Unsatisfied(format!(
                        "public value {i} = {v} does not fit Goldilocks' 63 signed bits, so no proof can claim it"
                    ))
                });
            }
            if crate::field::canonical(v) {
                Ok(crate::field::to_field(v))
            } else {
                Err(BackendError::Unsatisfied(format!(
                    "public value {i} = {v} is a Poseidon digest element but not a canonical Goldilocks element in [0, p)"
                )))
            }
        })
        .collect()
}

/// Checks that the proof's public inputs are `expected`, naming the first difference.
pub fn check_public(proof: &ProofWithPublicInputs<F, C, D>, expected: &[F]) -> Result<(), BackendError> {
    if proof.public_inputs.len() != expected.len() {
        return Err(BackendError::Unsatisfied(format!(
            "{} public values given but the proof carries {}",
            expected.len(),
            proof.public_inputs.len()
        )));
    }
    if let Some(i) = (0..expected.len()).find(|&i| proof.public_inputs[i] != expected[i]) {
        return Err(BackendError::Unsatisfied(format!(
            "public value {i} is {} but the proof is for {}",
            crate::field::from_field(expected[i]),
            crate::field::from_field(proof.public_inputs[i])
        )));
    }
    Ok(())
}
