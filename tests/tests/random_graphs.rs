//! Property test on random small graphs: lowering + the solver give a trace the checker
//! accepts, the fixed-point outputs stay close to the float run, and changing any single
//! witness value other than a model input makes the checker fail.

use proptest::prelude::*;
use zkc_ir::ops::{ConvParams, PoolKind, PoolParams};
use zkc_ir::{Activation, BinaryOp, Graph, Op, Tensor};
use zkc_passes::QuantConfig;
use zkc_runtime::testing::mutations;

/// Builds a chain over an input of shape [1, 2, 4, 4] from op codes and weight seeds.
fn graph(codes: &[u8], seed: u64) -> Graph {
    let mut g = Graph::default();
    let x = g.add_value("x", vec![1, 2, 4, 4], None);
    g.inputs.push(x);
    let mut cur = x;
    let mut s = seed;
    let mut rnd = move || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((s >> 33) as f64 / (1u64 << 31) as f64) - 0.5
    };
    for (i, &c) in codes.iter().enumerate() {
        let shape = g.value(cur).shape.clone();
        let n: usize = shape.iter().product();
        let name = format!("n{i}");
        cur = match c % 8 {
            0 => {
                let w = g.add_constant(
                    &format!("w{i}"),
                    Tensor::new(shape.clone(), (0..n).map(|_| rnd()).collect()),
                );
                g.add_node(&name, "Mul", Op::Binary(BinaryOp::Mul), vec![cur, w], &name)
                    .unwrap()
            }
            1 => {
                let b = g.add_constant(&format!("b{i}"), Tensor::scalar(rnd()));
                g.add_node(&name, "Add", Op::Binary(BinaryOp::Add), vec![cur, b], &name)
                    .unwrap()
            }
            2 => g
                .add_node(&name, "Relu", Op::Activation(Activation::Relu), vec![cur], &name)
                .unwrap(),
            3 => g
                .add_node(&name, "Sigmoid", Op::Activation(Activation::Sigmoid), vec![cur], &name)
                .unwrap(),
            4 if shape.len() == 4 && shape[2] >= 2 => {
                let c_in = shape[1];
                let w = g.add_constant(
                    &format!("w{i}"),
                    Tensor::new(vec![2, c_in, 2, 2], (0..8 * c_in).map(|_| rnd()).collect()),
                );
                let p = ConvParams {
                    kernel: vec![2, 2],
                    strides: vec![1, 1],
                    dilations: vec![1, 1],
                    pads: vec![1, 1, 0, 0],
                    group: 1,
                };
                g.add_node(&name, "Conv", Op::Conv(p), vec![cur, w], &name).unwrap()
            }
            5 if shape.len() == 4 && shape[2] >= 2 => {
                let p = PoolParams {
                    kind: PoolKind::Max,
                    kernel: vec![2, 2],
                    strides: vec![2, 2],
                    dilations: vec![1, 1],
                    pads: vec![0; 4],
                    ceil_mode: false,
                };
                g.add_node(&name, "MaxPool", Op::Pool(p), vec![cur], &name).unwrap()
            }
            6 => {
                let r = shape.len() - 1;
                g.add_node(
                    &name,
                    "Softmax",
                    Op::Softmax {
                        axis: r,
                        log: false,
                        coerce_2d: false,
                    },
                    vec![cur],
                    &name,
                )
                .unwrap()
            }
            _ => g
                .add_node(&name, "Mul", Op::Binary(BinaryOp::Mul), vec![cur, cur], &name)
                .unwrap(),
        };
    }
    if codes.is_empty() {
        cur = g
            .add_node("id", "Relu", Op::Activation(Activation::Relu), vec![cur], "id")
            .unwrap();
    }
    g.outputs.push(cur);
    g
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn lowered_random_graphs_are_sound_and_close(codes in prop::collection::vec(0u8..8, 0..5), seed in any::<u64>(), data_seed in any::<u64>()) {
        let g = graph(&codes, seed);
        let mut s = data_seed;
        let input = Tensor::new(vec![1, 2, 4, 4], (0..32).map(|_| { s = s.wrapping_mul(6364136223846793005).wrapping_add(1); ((s >> 40) as f64 / (1u64 << 24) as f64) * 2.0 - 1.0 }).collect());
        let compiled = zkc_compiler::pipeline::compile(&g, &[vec![input.clone()]], QuantConfig::default(), "halo2").unwrap();
        let trace = zkc_compiler::pipeline::witness(&compiled, std::slice::from_ref(&input)).unwrap();
        prop_assert!(zkc_runtime::check(&compiled.program, &trace).is_ok());
        let fixed = zkc_compiler::pipeline::outputs(&compiled, &trace);
        let float = g.run(&[input]).unwrap();
        let scale = float[0].data.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let err = fixed[0].data.iter().zip(&float[0].data).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        prop_assert!(err <= 0.05 * scale, "fixed-point error {} (scale {})", err, scale);
        // Model inputs are the free witnesses of the relation: another private input is another
        // valid witness (binding inputs is what public/hashed visibility is for). Every other
        // value is determined by them, so changing it must break a constraint.
        for m in mutations(&compiled.program, &trace).into_iter().filter(|m| m.argument_kind != "Input") {
            prop_assert!(zkc_runtime::check(&compiled.program, &m.trace).is_err(), "mutating {} ({}) was accepted", m.var, m.argument_kind);
        }
    }
}
