//! Resize/Upsample, LpPool, Einsum, GatherElements, Scatter*, TopK and RNN/GRU/LSTM imported
//! from tiny models and run in float against ONNX's own examples
//! (`onnx/backend/test/case/node/*.py`) or values worked by hand; the expansions with
//! circuits are checked to use only IR ops that have one.

use onnx_protobuf::{AttributeProto, GraphProto, NodeProto, TensorProto};
mod common;

use common::{
    int_attr as attr_i, ints_attr as attr_is, model_bytes, output_info, string_attr as attr_s, t, value_info,
};
use zkc_compiler::onnx;
use zkc_ir::Op;

/// A one-node model: graph inputs with shapes, float initializers (int64 when `int`), the
/// node and its outputs.
fn model(
    inputs: &[(&str, &[usize])],
    inits: &[(&str, &[usize], &[f64], bool)],
    op: &str,
    ins: &[&str],
    outs: &[&str],
    attrs: Vec<AttributeProto>,
    opset: i64,
) -> Result<zkc_ir::Graph, String> {
    let mut g = GraphProto::new();
    g.input = inputs.iter().map(|(n, s)| value_info(n, s)).collect();
    for &(name, dims, v, int) in inits {
        let mut t = TensorProto::new();
        t.name = name.into();
        t.dims = dims.iter().map(|&d| d as i64).collect();
        if int {
            t.data_type = 7;
            t.int64_data = v.iter().map(|&x| x as i64).collect();
        } else {
            t.data_type = 1;
            t.float_data = v.iter().map(|&x| x as f32).collect();
        }
        g.initializer.push(t);
    }
    let mut n = NodeProto::new();
    n.op_type = op.into();
    n.name = format!("my_{}", op.to_lowercase());
    n.input = ins.iter().map(|s| s.to_string()).collect();
    n.output = outs.iter().map(|s| s.to_string()).collect();
    n.attribute = attrs;
    g.node.push(n);
    g.output = outs.iter().filter(|o| !o.is_empty()).map(|o| output_info(o)).collect();
    onnx::import(&model_bytes(g, opset), &onnx::ImportOptions::default()).map_err(|e| e.to_string())
}

fn close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (a, b) in got.iter().zip(want) {
        assert!((a - b).abs() < 1e-5, "{got:?} vs {want:?}");
    }
}

/// Every node of `g` is an IR op with a circuit (no float-only op, no run-time index op).
fn has_circuit(g: &zkc_ir::Graph) -> bool {
    g.nodes.iter().all(|n| {
        !matches!(
            n.op,
            Op::TopK { .. } | Op::Rnn(_) | Op::GatherElements { .. } | Op::Scatter { .. } | Op::ArgMaxMin { .. }
        )
    })
}

#[test]
fn resize_nearest_and_linear_match_onnx_examples() {
    let x = t(&[1, 1, 2, 2], &[1.0, 2.0, 3.0, 4.0]);
    // resize_upsample_scales_nearest: scales [1, 1, 2, 3].
    let g = model(
        &[("X", &[1, 1, 2, 2])],
        &[("scales", &[4], &[1.0, 1.0, 2.0, 3.0], false)],
        "Resize",
        &["X", "", "scales"],
        &["Y"],
        vec![attr_s("mode", "nearest")],
        19,
    )
    .unwrap();
    assert!(has_circuit(&g));
    let y = &g.run(std::slice::from_ref(&x)).unwrap()[0];
    assert_eq!(y.shape, vec![1, 1, 4, 6]);
    let row1 = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0];
    let row2 = [3.0, 3.0, 3.0, 4.0, 4.0, 4.0];
    assert_eq!(y.data, [row1, row1, row2, row2].concat());
    // resize_upsample_scales_linear: scales [1, 1, 2, 2], half_pixel.
    let g = model(
        &[("X", &[1, 1, 2, 2])],
        &[("scales", &[4], &[1.0, 1.0, 2.0, 2.0], false)],
        "Resize",
        &["X", "", "scales"],
        &["Y"],
        vec![attr_s("mode", "linear")],
        19,
    )
    .unwrap();
    assert!(has_circuit(&g));
    let y = &g.run(std::slice::from_ref(&x)).unwrap()[0];
    close(
        &y.data,
        &[
            1.0, 1.25, 1.75, 2.0, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3.0, 3.25, 3.75, 4.0,
        ],
    );
    // Upsample (opset 9) nearest with scales [1, 1, 2, 3]: numpy.repeat.
    let g = model(
        &[("X", &[1, 1, 2, 2])],
        &[("scales", &[4], &[1.0, 1.0, 2.0, 3.0], false)],
        "Upsample",
        &["X", "scales"],
        &["Y"],
        vec![attr_s("mode", "nearest")],
        9,
    )
    .unwrap();
    assert_eq!(g.run(&[x]).unwrap()[0].data, [row1, row1, row2, row2].concat());
}

