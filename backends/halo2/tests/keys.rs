//! Keys: tampering, truncation, keys of another program, and wrong-length traces are
//! errors (never panics).

mod common;

use common::Builder;
use zkc_backend_halo2::Halo2;
use zkc_runtime::{Backend, Trace};

fn backend() -> Halo2 {
    Halo2::with_srs_dir(common::srs_dir())
}

#[test]
fn verifying_key_of_another_program_is_rejected() {
    let (program, trace) = common::every_argument();
    let keys = backend().setup(&program).unwrap();
    let proof = backend().prove(&program, &keys.proving_key, &trace).unwrap();
    let mut other = program.clone();
    if let zkc_runtime::Argument::Linear { constant, .. } = &mut other.arguments[3].0 {
        *constant += 1;
    }
    let other_keys = backend().setup(&other).unwrap();
    let public = trace.public_values(&program);
    assert!(backend()
        .verify(&program, &other_keys.verifying_key, &public, &proof)
        .is_err());
    assert!(backend()
        .verify(&other, &other_keys.verifying_key, &public, &proof)
        .is_err());
    assert!(backend().prove(&program, &other_keys.proving_key, &trace).is_err());
}

#[test]
fn truncated_or_corrupted_keys_are_errors() {
    let (program, trace) = common::every_argument();
    let keys = backend().setup(&program).unwrap();
    let public = trace.public_values(&program);
    let proof = backend().prove(&program, &keys.proving_key, &trace).unwrap();
    let pk = &keys.proving_key;
    let vk = &keys.verifying_key;
    for cut in [0, 1, 8, 40, pk.len() / 3, pk.len() - 33, pk.len() - 1] {
        assert!(
            backend().prove(&program, &pk[..cut], &trace).is_err(),
            "pk cut at {cut}"
        );
    }
    for cut in [0, 1, 8, 40, vk.len() / 2, vk.len() - 1] {
        assert!(
            backend().verify(&program, &vk[..cut], &public, &proof).is_err(),
            "vk cut at {cut}"
        );
    }
    for at in [12, pk.len() / 2, pk.len() - 40] {
        let mut bad = pk.clone();
        bad[at] ^= 0x10;
        assert!(backend().prove(&program, &bad, &trace).is_err(), "pk flip at {at}");
    }
    // A flipped byte in the verifying key: header fields, SRS points, commitments.
    for at in [9, 20, 120, vk.len() / 2, vk.len() - 1] {
        let mut bad = vk.clone();
        bad[at] ^= 0x01;
        assert!(
            backend().verify(&program, &bad, &public, &proof).is_err(),
            "vk flip at {at}"
        );
    }
    let garbage = vec![0xAB; 4096];
    assert!(backend().prove(&program, &garbage, &trace).is_err());
    assert!(backend().verify(&program, &garbage, &public, &proof).is_err());
}

#[test]
fn trace_of_wrong_length_is_refused() {
    let (program, trace) = common::every_argument();
    let keys = backend().setup(&program).unwrap();
    let mut short = trace.clone();
    short.values.pop();
    assert!(backend().prove(&program, &keys.proving_key, &short).is_err());
    assert!(backend().mock(&program, &short).is_err());
    let long = Trace {
        values: [trace.values.clone(), vec![0]].concat(),
    };
    assert!(backend().prove(&program, &keys.proving_key, &long).is_err());
}

#[test]
fn program_with_a_missing_table_does_not_fit() {
    let mut b = Builder::new();
    let x = b.input(1);
    let t = b.table(0, |x| x, 4);
    let _ = b.lookup(x, t);
    let (mut p, _) = b.finish();
    p.tables.clear();
    assert!(backend().setup(&p).is_err());
}
