//! Regression: a lookup whose input is shifted right by k > 0 before the table evaluates f at
//! `max(i·2^k, lo)`, never below the domain (log(0) used to make the table overflow).

use zkc_ir::{Activation, Graph, Op, Tensor};
use zkc_passes::lower::{dequantize_outputs, quantize_inputs};
use zkc_passes::{calibrate, lower, QuantConfig};

fn unary(a: Activation) -> Graph {
    let mut g = Graph::default();
    let x = g.add_value("x", vec![1, 4], None);
    g.inputs.push(x);
    let y = g.add_node("f", a.name(), Op::Activation(a), vec![x], "y").unwrap();
    g.outputs.push(y);
    g
}

/// Compiles `a` over |x| ≤ 64 (wide enough that the table input is shifted) and returns the
/// fixed-point outputs at `xs` with the table's shift.
fn fixed(a: Activation, xs: &[f64]) -> (Vec<f64>, i128) {
    let g = unary(a);
    let cfg = QuantConfig {
        input_range: Some(64.0),
        ..QuantConfig::default()
    };
    let plan = calibrate(&g, &[], &cfg).unwrap();
    let c = lower(&g, &plan).unwrap_or_else(|e| panic!("{} must lower over a wide range: {e}", a.name()));
    let t = &c.program.tables[0];
    let shift = (c.program.tables[0].name.clone(), t.lo);
    let input = Tensor::new(vec![1, 4], xs.to_vec());
    let ints = quantize_inputs(&c, &[input]).unwrap();
    let trace = zkc_runtime::solver::solve(&c.program, &ints).unwrap();
    zkc_runtime::check(&c.program, &trace).unwrap();
    assert!(shift.0.contains("in=2^-"), "{}", shift.0);
    (dequantize_outputs(&c.program, &trace)[0].data.clone(), shift.1)
}

#[test]
fn log_table_with_a_shifted_input_starts_inside_the_domain() {
    let xs = [0.5, 1.0, 10.0, 60.0];
    let (ys, lo) = fixed(Activation::Log, &xs);
    assert_eq!(lo, 0, "the first table entry serves the inputs rounding to 0");
    for (x, y) in xs.iter().zip(&ys) {
        // The input is rounded to 2^-5 before the table: |Δlog| ≤ 2^-6 / x plus rounding.
        let tol = 1.1 * 2f64.powi(-6) / x + 2f64.powi(-13);
        assert!(
            (y - x.ln()).abs() <= tol,
            "log({x}) = {} but the circuit gives {y}",
            x.ln()
        );
    }
}

#[test]
fn negative_power_table_with_a_shifted_input_is_finite() {
    let xs = [0.25, 2.0, 8.0, 50.0];
    let (ys, _) = fixed(Activation::Pow { exponent: -1.0 }, &xs);
    for (x, y) in xs.iter().zip(&ys) {
        let tol = 1.5 * 2f64.powi(-6) / (x * x) + 2f64.powi(-13);
        assert!((y - 1.0 / x).abs() <= tol, "1/{x} but the circuit gives {y}");
    }
}
