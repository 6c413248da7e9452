//! Elementwise unary functions. In the circuit, the nonlinear ones become lookup tables
//! over their proven input range, so each one only needs a float definition here.

use serde::{Deserialize, Serialize};

use super::MathFn;

/// An elementwise unary function with its constant parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Activation {
    /// max(x, 0).
    Relu,
    /// x < 0 ? alpha·x : x.
    LeakyRelu {
        /// Slope for negative x.
        alpha: f64,
    },
    /// x < 0 ? alpha·(eˣ - 1) : x.
    Elu {
        /// Scale of the negative branch.
        alpha: f64,
    },
    /// gamma·(x < 0 ? alpha·(eˣ - 1) : x).
    Selu {
        /// Scale of the negative branch.
        alpha: f64,
        /// Overall scale.
        gamma: f64,
    },
    /// 1 / (1 + e⁻ˣ).
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// ln(1 + eˣ).
    Softplus,
    /// x / (1 + |x|).
    Softsign,
    /// eˣ.
    Exp,
    /// Natural logarithm.
    Log,
    /// √x.
    Sqrt,
    /// |x|.
    Abs,
    /// -x.
    Neg,
    /// xᵉ for a constant exponent.
    Pow {
        /// The exponent.
        exponent: f64,
    },
    /// min(max(x, min), max).
    Clip {
        /// Lower bound (-inf when absent).
        min: f64,
        /// Upper bound (+inf when absent).
        max: f64,
    },
    /// max(0, min(1, alpha·x + beta)).
    HardSigmoid {
        /// Slope.
        alpha: f64,
        /// Offset.
        beta: f64,
    },
    /// x·max(0, min(1, x/6 + 1/2)) (ONNX HardSwish, opset 14).
    HardSwish,
    /// The error function erf(x) = 2/√π·∫₀ˣ e^(-t²) dt (ONNX Erf).
    Erf,
    /// x·Φ(x) (ONNX Gelu, opset 20): with `tanh`, the approximation
    /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); else exactly 0.5·x·(1 + erf(x/√2)).
    Gelu {
        /// ONNX `approximate = "tanh"`.
        tanh: bool,
    },
    /// x·σ(alpha·x) (ONNX Swish, opset 24; PyTorch's SiLU is alpha = 1).
    Swish {
        /// Coefficient of x inside the sigmoid.
        alpha: f64,
    },
    /// x·tanh(ln(1 + eˣ)) (ONNX Mish, opset 18).
    Mish,
    /// x > alpha ? x : 0 (ONNX ThresholdedRelu, opset 10).
    ThresholdedRelu {
        /// The threshold.
        alpha: f64,
    },
    /// ⌊x⌋ (ONNX Floor).
    Floor,
    /// ⌈x⌉ (ONNX Ceil).
    Ceil,
    /// x rounded to the nearest integer, halves to the even one (ONNX Round).
    Round,
    /// x rounded toward zero (ONNX Cast from a float type to an integer type).
    Trunc,
    /// 1/x (ONNX Reciprocal).
    Reciprocal,
    /// (bias + k·x)^(-beta): the factor ONNX LRN multiplies each input by, as a function of
    /// the sum x of the squares in its channel window (k = alpha/size). x is a sum of
    /// squares, so the lowering tabulates it over x ≥ 0 only.
    LrnFactor {
        /// alpha / size.
        k: f64,
        /// The bias added to the scaled sum.
        bias: f64,
        /// The exponent, negated.
        beta: f64,
    },
    /// Trigonometric and other elementwise math ([`MathFn`]).
    Math(MathFn),
}

