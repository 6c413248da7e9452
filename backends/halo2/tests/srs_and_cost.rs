mod common;

use zkc_backend_halo2::{layout, srs, Halo2};
use zkc_runtime::Backend;

#[test]
fn an_existing_larger_srs_is_downsized_and_a_smaller_one_refused() {
    let (program, trace) = common::every_argument();
    let k = layout(&program).unwrap().k;
    let dir = tempfile::tempdir().unwrap();
    // Write an SRS two sizes larger, the way halo2 tools write them.
    let big = srs::generate(k + 2);
    let path = dir.path().join("ceremony.srs");
    let mut f = std::fs::File::create(&path).unwrap();
    big.write_custom(&mut f, halo2_proofs::SerdeFormat::RawBytes).unwrap();
    drop(f);
    let backend = Halo2::with_srs(&path);
    let keys = backend.setup(&program).unwrap();
    let proof = backend.prove(&program, &keys.proving_key, &trace).unwrap();
    backend
        .verify(&program, &keys.verifying_key, &trace.public_values(&program), &proof)
        .unwrap();
    // Keys are a function of the SRS: the same file gives the same keys, the locally
    // generated SRS (another τ) other ones, which do not accept this proof.
    assert_eq!(backend.setup(&program).unwrap().verifying_key, keys.verifying_key);
    let local = Halo2::with_srs_dir(common::srs_dir()).setup(&program).unwrap();
    assert_ne!(local.verifying_key, keys.verifying_key);
    assert!(Halo2::with_srs_dir(common::srs_dir())
        .verify(&program, &local.verifying_key, &trace.public_values(&program), &proof)
        .is_err());

    let small = srs::generate(k - 1);
    let spath = dir.path().join("small.srs");
    let mut f = std::fs::File::create(&spath).unwrap();
    small.write_custom(&mut f, halo2_proofs::SerdeFormat::RawBytes).unwrap();
    drop(f);
    let err = Halo2::with_srs(&spath).setup(&program).unwrap_err();
    assert!(err.to_string().contains("SRS"), "{err}");
    assert!(Halo2::with_srs(dir.path().join("missing.srs")).setup(&program).is_err());
}

#[test]
fn cost_reports_rows_per_node() {
    let (program, _) = common::every_argument();
    let cost = Halo2::new().cost(&program);
    let l = layout(&program).unwrap();
    assert_eq!(cost.unit, "rows");
    assert_eq!(cost.total, l.rows as u64);
    assert!(cost.total < 1 << l.k);
    assert!(cost.detail.contains(&format!("k={}", l.k)), "{}", cost.detail);
    assert!(cost.detail.contains("advice columns="), "{}", cost.detail);
    // Every node with a constraining argument has rows.
    for (arg, origin) in &program.arguments {
        // (Inputs share rows of free cells, so only the first input of a row is charged.)
        if !matches!(
            arg,
            zkc_runtime::Argument::Public { .. } | zkc_runtime::Argument::Input { .. }
        ) {
            assert!(
                cost.per_node.get(&origin.node).copied().unwrap_or(0) > 0,
                "node {} ({arg:?})",
                origin.node
            );
        }
    }
}

#[test]
fn hash_rows_are_in_the_cost_and_programs_without_hash_have_no_hash_columns() {
    let (plain, _) = common::every_argument();
    let l = layout(&plain).unwrap();
    assert_eq!(l.hash_groups, 0);
    assert!(Halo2::new().cost(&plain).detail.contains("hash groups=0"));

    let (program, _) = common::hash_program();
    let l = layout(&program).unwrap();
    let cost = Halo2::new().cost(&program);
    assert!(l.hash_groups >= 1, "{l:?}");
    assert_eq!(cost.total, l.rows as u64);
    assert!(
        cost.detail.contains(&format!("hash groups={}", l.hash_groups)),
        "{}",
        cost.detail
    );
    // Five inputs: three permutations of 38 rows each, spread over the groups.
    let hash_node = program
        .arguments
        .iter()
        .find(|(a, _)| matches!(a, zkc_runtime::Argument::Hash { .. }))
        .map(|(_, o)| o.node)
        .unwrap();
    let parallel = (l.slots + l.range_lanes + l.lookup_lanes + l.hash_groups) as u64;
    let per_node = cost.per_node[&hash_node];
    assert!(per_node * parallel >= 3 * 38, "{per_node} rows x {parallel}");
    assert!(l.rows as u64 >= (3 * 38u64).div_ceil(l.hash_groups as u64), "{l:?}");
}
