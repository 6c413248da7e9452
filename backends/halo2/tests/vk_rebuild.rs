//! A verifying key is checked by recomputing its fixed and permutation commitments from the
//! program with the SRS the key names. A key file's header only claims a circuit: the key of
//! another circuit (other weights in the fixed columns), re-labelled with this circuit's
//! hash, verifies that other circuit's proofs, which `verify` alone cannot tell apart.

use zkc_backend_halo2::keys::{self, Header};
use zkc_backend_halo2::{layout, Halo2};
use zkc_runtime::testing::every_argument_program;
use zkc_runtime::{solve, Argument, Backend, BackendError, KeyCheck};

#[test]
fn a_relabelled_key_of_another_circuit_is_refused_on_halo2() {
    let srs = tempfile::tempdir().unwrap();
    let backend = Halo2::with_srs_dir(srs.path());
    let (a, inputs) = every_argument_program();
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

    let header = |p: &zkc_runtime::Program| {
        let (k, plan) = layout::plan_program(p).unwrap();
        Header {
            k,
            shape: plan.shape,
            program_hash: p.hash(),
        }
    };
    let (params, vk_b) = keys::read_vk(&keys_b.verifying_key, &header(&b)).unwrap();
    let forged = keys::write_vk(&header(&a), &params, &vk_b);
    let tb = solve(&b, &inputs).unwrap();
    let proof_b = backend.prove(&b, &keys_b.proving_key, &tb).unwrap();
    // What verify alone sees: a valid proof under a key that claims circuit A.
    assert!(backend.verify(&a, &forged, &tb.public_values(&b), &proof_b).is_ok());
    match backend.check_verifying_key(&a, &forged) {
        Err(BackendError::Unsatisfied(e)) => assert!(e.contains("not the one this circuit's setup gives"), "{e}"),
        other => panic!("a relabelled key of another circuit was accepted: {other:?}"),
    }
    // A key made with another SRS cannot be rebuilt here: it is reported as trusted, not
    // as this machine's.
    let other = Halo2::with_srs_dir(tempfile::tempdir().unwrap().path())
        .setup(&a)
        .unwrap();
    match backend.check_verifying_key(&a, &other.verifying_key).unwrap() {
        KeyCheck::Trusted(why) => assert!(why.contains("another SRS"), "{why}"),
        other => panic!("a key of another SRS was not flagged: {other:?}"),
    }
}
