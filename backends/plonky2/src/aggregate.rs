//! Recursive aggregation: one plonky2 proof that N zkc proofs (of one program or of several)
//! verify, with their public values re-exposed, in order, as the aggregate's public inputs.
//!
//! The aggregation circuit runs plonky2's in-circuit verifier once per inner proof, with each
//! inner circuit's verifier data (constants/sigmas cap and digest) baked in as constants: the
//! aggregate verifying key therefore pins exactly which circuits were verified. It is derived
//! from the inner verifying keys alone ([`aggregate_vk`]), so a verifier regenerates it instead
//! of trusting one that came with the proof, just as with a program's verifying key.
//!
//! Aggregate verifying key: magic, the hex SHA-256 of the inner verifying keys, a checksum,
//! then the inner count, each inner circuit digest and public-value count, and plonky2's
//! verifier data of the aggregation circuit.

use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData, VerifierCircuitData};
use plonky2::plonk::proof::{ProofWithPublicInputs, ProofWithPublicInputsTarget};
use sha2::{Digest, Sha256};
use zkc_runtime::{BackendError, Program};

use crate::circuit::{C, D};
use crate::field::F;
use crate::keys;

const AGG_VK: &str = "aggregate verifying key";

struct AggCircuit {
    data: CircuitData<F, C, D>,
    proofs: Vec<ProofWithPublicInputsTarget<D>>,
}

/// The aggregation circuit for `inners`: plonky2's standard recursion configuration.
fn build(inners: &[VerifierCircuitData<F, C, D>]) -> Result<AggCircuit, BackendError> {
    crate::catch("building the aggregation circuit", || {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let mut proofs = Vec::with_capacity(inners.len());
        for vd in inners {
            let pt = b.add_virtual_proof_with_pis(&vd.common);
            let vt = b.constant_verifier_data(&vd.verifier_only);
            b.verify_proof::<C>(&pt, &vt, &vd.common);
            b.register_public_inputs(&pt.public_inputs);
            proofs.push(pt);
        }
        Ok(AggCircuit {
            data: b.build::<C>(),
            proofs,
        })
    })
}

/// Hex SHA-256 over the inner verifying keys (length-prefixed), the aggregate key's tag.
fn tag<'a>(vks: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut h = Sha256::new();
    for vk in vks {
        h.update((vk.len() as u64).to_le_bytes());
        h.update(vk);
    }
    hex(&h.finalize())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn vk_bytes(
    vks: &[&[u8]],
    inners: &[VerifierCircuitData<F, C, D>],
    data: &CircuitData<F, C, D>,
) -> Result<Vec<u8>, BackendError> {
    let mut payload = (inners.len() as u64).to_le_bytes().to_vec();
    for vd in inners {
        payload.extend(keys::digest_bytes(&vd.verifier_only.circuit_digest));
        payload.extend((vd.common.num_public_inputs as u64).to_le_bytes());
    }
    payload.extend(keys::verifier_data_bytes(&data.verifier_data())?);
    Ok(keys::seal(keys::AGG_VK_MAGIC, &tag(vks.iter().copied()), &payload))
}

/// The aggregate verifying key for proofs under `vks` (in this order), without any proof:
/// what a verifier runs to obtain the key it trusts. Same bytes as [`aggregate`] returns.
pub fn aggregate_vk(vks: &[Vec<u8>]) -> Result<Vec<u8>, BackendError> {
    if vks.is_empty() {
        return Err(nothing());
    }
    let inners = vks
        .iter()
        .map(|vk| keys::read_any_vk(vk).map(|(_, vd)| vd))
        .collect::<Result<Vec<_>, _>>()?;
    let agg = build(&inners)?;
    let refs: Vec<&[u8]> = vks.iter().map(|v| &v[..]).collect();
    vk_bytes(&refs, &inners, &agg.data)
}

fn nothing() -> BackendError {
    BackendError::DoesNotFit {
        backend: "plonky2",
        reason: "aggregation needs at least one proof".into(),
    }
}

/// Aggregates `(program, verifying key, proof)` items into one recursive proof. Returns the
/// aggregate verifying key and the aggregate proof; its public values are every item's
/// public values, concatenated in item order. Fails if any inner proof does not verify.
pub fn aggregate(items: &[(Program, Vec<u8>, Vec<u8>)]) -> Result<(Vec<u8>, Vec<u8>), BackendError> {
    aggregate_checked(items, true)
}

