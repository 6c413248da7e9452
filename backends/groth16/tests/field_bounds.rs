//! The shared per-field width bounds (`zkc_runtime::field_bounds`): an argument whose widths
//! would let a second witness satisfy its field equations is refused at lowering, by mock,
//! cost and setup alike, naming the argument and the bound.

use zkc_runtime::field_bounds::BN254;
use zkc_runtime::testing::field_bound_violations;
use zkc_runtime::{Backend, BackendError};

#[test]
fn arguments_past_the_field_bounds_are_refused_at_lowering_on_groth16() {
    let backend = zkc_backend_groth16::Groth16;
    let cases = field_bound_violations(BN254);
    assert_eq!(cases.len(), 7);
    for (name, program, trace) in cases {
        for (step, result) in [
            ("mock", backend.mock(&program, &trace).map(|_| ())),
            ("setup", backend.setup(&program).map(|_| ())),
        ] {
            match result {
                Err(BackendError::DoesNotFit { reason, .. }) => {
                    assert!(
                        reason.contains("argument 0") || reason.contains("test_node_"),
                        "{name}: {reason}"
                    );
                    assert!(reason.contains("bits"), "{name}: {reason}");
                }
                other => panic!("{name}: {step} should refuse the program, got {other:?}"),
            }
        }
        let cost = backend.cost(&program);
        assert!(cost.detail.contains("does not fit"), "{name}: cost {cost:?}");
    }
}
