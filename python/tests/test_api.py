"""Every function of the package on ff and mlp, on every backend where it applies, against
the reference outputs and the proofs' own verification."""

from __future__ import annotations

import json
import shutil
import threading

import numpy as np
import pytest

import zkc
from conftest import SEED, expected, inputs, model

BACKENDS = ["halo2", "plonky2", "groth16"]


def test_ops_lists_the_cli_ops():
    ops = zkc.ops()
    assert "Conv" in ops and "Gemm" in ops and "Relu" in ops
    assert len(ops) == len(set(ops))


def test_run_float_matches_onnxruntime_reference():
    for name in ["ff", "mlp"]:
        (out,) = zkc.run(model(name), inputs(name))
        (want,) = expected(name)
        assert out.size == want.size
        np.testing.assert_allclose(out.ravel(), want.ravel(), rtol=1e-4, atol=1e-5)


def test_run_returns_arrays_shaped_by_the_model():
    (out,) = zkc.run(model("mlp"), inputs("mlp"))
    assert out.shape == (1, 10)


@pytest.mark.parametrize("backend", BACKENDS)
def test_run_fixed_is_close_to_float(backend):
    (fixed,) = zkc.run(model("ff"), inputs("ff"), fixed=True, backend=backend)
    (want,) = expected("ff")
    np.testing.assert_allclose(fixed.ravel(), want.ravel(), atol=1e-2)


def test_model_as_bytes_and_as_modelproto_and_inputs_as_lists():
    onnx = pytest.importorskip("onnx")
    x = [inputs("ff")[0].tolist()]
    (from_path,) = zkc.run(model("ff"), inputs("ff"))
    (from_bytes,) = zkc.run(model("ff").read_bytes(), x)
    (from_proto,) = zkc.run(onnx.load(str(model("ff"))), x)
    np.testing.assert_array_equal(from_path, from_bytes)
    np.testing.assert_array_equal(from_path, from_proto)


def test_calibrate_reports_scales_ranges_and_error():
    c = zkc.calibrate(model("mlp"), inputs("mlp"), scale=12)
    assert c["scale"] == 12
    assert len(c["inputs"]) == 1 and c["inputs"][0]["range"] > 0
    assert len(c["nodes"]) > 0 and all("reason" in n for n in c["nodes"])
    assert 0 <= c["max_abs_error"] < 0.05


def test_calibrate_on_several_samples():
    x = inputs("ff")[0]
    c = zkc.calibrate(model("ff"), [[x], [x * 0.5]])
    assert c["samples"] == 2


def test_table_rows_and_costs_per_backend():
    t = zkc.table(model("mlp"), data=inputs("mlp"))
    assert len(t) == len(t.rows) > 0
    assert t.params == 784 * 64 + 64 + 64 * 10 + 10
    for b in BACKENDS:
        assert any(h.startswith(b) for h in t.headers), t.headers
    assert len(t.totals) == 3
    text = str(t)
    assert "out shape" in text and "constant parameters: 50890" in text
    bare = zkc.table(model("ff"))
    assert all(r["scale"] == "-" for r in bare)


@pytest.mark.parametrize("backend", BACKENDS)
def test_compile_setup_mock_prove_verify_ff(tmp_path, backend):
    x = inputs("ff")
    d = zkc.compile(model("ff"), data=x, backend=backend, out=tmp_path / "ff")
    assert (d / "circuit.zkc").exists()
    zkc.setup(d, insecure_seed=SEED)
    assert (d / "pk.zkc").exists() and (d / "vk.zkc").exists()
    assert zkc.mock(d, x) is True
    proof = zkc.prove(d, x)
    (fixed,) = zkc.run(model("ff"), x, fixed=True, backend=backend)
    np.testing.assert_array_equal(proof.outputs[0].ravel(), fixed.ravel())
    assert proof.outputs[0].shape == fixed.shape
    assert zkc.verify(d) is True
    assert zkc.verify(d, expect_output=proof.outputs) is True


@pytest.mark.parametrize("backend", BACKENDS)
def test_fullprove_mlp(tmp_path, backend):
    x = inputs("mlp")
    proof = zkc.fullprove(model("mlp"), x, backend=backend, out=tmp_path / "mlp")
    (fixed,) = zkc.run(model("mlp"), x, fixed=True, backend=backend)
    np.testing.assert_array_equal(proof.outputs[0], fixed)
    (want,) = expected("mlp")
    assert int(np.argmax(proof.outputs[0])) == int(np.argmax(want))
    assert zkc.verify(proof.dir) is True


