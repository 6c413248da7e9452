//! ONNX RNN, GRU and LSTM (float only): one recurrence per direction over the sequence, one
//! IR op per ONNX output (Y, Y_h or Y_c). With `H` the hidden size, `xₜ` the input at step t
//! and the per-gate slices of W, R, Wb, Rb (gate order as ONNX: GRU z, r, h; LSTM i, o, f, c):
//!
//! - RNN:  `hₜ = f(W·xₜ + R·hₜ₋₁ + Wb + Rb)`
//! - GRU:  `z = f(..z)`, `r = f(..r)`, `n = g(W_h·xₜ + Wb_h + R_h·(r ⊙ hₜ₋₁) + Rb_h)` (or
//!   `r ⊙ (R_h·hₜ₋₁ + Rb_h)` with `linear_before_reset`), `hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁`
//! - LSTM: `i = f(..i + Pi ⊙ cₜ₋₁)`, `f = f(..f + Pf ⊙ cₜ₋₁)` (`1 − i` with `input_forget`),
//!   `c̃ = g(..c)`, `cₜ = f ⊙ cₜ₋₁ + i ⊙ c̃`, `o = f(..o + Po ⊙ cₜ)`, `hₜ = o ⊙ h(cₜ)`
//!
//! `clip` bounds every gate's input before its activation. A batch entry with
//! `sequence_lens[b] < seq` stops there: its later Y rows are 0 and Y_h/Y_c hold its last
//! state; the reverse direction starts at its last valid step.

use serde::{Deserialize, Serialize};

use super::{Activation, OpError, OpResult};
use crate::tensor::Tensor;

/// Which recurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RnnKind {
    /// Plain RNN (one gate).
    Rnn,
    /// GRU (three gates).
    Gru {
        /// Apply the reset gate after the recurrent product.
        linear_before_reset: bool,
    },
    /// LSTM (four gates, a cell state, peepholes).
    Lstm {
        /// Couple the forget gate to the input gate: f = 1 − i.
        input_forget: bool,
    },
}

impl RnnKind {
    /// Gates per direction (the row blocks of W and R).
    pub fn gates(self) -> usize {
        match self {
            RnnKind::Rnn => 1,
            RnnKind::Gru { .. } => 3,
            RnnKind::Lstm { .. } => 4,
        }
    }

    /// Activation functions per direction.
    pub fn activations(self) -> usize {
        match self {
            RnnKind::Rnn => 1,
            RnnKind::Gru { .. } => 2,
            RnnKind::Lstm { .. } => 3,
        }
    }

    /// The ONNX op type.
    pub fn name(self) -> &'static str {
        match self {
            RnnKind::Rnn => "RNN",
            RnnKind::Gru { .. } => "GRU",
            RnnKind::Lstm { .. } => "LSTM",
        }
    }
}

/// Which ONNX output an [`RnnParams`] op gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RnnOutput {
    /// Every step's hidden state.
    Y,
    /// The last hidden state.
    Yh,
    /// The last cell state (LSTM).
    Yc,
}

/// An RNN activation: one of the elementwise activations, or the two only recurrences use.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum RnnActivation {
    /// An IR activation (Sigmoid, Tanh, Relu, LeakyRelu, ...).
    Act(Activation),
    /// `alpha·x + beta`.
    Affine {
        /// Slope.
        alpha: f64,
        /// Offset.
        beta: f64,
    },
    /// `alpha·tanh(beta·x)`.
    ScaledTanh {
        /// Outer scale.
        alpha: f64,
        /// Inner scale.
        beta: f64,
    },
}

impl RnnActivation {
    /// Applies the function.
    pub fn apply(&self, x: f64) -> f64 {
        match self {
            RnnActivation::Act(a) => a.apply(x),
            RnnActivation::Affine { alpha, beta } => alpha * x + beta,
            RnnActivation::ScaledTanh { alpha, beta } => alpha * (beta * x).tanh(),
        }
    }
}

