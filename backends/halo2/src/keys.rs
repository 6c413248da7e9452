//! Byte formats of zkc's halo2 keys. Both start with a magic and version, the circuit's
//! `k`, its [`Shape`] and the program hash, so a key of another program or layout is
//! refused with a message before halo2 parses anything.
//!
//! Proving key: header · SRS (raw, `2^k` powers and their Lagrange form) · halo2 proving key
//! (raw) · SHA-256 of everything before it. It is self-contained: proving needs only the
//! program, this key and the trace.
//!
//! Verifying key: header · `g`, `g2`, `s·g2` (the three SRS points a KZG verifier uses) ·
//! halo2 verifying key (raw bytes, points checked on load).

use halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine, G2Affine};
use halo2_proofs::plonk::{ProvingKey, VerifyingKey};
use halo2_proofs::poly::commitment::{Params, ParamsProver};
use halo2_proofs::poly::kzg::commitment::ParamsKZG;
use halo2_proofs::{SerdeCurveAffine, SerdeFormat};
use sha2::Digest;
use zkc_runtime::BackendError;

use crate::circuit::ZkcCircuit;
use crate::plan::Shape;
use crate::srs::{self, G1_RAW, G2_RAW, MAX_K};

const PK_MAGIC: &[u8; 8] = b"ZKCH2PK\x02";
const VK_MAGIC: &[u8; 8] = b"ZKCH2VK\x02";
const FR_BYTES: usize = 32;

/// What a key says about the circuit it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// `log2` of the number of rows.
    pub k: u32,
    /// Column structure.
    pub shape: Shape,
    /// [`zkc_runtime::Program::hash`] of the program.
    pub program_hash: String,
}

fn malformed(what: &'static str, reason: impl Into<String>) -> BackendError {
    BackendError::Malformed {
        what,
        reason: reason.into(),
    }
}

/// A bounds-checked reader over key bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BackendError> {
        if self.bytes.len() < n {
            return Err(malformed(
                self.what,
                format!("truncated: needed {n} more bytes, {} left", self.bytes.len()),
            ));
        }
        let (a, b) = self.bytes.split_at(n);
        self.bytes = b;
        Ok(a)
    }
    fn u32(&mut self) -> Result<u32, BackendError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> Result<u64, BackendError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn len(&mut self) -> Result<usize, BackendError> {
        let n = self.u64()?;
        usize::try_from(n).map_err(|_| malformed(self.what, "length field out of range"))
    }
}

fn write_header(out: &mut Vec<u8>, magic: &[u8; 8], h: &Header) {
    out.extend_from_slice(magic);
    out.extend_from_slice(&h.k.to_le_bytes());
    for w in h.shape.to_words() {
        out.extend_from_slice(&w.to_le_bytes());
    }
    let hash = h.program_hash.as_bytes();
    out.extend_from_slice(&(hash.len() as u32).to_le_bytes());
    out.extend_from_slice(hash);
}

fn read_header(c: &mut Cursor<'_>, magic: &[u8; 8]) -> Result<Header, BackendError> {
    if c.take(8)? != magic {
        return Err(malformed(
            c.what,
            "not a zkc halo2 key of this version (wrong magic bytes)",
        ));
    }
    let k = c.u32()?;
    if k > MAX_K {
        return Err(malformed(c.what, format!("k = {k} is larger than {MAX_K}")));
    }
    let mut w = [0u32; 7];
    for x in &mut w {
        *x = c.u32()?;
    }
    let n = c.u32()? as usize;
    if n > 256 {
        return Err(malformed(c.what, "program hash field too long"));
    }
    let hash = std::str::from_utf8(c.take(n)?)
        .map_err(|_| malformed(c.what, "program hash is not UTF-8"))?
        .to_string();
    Ok(Header {
        k,
        shape: Shape::from_words(w),
        program_hash: hash,
    })
}

/// Checks that a key's header matches the program's circuit.
pub fn check_header(what: &'static str, got: &Header, want: &Header) -> Result<(), BackendError> {
    if got.program_hash != want.program_hash {
        return Err(malformed(
            what,
            format!(
                "it was made for program {} but this program is {}; run setup for this program",
                got.program_hash, want.program_hash
            ),
        ));
    }
    if got.k != want.k || got.shape != want.shape {
        return Err(malformed(
            what,
            format!(
                "its layout (k={}, {:?}) differs from this build's layout of the program (k={}, {:?}); run setup again",
                got.k, got.shape, want.k, want.shape
            ),
        ));
    }
    Ok(())
}

