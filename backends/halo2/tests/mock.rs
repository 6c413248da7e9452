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