/// [`aggregate`]; with `precheck` false the inner proofs are not verified natively first, so
/// only the recursive circuit stands between a bad inner proof and an aggregate (tests).
pub(crate) fn aggregate_checked(
    items: &[(Program, Vec<u8>, Vec<u8>)],
    precheck: bool,
) -> Result<(Vec<u8>, Vec<u8>), BackendError> {
    if items.is_empty() {
        return Err(nothing());
    }
    let mut inners = Vec::with_capacity(items.len());
    let mut proofs: Vec<ProofWithPublicInputs<F, C, D>> = Vec::with_capacity(items.len());
    for (i, (program, vk, proof)) in items.iter().enumerate() {
        let vd = keys::read_vk(vk, &program.hash())?;
        let p = keys::read_proof(proof, keys::PROOF_MAGIC, &vd.common)?;
        if precheck {
            crate::catch("verifying an inner proof", || {
                vd.verify(p.clone()).map_err(|e| {
                    BackendError::Unsatisfied(format!("proof {i} does not verify, so it cannot be aggregated: {e}"))
                })
            })?;
        }
        inners.push(vd);
        proofs.push(p);
    }
    let agg = build(&inners)?;
    let mut pw = PartialWitness::new();
    for (t, p) in agg.proofs.iter().zip(&proofs) {
        pw.set_proof_with_pis_target(t, p)
            .map_err(|e| BackendError::Prover(format!("aggregation witness: {e}")))?;
    }
    let proof = crate::catch("aggregating", || {
        agg.data.prove(pw).map_err(|e| {
            BackendError::Prover(format!(
                "aggregation failed: an inner proof does not verify in the circuit ({e})"
            ))
        })
    })?;
    crate::catch("checking the aggregate", || {
        agg.data.verify(proof.clone()).map_err(|e| {
            BackendError::Prover(format!(
                "aggregation failed: an inner proof does not verify (the aggregate is invalid: {e})"
            ))
        })
    })?;
    let refs: Vec<&[u8]> = items.iter().map(|(_, vk, _)| &vk[..]).collect();
    Ok((
        vk_bytes(&refs, &inners, &agg.data)?,
        keys::write_proof_with(keys::AGG_PROOF_MAGIC, &proof),
    ))
}

/// The parsed aggregate verifying key.
struct AggKey {
    tag: String,
    /// Per inner proof: circuit digest bytes and public-value count.
    inner: Vec<(Vec<u8>, usize)>,
    vd: VerifierCircuitData<F, C, D>,
}

fn read_agg_vk(agg_vk: &[u8]) -> Result<AggKey, BackendError> {
    let (tag, payload) = keys::unseal(agg_vk, keys::AGG_VK_MAGIC, AGG_VK)?;
    let short = || BackendError::Malformed {
        what: AGG_VK,
        reason: "truncated header".into(),
    };
    let n = u64::from_le_bytes(payload.get(..8).ok_or_else(short)?.try_into().expect("8 bytes"));
    if n == 0 || n > (payload.len() / 40) as u64 {
        return Err(short());
    }
    let mut at = 8;
    let mut inner = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let entry = payload.get(at..at + 40).ok_or_else(short)?;
        at += 40;
        let count = u64::from_le_bytes(entry[32..40].try_into().expect("8 bytes"));
        inner.push((entry[..32].to_vec(), usize::try_from(count).map_err(|_| short())?));
    }
    let vd = keys::parse_verifier_data(&payload[at..], AGG_VK)?;
    if inner.iter().map(|e| e.1).sum::<usize>() != vd.common.num_public_inputs {
        return Err(BackendError::Malformed {
            what: AGG_VK,
            reason: "its inner public-value counts do not add up to the aggregate's".into(),
        });
    }
    Ok(AggKey {
        tag: tag.to_string(),
        inner,
        vd,
    })
}

/// Verifies an aggregate proof with the aggregate verifying key alone (obtain the key with
/// [`aggregate_vk`] from inner keys you trust, or keep the one you trust) and returns the
/// public values of every inner proof, in aggregation order.
pub fn verify_aggregate_publics(agg_vk: &[u8], agg_proof: &[u8]) -> Result<Vec<Vec<i128>>, BackendError> {
    verify_with(&read_agg_vk(agg_vk)?, agg_proof)
}

