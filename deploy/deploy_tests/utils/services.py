"""What the services' own code says they need: each service's settings fields (its Settings class with everything it
inherits, mixins from common/ included), and the services that store data (those whose settings have a
`database_url`)."""

from __future__ import annotations

import importlib
from pathlib import Path

from deploy_tests.utils.tools import REPO_ROOT
from storyscape_common.registry import SERVICES, service


def settings_file(name: str) -> Path:
    """`<directory>/<module>/settings.py` of a registry service."""
    info = service(name)
    return REPO_ROOT / info.directory / info.module / "settings.py"


def all_settings(name: str) -> set[str]:
    """Every settings field of a service, as pydantic reads them."""
    module = importlib.import_module(f"{service(name).module}.settings")
    return set(module.Settings.model_fields)


def database_services() -> set[str]:
    """The services that keep data in their own database: their settings have a `database_url`."""
    return {info.name for info in SERVICES if "database_url" in all_settings(info.name)}
