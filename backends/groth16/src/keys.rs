//! Byte formats of keys and proofs.
//!
//! - Verifying key: `ZKG16VK1`, the program hash (64 hex bytes), the number of public values
//!   (u32 LE), then `α₁, β₂, γ₂, δ₂` and the `n + 1` input commitments `IC`, all
//!   ark-serialize compressed. Decoding checks the exact length, that every point is on the
//!   curve and in the prime-order subgroup.
//! - Proving key: `ZKG16PK1`, the program hash, the R1CS shape (constraints, instance and
//!   witness counts, u64 LE), the verifying key, then `β₁, δ₁` and the five query vectors
//!   (u64 length + points), ark-serialize *uncompressed*: decompressing half a million points
//!   would cost seconds per proof. Points are read without subgroup checks (the key is the
//!   prover's own file); every proof is verified against the embedded verifying key before it
//!   is returned, so a damaged proving key gives an error, never a bad proof.
//! - Proof: `A, B, C` compressed, exactly 128 bytes (the format snarkjs and the EVM export
//!   are converted from).
//!
//! Lengths are checked against the remaining bytes before anything is allocated, so damaged
//! bytes give [`BackendError::Malformed`], never a panic or a huge allocation.

use ark_bn254::{Bn254, G1Affine, G2Affine};
use ark_groth16::{Proof, ProvingKey, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use rayon::prelude::*;
use zkc_runtime::BackendError;

const VK_MAGIC: &[u8; 8] = b"ZKG16VK1";
const PK_MAGIC: &[u8; 8] = b"ZKG16PK1";
const HASH_LEN: usize = 64;
const G1C: usize = 32;
const G2C: usize = 64;
const G1U: usize = 64;
const G2U: usize = 128;
/// Size of a serialized proof.
pub const PROOF_LEN: usize = G1C + G2C + G1C;

/// The R1CS shape a proving key was made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Constraints.
    pub constraints: u64,
    /// Instance variables including the constant one.
    pub instance: u64,
    /// Witness variables.
    pub witness: u64,
}

