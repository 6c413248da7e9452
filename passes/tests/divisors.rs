//! Fixed point that survives normalization: a square root is exact to 2^-12 over a wide input
//! range (table + Newton steps), `Pow` 2 is a product, and a division never meets a divisor
//! that quantizes to 0 — a variance whose epsilon rounds away, or a relu, is proven
//! non-negative and raised to one unit.

use zkc_ir::ops::ReduceKind;
use zkc_ir::{Activation, BinaryOp, Graph, Op, Tensor};
use zkc_passes::lower::{dequantize_outputs, quantize_inputs};
use zkc_passes::{calibrate, lower, QuantConfig};
use zkc_runtime::Argument;

fn compile(g: &Graph, range: f64) -> zkc_passes::Compiled {
    let cfg = QuantConfig {
        input_range: Some(range),
        ..QuantConfig::default()
    };
    let plan = calibrate(g, &[], &cfg).unwrap();
    lower(g, &plan).unwrap()
}

fn solve(c: &zkc_passes::Compiled, x: Tensor) -> Vec<f64> {
    let ints = quantize_inputs(c, &[x]).unwrap();
    let trace = zkc_runtime::solver::solve(&c.program, &ints).unwrap();
    zkc_runtime::check(&c.program, &trace).unwrap();
    dequantize_outputs(&c.program, &trace)[0].data.clone()
}

fn unary(a: Activation, n: usize) -> Graph {
    let mut g = Graph::default();
    let x = g.add_value("x", vec![n], None);
    g.inputs.push(x);
    let y = g.add_node("f", a.name(), Op::Activation(a), vec![x], "y").unwrap();
    g.outputs.push(y);
    g
}

#[test]
fn sqrt_is_exact_to_2e_12_over_a_wide_range() {
    // |x| ≤ 2^16: the table alone has a step of 2^4, so sqrt(0.01) would be off by 20×.
    let xs = [0.01, 0.3, 1.0, 2.0, 17.5, 1000.0, 65000.0];
    let c = compile(&unary(Activation::Sqrt, xs.len()), 65536.0);
    let ys = solve(&c, Tensor::new(vec![xs.len()], xs.to_vec()));
    for (x, y) in xs.iter().zip(&ys) {
        let want = x.sqrt();
        assert!(
            (y - want).abs() <= want / 4096.0 + 2f64.powi(-13),
            "sqrt({x}) = {want} but the circuit gives {y}"
        );
    }
    // The steps are divisions by the current guess.
    assert!(c
        .program
        .arguments
        .iter()
        .any(|(a, _)| matches!(a, Argument::Div { .. })));
}

#[test]
fn pow_2_is_a_product_without_a_table() {
    let c = compile(&unary(Activation::Pow { exponent: 2.0 }, 3), 256.0);
    assert!(c.program.tables.is_empty(), "Pow 2 must not use a table");
    let ys = solve(&c, Tensor::new(vec![3], vec![-3.0, 0.5, 200.0]));
    assert_eq!(ys, vec![9.0, 0.25, 40000.0]);
}

/// `(x - mean) / sqrt(mean((x - mean)²) + 1e-9)` over a row of 4, as a PyTorch export
/// writes LayerNorm by hand.
fn layer_norm() -> Graph {
    let mut g = Graph::default();
    let x = g.add_value("x", vec![1, 4], None);
    g.inputs.push(x);
    let mean = |g: &mut Graph, v, name: &str| {
        let op = Op::Reduce {
            kind: ReduceKind::Mean,
            axes: vec![1],
            keepdims: true,
        };
        g.add_node(name, "ReduceMean", op, vec![v], name).unwrap()
    };
    let m = mean(&mut g, x, "mean");
    let d = g
        .add_node("d", "Sub", Op::Binary(BinaryOp::Sub), vec![x, m], "d")
        .unwrap();
    let sq = g
        .add_node(
            "sq",
            "Pow",
            Op::Activation(Activation::Pow { exponent: 2.0 }),
            vec![d],
            "sq",
        )
        .unwrap();
    let var = mean(&mut g, sq, "var");
    let eps = g.add_constant("eps", Tensor::scalar(1e-9));
    let ve = g
        .add_node("ve", "Add", Op::Binary(BinaryOp::Add), vec![var, eps], "ve")
        .unwrap();
    let sd = g
        .add_node("sd", "Sqrt", Op::Activation(Activation::Sqrt), vec![ve], "sd")
        .unwrap();
    let y = g
        .add_node("y", "Div", Op::Binary(BinaryOp::Div), vec![d, sd], "y")
        .unwrap();
    g.outputs.push(y);
    g
}

#[test]
fn a_variance_whose_epsilon_rounds_away_never_divides_by_zero() {
    let g = layer_norm();
    let c = compile(&g, 8.0);
    // A constant row: variance 0 and epsilon below half a unit, so the divisor is the square
    // root's least entry (one unit or more), and the outputs are 0 as in float.
    assert_eq!(solve(&c, Tensor::new(vec![1, 4], vec![1.5; 4])), vec![0.0; 4]);
    // An ordinary row matches float to 2^-10.
    let x = Tensor::new(vec![1, 4], vec![1.0, -2.0, 0.5, 3.0]);
    let want = g.run(std::slice::from_ref(&x)).unwrap().remove(0).data;
    for (y, w) in solve(&c, x).iter().zip(&want) {
        assert!((y - w).abs() < 1e-3, "{y} vs {w}");
    }
}

