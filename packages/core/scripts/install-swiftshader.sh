#!/usr/bin/env bash
# Installs a software Vulkan adapter for the webgpu tests: Chromium's SwiftShader, taken out of
# Debian's chromium-common package (Mesa 22's lavapipe on Debian 12 is refused by Dawn), plus the
# Vulkan loader libvulkan1. Idempotent: the extracted driver is cached and a second run only checks.
# Prints the ICD json path last; vitest.config.ts points VK_ICD_FILENAMES at the same path.
# Under CI=true any failure fails the run; elsewhere it warns and the webgpu tests skip, saying why.
set -euo pipefail

cache="${CAIRN_SWIFTSHADER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/swiftshader}"
icd="$cache/vk_swiftshader_icd.json"
lib="$cache/libvk_swiftshader.so"

fail() {
  echo "install-swiftshader: $1" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  echo "install-swiftshader: continuing without a software Vulkan adapter; the webgpu tests will be skipped" >&2
  exit 0
}

has_loader() { ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; }

as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi
}

if ! has_loader; then
  command -v apt-get >/dev/null || fail "libvulkan.so.1 is missing and apt-get is not available to install libvulkan1"
  echo "install-swiftshader: installing libvulkan1 (the Vulkan loader)" >&2
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libvulkan1 >/dev/null 2>&1; then
    as_root apt-get update >/dev/null 2>&1 || true
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libvulkan1 >/dev/null \
      || fail "could not install libvulkan1 (needs root or sudo and apt-get)"
  fi
  has_loader || fail "libvulkan1 installed but libvulkan.so.1 is not in the linker cache"
fi

if [ ! -f "$lib" ] || [ ! -f "$icd" ]; then
  command -v apt-get >/dev/null || fail "apt-get is needed to download chromium-common (it holds libvk_swiftshader.so)"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  echo "install-swiftshader: downloading chromium-common for libvk_swiftshader.so" >&2
  if ! (cd "$work" && apt-get download chromium-common >/dev/null 2>&1); then
    as_root apt-get update >/dev/null 2>&1 || true
    (cd "$work" && apt-get download chromium-common >/dev/null) || fail "apt-get download chromium-common failed"
  fi
  dpkg-deb -x "$work"/chromium-common_*.deb "$work/root"
  found="$(find "$work/root" -name libvk_swiftshader.so -print -quit)"
  [ -n "$found" ] || fail "chromium-common holds no libvk_swiftshader.so"
  mkdir -p "$cache"
  # Copied then renamed, so that an interrupted run never leaves a half-written driver behind.
  cp "$found" "$lib.tmp" && mv "$lib.tmp" "$lib"
  cat > "$icd.tmp" <<JSON
{
  "file_format_version": "1.0.0",
  "ICD": { "library_path": "$lib", "api_version": "1.3.0" }
}
JSON
  mv "$icd.tmp" "$icd"
fi

echo "$icd"
