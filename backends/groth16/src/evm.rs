//! Runs the exported Solidity verifier in an in-process EVM (revm): deploys the compiled
//! contract and calls `verifyProof`. Behind the `evm` feature.

use revm::db::{CacheDB, EmptyDB};
use revm::primitives::{Address, ExecutionResult, Output, TxKind, U256};
use revm::Evm;
use zkc_runtime::BackendError;

use crate::solidity::evm_calldata;

fn evm_err(e: impl std::fmt::Display) -> BackendError {
    BackendError::Prover(format!("EVM: {e}"))
}

/// Deploys `creation_code` (the verifier compiled by solc, `--bin` output) and calls
/// `verifyProof` with `proof` and `public`. Returns whether it returned true and the gas the
/// call used (the transaction's gas, including the 21000 base and call data).
pub fn evm_verify(creation_code: &[u8], proof: &[u8], public: &[i128]) -> Result<(bool, u64), BackendError> {
    let calldata = evm_calldata(proof, public)?;
    let mut db = CacheDB::new(EmptyDB::default());
    let address = {
        let mut evm = Evm::builder()
            .with_db(&mut db)
            .modify_tx_env(|tx| {
                tx.caller = Address::ZERO;
                tx.transact_to = TxKind::Create;
                tx.data = creation_code.to_vec().into();
                tx.value = U256::ZERO;
                tx.gas_limit = 30_000_000;
            })
            .build();
        match evm.transact_commit().map_err(evm_err)? {
            ExecutionResult::Success {
                output: Output::Create(_, Some(a)),
                ..
            } => a,
            other => return Err(evm_err(format!("deploying the verifier failed: {other:?}"))),
        }
    };
    let mut evm = Evm::builder()
        .with_db(&mut db)
        .modify_tx_env(|tx| {
            tx.caller = Address::ZERO;
            tx.transact_to = TxKind::Call(address);
            tx.data = calldata.into();
            tx.value = U256::ZERO;
            tx.gas_limit = 30_000_000;
            tx.nonce = Some(1);
        })
        .build();
    let result = evm.transact().map_err(evm_err)?.result;
    match result {
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
