//! zkc's halo2 backend: PLONKish arithmetization with KZG commitments on BN254
//! (halo2-axiom), SHPLONK multi-opening and a Blake2b Fiat-Shamir transcript.
//!
//! - [`layout`] packs a program onto the grid (slots for arithmetic, lanes for range checks
//!   and table lookups, see [`plan`]) and picks the smallest cheap `k`.
//! - [`Halo2`] implements [`zkc_runtime::Backend`]: `cost`, `mock` (MockProver with failures
//!   mapped back to arguments), `setup` (SRS, see [`srs`] for the trusted-setup note; keys, see
//!   [`keys`]), `prove` and `verify`.

#![warn(missing_docs)]

mod args;
pub mod circuit;
pub mod field;
pub mod keys;
pub mod layout;
pub mod mock;
pub mod plan;
pub mod poseidon;
pub mod srs;
pub mod witness;

use std::path::PathBuf;

use halo2_proofs::halo2curves::bn256::{Bn256, G1Affine};
use halo2_proofs::plonk::{create_proof_from_advice, keygen_pk2, keygen_vk_custom, verify_proof};
use halo2_proofs::poly::commitment::Params;
use halo2_proofs::poly::kzg::commitment::KZGCommitmentScheme;
use halo2_proofs::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_proofs::transcript::{Blake2bRead, Blake2bWrite, Challenge255, TranscriptReadBuffer, TranscriptWriterBuffer};
use zkc_runtime::{Backend, BackendError, Cost, KeyCheck, Keys, Program, Trace};

pub use layout::{layout, Layout};
pub use srs::SrsSource;

use crate::circuit::ZkcCircuit;
use crate::keys::Header;

/// The halo2 backend. [`Halo2::new`] uses a locally generated, cached SRS (a local trusted
/// setup: fine for development, not for proofs meant to convince others, see [`srs`]);
/// [`Halo2::with_srs`] uses an existing SRS file.
#[derive(Clone, Debug)]
pub struct Halo2 {
    srs: SrsSource,
}

impl Default for Halo2 {
    fn default() -> Self {
        Self::new()
    }
}

impl Halo2 {
    /// Local SRS cached in `$ZKC_SRS_DIR` or `~/.cache/zkc/srs/` (`kzg-bn254-k{k}.srs`).
    pub fn new() -> Self {
        Halo2 {
            srs: SrsSource::Local(None),
        }
    }

    /// Local SRS cached in `dir`.
    pub fn with_srs_dir(dir: impl Into<PathBuf>) -> Self {
        Halo2 {
            srs: SrsSource::Local(Some(dir.into())),
        }
    }

    /// An existing SRS file in halo2's raw KZG format (as written by halo2 `ParamsKZG::write`);
    /// a larger one is downsized to the circuit's `k`.
    pub fn with_srs(path: impl Into<PathBuf>) -> Self {
        Halo2 {
            srs: SrsSource::File(path.into()),
        }
    }

    /// Where this backend takes its SRS from.
    pub fn srs_source(&self) -> &SrsSource {
        &self.srs
    }
}

fn header(program: &Program, k: u32, plan: &plan::Plan) -> Header {
    Header {
        k,
        shape: plan.shape,
        program_hash: program.hash(),
    }
}

fn check_trace(program: &Program, trace: &Trace) -> Result<(), BackendError> {
    if trace.values.len() != program.num_vars as usize {
        return Err(BackendError::Prover(format!(
            "the trace has {} values but the program has {} variables; solve the program again",
            trace.values.len(),
            program.num_vars
        )));
    }
    Ok(())
}

/// Runs `f`, turning a panic inside halo2 into an error instead of unwinding into the caller.
fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T, BackendError>) -> Result<T, BackendError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(BackendError::Prover(format!("{what}: halo2 panicked (see stderr)"))))
}

