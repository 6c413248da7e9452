"""zkc: prove that an ONNX neural network gave an output, on halo2, plonky2 or Groth16.

Every function runs the same Rust code as the ``zkc`` command line and reads and writes the
same files, so a proof made here verifies with ``zkc verify`` and the reverse. Models are a
path, the bytes of an ``.onnx`` file, or an ``onnx.ModelProto``; inputs are numpy arrays (or
nested lists), one per graph input in graph order; outputs come back as numpy arrays shaped
by the model.

Quantization and visibility options are the CLI's flags as keyword arguments, with
underscores: ``scale=12``, ``input_visibility="hashed"``, ``target="accuracy"``,
``passes="fuse,pack"``, ``no_passes=True``. ``zkc compile --help`` lists them all; an unknown
one raises :class:`UsageError`.

>>> import zkc, numpy as np
>>> proof = zkc.fullprove("model.onnx", [np.ones((1, 4))], backend="groth16", out="out/m")
>>> zkc.verify(proof.dir)
True
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from . import _native
from ._native import (
    ArtifactMismatchError,
    BadInputError,
    BadModelError,
    ProofRejectedError,
    UnsupportedOpError,
    UsageError,
    ZkcError,
)

__all__ = [
    "compile",
    "setup",
    "prove",
    "verify",
    "fullprove",
    "mock",
    "run",
    "calibrate",
    "table",
    "bench",
    "hash",
    "aggregate",
    "export_snarkjs",
    "export_solidity",
    "ops",
    "set_progress",
    "Proof",
    "Table",
    "ZkcError",
    "BadModelError",
    "UnsupportedOpError",
    "BadInputError",
    "ProofRejectedError",
    "ArtifactMismatchError",
    "UsageError",
]

__version__ = _native.version()

PathLike = Union[str, "os.PathLike[str]"]
Model = Union[PathLike, bytes, Any]  # Any: an onnx.ModelProto
Inputs = Union[PathLike, Sequence[Any]]
BACKENDS = ("halo2", "plonky2", "groth16")


# --------------------------------------------------------------------------------------
# Results


@dataclass
class Proof:
    """A proof directory as ``zkc prove`` leaves it.

    ``dir`` holds circuit.zkc, pk.zkc, vk.zkc, proof.zkc, public.json and output.json;
    ``outputs`` are the proven outputs (dequantized, shaped like the model's outputs);
    ``public`` is public.json (the values and commitments a verifier sees).
    """

    dir: Path
    outputs: List[np.ndarray]
    public: Dict[str, Any] = field(repr=False)


@dataclass
class Table:
    """``zkc table`` as data: one row per IR node. ``print(t)`` shows it aligned."""

    headers: List[str]
    rows: List[Dict[str, str]]
    inputs: List[str]
    outputs: List[str]
    params: int
    totals: List[str]

    def __str__(self) -> str:
        cells = [self.headers] + [[r[h] for h in self.headers] for r in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.headers))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        lines.append(f"inputs: {', '.join(self.inputs)}")
        lines.append(f"outputs: {', '.join(self.outputs)}")
        lines.append(f"nodes: {len(self.rows)}, constant parameters: {self.params}")
        lines.extend(f"total {t}" for t in self.totals)
        return "\n".join(lines)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)


# --------------------------------------------------------------------------------------
# Conversions between Python values and the files the commands take


def _cli(*args: Any) -> None:
    _native.cli([os.fspath(a) if isinstance(a, os.PathLike) else str(a) for a in args])


def _options(options: Dict[str, Any]) -> List[str]:
    """Keyword options as CLI flags: ``scale=12`` -> ``--scale 12``, ``no_passes=True`` ->
    ``--no-passes``; False and None leave a flag out; a list repeats it."""
    out: List[str] = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            out.append(flag)
        elif isinstance(value, (list, tuple)):
            for v in value:
                out += [flag, os.fspath(v) if isinstance(v, os.PathLike) else str(v)]
        else:
            out += [flag, os.fspath(value) if isinstance(value, os.PathLike) else str(value)]
    return out


def _flat(x: Any, what: str) -> List[Any]:
    a = np.asarray(x)
    if a.dtype == object:
        raise BadInputError(f"{what}: not a rectangular numeric array")
    if a.dtype == bool:
        return [bool(v) for v in a.ravel()]
    if np.issubdtype(a.dtype, np.integer):
        return [int(v) for v in a.ravel()]
    if not np.issubdtype(a.dtype, np.number):
        raise BadInputError(f"{what}: expected numbers, got dtype {a.dtype}")
    return [float(v) for v in a.ravel()]


def _is_path(x: Any) -> bool:
    return isinstance(x, (str, os.PathLike))


class _Scratch:
    """A temporary directory for the files a call hands the CLI, removed afterwards."""

    def __enter__(self) -> "_Scratch":
        self._tmp = tempfile.TemporaryDirectory(prefix="zkc-")
        self.dir = Path(self._tmp.name)
        self._n = 0
        return self

    def __exit__(self, *exc: Any) -> None:
        self._tmp.cleanup()

    def path(self, name: str) -> Path:
        self._n += 1
        return self.dir / f"{self._n}-{name}"

    def model(self, model: Model) -> Path:
        if _is_path(model):
            return Path(model)
        if isinstance(model, (bytes, bytearray)):
            data = bytes(model)
        elif hasattr(model, "SerializeToString"):
            data = model.SerializeToString()
        else:
            raise TypeError(
                f"model: expected a path, the bytes of an .onnx file or an onnx.ModelProto, got {type(model).__name__}"
            )
        p = self.path("model.onnx")
        p.write_bytes(data)
        return p

    def inputs(self, inputs: Inputs) -> Path:
        """IN.json: a path as it is, or one array per graph input."""
        return self._data(inputs, "input")

    def outputs(self, outputs: Inputs) -> Path:
        """OUT.json: a path as it is, or one array per graph output."""
        return self._data(outputs, "output")

    def _data(self, values: Inputs, kind: str) -> Path:
        if _is_path(values):
            return Path(values)
        p = self.path(f"{kind}.json")
        p.write_text(json.dumps({f"{kind}_data": _lists(values, f"{kind}s")}))
        return p

    def samples(self, data: Inputs) -> Path:
        """Calibration samples: a path, one sample (a list of arrays, one per input), or a
        list of samples (a list of such lists)."""
        if _is_path(data):
            return Path(data)
        items = list(data)
        if items and all(_is_sample(x) for x in items):
            body: Any = [{"input_data": _lists(x, f"data[{i}]")} for i, x in enumerate(items)]
        else:
            body = {"input_data": _lists(items, "data")}
        p = self.path("data.json")
        p.write_text(json.dumps(body))
        return p


def _is_sample(x: Any) -> bool:
    """Whether ``x`` is one sample (a list of per-input arrays) rather than one input: a list
    or tuple whose items are all arrays or lists. (One input given as nested lists looks the
    same: pass inputs as numpy arrays to be unambiguous.)"""
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(isinstance(t, (np.ndarray, list, tuple)) for t in x)


def _lists(arrays: Sequence[Any], what: str) -> List[List[Any]]:
    if isinstance(arrays, np.ndarray):
        raise BadInputError(
            f"{what}: give a list with one array per graph input (a single array is ambiguous: wrap it as [x])"
        )
    return [_flat(a, f"{what}[{i}]") for i, a in enumerate(arrays)]


def _as_array(values: list) -> np.ndarray:
    """One output list as written: booleans and integers (outputs the model declares bool or
    integer) keep their type; numbers are float64, with null (a NaN) as NaN."""
    if values and all(isinstance(x, bool) for x in values):
        return np.asarray(values, dtype=np.bool_)
    if values and all(isinstance(x, int) and not isinstance(x, bool) for x in values):
        return np.asarray(values, dtype=np.int64)
    return np.asarray([np.nan if x is None else x for x in values], dtype=np.float64)


def _read_outputs(path: Path, shapes: Optional[List[List[int]]] = None) -> List[np.ndarray]:
    """OUT.json's lists as arrays, shaped as the model's outputs when the counts agree."""
    data = json.loads(path.read_text())["output_data"]
    arrays = [_as_array(d) for d in data]
    if shapes is not None and len(shapes) == len(arrays):
        arrays = [a.reshape(s) if int(np.prod(s)) == a.size else a for a, s in zip(arrays, shapes)]
    return arrays


def _output_shapes(model_path: Path, batch: int = 1) -> List[List[int]]:
    return [list(s) for s in _native.model_output_shapes(os.fspath(model_path), batch)]


def _circuit_output_shapes(dir: Path) -> List[List[int]]:
    return [list(s) for s in _native.circuit_output_shapes(os.fspath(dir))]


def _new_dir(out: Optional[PathLike]) -> Path:
    if out is None:
        return Path(tempfile.mkdtemp(prefix="zkc-proof-"))
    return Path(out)


# --------------------------------------------------------------------------------------
# The commands


def ops() -> List[str]:
    """The ONNX op types zkc imports (``zkc ops``)."""
    return list(_native.ops())


def set_progress(on: bool) -> None:
    """Show progress bars on stderr during long steps (default on; drawn only on a terminal)."""
    _native.set_progress(bool(on))


def run(
    model: Model,
    inputs: Inputs,
    fixed: bool = False,
    backend: Optional[str] = None,
    data: Optional[Inputs] = None,
    **options: Any,
) -> List[np.ndarray]:
    """Runs the model (``zkc run``): the float reference, or with ``fixed=True`` exactly the
    fixed-point computation ``backend``'s circuit proves. ``data`` are calibration samples
    for ``fixed`` (default: the input itself). Returns one array per output."""
    with _Scratch() as s:
        m = s.model(model)
        out = s.path("out.json")
        args: List[Any] = ["run", m, "--input", s.inputs(inputs), "--output", out]
        if fixed:
            args.append("--fixed")
        if backend is not None:
            args += ["--backend", backend]
        if data is not None:
            args += ["--data", s.samples(data)]
        _cli(*args, *_options(options))
        return _read_outputs(out, _output_shapes(m, options.get("batch") or 1))


def calibrate(model: Model, data: Inputs, backend: str = "halo2", **options: Any) -> Dict[str, Any]:
    """Chooses the fixed-point scales and input ranges from samples (``zkc calibrate``).
    Returns what was chosen and why: ``scale``, ``inputs`` (range per input), ``nodes``
    (scale, bits, range and reason per node) and ``max_abs_error`` on the samples."""
    with _Scratch() as s:
        out = s.path("calibration.json")
        _cli("calibrate", s.model(model), "--data", s.samples(data), "--backend", backend, "--json", out, *_options(options))
        return json.loads(out.read_text())


def table(
    model: Model,
    data: Optional[Inputs] = None,
    backends: Optional[Iterable[str]] = None,
    **options: Any,
) -> Table:
    """The model as a table (``zkc table``): one row per IR node with shapes, and with
    ``data`` (or ``input_range=``) the fixed-point scale, bits and cost on each backend."""
    with _Scratch() as s:
        out = s.path("table.json")
        args: List[Any] = ["table", s.model(model), "--json", out]
        if data is not None:
            args += ["--data", s.samples(data)]
        if backends is not None:
            args += ["--backends", ",".join(backends)]
        _cli(*args, *_options(options))
        t = json.loads(out.read_text())
        return Table(
            headers=t["headers"],
            rows=[dict(zip(t["headers"], r)) for r in t["rows"]],
            inputs=t["inputs"],
            outputs=t["outputs"],
            params=t["params"],
            totals=t["totals"],
        )


def compile(
    model: Model,
    data: Optional[Inputs] = None,
    backend: str = "halo2",
    out: Optional[PathLike] = None,
    **options: Any,
) -> Path:
    """Compiles the model into a circuit for ``backend`` (``zkc compile``): writes
    ``out/circuit.zkc`` (a new temporary directory when ``out`` is None) and returns ``out``.
    ``data`` are calibration samples: a path, one sample (a list of arrays, one per input) or
    a list of samples; without it give ``input_range=``."""
    d = _new_dir(out)
    with _Scratch() as s:
        m = s.model(model)
        args: List[Any] = ["compile", m, "--backend", backend, "--out", d]
        if data is not None:
            args += ["--data", s.samples(data)]
        _cli(*args, *_options(options))
    return d


def setup(dir: PathLike, srs: Optional[PathLike] = None, insecure_seed: Optional[str] = None) -> Path:
    """Proving and verifying keys for a compiled circuit (``zkc setup``): writes
    ``dir/pk.zkc`` and ``dir/vk.zkc``. ``insecure_seed`` makes them reproducible, and
    forgeable by whoever knows it: tests only."""
    args: List[Any] = ["setup", dir]
    if srs is not None:
        args += ["--srs", srs]
    if insecure_seed is not None:
        args += ["--insecure-seed", insecure_seed]
    _cli(*args)
    return Path(dir)


def _proof(d: Path) -> Proof:
    return Proof(
        dir=d,
        outputs=_read_outputs(d / "output.json", _circuit_output_shapes(d)),
        public=json.loads((d / "public.json").read_text()),
    )


def prove(dir: PathLike, inputs: Inputs) -> Proof:
    """Proves the model's inference on ``inputs`` (``zkc prove``) with the keys in ``dir``;
    writes proof.zkc, public.json and output.json there."""
    with _Scratch() as s:
        _cli("prove", dir, "--input", s.inputs(inputs))
    return _proof(Path(dir))


def mock(dir: PathLike, inputs: Inputs) -> bool:
    """Checks every constraint of the circuit on the inputs' witness without proving
    (``zkc mock``). Returns True; a violated constraint raises :class:`ZkcError` naming it."""
    with _Scratch() as s:
        _cli("mock", dir, "--input", s.inputs(inputs))
    return True


def verify(
    dir: PathLike,
    expect_input: Optional[Inputs] = None,
    expect_output: Optional[Inputs] = None,
    expect_hash: Optional[Union[str, Sequence[str]]] = None,
    inner_vk: Optional[Sequence[PathLike]] = None,
    srs: Optional[PathLike] = None,
) -> bool:
    """Verifies the proof in ``dir`` (``zkc verify``), rebuilding its verifying key from the
    circuit where the backend can. Returns True; a rejected proof raises
    :class:`ProofRejectedError`. ``expect_input``/``expect_output`` (arrays or files) and
    ``expect_hash`` (``"input=0x..."``) check what the proof is about; ``inner_vk`` gives the
    trusted inner keys of an aggregate."""
    with _Scratch() as s:
        args: List[Any] = ["verify", dir]
        if expect_input is not None:
            args += ["--expect-input", s.inputs(expect_input)]
        if expect_output is not None:
            args += ["--expect-output", s.outputs(expect_output)]
        if expect_hash is not None:
            for h in [expect_hash] if isinstance(expect_hash, str) else expect_hash:
                args += ["--expect-hash", h]
        for vk in inner_vk or []:
            args += ["--inner-vk", vk]
        if srs is not None:
            args += ["--srs", srs]
        _cli(*args)
    return True


def fullprove(
    model: Model,
    inputs: Inputs,
    backend: str = "halo2",
    out: Optional[PathLike] = None,
    data: Optional[Inputs] = None,
    **options: Any,
) -> Proof:
    """Compiles, sets up, proves and verifies in one go (``zkc fullprove``); every artifact
    lands in ``out`` (a new temporary directory when None). Calibrates on ``data`` (default:
    the input itself)."""
    d = _new_dir(out)
    with _Scratch() as s:
        m = s.model(model)
        args: List[Any] = ["fullprove", m, "--input", s.inputs(inputs), "--backend", backend, "--out", d]
        if data is not None:
            args += ["--data", s.samples(data)]
        _cli(*args, *_options(options))
    return _proof(d)


def bench(
    model: Model,
    inputs: Inputs,
    backends: Optional[Iterable[str]] = None,
    repeat: int = 1,
    warmup: int = 0,
    **options: Any,
) -> Dict[str, Any]:
    """Compares the proof systems on one model (``zkc bench``): each backend compiles, sets
    up, proves and verifies in its own process. Returns the records ``zkc bench --json``
    writes: ``{"model": ..., "backends": [{"backend", "constraints", "setup_s", ...}]}``."""
    with _Scratch() as s:
        out = s.path("bench.json")
        args: List[Any] = ["bench", s.model(model), "--input", s.inputs(inputs), "--json", out]
        args += ["--repeat", repeat, "--warmup", warmup]
        if backends is not None:
            args += ["--backends", ",".join(backends)]
        _cli(*args, *_options(options))
        return json.loads(out.read_text())


def hash(
    data: Union[PathLike, Sequence[Any]],
    backend: str = "halo2",
    scale: Optional[int] = None,
    circuit: Optional[PathLike] = None,
    kind: str = "input",
) -> str:
    """The Poseidon commitment a circuit with hashed visibility publishes (``zkc hash``), as
    ``0x`` and 64 hex digits: of an IN.json, OUT.json or params.zkc file, or of arrays
    (``kind="input"`` or ``"output"``). The backend and scale come from ``circuit`` when
    given, so that the hash matches that circuit's public.json."""
    with _Scratch() as s:
        if _is_path(data):
            path = Path(data)
        elif kind == "input":
            path = s.inputs(data)
        elif kind == "output":
            path = s.outputs(data)
        else:
            raise ValueError(f"kind: expected 'input' or 'output', got {kind!r}")
        return _native.hash_file(
            os.fspath(path), backend, scale, None if circuit is None else os.fspath(circuit)
        )


def aggregate(dirs: Sequence[PathLike], out: PathLike, backend: str = "plonky2") -> Path:
    """One recursive proof that several plonky2 proofs verified (``zkc aggregate``); the
    proofs may be of one model or of several. ``zkc.verify(out)`` checks it."""
    if backend != "plonky2":
        raise UsageError(f"aggregate: only plonky2 proofs can be aggregated today, not {backend}")
    _cli("aggregate", *dirs, "--out", out)
    return Path(out)


def export_snarkjs(dir: PathLike, out: Optional[PathLike] = None) -> Path:
    """A Groth16 proof in snarkjs's format (``zkc export snarkjs``): writes
    verification_key.json, proof.json and public.json to ``out`` (default ``dir/snarkjs``)."""
    o = Path(out) if out is not None else Path(dir) / "snarkjs"
    _cli("export", "snarkjs", dir, "--out", o)
    return o


def export_solidity(dir: PathLike, out: Optional[PathLike] = None, solcjs: Optional[PathLike] = None) -> Path:
    """A Groth16 verifier contract and the call for this proof (``zkc export solidity``):
    Verifier.sol and calldata.hex in ``out`` (default ``dir/solidity``); with solcjs found,
    compiled and run in an EVM, the gas printed."""
    o = Path(out) if out is not None else Path(dir) / "solidity"
    args: List[Any] = ["export", "solidity", dir, "--out", o]
    if solcjs is not None:
        args += ["--solcjs", solcjs]
    _cli(*args)
    return o
