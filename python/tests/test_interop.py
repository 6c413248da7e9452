"""The package and the `zkc` binary read each other's files: a proof made in Python verifies
with the CLI, and a proof made by the CLI verifies in Python."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import zkc
from conftest import SHARED, inputs, model


def cli(zkc_bin, *args):
    r = subprocess.run([str(zkc_bin), *map(str, args)], capture_output=True, text=True)
    return r


@pytest.mark.parametrize("backend", ["halo2", "plonky2", "groth16"])
def test_python_proof_verifies_with_the_cli(tmp_path, zkc_bin, backend):
    proof = zkc.fullprove(model("ff"), inputs("ff"), backend=backend, out=tmp_path / "py")
    r = cli(zkc_bin, "verify", proof.dir)
    assert r.returncode == 0, r.stderr
    assert "proof verified" in r.stdout
    out = tmp_path / "out.json"
    out.write_text(json.dumps({"output_data": [proof.outputs[0].ravel().tolist()]}))
    r = cli(zkc_bin, "verify", proof.dir, "--expect-output", out)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("backend", ["halo2", "plonky2", "groth16"])
def test_cli_proof_verifies_in_python(tmp_path, zkc_bin, backend):
    d = tmp_path / "cli"
    r = cli(
        zkc_bin, "fullprove", model("mlp"), "--input", SHARED / "mlp.input.json", "--backend", backend, "--out", d
    )
    assert r.returncode == 0, r.stderr
    assert zkc.verify(d) is True
    # and Python proves again with the CLI's keys
    proof = zkc.prove(d, inputs("mlp"))
    r = cli(zkc_bin, "verify", d)
    assert r.returncode == 0, r.stderr
    (fixed,) = zkc.run(model("mlp"), inputs("mlp"), fixed=True, backend=backend)
    np.testing.assert_array_equal(proof.outputs[0], fixed)
    assert proof.outputs[0].shape == (1, 10)


def test_tampered_cli_proof_is_rejected_in_python(tmp_path, zkc_bin):
    d = tmp_path / "cli"
    r = cli(zkc_bin, "fullprove", model("ff"), "--input", SHARED / "ff.input.json", "--backend", "groth16", "--out", d)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "wrong.json"
    out.write_text(json.dumps({"output_data": [[9.0, 9.0, 9.0, 9.0]]}))
    with pytest.raises(zkc.ProofRejectedError, match="different output"):
        zkc.verify(d, expect_output=out)


def test_python_m_zkc_is_the_cli(tmp_path):
    r = subprocess.run([sys.executable, "-m", "zkc", "ops"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "supported ONNX ops" in r.stdout
    r = subprocess.run([sys.executable, "-m", "zkc", "verify", tmp_path / "nothing"], capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.startswith("error: ")
