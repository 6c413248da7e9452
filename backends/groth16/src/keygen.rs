//! Groth16 key generation from the lowered matrices.
//!
//! The algebra is `ark_groth16`'s generator with the libsnark QAP reduction (the prover uses
//! arkworks' `LibsnarkReduction` witness map, so both sides must agree; a test compares the
//! keys with `ark_groth16`'s own generator run on [`crate::Circuit`]). What differs is speed:
//! no `ConstraintSystem` round trip, and the half a million fixed-base multiplications use
//! signed-digit windows with affine tables (≈17 mixed additions per G1 point).

use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, Field, PrimeField, UniformRand, Zero};
use ark_groth16::{ProvingKey, VerifyingKey};
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use ark_std::rand::Rng;
use rayon::prelude::*;
use zkc_runtime::BackendError;

use crate::r1cs::R1cs;

/// Inverts every element of `v` (all nonzero) with one field inversion, serially (arkworks'
/// `batch_inversion` spreads small batches over threads, which costs more than it saves
/// inside an already parallel loop).
pub(crate) fn invert_all<F: Field>(v: &mut [F], prefix: &mut Vec<F>) {
    prefix.clear();
    let mut acc = F::one();
    for x in v.iter() {
        prefix.push(acc);
        acc *= x;
    }
    let Some(mut inv) = acc.inverse() else {
        return;
    };
    for (x, pre) in v.iter_mut().zip(prefix.iter()).rev() {
        let next = inv * *x;
        *x = inv * pre;
        inv = next;
    }
}

/// Multiples of one base: `table[j][d - 1] = d·2^(w·j)·g` for `1 ≤ d ≤ 2^(w-1)`.
struct FixedBase<P: SWCurveConfig> {
    w: u32,
    table: Vec<Vec<Affine<P>>>,
}

/// The window that minimizes table building plus per-scalar additions for `n` scalars
/// (a doubling and an addition cost about the same).
fn window(n: usize) -> u32 {
    let cost = |w: u32| (256usize.div_ceil(w as usize) + 1) * ((1usize << (w - 1)) + n);
    (2..=18).min_by_key(|&w| cost(w)).unwrap_or(8)
}

/// Scalars per batch of affine additions (one shared field inversion per window).
const BATCH: usize = 1024;

impl<P: SWCurveConfig> FixedBase<P> {
    fn new(g: Projective<P>, w: u32) -> Self {
        let windows = (Fr::MODULUS_BIT_SIZE as usize).div_ceil(w as usize) + 1;
        let mut bases = Vec::with_capacity(windows);
        let mut b = g;
        for _ in 0..windows {
            bases.push(b);
            for _ in 0..w {
                b.double_in_place();
            }
        }
        let half = 1usize << (w - 1);
        let table = bases
            .into_par_iter()
            .map(|base| {
                let mut m = Vec::with_capacity(half);
                let mut acc = base;
                for _ in 0..half {
                    m.push(acc);
                    acc += base;
                }
                Projective::normalize_batch(&m)
            })
            .collect();
        FixedBase { w, table }
    }

    /// Signed base-2^w digits of `s`, one per window, in `[-2^(w-1), 2^(w-1)]`.
    fn digits(&self, s: &Fr, out: &mut Vec<i32>) {
        let limbs = s.into_bigint().0;
        let w = self.w as usize;
        let mask = (1u64 << w) - 1;
        let half = 1i64 << (w - 1);
        let mut carry = 0i64;
        for j in 0..self.table.len() {
            let bit = j * w;
            let digit = if bit >= 256 {
                0
            } else {
                let (limb, off) = (bit / 64, bit % 64);
                let mut v = limbs[limb] >> off;
                if off + w > 64 && limb + 1 < 4 {
                    v |= limbs[limb + 1] << (64 - off);
                }
                (v & mask) as i64
            };
            let mut d = digit + carry;
            carry = 0;
            if d > half {
                d -= 1 << w;
                carry = 1;
            }
            out.push(d as i32);
        }
    }

