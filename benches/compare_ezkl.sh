#!/usr/bin/env bash
# EZKL 23.0.5 and zkc on the same shared models and inputs, in the same run.
#
#   benches/compare_ezkl.sh [--models ff,mlp,cnn,attn] [--backends halo2,...] [--repeat N]
#                           [--zkc PATH] [--zkc-flags "FLAGS"] [--keep]
#
# --zkc-flags passes fixed-point and visibility flags to `zkc bench`, e.g. EZKL's own
# settings: --zkc-flags "--input-visibility public --scale 13 --input-range 1".
#
# EZKL is installed from PyPI into a throwaway virtual environment and only run, never copied.
# Each EZKL step (gen_settings, calibrate_settings, compile_circuit, gen_srs, setup,
# gen_witness, prove, verify) runs as its own Python process under /usr/bin/time, which gives
# its wall time and peak memory; benches/compare_ezkl.py also records the step's own time
# inside Python (reported, so interpreter start-up is not charged to EZKL). The SRS is made
# locally with ezkl.gen_srs (get_srs would download it; only PyPI is reachable here).
# Then `zkc bench` runs on the same model and input (one untimed warm-up round, so zkc's
# locally generated SRS is cached as EZKL's is), and a table with EZKL / zkc ratios and the
# max abs error of both against NAME.expected.json (onnxruntime) is printed.
#
# Environment: ZKC_MODELS (default ../shared/models), EZKL_TARGET (calibration target,
# default resources), PYTHON (default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
models_dir="${ZKC_MODELS:-$root/../shared/models}"
[ -d "$models_dir" ] || { echo "compare_ezkl.sh: model folder $models_dir not found (set ZKC_MODELS)" >&2; exit 1; }
models_dir="$(cd "$models_dir" && pwd)"
models="cnn"
backends=""
repeat=1
zkc="$root/target/release/zkc"
keep=0
zkc_flags=""
target="${EZKL_TARGET:-resources}"
python="${PYTHON:-python3}"

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --models) models="$2"; shift 2 ;;
    --backends) backends="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --zkc) zkc="$2"; shift 2 ;;
    --zkc-flags) zkc_flags="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "compare_ezkl.sh: unknown argument $1" >&2; usage 2 ;;
  esac
done

[ -x /usr/bin/time ] || { echo "compare_ezkl.sh: /usr/bin/time (GNU time) is needed: apt-get install time" >&2; exit 1; }
IFS=, read -r -a model_list <<<"$models"
for m in "${model_list[@]}"; do
  for f in "$m.onnx" "$m.input.json" "$m.expected.json"; do
    [ -f "$models_dir/$f" ] || { echo "compare_ezkl.sh: $models_dir/$f not found (set ZKC_MODELS)" >&2; exit 1; }
  done
done
if [ ! -x "$zkc" ]; then
  echo "== building zkc (release)" >&2
  (cd "$root" && cargo build --release -p zkc-compiler --bin zkc >&2)
fi

work="$(mktemp -d /tmp/zkc-vs-ezkl.XXXXXX)"
venv="$work/venv"
cleanup() {
  rm -rf "$venv"
  if [ "$keep" = 1 ]; then echo "artifacts kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== installing ezkl==23.0.5 into a throwaway venv ($venv)" >&2
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check ezkl==23.0.5 onnx >&2

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GB RAM"
echo "machine: $machine" >&2
load_before="$(uptime)"

for m in "${model_list[@]}"; do
  d="$work/$m"
  mkdir -p "$d"
  model="$models_dir/$m.onnx"
  input="$models_dir/$m.input.json"
  echo "== $m: EZKL ($(uptime | sed 's/.*load/load/'))" >&2
  for stage in gen_settings calibrate_settings compile_circuit gen_srs setup gen_witness prove verify; do
    printf '   %-20s' "$stage" >&2
    if ! /usr/bin/time -f '%e %M' -o "$d/$stage.time" \
      "$venv/bin/python" "$here/compare_ezkl.py" stage "$stage" --model "$model" --data "$input" \
      --dir "$d" --target "$target" >"$d/$stage.log" 2>&1; then
      echo " FAILED" >&2
      tail -20 "$d/$stage.log" >&2
      echo "compare_ezkl.sh: EZKL $stage failed on $m (log above)" >&2
      exit 1
    fi
    echo " $(cut -d' ' -f1 <"$d/$stage.time" | tail -1) s wall, $(( $(tail -1 "$d/$stage.time" | cut -d' ' -f2) / 1024 )) MiB" >&2
  done
  echo "== $m: zkc bench ($(uptime | sed 's/.*load/load/'))" >&2
  bargs=("$model" --input "$input" --repeat "$repeat" --warmup 1 --json "$d/zkc.json" --plot "$d/zkc.svg" --outputs "$d/zkc-out")
  [ -n "$backends" ] && bargs+=(--backends "$backends")
  if [ -n "$zkc_flags" ]; then read -r -a extra <<<"$zkc_flags"; bargs+=("${extra[@]}"); fi
  /usr/bin/time -f '%e %M' -o "$d/zkc.time" "$zkc" bench "${bargs[@]}"
done
load_after="$(uptime)"

"$python" "$here/compare_ezkl.py" report --work "$work" --models "$models" --models-dir "$models_dir" \
  --machine "$machine" --load "before: $load_before | after: $load_after" "--zkc-flags=$zkc_flags"
echo
echo "machine: $machine"
echo "load before: $load_before"
echo "load after:  $load_after"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
if [ "$keep" = 1 ]; then echo "summary: $work/summary.md, $work/summary.json; zkc plots: $work/MODEL/zkc.svg"; fi
