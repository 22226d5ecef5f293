"""docker-compose runs the auth emulator, whose tokens anyone can mint: nothing it starts may face the network."""

from __future__ import annotations

from pathlib import Path

import yaml

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def test_every_published_port_is_bound_to_loopback() -> None:
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    published = {name: spec.get("ports", []) for name, spec in services.items()}

    assert "firebase-auth" in services
    assert published["gateway"], "the gateway must be reachable from this machine"
    for name, ports in published.items():
        for port in ports:
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond this machine"
