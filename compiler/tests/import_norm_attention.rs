//! Normalizations and Attention, which import as compositions of IR ops: each imported from a
//! tiny model and run in float against values worked by hand (ONNX's definitions in
//! `onnx/reference/ops/op_*normalization.py` and `op_attention.py`). Their circuits are checked
//! on every backend by `tests/tests/op_matrix.rs`, and against ONNX's own node tests by
//! `tests/tests/onnx_node_suite.rs`.

use onnx_protobuf::{AttributeProto, GraphProto, NodeProto};
mod common;

use common::{float_attr as float, int_attr as int, model_bytes, output_info, t, value_info};
use zkc_compiler::onnx;
use zkc_ir::Tensor;

/// Runs one node of `op` on graph inputs `ins` (name, value), returning the named outputs.
fn run(
    op: &str,
    opset: i64,
    ins: &[(&str, Tensor)],
    outs: &[&str],
    attrs: Vec<AttributeProto>,
) -> Result<Vec<Tensor>, String> {
    let mut n = NodeProto::new();
    n.op_type = op.into();
    n.name = format!("my_{}", op.to_lowercase());
    n.input = ins.iter().map(|(s, _)| s.to_string()).collect();
    n.output = outs.iter().map(|s| s.to_string()).collect();
    n.attribute = attrs;
    let mut g = GraphProto::new();
    g.input = ins.iter().map(|(s, t)| value_info(s, &t.shape)).collect();
    g.node = vec![n];
    g.output = outs.iter().map(|o| output_info(o)).collect();
    let g = onnx::import(&model_bytes(g, opset), &onnx::ImportOptions::default()).map_err(|e| e.to_string())?;
    let inputs: Vec<Tensor> = ins.iter().map(|(_, t)| t.clone()).collect();
    g.run(&inputs).map_err(|e| e.to_string())
}

fn close(got: &Tensor, want: &[f64]) {
    assert_eq!(got.data.len(), want.len(), "got {got:?}, want {want:?}");
    assert!(
        got.data.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-9),
        "got {:?}, want {want:?}",
        got.data
    );
}

#[test]
fn layer_normalization_with_mean_and_inv_std_dev_outputs() {
    // Rows [1, 2, 3, 4] and [2, 2, 2, 6]: means 2.5 and 3, variances 1.25 and 3; eps 0.
    let x = t(&[2, 4], &[1.0, 2.0, 3.0, 4.0, 2.0, 2.0, 2.0, 6.0]);
    let scale = t(&[4], &[1.0, 2.0, 1.0, 0.5]);
    let bias = t(&[4], &[0.0, 0.0, 1.0, 0.0]);
    let o = run(
        "LayerNormalization",
        17,
        &[("x", x), ("s", scale), ("b", bias)],
        &["y", "mean", "inv"],
        vec![float("epsilon", 0.0)],
    )
    .unwrap();
    let (s1, s2) = (1.25f64.sqrt(), 3f64.sqrt());
    close(
        &o[0],
        &[
            -1.5 / s1,
            -1.0 / s1,
            0.5 / s1 + 1.0,
            0.75 / s1,
            -1.0 / s2,
            -2.0 / s2,
            -1.0 / s2 + 1.0,
            1.5 / s2,
        ],
    );
    assert_eq!(o[1].shape, vec![2, 1]);
    close(&o[1], &[2.5, 3.0]);
    close(&o[2], &[1.0 / s1, 1.0 / s2]);
}

#[test]
fn rms_normalization_divides_by_the_root_mean_square_plus_epsilon() {
    // [3, 4]: mean square 12.5; [0, 2]: 2. eps 0.5.
    let o = run(
        "RMSNormalization",
        23,
        &[("x", t(&[2, 2], &[3.0, 4.0, 0.0, 2.0])), ("s", t(&[2], &[1.0, -2.0]))],
        &["y"],
        vec![float("epsilon", 0.5)],
    )
    .unwrap();
    close(
        &o[0],
        &[3.0 / 13f64.sqrt(), -8.0 / 13f64.sqrt(), 0.0, -4.0 / 2.5f64.sqrt()],
    );
}

