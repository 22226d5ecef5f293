"""docker-compose runs the auth emulator, whose tokens anyone can mint: nothing it starts may face the network. Each
of our services has a health check on /healthz that restarts it when its event loop stops answering, and each that
stores data keeps it in its own PostgreSQL database."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from deploy_tests.utils.services import database_services
from storyscape_common.registry import SERVICES, service

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
OUR_DOCKERFILES = ("deploy/docker/service.Dockerfile", "deploy/docker/hindi-llm-gpu.Dockerfile")
HEALTHCHECK_IN_IMAGE = "/usr/local/bin/storyscape-healthcheck"
POSTGRES_INIT = REPO_ROOT / "deploy" / "docker" / "postgres-init.sql"
COMPOSE_DATABASE_URL = re.compile(r"postgresql://postgres:[^@]+@postgres:5432/(?P<database>\w+)")
# deploy/docker/healthcheck.py at its defaults: 3 tries of up to 2 s to connect and 2 s to read, 2 s apart, then 5 s
# between SIGTERM and SIGKILL.
WORST_CHECK_SECONDS = 3 * (2 + 2) + 2 * 2 + 5


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
