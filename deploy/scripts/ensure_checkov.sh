#!/usr/bin/env bash
# Ensure checkov (static checks for deploy/terraform) is installed in its own virtualenv,
# <repo>/.tools/checkov-venv: it pins many libraries that would fight the services' venv.
# Idempotent; prints the path of the `checkov` executable. Override the interpreter with PYTHON=...
set -euo pipefail

CHECKOV_VERSION="3.3.30"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${CHECKOV_VENV:-$repo_root/.tools/checkov-venv}"
python="${PYTHON:-python3}"

installed_version() {
    "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("checkov"))' 2>/dev/null || true
}

install() {
    if [[ "$(installed_version)" == "$CHECKOV_VERSION" && -x "$venv/bin/checkov" ]]; then
        return
    fi
    echo "installing checkov==$CHECKOV_VERSION into $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION" >&2
}

mkdir -p "$(dirname "$venv")"
if command -v flock >/dev/null 2>&1; then
    # Several test runs may start at once; one installs, the others wait for it.
    exec 9>"$venv.lock"
    flock 9
fi
install
echo "$venv/bin/checkov"
