#!/usr/bin/env python3
"""EZKL side of benches/compare_ezkl.sh, and the side-by-side report.

`stage`  runs ONE step of EZKL's usual Python flow (so that the shell script can time each
         step as its own process under /usr/bin/time) and writes DIR/STAGE.stage.json with
         the step's in-process seconds and what it produced.
`report` reads the EZKL stage files, /usr/bin/time's figures and `zkc bench --json`, and
         prints the table with ratios (EZKL / zkc: above 1 means zkc is faster or smaller).

EZKL is only run here (installed from PyPI into a throwaway virtual environment), never copied.
`report` needs only the standard library.
"""

import argparse
import json
import os
import sys
import time

STAGES = [
    "gen_settings",
    "calibrate_settings",
    "compile_circuit",
    "gen_srs",
    "setup",
    "gen_witness",
    "prove",
    "verify",
]


def paths(d):
    return {
        "settings": os.path.join(d, "settings.json"),
        "compiled": os.path.join(d, "model.compiled"),
        "srs": os.path.join(d, "kzg.srs"),
        "vk": os.path.join(d, "vk.key"),
        "pk": os.path.join(d, "pk.key"),
        "witness": os.path.join(d, "witness.json"),
        "proof": os.path.join(d, "proof.json"),
    }


def run_stage(a):
    import ezkl  # only the stage processes need EZKL

    p = paths(a.dir)
    out = {"stage": a.stage}
    t = time.perf_counter()
    if a.stage == "gen_settings":
        ok = ezkl.gen_settings(a.model, p["settings"])
    elif a.stage == "calibrate_settings":
        ok = ezkl.calibrate_settings(a.data, a.model, p["settings"], a.target)
    elif a.stage == "compile_circuit":
        ok = ezkl.compile_circuit(a.model, p["compiled"], p["settings"])
    elif a.stage == "gen_srs":
        # get_srs would download a ceremony file; this machine is offline, so generate one
        # locally for the logrows EZKL picked (a local trusted setup, like zkc's own).
        with open(p["settings"]) as f:
            logrows = json.load(f)["run_args"]["logrows"]
        t = time.perf_counter()
        ezkl.gen_srs(p["srs"], logrows)
        ok = os.path.exists(p["srs"])
        out["logrows"] = logrows
    elif a.stage == "setup":
        ok = ezkl.setup(p["compiled"], p["vk"], p["pk"], p["srs"])
    elif a.stage == "gen_witness":
        ok = ezkl.gen_witness(a.data, p["compiled"], p["witness"]) is not None
    elif a.stage == "prove":
        ok = ezkl.prove(p["witness"], p["compiled"], p["pk"], p["proof"], p["srs"]) is not None
    elif a.stage == "verify":
        ok = ezkl.verify(p["proof"], p["settings"], p["vk"], p["srs"])
    else:
        sys.exit(f"unknown stage {a.stage}")
    out["seconds"] = time.perf_counter() - t
    out["ok"] = bool(ok)
    with open(os.path.join(a.dir, f"{a.stage}.stage.json"), "w") as f:
        json.dump(out, f)
    if not ok:
        sys.exit(f"ezkl {a.stage} returned {ok!r}")


def read_time(path):
    """`/usr/bin/time -f '%e %M'` output: wall seconds and peak RSS in KiB (last line)."""
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    wall, kib = lines[-1].split()[:2]
    return float(wall), int(kib) * 1024


def flat(xs):
    for x in xs:
        if isinstance(x, list):
            yield from flat(x)
        else:
            yield float(x)


def max_abs_err(got, want):
    g, w = list(flat(got)), list(flat(want))
    if len(g) != len(w):
        raise SystemExit(f"output sizes differ: {len(g)} vs {len(w)} expected values")
    return max((abs(a - b) for a, b in zip(g, w)), default=0.0)


def ezkl_figures(d, expected):
    p = paths(d)
    st = {}
    for s in STAGES:
        with open(os.path.join(d, f"{s}.stage.json")) as f:
            info = json.load(f)
        wall, mem = read_time(os.path.join(d, f"{s}.time"))
        st[s] = {"seconds": info["seconds"], "wall_s": wall, "peak_mem_bytes": mem, **info}
    with open(p["settings"]) as f:
        settings = json.load(f)
    with open(p["witness"]) as f:
        outs = json.load(f)["pretty_elements"]["rescaled_outputs"]
    with open(p["proof"]) as f:
        proof = json.load(f)
    # "proof" is the byte list; older files had only the hex string.
    proof_bytes = len(proof["proof"]) if isinstance(proof["proof"], list) else len(proof["hex_proof"].removeprefix("0x")) // 2
    return {
        "logrows": settings["run_args"]["logrows"],
        "num_rows": settings.get("num_rows"),
        "stages": st,
        "setup_s": st["setup"]["seconds"],
        "prove_s": st["prove"]["seconds"],
        "verify_s": st["verify"]["seconds"],
        "setup_mem": st["setup"]["peak_mem_bytes"],
        "prove_mem": st["prove"]["peak_mem_bytes"],
        "peak_mem_bytes": max(v["peak_mem_bytes"] for v in st.values()),
        "proof_bytes": proof_bytes,
        "vk_bytes": os.path.getsize(p["vk"]),
        "pk_bytes": os.path.getsize(p["pk"]),
        "max_abs_err": max_abs_err(outs, expected),
        "verified": st["verify"]["ok"],
    }


