//! The one trait every proving backend implements.
//!
//! Passes and the compiler see a backend only through this trait (and its [`Cost`]); the
//! proof-system specifics stay inside `backends/<name>`.

use std::collections::BTreeMap;

use crate::program::Program;
use crate::trace::Trace;

/// What a circuit costs on one backend.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// The headline size: halo2 rows, plonky2 gates, Groth16 constraints.
    pub total: u64,
    /// The unit of `total` ("rows", "gates", "constraints").
    pub unit: &'static str,
    /// Extra layout facts worth printing (e.g. `k=17, advice columns=12`).
    pub detail: String,
    /// The cost attributed to each IR node (by [`crate::program::Origin::node`]).
    pub per_node: BTreeMap<usize, u64>,
}

/// A backend failure: a violated constraint, a malformed key or proof, or a prover error.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// `mock` found a constraint the trace does not satisfy.
    #[error("constraint not satisfied: {0}")]
    Unsatisfied(String),
    /// A key, proof or public-values file could not be decoded.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being decoded ("proof", "verifying key", ...).
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
    /// The program does not fit this backend (field too small, circuit too large, ...).
    #[error("the circuit does not fit the {backend} backend: {reason}")]
    DoesNotFit {
        /// The backend's name.
        backend: &'static str,
        /// What to change.
        reason: String,
    },
    /// Proving failed.
    #[error("proving failed: {0}")]
    Prover(String),
    /// An outside tool an export drives (solc, an EVM) failed or refused the artifact.
    #[error("{tool}: {reason}")]
    External {
        /// The tool ("compiling the Solidity verifier", "EVM", ...).
        tool: &'static str,
        /// What happened and what to do.
        reason: String,
    },
}

/// Keys produced by [`Backend::setup`], serialized by the backend.
#[derive(Clone, Debug)]
pub struct Keys {
    /// The proving key.
    pub proving_key: Vec<u8>,
    /// The verifying key.
    pub verifying_key: Vec<u8>,
}

/// What [`Backend::check_verifying_key`] established about a verifying key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyCheck {
    /// The key was rebuilt from the program (halo2: and the SRS) and is byte-identical to
    /// the one given; the text says from what.
    Rebuilt(String),
    /// The key cannot be rebuilt here and is taken as its setup produced it; the text says
    /// why and what trusting it means.
    Trusted(String),
}

/// A proof system zkc can prove a [`Program`] with.
pub trait Backend: Sync {
    /// The name used on the command line (`halo2`, `plonky2`, `groth16`).
    fn name(&self) -> &'static str;

    /// How many bits a signed value may use in this backend's field without wrapping
    /// (BN254: 252, Goldilocks: 62). Quantization keeps every value inside it.
    fn value_bits(&self) -> u32;

    /// The size of `program` on this backend.
    fn cost(&self, program: &Program) -> Cost;

    /// Checks every constraint on `trace` without proving; names the first violated one.
    fn mock(&self, program: &Program, trace: &Trace) -> Result<(), BackendError>;

    /// Generates proving and verifying keys for `program`.
    fn setup(&self, program: &Program) -> Result<Keys, BackendError>;

    /// Generates keys whose setup randomness (toxic waste, SRS) is derived from `seed`, so
    /// the same program and seed give byte-identical keys anywhere. Anyone who knows the
    /// seed can forge proofs for such keys: for tests and benchmarks. Backends whose setup
    /// has no secret (plonky2) need not override it.
    fn setup_with_seed(&self, program: &Program, seed: &[u8]) -> Result<Keys, BackendError> {
        let _ = seed;
        self.setup(program)
    }

    /// Proves that `trace` satisfies `program`. Returns the serialized proof.
    fn prove(&self, program: &Program, proving_key: &[u8], trace: &Trace) -> Result<Vec<u8>, BackendError>;

    /// Checks that `verifying_key` is the key `program`'s setup gives, by rebuilding it
    /// where the backend can (a key file's header only *claims* a circuit: a key of another
    /// circuit, with other weights, tables or gates, would verify that circuit's proofs).
    /// `Err` when the rebuilt key differs; [`KeyCheck::Trusted`] when it cannot be rebuilt.
    fn check_verifying_key(&self, program: &Program, verifying_key: &[u8]) -> Result<KeyCheck, BackendError> {
        let _ = (program, verifying_key);
        Ok(KeyCheck::Trusted(format!(
            "{}'s verifying key cannot be rebuilt from the circuit; it is trusted as its setup wrote it",
            self.name()
        )))
    }

    /// Checks `proof` against the verifying key and the public values (in the order of the
    /// program's `Public` arguments). `Ok(())` only if the proof is valid.
    fn verify(
        &self,
        program: &Program,
        verifying_key: &[u8],
        public: &[i128],
        proof: &[u8],
    ) -> Result<(), BackendError>;
}
