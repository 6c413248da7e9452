//! Runs the exported Solidity verifier in an in-process EVM (revm): deploys the compiled
//! contract and calls `verifyProof`. Behind the `evm` feature.

use revm::db::{CacheDB, EmptyDB};
use revm::primitives::{Address, ExecutionResult, HaltReason, Output, TxKind, U256};
use revm::Evm;
use zkc_runtime::BackendError;

use crate::solidity::evm_calldata;

/// Gas limit of the deployment and of the call (a block's worth).
const GAS_LIMIT: u64 = 30_000_000;

fn evm_err(e: impl std::fmt::Display) -> BackendError {
    BackendError::Prover(format!("EVM: {e}"))
}

/// Deploys `creation_code` (the verifier compiled by solc, its `--bin` output) and calls
/// `verifyProof` with `proof` and `public`. Returns whether the call returned true, and the
/// gas the call transaction used (including the 21000 base and the call data). A revert or
/// halt is `Ok((false, gas))`; a contract that cannot be deployed is `Err`.
pub fn verify_in_evm(creation_code: &[u8], proof: &[u8], public: &[i128]) -> Result<(bool, u64), BackendError> {
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
                return Err(evm_err(
                    "the verifier exceeds EIP-170's 24 KB contract size limit (too many public values)",
                ))
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