fn verify_with(key: &AggKey, agg_proof: &[u8]) -> Result<Vec<Vec<i128>>, BackendError> {
    let p = keys::read_proof(agg_proof, keys::AGG_PROOF_MAGIC, &key.vd.common)?;
    let values: Vec<i128> = p.public_inputs.iter().map(|&x| crate::field::from_field(x)).collect();
    crate::catch("verifying the aggregate", || {
        key.vd
            .verify(p)
            .map_err(|e| BackendError::Unsatisfied(format!("the aggregate proof does not verify: {e}")))
    })?;
    let mut out = Vec::with_capacity(key.inner.len());
    let mut at = 0;
    for &(_, n) in &key.inner {
        out.push(values[at..at + n].to_vec());
        at += n;
    }
    Ok(out)
}

/// Checks an aggregate proof against the aggregate verifying key (obtain it with
/// [`aggregate_vk`] from keys you trust) and the inner `(verifying key, public values)` in
/// aggregation order. `Ok(())` only if every inner proof was verified for those values.
pub fn verify_aggregate(agg_vk: &[u8], agg_proof: &[u8], inner: &[(Vec<u8>, Vec<i128>)]) -> Result<(), BackendError> {
    let key = read_agg_vk(agg_vk)?;
    if key.tag != tag(inner.iter().map(|(vk, _)| &vk[..])) {
        return Err(BackendError::Malformed {
            what: AGG_VK,
            reason: "it was made for other verifying keys (or another order); regenerate it with aggregate_vk".into(),
        });
    }
    if key.inner.len() != inner.len() {
        return Err(BackendError::Unsatisfied(format!(
            "the aggregate holds {} proofs but {} verifying keys were given",
            key.inner.len(),
            inner.len()
        )));
    }
    for (i, ((digest, count), (vk, public))) in key.inner.iter().zip(inner).enumerate() {
        let (_, vd) = keys::read_any_vk(vk)?;
        if digest[..] != keys::digest_bytes(&vd.verifier_only.circuit_digest)[..] {
            return Err(BackendError::Malformed {
                what: AGG_VK,
                reason: format!("inner circuit {i} differs from verifying key {i}"),
            });
        }
        if *count != public.len() {
            return Err(BackendError::Unsatisfied(format!(
                "proof {i} has {count} public values but {} were given",
                public.len()
            )));
        }
        keys::public_in_field(public)?;
    }
    let publics = verify_with(&key, agg_proof)?;
    for (i, (got, (_, want))) in publics.iter().zip(inner).enumerate() {
        if let Some(j) = (0..want.len()).find(|&j| got[j] != want[j]) {
            return Err(BackendError::Unsatisfied(format!(
                "public value {j} of proof {i} is {} but the aggregate is for {}",
                want[j], got[j]
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use zkc_runtime::{solve, Argument, Backend, Origin, Program, Var};

    use super::*;
    use crate::Plonky2;

    fn tiny() -> (Program, Vec<u8>, Vec<u8>) {
        let mut p = Program {
            num_vars: 3,
            ..Program::default()
        };
        let o = Origin::default();
        for a in [
            Argument::Input { x: Var(0), index: 0 },
            Argument::Mul {
                out: Var(1),
                a: Var(0),
                b: Var(0),
            },
            Argument::Linear {
                out: Var(2),
                terms: vec![(3, Var(1))],
                constant: 1,
            },
            Argument::Public { x: Var(2) },
        ] {
            p.arguments.push((a, o.clone()));
        }
        let t = solve(&p, &[7]).unwrap();
        let b = Plonky2::without_zero_knowledge();
        let keys = b.setup(&p).unwrap();
        let proof = b.prove(&p, &keys.proving_key, &t).unwrap();
        (p, keys.verifying_key, proof)
    }

    /// Without the native pre-check, the recursive verifier itself refuses a bad proof:
    /// a changed opening, and a changed public value inside the proof.
    #[test]
    fn the_recursive_circuit_refuses_tampered_inner_proofs() {
        let (p, vk, proof) = tiny();
        for at in [proof.len() / 2, proof.len() - 8] {
            let mut bad = proof.clone();
            bad[at] ^= 0x01;
            // Still parses (a field element changed), so only the circuit can object.
            let vd = keys::read_vk(&vk, &p.hash()).unwrap();
            assert!(keys::read_proof(&bad, keys::PROOF_MAGIC, &vd.common).is_ok());
            let r = aggregate_checked(&[(p.clone(), vk.clone(), bad)], false);
            assert!(r.is_err(), "byte {at}: an aggregate of a tampered proof was produced");
        }
    }
}
