//! Versioned artifact files: every file zkc writes starts with a header line.
//!
//! Layout: the magic line `ZKC-ARTIFACT\n`, one line of JSON [`Header`], then the payload
//! bytes. Files are written to a temporary file and renamed, so an interrupted run never
//! leaves half an artifact behind.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The artifact format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
const MAGIC: &[u8] = b"ZKC-ARTIFACT\n";

/// The header every artifact carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// What the file holds: `circuit`, `proving-key`, `verifying-key`, `proof`, `witness`, ...
    pub kind: String,
    /// [`FORMAT_VERSION`] at write time.
    pub format_version: u32,
    /// The zkc version that wrote it.
    pub zkc_version: String,
    /// The backend it belongs to (`none` for backend-independent files).
    pub backend: String,
    /// Hex SHA-256 of the compiled circuit it belongs to.
    pub circuit_hash: String,
    /// Hex SHA-256 of the whole compiled-circuit file's payload (the program *and* what a
    /// verifier reads beside it: visibility, input ranges, weight bound), for the circuit
    /// file itself and for the keys and proofs made from it. The backends bind keys to the
    /// program alone; this binds them to the file, so an edited plan is refused. Empty for
    /// artifacts that are not tied to a circuit file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contents_hash: String,
}

/// An artifact could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// I/O failure.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Not a zkc artifact, or a damaged header.
    #[error("{path}: not a zkc artifact ({reason}); expected a file written by zkc")]
    NotAnArtifact {
        /// The file.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// The header does not match what the caller needs.
    #[error("{path}: {reason}")]
    Mismatch {
        /// The file.
        path: String,
        /// Which field differs and what to do.
        reason: String,
    },
}

impl Header {
    /// A header for this zkc build.
    pub fn new(kind: &str, backend: &str, circuit_hash: &str) -> Self {
        Header {
            kind: kind.to_string(),
            format_version: FORMAT_VERSION,
            zkc_version: env!("CARGO_PKG_VERSION").to_string(),
            backend: backend.to_string(),
            circuit_hash: circuit_hash.to_string(),
            contents_hash: String::new(),
        }
    }

    /// The header bound to a circuit file's contents ([`Header::contents_hash`]).
    pub fn with_contents(mut self, contents_hash: &str) -> Self {
        self.contents_hash = contents_hash.to_string();
        self
    }
}

/// Hex SHA-256 of `bytes` (an artifact payload), as [`Header::contents_hash`] holds it.
pub fn contents_hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Writes `header` and `payload` to `path` atomically (temp file, fsync, rename).
pub fn write(path: &Path, header: &Header, payload: &[u8]) -> Result<(), ArtifactError> {
    let io = |source| ArtifactError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut bytes = Vec::with_capacity(payload.len() + 256);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(serde_json::to_string(header).expect("header serializes").as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(payload);
    write_file_atomic(path, &bytes).map_err(io)
}

/// Writes `bytes` to `path` through a temporary file beside it (fsync, rename), so that an
/// interrupted run leaves the old file or the new one, never half of one. For the plain files
/// zkc writes too (exports, public values, reports).
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Reads an artifact and returns its header and payload, without checking the header.
pub fn read_any(path: &Path) -> Result<(Header, Vec<u8>), ArtifactError> {
    let p = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ArtifactError::Io {
        path: p.clone(),
        source,
    })?;
    let bad = |reason: &str| ArtifactError::NotAnArtifact {
        path: p.clone(),
        reason: reason.into(),
    };
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| bad("missing the ZKC-ARTIFACT magic line"))?;
    let nl = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| bad("truncated header"))?;
    let header: Header = serde_json::from_slice(&rest[..nl]).map_err(|e| bad(&format!("bad header: {e}")))?;
    Ok((header, rest[nl + 1..].to_vec()))
}

/// Reads an artifact and checks its kind, format version, backend and (when given) circuit hash.
pub fn read(
    path: &Path,
    kind: &str,
    backend: &str,
    circuit_hash: Option<&str>,
) -> Result<(Header, Vec<u8>), ArtifactError> {
    let (header, payload) = read_any(path)?;
    let p = path.display().to_string();
    let mismatch = |reason: String| ArtifactError::Mismatch {
        path: p.clone(),
        reason,
    };
    if header.format_version != FORMAT_VERSION {
        return Err(mismatch(format!(
            "artifact format version {} but this zkc reads version {FORMAT_VERSION}; regenerate it with this zkc ({})",
            header.format_version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    if header.kind != kind {
        return Err(mismatch(format!(
            "this file is a {} but a {kind} was expected",
            header.kind
        )));
    }
    if header.backend != backend {
        return Err(mismatch(format!(
            "this {kind} is for the {} backend but the {backend} backend was asked for; pass --backend {} or regenerate it",
            header.backend, header.backend
        )));
    }
    if let Some(h) = circuit_hash {
        if header.circuit_hash != h {
            return Err(mismatch(format!(
                "this {kind} belongs to another circuit (hash {}…, expected {}…); it was made for a different model or settings: regenerate it",
                &header.circuit_hash.get(..12).unwrap_or(&header.circuit_hash),
                &h.get(..12).unwrap_or(h)
            )));
        }
    }
    Ok((header, payload))
}
