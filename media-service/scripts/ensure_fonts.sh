#!/usr/bin/env bash
# The offline illustrator draws with Debian's Noto fonts: fonts-noto-core (Devanagari and Latin captions,
# SIL OFL 1.1) and fonts-noto-color-emoji (the artwork: images Apache-2.0, font SIL OFL 1.1).
# Pillow's wheel bundles raqm and HarfBuzz but loads FriBiDi from the system (libfribidi0): without it,
# Devanagari captions would be drawn unshaped.
set -euo pipefail
NOTO=/usr/share/fonts/truetype/noto
NEEDED=("$NOTO/NotoSansDevanagari-Regular.ttf" "$NOTO/NotoSans-Regular.ttf" "$NOTO/NotoColorEmoji.ttf")
PACKAGES=(fonts-noto-core fonts-noto-color-emoji libfribidi0)
missing() {
    for f in "${NEEDED[@]}"; do [ -f "$f" ] || return 0; done
    ldconfig -p 2>/dev/null | grep -q 'libfribidi\.so\.0' || return 0
    return 1
}
if ! missing; then exit 0; fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -q "${PACKAGES[@]}" >/dev/null
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get install -y -q "${PACKAGES[@]}" >/dev/null
else
    echo "media-service needs the Debian packages ${PACKAGES[*]} for offline pictures." >&2
    echo "Install them as root: apt-get install -y ${PACKAGES[*]} (or set the MEDIA_*_FONT paths)." >&2
    exit 1
fi
if missing; then echo "fonts still missing after install: ${NEEDED[*]}" >&2; exit 1; fi
