//! The Groth16 prover on the lowered matrices (arkworks' QAP witness map, then the five
//! multi-scalar multiplications). Same algebra as `ark_groth16`'s prover; the difference is
//! the MSM: most of a zkc witness is bits and small integers, so bases whose scalar is 0 are
//! skipped, ±1 are just added, small magnitudes go through a bucket MSM with only as many
//! windows as their bits need, and only the remaining scalars go through the full 254-bit
//! Pippenger (whose cost does not shrink with small scalars: it pays every window). The H
//! term's full-size scalars use [`crate::msm_affine`] (batched affine buckets).

use ark_bn254::{Bn254, Fr};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, PrimeField, Zero};
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_groth16::{Proof, ProvingKey};
use ark_poly::GeneralEvaluationDomain;
use ark_relations::r1cs::ConstraintMatrices;
use rayon::prelude::*;
use zkc_runtime::BackendError;

/// `Σ scalarsᵢ·basesᵢ` by scalar size: bases whose scalar is 0 are skipped, ±1 are added or
/// subtracted, scalars below 2⁶⁴ in magnitude (the sign folded into the base) go through a
/// bucket MSM with as many windows as their bit length needs, grouped by 16-bit classes,
/// and only the rest pay for arkworks' full 254-bit Pippenger.
pub fn msm<G>(bases: &[G], scalars: &[Fr]) -> G::Group
where
    G: AffineRepr<ScalarField = Fr> + std::ops::Neg<Output = G>,
    G::Group: VariableBaseMSM<MulBase = G>,
{
    let n = bases.len().min(scalars.len());
    let chunk = n.div_ceil(rayon::current_num_threads().max(1) * 4).max(1024);
    let parts: Vec<Sorted<G>> = (0..n)
        .into_par_iter()
        .step_by(chunk)
        .map(|start| {
            let mut part = Sorted::new();
            for i in start..(start + chunk).min(n) {
                part.push(&bases[i], &scalars[i], i);
            }
            part
        })
        .collect();
    let mut all = Sorted::new();
    for p in parts {
        all.merge(p);
    }
    let mut total = all.units;
    for (b, s) in all.small.iter() {
        total += msm_small(b, s);
    }
    if !all.large.is_empty() {
        let b: Vec<G> = all.large.iter().map(|&i| bases[i]).collect();
        let s: Vec<_> = all.large.par_iter().map(|&i| scalars[i].into_bigint()).collect();
        total += G::Group::msm_bigint(&b, &s);
    }
    total
}

/// The terms of an MSM sorted by scalar size.
struct Sorted<G: AffineRepr> {
    /// The sum of the bases whose scalar is ±1.
    units: G::Group,
    /// Per 16-bit class of magnitude: the bases (negated for negative scalars) and the
    /// magnitudes.
    small: [(Vec<G>, Vec<u64>); 4],
    /// Indices of the scalars of 64 bits or more.
    large: Vec<usize>,
}

impl<G: AffineRepr<ScalarField = Fr> + std::ops::Neg<Output = G>> Sorted<G> {
    fn new() -> Self {
        Sorted {
            units: G::Group::zero(),
            small: Default::default(),
            large: Vec::new(),
        }
    }

    fn push(&mut self, base: &G, scalar: &Fr, i: usize) {
        if scalar.is_zero() {
            return;
        }
        match small_magnitude(scalar) {
            Some((false, 1)) => self.units += *base,
            Some((true, 1)) => self.units -= *base,
            Some((negative, k)) => {
                let class = ((63 - k.leading_zeros()) / 16) as usize;
                let (b, s) = &mut self.small[class];
                b.push(if negative { -*base } else { *base });
                s.push(k);
            }
            None => self.large.push(i),
        }
    }

    fn merge(&mut self, other: Self) {
        self.units += other.units;
        for ((b, s), (ob, os)) in self.small.iter_mut().zip(other.small) {
            b.extend(ob);
            s.extend(os);
        }
        self.large.extend(other.large);
    }
}

/// The scalar's magnitude and sign if it or its negation is below 2⁶⁴: quantized
/// activations, remainders and accumulators are small integers, and negative ones are
/// `p − k` for a small `k`.
fn small_magnitude(s: &Fr) -> Option<(bool, u64)> {
    let b = s.into_bigint();
    if b.0[1..].iter().all(|&l| l == 0) {
        return Some((false, b.0[0]));
    }
    let n = (-*s).into_bigint();
    n.0[1..].iter().all(|&l| l == 0).then_some((true, n.0[0]))
}

