"""docker-compose runs the auth emulator, whose tokens anyone can mint: nothing it starts may face the network. Each
of our services has a health check on /healthz that restarts it when its event loop stops answering, and each that
stores data keeps it in its own PostgreSQL database."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from deploy_tests.utils.dockerfile import GPU_DOCKERFILE, SERVICE_DOCKERFILE, environment
from deploy_tests.utils.services import all_settings, database_services
from storyscape_common.internal_auth import ensure_dev_keys, read_public_keys
from storyscape_common.registry import HINDI_LLM_SERVICE, SERVICES, service

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
OUR_DOCKERFILES = ("deploy/docker/service.Dockerfile", "deploy/docker/hindi-llm-gpu.Dockerfile")
HEALTHCHECK_IN_IMAGE = "/usr/local/bin/storyscape-healthcheck"
POSTGRES_INIT = REPO_ROOT / "deploy" / "docker" / "postgres-init.sql"
COMPOSE_DATABASE_URL = re.compile(r"postgresql://postgres:[^@]+@postgres:5432/(?P<database>\w+)")
# deploy/docker/healthcheck.py at its defaults: 3 tries of up to 2 s to connect and 2 s to read, 2 s apart, then 5 s
# between SIGTERM and SIGKILL.
WORST_CHECK_SECONDS = 3 * (2 + 2) + 2 * 2 + 5
# Read by the Firebase SDK (and by a setting's own alias), not by a <PREFIX> field.
FOREIGN_VARIABLES = {"FIREBASE_AUTH_EMULATOR_HOST"}
# Where compose mounts the dev keys `make setup` writes (storyscape_common.internal_auth.ensure_dev_keys).
KEYS_MOUNT = "./.data/keys"


def test_every_published_port_is_bound_to_loopback() -> None:
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    published = {name: spec.get("ports", []) for name, spec in services.items()}

    assert "firebase-auth" in services
    assert published["gateway"], "the gateway must be reachable from this machine"
    for name, ports in published.items():
        for port in ports:
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond this machine"


def seconds(duration: str) -> float:
    """A compose duration ("15s", "1m30s") in seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, f"not a duration: {duration}"
    return sum(float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit] for number, unit in parts)


def test_every_service_is_restarted_when_its_healthz_stops_answering() -> None:
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    ours = {name: spec for name, spec in services.items() if spec.get("build", {}).get("dockerfile") in OUR_DOCKERFILES}

    assert {spec.name for spec in SERVICES} <= set(ours), "every service of the registry runs in compose"
    for name, spec in ours.items():
        check = spec.get("healthcheck", {})
        command = check.get("test", [])
        assert command[:3] == ["CMD", "python", HEALTHCHECK_IN_IMAGE], f"{name} has no restarting health check"
        assert not check.get("disable"), name
        assert command[command.index("--url") + 1] == "http://127.0.0.1:8000/healthz", name
        assert float(command[command.index("--start-period") + 1]) == seconds(check["start_period"]), name
        # Docker kills a check that outlives its timeout: it must cover the tries, their pauses and the SIGTERM grace.
        assert seconds(check["timeout"]) > WORST_CHECK_SECONDS, name
        assert seconds(check["interval"]) <= 30 and check["retries"] >= 1, name
        # The check can stop the server only if the server is not PID 1, and the container comes back only if restarted.
        assert spec.get("init") is True, f"{name} needs init: true"
        assert spec.get("restart") in ("always", "unless-stopped"), name
    for dockerfile in OUR_DOCKERFILES:
        assert f"COPY deploy/docker/healthcheck.py {HEALTHCHECK_IN_IMAGE}\n" in (REPO_ROOT / dockerfile).read_text(), dockerfile


def test_every_service_that_stores_data_uses_its_own_postgres_database() -> None:
    """Without <PREFIX>DATABASE_URL a service falls back to SQLite inside its container: lost with the container, and
    each replica of story-service would keep its own outbox and idempotency keys."""
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    postgres = services["postgres"]["environment"]
    created = {postgres["POSTGRES_DB"], *re.findall(r"CREATE DATABASE (\w+);", POSTGRES_INIT.read_text())}
    stores_data = database_services()

    assert "story-service" in stores_data
    databases = {}
    for name in stores_data:
        spec = services[name]
        variable = f"{service(name).env_prefix}DATABASE_URL"
        url = COMPOSE_DATABASE_URL.fullmatch(str(spec["environment"].get(variable, "")))
        assert url, f"{name} has no {variable} on the postgres service: it would use SQLite in its container"
        assert url["database"] in created, f"{name}'s database {url['database']} is never created"
        databases[name] = url["database"]
        depends_on = spec.get("depends_on", {})
        assert isinstance(depends_on, dict) and depends_on.get("postgres") == {"condition": "service_healthy"}, name
    assert len(set(databases.values())) == len(databases), f"services share a database: {databases}"


