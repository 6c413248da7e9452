//! `zkc._native`: the zkc commands for Python. Each call runs the very code the `zkc` binary
//! runs (`zkc_compiler::cli`), with the interpreter's lock released, and turns a failure into
//! the Python exception of its kind, with the CLI's message. The Python layer (`zkc/`) turns
//! arrays and ONNX models into the files the commands read, and their files back into arrays.

use std::ffi::OsString;
use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use zkc_compiler::bench::Relaunch;
use zkc_compiler::cli::{self as zkc_cli, ErrorKind};

create_exception!(zkc, ZkcError, PyException, "Any zkc failure; the message is the CLI's.");
create_exception!(
    zkc,
    BadModelError,
    ZkcError,
    "The model is unreadable, not ONNX, or has an invalid node."
);
create_exception!(
    zkc,
    UnsupportedOpError,
    BadModelError,
    "The model uses an op zkc cannot import or prove; `zkc.ops()` lists the supported ones."
);
create_exception!(
    zkc,
    BadInputError,
    ZkcError,
    "An input or data file (or value) is malformed, of the wrong size, or outside the calibrated range."
);
create_exception!(
    zkc,
    ProofRejectedError,
    ZkcError,
    "A proof, a key, or an expectation about what the proof shows was rejected."
);
create_exception!(
    zkc,
    ArtifactMismatchError,
    ZkcError,
    "An artifact is of another zkc version, backend or circuit, or is damaged."
);
create_exception!(
    zkc,
    UsageError,
    ZkcError,
    "The options given do not form a valid zkc command (an unknown option, say)."
);

/// The exception for a failed command: its class from the error's kind, its message the
/// line the CLI prints after `error: `.
fn to_py(e: &anyhow::Error) -> PyErr {
    let msg = zkc_cli::error_chain(e);
    match zkc_cli::error_kind(e) {
        ErrorKind::BadModel => BadModelError::new_err(msg),
        ErrorKind::UnsupportedOp => UnsupportedOpError::new_err(msg),
        ErrorKind::BadInput => BadInputError::new_err(msg),
        ErrorKind::ProofRejected => ProofRejectedError::new_err(msg),
        ErrorKind::ArtifactMismatch => ArtifactMismatchError::new_err(msg),
        ErrorKind::Usage => UsageError::new_err(msg),
        ErrorKind::Other => ZkcError::new_err(msg),
    }
}

/// Runs one zkc command line, `args` as after the program name (`["verify", "out/ff"]`),
/// without holding the interpreter's lock. `zkc bench` re-runs itself per backend as
/// `python -m zkc bench ...` with this interpreter.
#[pyfunction]
fn cli(py: Python<'_>, args: Vec<String>) -> PyResult<()> {
    let executable: PathBuf = py.import("sys")?.getattr("executable")?.extract()?;
    let relaunch = Relaunch {
        program: executable,
        args: ["-m", "zkc"]
            .into_iter()
            .map(OsString::from)
            .chain(args.iter().map(OsString::from))
            .collect(),
    };
    let argv: Vec<OsString> = std::iter::once(OsString::from("zkc"))
        .chain(args.into_iter().map(OsString::from))
        .collect();
    let result = py.detach(move || {
        // A panic is a bug, but it must not take the interpreter down with it.
        std::panic::catch_unwind(|| zkc_cli::run_args(argv, Some(relaunch)))
    });
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(to_py(&e)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(ZkcError::new_err(format!(
                "internal error (a bug in zkc, please report it): {what}"
            )))
        }
    }
}

/// The Poseidon commitment of an IN.json, OUT.json or params.zkc, as `zkc hash` prints it.
#[pyfunction]
#[pyo3(signature = (file, backend = "halo2".to_string(), scale = None, circuit = None))]
fn hash_file(
    py: Python<'_>,
    file: PathBuf,
    backend: String,
    scale: Option<u32>,
    circuit: Option<PathBuf>,
) -> PyResult<String> {
    py.detach(move || zkc_cli::hash_file(&file, &backend, scale, circuit.as_deref()))
        .map_err(|e| to_py(&e))
}

/// The shapes of a model's outputs (a symbolic batch dimension set to `batch`).
#[pyfunction]
#[pyo3(signature = (model, batch = 1))]
fn model_output_shapes(py: Python<'_>, model: PathBuf, batch: usize) -> PyResult<Vec<Vec<usize>>> {
    py.detach(move || {
        let options = zkc_compiler::onnx::ImportOptions {
            batch_size: batch,
            ..Default::default()
        };
        let g = zkc_compiler::onnx::load(&model, &options)?;
        Ok(g.outputs.iter().map(|&v| g.value(v).shape.clone()).collect())
    })
    .map_err(|e: anyhow::Error| to_py(&e))
}

/// The shapes of a compiled circuit's outputs (DIR or DIR/circuit.zkc).
#[pyfunction]
fn circuit_output_shapes(py: Python<'_>, circuit: PathBuf) -> PyResult<Vec<Vec<usize>>> {
    py.detach(move || {
        let path = if circuit.is_dir() {
            circuit.join("circuit.zkc")
        } else {
            circuit
        };
        let file = zkc_compiler::pipeline::read_circuit(&path)?;
        Ok(file.compiled.program.outputs.iter().map(|t| t.shape.clone()).collect())
    })
    .map_err(|e: anyhow::Error| to_py(&e))
}

/// The ONNX op types zkc imports, as `zkc ops` lists them.
#[pyfunction]
fn ops() -> Vec<&'static str> {
    zkc_compiler::onnx::SUPPORTED_OPS.to_vec()
}

/// Draw progress bars on stderr during long steps (on by default, and only on a terminal).
#[pyfunction]
fn set_progress(on: bool) {
    zkc_compiler::progress::set_enabled(on);
}

/// The zkc version this package was built from.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(cli, m)?)?;
    m.add_function(wrap_pyfunction!(hash_file, m)?)?;
    m.add_function(wrap_pyfunction!(ops, m)?)?;
    m.add_function(wrap_pyfunction!(model_output_shapes, m)?)?;
    m.add_function(wrap_pyfunction!(circuit_output_shapes, m)?)?;
    m.add_function(wrap_pyfunction!(set_progress, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add("ZkcError", py.get_type::<ZkcError>())?;
    m.add("BadModelError", py.get_type::<BadModelError>())?;
    m.add("UnsupportedOpError", py.get_type::<UnsupportedOpError>())?;
    m.add("BadInputError", py.get_type::<BadInputError>())?;
    m.add("ProofRejectedError", py.get_type::<ProofRejectedError>())?;
    m.add("ArtifactMismatchError", py.get_type::<ArtifactMismatchError>())?;
    m.add("UsageError", py.get_type::<UsageError>())?;
    Ok(())
}
