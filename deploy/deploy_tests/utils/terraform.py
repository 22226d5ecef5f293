"""deploy/terraform parsed with python-hcl2 into blocks that tests can look up and search."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
from hcl2 import SerializationOptions

TERRAFORM_DIR = Path(__file__).resolve().parents[2] / "terraform"
SERVICE_MODULE_DIR = TERRAFORM_DIR / "modules" / "ecs_service"

# Plain strings instead of '"quoted"' ones; expressions stay as "${...}" strings.
HCL_OPTIONS = SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=False)

ADDRESS_PREFIX = {"resource": "", "data": "data.", "module": "module.", "variable": "var.", "output": "output."}


def parse_hcl_file(path: Path) -> dict[str, Any]:
    """One HCL file as python-hcl2's dict."""
    with path.open(encoding="utf-8") as fh:
        return hcl2.load(fh, serialization_options=HCL_OPTIONS)


@dataclass(frozen=True)
class Block:
    """A top-level block: resource, data source, module call, variable or output."""

    kind: str
    type: str
    name: str
    body: dict[str, Any]
    path: Path

    @property
    def address(self) -> str:
        type_part = f"{self.type}." if self.type else ""
        return f"{ADDRESS_PREFIX[self.kind]}{type_part}{self.name}"

    def text(self) -> str:
        return json.dumps(self.body)

    def mentions(self, reference: str) -> bool:
        """True when the block refers to `reference`, e.g. "aws_s3_bucket.media" (not "aws_s3_bucket.media_x")."""
        return mentions(self.body, reference)


def mentions(value: Any, reference: str) -> bool:
    """True when any expression inside `value` refers to `reference`."""
    pattern = rf"(?<![\w.]){re.escape(reference)}(?![\w-])"
    return re.search(pattern, json.dumps(value)) is not None


@dataclass
class TerraformConfig:
    """Every block of one Terraform directory (not its modules), plus its merged locals and settings."""

    blocks: list[Block] = field(default_factory=list)
    locals: dict[str, Any] = field(default_factory=dict)
    settings: list[dict[str, Any]] = field(default_factory=list)
    providers: list[dict[str, Any]] = field(default_factory=list)

    def of_kind(self, kind: str, type_: str = "") -> list[Block]:
        return [b for b in self.blocks if b.kind == kind and (not type_ or b.type == type_)]

    def resources(self, type_: str) -> list[Block]:
        return self.of_kind("resource", type_)

    def find(self, address: str) -> Block:
        matches = [b for b in self.blocks if b.address == address]
        assert len(matches) == 1, f"expected exactly one {address}, found {len(matches)}"
        return matches[0]

    def mentioning(self, reference: str) -> list[Block]:
        return [b for b in self.blocks if b.mentions(reference)]


def load_config(directory: Path = TERRAFORM_DIR) -> TerraformConfig:
    """Parse every .tf file directly inside `directory`."""
    config = TerraformConfig()
    for path in sorted(directory.glob("*.tf")):
        add_file(config, path=path, parsed=parse_hcl_file(path))
    return config


def add_file(config: TerraformConfig, *, path: Path, parsed: dict[str, Any]) -> None:
    """Index one parsed file's blocks into `config`."""
    for kind in ("resource", "data"):
        for entry in parsed.get(kind, []):
            for type_, named in entry.items():
                for name, body in named.items():
                    config.blocks.append(Block(kind, type_, name, body, path))
    for kind in ("module", "variable", "output"):
        for entry in parsed.get(kind, []):
            for name, body in entry.items():
                config.blocks.append(Block(kind, "", name, body, path))
    for entry in parsed.get("locals", []):
        duplicated = set(entry) & set(config.locals)
        assert not duplicated, f"locals defined twice: {duplicated}"
        config.locals.update(entry)
    config.settings.extend(parsed.get("terraform", []))
    config.providers.extend(parsed.get("provider", []))


def nested(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The nested blocks called `name`, static ones and the content of `dynamic "name"` ones."""
    found = list(body.get(name, []))
    for dynamic in body.get("dynamic", []):
        if name in dynamic:
            found.extend(dynamic[name].get("content", []))
    return found


def single(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The one nested block called `name`."""
    blocks = nested(body, name)
    assert len(blocks) == 1, f"expected one {name} block, found {len(blocks)}"
    return blocks[0]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
