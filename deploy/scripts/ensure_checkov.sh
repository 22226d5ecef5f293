#!/usr/bin/env bash
# checkov (static checks for deploy/terraform) in .tools/checkov-venv: it pins many libraries that would fight the
# services' venv. Prints the path of the `checkov` executable.
set -euo pipefail
TOOL_VENV="${CHECKOV_VENV:-${TOOL_VENV:-}}" exec bash "$(dirname "${BASH_SOURCE[0]}")/../../devtools/scripts/ensure_tool_venv.sh" checkov 3.3.30
