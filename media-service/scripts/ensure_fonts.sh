#!/usr/bin/env bash
# The offline illustrator draws with Debian's Noto fonts: fonts-noto-core (Devanagari and Latin captions,
# SIL OFL 1.1) and fonts-noto-color-emoji (the artwork: images Apache-2.0, font SIL OFL 1.1).
set -euo pipefail
NOTO=/usr/share/fonts/truetype/noto
NEEDED=("$NOTO/NotoSansDevanagari-Regular.ttf" "$NOTO/NotoSans-Regular.ttf" "$NOTO/NotoColorEmoji.ttf")
missing() { for f in "${NEEDED[@]}"; do [ -f "$f" ] || return 0; done; return 1; }
if ! missing; then exit 0; fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -q fonts-noto-core fonts-noto-color-emoji >/dev/null
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get install -y -q fonts-noto-core fonts-noto-color-emoji >/dev/null
else
    echo "media-service needs the Debian packages fonts-noto-core and fonts-noto-color-emoji for offline pictures." >&2
    echo "Install them as root: apt-get install -y fonts-noto-core fonts-noto-color-emoji (or set MEDIA_*_FONT paths)." >&2
    exit 1
fi
if missing; then echo "fonts still missing after install: ${NEEDED[*]}" >&2; exit 1; fi
