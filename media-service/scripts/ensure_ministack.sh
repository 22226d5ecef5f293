#!/usr/bin/env bash
# MiniStack (an S3-compatible server for tests) in .tools/ministack-venv: it pins a botocore that conflicts with
# aiobotocore in the main venv. Prints the path of the `ministack` executable.
set -euo pipefail
TOOL_VENV="${MINISTACK_VENV:-${TOOL_VENV:-}}" exec bash "$(dirname "${BASH_SOURCE[0]}")/../../devtools/scripts/ensure_tool_venv.sh" ministack 1.5.33
