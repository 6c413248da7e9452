//! Comparisons and boolean logic with numpy broadcasting (ONNX Equal, Less, Greater,
//! LessOrEqual, GreaterOrEqual, And, Or, Xor). Tensors are f64, so a boolean is 0.0 or 1.0;
//! a logic operand is true when it is not 0 (ONNX's bool inputs are exactly 0/1, and this is
//! also what a Cast to bool means). A comparison with NaN is false, as in IEEE arithmetic.

use serde::{Deserialize, Serialize};

use super::binary::zip_broadcast;
use crate::tensor::Tensor;

/// A binary op whose result is 0 or 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogicOp {
    /// a = b.
    Equal,
    /// a < b.
    Less,
    /// a > b.
    Greater,
    /// a ≤ b.
    LessOrEqual,
    /// a ≥ b.
    GreaterOrEqual,
    /// a ≠ 0 and b ≠ 0.
    And,
    /// a ≠ 0 or b ≠ 0.
    Or,
    /// exactly one of a ≠ 0, b ≠ 0.
    Xor,
}

impl LogicOp {
    /// The ONNX op name.
    pub fn name(self) -> &'static str {
        match self {
            LogicOp::Equal => "Equal",
            LogicOp::Less => "Less",
            LogicOp::Greater => "Greater",
            LogicOp::LessOrEqual => "LessOrEqual",
            LogicOp::GreaterOrEqual => "GreaterOrEqual",
            LogicOp::And => "And",
            LogicOp::Or => "Or",
            LogicOp::Xor => "Xor",
        }
    }

    /// Applies the op to two scalars: 1.0 for true, 0.0 for false.
    pub fn apply(self, a: f64, b: f64) -> f64 {
        let (ta, tb) = (a != 0.0, b != 0.0);
        f64::from(match self {
            LogicOp::Equal => a == b,
            LogicOp::Less => a < b,
            LogicOp::Greater => a > b,
            LogicOp::LessOrEqual => a <= b,
            LogicOp::GreaterOrEqual => a >= b,
            LogicOp::And => ta && tb,
            LogicOp::Or => ta || tb,
            LogicOp::Xor => ta != tb,
        })
    }
}

/// Evaluates `a op b` with broadcasting to `out_shape` (from [`super::binary::broadcast_shape`]).
pub fn eval(op: LogicOp, a: &Tensor, b: &Tensor, out_shape: &[usize]) -> Tensor {
    zip_broadcast(a, b, out_shape, |x, y| op.apply(x, y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::binary::broadcast_shape;

    fn run(op: LogicOp, a: &Tensor, b: &Tensor) -> Vec<f64> {
        eval(op, a, b, &broadcast_shape(&a.shape, &b.shape).unwrap()).data
    }

    #[test]
    fn comparisons_elementwise_and_with_nan() {
        let a = Tensor::new(vec![5], vec![1.0, 2.0, 3.0, f64::NAN, -0.0]);
        let b = Tensor::new(vec![5], vec![2.0, 2.0, 2.0, f64::NAN, 0.0]);
        assert_eq!(run(LogicOp::Equal, &a, &b), [0., 1., 0., 0., 1.]);
        assert_eq!(run(LogicOp::Less, &a, &b), [1., 0., 0., 0., 0.]);
        assert_eq!(run(LogicOp::Greater, &a, &b), [0., 0., 1., 0., 0.]);
        assert_eq!(run(LogicOp::LessOrEqual, &a, &b), [1., 1., 0., 0., 1.]);
        assert_eq!(run(LogicOp::GreaterOrEqual, &a, &b), [0., 1., 1., 0., 1.]);
    }

    #[test]
    fn logic_truth_tables_with_broadcasting() {
        // A column of [0, 1] against a row of [0, 1]: the four combinations.
        let a = Tensor::new(vec![2, 1], vec![0.0, 1.0]);
        let b = Tensor::new(vec![2], vec![0.0, 1.0]);
        assert_eq!(run(LogicOp::And, &a, &b), [0., 0., 0., 1.]);
        assert_eq!(run(LogicOp::Or, &a, &b), [0., 1., 1., 1.]);
        assert_eq!(run(LogicOp::Xor, &a, &b), [0., 1., 1., 0.]);
        // Any nonzero value is true.
        assert_eq!(LogicOp::And.apply(-2.5, 0.1), 1.0);
        assert_eq!(LogicOp::Xor.apply(3.0, 0.0), 1.0);
        // A comparison broadcasts like any binary op: [2, 3] against a scalar.
        let m = Tensor::new(vec![2, 3], vec![-1.0, 0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(
            run(LogicOp::Greater, &m, &Tensor::scalar(1.0)),
            [0., 0., 0., 1., 1., 1.]
        );
    }
}