impl Backend for Halo2 {
    fn name(&self) -> &'static str {
        "halo2"
    }

    fn value_bits(&self) -> u32 {
        252
    }

    fn cost(&self, program: &Program) -> Cost {
        match layout(program) {
            Ok(l) => Cost {
                total: l.rows as u64,
                unit: "rows",
                detail: format!(
                    "k={}, advice columns={}, fixed columns={}, slots={}x{}, range lanes={} ({}-bit limbs), lookup lanes={}, hash groups={}",
                    l.k, l.advice_columns, l.fixed_columns, l.slots, l.slot_width, l.range_lanes, l.limb_bits, l.lookup_lanes, l.hash_groups
                ),
                per_node: l.per_node_rows,
            },
            Err(e) => Cost {
                total: u64::MAX,
                unit: "rows",
                detail: format!("does not fit: {e}"),
                per_node: Default::default(),
            },
        }
    }

    fn mock(&self, program: &Program, trace: &Trace) -> Result<(), BackendError> {
        check_trace(program, trace)?;
        let (k, plan) = layout::plan_program(program)?;
        let witness = witness::advice_columns(&plan, program, trace, 1 << k);
        let instance = keys::instance(&trace.public_values(program));
        guarded("mock", || mock::run(program, k, &plan, &witness, instance))
    }

    fn setup(&self, program: &Program) -> Result<Keys, BackendError> {
        let (k, plan) = layout::plan_program(program)?;
        let params = srs::params_for(&self.srs, k)?;
        let h = header(program, k, &plan);
        guarded("setup", || {
            let circuit = ZkcCircuit {
                plan: &plan,
                witness: None,
            };
            let pk = keygen_pk2(&params, &circuit, false)
                .map_err(|e| BackendError::Prover(format!("key generation: {e}")))?;
            let verifying_key = keys::write_vk(&h, &params, pk.get_vk());
            let proving_key = keys::write_pk(&h, &params, &pk);
            Ok(Keys {
                proving_key,
                verifying_key,
            })
        })
    }

    fn setup_with_seed(&self, program: &Program, seed: &[u8]) -> Result<Keys, BackendError> {
        Halo2 {
            srs: SrsSource::Seed(seed.to_vec()),
        }
        .setup(program)
    }

    /// The fixed and permutation commitments of the key are recomputed from the program's
    /// layout with the SRS the key names (its `g`, `g2`, `s·g2`), when this machine has that
    /// SRS: the cached local one, `--srs FILE`, or the seed's. A key made with an SRS that is
    /// not here is reported as trusted, not as wrong.
    fn check_verifying_key(&self, program: &Program, verifying_key: &[u8]) -> Result<KeyCheck, BackendError> {
        let (k, plan) = layout::plan_program(program)?;
        let h = header(program, k, &plan);
        let (given_params, _) = keys::read_vk(verifying_key, &h)?;
        let given_srs = keys::srs_points(&given_params);
        let params = match srs::existing_params_for(&self.srs, k)? {
            Some(p) if keys::srs_points(&p) == given_srs => p,
            Some(_) => {
                return Ok(KeyCheck::Trusted(format!(
                    "the verifying key was made with another SRS than this machine's for k={k}; it is trusted as given (pass --srs with the SRS it was made with to rebuild it)"
                )))
            }
            None => {
                return Ok(KeyCheck::Trusted(format!(
                    "no SRS for k={k} is on this machine, so the verifying key is trusted as given (pass --srs with the SRS it was made with to rebuild it)"
                )))
            }
        };
        let rebuilt = guarded("rebuilding the verifying key", || {
            let circuit = ZkcCircuit {
                plan: &plan,
                witness: None,
            };
            let vk = keygen_vk_custom(&params, &circuit, false)
                .map_err(|e| BackendError::Prover(format!("key generation: {e}")))?;
            Ok(keys::write_vk(&h, &params, &vk))
        })?;
        if rebuilt != verifying_key {
            return Err(BackendError::Unsatisfied(
                "the verifying key is not the one this circuit's setup gives with its SRS (its fixed or permutation commitments differ): it belongs to another circuit or was altered; run setup again".into(),
            ));
        }
        Ok(KeyCheck::Rebuilt(format!(
            "verifying key rebuilt from the circuit and the SRS (k={k}) and identical"
        )))
    }

    fn prove(&self, program: &Program, proving_key: &[u8], trace: &Trace) -> Result<Vec<u8>, BackendError> {
        check_trace(program, trace)?;
        let (k, plan) = layout::plan_program(program)?;
        let h = header(program, k, &plan);
        guarded("prove", || {
            let (params, pk) = keys::read_pk(proving_key, &h)?;
            let witness = witness::advice_columns(&plan, program, trace, params.n() as usize);
            let instance = keys::instance(&trace.public_values(program));
            let mut transcript = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(Vec::new());
            create_proof_from_advice::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _>(
                &params,
                &pk,
                &[&instance[..]],
                witness,
                rand_core::OsRng,
                &mut transcript,
            )
            .map_err(|e| {
                BackendError::Prover(format!("the trace does not satisfy the circuit or proving failed: {e}"))
            })?;
            Ok(transcript.finalize())
        })
    }

    fn verify(
        &self,
        program: &Program,
        verifying_key: &[u8],
        public: &[i128],
        proof: &[u8],
    ) -> Result<(), BackendError> {
        let (k, plan) = layout::plan_program(program)?;
        let h = header(program, k, &plan);
        if public.len() != plan.publics.len() {
            return Err(BackendError::Unsatisfied(format!(
                "{} public values given but the program has {}",
                public.len(),
                plan.publics.len()
            )));
        }
        guarded("verify", || {
            let (params, vk) = keys::read_vk(verifying_key, &h)?;
            let instance = keys::instance(public);
            let mut reader: &[u8] = proof;
            let ok = {
                let mut transcript = Blake2bRead::<_, G1Affine, Challenge255<_>>::init(&mut reader);
                verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, SingleStrategy<'_, Bn256>>(
                    &params,
                    &vk,
                    SingleStrategy::new(&params),
                    &[&[&instance[..]]],
                    &mut transcript,
                )
            };
            match ok {
                Ok(()) if reader.is_empty() => Ok(()),
                Ok(()) => Err(BackendError::Unsatisfied("the proof has trailing bytes".into())),
                Err(e) => Err(BackendError::Unsatisfied(format!(
                    "the proof does not verify against this verifying key and these public values ({e:?})"
                ))),
            }
        })
    }
}