#[test]
fn a_relu_divisor_is_raised_to_one_unit_and_a_signed_one_is_left_to_the_solver() {
    let mut g = Graph::default();
    let x = g.add_value("x", vec![2], None);
    g.inputs.push(x);
    let r = g
        .add_node("r", "Relu", Op::Activation(Activation::Relu), vec![x], "r")
        .unwrap();
    let one = g.add_constant("one", Tensor::scalar(1.0));
    let y = g
        .add_node("y", "Div", Op::Binary(BinaryOp::Div), vec![one, r], "y")
        .unwrap();
    g.outputs.push(y);
    let c = compile(&g, 4.0);
    // relu(0) = 0 is proven ≥ 0, so it divides as max(0, 2^-14): 1 / 2^-14.
    let ys = solve(&c, Tensor::new(vec![2], vec![0.0, 2.0]));
    assert_eq!(ys, vec![16384.0, 0.5]);
    // Dividing by x itself (either sign): no clamp, and x = 0 fails when solving.
    let mut g = Graph::default();
    let x = g.add_value("x", vec![1], None);
    g.inputs.push(x);
    let one = g.add_constant("one", Tensor::scalar(1.0));
    let y = g
        .add_node("y", "Div", Op::Binary(BinaryOp::Div), vec![one, x], "y")
        .unwrap();
    g.outputs.push(y);
    let c = compile(&g, 4.0);
    assert!(!c
        .program
        .arguments
        .iter()
        .any(|(a, _)| matches!(a, Argument::Max { .. })));
    let ints = quantize_inputs(&c, &[Tensor::new(vec![1], vec![0.0])]).unwrap();
    assert!(zkc_runtime::solver::solve(&c.program, &ints).is_err());
}

#[test]
fn long_division_in_a_small_field_gives_the_single_divisions_quotients() {
    // Goldilocks (63 bits) bounds a Div to 31 bits; over |x| ≤ 64 the deviations reach 2^7,
    // so d·2^14 / σ needs 36 and the square root's Newton steps (a variance up to 2^14, times
    // 2^14) 43: both go digit by digit.
    // Over |x| ≤ 1024 the variance itself (2^36) is wider than a Div: its top bits divide
    // first and the rest are brought down digit by digit.
    for range in [64.0, 1024.0] {
        long_division_matches(range);
    }
}

fn long_division_matches(range: f64) {
    let g = layer_norm();
    let compile_for = |field_bits| {
        let cfg = QuantConfig {
            input_range: Some(range),
            field_bits,
            ..QuantConfig::default()
        };
        lower(&g, &calibrate(&g, &[], &cfg).unwrap()).unwrap()
    };
    let (wide, narrow) = (compile_for(252), compile_for(63));
    let divs = |c: &zkc_passes::Compiled| {
        c.program
            .arguments
            .iter()
            .filter(|(a, _)| matches!(a, Argument::Div { .. }))
            .count()
    };
    assert!(divs(&narrow) > divs(&wide), "the small field must split divisions");
    assert!(zkc_runtime::field_bounds::GOLDILOCKS
        .check_program(&narrow.program)
        .is_ok());
    for x in [
        [1.0, -2.0, 0.5, 3.0],
        [40.0, -63.0, 3.25, 0.0],
        [-1000.0, 1000.0, 999.5, -0.25],
        [0.01, 0.02, 0.0, -0.01],
    ] {
        if x.iter().any(|v: &f64| v.abs() > range) {
            continue;
        }
        let x = Tensor::new(vec![1, 4], x.to_vec());
        assert_eq!(solve(&wide, x.clone()), solve(&narrow, x));
    }
}

#[test]
fn every_value_of_the_long_division_and_newton_steps_is_pinned() {
    // Each witness value the small-field LayerNorm defines (digits, remainders, split-off
    // low bits, Newton guesses), changed by one, violates an argument.
    let g = layer_norm();
    let cfg = QuantConfig {
        input_range: Some(1024.0),
        field_bits: 63,
        ..QuantConfig::default()
    };
    let c = lower(&g, &calibrate(&g, &[], &cfg).unwrap()).unwrap();
    let x = Tensor::new(vec![1, 4], vec![-700.0, 3.5, 0.25, 12.0]);
    let ints = quantize_inputs(&c, &[x]).unwrap();
    let trace = zkc_runtime::solver::solve(&c.program, &ints).unwrap();
    let muts = zkc_runtime::testing::mutations(&c.program, &trace);
    assert!(muts.len() > 100);
    for m in muts {
        assert!(
            zkc_runtime::check(&c.program, &m.trace).is_err(),
            "changing {:?} (defined by a {}) went unnoticed",
            m.var,
            m.argument_kind
        );
    }
}
