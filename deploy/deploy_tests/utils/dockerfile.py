"""Just enough of a Dockerfile reader for the tests: instructions with their continuation lines joined, and the
exec-form (JSON) arguments of CMD / ENTRYPOINT."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from deploy_tests.utils.tools import REPO_ROOT

DOCKER_DIR = REPO_ROOT / "deploy" / "docker"
SERVICE_DOCKERFILE = DOCKER_DIR / "service.Dockerfile"
GPU_DOCKERFILE = DOCKER_DIR / "hindi-llm-gpu.Dockerfile"


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, its arguments) in order; comments dropped, `\\` continuations joined."""
    result: list[tuple[str, str]] = []
    pending = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        result.append((keyword.upper(), arguments.strip()))
        pending = ""
    return result


def exec_form(arguments: str) -> list[str]:
    """CMD / ENTRYPOINT arguments as the list the container runs (a shell-form one becomes `sh -c ...`)."""
    if arguments.startswith("["):
        value = json.loads(arguments)
        assert isinstance(value, list) and all(isinstance(item, str) for item in value), arguments
        return value
    return ["/bin/sh", "-c", arguments]


def commands(path: Path) -> list[list[str]]:
    """Every CMD and ENTRYPOINT of the Dockerfile, in exec form."""
    return [exec_form(arguments) for keyword, arguments in instructions(path) if keyword in ("CMD", "ENTRYPOINT")]


def arg_defaults(path: Path) -> dict[str, str]:
    """ARG name -> its default (only the ARGs that have one)."""
    defaults = {}
    for keyword, arguments in instructions(path):
        if keyword == "ARG" and "=" in arguments:
            name, _, value = arguments.partition("=")
            defaults[name.strip()] = value.strip()
    return defaults


def environment(path: Path) -> dict[str, str]:
    """What the ENV instructions set (`KEY=VALUE` form; quotes removed as the shell would)."""
    env: dict[str, str] = {}
    for keyword, arguments in instructions(path):
        if keyword == "ENV":
            for word in shlex.split(arguments):
                key, separator, value = word.partition("=")
                assert separator, f"ENV in the old `ENV KEY VALUE` form: {arguments}"
                env[key] = value
    return env


def copies(path: Path) -> list[tuple[str, str]]:
    """(source, destination) of every single-source COPY without --from."""
    pairs = []
    for keyword, arguments in instructions(path):
        words = arguments.split()
        if keyword == "COPY" and len(words) == 2 and not words[0].startswith("--"):
            pairs.append((words[0], words[1]))
    return pairs


def expand(text: str, variables: dict[str, str]) -> str:
    """`${NAME}` replaced by its value (as the builder does for ARGs with their defaults)."""
    return re.sub(r"\$\{(\w+)\}", lambda match: variables[match[1]], text)
