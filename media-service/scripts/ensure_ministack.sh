#!/usr/bin/env bash
# Ensure MiniStack (an S3-compatible server for tests) is installed in its own virtualenv,
# <repo>/.tools/ministack-venv: it pins a botocore that conflicts with aiobotocore in the main venv.
# Idempotent; prints the path of the `ministack` executable. Override the interpreter with PYTHON=...
set -euo pipefail

MINISTACK_VERSION="1.5.33"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${MINISTACK_VENV:-$repo_root/.tools/ministack-venv}"
python="${PYTHON:-python3}"

installed_version() {
    "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("ministack"))' 2>/dev/null || true
}

install() {
    if [[ "$(installed_version)" == "$MINISTACK_VERSION" && -x "$venv/bin/ministack" ]]; then
        return
    fi
    echo "installing ministack==$MINISTACK_VERSION into $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "ministack==$MINISTACK_VERSION" >&2
}

mkdir -p "$(dirname "$venv")"
if command -v flock >/dev/null 2>&1; then
    # Several test runs may start at once; one installs, the others wait for it.
    exec 9>"$venv.lock"
    flock 9
fi
install
echo "$venv/bin/ministack"