def test_fullprove_without_out_uses_a_new_directory():
    proof = zkc.fullprove(model("ff"), inputs("ff"), backend="groth16")
    assert proof.dir.is_dir() and (proof.dir / "proof.zkc").exists()
    assert zkc.verify(proof.dir)
    shutil.rmtree(proof.dir)


@pytest.mark.parametrize("backend", ["halo2", "plonky2"])
def test_hash_matches_the_commitment_a_hashed_circuit_publishes(tmp_path, backend):
    x = inputs("ff")
    proof = zkc.fullprove(model("ff"), x, backend=backend, out=tmp_path / "h", input_visibility="hashed")
    h = zkc.hash(x, circuit=proof.dir)
    assert h.startswith("0x") and len(h) == 66
    assert h in json.dumps(proof.public)
    assert zkc.verify(proof.dir, expect_hash=f"input={h}")
    assert zkc.verify(proof.dir, expect_input=x)
    other = zkc.hash([x[0] * 0.5], circuit=proof.dir)
    assert other != h
    with pytest.raises(zkc.ProofRejectedError):
        zkc.verify(proof.dir, expect_hash=f"input={other}")


def test_aggregate_two_plonky2_proofs(tmp_path):
    x = inputs("ff")
    a = zkc.fullprove(model("ff"), x, backend="plonky2", out=tmp_path / "a")
    # b: the same circuit (calibrated on the same data) on another input
    b = zkc.fullprove(model("ff"), [x[0] * 0.5], backend="plonky2", out=tmp_path / "b", data=x)
    # c: another circuit of the same model (calibrated on other data)
    c = zkc.fullprove(model("ff"), [x[0] * 0.5], backend="plonky2", out=tmp_path / "c")
    agg = zkc.aggregate([a.dir, b.dir], out=tmp_path / "agg")
    assert (agg / "aggregate.json").exists()
    assert zkc.verify(agg, inner_vk=[a.dir / "vk.zkc"]) is True
    assert zkc.verify(agg) is True
    with pytest.raises(zkc.ProofRejectedError, match="another verifying key"):
        zkc.verify(agg, inner_vk=[c.dir / "vk.zkc"])


def test_exports_of_a_groth16_proof(tmp_path):
    proof = zkc.fullprove(model("ff"), inputs("ff"), backend="groth16", out=tmp_path / "g")
    s = zkc.export_snarkjs(proof.dir)
    for f in ["verification_key.json", "proof.json", "public.json"]:
        assert (s / f).exists(), f
    vk = json.loads((s / "verification_key.json").read_text())
    assert vk["protocol"] == "groth16" and vk["curve"] == "bn128"
    sol = zkc.export_solidity(proof.dir, out=tmp_path / "sol")
    assert "contract" in (sol / "Verifier.sol").read_text()
    assert (sol / "calldata.hex").read_text().startswith("0x")


def test_bench_returns_the_json_records():
    report = zkc.bench(model("ff"), inputs("ff"), backends=["groth16", "halo2"])
    assert [r["backend"] for r in report["backends"]] == ["groth16", "halo2"]
    for r in report["backends"]:
        assert r["verified"] is True


def test_long_steps_release_the_interpreter(tmp_path):
    # While zkc sets up and proves mlp on halo2 (about a second), another Python thread must
    # keep running: the call does not hold the GIL.
    d = zkc.compile(model("mlp"), data=inputs("mlp"), backend="halo2", out=tmp_path / "m")
    count = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        before = count[0]
        zkc.setup(d, insecure_seed=SEED)
        zkc.prove(d, inputs("mlp"))
        during = count[0] - before
    finally:
        stop.set()
        t.join()
    assert during > 100_000, f"the other thread ran only {during} iterations during setup and prove"


def test_integer_outputs_come_back_as_integers():
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("ArgMax", ["x"], ["i"], axis=1, keepdims=0)],
        "argmax",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("i", TensorProto.INT64, [2])],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    (i,) = zkc.run(m, [np.array([[0.1, 0.9, 0.3], [0.7, 0.2, 0.1]], dtype=np.float32)])
    assert i.dtype == np.int64
    np.testing.assert_array_equal(i, [1, 0])