    /// `sᵢ·g` for a batch of scalars, summing the table entries with affine additions whose
    /// inversions are shared across the batch (Montgomery's trick): about 6 field
    /// multiplications per addition instead of 11 for mixed projective additions, and the
    /// results need no normalization.
    fn mul_batch(&self, scalars: &[Fr]) -> Vec<Affine<P>> {
        let windows = self.table.len();
        let mut digits = Vec::with_capacity(scalars.len() * windows);
        for s in scalars {
            self.digits(s, &mut digits);
        }
        let mut acc = vec![Affine::<P>::identity(); scalars.len()];
        let mut idx = Vec::with_capacity(scalars.len());
        let mut pts = Vec::with_capacity(scalars.len());
        let mut den = Vec::with_capacity(scalars.len());
        let mut prefix = Vec::with_capacity(scalars.len());
        for (j, row) in self.table.iter().enumerate() {
            idx.clear();
            pts.clear();
            den.clear();
            for (i, a) in acc.iter_mut().enumerate() {
                let d = digits[i * windows + j];
                if d == 0 {
                    continue;
                }
                let p = if d > 0 {
                    row[(d - 1) as usize]
                } else {
                    -row[(-d - 1) as usize]
                };
                if a.infinity {
                    *a = p;
                } else if a.x == p.x {
                    // Doubling or cancellation: rare, done projectively.
                    *a = (a.into_group() + p).into_affine();
                } else {
                    idx.push(i);
                    den.push(p.x - a.x);
                    pts.push(p);
                }
            }
            invert_all(&mut den, &mut prefix);
            for ((&i, p), inv) in idx.iter().zip(&pts).zip(&den) {
                let a = &mut acc[i];
                let l = (p.y - a.y) * inv;
                let x3 = l.square() - a.x - p.x;
                let y3 = l * (a.x - x3) - a.y;
                *a = Affine::new_unchecked(x3, y3);
            }
        }
        acc
    }

    fn mul_all(&self, scalars: &[Fr]) -> Vec<Affine<P>> {
        scalars.par_chunks(BATCH).flat_map_iter(|c| self.mul_batch(c)).collect()
    }
}

