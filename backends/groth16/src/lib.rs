//! zkc's Groth16 backend: every circuit argument as R1CS over BN254's scalar field
//! (arkworks: `ark-relations`, `ark-groth16`, `ark-bn254`), with snarkjs and Solidity
//! exports of the keys and proofs.
//!
//! # Constraints per argument
//!
//! | argument | R1CS constraints | how |
//! |---|---|---|
//! | `Input` | 0 | a witness |
//! | `Linear` | 0 | `out` *is* the linear combination `Σ cᵢ·xᵢ + c₀`, used directly downstream |
//! | `Mul` | 1 | `a·b = out` |
//! | `Range` (n bits) | n + 1 | bits of `x + 2^(n-1)` |
//! | `Rescale` (k, q_bits) | k + q_bits + 1 | `q`, `r` are the combinations of their bits |
//! | `Div` (bits) | 3·bits + 2 | bits of `r`, `d - 1 - r`, `q`; `q·d = n - r` |
//! | `Max` | bits + 2; relu of a decomposed value: 1 (2 when its width is bits + 1) | see `args/max.rs` |
//! | `Lookup` (N entries) | 2R + M + 3 (+1), `M = ⌈√(2N)⌉`, `R = ⌈N/M⌉`: ≈ 2√(2N) | two one-hot selectors over an R×M grid; 187 for N = 4096 |
//! | `Public` | 0 for the first publication of an `Input`, `Mul` or `Max` output; else 1 | the instance variable *is* the value's cell; else `⟨x⟩·1 = p` (see `args/public.rs`) |
//! | `Hash` (PoseidonBn254, n inputs) | 243·max(1, ⌈n/2⌉) + 257 ([`hash_constraints`]) | 3 per S-box, 81 S-boxes per permutation of 2 inputs; 64 bits per digest limb, one recombination; see `args/hash.rs` |
//!
//! A `Linear` term that is itself a combination longer than [`r1cs::INLINE_MAX`] terms is
//! bound to a witness with 1 constraint before it is copied (only wide sums of wide sums).
//!
//! # Linear outputs have no witness cell
//!
//! Because a `Linear` output (and a Rescale quotient and remainder, a Div quotient and
//! remainder, a lookup output) is a linear combination and not a variable of its own, a trace
//! whose value for it differs from the combination leaves every constraint satisfied: the
//! proof would simply be about the correct value. So `mock` compares every such value with its
//! combination and names the argument on a mismatch, and `prove` refuses (`Err`) any trace
//! that fails [`zkc_runtime::checker::check`]. Soundness is unaffected: a prover cannot make
//! a combination take another value.
//!
//! # Trusted setup
//!
//! `setup` runs Groth16's circuit-specific key generation *locally*, with toxic waste drawn
//! from the operating system's randomness and dropped when the keys are written: a local
//! trusted setup, which convinces whoever trusts the machine that ran it. Two setups of one
//! program give different (each valid) keys. `setup_with_seed` derives the
//! waste from a seed instead, for byte-identical keys in tests and benchmarks; anyone who
//! knows that seed can forge proofs. Proofs meant to convince others need keys from a
//! multi-party ceremony (e.g. snarkjs's phase 2 on a powers-of-tau file).
//!
//! # Proving and key generation
//!
//! [`prover`] and [`keygen`] work on the lowered matrices directly (arkworks' libsnark QAP
//! reduction and curve arithmetic, without a `ConstraintSystem` round trip); [`Circuit`] is
//! the same R1CS as an arkworks `ConstraintSynthesizer`, and tests check that arkworks'
//! generator gives the same keys and its constraint system the same satisfiability.
//!
//! # Formats
//!
//! Keys and proofs are described in [`keys`]; [`export_snarkjs`] and [`export_solidity`]
//! convert them for snarkjs and for an EVM verifier ([`evm_calldata`]; `evm_verify` with the
//! `evm` feature runs it in revm).

#![warn(missing_docs)]

mod args;
pub mod circuit;
#[cfg(feature = "evm")]
pub mod evm;
pub mod field;
pub mod keygen;
pub mod keys;
pub mod mock;
pub mod msm_affine;
pub mod prover;
pub mod r1cs;
pub mod snarkjs;
pub mod solidity;

use std::collections::BTreeMap;

use ark_bn254::{Bn254, Fr};
use ark_groth16::{prepare_verifying_key, Groth16 as ArkGroth16};
use ark_std::UniformRand;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkc_runtime::{Backend, BackendError, Cost, Keys, Program, Trace};

/// The R1CS constraints of an `Argument::Hash` of `n` inputs.
pub use args::hash::constraints as hash_constraints;
pub use circuit::Circuit;
#[cfg(feature = "evm")]
pub use evm::verify_in_evm;
/// The name the backend's API promises for [`verify_in_evm`].
#[cfg(feature = "evm")]
pub use evm::verify_in_evm as evm_verify;
pub use snarkjs::export_snarkjs;
pub use solidity::{compile_solidity, evm_calldata, export_solidity};

use crate::field::fr;
use crate::keys::Shape;
use crate::r1cs::lower;

/// The Groth16 backend (R1CS on BN254). See the crate docs for the constraint costs and the
/// trusted-setup note.
#[derive(Clone, Copy, Debug, Default)]
pub struct Groth16;

/// The RNG of a seeded setup: ChaCha20 keyed with SHA3-256 of the seed. Its toxic waste is
/// as public as the seed.
pub fn seeded_setup_rng(seed: &[u8]) -> ChaCha20Rng {
    use sha3::Digest;
    ChaCha20Rng::from_seed(sha3::Sha3_256::digest(seed).into())
}