#[test]
fn resize_with_sizes_and_axes_and_bad_scales() {
    // resize_downsample_sizes_nearest: X [1, 1, 2, 4] to sizes [1, 1, 1, 2] → [1, 3].
    let g = model(
        &[("X", &[1, 1, 2, 4])],
        &[("sizes", &[2], &[1.0, 2.0], true)],
        "Resize",
        &["X", "", "", "sizes"],
        &["Y"],
        vec![attr_s("mode", "nearest"), attr_is("axes", &[2, 3])],
        19,
    )
    .unwrap();
    let x = t(&[1, 1, 2, 4], &(1..=8).map(f64::from).collect::<Vec<_>>());
    assert_eq!(g.run(&[x]).unwrap()[0].data, vec![1.0, 3.0]);
    // Resize-10 (asymmetric; onnxruntime rounds up when downsampling): ONNX's opset-10
    // resize_downsample_nearest example, scales [1, 1, 0.6, 0.6] → [1, 3].
    let g = model(
        &[("X", &[1, 1, 2, 4])],
        &[("scales", &[4], &[1.0, 1.0, 0.6, 0.6], false)],
        "Resize",
        &["X", "scales"],
        &["Y"],
        vec![attr_s("mode", "nearest")],
        10,
    )
    .unwrap();
    let x = t(&[1, 1, 2, 4], &(1..=8).map(f64::from).collect::<Vec<_>>());
    assert_eq!(g.run(&[x]).unwrap()[0].data, vec![1.0, 3.0]);
    let e = model(
        &[("X", &[1, 1, 2, 2])],
        &[("scales", &[4], &[1.0, 1.0, -2.0, 2.0], false)],
        "Resize",
        &["X", "", "scales"],
        &["Y"],
        vec![],
        19,
    )
    .unwrap_err();
    assert!(e.contains("my_resize") && e.contains("positive"), "{e}");
    let e = model(
        &[("X", &[1, 1, 2, 2]), ("s", &[4])],
        &[],
        "Resize",
        &["X", "", "s"],
        &["Y"],
        vec![],
        19,
    )
    .unwrap_err();
    assert!(e.contains("my_resize") && e.contains("constant"), "{e}");
}

#[test]
fn lp_pool_is_the_p_norm_of_each_window() {
    // x = [3, 4, 0, -12], kernel 2, stride 2 → p=2: [5, 12]; p=1: [7, 12]; p=3: cube roots.
    let x = t(&[1, 1, 4], &[3.0, 4.0, 0.0, -12.0]);
    for (p, want) in [
        (2, vec![5.0, 12.0]),
        (1, vec![7.0, 12.0]),
        (3, vec![91f64.cbrt(), 12.0]),
    ] {
        let g = model(
            &[("x", &[1, 1, 4])],
            &[],
            "LpPool",
            &["x"],
            &["y"],
            vec![attr_is("kernel_shape", &[2]), attr_is("strides", &[2]), attr_i("p", p)],
            18,
        )
        .unwrap();
        assert!(has_circuit(&g));
        close(&g.run(std::slice::from_ref(&x)).unwrap()[0].data, &want);
    }
}