impl Activation {
    /// The ONNX op name.
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Relu => "Relu",
            Activation::LeakyRelu { .. } => "LeakyRelu",
            Activation::Elu { .. } => "Elu",
            Activation::Selu { .. } => "Selu",
            Activation::Sigmoid => "Sigmoid",
            Activation::Tanh => "Tanh",
            Activation::Softplus => "Softplus",
            Activation::Softsign => "Softsign",
            Activation::Exp => "Exp",
            Activation::Log => "Log",
            Activation::Sqrt => "Sqrt",
            Activation::Abs => "Abs",
            Activation::Neg => "Neg",
            Activation::Pow { .. } => "Pow",
            Activation::Clip { .. } => "Clip",
            Activation::HardSigmoid { .. } => "HardSigmoid",
            Activation::HardSwish => "HardSwish",
            Activation::Erf => "Erf",
            Activation::Gelu { .. } => "Gelu",
            Activation::Swish { .. } => "Swish",
            Activation::Mish => "Mish",
            Activation::ThresholdedRelu { .. } => "ThresholdedRelu",
            Activation::Floor => "Floor",
            Activation::Ceil => "Ceil",
            Activation::Round => "Round",
            Activation::Trunc => "Trunc",
            Activation::Reciprocal => "Reciprocal",
            Activation::LrnFactor { .. } => "LrnFactor",
            Activation::Math(m) => m.name(),
        }
    }

    /// The function's value at `x`.
    pub fn apply(&self, x: f64) -> f64 {
        match *self {
            Activation::Relu => x.max(0.0),
            Activation::LeakyRelu { alpha } => {
                if x < 0.0 {
                    alpha * x
                } else {
                    x
                }
            }
            Activation::Elu { alpha } => {
                if x < 0.0 {
                    alpha * x.exp_m1()
                } else {
                    x
                }
            }
            Activation::Selu { alpha, gamma } => gamma * if x <= 0.0 { alpha * x.exp_m1() } else { x },
            Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Activation::Tanh => x.tanh(),
            Activation::Softplus => softplus(x),
            Activation::Softsign => x / (1.0 + x.abs()),
            Activation::Exp => x.exp(),
            Activation::Log => x.ln(),
            Activation::Sqrt => x.sqrt(),
            Activation::Abs => x.abs(),
            Activation::Neg => -x,
            Activation::Pow { exponent } => {
                if exponent == 2.0 {
                    x * x
                } else {
                    x.powf(exponent)
                }
            }
            // NaN stays NaN, as numpy.clip and ONNX do (f64::max would return `min`).
            Activation::Clip { min, max } => {
                if x.is_nan() {
                    x
                } else {
                    x.max(min).min(max)
                }
            }
            Activation::HardSigmoid { alpha, beta } => (alpha * x + beta).clamp(0.0, 1.0),
            Activation::HardSwish => x * (x / 6.0 + 0.5).clamp(0.0, 1.0),
            Activation::Erf => libm::erf(x),
            Activation::Gelu { tanh: false } => 0.5 * x * (1.0 + libm::erf(x * std::f64::consts::FRAC_1_SQRT_2)),
            Activation::Gelu { tanh: true } => {
                // √(2/π) = 2/√π · 1/√2.
                let c = std::f64::consts::FRAC_2_SQRT_PI * std::f64::consts::FRAC_1_SQRT_2;
                0.5 * x * (1.0 + (c * (x + 0.044715 * x * x * x)).tanh())
            }
            Activation::Swish { alpha } => x / (1.0 + (-alpha * x).exp()),
            Activation::Mish => x * softplus(x).tanh(),
            Activation::ThresholdedRelu { alpha } => {
                if x > alpha {
                    x
                } else {
                    0.0
                }
            }
            Activation::Floor => x.floor(),
            Activation::Ceil => x.ceil(),
            Activation::Round => x.round_ties_even(),
            Activation::Trunc => x.trunc(),
            Activation::Reciprocal => 1.0 / x,
            Activation::LrnFactor { k, bias, beta } => (bias + k * x).powf(-beta),
            Activation::Math(m) => m.apply(x),
        }
    }

    /// True for functions that are piecewise linear with integer-friendly slopes, which
    /// the lowering handles with comparisons instead of lookup tables.
    pub fn is_piecewise_linear(&self) -> bool {
        matches!(
            self,
            Activation::Relu | Activation::Abs | Activation::Neg | Activation::Clip { .. }
        )
    }
}

