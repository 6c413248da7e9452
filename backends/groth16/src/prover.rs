//! The Groth16 prover on the lowered matrices (arkworks' QAP witness map, then the five
//! multi-scalar multiplications). Same algebra as `ark_groth16`'s prover; the difference is
//! the MSM: most of a zkc witness is bits, so bases whose scalar is 0 are skipped and bases
//! whose scalar is 1 are just added, and only the remaining scalars go through Pippenger.
//! (Pippenger's cost does not shrink with small scalars: its bucket sums are paid per window.)

use ark_bn254::{Bn254, Fr, G1Projective};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{One, PrimeField, Zero};
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_groth16::{Proof, ProvingKey};
use ark_poly::GeneralEvaluationDomain;
use ark_relations::r1cs::ConstraintMatrices;
use rayon::prelude::*;
use zkc_runtime::BackendError;

/// `Σ scalarsᵢ·basesᵢ`, adding the bases of unit scalars directly.
pub fn msm<G>(bases: &[G], scalars: &[Fr]) -> G::Group
where
    G: AffineRepr<ScalarField = Fr>,
    G::Group: VariableBaseMSM<MulBase = G>,
{
    let n = bases.len().min(scalars.len());
    let one = Fr::one();
    let chunk = n.div_ceil(rayon::current_num_threads().max(1) * 4).max(1024);
    let parts: Vec<(G::Group, Vec<usize>)> = (0..n)
        .into_par_iter()
        .step_by(chunk)
        .map(|start| {
            let mut sum = G::Group::zero();
            let mut rest = Vec::new();
            for i in start..(start + chunk).min(n) {
                let s = &scalars[i];
                if s.is_zero() {
                } else if *s == one {
                    sum += bases[i];
                } else {
                    rest.push(i);
                }
            }
            (sum, rest)
        })
        .collect();
    let mut total = G::Group::zero();
    let mut rest = Vec::new();
    for (s, r) in parts {
        total += s;
        rest.extend(r);
    }
    if !rest.is_empty() {
        let b: Vec<G> = rest.iter().map(|&i| bases[i]).collect();
        let s: Vec<_> = rest.par_iter().map(|&i| scalars[i].into_bigint()).collect();
        total += G::Group::msm_bigint(&b, &s);
    }
    total
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
    let h_acc = G1Projective::msm_bigint(&pk.h_query[..n_h], &h_big[..n_h]);
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
