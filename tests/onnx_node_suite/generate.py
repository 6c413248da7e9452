"""Writes ONNX's own node test suite (the case definitions inside the pip `onnx` package,
`onnx.backend.test.case.node`) as one directory per case: model.onnx and
test_data_set_0/{input,output}_N.pb, the layout of ../shared/conformance. Cases whose data
is not a plain numeric tensor (sequences, optionals, strings, float8/int4 TensorProtos) are
listed in skipped.txt with the reason; float_cases.txt lists the cases whose inputs and outputs
are all floating point (the "float cases" the conformance target counts). Not checked in: .ci/run generates it with the pinned
onnx of python/requirements-test.txt.

It also writes the real architectures the package ships weightless in
`onnx/backend/test/data/light` (AlexNet, ResNet-50, ... at 224x224, weights as ConstantOfShape)
to OUT_DIR/light, in the same layout, with the input ONNX's own backend test runner feeds them
(`Runner.generate_dummy_data(..., random=False)`: arange(n)/n) and the output it ships.

    python3 tests/onnx_node_suite/generate.py OUT_DIR
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings

import numpy as np
import onnx
from onnx import numpy_helper
from onnx.backend.test.case import node
from onnx.backend.test.runner import Runner

NUMERIC = (np.floating, np.integer, np.bool_)


def why_not_numeric(value) -> str | None:
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        dt = np.asarray(value).dtype
        if any(np.issubdtype(dt, k) for k in NUMERIC):
            return None
        return f"element type {dt}"
    if value is None:
        return "an optional (None) value"
    if isinstance(value, list):
        return "a sequence value"
    return f"a {type(value).__name__} value"


def main(out: str) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = node.collect_testcases("")
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    skipped = []
    float_cases = []
    written = 0
    for case in sorted(cases, key=lambda c: c.name):
        if not case.data_sets:
            skipped.append(f"{case.name}: no data set")
            continue
        inputs, outputs = case.data_sets[0]
        reasons = [
            f"{kind} {i} is {r}"
            for kind, values in (("input", inputs), ("output", outputs))
            for i, v in enumerate(values)
            if (r := why_not_numeric(v)) is not None
        ]
        if reasons:
            skipped.append(f"{case.name}: {'; '.join(reasons)}")
            continue
        d = os.path.join(tmp, case.name)
        data = os.path.join(d, "test_data_set_0")
        os.makedirs(data)
        with open(os.path.join(d, "model.onnx"), "wb") as f:
            f.write(case.model.SerializeToString())
        for kind, values in (("input", inputs), ("output", outputs)):
            for i, v in enumerate(values):
                t = numpy_helper.from_array(np.asarray(v), f"{kind}_{i}")
                with open(os.path.join(data, f"{kind}_{i}.pb"), "wb") as f:
                    f.write(t.SerializeToString())
        written += 1
        if all(np.issubdtype(np.asarray(v).dtype, np.floating) for v in [*inputs, *outputs]):
            float_cases.append(case.name)
    with open(os.path.join(tmp, "skipped.txt"), "w") as f:
        f.write("".join(s + "\n" for s in skipped))
    with open(os.path.join(tmp, "float_cases.txt"), "w") as f:
        f.write("".join(s + "\n" for s in float_cases))
    with open(os.path.join(tmp, "VERSION"), "w") as f:
        f.write(f"onnx {onnx.__version__}: {len(cases)} cases, {written} written, {len(skipped)} skipped\n")
    light = write_light_models(os.path.join(tmp, "light"))
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)
    print(f"onnx {onnx.__version__} light models: {light} written to {out}/light")
    print(f"onnx {onnx.__version__} node suite: {written} cases written to {out}, {len(skipped)} skipped (skipped.txt)")
    return 0


def write_light_models(out: str) -> int:
    src = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light")
    written = 0
    for f in sorted(os.listdir(src)):
        if not f.endswith(".onnx"):
            continue
        name = f[: -len(".onnx")]
        model = onnx.load(os.path.join(src, f))
        inits = {i.name for i in model.graph.initializer}
        data = os.path.join(out, name, "test_data_set_0")
        os.makedirs(data)
        shutil.copy(os.path.join(src, f), os.path.join(out, name, "model.onnx"))
        inputs = [x for x in model.graph.input if x.name not in inits]
        for i, x in enumerate(inputs):
            value = Runner.generate_dummy_data(x, seed=0, name=name, random=False)
            with open(os.path.join(data, f"input_{i}.pb"), "wb") as fh:
                fh.write(numpy_helper.from_array(value).SerializeToString())
        for i in range(len(model.graph.output)):
            shutil.copy(os.path.join(src, f"{name}_output_{i}.pb"), os.path.join(data, f"output_{i}.pb"))
        written += 1
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