/// Serializes the proving key with its SRS.
pub fn write_pk(h: &Header, params: &ParamsKZG<Bn256>, pk: &ProvingKey<G1Affine>) -> Vec<u8> {
    let mut out = Vec::new();
    write_header(&mut out, PK_MAGIC, h);
    let mut p = Vec::with_capacity(srs::raw_len(params.k()));
    params
        .write_custom(&mut p, SerdeFormat::RawBytes)
        .expect("writing to a Vec cannot fail");
    out.extend_from_slice(&(p.len() as u64).to_le_bytes());
    out.extend_from_slice(&p);
    drop(p);
    let vk_len = pk.get_vk().to_bytes(SerdeFormat::RawBytes).len();
    let body = pk.to_bytes(SerdeFormat::RawBytes);
    out.extend_from_slice(&(vk_len as u64).to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    drop(body);
    let sum = sha2::Sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

/// Parses a proving key, refusing anything whose header, checksum or structure is off
/// (halo2's own readers panic on truncated input, so nothing reaches them unchecked).
pub fn read_pk(bytes: &[u8], want: &Header) -> Result<(ParamsKZG<Bn256>, ProvingKey<G1Affine>), BackendError> {
    const WHAT: &str = "proving key";
    if bytes.len() < 32 {
        return Err(malformed(WHAT, "truncated: shorter than its checksum"));
    }
    let (data, sum) = bytes.split_at(bytes.len() - 32);
    let mut c = Cursor {
        bytes: data,
        what: WHAT,
    };
    let h = read_header(&mut c, PK_MAGIC)?;
    check_header(WHAT, &h, want)?;
    if sha2::Sha256::digest(data).as_slice() != sum {
        return Err(malformed(WHAT, "checksum mismatch: the file is truncated or corrupted"));
    }
    let plen = c.len()?;
    if plen != srs::raw_len(h.k) {
        return Err(malformed(
            WHAT,
            format!("SRS section has {plen} bytes, expected {}", srs::raw_len(h.k)),
        ));
    }
    let praw = c.take(plen)?;
    if praw[..4] != h.k.to_le_bytes() {
        return Err(malformed(WHAT, "SRS section is for another k"));
    }
    let params = ParamsKZG::<Bn256>::read_custom(&mut &praw[..], SerdeFormat::RawBytesUnchecked)
        .map_err(|e| malformed(WHAT, format!("SRS section: {e}")))?;
    let vk_len = c.len()?;
    let body_len = c.len()?;
    let body = c.take(body_len)?;
    if !c.bytes.is_empty() {
        return Err(malformed(WHAT, "trailing bytes after the key"));
    }
    if vk_len > body.len() {
        return Err(malformed(WHAT, "verifying-key section longer than the key"));
    }
    check_vk_prefix(&body[..vk_len], h.k, WHAT)?;
    check_pk_polys(&body[vk_len..], h.k, WHAT)?;
    let pk =
        ProvingKey::<G1Affine>::read::<_, ZkcCircuit<'static>>(&mut &body[..], SerdeFormat::RawBytesUnchecked, h.shape)
            .map_err(|e| malformed(WHAT, e.to_string()))?;
    Ok((params, pk))
}

/// The halo2 verifying key starts with a version byte, `k` and the selector flag; a
/// corrupt `k` would make halo2 build a huge domain, so it is checked here first.
fn check_vk_prefix(vk: &[u8], k: u32, what: &'static str) -> Result<(), BackendError> {
    if vk.len() < 6 || vk[0] != 0x02 || vk[1..5] != k.to_le_bytes() || vk[5] > 1 {
        return Err(malformed(what, "halo2 verifying key section has a bad header"));
    }
    Ok(())
}

/// Walks the polynomial section of a halo2 proving key: `l0, l_last, l_active_row`, then
/// fixed values, fixed polys, permutation values, permutation polys, each a vector of
/// `2^k`-long polynomials with big-endian length prefixes.
fn check_pk_polys(mut b: &[u8], k: u32, what: &'static str) -> Result<(), BackendError> {
    let n = 1usize << k;
    let bad = || malformed(what, "polynomial section is truncated or corrupted");
    let u32be = |b: &mut &[u8]| -> Result<usize, BackendError> {
        if b.len() < 4 {
            return Err(bad());
        }
        let v = u32::from_be_bytes(b[..4].try_into().expect("4 bytes")) as usize;
        *b = &b[4..];
        Ok(v)
    };
    let poly = |b: &mut &[u8]| -> Result<(), BackendError> {
        let len = u32be(b)?;
        if len != n || b.len() < n * FR_BYTES {
            return Err(bad());
        }
        *b = &b[n * FR_BYTES..];
        Ok(())
    };
    for _ in 0..3 {
        poly(&mut b)?;
    }
    for _ in 0..4 {
        let count = {
            if b.len() < 4 {
                return Err(bad());
            }
            let v = u32::from_be_bytes(b[..4].try_into().expect("4 bytes")) as usize;
            b = &b[4..];
            v
        };
        if count > 10_000 {
            return Err(bad());
        }
        for _ in 0..count {
            poly(&mut b)?;
        }
    }
    if !b.is_empty() {
        return Err(bad());
    }
    Ok(())
}

/// Serializes the verifying key with the SRS points a verifier needs.
pub fn write_vk(h: &Header, params: &ParamsKZG<Bn256>, vk: &VerifyingKey<G1Affine>) -> Vec<u8> {
    let mut out = Vec::new();
    write_header(&mut out, VK_MAGIC, h);
    out.extend(srs_points(params));
    let body = vk.to_bytes(SerdeFormat::RawBytes);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// Parses a verifying key into verifier parameters and the halo2 key.
pub fn read_vk(bytes: &[u8], want: &Header) -> Result<(ParamsKZG<Bn256>, VerifyingKey<G1Affine>), BackendError> {
    const WHAT: &str = "verifying key";
    let mut c = Cursor { bytes, what: WHAT };
    let h = read_header(&mut c, VK_MAGIC)?;
    check_header(WHAT, &h, want)?;
    let pt = |e: std::io::Error| malformed(WHAT, format!("SRS point: {e}"));
    let g0 = G1Affine::read(&mut c.take(G1_RAW)?, SerdeFormat::RawBytes).map_err(pt)?;
    let g2 = G2Affine::read(&mut c.take(G2_RAW)?, SerdeFormat::RawBytes).map_err(pt)?;
    let s_g2 = G2Affine::read(&mut c.take(G2_RAW)?, SerdeFormat::RawBytes).map_err(pt)?;
    let body_len = c.len()?;
    let body = c.take(body_len)?;
    if !c.bytes.is_empty() {
        return Err(malformed(WHAT, "trailing bytes after the key"));
    }
    check_vk_prefix(body, h.k, WHAT)?;
    let vk = VerifyingKey::<G1Affine>::read::<_, ZkcCircuit<'static>>(&mut &body[..], SerdeFormat::RawBytes, h.shape)
        .map_err(|e| malformed(WHAT, e.to_string()))?;
    if vk.fixed_commitments().len() != vk.cs().num_fixed_columns() {
        return Err(malformed(WHAT, "wrong number of fixed commitments"));
    }
    Ok((verifier_params(h.k, g0, g2, s_g2), vk))
}

/// The three SRS points a KZG verifier uses (`g`, `g2`, `s·g2`), raw: what a verifying key
/// carries, so two keys made with the same SRS carry the same bytes.
pub fn srs_points(params: &ParamsKZG<Bn256>) -> Vec<u8> {
    let mut out = Vec::new();
    params.get_g()[0]
        .write(&mut out, SerdeFormat::RawBytes)
        .expect("Vec write");
    params.g2().write(&mut out, SerdeFormat::RawBytes).expect("Vec write");
    params.s_g2().write(&mut out, SerdeFormat::RawBytes).expect("Vec write");
    out
}

/// KZG verifier parameters from the three points a verifier uses (`g`, `g2`, `s·g2`).
fn verifier_params(k: u32, g0: G1Affine, g2: G2Affine, s_g2: G2Affine) -> ParamsKZG<Bn256> {
    // `ParamsKZG::from_parts` is a method; a size-1 instance built from the same points
    // serves as its receiver.
    let mut raw = Vec::with_capacity(srs::raw_len(0));
    raw.extend_from_slice(&0u32.to_le_bytes());
    for _ in 0..2 {
        g0.write(&mut raw, SerdeFormat::RawBytes).expect("Vec write");
    }
    g2.write(&mut raw, SerdeFormat::RawBytes).expect("Vec write");
    s_g2.write(&mut raw, SerdeFormat::RawBytes).expect("Vec write");
    let tiny =
        ParamsKZG::<Bn256>::read_custom(&mut &raw[..], SerdeFormat::RawBytesUnchecked).expect("well-formed size-1 SRS");
    tiny.from_parts(k, vec![g0], Some(Vec::new()), g2, s_g2)
}

/// Field elements of the public values.
pub fn instance(public: &[i128]) -> Vec<Fr> {
    public.iter().map(|&v| crate::field::fr(v)).collect()
}
