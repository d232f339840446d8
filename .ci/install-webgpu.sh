#!/usr/bin/env bash
# Installs a software WebGPU adapter for machines without a GPU (CI): Mesa's lavapipe, the
# software Vulkan driver, which Dawn (Node, Bun) and Deno's wgpu both use.
#
# Dawn rejects lavapipe before Mesa 25 ("Vulkan shaderUniform*ArrayDynamicIndexing required"),
# and Debian bookworm ships Mesa 22.3, so on bookworm Mesa comes from bookworm-backports
# (25.0.x), whose apt source this script adds when it is missing. Debian trixie and later ship
# Mesa ≥ 25 in main.
#
# Idempotent. Never fails the CI: where a step is impossible (no apt, not root, package
# unavailable, no network) it says why and exits 0; the WebGPU tests then skip with a reason.
set -uo pipefail
cd "$(dirname "$0")/.."

MIN_MESA_MAJOR=25
say() { echo "install-webgpu: $*"; }
give_up() { say "$*; WebGPU tests will skip (no adapter)"; exit 0; }

mesa_major() { dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | sed -E 's/^([0-9]+:)?([0-9]+).*/\2/'; }

probe_adapter() {
  # Which adapter Dawn sees now (informational only).
  if [ -f node_modules/webgpu/index.js ]; then
    node --input-type=module -e "
      import { create, globals } from './node_modules/webgpu/index.js';
      Object.assign(globalThis, globals);
      const adapter = await create([]).requestAdapter();
      const i = adapter?.info;
      console.log('install-webgpu: Dawn adapter: ' + (i ? [i.vendor, i.architecture, i.description].join(' ') : 'none'));
    " 2>/dev/null || say "could not probe Dawn's adapter"
  fi
}

installed=$(mesa_major)
if [ -n "$installed" ] && [ "$installed" -ge "$MIN_MESA_MAJOR" ]; then
  say "mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) already installed"
  probe_adapter
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || give_up "no apt-get (not Debian/Ubuntu)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else give_up "not root and no passwordless sudo"; fi
fi

# shellcheck disable=SC1091
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
target=()
if [ "$codename" = "bookworm" ]; then
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    say "adding the bookworm-backports apt source (Mesa 25 for lavapipe)"
    printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' 'Components: main' \
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
      $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null || give_up "could not add the backports source"
  fi
  target=(-t bookworm-backports)
fi

$SUDO apt-get update -qq || give_up "apt-get update failed"
candidate=$(apt-cache policy mesa-vulkan-drivers 2>/dev/null | sed -n 's/^ *Candidate: //p')
[ -n "$candidate" ] && [ "$candidate" != "(none)" ] || give_up "mesa-vulkan-drivers is not available from the configured apt sources"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${target[@]}" mesa-vulkan-drivers >/dev/null ||
  give_up "apt-get install mesa-vulkan-drivers ${target[*]} failed"

installed=$(mesa_major)
say "installed mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null)"
if [ -z "$installed" ] || [ "$installed" -lt "$MIN_MESA_MAJOR" ]; then
  say "Mesa < $MIN_MESA_MAJOR: Deno's wgpu may still get an adapter, Dawn (Node, Bun) will not"
fi
probe_adapter
exit 0
