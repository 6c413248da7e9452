//! The KZG structured reference string (powers of tau) on BN254.
//!
//! **A locally generated SRS is a local trusted setup.** zkc draws its toxic waste `τ` from
//! the operating system's randomness, keeps only the powers `[τ^i]G` and caches them per `k`
//! (the first SRS written for a `k` stays: later runs, and other processes racing to write
//! it, reuse it, so keys on one machine are reproducible). Whoever trusts this machine to
//! have forgotten `τ` can trust its proofs; nobody else has a reason to. For proofs that
//! must convince someone else, pass an SRS from a public ceremony (for instance a
//! perpetual-powers-of-tau file in halo2's raw format) with [`crate::Halo2::with_srs`].
//! [`generate_from_seed`] exists for tests that need two SRS with one `τ`; its `τ` is as
//! public as its seed.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use halo2_proofs::halo2curves::bn256::Bn256;
use halo2_proofs::poly::commitment::Params;
use halo2_proofs::poly::kzg::commitment::ParamsKZG;
use halo2_proofs::SerdeFormat;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::Digest;
use zkc_runtime::BackendError;

/// The largest `k` zkc accepts (BN254's 2-adicity is 28; keys beyond 2^26 rows do not fit
/// in memory on the machines zkc targets anyway).
pub const MAX_K: u32 = 26;

/// Bytes of a raw G1 point (x, y in Montgomery form).
pub const G1_RAW: usize = 64;
/// Bytes of a raw G2 point.
pub const G2_RAW: usize = 128;

/// Where the SRS comes from.
#[derive(Clone, Debug)]
pub enum SrsSource {
    /// Generated locally from fresh randomness and cached in this directory
    /// (`None`: `$ZKC_SRS_DIR`, else `~/.cache/zkc/srs`).
    Local(Option<PathBuf>),
    /// An existing SRS file in halo2's raw format; downsized when its `k` is larger.
    File(PathBuf),
    /// Derived from this seed ([`generate_from_seed`]): reproducible anywhere, and forgeable
    /// by anyone who knows the seed. For tests and benchmarks only.
    Seed(Vec<u8>),
}

/// The cache directory for locally generated SRS files.
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("ZKC_SRS_DIR") {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".cache").join("zkc").join("srs")
}

/// File name of the cached SRS for `k`.
pub fn file_name(k: u32) -> String {
    format!("kzg-bn254-k{k}.srs")
}

/// Byte length of a raw SRS file of size `2^k`.
pub fn raw_len(k: u32) -> usize {
    4 + 2 * (1usize << k) * G1_RAW + 2 * G2_RAW
}

/// Generates an SRS for `k` with a fresh secret `τ` from the operating system's randomness.
pub fn generate(k: u32) -> ParamsKZG<Bn256> {
    ParamsKZG::<Bn256>::setup(k, ChaCha20Rng::from_entropy())
}

