#!/usr/bin/env bash
# Cairn's GPU check, for a GPU machine without network and without Node (see README.md beside this file).
#   bash run.sh                      the real check: NVIDIA's Vulkan driver, then PyTorch Lightning on CUDA
#   bash run.sh --allow-software --quick
#                                    dry run on any adapter (SwiftShader on a machine without a GPU), small sizes
# GPU_CHECK_NODE=/path/to/node uses that Node instead of the carried one; PYTHON picks the Python.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="${GPU_CHECK_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/cairn-gpu-check-XXXXXX")}"
allow_software=0
for arg in "$@"; do [ "$arg" = "--allow-software" ] && allow_software=1; done

# xz when the machine has it, else Python's lzma (the GPU machine has Python).
unpack() {
  if command -v xz >/dev/null; then xz -dc "$1" > "$2.tmp"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2.tmp"; fi
  mv "$2.tmp" "$2"
}

node="${GPU_CHECK_NODE:-}"
if [ -z "$node" ]; then
  node="$work/node"
  [ -x "$node" ] || { unpack "$here/node.xz" "$node"; chmod +x "$node"; }
fi
# The bundle keeps its packages' relative lookups: webgpu wants dawn.node in dist/linux-x64/ beside it,
# @cairn/callbacks its .proto files in ../../proto/ from it.
mkdir -p "$work/pkg/dist/dist/linux-x64"
cp "$here/gpu-check.mjs" "$work/pkg/dist/gpu-check.mjs"
cp -r "$here/proto" "$work/"
[ -f "$work/pkg/dist/dist/linux-x64/dawn.node" ] || unpack "$here/dawn.node.xz" "$work/pkg/dist/dist/linux-x64/dawn.node"

if [ -z "${VK_ICD_FILENAMES:-}" ]; then
  if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
    export VK_ICD_FILENAMES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  elif [ "$allow_software" = 1 ] && [ -f "${XDG_CACHE_HOME:-$HOME/.cache}/cairn/swiftshader/vk_swiftshader_icd.json" ]; then
    export VK_ICD_FILENAMES="${XDG_CACHE_HOME:-$HOME/.cache}/cairn/swiftshader/vk_swiftshader_icd.json"
  fi
fi
echo "gpu-check: node $("$node" --version), VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-<unset>}, work folder $work"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/gpu-check: nvidia-smi: /'

"$node" "$work/pkg/dist/gpu-check.mjs" --out "$work/out" "$@"

py="${PYTHON:-python3}"
if command -v "$py" >/dev/null; then
  "$py" "$here/lightning_peer.py" --results "$work/out/results.json" "$@"
else
  echo "gpu-check: python parts skipped: $py not found"
fi
echo "gpu-check: done; results in $work/out"
