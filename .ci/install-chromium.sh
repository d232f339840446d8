#!/usr/bin/env bash
# Installs Debian's Chromium (used headless by the report-page tests, test/e2e/report*.test.ts and trend.test.ts, to check the HTML report draws).
# Idempotent: does nothing when /usr/bin/chromium is already there. Needs root (or sudo) on Debian/Ubuntu.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-liberation
/usr/bin/chromium --version
