//! A G1 multi-scalar multiplication for full-size scalars (the prover's H term) with
//! signed-digit windows and buckets kept in affine form, added to in batches that share one
//! field inversion.
//!
//! Why: arkworks' Pippenger adds every point to a projective bucket (a mixed addition, ≈11
//! field multiplications). An affine addition is one inversion and 3 multiplications; with
//! the inversions of a batch of independent additions merged (an eighth of the buckets, at
//! most 1024; 3 multiplications each), a bucket update costs about half. Signed digits in `[-2^(c-1), 2^(c-1)]` halve the
//! buckets. Two points for the same bucket never sit in one batch: a point whose bucket is
//! already in the batch (about one in sixteen; most of the top window, whose digits are
//! few) goes to that bucket's projective side sum instead, as do equal or opposite x
//! coordinates (a doubling, or a sum at infinity), which the affine formula cannot add.

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, Field, PrimeField, Zero};

use crate::keygen::invert_all;
use rayon::prelude::*;

type BigInt = <Fr as PrimeField>::BigInt;

/// Additions merged under one inversion.
const BATCH: usize = 1024;

/// The window width for `n` points (a bucket reduction costs two projective additions per
/// bucket, a point about half of one).
fn window_bits(n: usize) -> u32 {
    let cost = |c: u32| {
        let windows = (Fr::MODULUS_BIT_SIZE.div_ceil(c) + 1) as u64;
        windows * (n as u64 / 2 + 2 * (1u64 << (c - 1)))
    };
    (4..=20).min_by_key(|&c| cost(c)).unwrap_or(12)
}

/// Bits `start .. start + c` of `s` (`c ≤ 32`).
fn bits_at(s: &BigInt, start: usize, c: u32) -> i64 {
    let limbs = &s.0;
    let (limb, off) = (start / 64, start % 64);
    if limb >= limbs.len() {
        return 0;
    }
    let mut v = limbs[limb] >> off;
    if off + c as usize > 64 && limb + 1 < limbs.len() {
        v |= limbs[limb + 1] << (64 - off);
    }
    (v & ((1u64 << c) - 1)) as i64
}

/// The signed base-`2^c` digits of `s`, lowest first, each in `[-2^(c-1), 2^(c-1)]`.
fn signed_digits(s: &BigInt, c: u32, windows: usize, out: &mut [i32]) {
    let mut carry = 0i64;
    for (w, slot) in out.iter_mut().enumerate().take(windows) {
        let mut d = carry + bits_at(s, w * c as usize, c);
        carry = 0;
        if d > 1 << (c - 1) {
            d -= 1 << c;
            carry = 1;
        }
        *slot = d as i32;
    }
    debug_assert_eq!(carry, 0, "one window more than the scalar's bits absorbs the carry");
}

/// The buckets of one window.
struct Buckets {
    /// Affine part of each bucket (valid where `set`).
    affine: Vec<G1Affine>,
    set: Vec<bool>,
    /// Whether the bucket has an addition in the current batch.
    busy: Vec<bool>,
    /// Points whose addition the affine formula cannot do (equal or opposite x).
    side: Vec<G1Projective>,
    /// The batch: (bucket, point).
    pending: Vec<(usize, G1Affine)>,
    /// Additions per batch: an eighth of the buckets (at most [`BATCH`]), so that a point
    /// finds its bucket busy about one time in sixteen.
    batch: usize,
    denominators: Vec<Fq>,
    prefix: Vec<Fq>,
}

impl Buckets {
    fn new(n: usize) -> Self {
        Buckets {
            affine: vec![G1Affine::zero(); n],
            set: vec![false; n],
            busy: vec![false; n],
            side: vec![G1Projective::zero(); n],
            pending: Vec::with_capacity(BATCH),
            batch: (n / 8).clamp(1, BATCH),
            denominators: Vec::with_capacity(BATCH),
            prefix: Vec::with_capacity(BATCH),
        }
    }

    /// Adds `p` to bucket `b`.
    fn add(&mut self, b: usize, p: G1Affine) {
        if !self.set[b] {
            self.affine[b] = p;
            self.set[b] = true;
            return;
        }
        // A bucket already in this batch, or a doubling or sum at infinity: projective.
        if self.busy[b] || self.affine[b].x == p.x {
            self.side[b] += p;
            return;
        }
        self.busy[b] = true;
        self.pending.push((b, p));
        if self.pending.len() == self.batch {
            self.flush();
        }
    }

    /// Performs the batch's additions with one inversion.
    fn flush(&mut self) {
        self.denominators.clear();
        for &(b, p) in &self.pending {
            self.denominators.push(p.x - self.affine[b].x);
        }
        invert_all(&mut self.denominators, &mut self.prefix);
        for (&(b, p), inv) in self.pending.iter().zip(&self.denominators) {
            let q = self.affine[b];
            let lambda = (p.y - q.y) * inv;
            let x = lambda.square() - q.x - p.x;
            let y = lambda * (q.x - x) - q.y;
            self.affine[b] = G1Affine::new_unchecked(x, y);
            self.busy[b] = false;
        }
        self.pending.clear();
    }

