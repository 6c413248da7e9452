"""Each kind of failure raises its own exception class, with the CLI's message, and never
takes the interpreter down."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import zkc
from conftest import SEED, inputs, model


def test_the_classes_form_one_hierarchy():
    for cls in [zkc.BadModelError, zkc.BadInputError, zkc.ProofRejectedError, zkc.ArtifactMismatchError, zkc.UsageError]:
        assert issubclass(cls, zkc.ZkcError)
    assert issubclass(zkc.UnsupportedOpError, zkc.BadModelError)
    assert zkc.ZkcError.__module__ == "zkc"


def test_bad_model_bytes(tmp_path):
    with pytest.raises(zkc.BadModelError, match="not a valid ONNX model"):
        zkc.run(b"this is not onnx", [np.zeros(3)])
    with pytest.raises(zkc.BadModelError, match="cannot read"):
        zkc.run(tmp_path / "missing.onnx", [np.zeros(3)])


def test_model_of_the_wrong_type():
    with pytest.raises(TypeError, match="onnx.ModelProto"):
        zkc.run(12345, [np.zeros(3)])


def test_unsupported_op_names_the_node():
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    node = helper.make_node("Det", ["x"], ["y"], name="determinant")
    graph = helper.make_graph(
        [node],
        "det",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [])],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(zkc.UnsupportedOpError, match="determinant.*Det|Det.*determinant"):
        zkc.run(m, [np.eye(2)])


def test_bad_input_sizes_and_values():
    with pytest.raises(zkc.BadInputError, match="values"):
        zkc.run(model("ff"), [np.zeros(5)])
    with pytest.raises(zkc.BadInputError):
        zkc.run(model("ff"), [np.array(["a", "b", "c"])])
    with pytest.raises(zkc.BadInputError, match="one array per graph input"):
        zkc.run(model("ff"), np.zeros(3))


def test_input_outside_the_calibrated_range(tmp_path):
    x = inputs("ff")
    d = zkc.compile(model("ff"), data=x, backend="groth16", out=tmp_path / "c")
    zkc.setup(d, insecure_seed=SEED)
    with pytest.raises(zkc.BadInputError, match="range"):
        zkc.prove(d, [x[0] * 1000])


def test_unknown_option_is_a_usage_error():
    with pytest.raises(zkc.UsageError, match="no-such-flag"):
        zkc.run(model("ff"), inputs("ff"), no_such_flag=3)


def test_tampered_public_value_is_rejected(tmp_path):
    proof = zkc.fullprove(model("ff"), inputs("ff"), backend="groth16", out=tmp_path / "p")
    pub = proof.dir / "public.json"
    text = json.loads(pub.read_text())
    # The outputs are the last public values; change the largest one by one unit, and the
    # dequantized output it encodes with it, so that the file stays self-consistent.
    outs = text["output_data"][0]
    i = int(np.argmax(outs))
    j = len(text["public"]) - len(outs) + i
    old = int(text["public"][j])
    unit = outs[i] / old
    text["public"][j] = str(old + 1)
    outs[i] = (old + 1) * unit
    pub.write_text(json.dumps(text))
    with pytest.raises(zkc.ProofRejectedError, match="does NOT verify"):
        zkc.verify(proof.dir)


def test_flipped_proof_byte_is_rejected(tmp_path):
    proof = zkc.fullprove(model("ff"), inputs("ff"), backend="halo2", out=tmp_path / "p")
    p = proof.dir / "proof.zkc"
    b = bytearray(p.read_bytes())
    b[-10] ^= 1
    p.write_bytes(bytes(b))
    with pytest.raises(zkc.ZkcError) as e:
        zkc.verify(proof.dir)
    assert isinstance(e.value, (zkc.ProofRejectedError, zkc.ArtifactMismatchError))


def test_key_of_another_backend_is_an_artifact_mismatch(tmp_path):
    a = zkc.fullprove(model("ff"), inputs("ff"), backend="groth16", out=tmp_path / "a")
    b = zkc.fullprove(model("ff"), inputs("ff"), backend="halo2", out=tmp_path / "b")
    shutil.copy(b.dir / "vk.zkc", a.dir / "vk.zkc")
    with pytest.raises(zkc.ArtifactMismatchError, match="halo2"):
        zkc.verify(a.dir)


def test_the_interpreter_survives_every_error():
    for bad in [b"", b"\x00" * 64, b"\x08\x07\x12"]:
        with pytest.raises(zkc.ZkcError):
            zkc.run(bad, [np.zeros(3)])
    assert zkc.run(model("ff"), inputs("ff"))[0].size == 4
