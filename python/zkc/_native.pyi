"""Type stubs of the Rust extension module ``zkc._native``."""

from typing import List, Optional

class ZkcError(Exception):
    """Any zkc failure; the message is the CLI's."""

class BadModelError(ZkcError):
    """The model is unreadable, not ONNX, or has an invalid node."""

class UnsupportedOpError(BadModelError):
    """The model uses an op zkc cannot import or prove."""

class BadInputError(ZkcError):
    """An input or data file (or value) is malformed, of the wrong size, or out of range."""

class ProofRejectedError(ZkcError):
    """A proof, a key, or an expectation about what the proof shows was rejected."""

class ArtifactMismatchError(ZkcError):
    """An artifact is of another zkc version, backend or circuit, or is damaged."""

class UsageError(ZkcError):
    """The options given do not form a valid zkc command."""

def cli(args: List[str]) -> None:
    """Runs one zkc command line (the arguments after the program name)."""

def hash_file(file: str, backend: str = "halo2", scale: Optional[int] = None, circuit: Optional[str] = None) -> str:
    """The Poseidon commitment of an IN.json, OUT.json or params.zkc, as ``zkc hash`` prints it."""

def ops() -> List[str]:
    """The ONNX op types zkc imports."""

def set_progress(on: bool) -> None:
    """Draw progress bars on stderr during long steps."""

def version() -> str:
    """The zkc version this package was built from."""

def model_output_shapes(model: str, batch: int = 1) -> List[List[int]]:
    """The shapes of a model's outputs (a symbolic batch dimension set to ``batch``)."""

def circuit_output_shapes(circuit: str) -> List[List[int]]:
    """The shapes of a compiled circuit's outputs (DIR or DIR/circuit.zkc)."""
