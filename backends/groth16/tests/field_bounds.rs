//! The shared per-field width bounds (`zkc_runtime::field_bounds`): an argument whose widths
//! would let a second witness satisfy its field equations is refused at lowering, by mock,
//! cost and setup alike, naming the argument and the bound.

use zkc_runtime::field_bounds::BN254;
use zkc_runtime::testing::assert_field_bound_violations_refused;

#[test]
fn arguments_past_the_field_bounds_are_refused_at_lowering_on_groth16() {
    assert_field_bound_violations_refused(&zkc_backend_groth16::Groth16, BN254);
}
