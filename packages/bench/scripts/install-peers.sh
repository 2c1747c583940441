#!/bin/sh
# Installs what the peer rows of `pnpm bench` compare against: PyTorch for CPU from Debian, with the
# OpenMP OpenBLAS (without it Debian's torch falls back to the reference BLAS, about 15x slower).
# Needs root (apt-get); the TF.js peers need nothing beyond the workspace's own dependencies.
set -eu
if /usr/bin/python3 -c 'import torch' 2>/dev/null && dpkg -s libopenblas0-openmp >/dev/null 2>&1; then
  echo "bench peers: torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') and libopenblas0-openmp already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "bench peers: installing python3-torch and libopenblas0-openmp needs root (apt-get); run as root or install them yourself" >&2
  exit 1
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-torch libopenblas0-openmp
/usr/bin/python3 -c 'import torch; print("bench peers: torch", torch.__version__, "ready")'
