"""The command-line tools the checks use where this machine has them: terraform, its aws provider, checkov."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
CHECKOV_CONFIG = REPO_ROOT / "deploy" / "terraform" / ".checkov.yaml"

# Where an offline copy of the hashicorp/aws provider may lie, in `terraform init -plugin-dir` layout:
# $TF_PLUGIN_DIR and Terraform's own implied local mirrors.
PLUGIN_DIR_CANDIDATES = (
    os.environ.get("TF_PLUGIN_DIR", ""),
    str(Path.home() / ".terraform.d" / "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    output: str


def terraform_binary() -> str | None:
    return os.environ.get("TERRAFORM_BIN") or shutil.which("terraform")


def aws_provider_mirror() -> Path | None:
    """A plugin directory holding an aws provider that versions.tf accepts (~> 5.100), so init needs no network."""
    for candidate in filter(None, PLUGIN_DIR_CANDIDATES):
        directory = Path(candidate)
        for binary in directory.glob("registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*"):
            major, minor = (int(part) for part in binary.parents[1].name.split(".")[:2])
            if major == 5 and minor >= 100:
                return directory
    return None


def checkov_binary() -> str | None:
    installed = REPO_ROOT / ".tools" / "checkov-venv" / "bin" / "checkov"
    if os.environ.get("CHECKOV_BIN"):
        return os.environ["CHECKOV_BIN"]
    return str(installed) if installed.exists() else shutil.which("checkov")


def run_tool(args: list[str], *, cwd: Path, home: Path, timeout: float = 300) -> CommandResult:
    """Run a tool offline and quietly: no update checks, no prompts, no user configuration."""
    cli_config = home / "terraformrc"
    cli_config.touch()
    env = {
        **os.environ,
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "NO_COLOR": "1",
    }
    completed = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return CommandResult(completed.returncode, completed.stdout + completed.stderr)
