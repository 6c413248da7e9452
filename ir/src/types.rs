//! Element types of IR tensors: float before quantization, fixed point after it.

use serde::{Deserialize, Serialize};

/// The element type of a tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ElemType {
    /// Real numbers (the ONNX float semantics).
    #[default]
    Float,
    /// value = integer / 2^scale with |integer| < 2^bits.
    Fixed {
        /// Binary scale.
        scale: u32,
        /// Bits bounding the magnitude of the integer.
        bits: u32,
    },
}