    /// `Σ (j + 1)·bucket_j`.
    fn weighted_sum(&self) -> G1Projective {
        let mut running = G1Projective::zero();
        let mut total = G1Projective::zero();
        for j in (0..self.set.len()).rev() {
            if self.set[j] {
                running += self.affine[j];
            }
            if !self.side[j].is_zero() {
                running += self.side[j];
            }
            total += running;
        }
        total
    }
}

/// One window's sum `Σ digitᵢ·basesᵢ`.
fn window_sum(bases: &[G1Affine], digits: &[i32], windows: usize, w: usize, c: u32) -> G1Projective {
    let mut buckets = Buckets::new(1 << (c - 1));
    for (i, base) in bases.iter().enumerate() {
        let d = digits[i * windows + w];
        if d == 0 || base.is_zero() {
            continue;
        }
        let p = if d < 0 { -*base } else { *base };
        buckets.add(d.unsigned_abs() as usize - 1, p);
    }
    buckets.flush();
    buckets.weighted_sum()
}

/// `Σ scalarsᵢ·basesᵢ` over G1, for canonical scalars (`Fr::into_bigint`, below 2^254).
/// Holds the signed digits of every scalar at once (`4·n·windows` bytes: 22 MB at 2^18).
pub fn msm_g1(bases: &[G1Affine], scalars: &[BigInt]) -> G1Projective {
    let n = bases.len().min(scalars.len());
    if n == 0 {
        return G1Projective::zero();
    }
    let c = window_bits(n);
    let windows = Fr::MODULUS_BIT_SIZE.div_ceil(c) as usize + 1;
    let mut digits = vec![0i32; n * windows];
    digits
        .par_chunks_mut(windows)
        .zip(scalars[..n].par_iter())
        .for_each(|(out, s)| signed_digits(s, c, windows, out));
    let sums: Vec<G1Projective> = (0..windows)
        .into_par_iter()
        .map(|w| window_sum(&bases[..n], &digits, windows, w, c))
        .collect();
    let mut total = G1Projective::zero();
    for s in sums.iter().rev() {
        for _ in 0..c {
            total.double_in_place();
        }
        total += s;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::{CurveGroup, PrimeGroup, VariableBaseMSM};
    use ark_ff::UniformRand;
    use ark_std::rand::SeedableRng;

    fn check(bases: &[G1Affine], scalars: &[Fr]) {
        let big: Vec<BigInt> = scalars.iter().map(|s| s.into_bigint()).collect();
        assert_eq!(msm_g1(bases, &big), G1Projective::msm_bigint(bases, &big));
    }

    #[test]
    fn equals_arkworks_on_random_points_and_scalars() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let g = G1Projective::generator();
        for n in [1usize, 7, 300, 5000] {
            let bases: Vec<G1Affine> = (0..n).map(|_| (g * Fr::rand(&mut rng)).into_affine()).collect();
            let scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            check(&bases, &scalars);
        }
    }

    /// Repeated and opposite points (doublings and sums at infinity in a bucket), the point
    /// at infinity, and zero, one, -1 and the largest scalars.
    #[test]
    fn equals_arkworks_on_degenerate_inputs() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(4);
        let g = G1Projective::generator().into_affine();
        let h = (G1Projective::generator() * Fr::from(5u64)).into_affine();
        let mut bases = Vec::new();
        let mut scalars = Vec::new();
        for i in 0..3000u64 {
            bases.push(match i % 4 {
                0 => g,
                1 => -g,
                2 => G1Affine::zero(),
                _ => h,
            });
            scalars.push(match i % 5 {
                0 => Fr::zero(),
                1 => Fr::from(1u64),
                2 => -Fr::from(1u64),
                3 => Fr::from(i % 17),
                _ => Fr::rand(&mut rng),
            });
        }
        check(&bases, &scalars);
        let same = vec![g; 2000];
        let ones = vec![Fr::from(3u64); 2000];
        check(&same, &ones);
        check(&same, &vec![-Fr::from(1u64); 2000]);
    }

    #[test]
    fn signed_digits_recompose_the_scalar() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        for c in [4u32, 11, 13, 16] {
            let windows = Fr::MODULUS_BIT_SIZE.div_ceil(c) as usize + 1;
            for _ in 0..50 {
                let s = Fr::rand(&mut rng);
                let mut d = vec![0i32; windows];
                signed_digits(&s.into_bigint(), c, windows, &mut d);
                let mut back = Fr::zero();
                for &x in d.iter().rev() {
                    back *= Fr::from(1u64 << c);
                    back += if x < 0 {
                        -Fr::from(x.unsigned_abs() as u64)
                    } else {
                        Fr::from(x as u64)
                    };
                }
                assert_eq!(back, s);
                assert!(d.iter().all(|&x| x.unsigned_abs() <= 1 << (c - 1)));
            }
        }
    }
}