fn bad(what: &'static str, reason: impl Into<String>) -> BackendError {
    BackendError::Malformed {
        what,
        reason: reason.into(),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BackendError> {
        if self.bytes.len() < n {
            return Err(bad(
                self.what,
                format!("truncated: {n} more bytes expected, {} left", self.bytes.len()),
            ));
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }
    fn u32(&mut self) -> Result<u32, BackendError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> Result<u64, BackendError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn point<T: CanonicalDeserialize>(
        &mut self,
        size: usize,
        compress: Compress,
        validate: Validate,
    ) -> Result<T, BackendError> {
        let b = self.take(size)?;
        T::deserialize_with_mode(b, compress, validate).map_err(|e| bad(self.what, format!("invalid curve point: {e}")))
    }
    /// A length-prefixed vector of uncompressed, unchecked points, decoded in parallel.
    fn points<T: CanonicalDeserialize + Send>(&mut self, size: usize) -> Result<Vec<T>, BackendError> {
        let n = self.u64()?;
        let total = usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_mul(size))
            .filter(|&t| t <= self.bytes.len())
            .ok_or_else(|| bad(self.what, format!("truncated: a vector of {n} points does not fit")))?;
        let b = self.take(total)?;
        let what = self.what;
        b.par_chunks(size)
            .map(|c| {
                T::deserialize_with_mode(c, Compress::No, Validate::No)
                    .map_err(|e| bad(what, format!("invalid curve point: {e}")))
            })
            .collect()
    }
    fn hash(&mut self) -> Result<String, BackendError> {
        let h = self.take(HASH_LEN)?;
        String::from_utf8(h.to_vec()).map_err(|_| bad(self.what, "the program hash is not text"))
    }
}

fn put<T: CanonicalSerialize>(out: &mut Vec<u8>, x: &T, compress: Compress) {
    x.serialize_with_mode(&mut *out, compress)
        .expect("writing to a Vec cannot fail");
}

fn put_points<T: CanonicalSerialize + Sync>(out: &mut Vec<u8>, xs: &[T]) {
    out.extend_from_slice(&(xs.len() as u64).to_le_bytes());
    let chunks: Vec<Vec<u8>> = xs
        .par_chunks(4096)
        .map(|c| {
            let mut v = Vec::new();
            for x in c {
                put(&mut v, x, Compress::No);
            }
            v
        })
        .collect();
    for c in chunks {
        out.extend_from_slice(&c);
    }
}

fn hash_bytes(program_hash: &str) -> [u8; HASH_LEN] {
    let mut h = [b'0'; HASH_LEN];
    let src = program_hash.as_bytes();
    let n = src.len().min(HASH_LEN);
    h[..n].copy_from_slice(&src[..n]);
    h
}

fn check_hash(what: &'static str, found: &str, program_hash: &str) -> Result<(), BackendError> {
    if found != std::str::from_utf8(&hash_bytes(program_hash)).unwrap_or_default() {
        return Err(BackendError::Malformed {
            what,
            reason: format!(
                "it was made for another circuit (program hash {found}, this program is {program_hash}); run `zkc setup` for this circuit"
            ),
        });
    }
    Ok(())
}

fn put_vk_body(out: &mut Vec<u8>, vk: &VerifyingKey<Bn254>) {
    out.extend_from_slice(&(vk.gamma_abc_g1.len() as u32 - 1).to_le_bytes());
    put(out, &vk.alpha_g1, Compress::Yes);
    put(out, &vk.beta_g2, Compress::Yes);
    put(out, &vk.gamma_g2, Compress::Yes);
    put(out, &vk.delta_g2, Compress::Yes);
    for p in &vk.gamma_abc_g1 {
        put(out, p, Compress::Yes);
    }
}

fn read_vk_body(r: &mut Reader<'_>, exact: bool) -> Result<VerifyingKey<Bn254>, BackendError> {
    let n = r.u32()? as usize;
    let want = 3 * G2C + G1C + (n + 1) * G1C;
    if (exact && r.bytes.len() != want) || r.bytes.len() < want {
        return Err(bad(
            r.what,
            format!(
                "a key for {n} public values has {want} more bytes, found {}",
                r.bytes.len()
            ),
        ));
    }
    let alpha_g1 = r.point::<G1Affine>(G1C, Compress::Yes, Validate::Yes)?;
    let beta_g2 = r.point::<G2Affine>(G2C, Compress::Yes, Validate::Yes)?;
    let gamma_g2 = r.point::<G2Affine>(G2C, Compress::Yes, Validate::Yes)?;
    let delta_g2 = r.point::<G2Affine>(G2C, Compress::Yes, Validate::Yes)?;
    let gamma_abc_g1 = (0..=n)
        .map(|_| r.point::<G1Affine>(G1C, Compress::Yes, Validate::Yes))
        .collect::<Result<_, _>>()?;
    Ok(VerifyingKey {
        alpha_g1,
        beta_g2,
        gamma_g2,
        delta_g2,
        gamma_abc_g1,
    })
}

/// Serializes a verifying key for `program_hash`.
pub fn write_vk(program_hash: &str, vk: &VerifyingKey<Bn254>) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + HASH_LEN + 4 + 3 * G2C + (vk.gamma_abc_g1.len() + 1) * G1C);
    out.extend_from_slice(VK_MAGIC);
    out.extend_from_slice(&hash_bytes(program_hash));
    put_vk_body(&mut out, vk);
    out
}

/// Decodes a verifying key and returns it with the program hash it was made for.
pub fn read_vk_any(bytes: &[u8]) -> Result<(String, VerifyingKey<Bn254>), BackendError> {
    let mut r = Reader {
        bytes,
        what: "verifying key",
    };
    if r.take(8)? != VK_MAGIC {
        return Err(bad(
            "verifying key",
            "not a zkc Groth16 verifying key (wrong magic bytes)",
        ));
    }
    let hash = r.hash()?;
    let vk = read_vk_body(&mut r, true)?;
    Ok((hash, vk))
}

/// Decodes a verifying key and checks that it belongs to `program_hash`.
pub fn read_vk(bytes: &[u8], program_hash: &str) -> Result<VerifyingKey<Bn254>, BackendError> {
    let (h, vk) = read_vk_any(bytes)?;
    check_hash("verifying key", &h, program_hash)?;
    Ok(vk)
}