#[test]
fn group_normalization_per_group_before_opset_21_and_per_channel_after() {
    // 4 channels of 1 value in 2 groups: (1, 3) and (2, 6); eps 0: (-1, 1) and (-1, 1).
    let x = t(&[1, 4, 1], &[1.0, 3.0, 2.0, 6.0]);
    let per_group = run(
        "GroupNormalization",
        18,
        &[
            ("x", x.clone()),
            ("s", t(&[2], &[2.0, 3.0])),
            ("b", t(&[2], &[0.5, 0.0])),
        ],
        &["y"],
        vec![int("num_groups", 2), float("epsilon", 0.0)],
    )
    .unwrap();
    close(&per_group[0], &[-1.5, 2.5, -3.0, 3.0]);
    let per_channel = run(
        "GroupNormalization",
        21,
        &[
            ("x", x),
            ("s", t(&[4], &[1.0, 2.0, 3.0, 4.0])),
            ("b", t(&[4], &[0.0, 0.0, 0.0, 1.0])),
        ],
        &["y"],
        vec![int("num_groups", 2), float("epsilon", 0.0)],
    )
    .unwrap();
    close(&per_channel[0], &[-1.0, 2.0, -3.0, 5.0]);
    let bad = run(
        "GroupNormalization",
        21,
        &[
            ("x", t(&[1, 4, 1], &[0.0; 4])),
            ("s", t(&[4], &[1.0; 4])),
            ("b", t(&[4], &[0.0; 4])),
        ],
        &["y"],
        vec![int("num_groups", 3)],
    )
    .unwrap_err();
    assert!(
        bad.contains("my_groupnormalization") && bad.contains("num_groups = 3"),
        "{bad}"
    );
}

#[test]
fn instance_and_mean_variance_normalization_over_the_spatial_axes() {
    // Channel 0: (0, 2) → (-1, 1); channel 1: (1, 1) has variance 0 → 0 with eps.
    let x = t(&[1, 2, 2], &[0.0, 2.0, 1.0, 1.0]);
    let o = run(
        "InstanceNormalization",
        17,
        &[("x", x), ("s", t(&[2], &[2.0, 1.0])), ("b", t(&[2], &[0.0, 0.5]))],
        &["y"],
        vec![float("epsilon", 1.0)],
    )
    .unwrap();
    close(&o[0], &[-2.0 / 2f64.sqrt(), 2.0 / 2f64.sqrt(), 0.5, 0.5]);
    // MVN over all of a [1, 1, 2, 2]: (1, 3, 5, 7) → mean 4, variance 5; 1e-9 added to σ.
    let o = run(
        "MeanVarianceNormalization",
        13,
        &[("x", t(&[1, 1, 2, 2], &[1.0, 3.0, 5.0, 7.0]))],
        &["y"],
        vec![],
    )
    .unwrap();
    let s = 5f64.sqrt() + 1e-9;
    close(&o[0], &[-3.0 / s, -1.0 / s, 1.0 / s, 3.0 / s]);
}

#[test]
fn lp_normalization_by_the_l1_and_l2_norms() {
    let x = t(&[2, 2], &[3.0, -4.0, 0.5, 0.5]);
    let l2 = run("LpNormalization", 17, &[("x", x.clone())], &["y"], vec![int("p", 2)]).unwrap();
    close(&l2[0], &[0.6, -0.8, 0.5f64.sqrt(), 0.5f64.sqrt()]);
    let l1 = run(
        "LpNormalization",
        17,
        &[("x", x.clone())],
        &["y"],
        vec![int("p", 1), int("axis", 0)],
    )
    .unwrap();
    close(&l1[0], &[3.0 / 3.5, -4.0 / 4.5, 0.5 / 3.5, 0.5 / 4.5]);
    let bad = run("LpNormalization", 17, &[("x", x)], &["y"], vec![int("p", 3)]).unwrap_err();
    assert!(bad.contains("my_lpnormalization") && bad.contains("p = 3"), "{bad}");
}

/// softmax([a, b])·[va, vb].
fn mix(a: f64, b: f64, va: f64, vb: f64) -> f64 {
    let (ea, eb) = (a.exp(), b.exp());
    (ea * va + eb * vb) / (ea + eb)
}