def registry_service_of(spec: dict[str, Any]) -> str | None:
    """The registry service a compose service runs, from the image it builds (None for backing services)."""
    build = spec.get("build", {})
    if build.get("dockerfile") == "deploy/docker/service.Dockerfile":
        return str(build["args"]["SERVICE"])
    if build.get("dockerfile") == "deploy/docker/hindi-llm-gpu.Dockerfile":
        return HINDI_LLM_SERVICE
    return None


def ours() -> dict[str, tuple[str, dict[str, Any]]]:
    """Compose service -> (the registry service it runs, its compose spec)."""
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    found = {}
    for name, spec in services.items():
        registry_name = registry_service_of(spec)
        if registry_name is not None:
            found[name] = (registry_name, spec)
    return found


def unknown_settings(variables: dict[str, Any], registry_name: str) -> set[str]:
    """The variables that no settings field of `registry_name` reads (extra="ignore" would drop them silently)."""
    prefix, fields = service(registry_name).env_prefix, all_settings(registry_name)
    unknown = set()
    for variable in set(variables) - FOREIGN_VARIABLES:
        # `<PREFIX>FIELD__KEY` sets one key of a nested field (env_nested_delimiter="__").
        if not variable.startswith(prefix) or variable.removeprefix(prefix).split("__")[0].lower() not in fields:
            unknown.add(variable)
    return unknown


def test_every_variable_compose_sets_is_a_setting_of_its_service() -> None:
    found = ours()

    assert "hindi-llm-service-gpu" in found
    for name, (registry_name, spec) in found.items():
        variables = spec.get("environment", {})
        assert isinstance(variables, dict), f"{name}: write its environment as a mapping"
        unknown = unknown_settings(variables, registry_name)
        assert not unknown, f"compose gives {name} variables no setting of {registry_name} reads: {sorted(unknown)}"


def test_every_variable_our_images_set_is_a_setting() -> None:
    gpu = {k: v for k, v in environment(GPU_DOCKERFILE).items() if k.startswith("HINDI_LLM_")}
    assert gpu and not unknown_settings(gpu, HINDI_LLM_SERVICE), sorted(unknown_settings(gpu, HINDI_LLM_SERVICE))
    # service.Dockerfile sets `${ENV_PREFIX}<NAME>` for whichever service it builds: a field every service has.
    for info in SERVICES:
        generic = {
            key.replace("${ENV_PREFIX}", info.env_prefix): value
            for key, value in environment(SERVICE_DOCKERFILE).items()
            if key.startswith("${ENV_PREFIX}")
        }
        assert generic and not unknown_settings(generic, info.name), (info.name, sorted(generic))


def test_every_called_service_trusts_its_callers_keys_from_files_that_exist(tmp_path: Path) -> None:
    """A service without its callers' public keys refuses every internal token (401 for every story)."""
    keys = tmp_path / "keys"
    ensure_dev_keys(keys, tuple(info.issuer for info in SERVICES if info.may_address))  # what `make setup` writes
    called = {target for info in SERVICES for target in info.may_address}

    for name, (registry_name, spec) in ours().items():
        prefix = service(registry_name).env_prefix
        mounts = {}
        for volume in spec.get("volumes", []):
            source, target = str(volume).split(":")[:2]
            mounts[target] = keys if source == KEYS_MOUNT else Path(source)
        variables = spec.get("environment", {})
        if registry_name in called:
            assert f"{prefix}INTERNAL_PUBLIC_KEYS_DIR" in variables, f"{name} trusts no caller"
        for variable, value in variables.items():
            if not variable.endswith(("_FILE", "_DIR")) or not str(value).startswith("/run/keys"):
                continue
            assert "/run/keys" in mounts, f"{name} names {value} but mounts no keys there"
            host_path = mounts["/run/keys"] / str(value).removeprefix("/run/keys").lstrip("/")
            assert host_path.exists(), f"{name}'s {variable}={value} is no file `make setup` writes"
            if variable == f"{prefix}INTERNAL_PUBLIC_KEYS_DIR":
                callers = {info.issuer for info in SERVICES if registry_name in info.may_address}
                assert callers <= set(read_public_keys(host_path)), f"{name} does not trust {callers}"
