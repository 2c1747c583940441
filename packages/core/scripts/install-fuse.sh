#!/bin/sh
# Installs what the power-cut campaign (test/faults/powercut) needs: Debian's fuse3 and
# python3-pyfuse3, for /usr/bin/python3. Idempotent; does nothing when both are there.
set -eu
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import pyfuse3, trio' 2>/dev/null && command -v fusermount3 >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-fuse.sh: fuse3 and python3-pyfuse3 are missing and installing them needs root (apt-get); the power-cut campaign will be skipped (it fails under CI=true)" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 0
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fuse3 python3-pyfuse3
if [ ! -e /dev/fuse ]; then
  echo "install-fuse.sh: installed, but /dev/fuse is missing: the power-cut campaign cannot mount here (a container needs --device /dev/fuse and CAP_SYS_ADMIN)" >&2
fi
