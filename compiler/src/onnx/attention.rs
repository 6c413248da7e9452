//! ONNX Attention (opset 23), expanded at import into IR ops that have circuits:
//!
//! ```text
//! K' = Concat(past_key, K), V' = Concat(past_value, V)     (present_key, present_value)
//! S  = softcap·tanh((Q·K'ᵀ·scale) / softcap) + bias       (softcap optional)
//! Y  = Softmax(S)·V'
//! ```
//!
//! 3-D inputs `[B, S, H·D]` are split into heads (Reshape + Transpose) and merged back; with
//! fewer K/V heads than Q heads (GQA) each K/V head serves `Hq / Hkv` consecutive Q heads
//! (a Gather of the heads). The bias is the additive float mask, or a boolean mask as 0 where
//! true and [`MASKED`] where false, plus the causal mask, which is a constant: masked
//! positions get [`MASKED`] instead of -∞ so the bias quantizes (its exponential is 0 either
//! way). The causal frontier and the sliding window are constants, so a query row they mask
//! entirely is known at import and zeroed, as ONNX does; a row that a run-time mask masks
//! entirely averages V uniformly where ONNX gives 0.

use onnx_protobuf::NodeProto;
use zkc_ir::{Activation, BinaryOp, Op, Tensor, ValueId};

use super::nodes::Context;
use super::proto::Attrs;

type R<T> = Result<T, String>;

/// The bias of a masked position: far enough below any score that its softmax weight is 0 in
/// float and in fixed point, yet finite.
pub(super) const MASKED: f64 = -1e4;