/// Generates an SRS for `k` whose `τ` is derived from `seed` (the same `τ` for every `k`).
/// Anyone who knows the seed can forge proofs for keys made with it: for tests only.
pub fn generate_from_seed(k: u32, seed: &[u8]) -> ParamsKZG<Bn256> {
    let seed: [u8; 32] = sha2::Sha256::digest(seed).into();
    ParamsKZG::<Bn256>::setup(k, ChaCha20Rng::from_seed(seed))
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> BackendError {
    BackendError::Prover(format!("SRS file {}: {e}", path.display()))
}

/// Reads a raw SRS file, checking its size first so a corrupt header cannot ask for a
/// huge allocation.
pub fn read(path: &Path) -> Result<ParamsKZG<Bn256>, BackendError> {
    let bytes = fs::read(path).map_err(|e| io_err(path, e))?;
    if bytes.len() < 4 {
        return Err(malformed(path, "shorter than its 4-byte header"));
    }
    let k = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    if k > MAX_K {
        return Err(malformed(path, &format!("k = {k} is larger than {MAX_K}")));
    }
    if bytes.len() != raw_len(k) {
        return Err(malformed(
            path,
            &format!(
                "{} bytes, a raw halo2 KZG SRS with k = {k} has {}",
                bytes.len(),
                raw_len(k)
            ),
        ));
    }
    ParamsKZG::<Bn256>::read_custom(&mut &bytes[..], SerdeFormat::RawBytes).map_err(|e| malformed(path, &e.to_string()))
}

fn malformed(path: &Path, why: &str) -> BackendError {
    BackendError::Malformed {
        what: "SRS file",
        reason: format!("{}: {why}", path.display()),
    }
}

/// The SRS for `k` from `source`.
pub fn params_for(source: &SrsSource, k: u32) -> Result<ParamsKZG<Bn256>, BackendError> {
    if k > MAX_K {
        return Err(BackendError::DoesNotFit {
            backend: "halo2",
            reason: format!("the circuit needs 2^{k} rows; at most 2^{MAX_K} are supported"),
        });
    }
    match source {
        SrsSource::File(path) => {
            let mut params = read(path)?;
            if params.k() < k {
                return Err(BackendError::DoesNotFit {
                    backend: "halo2",
                    reason: format!(
                        "the circuit needs an SRS with k >= {k} but {} has k = {}; pass a larger SRS",
                        path.display(),
                        params.k()
                    ),
                });
            }
            if params.k() > k {
                params.downsize(k);
            }
            Ok(params)
        }
        SrsSource::Seed(seed) => Ok(generate_from_seed(k, seed)),
        SrsSource::Local(dir) => {
            let dir = dir.clone().unwrap_or_else(default_dir);
            let path = dir.join(file_name(k));
            if path.exists() {
                match read(&path) {
                    Ok(p) if p.k() == k => return Ok(p),
                    // A cached file is only ever linked in whole, so one that does not read
                    // is damaged: drop it, so that a good one can take its place.
                    _ => {
                        let _ = fs::remove_file(&path);
                    }
                }
            }
            let params = generate(k);
            // The first SRS cached for `k` wins: when another process wrote one meanwhile,
            // use that one, so that every setup on this machine shares it. A cache that
            // cannot be written only costs time (and reproducibility) next run.
            match write_new(&dir, &path, &params) {
                Ok(true) => Ok(params),
                Ok(false) => match read(&path) {
                    Ok(p) if p.k() == k => Ok(p),
                    _ => Ok(params),
                },
                Err(_) => Ok(params),
            }
        }
    }
}

/// The SRS for `k` from `source` if it is already there, never generating a new one: a
/// verifier checking a key needs the SRS the key was made with, and a fresh local one is not.
/// `Ok(None)` when the local cache has no SRS for `k`.
pub fn existing_params_for(source: &SrsSource, k: u32) -> Result<Option<ParamsKZG<Bn256>>, BackendError> {
    match source {
        SrsSource::Local(dir) => {
            let path = dir.clone().unwrap_or_else(default_dir).join(file_name(k));
            match path.exists().then(|| read(&path)) {
                Some(Ok(p)) if p.k() == k => Ok(Some(p)),
                _ => Ok(None),
            }
        }
        other => params_for(other, k).map(Some),
    }
}

/// Writes `params` to `path` through a temporary file, unless `path` exists by then (a
/// hard link never replaces a file). `Ok(false)`: another writer was first.
fn write_new(dir: &Path, path: &Path, params: &ParamsKZG<Bn256>) -> std::io::Result<bool> {
    fs::create_dir_all(dir)?;
    // Unique per process and call: threads of one process may write the same k at once.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("srs"),
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    {
        let mut f = std::io::BufWriter::new(fs::File::create(&tmp)?);
        params.write_custom(&mut f, SerdeFormat::RawBytes)?;
        f.flush()?;
        f.get_ref().sync_all()?;
    }
    let linked = match fs::hard_link(&tmp, path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    };
    let _ = fs::remove_file(&tmp);
    linked
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::poly::commitment::ParamsProver;

    #[test]
    fn raw_file_round_trips_and_downsizes() {
        let dir = tempfile::tempdir().unwrap();
        let p = params_for(&SrsSource::Local(Some(dir.path().into())), 5).unwrap();
        let path = dir.path().join(file_name(5));
        assert_eq!(fs::metadata(&path).unwrap().len() as usize, raw_len(5));
        let again = params_for(&SrsSource::File(path.clone()), 4).unwrap();
        assert_eq!(again.k(), 4);
        assert_eq!(p.g2(), again.g2());
        let mut bytes = fs::read(&path).unwrap();
        bytes.truncate(bytes.len() - 1);
        fs::write(&path, &bytes).unwrap();
        assert!(params_for(&SrsSource::File(path), 4).is_err());
    }

    #[test]
    fn local_srs_is_fresh_randomness_and_the_first_cached_one_stays() {
        let dir = tempfile::tempdir().unwrap();
        // Two generations never share τ (it is not derived from anything public).
        assert_ne!(generate(3).get_g()[1], generate(3).get_g()[1]);
        let src = SrsSource::Local(Some(dir.path().into()));
        let first = params_for(&src, 3).unwrap();
        let again = params_for(&src, 3).unwrap();
        assert_eq!(first.get_g()[1], again.get_g()[1]);
        // A racing writer that comes second neither replaces the cache nor uses its own.
        let other = generate(3);
        let path = dir.path().join(file_name(3));
        assert!(!write_new(dir.path(), &path, &other).unwrap());
        assert_eq!(read(&path).unwrap().get_g()[1], first.get_g()[1]);
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "temporary files are removed");
        // A damaged cache file is replaced, not kept forever.
        fs::write(&path, b"damaged").unwrap();
        let fresh = params_for(&src, 3).unwrap();
        assert_eq!(read(&path).unwrap().get_g()[1], fresh.get_g()[1]);
    }
}
