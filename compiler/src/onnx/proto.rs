//! Decoding ONNX protobuf pieces (tensors, attributes, value shapes) into plain Rust values.

use onnx_protobuf::{tensor_proto::DataType, AttributeProto, NodeProto, TensorProto};
use zkc_ir::Tensor;

/// Converts an initializer or Constant tensor. Integer and float types become `f64`.
pub fn tensor(t: &TensorProto) -> Result<Tensor, String> {
    let shape: Vec<usize> = t
        .dims
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| format!("tensor `{}` has negative dimension {d}", t.name)))
        .collect::<Result<_, _>>()?;
    let n = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| format!("tensor `{}` is too large", t.name))?;
    let raw = &t.raw_data;
    let dt = DataType::from_i32_opt(t.data_type);
    let data: Vec<f64> = match dt {
        Some(DataType::FLOAT) => {
            if !raw.is_empty() {
                chunks(raw, 4, n, &t.name)?.map(|c| f32::from_le_bytes(c.try_into().unwrap()) as f64).collect()
            } else {
                t.float_data.iter().map(|&v| v as f64).collect()
            }
        }
        Some(DataType::DOUBLE) => {
            if !raw.is_empty() {
                chunks(raw, 8, n, &t.name)?.map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect()
            } else {
                t.double_data.clone()
            }
        }
        Some(DataType::INT64) => {
            if !raw.is_empty() {
                chunks(raw, 8, n, &t.name)?.map(|c| i64::from_le_bytes(c.try_into().unwrap()) as f64).collect()
            } else {
                t.int64_data.iter().map(|&v| v as f64).collect()
            }
        }
        // Half-precision values: their 16-bit patterns, raw or one per int32_data entry.
        Some(DataType::FLOAT16) | Some(DataType::BFLOAT16) => {
            let value = |bits: u16| match dt {
                Some(DataType::FLOAT16) => half::f16::from_bits(bits).to_f64(),
                _ => half::bf16::from_bits(bits).to_f64(),
            };
            if !raw.is_empty() {
                chunks(raw, 2, n, &t.name)?
                    .map(|c| value(u16::from_le_bytes(c.try_into().unwrap())))
                    .collect()
            } else {
                t.int32_data.iter().map(|&v| value(v as u16)).collect()
            }
        }
        // Unsigned 32- and 64-bit values live in uint64_data when not raw.
        Some(DataType::UINT32) | Some(DataType::UINT64) => {
            let w = if dt == Some(DataType::UINT32) { 4 } else { 8 };
            if !raw.is_empty() {
                chunks(raw, w, n, &t.name)?
                    .map(|c| {
                        let mut b = [0u8; 8];
                        b[..w].copy_from_slice(c);
                        u64::from_le_bytes(b) as f64
                    })
                    .collect()
            } else {
                t.uint64_data.iter().map(|&v| v as f64).collect()
            }
        }
        Some(DataType::INT32) | Some(DataType::INT16) | Some(DataType::INT8) | Some(DataType::UINT8) | Some(DataType::UINT16) | Some(DataType::BOOL) => {
            if !raw.is_empty() {
                let (w, signed) = match dt.unwrap() {
                    DataType::INT32 => (4, true),
                    DataType::INT16 => (2, true),
                    DataType::UINT16 => (2, false),
                    DataType::INT8 => (1, true),
                    _ => (1, false),
                };
                chunks(raw, w, n, &t.name)?
                    .map(|c| {
                        let mut b = [0u8; 8];
                        b[..w].copy_from_slice(c);
                        let u = u64::from_le_bytes(b);
                        if signed {
                            let sh = 64 - 8 * w as u32;
                            (((u << sh) as i64) >> sh) as f64
                        } else {
                            u as f64
                        }
                    })
                    .collect()
            } else {
                t.int32_data.iter().map(|&v| v as f64).collect()
            }
        }
        _ => {
            return Err(format!(
                "tensor `{}` has element type {} which zkc does not read (supported: float, double, float16, bfloat16, int8/16/32/64, uint8/16/32/64, bool)",
                t.name,
                type_name(t.data_type)
            ))
        }
    };
    if data.len() != n {
        return Err(format!(
            "tensor `{}` has {} values but its shape {shape:?} needs {n}",
            t.name,
            data.len()
        ));
    }
    Ok(Tensor::new(shape, data))
}

fn chunks<'a>(raw: &'a [u8], w: usize, n: usize, name: &str) -> Result<std::slice::ChunksExact<'a, u8>, String> {
    match w.checked_mul(n) {
        Some(need) if need == raw.len() => {}
        need => {
            let need = need
                .map(|v| v.to_string())
                .unwrap_or_else(|| "more than fits in memory".into());
            return Err(format!("tensor `{name}` has {} raw bytes but needs {need}", raw.len()));
        }
    }
    Ok(raw.chunks_exact(w))
}

/// A readable name for an ONNX element type code.
pub fn type_name(code: i32) -> String {
    DataType::from_i32_opt(code)
        .map(|d| format!("{d:?}").to_lowercase())
        .unwrap_or_else(|| format!("#{code}"))
}

trait FromI32 {
    fn from_i32_opt(v: i32) -> Option<DataType>;
}
impl FromI32 for DataType {
    fn from_i32_opt(v: i32) -> Option<DataType> {
        protobuf::Enum::from_i32(v)
    }
}

/// Typed access to a node's attributes, with ONNX defaults supplied by the caller.
pub struct Attrs<'a>(pub &'a NodeProto);

impl<'a> Attrs<'a> {
    fn get(&self, name: &str) -> Option<&'a AttributeProto> {
        self.0.attribute.iter().find(|a| a.name == name)
    }
    /// An int attribute.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).map(|a| a.i)
    }
    /// A float attribute.
    pub fn float(&self, name: &str) -> Option<f64> {
        self.get(name).map(|a| a.f as f64)
    }
    /// An ints attribute.
    pub fn ints(&self, name: &str) -> Option<Vec<i64>> {
        self.get(name).map(|a| a.ints.clone())
    }
    /// A floats attribute.
    pub fn floats(&self, name: &str) -> Option<Vec<f64>> {
        self.get(name).map(|a| a.floats.iter().map(|&f| f as f64).collect())
    }
    /// A string attribute.
    pub fn string(&self, name: &str) -> Option<String> {
        self.get(name).map(|a| String::from_utf8_lossy(&a.s).to_string())
    }
    /// A tensor attribute.
    pub fn tensor(&self, name: &str) -> Option<&'a TensorProto> {
        self.get(name).and_then(|a| a.t.as_ref())
    }
}
