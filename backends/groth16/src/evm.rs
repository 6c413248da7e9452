//! Runs the exported Solidity verifier in an in-process EVM (revm): deploys the compiled
//! contract and calls `verifyProof`. Behind the `evm` feature.

use revm::db::{CacheDB, EmptyDB};
use revm::primitives::{Address, ExecutionResult, HaltReason, Output, TxKind, U256};
use revm::Evm;
use zkc_runtime::BackendError;

use crate::solidity::evm_calldata;

/// Gas limit of the deployment and of the call (a block's worth).
const GAS_LIMIT: u64 = 30_000_000;

/// EIP-3860's limit on creation code and EIP-170's on deployed code (Ethereum mainnet).
const MAX_INITCODE: usize = 49_152;
const MAX_CODE: usize = 24_576;

fn evm_err(e: impl std::fmt::Display) -> BackendError {
    BackendError::External {
        tool: "EVM",
        reason: e.to_string(),
    }
}

/// The verifier holds 64 bytes per public value (its input commitments `IC`), so many public
/// values make it undeployable on Ethereum: say so, and what to change.
fn too_large(what: &str, size: usize, limit: usize, eip: &str, n_public: usize) -> BackendError {
    evm_err(format!(
        "the verifier's {what} is {size} bytes, over {eip}'s {limit}-byte limit: it stores 64 bytes per public value and this proof has {n_public}. Verifier.sol is still written (for chains without the limit); to verify on Ethereum, publish fewer values, e.g. `--input-visibility hashed` (one commitment instead of every input) or `private`"
    ))
}

/// Deploys `creation_code` (the verifier compiled by solc, its `--bin` output) and calls
/// `verifyProof` with `proof` and `public`. Returns whether the call returned true, and the
/// gas the call transaction used (including the 21000 base and the call data). A revert or
/// halt is `Ok((false, gas))`; a contract that cannot be deployed is `Err`.
pub fn verify_in_evm(creation_code: &[u8], proof: &[u8], public: &[i128]) -> Result<(bool, u64), BackendError> {
    if creation_code.len() > MAX_INITCODE {
        return Err(too_large(
            "creation code",
            creation_code.len(),
            MAX_INITCODE,
            "EIP-3860",
            public.len(),
        ));
    }
    call_in_evm(creation_code, &evm_calldata(proof, public)?)
}

/// [`verify_in_evm`] with raw call data (for tests that tamper with the ABI words).
pub fn call_in_evm(creation_code: &[u8], calldata: &[u8]) -> Result<(bool, u64), BackendError> {
    let mut db = CacheDB::new(EmptyDB::default());
    let address = {
        let mut evm = Evm::builder()
            .with_db(&mut db)
            .modify_tx_env(|tx| {
                tx.caller = Address::ZERO;
                tx.transact_to = TxKind::Create;
                tx.data = creation_code.to_vec().into();
                tx.value = U256::ZERO;
                tx.gas_limit = GAS_LIMIT;
            })
            .build();
        match evm.transact_commit().map_err(evm_err)? {
            ExecutionResult::Success {
                output: Output::Create(_, Some(a)),
                ..
            } => a,
            ExecutionResult::Halt {
                reason: HaltReason::CreateContractSizeLimit,
                ..
            } => {
                return Err(evm_err(format!(
                    "the deployed verifier exceeds EIP-170's {MAX_CODE}-byte limit: it stores 64 bytes per public value. Verifier.sol is still written (for chains without the limit); to verify on Ethereum, publish fewer values, e.g. `--input-visibility hashed` or `private`"
                )))
            }
            other => return Err(evm_err(format!("deploying the verifier failed: {other:?}"))),
        }
    };
    let mut evm = Evm::builder()
        .with_db(&mut db)
        .modify_tx_env(|tx| {
            tx.caller = Address::ZERO;
            tx.transact_to = TxKind::Call(address);
            tx.data = calldata.to_vec().into();
            tx.value = U256::ZERO;
            tx.gas_limit = GAS_LIMIT;
            tx.nonce = Some(1);
        })
        .build();
    match evm.transact().map_err(evm_err)?.result {
        ExecutionResult::Success {
            output: Output::Call(out),
            gas_used,
            ..
        } => {
            let ok = out.len() == 32 && out[..31].iter().all(|&b| b == 0) && out[31] == 1;
            Ok((ok, gas_used))
        }
        ExecutionResult::Revert { gas_used, .. } | ExecutionResult::Halt { gas_used, .. } => Ok((false, gas_used)),
        other => Err(evm_err(format!("unexpected result {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Too much creation code is refused before deployment, with the size, the limit, the
    /// number of public values and what to change.
    #[test]
    fn an_oversized_verifier_is_refused_with_advice() {
        let code = vec![0u8; MAX_INITCODE + 1];
        let public = vec![0i128; 794];
        let err = verify_in_evm(&code, &[0u8; crate::keys::PROOF_LEN], &public)
            .unwrap_err()
            .to_string();
        for part in ["49153 bytes", "EIP-3860", "794", "--input-visibility hashed"] {
            assert!(err.contains(part), "{part:?} missing from: {err}");
        }
    }
}