/// Generates the proving key (with its verifying key) for the lowered program, drawing the
/// toxic waste from `rng` in the same order as `ark_groth16`'s generator. Takes the rows by
/// value to free them once the QAP is evaluated.
pub fn generate(r: R1cs, rng: &mut impl Rng) -> Result<ProvingKey<Bn254>, BackendError> {
    let alpha = Fr::rand(rng);
    let beta = Fr::rand(rng);
    let gamma = Fr::rand(rng);
    let delta = Fr::rand(rng);
    let g1 = G1Projective::rand(rng);
    let g2 = G2Projective::rand(rng);
    let (nc, ni, nw) = (r.num_constraints, r.num_instance, r.num_witness);
    let too_big = || BackendError::DoesNotFit {
        backend: "groth16",
        reason: format!("{} constraints exceed BN254's largest FFT domain (2^28)", nc + ni),
    };
    let domain = GeneralEvaluationDomain::<Fr>::new(nc + ni).ok_or_else(too_big)?;
    let t = domain.sample_element_outside_domain(rng);

    // QAP at t (libsnark reduction): instance variables also get the rows after the constraints.
    let zt = domain.evaluate_vanishing_polynomial(t);
    let u = domain.evaluate_all_lagrange_coefficients(t);
    let nv = ni + nw;
    let (mut a, mut b, mut c) = (vec![Fr::zero(); nv], vec![Fr::zero(); nv], vec![Fr::zero(); nv]);
    a[..ni].copy_from_slice(&u[nc..nc + ni]);
    for (i, ui) in u.iter().enumerate().take(nc) {
        for &(k, v) in &r.a[i] {
            a[v] += *ui * k;
        }
        for &(k, v) in &r.b[i] {
            b[v] += *ui * k;
        }
        for &(k, v) in &r.c[i] {
            c[v] += *ui * k;
        }
    }
    // The rows are no longer needed: free them before the large point vectors exist.
    drop(r);
    drop(u);
    let gamma_inv = gamma.inverse().ok_or_else(|| BackendError::Prover("γ = 0".into()))?;
    let delta_inv = delta.inverse().ok_or_else(|| BackendError::Prover("δ = 0".into()))?;
    let abc = |i: usize| beta * a[i] + alpha * b[i] + c[i];
    let gamma_abc: Vec<Fr> = (0..ni).into_par_iter().map(|i| abc(i) * gamma_inv).collect();
    let l: Vec<Fr> = (ni..nv).into_par_iter().map(|i| abc(i) * delta_inv).collect();
    drop(c);
    let h0 = zt * delta_inv;
    let m = domain.size() - 1;
    let h: Vec<Fr> = (0..m)
        .into_par_iter()
        .step_by(4096)
        .flat_map_iter(|start| {
            let mut x = h0 * t.pow([start as u64]);
            (start..(start + 4096).min(m)).map(move |_| {
                let y = x;
                x *= t;
                y
            })
        })
        .collect();

    let nonzero = |v: &[Fr]| v.iter().filter(|x| !x.is_zero()).count();
    let t2 = FixedBase::new(g2, window(nonzero(&b)));
    let b_g2_query = t2.mul_all(&b);
    drop(t2);
    let n1 = nonzero(&a) + nonzero(&b) + h.len() + l.len();
    let t1 = FixedBase::new(g1, window(n1));
    let a_query = t1.mul_all(&a);
    drop(a);
    let b_g1_query = t1.mul_all(&b);
    drop(b);
    let h_query = t1.mul_all(&h);
    drop(h);
    let l_query = t1.mul_all(&l);
    drop(l);
    let gamma_abc_g1 = t1.mul_all(&gamma_abc);
    let vk = VerifyingKey {
        alpha_g1: (g1 * alpha).into_affine(),
        beta_g2: (g2 * beta).into_affine(),
        gamma_g2: (g2 * gamma).into_affine(),
        delta_g2: (g2 * delta).into_affine(),
        gamma_abc_g1,
    };
    Ok(ProvingKey {
        vk,
        beta_g1: (g1 * beta).into_affine(),
        delta_g1: (g1 * delta).into_affine(),
        a_query,
        b_g1_query,
        b_g2_query,
        h_query,
        l_query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::PrimeGroup;

    #[test]
    fn invert_all_inverts() {
        let mut rng = ark_std::test_rng();
        let v: Vec<Fr> = (0..100).map(|_| Fr::rand(&mut rng)).collect();
        let mut w = v.clone();
        invert_all(&mut w, &mut Vec::new());
        for (a, b) in v.iter().zip(&w) {
            assert_eq!(*a * b, Fr::from(1u64));
        }
    }

    #[test]
    fn fixed_base_matches_scalar_multiplication() {
        let mut rng = ark_std::test_rng();
        let g = G1Projective::generator();
        let fb = FixedBase::new(g, 5);
        let mut scalars: Vec<Fr> = (0..50).map(|_| Fr::rand(&mut rng)).collect();
        scalars.extend([
            Fr::zero(),
            Fr::from(1u64),
            -Fr::from(1u64),
            Fr::from(16u64),
            Fr::from(17u64),
        ]);
        let got = fb.mul_all(&scalars);
        for (s, p) in scalars.iter().zip(got) {
            assert_eq!((g * s).into_affine(), p, "{s}");
        }
        let g2 = G2Projective::generator();
        let fb2 = FixedBase::new(g2, 4);
        for (s, p) in scalars.iter().zip(fb2.mul_all(&scalars)).take(100) {
            assert_eq!((g2 * s).into_affine(), p, "{s}");
        }
    }
}
