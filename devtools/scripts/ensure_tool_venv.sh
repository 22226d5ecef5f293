#!/usr/bin/env bash
# Ensure a command-line tool from PyPI is installed, at an exact version, in its own virtualenv
# <repo>/.tools/<package>-venv (tools whose pins would fight the services' venv: MiniStack, checkov).
# Usage: ensure_tool_venv.sh <package> <version> [executable]. Idempotent; prints the executable's path.
# Override the interpreter with PYTHON=..., the virtualenv with TOOL_VENV=...
set -euo pipefail

package="$1"
version="$2"
executable="${3:-$package}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${TOOL_VENV:-$repo_root/.tools/$package-venv}"
python="${PYTHON:-python3}"

installed_version() {
    "$venv/bin/python" -c "import importlib.metadata as m; print(m.version('$package'))" 2>/dev/null || true
}

install() {
    if [[ "$(installed_version)" == "$version" && -x "$venv/bin/$executable" ]]; then
        return
    fi
    echo "installing $package==$version into $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$package==$version" >&2
}

mkdir -p "$(dirname "$venv")"
if command -v flock >/dev/null 2>&1; then
    # Several test runs may start at once; one installs, the others wait for it.
    exec 9>"$venv.lock"
    flock 9
fi
install
echo "$venv/bin/$executable"