/// Parameters of an RNN/GRU/LSTM op (ONNX attributes with defaults resolved). Inputs, all
/// present (the importer fills ONNX's defaults): X, W, R, B, sequence_lens, initial_h, and for
/// LSTM initial_c and P.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RnnParams {
    /// Which recurrence.
    pub kind: RnnKind,
    /// Two directions (forward, then reverse) or one.
    pub bidirectional: bool,
    /// The single direction runs backwards (with `bidirectional` false).
    pub reverse: bool,
    /// Hidden size H.
    pub hidden: usize,
    /// `kind.activations()` functions per direction, forward direction first.
    pub activations: Vec<RnnActivation>,
    /// Bound on every gate input, if any.
    pub clip: Option<f64>,
    /// ONNX layout 1: batch-first X, Y, initial and final states.
    pub batch_first: bool,
    /// Which output this op gives.
    pub output: RnnOutput,
}

struct Dims {
    seq: usize,
    batch: usize,
    input: usize,
    dirs: usize,
}

fn dims(p: &RnnParams, inputs: &[&[usize]]) -> OpResult<Dims> {
    let err = |m: String| Err(OpError::new(format!("{}: {m}", p.kind.name())));
    let want = if matches!(p.kind, RnnKind::Lstm { .. }) { 8 } else { 6 };
    if inputs.len() != want {
        return err(format!("takes {want} inputs, got {}", inputs.len()));
    }
    let x = inputs[0];
    if x.len() != 3 {
        return err(format!("X {x:?} must have rank 3"));
    }
    let (seq, batch, input) = if p.batch_first {
        (x[1], x[0], x[2])
    } else {
        (x[0], x[1], x[2])
    };
    let dirs = if p.bidirectional { 2 } else { 1 };
    let (h, g) = (p.hidden, p.kind.gates());
    let state = if p.batch_first {
        vec![batch, dirs, h]
    } else {
        vec![dirs, batch, h]
    };
    let mut expect: Vec<(&str, Vec<usize>)> = vec![
        ("W", vec![dirs, g * h, input]),
        ("R", vec![dirs, g * h, h]),
        ("B", vec![dirs, 2 * g * h]),
        ("sequence_lens", vec![batch]),
        ("initial_h", state.clone()),
    ];
    if want == 8 {
        expect.push(("initial_c", state));
        expect.push(("P", vec![dirs, 3 * h]));
    }
    for (i, (name, s)) in expect.iter().enumerate() {
        if inputs[i + 1] != s.as_slice() {
            return err(format!("{name} has shape {:?}, expected {s:?}", inputs[i + 1]));
        }
    }
    if p.activations.len() != dirs * p.kind.activations() {
        return err(format!(
            "needs {} activation functions, got {}",
            dirs * p.kind.activations(),
            p.activations.len()
        ));
    }
    Ok(Dims {
        seq,
        batch,
        input,
        dirs,
    })
}

/// The shape of the chosen output: Y `[seq, dirs, batch, H]` (`[batch, seq, dirs, H]` batch
/// first), Y_h and Y_c `[dirs, batch, H]` (`[batch, dirs, H]`).
pub fn shape(p: &RnnParams, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
    let d = dims(p, inputs)?;
    if p.output == RnnOutput::Yc && !matches!(p.kind, RnnKind::Lstm { .. }) {
        return Err(OpError::new(format!("{} has no Y_c output", p.kind.name())));
    }
    Ok(match (p.output, p.batch_first) {
        (RnnOutput::Y, false) => vec![d.seq, d.dirs, d.batch, p.hidden],
        (RnnOutput::Y, true) => vec![d.batch, d.seq, d.dirs, p.hidden],
        (_, false) => vec![d.dirs, d.batch, p.hidden],
        (_, true) => vec![d.batch, d.dirs, p.hidden],
    })
}