/// Serializes a proving key.
pub fn write_pk(program_hash: &str, shape: Shape, pk: &ProvingKey<Bn254>) -> Vec<u8> {
    let n = pk.a_query.len() + pk.b_g1_query.len() + pk.h_query.len() + pk.l_query.len();
    let mut out = Vec::with_capacity(1024 + n * G1U + pk.b_g2_query.len() * G2U);
    out.extend_from_slice(PK_MAGIC);
    out.extend_from_slice(&hash_bytes(program_hash));
    for x in [shape.constraints, shape.instance, shape.witness] {
        out.extend_from_slice(&x.to_le_bytes());
    }
    put_vk_body(&mut out, &pk.vk);
    put(&mut out, &pk.beta_g1, Compress::No);
    put(&mut out, &pk.delta_g1, Compress::No);
    put_points(&mut out, &pk.a_query);
    put_points(&mut out, &pk.b_g1_query);
    put_points(&mut out, &pk.b_g2_query);
    put_points(&mut out, &pk.h_query);
    put_points(&mut out, &pk.l_query);
    out
}

/// Decodes a proving key, checking that it belongs to `program_hash` and `shape`.
pub fn read_pk(bytes: &[u8], program_hash: &str, shape: Shape) -> Result<ProvingKey<Bn254>, BackendError> {
    let what = "proving key";
    let mut r = Reader { bytes, what };
    if r.take(8)? != PK_MAGIC {
        return Err(bad(what, "not a zkc Groth16 proving key (wrong magic bytes)"));
    }
    let hash = r.hash()?;
    check_hash(what, &hash, program_hash)?;
    let found = Shape {
        constraints: r.u64()?,
        instance: r.u64()?,
        witness: r.u64()?,
    };
    if found != shape {
        return Err(bad(
            what,
            format!("it was made for an R1CS of shape {found:?} but this program lowers to {shape:?}; run `zkc setup` again"),
        ));
    }
    let vk = read_vk_body(&mut r, false)?;
    let beta_g1 = r.point::<G1Affine>(G1U, Compress::No, Validate::No)?;
    let delta_g1 = r.point::<G1Affine>(G1U, Compress::No, Validate::No)?;
    let a_query = r.points::<G1Affine>(G1U)?;
    let b_g1_query = r.points::<G1Affine>(G1U)?;
    let b_g2_query = r.points::<G2Affine>(G2U)?;
    let h_query = r.points::<G1Affine>(G1U)?;
    let l_query = r.points::<G1Affine>(G1U)?;
    if !r.bytes.is_empty() {
        return Err(bad(what, format!("{} unexpected trailing bytes", r.bytes.len())));
    }
    let vars = (shape.instance + shape.witness) as usize;
    if a_query.len() != vars
        || b_g1_query.len() != vars
        || b_g2_query.len() != vars
        || l_query.len() != shape.witness as usize
    {
        return Err(bad(what, "its query vectors do not match the R1CS shape"));
    }
    Ok(ProvingKey {
        vk,
        beta_g1,
        delta_g1,
        a_query,
        b_g1_query,
        b_g2_query,
        h_query,
        l_query,
    })
}

/// Serializes a proof (128 bytes).
pub fn write_proof(p: &Proof<Bn254>) -> Vec<u8> {
    let mut out = Vec::with_capacity(PROOF_LEN);
    put(&mut out, &p.a, Compress::Yes);
    put(&mut out, &p.b, Compress::Yes);
    put(&mut out, &p.c, Compress::Yes);
    out
}

/// Decodes a proof, checking that its points are on the curve and in the subgroup.
pub fn read_proof(bytes: &[u8]) -> Result<Proof<Bn254>, BackendError> {
    if bytes.len() != PROOF_LEN {
        return Err(bad(
            "proof",
            format!("a Groth16 proof has {PROOF_LEN} bytes, found {}", bytes.len()),
        ));
    }
    let mut r = Reader { bytes, what: "proof" };
    Ok(Proof {
        a: r.point(G1C, Compress::Yes, Validate::Yes)?,
        b: r.point(G2C, Compress::Yes, Validate::Yes)?,
        c: r.point(G1C, Compress::Yes, Validate::Yes)?,
    })
}