fn setup_from(program: &Program, rng: &mut ChaCha20Rng) -> Result<Keys, BackendError> {
    let r = lower(program, None, true)?;
    let hash = program.hash();
    let sh = shape(&r);
    let pk = keygen::generate(r, rng)?;
    Ok(Keys {
        verifying_key: keys::write_vk(&hash, &pk.vk),
        proving_key: keys::write_pk(&hash, sh, &pk),
    })
}

fn shape(r: &r1cs::R1cs) -> Shape {
    Shape {
        constraints: r.num_constraints as u64,
        instance: r.num_instance as u64,
        witness: r.num_witness as u64,
    }
}

/// Fresh randomness (from the OS) for the proof's zero-knowledge blinding.
fn proof_rng() -> ChaCha20Rng {
    ChaCha20Rng::from_entropy()
}

/// The number of public values `program` exposes.
fn num_public(program: &Program) -> usize {
    program.public_vars().len()
}

impl Groth16 {
    /// The R1CS size: (constraints, witness variables, instance variables incl. the one).
    pub fn shape(&self, program: &Program) -> Result<(usize, usize, usize), BackendError> {
        let r = lower(program, None, false)?;
        Ok((r.num_constraints, r.num_witness, r.num_instance))
    }
}

impl Backend for Groth16 {
    fn name(&self) -> &'static str {
        "groth16"
    }

    fn value_bits(&self) -> u32 {
        252
    }

    fn cost(&self, program: &Program) -> Cost {
        match lower(program, None, false) {
            Ok(r) => {
                let mut per_node = BTreeMap::new();
                for (n, (_, origin)) in r.per_arg.iter().zip(&program.arguments) {
                    *per_node.entry(origin.node).or_insert(0) += u64::from(*n);
                }
                let domain = (r.num_constraints + r.num_instance).next_power_of_two();
                Cost {
                    total: r.num_constraints as u64,
                    unit: "constraints",
                    detail: format!(
                        "witness variables={}, public values={}, QAP domain=2^{}",
                        r.num_witness,
                        r.num_instance - 1,
                        domain.trailing_zeros()
                    ),
                    per_node,
                }
            }
            Err(e) => Cost {
                total: u64::MAX,
                unit: "constraints",
                detail: format!("does not fit: {e}"),
                per_node: BTreeMap::new(),
            },
        }
    }

    fn mock(&self, program: &Program, trace: &Trace) -> Result<(), BackendError> {
        mock::run(program, trace)
    }

    fn setup(&self, program: &Program) -> Result<Keys, BackendError> {
        setup_from(program, &mut ChaCha20Rng::from_entropy())
    }

    /// Key generation with the toxic waste derived from `seed`: the same program and seed
    /// always give byte-identical keys. Anyone who knows the seed can forge proofs for
    /// these keys; [`Backend::setup`] draws fresh randomness instead.
    fn setup_with_seed(&self, program: &Program, seed: &[u8]) -> Result<Keys, BackendError> {
        setup_from(program, &mut seeded_setup_rng(seed))
    }

    fn prove(&self, program: &Program, proving_key: &[u8], trace: &Trace) -> Result<Vec<u8>, BackendError> {
        zkc_runtime::checker::check(program, trace).map_err(|v| {
            BackendError::Unsatisfied(format!(
                "{v}; the Groth16 prover refuses traces the checker rejects (values of linear combinations have no witness cell to catch them)"
            ))
        })?;
        let r = lower(program, Some(trace), true)?;
        let sh = shape(&r);
        // Matrices first: this frees the per-variable combinations before the key is decoded.
        let (m, z) = r.into_matrices();
        let pk = keys::read_pk(proving_key, &program.hash(), sh)?;
        let mut rng = proof_rng();
        let (rr, ss) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
        let proof = prover::prove(&pk, &m, &z, rr, ss)?;
        // A damaged proving key would give a proof that does not verify: catch it here.
        let pvk = prepare_verifying_key(&pk.vk);
        let ok = ArkGroth16::<Bn254>::verify_proof(&pvk, &proof, &z[1..m.num_instance_variables]).unwrap_or(false);
        if !ok {
            return Err(BackendError::Prover(
                "the proof does not verify against the proving key's own verifying key: the proving key is damaged; run `zkc setup` again".into(),
            ));
        }
        Ok(keys::write_proof(&proof))
    }

    fn verify(
        &self,
        program: &Program,
        verifying_key: &[u8],
        public: &[i128],
        proof: &[u8],
    ) -> Result<(), BackendError> {
        let vk = keys::read_vk(verifying_key, &program.hash())?;
        let n = num_public(program);
        if public.len() != n || vk.gamma_abc_g1.len() != n + 1 {
            return Err(BackendError::Unsatisfied(format!(
                "{} public values given and the key expects {}, but the program has {n}",
                public.len(),
                vk.gamma_abc_g1.len() - 1
            )));
        }
        let proof = keys::read_proof(proof)?;
        let inputs: Vec<Fr> = public.iter().map(|&v| fr(v)).collect();
        let pvk = prepare_verifying_key(&vk);
        match ArkGroth16::<Bn254>::verify_proof(&pvk, &proof, &inputs) {
            Ok(true) => Ok(()),
            Ok(false) => Err(BackendError::Unsatisfied(
                "the proof does not verify against this verifying key and these public values".into(),
            )),
            Err(e) => Err(BackendError::Unsatisfied(format!("the proof does not verify: {e}"))),
        }
    }
}