/// ln(1 + eˣ) without overflow for large x.
fn softplus(x: f64) -> f64 {
    if x > 30.0 {
        x
    } else {
        x.exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_their_definitions() {
        assert_eq!(Activation::Relu.apply(-2.0), 0.0);
        assert_eq!(Activation::LeakyRelu { alpha: 0.1 }.apply(-2.0), -0.2);
        assert!((Activation::Sigmoid.apply(0.0) - 0.5).abs() < 1e-15);
        assert!((Activation::Softplus.apply(0.0) - 2f64.ln()).abs() < 1e-15);
        assert_eq!(Activation::Softplus.apply(100.0), 100.0);
        assert_eq!(Activation::Softsign.apply(1.0), 0.5);
        assert!((Activation::Elu { alpha: 1.0 }.apply(-1.0) - (-1f64).exp_m1()).abs() < 1e-15);
        assert_eq!(Activation::Clip { min: -1.0, max: 1.0 }.apply(3.0), 1.0);
        assert!(Activation::Clip { min: -1.0, max: 1.0 }.apply(f64::NAN).is_nan());
        assert_eq!(Activation::Pow { exponent: 3.0 }.apply(2.0), 8.0);
        assert_eq!(Activation::HardSigmoid { alpha: 0.2, beta: 0.5 }.apply(10.0), 1.0);
    }

    #[test]
    fn hard_swish_is_zero_below_minus_3_identity_above_3_and_quadratic_between() {
        let h = |x| Activation::HardSwish.apply(x);
        assert_eq!(h(-4.0), 0.0);
        assert_eq!(h(-3.0), 0.0);
        assert_eq!(h(0.0), 0.0);
        assert_eq!(h(3.0), 3.0);
        assert_eq!(h(5.0), 5.0);
        // x·(x + 3)/6 in between.
        assert_eq!(h(1.5), 1.125);
        assert_eq!(h(-1.5), -0.375);
    }

    /// Agreement to 1e-12 with values computed independently (Python's `math` module,
    /// ONNX's node tests), not by restating the formula.
    fn close(got: f64, want: f64) {
        assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
    }

    #[test]
    fn erf_matches_its_tabulated_values_and_is_odd() {
        let e = |x| Activation::Erf.apply(x);
        assert_eq!(e(0.0), 0.0);
        close(e(0.5), 0.520_499_877_813_046_5);
        close(e(1.0), 0.842_700_792_949_714_9);
        close(e(-2.0), -0.995_322_265_018_952_7);
        close(e(3.0), 0.999_977_909_503_001_4);
        assert_eq!(e(-1.3), -e(1.3));
    }

    #[test]
    fn gelu_exact_and_tanh_forms_match_onnx_reference_outputs() {
        // onnx/backend/test/case/node/gelu.py takes x = [-1, 0, 1]; the values here are
        // from Python's math module (an independent libm), in double precision.
        let g = |tanh, x| Activation::Gelu { tanh }.apply(x);
        close(g(false, -1.0), -0.158_655_253_931_457_07);
        close(g(false, 1.0), 0.841_344_746_068_543);
        close(g(true, -1.0), -0.158_808_009_391_723_24);
        close(g(true, 1.0), 0.841_191_990_608_276_8);
        assert_eq!(g(false, 0.0), 0.0);
        // Φ(2) = 0.977249868051821: exact GELU(2) = 2·Φ(2).
        close(g(false, 2.0), 1.954_499_736_103_642);
        // Far out, GELU is the identity on the right and 0 on the left.
        assert_eq!(g(false, 40.0), 40.0);
        assert!(g(true, -40.0).abs() < 1e-300);
    }

    #[test]
    fn swish_is_x_times_sigmoid_of_alpha_x() {
        let s = |alpha, x| Activation::Swish { alpha }.apply(x);
        close(s(1.0, 1.0), 0.731_058_578_630_004_9); // σ(1)
        close(s(2.0, 1.0), 0.880_797_077_977_882_3); // σ(2)
        close(s(1.0, -1.0), -0.268_941_421_369_995_1); // -σ(-1)
        assert_eq!(s(1.0, 0.0), 0.0);
        close(s(0.0, 3.0), 1.5); // alpha 0: x/2
    }

    #[test]
    fn mish_matches_reference_values() {
        let m = |x| Activation::Mish.apply(x);
        // tanh(ln(1 + e)) · 1 and tanh(ln(1 + 1/e)) · -1.
        close(m(1.0), 0.865_098_388_267_310_3);
        close(m(-1.0), -0.303_401_461_374_108_95);
        assert_eq!(m(0.0), 0.0);
        assert_eq!(m(100.0), 100.0);
    }

    #[test]
    fn thresholded_relu_keeps_only_values_strictly_above_alpha() {
        // onnx/backend/test/case/node/thresholdedrelu.py, alpha = 2.
        let t = |x| Activation::ThresholdedRelu { alpha: 2.0 }.apply(x);
        let got: Vec<f64> = [-1.5, 0.0, 1.2, 2.0, 2.2].iter().map(|&x| t(x)).collect();
        assert_eq!(got, vec![0.0, 0.0, 0.0, 0.0, 2.2]);
        assert_eq!(Activation::ThresholdedRelu { alpha: -1.0 }.apply(-0.5), -0.5);
    }

    #[test]
    fn round_takes_halves_to_even_like_onnx() {
        // onnx/backend/test/case/node/round.py.
        let x = [
            0.1, 0.5, 0.9, 1.2, 1.5, 1.8, 2.3, 2.5, 2.7, -1.1, -1.5, -1.9, -2.2, -2.5, -2.8,
        ];
        let y = [
            0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 3.0, -1.0, -2.0, -2.0, -2.0, -2.0, -3.0,
        ];
        let got: Vec<f64> = x.iter().map(|&v| Activation::Round.apply(v)).collect();
        assert_eq!(got, y);
    }

    #[test]
    fn floor_and_ceil_round_toward_minus_and_plus_infinity() {
        let f = |x| Activation::Floor.apply(x);
        let c = |x| Activation::Ceil.apply(x);
        assert_eq!([f(-1.5), f(1.2), f(2.0), f(-0.0)], [-2.0, 1.0, 2.0, 0.0]);
        assert_eq!([c(-1.5), c(1.2), c(2.0), c(-0.2)], [-1.0, 2.0, 2.0, 0.0]);
    }

    #[test]
    fn trunc_rounds_toward_zero_on_both_sides() {
        let t = |x| Activation::Trunc.apply(x);
        assert_eq!(
            [t(-1.9), t(-1.0), t(-0.4), t(0.4), t(1.9), t(3.0)],
            [-1.0, -1.0, 0.0, 0.0, 1.0, 3.0]
        );
    }

    #[test]
    fn reciprocal_is_one_over_x_for_either_sign() {
        let r = |x| Activation::Reciprocal.apply(x);
        assert_eq!([r(-4.0), r(2.0), r(0.5), r(-0.125)], [-0.25, 0.5, 2.0, -8.0]);
        assert_eq!(r(0.0), f64::INFINITY);
    }

    #[test]
    fn lrn_factor_is_the_inverse_power_of_the_biased_scaled_sum() {
        let f = |k, bias, beta, x| Activation::LrnFactor { k, bias, beta }.apply(x);
        close(f(1.0, 1.0, 1.0, 5.0), 1.0 / 6.0);
        close(f(0.5, 2.0, 0.5, 14.0), 1.0 / 3.0); // (2 + 7)^-½
        close(f(1e-4 / 5.0, 1.0, 0.75, 0.0), 1.0);
        close(f(1.0, 1.0, 0.75, 15.0), 0.125); // 16^-¾
    }
}