/// Evaluates the recurrence and returns the chosen output.
pub fn eval(p: &RnnParams, ins: &[&Tensor], out_shape: &[usize]) -> OpResult<Tensor> {
    let shapes: Vec<&[usize]> = ins.iter().map(|t| t.shape.as_slice()).collect();
    let Dims {
        seq,
        batch,
        input,
        dirs,
    } = dims(p, &shapes)?;
    let (h, g, na) = (p.hidden, p.kind.gates(), p.kind.activations());
    let lstm = matches!(p.kind, RnnKind::Lstm { .. });
    let (x, w, r, b, lens) = (ins[0], ins[1], ins[2], ins[3], ins[4]);
    let xat = |t: usize, bi: usize| {
        let o = if p.batch_first {
            (bi * seq + t) * input
        } else {
            (t * batch + bi) * input
        };
        &x.data[o..o + input]
    };
    // State offsets of (direction, batch) in initial_h/c and Y_h/Y_c.
    let sat = |d: usize, bi: usize| {
        if p.batch_first {
            (bi * dirs + d) * h
        } else {
            (d * batch + bi) * h
        }
    };
    let mut y = vec![0.0; seq * dirs * batch * h];
    let mut yh = vec![0.0; dirs * batch * h];
    let mut yc = vec![0.0; dirs * batch * h];
    let clip = |v: f64| match p.clip {
        Some(c) => v.clamp(-c, c),
        None => v,
    };
    for d in 0..dirs {
        let reverse = if p.bidirectional { d == 1 } else { p.reverse };
        let acts = &p.activations[d * na..(d + 1) * na];
        let w = &w.data[d * g * h * input..(d + 1) * g * h * input];
        let r = &r.data[d * g * h * h..(d + 1) * g * h * h];
        let (wb, rb) = (
            &b.data[d * 2 * g * h..d * 2 * g * h + g * h],
            &b.data[d * 2 * g * h + g * h..(d + 1) * 2 * g * h],
        );
        let peep = if lstm {
            &ins[7].data[d * 3 * h..(d + 1) * 3 * h]
        } else {
            &[][..]
        };
        // Row k of a [rows, n] matrix dotted with v.
        let dot = |m: &[f64], k: usize, v: &[f64]| -> f64 {
            m[k * v.len()..(k + 1) * v.len()]
                .iter()
                .zip(v)
                .map(|(a, b)| a * b)
                .sum()
        };
        for bi in 0..batch {
            let len = lens.data[bi];
            if !(len >= 0.0 && len <= seq as f64 && len.fract() == 0.0) {
                return Err(OpError::new(format!(
                    "{}: sequence_lens[{bi}] = {len} must be an integer in 0..={seq}",
                    p.kind.name()
                )));
            }
            let len = len as usize;
            let mut hs = ins[5].data[sat(d, bi)..sat(d, bi) + h].to_vec();
            let mut cs = if lstm {
                ins[6].data[sat(d, bi)..sat(d, bi) + h].to_vec()
            } else {
                vec![]
            };
            for step in 0..len {
                let t = if reverse { len - 1 - step } else { step };
                let xt = xat(t, bi);
                // Gate k's input for hidden unit j, without the recurrent term.
                let xin = |k: usize, j: usize| dot(w, k * h + j, xt) + wb[k * h + j];
                let rin = |k: usize, j: usize, v: &[f64]| dot(r, k * h + j, v) + rb[k * h + j];
                let new_h: Vec<f64> = match p.kind {
                    RnnKind::Rnn => (0..h)
                        .map(|j| acts[0].apply(clip(xin(0, j) + rin(0, j, &hs))))
                        .collect(),
                    RnnKind::Gru { linear_before_reset } => {
                        let z: Vec<f64> = (0..h)
                            .map(|j| acts[0].apply(clip(xin(0, j) + rin(0, j, &hs))))
                            .collect();
                        let rg: Vec<f64> = (0..h)
                            .map(|j| acts[0].apply(clip(xin(1, j) + rin(1, j, &hs))))
                            .collect();
                        let rh: Vec<f64> = hs.iter().zip(&rg).map(|(a, b)| a * b).collect();
                        (0..h)
                            .map(|j| {
                                let rec = if linear_before_reset {
                                    rg[j] * rin(2, j, &hs)
                                } else {
                                    rin(2, j, &rh)
                                };
                                let n = acts[1].apply(clip(xin(2, j) + rec));
                                (1.0 - z[j]) * n + z[j] * hs[j]
                            })
                            .collect()
                    }
                    RnnKind::Lstm { input_forget } => {
                        let mut nh = vec![0.0; h];
                        let mut nc = vec![0.0; h];
                        for j in 0..h {
                            let pre = |k: usize| xin(k, j) + rin(k, j, &hs);
                            let i = acts[0].apply(clip(pre(0) + peep[j] * cs[j]));
                            let f = if input_forget {
                                1.0 - i
                            } else {
                                acts[0].apply(clip(pre(2) + peep[2 * h + j] * cs[j]))
                            };
                            let cc = acts[1].apply(clip(pre(3)));
                            nc[j] = f * cs[j] + i * cc;
                            let o = acts[0].apply(clip(pre(1) + peep[h + j] * nc[j]));
                            nh[j] = o * acts[2].apply(nc[j]);
                        }
                        cs = nc;
                        nh
                    }
                };
                hs = new_h;
                let yo = if p.batch_first {
                    ((bi * seq + t) * dirs + d) * h
                } else {
                    ((t * dirs + d) * batch + bi) * h
                };
                y[yo..yo + h].copy_from_slice(&hs);
            }
            yh[sat(d, bi)..sat(d, bi) + h].copy_from_slice(&hs);
            if lstm {
                yc[sat(d, bi)..sat(d, bi) + h].copy_from_slice(&cs);
            }
        }
    }
    let data = match p.output {
        RnnOutput::Y => y,
        RnnOutput::Yh => yh,
        RnnOutput::Yc => yc,
    };
    Ok(Tensor::new(out_shape.to_vec(), data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(kind: RnnKind, output: RnnOutput, acts: Vec<RnnActivation>) -> RnnParams {
        RnnParams {
            kind,
            bidirectional: false,
            reverse: false,
            hidden: 1,
            activations: acts,
            clip: None,
            batch_first: false,
            output,
        }
    }

    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        assert!(a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12), "{a:?} != {b:?}");
    }

    fn run(p: &RnnParams, ins: &[Tensor]) -> Tensor {
        let refs: Vec<&Tensor> = ins.iter().collect();
        let shapes: Vec<&[usize]> = ins.iter().map(|t| t.shape.as_slice()).collect();
        let s = shape(p, &shapes).unwrap();
        eval(p, &refs, &s).unwrap()
    }

    #[test]
    fn rnn_steps_by_hand() {
        // One unit, one input, two steps: h1 = tanh(0.5·1 + 0.1 + 0.2), h2 = tanh(0.5·2 + 2·h1 + 0.3).
        let p = params(RnnKind::Rnn, RnnOutput::Y, vec![RnnActivation::Act(Activation::Tanh)]);
        let ins = [
            Tensor::new(vec![2, 1, 1], vec![1.0, 2.0]),
            Tensor::new(vec![1, 1, 1], vec![0.5]),
            Tensor::new(vec![1, 1, 1], vec![2.0]),
            Tensor::new(vec![1, 2], vec![0.1, 0.2]),
            Tensor::new(vec![1], vec![2.0]),
            Tensor::new(vec![1, 1, 1], vec![0.0]),
        ];
        let h1 = 0.8f64.tanh();
        let h2 = (1.0 + 2.0 * h1 + 0.3f64).tanh();
        close(&run(&p, &ins).data, &[h1, h2]);
        // Reverse: starts at the last step. A shorter sequence leaves zeros and an earlier Y_h.
        let mut pr = p.clone();
        pr.reverse = true;
        let g1 = (1.0f64 + 0.3).tanh();
        let g2 = (0.5 + 2.0 * g1 + 0.3f64).tanh();
        close(&run(&pr, &ins).data, &[g2, g1]);
        let mut short = ins.clone();
        short[4] = Tensor::new(vec![1], vec![1.0]);
        close(&run(&p, &short).data, &[h1, 0.0]);
        let mut ph = p.clone();
        ph.output = RnnOutput::Yh;
        close(&run(&ph, &short).data, &[h1]);
    }

    #[test]
    fn gru_and_lstm_one_step_by_hand() {
        let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
        let acts = vec![
            RnnActivation::Act(Activation::Sigmoid),
            RnnActivation::Act(Activation::Tanh),
            RnnActivation::Act(Activation::Tanh),
        ];
        // GRU, H = 1, input 1, x = 1, h0 = 0.5; W = [z, r, h] = [1, 2, 3]; R = [0.5, 0.25, 1].
        let gru = params(
            RnnKind::Gru {
                linear_before_reset: false,
            },
            RnnOutput::Yh,
            acts[..2].to_vec(),
        );
        let ins = [
            Tensor::new(vec![1, 1, 1], vec![1.0]),
            Tensor::new(vec![1, 3, 1], vec![1.0, 2.0, 3.0]),
            Tensor::new(vec![1, 3, 1], vec![0.5, 0.25, 1.0]),
            Tensor::new(vec![1, 6], vec![0.0; 6]),
            Tensor::new(vec![1], vec![1.0]),
            Tensor::new(vec![1, 1, 1], vec![0.5]),
        ];
        let z = sig(1.0 + 0.25);
        let r = sig(2.0 + 0.125);
        let n = (3.0 + r * 0.5f64).tanh();
        let want = (1.0 - z) * n + z * 0.5;
        assert!((run(&gru, &ins).data[0] - want).abs() < 1e-12);
        // LSTM, H = 1, x = 1, h0 = 0, c0 = 2; W = [i, o, f, c] = [1, 2, 3, 4]; P = [pi, po, pf].
        let lstm = params(RnnKind::Lstm { input_forget: false }, RnnOutput::Yc, acts.clone());
        let ins = [
            Tensor::new(vec![1, 1, 1], vec![1.0]),
            Tensor::new(vec![1, 4, 1], vec![1.0, 2.0, 3.0, 4.0]),
            Tensor::new(vec![1, 4, 1], vec![0.0; 4]),
            Tensor::new(vec![1, 8], vec![0.0; 8]),
            Tensor::new(vec![1], vec![1.0]),
            Tensor::new(vec![1, 1, 1], vec![0.0]),
            Tensor::new(vec![1, 1, 1], vec![2.0]),
            Tensor::new(vec![1, 3], vec![0.1, 0.2, 0.3]),
        ];
        let i = sig(1.0 + 0.1 * 2.0);
        let f = sig(3.0 + 0.3 * 2.0);
        let c = f * 2.0 + i * 4f64.tanh();
        let o = sig(2.0 + 0.2 * c);
        assert!((run(&lstm, &ins).data[0] - c).abs() < 1e-12);
        let mut ph = lstm.clone();
        ph.output = RnnOutput::Yh;
        assert!((run(&ph, &ins).data[0] - o * c.tanh()).abs() < 1e-12);
    }

    #[test]
    fn rejects_bad_shapes_and_lengths() {
        let p = params(RnnKind::Rnn, RnnOutput::Y, vec![RnnActivation::Act(Activation::Tanh)]);
        let s: Vec<Vec<usize>> = vec![
            vec![2, 1, 1],
            vec![1, 1, 2],
            vec![1, 1, 1],
            vec![1, 2],
            vec![1],
            vec![1, 1, 1],
        ];
        let refs: Vec<&[usize]> = s.iter().map(|v| v.as_slice()).collect();
        assert!(shape(&p, &refs).is_err());
        let mut pc = p.clone();
        pc.output = RnnOutput::Yc;
        let s: Vec<Vec<usize>> = vec![
            vec![2, 1, 1],
            vec![1, 1, 1],
            vec![1, 1, 1],
            vec![1, 2],
            vec![1],
            vec![1, 1, 1],
        ];
        let refs: Vec<&[usize]> = s.iter().map(|v| v.as_slice()).collect();
        assert!(shape(&pc, &refs).is_err());
        let ins = [
            Tensor::new(vec![2, 1, 1], vec![1.0, 2.0]),
            Tensor::new(vec![1, 1, 1], vec![0.5]),
            Tensor::new(vec![1, 1, 1], vec![2.0]),
            Tensor::new(vec![1, 2], vec![0.1, 0.2]),
            Tensor::new(vec![1], vec![3.0]),
            Tensor::new(vec![1, 1, 1], vec![0.0]),
        ];
        let refs: Vec<&Tensor> = ins.iter().collect();
        assert!(eval(&p, &refs, &[2, 1, 1, 1]).is_err());
    }
}
