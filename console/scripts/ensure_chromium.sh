#!/usr/bin/env bash
# The console's browser test drives Debian's Chromium with its ChromeDriver (a test tool's own browser download
# cannot work offline). Installed with apt-get when missing; a clear message when that is not possible.
set -euo pipefail
PACKAGES=(chromium chromium-driver)
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then exit 0; fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -q "${PACKAGES[@]}" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "${PACKAGES[@]}" >/dev/null; }
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get install -y -q "${PACKAGES[@]}" >/dev/null
else
    echo "The console's browser test needs the Debian packages ${PACKAGES[*]}." >&2
    echo "Install them as root: apt-get install -y ${PACKAGES[*]}" >&2
    exit 1
fi
command -v chromium >/dev/null && command -v chromedriver >/dev/null || { echo "chromium still missing after install" >&2; exit 1; }
