#!/usr/bin/env bash
# The GPU check: on a machine with an NVIDIA GPU and a CUDA libtorch, trains a few LoRA steps with fp16-stored frozen
# weights for the tiny model and for LLaVA-1.5-7B's shape cut to a few layers (random weights), and prints per model
# the step time, tokens/s and the peak GPU memory next to the memory planner's figure:
#   gpu-check: model="..." step_s=... tokens_per_s=... peak_gib=... plan_gib=... plan_err_pct=...
# Usage (from the repository root, after `mvn -B -DskipTests package`):
#   trainer-image/gpu-check.sh [--device cpu] [more gpu-check options, see --help]
# PYTORCH_FLAVOR must name a CUDA build DJL can fetch or find (e.g. cu128); DJL 0.36 needs libtorch 2.7.1 (see
# STACK.md). --device cpu runs the same code on CPU (the trainer's tests do, with tiny sizes).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/trainer-image/target/mmalign-trainer.jar"
[[ -f "$jar" ]] || { echo "gpu-check.sh: $jar missing; run mvn -B -DskipTests package first" >&2; exit 2; }
export PYTORCH_VERSION="${PYTORCH_VERSION:-2.7.1}"
if [[ " $* " != *" --device cpu "* ]]; then
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader \
    || echo "gpu-check.sh: nvidia-smi not found" >&2
  export PYTORCH_FLAVOR="${PYTORCH_FLAVOR:-cu128}"
fi
exec java -jar "$jar" gpu-check --model-config "$root/examples/paper/llava-1.5-7b-hf.config.json" "$@"