#[test]
fn einsum_matmul_transpose_sum_and_diagonal() {
    let a = t(&[2, 2, 3], &(0..12).map(f64::from).collect::<Vec<_>>());
    let b = t(&[2, 3, 1], &[1.0, 2.0, 3.0, -1.0, 0.0, 1.0]);
    let g = model(
        &[("a", &[2, 2, 3]), ("b", &[2, 3, 1])],
        &[],
        "Einsum",
        &["a", "b"],
        &["y"],
        vec![attr_s("equation", "bij, bjk -> bik")],
        12,
    )
    .unwrap();
    assert!(has_circuit(&g));
    // Batch 0: [0 1 2]·[1 2 3] = 8, [3 4 5]·… = 26; batch 1: [6 7 8]·[-1 0 1] = 2, [9 10 11] → 2.
    assert_eq!(g.run(&[a.clone(), b]).unwrap()[0].data, vec![8.0, 26.0, 2.0, 2.0]);
    let x = t(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    for (eq, shape, want) in [
        ("ij->ji", vec![3, 2], vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]),
        ("ij->i", vec![2], vec![6.0, 15.0]),
        ("ij", vec![2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        ("ji", vec![3, 2], vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]),
        ("ij,ij->", vec![], vec![91.0]),
    ] {
        let n = eq.split("->").next().unwrap().matches(',').count() + 1;
        let ins: Vec<&str> = ["x", "x"][..n].to_vec();
        let g = model(
            &[("x", &[2, 3])],
            &[],
            "Einsum",
            &ins,
            &["y"],
            vec![attr_s("equation", eq)],
            12,
        )
        .unwrap();
        let y = &g.run(std::slice::from_ref(&x)).unwrap()[0];
        assert_eq!((&y.shape, &y.data), (&shape, &want), "{eq}");
    }
    // Batch diagonal: "...ii->...i" on [2, 2, 2].
    let g = model(
        &[("x", &[2, 2, 2])],
        &[],
        "Einsum",
        &["x"],
        &["y"],
        vec![attr_s("equation", "...ii ->...i")],
        12,
    )
    .unwrap();
    let y = &g
        .run(&[t(&[2, 2, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])])
        .unwrap()[0];
    assert_eq!((&y.shape, &y.data), (&vec![2, 2], &vec![1.0, 4.0, 5.0, 8.0]));
    let e = model(
        &[("x", &[2, 3])],
        &[],
        "Einsum",
        &["x"],
        &["y"],
        vec![attr_s("equation", "ijk->i")],
        12,
    )
    .unwrap_err();
    assert!(e.contains("my_einsum"), "{e}");
}

#[test]
fn gather_elements_and_scatter_with_constant_indices_are_wiring_and_arithmetic() {
    // gather_elements_0: data [[1, 2], [3, 4]], indices [[0, 0], [1, 0]], axis 1.
    let d = t(&[2, 2], &[1.0, 2.0, 3.0, 4.0]);
    let g = model(
        &[("d", &[2, 2])],
        &[("i", &[2, 2], &[0.0, 0.0, 1.0, 0.0], true)],
        "GatherElements",
        &["d", "i"],
        &["y"],
        vec![attr_i("axis", 1)],
        13,
    )
    .unwrap();
    assert!(has_circuit(&g));
    assert_eq!(
        g.run(std::slice::from_ref(&d)).unwrap()[0].data,
        vec![1.0, 1.0, 4.0, 3.0]
    );
    // The same indices given at run time: the float-only IR op.
    let g = model(
        &[("d", &[2, 2]), ("i", &[2, 2])],
        &[],
        "GatherElements",
        &["d", "i"],
        &["y"],
        vec![attr_i("axis", 1)],
        13,
    )
    .unwrap();
    assert!(!has_circuit(&g));
    let i = t(&[2, 2], &[0.0, 0.0, 1.0, 0.0]);
    assert_eq!(g.run(&[d.clone(), i]).unwrap()[0].data, vec![1.0, 1.0, 4.0, 3.0]);
    // scatter_elements_with_duplicate_indices (add), and every reduction against the IR op.
    let data = t(&[1, 5], &[1.0, 2.0, 3.0, 4.0, 5.0]);
    let upd = t(&[1, 2], &[1.1, 2.1]);
    for (red, want) in [
        ("none", vec![1.0, 2.1, 3.0, 4.0, 5.0]),
        ("add", vec![1.0, 5.2, 3.0, 4.0, 5.0]),
        ("mul", vec![1.0, 2.0 * 1.1 * 2.1, 3.0, 4.0, 5.0]),
        ("max", vec![1.0, 2.1, 3.0, 4.0, 5.0]),
        ("min", vec![1.0, 1.1, 3.0, 4.0, 5.0]),
    ] {
        let g = model(
            &[("d", &[1, 5]), ("u", &[1, 2])],
            &[("i", &[1, 2], &[1.0, 1.0], true)],
            "ScatterElements",
            &["d", "i", "u"],
            &["y"],
            vec![attr_i("axis", 1), attr_s("reduction", red)],
            18,
        )
        .unwrap();
        assert!(has_circuit(&g), "{red}");
        close(&g.run(&[data.clone(), upd.clone()]).unwrap()[0].data, &want);
    }
    // ScatterND: rows 0 and 2 of a [4, 2] replaced.
    let g = model(
        &[("d", &[4, 2]), ("u", &[2, 2])],
        &[("i", &[2, 1], &[0.0, 2.0], true)],
        "ScatterND",
        &["d", "i", "u"],
        &["y"],
        vec![],
        18,
    )
    .unwrap();
    assert!(has_circuit(&g));
    let y = &g
        .run(&[
            t(&[4, 2], &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
            t(&[2, 2], &[10.0, 11.0, 12.0, 13.0]),
        ])
        .unwrap()[0];
    assert_eq!(y.data, vec![10.0, 11.0, 2.0, 3.0, 12.0, 13.0, 6.0, 7.0]);
}

#[test]
fn top_k_gives_values_and_indices() {
    // top_k: [[0..3], [4..7], [8..11]], k = 3, axis 1.
    let g = model(
        &[("x", &[3, 4])],
        &[("k", &[1], &[3.0], true)],
        "TopK",
        &["x", "k"],
        &["v", "i"],
        vec![attr_i("axis", 1)],
        11,
    )
    .unwrap();
    let out = g
        .run(&[t(&[3, 4], &(0..12).map(f64::from).collect::<Vec<_>>())])
        .unwrap();
    assert_eq!(out[0].data, vec![3.0, 2.0, 1.0, 7.0, 6.0, 5.0, 11.0, 10.0, 9.0]);
    assert_eq!(out[1].data, vec![3.0, 2.0, 1.0, 3.0, 2.0, 1.0, 3.0, 2.0, 1.0]);
    let e = model(
        &[("x", &[3, 4])],
        &[("k", &[1], &[5.0], true)],
        "TopK",
        &["x", "k"],
        &["v", "i"],
        vec![],
        11,
    )
    .unwrap_err();
    assert!(e.contains("my_topk") && e.contains("k = 5"), "{e}");
}

#[test]
fn lstm_with_defaults_matches_the_recurrence_by_hand() {
    // hidden 1, input 1, weights all 0.5 (W, R: [1, 4, 1]), x = [1, 2] over two steps.
    let g = model(
        &[("X", &[2, 1, 1])],
        &[("W", &[1, 4, 1], &[0.5; 4], false), ("R", &[1, 4, 1], &[0.5; 4], false)],
        "LSTM",
        &["X", "W", "R"],
        &["Y", "Y_h", "Y_c"],
        vec![attr_i("hidden_size", 1)],
        14,
    )
    .unwrap();
    let out = g.run(&[t(&[2, 1, 1], &[1.0, 2.0])]).unwrap();
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    let (mut h, mut c) = (0.0f64, 0.0f64);
    let mut ys = vec![];
    for x in [1.0, 2.0] {
        let pre = 0.5 * x + 0.5 * h;
        c = sig(pre) * c + sig(pre) * pre.tanh();
        h = sig(pre) * c.tanh();
        ys.push(h);
    }
    close(&out[0].data, &ys);
    close(&out[1].data, &[h]);
    close(&out[2].data, &[c]);
    assert_eq!(out[0].shape, vec![2, 1, 1, 1]);
    let e = model(
        &[("X", &[2, 1, 1])],
        &[("W", &[1, 4, 1], &[0.5; 4], false), ("R", &[1, 4, 1], &[0.5; 4], false)],
        "LSTM",
        &["X", "W", "R"],
        &["Y"],
        vec![attr_s("direction", "sideways")],
        14,
    )
    .unwrap_err();
    assert!(e.contains("my_lstm") && e.contains("sideways"), "{e}");
}

#[test]
fn space_to_depth_and_depth_to_space_in_both_modes() {
    // x [1, 2, 2, 2] = 0..8 in blocks of 2: CRD keeps each channel's block together, DCR
    // interleaves the channels per block position.
    let x = t(&[1, 2, 2, 2], &(0..8).map(f64::from).collect::<Vec<_>>());
    for (mode, want) in [
        ("CRD", vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
        ("DCR", vec![0.0, 4.0, 1.0, 5.0, 2.0, 6.0, 3.0, 7.0]),
    ] {
        let g = model(
            &[("x", &[1, 2, 2, 2])],
            &[],
            "SpaceToDepth",
            &["x"],
            &["y"],
            vec![attr_i("blocksize", 2), attr_s("mode", mode)],
            24,
        )
        .unwrap();
        let y = g.run(std::slice::from_ref(&x)).unwrap().remove(0);
        assert_eq!((&y.shape, &y.data), (&vec![1, 8, 1, 1], &want), "{mode}");
        let g = model(
            &[("y", &[1, 8, 1, 1])],
            &[],
            "DepthToSpace",
            &["y"],
            &["x"],
            vec![attr_i("blocksize", 2), attr_s("mode", mode)],
            13,
        )
        .unwrap();
        assert_eq!(g.run(&[y]).unwrap()[0], x, "{mode}");
    }
}

#[test]
fn affine_grid_maps_the_normalized_base_grid() {
    // theta = [[1, 0, 0.25], [0, 2, 0]] on a 2×2 output: x' = x + 0.25, y' = 2y, with the
    // pixel centres at ±0.5 (align_corners 0) or the corners at ±1 (align_corners 1).
    let theta = t(&[1, 2, 3], &[1.0, 0.0, 0.25, 0.0, 2.0, 0.0]);
    for (align, want) in [
        (0, vec![-0.25, -1.0, 0.75, -1.0, -0.25, 1.0, 0.75, 1.0]),
        (1, vec![-0.75, -2.0, 1.25, -2.0, -0.75, 2.0, 1.25, 2.0]),
    ] {
        let g = model(
            &[("theta", &[1, 2, 3])],
            &[("size", &[4], &[1.0, 1.0, 2.0, 2.0], true)],
            "AffineGrid",
            &["theta", "size"],
            &["grid"],
            vec![attr_i("align_corners", align)],
            20,
        )
        .unwrap();
        assert!(has_circuit(&g));
        let y = &g.run(std::slice::from_ref(&theta)).unwrap()[0];
        assert_eq!(y.shape, vec![1, 2, 2, 2]);
        close(&y.data, &want);
    }
    let e = model(
        &[("theta", &[1, 2, 3])],
        &[("size", &[3], &[1.0, 1.0, 2.0], true)],
        "AffineGrid",
        &["theta", "size"],
        &["grid"],
        vec![],
        20,
    )
    .unwrap_err();
    assert!(e.contains("my_affinegrid"), "{e}");
}

#[test]
fn compress_and_center_crop_pad_with_constant_operands() {
    // compress_0: condition [0, 1, 1] on axis 0 of [[1, 2], [3, 4], [5, 6]].
    let x = t(&[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let g = model(
        &[("x", &[3, 2])],
        &[("c", &[3], &[0.0, 1.0, 1.0], true)],
        "Compress",
        &["x", "c"],
        &["y"],
        vec![attr_i("axis", 0)],
        11,
    )
    .unwrap();
    assert!(has_circuit(&g));
    assert_eq!(
        g.run(std::slice::from_ref(&x)).unwrap()[0].data,
        vec![3.0, 4.0, 5.0, 6.0]
    );
    // Without an axis the input is flattened; a shorter condition leaves the rest out.
    let g = model(
        &[("x", &[3, 2])],
        &[("c", &[5], &[0.0, 1.0, 0.0, 0.0, 1.0], true)],
        "Compress",
        &["x", "c"],
        &["y"],
        vec![],
        11,
    )
    .unwrap();
    assert_eq!(g.run(std::slice::from_ref(&x)).unwrap()[0].data, vec![2.0, 5.0]);
    let e = model(
        &[("x", &[3, 2])],
        &[("c", &[2], &[0.0, 0.0], true)],
        "Compress",
        &["x", "c"],
        &["y"],
        vec![],
        11,
    )
    .unwrap_err();
    assert!(e.contains("my_compress") && e.contains("nothing"), "{e}");
    // CenterCropPad: [0..5] cropped to 3 keeps [1, 2, 3]; [7, 8] padded to 5 is [0, 7, 8, 0, 0].
    let g = model(
        &[("x", &[1, 5])],
        &[("s", &[1], &[3.0], true)],
        "CenterCropPad",
        &["x", "s"],
        &["y"],
        vec![attr_is("axes", &[-1])],
        18,
    )
    .unwrap();
    assert_eq!(
        g.run(&[t(&[1, 5], &[0.0, 1.0, 2.0, 3.0, 4.0])]).unwrap()[0].data,
        vec![1.0, 2.0, 3.0]
    );
    let g = model(
        &[("x", &[1, 2])],
        &[("s", &[2], &[1.0, 5.0], true)],
        "CenterCropPad",
        &["x", "s"],
        &["y"],
        vec![],
        18,
    )
    .unwrap();
    assert!(has_circuit(&g));
    assert_eq!(
        g.run(&[t(&[1, 2], &[7.0, 8.0])]).unwrap()[0].data,
        vec![0.0, 7.0, 8.0, 0.0, 0.0]
    );
}

#[test]
fn col2im_adds_overlapping_blocks_back_into_the_image() {
    // A 1×3 image from 2-wide blocks at stride 1 (two blocks): columns [[a, b], [c, d]] (kernel
    // offset × block) put a at 0, b at 1 (block 1, offset 0), c at 1, d at 2 → [a, b + c, d].
    let g = model(
        &[("x", &[1, 2, 2])],
        &[("img", &[2], &[1.0, 3.0], true), ("blk", &[2], &[1.0, 2.0], true)],
        "Col2Im",
        &["x", "img", "blk"],
        &["y"],
        vec![],
        18,
    )
    .unwrap();
    assert!(has_circuit(&g));
    let y = &g.run(&[t(&[1, 2, 2], &[1.0, 2.0, 10.0, 20.0])]).unwrap()[0];
    assert_eq!((&y.shape, &y.data), (&vec![1, 1, 1, 3], &vec![1.0, 12.0, 20.0]));
    // Padding drops what lands outside: pads [0, 1, 0, 1] on a 1×2 image, 1×2 blocks → 3 blocks.
    let g = model(
        &[("x", &[1, 2, 3])],
        &[("img", &[2], &[1.0, 2.0], true), ("blk", &[2], &[1.0, 2.0], true)],
        "Col2Im",
        &["x", "img", "blk"],
        &["y"],
        vec![attr_is("pads", &[0, 1, 0, 1])],
        18,
    )
    .unwrap();
    // Block b covers columns b-1 and b; offset 0 row [1, 2, 3], offset 1 row [4, 5, 6].
    // Column 0: offset 0 of block 1 (2) + offset 1 of block 0 (4); column 1: 3 + 5.
    let y = &g.run(&[t(&[1, 2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])]).unwrap()[0];
    assert_eq!(y.data, vec![6.0, 8.0]);
    let e = model(
        &[("x", &[1, 2, 5])],
        &[("img", &[2], &[1.0, 3.0], true), ("blk", &[2], &[1.0, 2.0], true)],
        "Col2Im",
        &["x", "img", "blk"],
        &["y"],
        vec![],
        18,
    )
    .unwrap_err();
    assert!(e.contains("my_col2im") && e.contains("sliding blocks"), "{e}");
}

#[test]
fn max_unpool_and_one_hot() {
    // maxunpool_export_without_output_shape: X [[5, 6], [7, 8]] at flat indices [5, 7, 13, 15]
    // of a 4×4 output.
    let g = model(
        &[("x", &[1, 1, 2, 2])],
        &[("i", &[1, 1, 2, 2], &[5.0, 7.0, 13.0, 15.0], true)],
        "MaxUnpool",
        &["x", "i"],
        &["y"],
        vec![attr_is("kernel_shape", &[2, 2]), attr_is("strides", &[2, 2])],
        11,
    )
    .unwrap();
    assert!(has_circuit(&g));
    let y = &g.run(&[t(&[1, 1, 2, 2], &[5.0, 6.0, 7.0, 8.0])]).unwrap()[0];
    let mut want = vec![0.0; 16];
    (want[5], want[7], want[13], want[15]) = (5.0, 6.0, 7.0, 8.0);
    assert_eq!((&y.shape, &y.data), (&vec![1, 1, 4, 4], &want));
    // With output_shape [1, 1, 5, 5] the 4×4 result sits at the top left, zeros after it.
    let g = model(
        &[("x", &[1, 1, 2, 2])],
        &[
            ("i", &[1, 1, 2, 2], &[5.0, 7.0, 13.0, 15.0], true),
            ("s", &[4], &[1.0, 1.0, 5.0, 5.0], true),
        ],
        "MaxUnpool",
        &["x", "i", "s"],
        &["y"],
        vec![attr_is("kernel_shape", &[2, 2]), attr_is("strides", &[2, 2])],
        11,
    )
    .unwrap();
    let y = &g.run(&[t(&[1, 1, 2, 2], &[5.0, 6.0, 7.0, 8.0])]).unwrap()[0];
    let want5: Vec<f64> = (0..25)
        .map(|k| {
            if k % 5 < 4 && k / 5 < 4 {
                want[k / 5 * 4 + k % 5]
            } else {
                0.0
            }
        })
        .collect();
    assert_eq!((&y.shape, &y.data), (&vec![1, 1, 5, 5], &want5));
    // OneHot with constant indices [0, 2, -1], depth 3, values [off, on] = [-1, 4].
    let g = model(
        &[],
        &[
            ("i", &[3], &[0.0, 2.0, -1.0], true),
            ("depth", &[1], &[3.0], false),
            ("v", &[2], &[-1.0, 4.0], false),
        ],
        "OneHot",
        &["i", "depth", "v"],
        &["y"],
        vec![],
        11,
    )
    .unwrap();
    assert!(has_circuit(&g));
    let y = &g.run(&[]).unwrap()[0];
    assert_eq!(y.data, vec![4.0, -1.0, -1.0, -1.0, -1.0, 4.0, -1.0, -1.0, 4.0]);
    // The same with the indices given at run time.
    let g = model(
        &[("i", &[3])],
        &[("depth", &[1], &[3.0], false), ("v", &[2], &[-1.0, 4.0], false)],
        "OneHot",
        &["i", "depth", "v"],
        &["y"],
        vec![int_axis(0)],
        11,
    )
    .unwrap();
    // With axis 0 the depth comes first: row d marks the indices equal to d.
    let y = &g.run(&[t(&[3], &[0.0, 2.0, -1.0])]).unwrap()[0];
    assert_eq!(y.data, vec![4.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, 4.0, 4.0]);
}

fn int_axis(v: i64) -> AttributeProto {
    attr_i("axis", v)
}
