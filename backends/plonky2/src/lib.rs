//! zkc's plonky2 backend: PLONK with FRI over Goldilocks (`p = 2^64 - 2^32 + 1`), Poseidon
//! Fiat-Shamir, zero knowledge, and recursive aggregation of many proofs into one.
//!
//! - [`plan`] lowers each argument (one file each under `args/`) into gate requests and checks
//!   statically that coefficients, table values and bit widths fit the 63-bit field.
//! - [`circuit`] packs the requests into rows of zkc's [`gates`] (wide weighted sums, base-4
//!   range checks, max selections), plonky2's arithmetic gate and lookup argument, builds the
//!   circuit and fills the witness from the trace.
//! - [`Plonky2`] implements [`zkc_runtime::Backend`]; [`keys`] holds the byte formats.
//! - [`aggregate()`] folds proofs of one or several programs into one recursive proof.

#![warn(missing_docs)]

pub mod aggregate;
mod args;
pub mod blocks;
pub mod circuit;
pub mod field;
pub mod gates;
pub mod keys;
pub mod plan;

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use zkc_runtime::{Backend, BackendError, Cost, KeyCheck, Keys, Program, Trace};

pub use aggregate::{aggregate, aggregate_vk, verify_aggregate, verify_aggregate_publics};

use crate::circuit::{assemble, config_for, padded_rows, program_config, trace_in_field, Circuit};
use crate::plan::Plan;
use plonky2::fri::reduction_strategies::FriReductionStrategy;

/// The plonky2 backend (no trusted setup; keys are derived from the program alone).
///
/// `zero_knowledge` (the default, [`Plonky2::new`]) hides the private witness, at the price
/// of plonky2's blinding rows: every circuit then has at least 2^12 rows.
/// [`Plonky2::without_zero_knowledge`] proves the same statements with the same soundness,
/// faster on small and medium circuits, but its proofs may leak information about private
/// inputs. Only `setup` reads the setting; the keys record it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plonky2 {
    /// Whether proofs are zero-knowledge.
    pub zero_knowledge: bool,
}

impl Default for Plonky2 {
    fn default() -> Self {
        Self::new()
    }
}

impl Plonky2 {
    /// Zero-knowledge proofs.
    pub const fn new() -> Self {
        Plonky2 { zero_knowledge: true }
    }

    /// Proofs without zero knowledge (faster; may leak private inputs).
    pub const fn without_zero_knowledge() -> Self {
        Plonky2 { zero_knowledge: false }
    }
}

/// Runs `f`, turning a panic inside plonky2 into an error instead of unwinding into the caller.
pub(crate) fn catch<T>(what: &str, f: impl FnOnce() -> Result<T, BackendError>) -> Result<T, BackendError> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(BackendError::Prover(format!("{what}: plonky2 panicked: {msg}")))
    })
}

/// The last circuit built or read, by program hash and mode: setup, prove and aggregate of
/// one program in one process build or read it once.
static LAST: Mutex<Option<(String, bool, Arc<Circuit>)>> = Mutex::new(None);

fn cached(hash: &str, zero_knowledge: bool) -> Option<Arc<Circuit>> {
    match LAST.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        Some((h, zk, c)) if h == hash && *zk == zero_knowledge => Some(c.clone()),
        _ => None,
    }
}

fn remember(hash: &str, zero_knowledge: bool, c: Circuit) -> Arc<Circuit> {
    let c = Arc::new(c);
    *LAST.lock().unwrap_or_else(|e| e.into_inner()) = Some((hash.to_string(), zero_knowledge, c.clone()));
    c
}

