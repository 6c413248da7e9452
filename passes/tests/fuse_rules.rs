//! Each fuse rule on a small graph: it fires, the form it produces is what the extraction
//! picks when that form is cheaper, and the reference interpreter gives the same outputs
//! before and after on random inputs. Rules that must not fire are checked too.

use zkc_ir::ops::{ConvParams, PoolKind, PoolParams};
use zkc_ir::{Activation, BinaryOp, Graph, Op, Tensor, ValueId};
use zkc_passes::fuse::{self, rules, FuseConfig};

fn rand_tensor(shape: &[usize], seed: &mut u64) -> Tensor {
    let n = shape.iter().product();
    let data = (0..n)
        .map(|_| {
            *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((*seed >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect();
    Tensor::new(shape.to_vec(), data)
}

struct B {
    g: Graph,
    seed: u64,
    n: usize,
}

impl B {
    fn new(input: &[usize]) -> (Self, ValueId) {
        let mut g = Graph::default();
        let x = g.add_value("x", input.to_vec(), None);
        g.inputs.push(x);
        (B { g, seed: 7, n: 0 }, x)
    }
    fn c(&mut self, shape: &[usize]) -> ValueId {
        let t = rand_tensor(shape, &mut self.seed);
        self.n += 1;
        self.g.add_constant(&format!("c{}", self.n), t)
    }
    fn k(&mut self, t: Tensor) -> ValueId {
        self.n += 1;
        self.g.add_constant(&format!("k{}", self.n), t)
    }
    fn op(&mut self, op: Op, ins: Vec<ValueId>) -> ValueId {
        self.n += 1;
        let name = format!("n{}", self.n);
        self.g.add_node(&name, &op.name(), op, ins, &name).unwrap()
    }
    fn done(mut self, y: ValueId) -> Graph {
        self.g.outputs.push(y);
        self.g
    }
}

fn conv(k: usize, pads: usize) -> Op {
    Op::Conv(ConvParams {
        kernel: vec![k, k],
        strides: vec![1, 1],
        dilations: vec![1, 1],
        pads: vec![pads; 4],
        group: 1,
    })
}

fn pool(kind: PoolKind, pads: usize) -> Op {
    Op::Pool(PoolParams {
        kind,
        kernel: vec![2, 2],
        strides: vec![2, 2],
        dilations: vec![1, 1],
        pads: vec![pads; 4],
        ceil_mode: false,
    })
}

fn count(g: &Graph, name: &str) -> usize {
    g.nodes.iter().filter(|n| n.op.name() == name).count()
}

/// Saturates `g` and returns the rules that fired.
fn fired(g: &Graph) -> std::collections::BTreeMap<String, usize> {
    let mut l = fuse::load(g, Some(14));
    fuse::saturate(&mut l, &FuseConfig::default())
}

/// Runs the pass with `score` and checks the result computes what `g` does.
fn fuse_with(g: &Graph, score: impl Fn(&Graph) -> f64) -> Graph {
    let cfg = FuseConfig {
        weight_scale: Some(14),
        ..FuseConfig::default()
    };
    let (out, report) = fuse::fuse(g, &cfg, &mut |c: &Graph| Some(score(c)));
    let mut seed = 99;
    for _ in 0..3 {
        let ins: Vec<Tensor> = g
            .inputs
            .iter()
            .map(|&v| rand_tensor(&g.value(v).shape, &mut seed))
            .collect();
        let (a, b) = (g.run(&ins).unwrap(), out.run(&ins).unwrap());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.shape, y.shape);
            for (p, q) in x.data.iter().zip(&y.data) {
                assert!(
                    (p - q).abs() <= 1e-9 * (1.0 + p.abs()),
                    "outputs differ: {p} vs {q}\n{report:?}"
                );
            }
        }
    }
    out
}

fn fewest_nodes(g: &Graph) -> f64 {
    g.nodes.len() as f64
}

#[test]
fn batchnorm_after_conv_folds_into_weights_and_bias() {
    let (mut b, x) = B::new(&[1, 2, 6, 6]);
    let (w, bias) = (b.c(&[3, 2, 3, 3]), b.c(&[3]));
    let h = b.op(conv(3, 1), vec![x, w, bias]);
    let (s, t) = (b.c(&[3, 1, 1]), b.c(&[3, 1, 1]));
    let m = b.op(Op::Binary(BinaryOp::Mul), vec![h, s]);
    let y = b.op(Op::Binary(BinaryOp::Add), vec![m, t]);
    let g = b.done(y);
    let f = fired(&g);
    assert!(
        f.contains_key("conv-scale-out") && f.contains_key("conv-bias-add"),
        "{f:?}"
    );
    let out = fuse_with(&g, fewest_nodes);
    assert_eq!(out.nodes.len(), 1, "one Conv left");
}

#[test]
fn scalar_div_and_sub_after_conv_fold() {
    let (mut b, x) = B::new(&[1, 1, 5, 5]);
    let w = b.c(&[2, 1, 3, 3]);
    let h = b.op(conv(3, 0), vec![x, w]);
    let two = b.k(Tensor::scalar(2.0));
    let d = b.op(Op::Binary(BinaryOp::Div), vec![h, two]);
    let c = b.c(&[1, 2, 1, 1]);
    let y = b.op(Op::Binary(BinaryOp::Sub), vec![d, c]);
    let g = b.done(y);
    let f = fired(&g);
    assert!(
        f.contains_key("div-const-to-mul") && f.contains_key("sub-const-to-add"),
        "{f:?}"
    );
    assert_eq!(fuse_with(&g, fewest_nodes).nodes.len(), 1);
}

#[test]
fn scalar_before_conv_folds_into_weights() {
    let (mut b, x) = B::new(&[1, 2, 5, 5]);
    let half = b.k(Tensor::scalar(0.5));
    let m = b.op(Op::Binary(BinaryOp::Mul), vec![half, x]);
    let w = b.c(&[2, 2, 3, 3]);
    let y = b.op(conv(3, 1), vec![m, w]);
    let g = b.done(y);
    assert!(fired(&g).contains_key("conv-scale-in"));
    assert_eq!(fuse_with(&g, fewest_nodes).nodes.len(), 1);
}

#[test]
fn per_channel_scale_before_conv_folds_but_a_per_pixel_one_does_not() {
    let (mut b, x) = B::new(&[1, 2, 4, 4]);
    let c = b.c(&[1, 1, 1, 4]);
    let m = b.op(Op::Binary(BinaryOp::Mul), vec![x, c]);
    let w = b.c(&[2, 2, 3, 3]);
    let y = b.op(conv(3, 1), vec![m, w]);
    let g = b.done(y);
    assert!(
        !fired(&g).contains_key("conv-scale-in"),
        "a scale along the width is not a weight scale"
    );
}

#[test]
fn scales_around_matmul_fold_into_the_weight() {
    let (mut b, x) = B::new(&[2, 4]);
    let cin = b.c(&[4]);
    let m = b.op(Op::Binary(BinaryOp::Mul), vec![x, cin]);
    let w = b.c(&[4, 3]);
    let h = b.op(Op::MatMul, vec![m, w]);
    let cout = b.c(&[3]);
    let y = b.op(Op::Binary(BinaryOp::Mul), vec![h, cout]);
    let g = b.done(y);
    let f = fired(&g);
    assert!(
        f.contains_key("matmul-scale-in") && f.contains_key("matmul-scale-out"),
        "{f:?}"
    );
    assert_eq!(fuse_with(&g, fewest_nodes).nodes.len(), 1);
}

#[test]
fn consecutive_matmuls_merge() {
    let (mut b, x) = B::new(&[3, 4]);
    let (a, c) = (b.c(&[4, 5]), b.c(&[5, 2]));
    let h = b.op(Op::MatMul, vec![x, a]);
    let y = b.op(Op::MatMul, vec![h, c]);
    let g = b.done(y);
    assert!(fired(&g).contains_key("matmul-chain"));
    assert_eq!(fuse_with(&g, fewest_nodes).nodes.len(), 1);
}

#[test]
fn a_relu_between_matmuls_blocks_merging() {
    let (mut b, x) = B::new(&[3, 4]);
    let (a, c) = (b.c(&[4, 5]), b.c(&[5, 2]));
    let h = b.op(Op::MatMul, vec![x, a]);
    let r = b.op(Op::Activation(Activation::Relu), vec![h]);
    let y = b.op(Op::MatMul, vec![r, c]);
    let g = b.done(y);
    assert!(!fired(&g).contains_key("matmul-chain"));
}

#[test]
fn attention_scores_merge_projections_and_absorb_the_scale() {
    let (mut b, x) = B::new(&[1, 4, 6]);
    let (wq, wk) = (b.c(&[1, 6, 6]), b.c(&[1, 6, 6]));
    let q = b.op(Op::MatMul, vec![x, wq]);
    let k = b.op(Op::MatMul, vec![x, wk]);
    let kt = b.op(Op::Transpose { perm: vec![0, 2, 1] }, vec![k]);
    let s = b.op(Op::MatMul, vec![q, kt]);
    let c = b.k(Tensor::scalar(0.25));
    let y = b.op(Op::Binary(BinaryOp::Mul), vec![s, c]);
    let g = b.done(y);
    let f = fired(&g);
    assert!(
        f.contains_key("qk-merge") && f.contains_key("scalar-into-bilinear-left"),
        "{f:?}"
    );
    let out = fuse_with(&g, |c| {
        c.nodes
            .iter()
            .filter(|n| n.op != (Op::Transpose { perm: vec![0, 2, 1] }))
            .count() as f64
    });
    assert_eq!(
        count(&out, "MatMul"),
        2,
        "one projection and the product: {:?}",
        out.nodes
    );
    assert_eq!(count(&out, "Mul"), 0, "the scale went into the weight");
}

#[test]
fn bias_add_after_matmul_joins_its_linear_map() {
    let (mut b, x) = B::new(&[2, 4]);
    let (w, bias) = (b.c(&[4, 3]), b.c(&[3]));
    let h = b.op(Op::MatMul, vec![x, w]);
    let y = b.op(Op::Binary(BinaryOp::Add), vec![h, bias]);
    let g = b.done(y);
    assert!(fired(&g).contains_key("matmul-bias"));
    let out = fuse_with(&g, |c| count(c, "Add") as f64 * 10.0 + c.nodes.len() as f64);
    assert_eq!(count(&out, "Add"), 0);
    assert_eq!(count(&out, "Conv"), 1);
}

#[test]
fn transpose_and_reshape_pairs_cancel() {
    let (mut b, x) = B::new(&[2, 3, 4]);
    let t1 = b.op(Op::Transpose { perm: vec![2, 0, 1] }, vec![x]);
    let t2 = b.op(Op::Transpose { perm: vec![1, 2, 0] }, vec![t1]);
    let r1 = b.op(Op::Reshape { shape: vec![6, 4] }, vec![t2]);
    let r2 = b.op(Op::Reshape { shape: vec![2, 3, 4] }, vec![r1]);
    let y = b.op(Op::Activation(Activation::Relu), vec![r2]);
    let g = b.done(y);
    let f = fired(&g);
    assert!(
        f.contains_key("transpose-pair") && f.contains_key("reshape-pair") && f.contains_key("reshape-identity"),
        "{f:?}"
    );
    assert_eq!(fuse_with(&g, fewest_nodes).nodes.len(), 1, "only the Relu is left");
}

#[test]
fn relu_moves_after_max_pool_but_not_after_average_pool() {
    let (mut b, x) = B::new(&[1, 2, 4, 4]);
    let r = b.op(Op::Activation(Activation::Relu), vec![x]);
    let y = b.op(pool(PoolKind::Max, 0), vec![r]);
    let g = b.done(y);
    assert!(fired(&g).contains_key("monotone-then-maxpool"));
    // Cost ∝ elements the Relu sees: after the pool it sees a quarter.
    let out = fuse_with(&g, |c| {
        c.nodes
            .iter()
            .filter(|n| n.op == Op::Activation(Activation::Relu))
            .map(|n| c.value(n.inputs[0]).shape.iter().product::<usize>() as f64)
            .sum()
    });
    assert_eq!(out.nodes[0].op.name(), "MaxPool");

    let (mut b, x) = B::new(&[1, 2, 4, 4]);
    let r = b.op(Op::Activation(Activation::Abs), vec![x]);
    let y = b.op(pool(PoolKind::Max, 0), vec![r]);
    assert!(
        !fired(&b.done(y)).contains_key("monotone-then-maxpool"),
        "Abs is not monotone"
    );
    let (mut b, x) = B::new(&[1, 2, 4, 4]);
    let r = b.op(Op::Activation(Activation::Relu), vec![x]);
    let y = b.op(
        pool(
            PoolKind::Average {
                count_include_pad: false,
            },
            0,
        ),
        vec![r],
    );
    assert!(!fired(&b.done(y)).contains_key("monotone-then-maxpool"));
}

#[test]
fn sigmoid_after_max_pool_moves_before_it_when_that_is_cheaper() {
    let (mut b, x) = B::new(&[1, 1, 4, 4]);
    let p = b.op(pool(PoolKind::Max, 0), vec![x]);
    let y = b.op(Op::Activation(Activation::Sigmoid), vec![p]);
    let g = b.done(y);
    assert!(fired(&g).contains_key("maxpool-then-monotone"));
    let out = fuse_with(&g, |c| if c.nodes[0].op.name() == "Sigmoid" { 0.0 } else { 1.0 });
    assert_eq!(out.nodes[0].op.name(), "Sigmoid");
}

#[test]
fn x_times_its_sigmoid_becomes_one_swish_in_either_order() {
    for mirrored in [false, true] {
        let (mut b, x) = B::new(&[1, 2, 3, 3]);
        let s = b.op(Op::Activation(Activation::Sigmoid), vec![x]);
        let ins = if mirrored { vec![s, x] } else { vec![x, s] };
        let y = b.op(Op::Binary(BinaryOp::Mul), ins);
        let g = b.done(y);
        let rule = if mirrored {
            "silu-as-swish-mirrored"
        } else {
            "silu-as-swish"
        };
        assert!(fired(&g).contains_key(rule), "{rule}");
        let out = fuse_with(&g, fewest_nodes);
        assert_eq!(out.nodes.len(), 1);
        assert_eq!(out.nodes[0].op, Op::Activation(Activation::Swish { alpha: 1.0 }));
    }
    // x · σ(y) for another y is not a Swish.
    let (mut b, x) = B::new(&[1, 2, 3, 3]);
    let r = b.op(Op::Activation(Activation::Relu), vec![x]);
    let s = b.op(Op::Activation(Activation::Sigmoid), vec![r]);
    let y = b.op(Op::Binary(BinaryOp::Mul), vec![x, s]);
    let f = fired(&b.done(y));
    assert!(!f.contains_key("silu-as-swish") && !f.contains_key("silu-as-swish-mirrored"));
    // Nor is x · tanh(x).
    let (mut b, x) = B::new(&[1, 2, 3, 3]);
    let t = b.op(Op::Activation(Activation::Tanh), vec![x]);
    let y = b.op(Op::Binary(BinaryOp::Mul), vec![x, t]);
    assert!(!fired(&b.done(y)).contains_key("silu-as-swish"));
}

/// PyTorch's exact GELU before opset 20: `(x · (Erf(x / r) + 1)) · half`.
fn erf_gelu(r: f64, half: f64) -> Graph {
    let (mut b, x) = B::new(&[1, 2, 3, 3]);
    let rc = b.k(Tensor::scalar(r));
    let d = b.op(Op::Binary(BinaryOp::Div), vec![x, rc]);
    let e = b.op(Op::Activation(Activation::Erf), vec![d]);
    let one = b.k(Tensor::scalar(1.0));
    let a = b.op(Op::Binary(BinaryOp::Add), vec![e, one]);
    let m = b.op(Op::Binary(BinaryOp::Mul), vec![x, a]);
    let h = b.k(Tensor::scalar(half));
    let y = b.op(Op::Binary(BinaryOp::Mul), vec![m, h]);
    b.done(y)
}

#[test]
fn pytorch_erf_gelu_becomes_one_gelu() {
    let g = erf_gelu(std::f64::consts::SQRT_2, 0.5);
    assert!(fired(&g).contains_key("erf-gelu-as-gelu"));
    let out = fuse_with(&g, fewest_nodes);
    assert_eq!(out.nodes.len(), 1);
    assert_eq!(out.nodes[0].op, Op::Activation(Activation::Gelu { tanh: false }));
    // √2 as a float32 constant, as PyTorch writes it, matches too.
    assert!(fired(&erf_gelu(f64::from(std::f32::consts::SQRT_2), 0.5)).contains_key("erf-gelu-as-gelu"));
    // Another divisor or factor is not a GELU.
    assert!(!fired(&erf_gelu(1.5, 0.5)).contains_key("erf-gelu-as-gelu"));
    assert!(!fired(&erf_gelu(std::f64::consts::SQRT_2, 0.25)).contains_key("erf-gelu-as-gelu"));
}

#[test]
fn average_pool_becomes_a_sum_whose_scale_folds_into_the_next_conv() {
    let (mut b, x) = B::new(&[1, 2, 8, 8]);
    let r = b.op(Op::Activation(Activation::Relu), vec![x]);
    let p = b.op(
        pool(
            PoolKind::Average {
                count_include_pad: false,
            },
            0,
        ),
        vec![r],
    );
    let w = b.c(&[3, 2, 3, 3]);
    let y = b.op(conv(3, 0), vec![p, w]);
    let g = b.done(y);
    let f = fired(&g);
    assert!(
        f.contains_key("avgpool-as-sum") && f.contains_key("conv-scale-in"),
        "{f:?}"
    );
    let out = fuse_with(&g, |c| count(c, "AveragePool") as f64 * 10.0 + c.nodes.len() as f64);
    assert_eq!(count(&out, "AveragePool"), 0);
    assert_eq!(count(&out, "Mul"), 0, "the 1/4 is in the next conv's weights");
    assert_eq!(
        count(&out, "Conv"),
        2,
        "the sum (a depthwise conv of ones) and the conv"
    );
}

#[test]
fn average_pool_with_uncounted_padding_stays() {
    let (mut b, x) = B::new(&[1, 2, 8, 8]);
    let y = b.op(
        pool(
            PoolKind::Average {
                count_include_pad: false,
            },
            1,
        ),
        vec![x],
    );
    assert!(
        !fired(&b.done(y)).contains_key("avgpool-as-sum"),
        "border windows divide by fewer cells"
    );
}

#[test]
fn matmul_defers_its_rescale_only_for_weights_on_the_grid() {
    let (mut b, x) = B::new(&[2, 3]);
    let w = b.k(Tensor::new(
        vec![3, 2],
        vec![0.5, -0.25, 1.0 / 16384.0, 0.75, 1.5, -2.0],
    ));
    let y = b.op(Op::MatMul, vec![x, w]);
    let g = b.done(y);
    let mut l = fuse::load(&g, Some(14));
    let f = fuse::saturate(&mut l, &FuseConfig::default());
    assert!(f.contains_key("matmul-defer-rescale"), "{f:?}");
    assert!(rules::matches(&l.egraph, "(mul (matmul in0 ?w) ?c)"));
    let out = fuse_with(&g, |c| -(count(c, "Mul") as f64) + c.nodes.len() as f64 * 0.1);
    assert_eq!(count(&out, "Mul"), 1);

    let (mut b, x) = B::new(&[2, 3]);
    let w = b.k(Tensor::new(vec![3, 2], vec![0.1, -0.2, 0.3, 0.4, 0.5, -0.6]));
    let y = b.op(Op::MatMul, vec![x, w]);
    assert!(
        !fired(&b.done(y)).contains_key("matmul-defer-rescale"),
        "0.1 is not on the 2^-14 grid"
    );
}

#[test]
fn scalars_move_through_layout_ops() {
    let (mut b, x) = B::new(&[2, 6]);
    let c = b.k(Tensor::scalar(3.0));
    let m = b.op(Op::Binary(BinaryOp::Mul), vec![x, c]);
    let r = b.op(Op::Reshape { shape: vec![3, 4] }, vec![m]);
    let t = b.op(Op::Transpose { perm: vec![1, 0] }, vec![r]);
    let w = b.c(&[3, 2]);
    let y = b.op(Op::MatMul, vec![t, w]);
    let g = b.done(y);
    let f = fired(&g);
    assert!(
        f.contains_key("scalar-out-of-reshape") && f.contains_key("scalar-out-of-transpose"),
        "{f:?}"
    );
    assert_eq!(count(&fuse_with(&g, fewest_nodes), "Mul"), 0);
}

#[test]
fn every_rule_has_a_unique_name_and_parses() {
    let all = rules::all();
    let mut names: Vec<_> = all.iter().map(|r| r.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), all.len());
    for r in &all {
        r.rewrite();
    }
}