/// Pippenger's bucket method over scalars of at most `bits` bits, serially: windows of `c`
/// bits, so the cost is `⌈bits/c⌉·(n + 2^(c+1))` additions instead of `⌈254/c⌉·(…)`.
fn msm_small_serial<G>(bases: &[G], scalars: &[u64], bits: u32) -> G::Group
where
    G: AffineRepr<ScalarField = Fr>,
{
    let n = bases.len();
    if n == 0 || bits == 0 {
        return G::Group::zero();
    }
    let cost = |c: u32| u64::from(bits.div_ceil(c)) * (n as u64 + (2u64 << c));
    let c = (1..=16u32).min_by_key(|&c| cost(c)).unwrap_or(8);
    let mask = (1u64 << c) - 1;
    let mut total = G::Group::zero();
    let mut buckets = vec![G::Group::zero(); (1usize << c) - 1];
    for w in (0..bits.div_ceil(c)).rev() {
        for _ in 0..c {
            total.double_in_place();
        }
        buckets.iter_mut().for_each(|b| *b = G::Group::zero());
        let shift = w * c;
        for (base, s) in bases.iter().zip(scalars) {
            let d = (s >> shift) & mask;
            if d != 0 {
                buckets[(d - 1) as usize] += *base;
            }
        }
        let mut running = G::Group::zero();
        for b in buckets.iter().rev() {
            running += b;
            total += running;
        }
    }
    total
}

/// `Σ scalarsᵢ·basesᵢ` for 64-bit scalars, one serial bucket MSM per thread's share.
fn msm_small<G>(bases: &[G], scalars: &[u64]) -> G::Group
where
    G: AffineRepr<ScalarField = Fr>,
{
    let bits = 64 - scalars.iter().fold(0u64, |a, &s| a | s).leading_zeros();
    let chunk = bases.len().div_ceil(rayon::current_num_threads().max(1)).max(1);
    bases
        .par_chunks(chunk)
        .zip(scalars.par_chunks(chunk))
        .map(|(b, s)| msm_small_serial(b, s, bits))
        .reduce(G::Group::zero, |a, b| a + b)
}

/// A proof of the assignment `z` (constant one, instance, witness) for `matrices`, with
/// blinding factors `r`, `s`.
pub fn prove(
    pk: &ProvingKey<Bn254>,
    matrices: &ConstraintMatrices<Fr>,
    z: &[Fr],
    r: Fr,
    s: Fr,
) -> Result<Proof<Bn254>, BackendError> {
    let num_inputs = matrices.num_instance_variables;
    let h = LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
        matrices,
        num_inputs,
        matrices.num_constraints,
        z,
    )
    .map_err(|e| BackendError::Prover(format!("QAP witness map: {e}")))?;
    let vk = &pk.vk;
    // The five MSMs run one after another, each parallel inside.
    let h_big: Vec<_> = h.par_iter().map(|x| x.into_bigint()).collect();
    let n_h = pk.h_query.len().min(h_big.len());
    let h_acc = crate::msm_affine::msm_g1(&pk.h_query[..n_h], &h_big[..n_h]);
    drop(h_big);
    let l_acc = msm(&pk.l_query, &z[num_inputs..]);
    let assignment = &z[1..];
    let a_acc = msm(&pk.a_query[1..], assignment);
    let b1_acc = msm(&pk.b_g1_query[1..], assignment);
    let b2_acc = msm(&pk.b_g2_query[1..], assignment);

    let g_a = pk.delta_g1 * r + pk.a_query[0] + a_acc + vk.alpha_g1;
    let g1_b = pk.delta_g1 * s + pk.b_g1_query[0] + b1_acc + pk.beta_g1;
    let g2_b = vk.delta_g2 * s + pk.b_g2_query[0] + b2_acc + vk.beta_g2;
    let g_c = g_a * s + g1_b * r - pk.delta_g1 * (r * s) + l_acc + h_acc;
    Ok(Proof {
        a: g_a.into_affine(),
        b: g2_b.into_affine(),
        c: g_c.into_affine(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{G1Affine, G1Projective};
    use ark_ec::PrimeGroup;
    use ark_ff::UniformRand;
    use ark_std::rand::{Rng, SeedableRng};

    /// Every size class (0, ±1, 16/32/48/64-bit magnitudes of both signs, full field
    /// elements) against the plain sum of scalar multiplications.
    #[test]
    fn msm_by_scalar_size_equals_the_plain_sum() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let g = G1Projective::generator();
        let n = 3000;
        let bases: Vec<G1Affine> = (0..n).map(|_| (g * Fr::rand(&mut rng)).into_affine()).collect();
        let scalars: Vec<Fr> = (0..n)
            .map(|i| {
                let k: u64 = match i % 7 {
                    0 => 0,
                    1 => 1,
                    2 => rng.gen::<u16>().into(),
                    3 => rng.gen::<u32>().into(),
                    4 => rng.gen::<u64>() >> 12,
                    5 => rng.gen::<u64>(),
                    _ => return Fr::rand(&mut rng),
                };
                if i % 2 == 0 {
                    -Fr::from(k)
                } else {
                    Fr::from(k)
                }
            })
            .collect();
        let plain: G1Projective = bases.iter().zip(&scalars).map(|(b, s)| *b * s).sum();
        assert_eq!(msm(&bases, &scalars), plain);
        assert_eq!(
            msm(&bases[..5], &scalars[..5]),
            bases[..5]
                .iter()
                .zip(&scalars)
                .map(|(b, s)| *b * s)
                .sum::<G1Projective>()
        );
    }
}
