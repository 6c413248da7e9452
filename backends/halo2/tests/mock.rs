mod common;

use zkc_backend_halo2::{layout, Halo2};
use zkc_runtime::Backend;

#[test]
fn every_argument_program_mocks() {
    let (program, trace) = common::every_argument();
    let l = layout(&program).unwrap();
    eprintln!("layout: {l:?}");
    Halo2::with_srs_dir(common::srs_dir()).mock(&program, &trace).unwrap();
}

#[test]
fn mock_rejects_every_single_value_mutation() {
    let (program, trace) = common::every_argument();
    let backend = Halo2::with_srs_dir(common::srs_dir());
    let mut accepted = Vec::new();
    for (v, t) in common::mutations(&trace) {
        if backend.mock(&program, &t).is_ok() {
            accepted.push(v);
        }
    }
    assert!(accepted.is_empty(), "mutations of vars {accepted:?} were accepted");
}

#[test]
fn mock_names_the_violated_argument() {
    let (program, mut trace) = common::every_argument();
    // var 5 is the Rescale's remainder of `l`; bump it out of its relation.
    trace.values[5] += 1;
    let err = Halo2::with_srs_dir(common::srs_dir())
        .mock(&program, &trace)
        .unwrap_err();
    eprintln!("{err}");
}

#[test]
fn variables_no_argument_mentions_still_get_cells() {
    let mut b = common::Builder::new();
    let x = b.input(3);
    b.public(x);
    let (mut p, mut t) = b.finish();
    p.num_vars += 3000;
    t.values.resize(p.num_vars as usize, 7);
    let l = layout(&p).unwrap();
    assert!(l.rows * l.slot_width * l.slots >= 3001);
    Halo2::with_srs_dir(common::srs_dir()).mock(&p, &t).unwrap();
}

#[test]
fn hash_program_mock_rejects_every_single_value_mutation() {
    let (program, trace) = common::hash_program();
    let backend = Halo2::with_srs_dir(common::srs_dir());
    backend.mock(&program, &trace).unwrap();
    let mut accepted = Vec::new();
    for (v, t) in common::mutations(&trace) {
        if backend.mock(&program, &t).is_ok() {
            accepted.push(v);
        }
    }
    assert!(accepted.is_empty(), "mutations of vars {accepted:?} were accepted");
}

/// Hashes of 0, 1, 2 and 3 inputs (a repeated input among them) share the hash groups: a
/// sponge may start on another one's output row, or continue in another group.
#[test]
fn hashes_of_every_input_count_mock() {
    let mut b = common::Builder::new();
    let x = b.input(-7);
    let y = b.input(1 << 64);
    let mut digests = Vec::new();
    for inputs in [vec![], vec![x], vec![x, y], vec![y, x, x]] {
        digests.push(b.hash(&inputs));
    }
    for d in &digests {
        b.public(d[0]);
    }
    let (p, t) = b.finish();
    zkc_runtime::check(&p, &t).unwrap();
    let backend = Halo2::with_srs_dir(common::srs_dir());
    backend.mock(&p, &t).unwrap();
    let l = layout(&p).unwrap();
    eprintln!("{l:?}");
    assert!(l.hash_groups > 0);
    // Every digest limb of every hash is pinned.
    for d in &digests {
        for v in d {
            let mut bad = t.clone();
            bad.values[v.0 as usize] ^= 1;
            let err = backend.mock(&p, &bad).unwrap_err();
            assert!(err.to_string().contains("Hash"), "{err}");
        }
    }
}