#[test]
fn attention_4d_causal_with_a_kv_cache_and_present_outputs() {
    // One head of size 1. Past key/value (1, 10); new q = (1, 2), k = (2, 3), v = (20, 30).
    // Keys (1, 2, 3), values (10, 20, 30); query i sees keys 0..=i+1 (the frontier moves by
    // the past length). Scale 1.
    let q = t(&[1, 1, 2, 1], &[1.0, 2.0]);
    let row0 = mix(1.0, 2.0, 10.0, 20.0);
    let e = [2.0f64, 4.0, 6.0].map(f64::exp);
    let row1 = (e[0] * 10.0 + e[1] * 20.0 + e[2] * 30.0) / (e[0] + e[1] + e[2]);
    let got = attention_with_cache(q);
    close(&got[0], &[row0, row1]);
    close(&got[1], &[1.0, 2.0, 3.0]);
    close(&got[2], &[10.0, 20.0, 30.0]);
}

/// Attention(q, k, v, no mask, past_key, past_value), causal, scale 1: the inputs are
/// positional, so the missing mask is an empty name.
fn attention_with_cache(q: Tensor) -> Vec<Tensor> {
    let mut n = NodeProto::new();
    n.op_type = "Attention".into();
    n.name = "att".into();
    n.input = ["q", "k", "v", "", "pk", "pv"].iter().map(|s| s.to_string()).collect();
    n.output = ["y", "present_k", "present_v"].iter().map(|s| s.to_string()).collect();
    n.attribute = vec![int("is_causal", 1), float("scale", 1.0)];
    let ins = [
        ("q", q),
        ("k", t(&[1, 1, 2, 1], &[2.0, 3.0])),
        ("v", t(&[1, 1, 2, 1], &[20.0, 30.0])),
        ("pk", t(&[1, 1, 1, 1], &[1.0])),
        ("pv", t(&[1, 1, 1, 1], &[10.0])),
    ];
    let mut g = GraphProto::new();
    g.input = ins.iter().map(|(s, x)| value_info(s, &x.shape)).collect();
    g.node = vec![n];
    g.output = ["y", "present_k", "present_v"].iter().map(|o| output_info(o)).collect();
    let g = onnx::import(&model_bytes(g, 23), &onnx::ImportOptions::default()).unwrap();
    g.run(&ins.map(|(_, x)| x)).unwrap()
}

#[test]
fn attention_3d_gqa_shares_each_kv_head_between_its_query_heads_and_applies_the_mask() {
    // 2 query heads of size 1 over 1 K/V head; 2 keys (1, -1), values (4, 8); 1 query
    // (1, 2) → head scores (1, -1) and (2, -2), scale 1; an additive mask (0, -1).
    let o = run(
        "Attention",
        23,
        &[
            ("q", t(&[1, 1, 2], &[1.0, 2.0])),
            ("k", t(&[1, 2, 1], &[1.0, -1.0])),
            ("v", t(&[1, 2, 1], &[4.0, 8.0])),
            ("m", t(&[1, 2], &[0.0, -1.0])),
        ],
        &["y"],
        vec![int("q_num_heads", 2), int("kv_num_heads", 1), float("scale", 1.0)],
    )
    .unwrap();
    assert_eq!(o[0].shape, vec![1, 1, 2]);
    close(&o[0], &[mix(1.0, -2.0, 4.0, 8.0), mix(2.0, -3.0, 4.0, 8.0)]);
    // Softcap 1: scores become tanh(score).
    let o = run(
        "Attention",
        23,
        &[
            ("q", t(&[1, 1, 2], &[1.0, 2.0])),
            ("k", t(&[1, 2, 1], &[1.0, -1.0])),
            ("v", t(&[1, 2, 1], &[4.0, 8.0])),
        ],
        &["y"],
        vec![
            int("q_num_heads", 2),
            int("kv_num_heads", 1),
            float("scale", 1.0),
            float("softcap", 1.0),
        ],
    )
    .unwrap();
    let th = f64::tanh;
    close(
        &o[0],
        &[mix(th(1.0), th(-1.0), 4.0, 8.0), mix(th(2.0), th(-2.0), 4.0, 8.0)],
    );
    let bad = run(
        "Attention",
        23,
        &[
            ("q", t(&[1, 1, 3], &[0.0; 3])),
            ("k", t(&[1, 2, 1], &[0.0; 2])),
            ("v", t(&[1, 2, 1], &[0.0; 2])),
        ],
        &["y"],
        vec![int("q_num_heads", 2), int("kv_num_heads", 1)],
    )
    .unwrap_err();
    assert!(bad.contains("my_attention") && bad.contains("not divisible"), "{bad}");
}