impl Context {
    /// Imports one ONNX Attention node.
    pub(super) fn attention_node(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let op = "Attention";
        let (q, k, v) = (self.req(node, 0)?, self.req(node, 1)?, self.req(node, 2)?);
        let (qs, ks, vs) = (self.shape(q), self.shape(k), self.shape(v));
        if node.input.get(6).is_some_and(|s| !s.is_empty()) {
            return Err("nonpad_kv_seqlen (input 6) is not supported".into());
        }
        let rank = qs.len();
        if ks.len() != rank || vs.len() != rank || !(rank == 3 || rank == 4) {
            return Err(format!(
                "Q {qs:?}, K {ks:?} and V {vs:?} must all be 3-D [B, S, hidden] or 4-D [B, heads, S, head size]"
            ));
        }
        let t = |x: ValueId, this: &mut Self, tag: &str, perm: Vec<usize>| {
            this.emit(
                &format!("{name}_{tag}"),
                op,
                Op::Transpose { perm },
                vec![x],
                &format!("{out}_{tag}"),
            )
        };
        // To [B, heads, S, head size].
        let (q4, k4, v4) = if rank == 3 {
            let hq = a.int("q_num_heads").ok_or("q_num_heads is required for 3-D inputs")? as usize;
            let hkv = a.int("kv_num_heads").ok_or("kv_num_heads is required for 3-D inputs")? as usize;
            let mut split = |x: ValueId, s: &[usize], h: usize, tag: &str| -> R<ValueId> {
                if h == 0 || !s[2].is_multiple_of(h) {
                    return Err(format!("{tag} hidden size {} is not divisible by {h} heads", s[2]));
                }
                let r = self.emit(
                    &format!("{name}_{tag}_heads"),
                    op,
                    Op::Reshape {
                        shape: vec![s[0], s[1], h, s[2] / h],
                    },
                    vec![x],
                    &format!("{out}_{tag}_heads"),
                )?;
                t(r, self, &format!("{tag}_bhsd"), vec![0, 2, 1, 3])
            };
            (
                split(q, &qs, hq, "q")?,
                split(k, &ks, hkv, "k")?,
                split(v, &vs, hkv, "v")?,
            )
        } else {
            (q, k, v)
        };
        // The KV cache.
        let cat = |this: &mut Self, i: usize, x: ValueId, tag: &str| -> R<ValueId> {
            match this.input(node, i) {
                None => Ok(x),
                Some(p) => this.emit(
                    &format!("{name}_{tag}"),
                    op,
                    Op::Concat { axis: 2 },
                    vec![p, x],
                    &format!("{out}_{tag}"),
                ),
            }
        };
        let past_len = self.input(node, 4).map(|p| self.shape(p)[2]).unwrap_or(0);
        let kp = cat(self, 4, k4, "present_key")?;
        let vp = cat(self, 5, v4, "present_value")?;
        self.bind(node, 1, kp);
        self.bind(node, 2, vp);
        let (q4s, k4s, v4s) = (self.shape(q4), self.shape(kp), self.shape(vp));
        let (b, hq, sq, d) = (q4s[0], q4s[1], q4s[2], q4s[3]);
        let (hkv, skv) = (k4s[1], k4s[2]);
        if hkv == 0 || !hq.is_multiple_of(hkv) || v4s[1] != hkv || k4s[3] != d || v4s[2] != skv {
            return Err(format!(
                "heads do not line up: Q {q4s:?}, K {k4s:?}, V {v4s:?} (as [B, heads, S, head size]); Q heads must be a multiple of K/V heads"
            ));
        }
        // GQA: repeat each K/V head over its group of Q heads.
        let (kr, vr) = if hkv != hq {
            let reps = hq / hkv;
            let idx: Vec<f64> = (0..hq).map(|h| (h / reps) as f64).collect();
            let idx = self
                .g
                .add_constant(&format!("{name}_kv_heads"), Tensor::new(vec![hq], idx));
            let kr = self.emit(
                &format!("{name}_k_repeat"),
                op,
                Op::Gather { axis: 1 },
                vec![kp, idx],
                &format!("{out}_k_repeat"),
            )?;
            let vr = self.emit(
                &format!("{name}_v_repeat"),
                op,
                Op::Gather { axis: 1 },
                vec![vp, idx],
                &format!("{out}_v_repeat"),
            )?;
            (kr, vr)
        } else {
            (kp, vp)
        };
        let kt = t(kr, self, "k_t", vec![0, 1, 3, 2])?;
        let qk = self.emit(
            &format!("{name}_qk"),
            op,
            Op::MatMul,
            vec![q4, kt],
            &format!("{out}_qk"),
        )?;
        let scale = a.float("scale").unwrap_or(1.0 / (d as f64).sqrt());
        let mut scores = self.mul_const(&format!("{name}_scale"), op, qk, scale, &format!("{out}_scaled"))?;
        let softcap = a.float("softcap").unwrap_or(0.0);
        if softcap > 0.0 {
            let c = self.mul_const(
                &format!("{name}_softcap_in"),
                op,
                scores,
                1.0 / softcap,
                &format!("{out}_sc_in"),
            )?;
            let th = self.emit(
                &format!("{name}_softcap_tanh"),
                op,
                Op::Activation(Activation::Tanh),
                vec![c],
                &format!("{out}_sc_tanh"),
            )?;
            scores = self.mul_const(
                &format!("{name}_softcap"),
                op,
                th,
                softcap,
                &format!("{out}_softcapped"),
            )?;
        }
        let capped = scores;
        // The bias: the mask (padded to the KV length), then the causal frontier.
        let mut bias: Option<ValueId> = None;
        if let Some(m) = self.input(node, 3) {
            let ms = self.shape(m);
            let is_bool = node.input.get(3).and_then(|n| self.elem_types.get(n)) == Some(&9);
            let mut mb = if is_bool {
                // 0 where true, MASKED where false: (m - 1)·(-MASKED).
                let one = self.g.add_constant(&format!("{name}_one"), Tensor::scalar(1.0));
                let m1 = self.emit(
                    &format!("{name}_mask_sub"),
                    op,
                    Op::Binary(BinaryOp::Sub),
                    vec![m, one],
                    &format!("{out}_mask_m1"),
                )?;
                self.mul_const(
                    &format!("{name}_mask_bias"),
                    op,
                    m1,
                    -MASKED,
                    &format!("{out}_mask_bias"),
                )?
            } else {
                m
            };
            let last = *ms.last().ok_or("attn_mask must have at least one axis")?;
            if last < skv {
                let mut pads = vec![0; 2 * ms.len()];
                pads[2 * ms.len() - 1] = skv - last;
                mb = self.emit(
                    &format!("{name}_mask_pad"),
                    op,
                    Op::Pad {
                        pads,
                        mode: zkc_ir::ops::PadMode::Constant(MASKED),
                    },
                    vec![mb],
                    &format!("{out}_mask_padded"),
                )?;
            }
            bias = Some(mb);
        }
        // The causal frontier and the sliding window (opset 24's left/right_window_size) are
        // known at import: query i (at absolute position i + past length) attends key j.
        let causal = a.int("is_causal").unwrap_or(0) != 0;
        let (left, right) = (
            a.int("left_window_size").unwrap_or(-1),
            a.int("right_window_size").unwrap_or(-1),
        );
        let allowed = |i: usize, j: usize| {
            let diff = (i + past_len) as i64 - j as i64;
            (!causal || diff >= 0) && (left < 0 || diff <= left) && (right < 0 || -diff <= right)
        };
        let structural = causal || left >= 0 || right >= 0;
        if structural {
            let c: Vec<f64> = (0..sq)
                .flat_map(|i| (0..skv).map(move |j| if allowed(i, j) { 0.0 } else { MASKED }))
                .collect();
            let c = self
                .g
                .add_constant(&format!("{name}_causal"), Tensor::new(vec![sq, skv], c));
            bias = Some(match bias {
                None => c,
                Some(m) => self.emit(
                    &format!("{name}_mask_causal"),
                    op,
                    Op::Binary(BinaryOp::Add),
                    vec![m, c],
                    &format!("{out}_mask_causal"),
                )?,
            });
        }
        let biased = match bias {
            None => capped,
            Some(m) => self.emit(
                &format!("{name}_bias"),
                op,
                Op::Binary(BinaryOp::Add),
                vec![capped, m],
                &format!("{out}_biased"),
            )?,
        };
        let p = self.emit(
            &format!("{name}_softmax"),
            op,
            Op::Softmax {
                axis: 3,
                log: false,
                coerce_2d: false,
            },
            vec![biased],
            &format!("{out}_probs"),
        )?;
        // A query row the frontier masks entirely attends to nothing: ONNX gives it 0.
        let open: Vec<f64> = (0..sq)
            .map(|i| f64::from(u8::from((0..skv).any(|j| allowed(i, j)))))
            .collect();
        let p = if structural && open.contains(&0.0) {
            let rows = self
                .g
                .add_constant(&format!("{name}_open_rows"), Tensor::new(vec![sq, 1], open));
            self.emit(
                &format!("{name}_empty_rows"),
                op,
                Op::Binary(BinaryOp::Mul),
                vec![p, rows],
                &format!("{out}_probs_open"),
            )?
        } else {
            p
        };
        if node.output.get(3).is_some_and(|s| !s.is_empty()) {
            let mode = a.int("qk_matmul_output_mode").unwrap_or(0);
            let x = match mode {
                0 | 1 => capped,
                2 => biased,
                3 => p,
                m => return Err(format!("qk_matmul_output_mode = {m} is not valid (0..=3)")),
            };
            self.bind(node, 3, x);
        }
        let (pv_name, pv_out) = if rank == 4 {
            (name.to_string(), out.to_string())
        } else {
            (format!("{name}_pv"), format!("{out}_pv"))
        };
        let y4 = self.emit(&pv_name, op, Op::MatMul, vec![p, vr], &pv_out)?;
        if rank == 4 {
            return Ok(y4);
        }
        let yt = t(y4, self, "y_bshd", vec![0, 2, 1, 3])?;
        let dv = v4s[3];
        self.emit(
            name,
            op,
            Op::Reshape {
                shape: vec![b, sq, hq * dv],
            },
            vec![yt],
            out,
        )
    }

    /// `x · c` for a constant scalar `c` (the identity when `c = 1`).
    fn mul_const(&mut self, name: &str, op: &str, x: ValueId, c: f64, out: &str) -> R<ValueId> {
        if c == 1.0 {
            return Ok(x);
        }
        let k = self.g.add_constant(&format!("{name}_factor"), Tensor::scalar(c));
        self.emit(name, op, Op::Binary(BinaryOp::Mul), vec![x, k], out)
    }
}
