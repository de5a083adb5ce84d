#!/usr/bin/env bash
# Runs the WebGPU bench on a bare Linux x86-64 machine with an NVIDIA GPU and its driver, but no
# Node, npm or Vulkan loader. Build the bundle here first: `npm run bench:gpu-bundle` writes
# bench/out/probescope-gpu-bench.tar.xz (< 64 MiB). Then, on the GPU machine:
#   bash bench/gpu-machine.sh [path/to/probescope-gpu-bench.tar.xz [tokens]]
# It unpacks to a temporary folder, points the bundled Vulkan loader at the NVIDIA ICD and runs
# the bench with the bundled Node. Prints the bench's table and one JSON line: the adapter and its
# features, GEMM GFLOP/s per shape (GPT-2-small projections at 128 tokens, the unembedding, 4096³;
# GPU time from timestamp-query), dispatches per layer and per forward (nothing / everything
# captured), the GPT-2-small forward time (wall and GPU), capture-all / capture-nothing, and the
# CPU backend's forward on the same machine for a ratio.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bundle=${1:-$here/out/probescope-gpu-bench.tar.xz}
[ -f "$bundle" ] || { echo "gpu-machine: bundle $bundle not found (build it with npm run bench:gpu-bundle)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xJf "$bundle"

# The NVIDIA driver ships its Vulkan ICD manifest in one of these places.
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
  for icd in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
             /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.x86_64.json; do
    if [ -f "$icd" ]; then export VK_ICD_FILENAMES=$icd VK_DRIVER_FILES=$icd; break; fi
  done
fi
[ -n "${VK_ICD_FILENAMES:-}" ] || echo "gpu-machine: no NVIDIA Vulkan ICD manifest found; Dawn will pick whatever adapter it finds" >&2
export LD_LIBRARY_PATH="$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
cd "$work"
exec ./node bench.mjs "${@:2}"
