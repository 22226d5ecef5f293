"""Every image, compose service and ECS task starts its service as `make run` does: `python -m <module>`, whose
`__main__` serves through storyscape_common.server (header limits and deadline, connection cap, the configured
keep-alive, graceful drain). Plain `uvicorn --factory ...` would bypass all of it, and with it
GATEWAY_KEEP_ALIVE_TIMEOUT_SECONDS=65 behind the ALB's 60 s idle timeout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from deploy_tests.utils.dockerfile import DOCKER_DIR, GPU_DOCKERFILE, SERVICE_DOCKERFILE, commands, environment
from deploy_tests.utils.terraform import TERRAFORM_DIR, TerraformConfig
from deploy_tests.utils.tools import REPO_ROOT
from storyscape_common.registry import HINDI_LLM_SERVICE, SERVICES, service

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILES = sorted(DOCKER_DIR.glob("*.Dockerfile"))
UVICORN = re.compile(r"\buvicorn\b")


def code_lines(path: Path) -> list[str]:
    """The file's lines without its comments (`#`, and `//` in Terraform)."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith(("#", "//")):
            continue
        lines.append(line.split(" #", 1)[0])
    return lines


@pytest.mark.parametrize(
    "path",
    [*DOCKERFILES, COMPOSE_FILE, *sorted(TERRAFORM_DIR.rglob("*.tf"))],
    ids=lambda path: str(path.relative_to(REPO_ROOT)),
)
def test_nothing_starts_uvicorn_directly(path: Path) -> None:
    started = [line.strip() for line in code_lines(path) if UVICORN.search(line)]
    assert not started, f"{path.relative_to(REPO_ROOT)} starts uvicorn itself (use `python -m <module>`): {started}"


def test_every_entry_point_serves_through_storyscape_common_server() -> None:
    for info in SERVICES:
        main = (REPO_ROOT / info.directory / info.module / "__main__.py").read_text(encoding="utf-8")
        assert "from storyscape_common.app import serve" in main, info.name
        assert f'serve("{info.module}.main:create_app", Settings())' in main, info.name


def test_service_image_runs_python_m_its_module_on_8000() -> None:
    assert commands(SERVICE_DOCKERFILE) == [["sh", "-c", 'exec python -m "$MODULE"']]
    env = environment(SERVICE_DOCKERFILE)
    assert env["MODULE"] == "${MODULE}"
    # The settings read <PREFIX>HOST / <PREFIX>PORT: without them the server would listen on 127.0.0.1 in its container.
    assert env["${ENV_PREFIX}HOST"] == "0.0.0.0"
    assert env["${ENV_PREFIX}PORT"] == "8000"


def test_gpu_image_runs_python_m_hindi_llm_service_on_8000() -> None:
    assert commands(GPU_DOCKERFILE) == [["python", "-m", service(HINDI_LLM_SERVICE).module]]
    env = environment(GPU_DOCKERFILE)
    assert (env["HINDI_LLM_HOST"], env["HINDI_LLM_PORT"]) == ("0.0.0.0", "8000")


def test_compose_builds_each_service_with_its_registry_module_and_prefix() -> None:
    services = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"]

    built = set()
    for name, spec in services.items():
        for key in ("command", "entrypoint"):
            assert not UVICORN.search(str(spec.get(key, ""))), f"compose's {name} overrides its {key} with uvicorn"
        build = spec.get("build", {})
        if build.get("dockerfile") != "deploy/docker/service.Dockerfile":
            continue
        args = build.get("args", {})
        info = service(args["SERVICE"])
        assert args == {"SERVICE": info.directory, "MODULE": info.module, "ENV_PREFIX": info.env_prefix}, name
        assert not spec.get("command") and not spec.get("entrypoint"), f"{name} must run the image's own command"
        built.add(info.name)
    assert built == {info.name for info in SERVICES}


def test_terraform_runs_python_m_each_module(config: TerraformConfig) -> None:
    services = config.locals["services"]

    assert config.locals["service_commands"] == '${{for name, service in local.services : name => ["python", "-m", service.module]}}'
    assert {name: spec["module"] for name, spec in services.items()} == {info.name: info.module for info in SERVICES}
    gateway = config.locals["service_environment"]["gateway"]
    # Not the server's default (5 s): the ALB, not the gateway, closes an idle connection.
    assert int(gateway["GATEWAY_KEEP_ALIVE_TIMEOUT_SECONDS"]) > 60
    # Only the ALB reaches the gateway: uvicorn takes its X-Forwarded-For (what --forwarded-allow-ips did before).
    assert gateway["FORWARDED_ALLOW_IPS"] == "*"
