#!/usr/bin/env bash
# Puts what jobs/bench/gpu/time_graphs.py needs from this machine into .gpu-carry/ (ignored by git), to be named in
# the device tool's `carry`: the MiniLM model.onnx the engine runs (55 MB; the larger shapes are built on the GPU
# machine) and the sequence lengths of a bench-suite run. Usage: jobs/bench/gpu/prepare-carry.sh RESULTS_RUN_DIR
set -euo pipefail
cd "$(dirname "$0")/../../.."
run="${1:?usage: $0 results/<timestamp> (a bench-suite run that measured minilm)}"
lengths="$run/sequence-lengths-minilm.txt"
[ -f "$lengths" ] || { echo "no $lengths: run bench-suite with minilm first" >&2; exit 2; }
model="${LLMLINGUA_CACHE:-$HOME/.cache/flink-llmlingua}/models/minilm-l6-untrained/model.onnx"
[ -f "$model" ] || { echo "no $model: the suite builds it on first use" >&2; exit 2; }
rm -rf .gpu-carry && mkdir -p .gpu-carry/minilm
cp "$lengths" .gpu-carry/
cp "$model" .gpu-carry/minilm/model.onnx
du -sh .gpu-carry
