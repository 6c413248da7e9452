//! A verifying key is checked by rebuilding it from the program (plonky2's setup is
//! deterministic and has no secret). A key file's header only claims a circuit: the key of
//! another circuit, re-labelled with this circuit's hash, verifies that other circuit's
//! proofs, which `verify` alone cannot tell apart.

use zkc_backend_plonky2::{keys, Plonky2};
use zkc_runtime::testing::every_argument_program;
use zkc_runtime::{solve, Argument, Backend, BackendError, KeyCheck};

#[test]
fn a_relabelled_key_of_another_circuit_is_refused_on_plonky2() {
    let backend = Plonky2::new();
    let (a, inputs) = every_argument_program();
    // B: the same layout with one coefficient changed (another weight).
    let mut b = a.clone();
    let i = b
        .arguments
        .iter()
        .position(|(x, _)| matches!(x, Argument::Linear { .. }))
        .unwrap();
    if let Argument::Linear { terms, .. } = &mut b.arguments[i].0 {
        terms[0].0 += 1;
    }
    let keys_a = backend.setup(&a).unwrap();
    let keys_b = backend.setup(&b).unwrap();
    match backend.check_verifying_key(&a, &keys_a.verifying_key).unwrap() {
        KeyCheck::Rebuilt(how) => assert!(how.contains("identical"), "{how}"),
        other => panic!("the honest key was not rebuilt: {other:?}"),
    }

    let vd_b = keys::read_vk(&keys_b.verifying_key, &b.hash()).unwrap();
    let forged = keys::write_vk(&a.hash(), &vd_b).unwrap();
    let tb = solve(&b, &inputs).unwrap();
    let proof_b = backend.prove(&b, &keys_b.proving_key, &tb).unwrap();
    // What verify alone sees: a valid proof under a key that claims circuit A.
    assert!(backend.verify(&a, &forged, &tb.public_values(&b), &proof_b).is_ok());
    // What the rebuild sees.
    match backend.check_verifying_key(&a, &forged) {
        Err(BackendError::Unsatisfied(e)) => assert!(e.contains("not the one this circuit's setup gives"), "{e}"),
        other => panic!("a relabelled key of another circuit was accepted: {other:?}"),
    }
}
