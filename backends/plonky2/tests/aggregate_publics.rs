//! `verify_aggregate_publics`: an aggregate checked with its aggregate key alone returns every
//! inner proof's public values; tampered or truncated bytes are errors, never panics.

mod common;

use zkc_backend_plonky2::{aggregate, verify_aggregate_publics, Plonky2};
use zkc_runtime::testing::every_argument_trace;
use zkc_runtime::{Backend, Program, Trace};

fn proven(p: &Program, t: &Trace) -> (Program, Vec<u8>, Vec<u8>) {
    let b = Plonky2::without_zero_knowledge();
    let keys = b.setup(p).unwrap();
    let proof = b.prove(p, &keys.proving_key, t).unwrap();
    (p.clone(), keys.verifying_key, proof)
}

#[test]
fn aggregate_key_alone_gives_the_inner_public_values() {
    let (p, t) = every_argument_trace();
    let (q, u) = common::dot_program(4);
    let items = vec![proven(&q, &u), proven(&p, &t)];
    let (avk, aproof) = aggregate(&items).unwrap();
    let publics = verify_aggregate_publics(&avk, &aproof).unwrap();
    assert_eq!(publics, vec![u.public_values(&q), t.public_values(&p)]);
    assert!(publics[0].iter().any(|&v| v != 0), "the values are not trivially zero");

    // A flipped byte anywhere in the aggregate proof, or in its key: rejected.
    for i in (0..aproof.len())
        .step_by(499)
        .chain([aproof.len() - 1, aproof.len() - 8])
    {
        let mut bad = aproof.clone();
        bad[i] ^= 0x01;
        assert!(verify_aggregate_publics(&avk, &bad).is_err(), "proof byte {i}");
    }
    // (Bytes 8..72 are the tag naming the inner keys, which only `verify_aggregate` checks:
    // it does not change what the key verifies.)
    for i in (0..avk.len()).step_by(53).filter(|i| !(8..72).contains(i)) {
        let mut bad = avk.clone();
        bad[i] ^= 0x01;
        assert!(verify_aggregate_publics(&bad, &aproof).is_err(), "key byte {i}");
    }
    // Truncations and foreign bytes: errors.
    for len in (0..aproof.len()).step_by(1013) {
        assert!(verify_aggregate_publics(&avk, &aproof[..len]).is_err());
    }
    for len in (0..avk.len()).step_by(61) {
        assert!(verify_aggregate_publics(&avk[..len], &aproof).is_err());
    }
    assert!(
        verify_aggregate_publics(&avk, &items[0].2).is_err(),
        "an inner proof is not an aggregate"
    );
    assert!(
        verify_aggregate_publics(&items[0].1, &aproof).is_err(),
        "an inner key is not an aggregate key"
    );
}