/// Drops the cached circuit (its prover data can take hundreds of megabytes); the next
/// setup or prove builds or reads it again.
pub fn clear_cache() {
    *LAST.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// The circuit of `program` (hash `hash`), built or taken from the one-entry cache.
pub(crate) fn circuit_for(program: &Program, hash: &str, zero_knowledge: bool) -> Result<Arc<Circuit>, BackendError> {
    if let Some(c) = cached(hash, zero_knowledge) {
        return Ok(c);
    }
    Ok(remember(hash, zero_knowledge, Circuit::build(program, zero_knowledge)?))
}

impl Backend for Plonky2 {
    fn name(&self) -> &'static str {
        "plonky2"
    }

    fn value_bits(&self) -> u32 {
        field::VALUE_BITS
    }

    fn cost(&self, program: &Program) -> Cost {
        let plan = match Plan::new(program) {
            Ok(p) => p,
            Err(e) => {
                return Cost {
                    total: u64::MAX,
                    unit: "gates",
                    detail: format!("does not fit: {e}"),
                    per_node: BTreeMap::new(),
                }
            }
        };
        let a = assemble(plan, program_config(self.zero_knowledge));
        let total = (a.builder.num_gates() + a.build_rows) as u64;
        let mut by_node: BTreeMap<usize, f64> = BTreeMap::new();
        for (i, r) in a.rows_by_argument.iter().enumerate() {
            if let Some((_, o)) = program.arguments.get(i) {
                *by_node.entry(o.node).or_default() += r;
            }
        }
        let config = config_for(self.zero_knowledge, total as usize);
        let folding = match &config.fri_config.reduction_strategy {
            FriReductionStrategy::ConstantArityBits(bits, _) if self.zero_knowledge => {
                format!(", FRI arity {}", 1 << bits)
            }
            _ => String::new(),
        };
        Cost {
            total,
            unit: "gates",
            detail: format!(
                "{}; padded to 2^{} rows{}{folding}; 135 wires (80 routed), 80 constants",
                a.detail,
                padded_rows(&config, total as usize).trailing_zeros(),
                if self.zero_knowledge {
                    " with zero-knowledge blinding"
                } else {
                    ""
                }
            ),
            per_node: by_node.into_iter().map(|(n, r)| (n, r.ceil() as u64)).collect(),
        }
    }

    /// First the arguments: every value is in the injective interval, so each field
    /// constraint holds exactly when the integer one does, and the runtime's checker names
    /// the violated argument. Then the circuit itself, as plonky2 evaluates it (it has no
    /// constraint-by-constraint mock): the trace's witness, a proof without zero knowledge
    /// and plonky2's verifier on it. A trace the arguments accept but the circuit does not
    /// is a bug in this backend's lowering, and is reported as one.
    fn mock(&self, program: &Program, trace: &Trace) -> Result<(), BackendError> {
        Plan::new(program)?;
        trace_in_field(program, trace)?;
        // (Guarded: a checker panic on an edge case must not escape as a panic.)
        catch("checking the trace", || {
            zkc_runtime::check(program, trace).map_err(|v| BackendError::Unsatisfied(v.to_string()))
        })?;
        let c = circuit_for(program, &program.hash(), false)?;
        let pw = c.witness(program, trace)?;
        let lowering_bug = |e: String| {
            BackendError::Unsatisfied(format!(
                "every argument holds but the plonky2 circuit rejects the trace ({e}): a bug in the plonky2 lowering"
            ))
        };
        let proof = catch("mock proving", || {
            c.data.prove(pw).map_err(|e| lowering_bug(e.to_string()))
        })?;
        catch("mock verifying", || {
            c.data.verify(proof).map_err(|e| lowering_bug(e.to_string()))
        })
    }

    fn setup(&self, program: &Program) -> Result<Keys, BackendError> {
        let hash = program.hash();
        let c = circuit_for(program, &hash, self.zero_knowledge)?;
        Ok(Keys {
            proving_key: keys::write_pk(&hash, self.zero_knowledge, &c.data)?,
            verifying_key: keys::write_vk(&hash, &c.data.verifier_data())?,
        })
    }

    /// plonky2's setup has no secret and is deterministic: the key is rebuilt from the
    /// program (with the zero-knowledge setting the given key declares) and compared byte for
    /// byte. That covers what the circuit digest does not: the gate definitions, where kernel
    /// weights and lookup tables live.
    fn check_verifying_key(&self, program: &Program, verifying_key: &[u8]) -> Result<KeyCheck, BackendError> {
        let hash = program.hash();
        let vd = keys::read_vk(verifying_key, &hash)?;
        let zk = vd.common.config.zero_knowledge;
        let c = circuit_for(program, &hash, zk)?;
        let rebuilt = keys::write_vk(&hash, &c.data.verifier_data())?;
        if rebuilt != verifying_key {
            return Err(BackendError::Unsatisfied(
                "the verifying key is not the one this circuit's setup gives (its gates, constants or digest differ): it belongs to another circuit or was altered; run setup again or get the key from whoever compiled the circuit".into(),
            ));
        }
        Ok(KeyCheck::Rebuilt(format!(
            "verifying key rebuilt from the circuit ({}zero-knowledge) and identical",
            if zk { "" } else { "no " }
        )))
    }

    fn prove(&self, program: &Program, proving_key: &[u8], trace: &Trace) -> Result<Vec<u8>, BackendError> {
        let hash = program.hash();
        let pk = keys::read_pk(proving_key, &hash)?;
        trace_in_field(program, trace)?;
        let c = match cached(&hash, pk.zero_knowledge) {
            Some(c) if keys::digest_bytes(&c.data.verifier_only.circuit_digest) == pk.digest => c,
            _ => {
                let data = keys::parse_circuit_data(pk.data)?;
                if keys::digest_bytes(&data.verifier_only.circuit_digest) != pk.digest {
                    return Err(BackendError::Malformed {
                        what: "proving key",
                        reason: "its circuit data does not match its digest; run setup again".into(),
                    });
                }
                remember(&hash, pk.zero_knowledge, Circuit::with_data(program, data)?)
            }
        };
        let pw = c.witness(program, trace)?;
        let proof = catch("proving", || {
            c.data.prove(pw).map_err(|e| {
                BackendError::Prover(format!(
                    "the trace does not satisfy the circuit ({e}); run mock to name the violated argument"
                ))
            })
        })?;
        // plonky2 proves whatever the wires hold; a proof that fails its own check means
        // the trace broke a constraint.
        catch("checking the proof", || {
            c.data.verify(proof.clone()).map_err(|e| {
                BackendError::Prover(format!(
                    "the trace does not satisfy the circuit (the proof does not verify: {e}); run mock to name the violated argument"
                ))
            })
        })?;
        Ok(keys::write_proof(&proof))
    }

    fn verify(
        &self,
        program: &Program,
        verifying_key: &[u8],
        public: &[i128],
        proof: &[u8],
    ) -> Result<(), BackendError> {
        let vd = keys::read_vk(verifying_key, &program.hash())?;
        let expected = keys::program_public_in_field(program, public)?;
        if expected.len() != vd.common.num_public_inputs {
            return Err(BackendError::Unsatisfied(format!(
                "{} public values given but the circuit has {}",
                expected.len(),
                vd.common.num_public_inputs
            )));
        }
        let p = keys::read_proof(proof, keys::PROOF_MAGIC, &vd.common)?;
        keys::check_public(&p, &expected)?;
        catch("verifying", || {
            vd.verify(p)
                .map_err(|e| BackendError::Unsatisfied(format!("the proof does not verify against this key: {e}")))
        })
    }
}
