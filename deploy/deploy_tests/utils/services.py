"""What the services' own code says they need: settings fields read from each settings.py, and the services that
store data (those whose settings have a `database_url`)."""

from __future__ import annotations

import ast
from pathlib import Path

from deploy_tests.utils.tools import REPO_ROOT
from storyscape_common.registry import SERVICES, service

COMMON_SETTINGS = REPO_ROOT / "common" / "storyscape_common" / "settings.py"
SETTINGS_CLASSES = ("Settings", "ServiceSettings", "SignerSettings")


def settings_file(name: str) -> Path:
    """`<directory>/<module>/settings.py` of a registry service."""
    info = service(name)
    return REPO_ROOT / info.directory / info.module / "settings.py"


def settings_fields(path: Path) -> set[str]:
    """Field names declared in the Settings / ServiceSettings / SignerSettings classes of one settings.py."""
    fields: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef) and node.name in SETTINGS_CLASSES:
            fields |= {s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)}
    return fields


def all_settings(name: str) -> set[str]:
    """Every settings field of a service: the shared base classes' and its own."""
    own = settings_file(name)
    return settings_fields(COMMON_SETTINGS) | (settings_fields(own) if own.exists() else set())


def database_services() -> set[str]:
    """The services that keep data in their own database: their settings have a `database_url`."""
    return {info.name for info in SERVICES if "database_url" in all_settings(info.name)}
