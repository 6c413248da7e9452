"""Shared fixtures: the repo's models (../shared/models beside the repo) and the zkc binary."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import zkc

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "models"

# Each proof test makes keys that only tests use: derive them from a seed, as the Rust
# tests do, so that runs are reproducible.
SEED = "zkc python tests"


def model(name: str) -> Path:
    p = SHARED / f"{name}.onnx"
    if not p.exists():
        pytest.fail(f"{p} is missing: the tests need ../shared beside the repo")
    return p


def inputs(name: str) -> list:
    data = json.loads((SHARED / f"{name}.input.json").read_text())["input_data"]
    return [np.asarray(d, dtype=np.float64) for d in data]


def expected(name: str) -> list:
    data = json.loads((SHARED / f"{name}.expected.json").read_text())["output_data"]
    return [np.asarray(d, dtype=np.float64) for d in data]


@pytest.fixture(scope="session")
def zkc_bin() -> Path:
    """The Rust `zkc` binary (ZKC_BIN, else the workspace's target/{debug,release}/zkc), for
    the interoperation tests: proofs made by one verify with the other."""
    env = os.environ.get("ZKC_BIN")
    candidates = [Path(env)] if env else [REPO / "target" / "debug" / "zkc", REPO / "target" / "release" / "zkc"]
    for c in candidates:
        if c.exists():
            return c
    found = shutil.which("zkc-rs")
    if found:
        return Path(found)
    pytest.fail(f"no zkc binary at {', '.join(map(str, candidates))}: build it with `cargo build --bin zkc` or set ZKC_BIN")


@pytest.fixture(autouse=True)
def _quiet_in_a_scratch_directory(tmp_path_factory, monkeypatch):
    # Away from python/, where `python -m zkc` (bench's per-backend children) would find the
    # source folder zkc/ instead of the installed package.
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    zkc.set_progress(False)
    yield
