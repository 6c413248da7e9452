//! Elementwise unary functions. In the circuit, the nonlinear ones become lookup tables
//! over their proven input range, so each one only needs a float definition here.

use serde::{Deserialize, Serialize};

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
            Activation::Softplus => {
                // ln(1 + e^x) without overflow for large x.
                if x > 30.0 {
                    x
                } else {
                    x.exp().ln_1p()
                }
            }
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
            Activation::Clip { min, max } => x.max(min).min(max),
            Activation::HardSigmoid { alpha, beta } => (alpha * x + beta).clamp(0.0, 1.0),
            Activation::HardSwish => x * (x / 6.0 + 0.5).clamp(0.0, 1.0),
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
}