def mib(n):
    return f"{n / 2**20:.0f} MiB" if n >= 2**20 else f"{n / 1024:.1f} KiB"


def size(n):
    return mib(n) if n >= 2**20 else (f"{n / 1024:.1f} KiB" if n >= 1024 else f"{n} B")


def secs(x):
    return f"{x:.3f}" if x >= 0.1 else f"{x:.4f}"


def ratio(a, b):
    return f"{a / b:.1f}x" if b > 0 else "n/a"


def report(a):
    models = a.models.split(",")
    summary = {"machine": a.machine, "load": a.load, "zkc_flags": a.zkc_flags, "models": {}}
    md = []
    for m in models:
        d = os.path.join(a.work, m)
        with open(os.path.join(a.models_dir, f"{m}.expected.json")) as f:
            expected = json.load(f)["output_data"]
        ez = ezkl_figures(d, expected)
        with open(os.path.join(d, "zkc.json")) as f:
            zk = json.load(f)
        zwall, zmem_total = read_time(os.path.join(d, "zkc.time"))
        rows = []
        for b in zk["backends"]:
            with open(os.path.join(d, "zkc-out", f"{b['backend']}.output.json")) as f:
                b["max_abs_err_expected"] = max_abs_err(json.load(f)["output_data"], expected)
            rows.append(b)
        summary["models"][m] = {"ezkl": ez, "zkc": rows, "zkc_bench_wall_s": zwall}

        head = ["", f"EZKL (logrows {ez['logrows']})"] + [f"zkc {b['backend']}" for b in rows]
        table = [
            ["setup s"] + [secs(ez["setup_s"])] + [f"{secs(b['setup_s'])} ({ratio(ez['setup_s'], b['setup_s'])})" for b in rows],
            ["prove s"] + [secs(ez["prove_s"])] + [f"{secs(b['prove_s'])} ({ratio(ez['prove_s'], b['prove_s'])})" for b in rows],
            ["verify s"] + [secs(ez["verify_s"])] + [f"{secs(b['verify_s'])} ({ratio(ez['verify_s'], b['verify_s'])})" for b in rows],
            ["peak mem"] + [mib(ez["peak_mem_bytes"])]
            + [f"{mib(b['peak_mem_bytes'])} ({ratio(ez['peak_mem_bytes'], b['peak_mem_bytes'])})" for b in rows],
            ["proof"] + [size(ez["proof_bytes"])] + [size(b["proof_bytes"]) for b in rows],
            ["vk"] + [size(ez["vk_bytes"])] + [size(b["vk_bytes"]) for b in rows],
            ["pk"] + [size(ez["pk_bytes"])] + [size(b["pk_bytes"]) for b in rows],
            ["max abs err vs expected"] + [f"{ez['max_abs_err']:.2e}"] + [f"{b['max_abs_err_expected']:.2e}" for b in rows],
            ["verified"] + ["yes" if ez["verified"] else "NO"] + ["yes" if b["verified"] else "NO" for b in rows],
        ]
        widths = [max(len(r[c]) for r in [head] + table) for c in range(len(head))]
        print(f"\n== {m}: EZKL 23.0.5 vs zkc (ratio = EZKL / zkc; above 1: zkc faster or smaller) ==")
        if a.zkc_flags:
            print(f"zkc bench flags: {a.zkc_flags}")
        for r in [head] + table:
            print("  ".join(r[0].ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r) if i < len(widths)))
        extra = ", ".join(f"{s} {secs(ez['stages'][s]['seconds'])} s" for s in ["calibrate_settings", "compile_circuit", "gen_srs", "gen_witness"])
        print(f"EZKL other stages: {extra}; setup {mib(ez['setup_mem'])}, prove {mib(ez['prove_mem'])} peak")

        md.append(f"### {m}\n")
        md.append("| | " + " | ".join(head[1:]) + " |")
        md.append("|---|" + "---:|" * (len(head) - 1))
        for r in table:
            md.append("| " + " | ".join(r) + " |")
        md.append("")
        md.append(f"EZKL other stages: {extra}; EZKL peak memory by stage: setup {mib(ez['setup_mem'])}, prove {mib(ez['prove_mem'])}.\n")
    with open(os.path.join(a.work, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    with open(os.path.join(a.work, "summary.md"), "w") as f:
        f.write("\n".join(md) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("stage")
    s.add_argument("stage", choices=STAGES)
    s.add_argument("--model", required=True)
    s.add_argument("--data", required=True)
    s.add_argument("--dir", required=True)
    s.add_argument("--target", default="resources")
    r = sub.add_parser("report")
    r.add_argument("--work", required=True)
    r.add_argument("--models", required=True)
    r.add_argument("--models-dir", required=True)
    r.add_argument("--machine", default="")
    r.add_argument("--load", default="")
    r.add_argument("--zkc-flags", default="", help="the flags zkc bench ran with, for the record")
    a = ap.parse_args()
    run_stage(a) if a.cmd == "stage" else report(a)


if __name__ == "__main__":
    main()
