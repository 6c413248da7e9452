//! Matrix product with numpy semantics: 1-D operands are promoted, batch axes broadcast.

use super::binary::broadcast_shape;
use super::{OpError, OpResult};
use crate::tensor::{numel, Tensor};

/// Output shape of `a @ b`.
pub fn shape(a: &[usize], b: &[usize]) -> OpResult<Vec<usize>> {
    if a.is_empty() || b.is_empty() {
        return Err(OpError::new("MatMul operands must have rank ≥ 1"));
    }
    let (am, ak) = if a.len() == 1 {
        (1, a[0])
    } else {
        (a[a.len() - 2], a[a.len() - 1])
    };
    let (bk, bn) = if b.len() == 1 {
        (b[0], 1)
    } else {
        (b[b.len() - 2], b[b.len() - 1])
    };
    if ak != bk {
        return Err(OpError::new(format!(
            "MatMul inner dimensions differ: {a:?} @ {b:?} ({ak} vs {bk})"
        )));
    }
    let ba = if a.len() > 2 { &a[..a.len() - 2] } else { &[][..] };
    let bb = if b.len() > 2 { &b[..b.len() - 2] } else { &[][..] };
    let mut out = broadcast_shape(ba, bb)?;
    if a.len() > 1 {
        out.push(am);
    }
    if b.len() > 1 {
        out.push(bn);
    }
    Ok(out)
}

/// The batch-broadcast decomposition both the interpreter and the lowering use:
/// `(m, k, n, pairs)` where `pairs[i] = (offset of a's matrix, offset of b's matrix)` for
/// output matrix `i`.
pub fn plan(a: &[usize], b: &[usize]) -> (usize, usize, usize, Vec<(usize, usize)>) {
    let (m, k) = if a.len() == 1 {
        (1, a[0])
    } else {
        (a[a.len() - 2], a[a.len() - 1])
    };
    let n = if b.len() == 1 { 1 } else { b[b.len() - 1] };
    let ba: Vec<usize> = if a.len() > 2 { a[..a.len() - 2].to_vec() } else { vec![] };
    let bb: Vec<usize> = if b.len() > 2 { b[..b.len() - 2].to_vec() } else { vec![] };
    let batch = broadcast_shape(&ba, &bb).expect("checked by shape");
    let oa = super::binary::broadcast_offsets(&ba, &batch);
    let ob = super::binary::broadcast_offsets(&bb, &batch);
    let pairs = (0..numel(&batch)).map(|i| (oa[i] * m * k, ob[i] * k * n)).collect();
    (m, k, n, pairs)
}

/// Evaluates `a @ b`.
pub fn eval(a: &Tensor, b: &Tensor, out_shape: &[usize]) -> Tensor {
    let (m, k, n, pairs) = plan(&a.shape, &b.shape);
    let mut out = vec![0.0; numel(out_shape)];
    for (bi, &(pa, pb)) in pairs.iter().enumerate() {
        let o = &mut out[bi * m * n..(bi + 1) * m * n];
        for i in 0..m {
            for p in 0..k {
                let av = a.data[pa + i * k + p];
                let brow = &b.data[pb + p * n..pb + (p + 1) * n];
                for (j, &bv) in brow.iter().enumerate() {
                    o[i * n + j] += av * bv;
                }
            }
        }
    }
    Tensor::new(out_shape.to_vec(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batched_and_vector_products() {
        let a = Tensor::new(vec![2, 2, 3], (0..12).map(f64::from).collect());
        let b = Tensor::new(vec![3, 1], vec![1.0, 1.0, 1.0]);
        let s = shape(&a.shape, &b.shape).unwrap();
        assert_eq!(s, vec![2, 2, 1]);
        assert_eq!(eval(&a, &b, &s).data, vec![3.0, 12.0, 21.0, 30.0]);
        let v = Tensor::new(vec![3], vec![1.0, 2.0, 3.0]);
        let m = Tensor::new(vec![3, 2], vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
        let s = shape(&v.shape, &m.shape).unwrap();
        assert_eq!(s, vec![2]);
        assert_eq!(eval(&v, &m, &s).data, vec![4.0, 5.0]);
        assert!(shape(&[2, 3], &[2, 3]).is_err());
    }
}
