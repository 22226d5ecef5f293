"""Each service's settings, built from the environment Terraform gives its task, start in production.

The environment is rendered from services.tf with example.tfvars' inputs (and the variables' defaults); each secret
ECS injects becomes a value of the shape its secret holds. The service's own Settings class then has to accept it
with `<PREFIX>ENVIRONMENT=production`: every key its production validators require is present, every service it calls
(the registry's may_address) is reached by its Service Connect name, and what it stores goes to PostgreSQL, not SQLite.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import secrets
import textwrap
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from deploy_tests.utils.services import database_services
from deploy_tests.utils.terraform import TERRAFORM_DIR, TerraformConfig, parse_hcl_file
from storyscape_common.registry import GATEWAY, service

BUILT = (GATEWAY, "story-service", "media-service", "prompt-service", "history-service", "hindi-llm-service")
EXPRESSION = re.compile(r"\$\{([^{}]*)\}")
# Read by the SDKs and drivers (or by a setting's own alias), never left over from the machine running the tests.
FOREIGN_VARIABLES = ("FIREBASE_AUTH_EMULATOR_HOST", "PGPASSWORD", "PGSSLMODE", "PGHOST", "PGUSER", "PGDATABASE")


def heredoc(value: Any) -> Any:
    """python-hcl2 keeps `<<-PEM ... PEM` as written: the text between the markers, indentation stripped."""
    if isinstance(value, str) and value.startswith("<<"):
        lines = value.splitlines()
        return textwrap.dedent("\n".join(lines[1:-1])) + "\n"
    if isinstance(value, dict):
        return {key: heredoc(item) for key, item in value.items()}
    return value


def tfvars(config: TerraformConfig) -> dict[str, Any]:
    """example.tfvars over the variables' defaults: the inputs of a real deployment."""
    values = {block.name: block.body["default"] for block in config.of_kind("variable") if "default" in block.body}
    example: dict[str, Any] = heredoc(parse_hcl_file(TERRAFORM_DIR / "example.tfvars"))
    return values | example


class Renderer:
    """Evaluates the few expression shapes services.tf uses in environments; anything else fails the test."""

    def __init__(self, config: TerraformConfig, public_keys: dict[str, str]) -> None:
        self.variables = tfvars(config) | {"internal_public_keys_pem": public_keys}
        self.services = config.locals["services"]
        self.databases = config.locals["database_services"]
        self.database = config.find("aws_db_instance.service").body

    def expression(self, text: str) -> str:
        for pattern, evaluate in (
            (r"var\.(\w+)", lambda m: str(self.variables[m[1]])),
            (r"jsonencode\(var\.(\w+)\)", lambda m: json.dumps(self.variables[m[1]])),
            (r"tostring\(var\.(\w+)\)", lambda m: str(self.variables[m[1]])),
            (r'local\.service_urls\["([\w-]+)"\]', lambda m: f"http://{m[1]}:{self.services[m[1]]['port']}"),
            (r'local\.database_urls\["([\w-]+)"\]', self.database_url),
            (r"local\.region", lambda m: str(self.variables["aws_region"])),
            (r"aws_s3_bucket\.media\.bucket", lambda m: "storyscape-media-123456789012"),
        ):
            match = re.fullmatch(pattern, text)
            if match:
                return evaluate(match)
        raise AssertionError(f"the test cannot render ${{{text}}}: teach Renderer.expression this shape")

    def database_url(self, match: re.Match[str]) -> str:
        # As data.tf builds it from the instance: the user, the instance's address, port and database; no password.
        host = f"storyscape-{match[1]}.abcdefghijkl.ap-south-1.rds.amazonaws.com"
        return f"postgresql://{self.database['username']}@{host}:{self.database['port']}/{self.databases[match[1]]['database']}"

    def value(self, value: Any) -> str:
        return EXPRESSION.sub(lambda m: self.expression(m[1]), str(value))


def secret_value(name: str, signing_keys: dict[str, str], issuer: str) -> str:
    """A value of the shape the secret behind `name` holds (what put-secret-value or RDS would have put there)."""
    if name == "PGPASSWORD":
        return secrets.token_urlsafe(24)
    if name.endswith("_INTERNAL_SIGNING_KEY"):
        return signing_keys[issuer]
    if name.endswith("_OPENAI_API_KEY"):
        return "sk-proj-" + secrets.token_urlsafe(32)
    if name.endswith("_REDIS_URL"):
        return f"rediss://:{secrets.token_hex(32)}@master.storyscape-redis.abcdef.aps1.cache.amazonaws.com:6379/0"
    if name.endswith("_FIREBASE_CREDENTIALS"):
        return json.dumps(
            {
                "type": "service_account",
                "project_id": "storyscape-prod",
                "private_key_id": secrets.token_hex(20),
                "private_key": Ed25519PrivateKey.generate()
                .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
                .decode(),
                "client_email": "account-deleter@storyscape-prod.iam.gserviceaccount.com",
                "token_uri": "https://oauth2.googleapis.com/token",
            }
        )
    raise AssertionError(f"the test does not know what the secret behind {name} holds: teach secret_value its shape")


def key_pairs(issuers: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """issuer -> PEM private key, issuer -> PEM public key: one real Ed25519 pair each."""
    private, public = {}, {}
    for issuer in issuers:
        key = Ed25519PrivateKey.generate()
        private[issuer] = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        public[issuer] = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def task_environment(config: TerraformConfig, name: str) -> dict[str, str]:
    """What ECS puts in `name`'s container: its plain environment, then its secrets' values."""
    issuers = list(tfvars(config)["internal_public_keys_pem"])
    signing_keys, public_keys = key_pairs(issuers)
    renderer = Renderer(config, public_keys)
    environment = {key: renderer.value(value) for key, value in config.locals["service_environment"][name].items()}
    injected = {key: secret_value(key, signing_keys, name) for key in config.locals["service_secrets"][name]}
    return environment | injected


def build_settings(name: str, environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """`name`'s own Settings, read from exactly `environment` (no .env file, nothing of this machine's)."""
    prefix = service(name).env_prefix
    for variable in list(os.environ):
        if variable.startswith(prefix) or variable in FOREIGN_VARIABLES:
            monkeypatch.delenv(variable)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    module = importlib.import_module(f"{service(name).module}.settings")
    return module.Settings(_env_file=None)


def test_every_service_is_built_here(config: TerraformConfig) -> None:
    assert set(BUILT) == set(config.locals["service_environment"])


@pytest.mark.parametrize("name", BUILT)
def test_production_settings_accept_what_terraform_gives(name: str, config: TerraformConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    environment = task_environment(config, name)

    settings = build_settings(name, environment, monkeypatch)

    assert settings.environment == "production"
    assert settings.port == service(name).default_port
    if name in database_services():
        assert settings.database_url.startswith("postgresql://"), f"{name} would keep its data in SQLite inside its task"
        assert environment["PGSSLMODE"] == "require" and environment["PGPASSWORD"]
    for callee in service(name).may_address:
        field = callee.removesuffix("-service").replace("-", "_") + "_url"
        expected = f"http://{callee}:{service(callee).default_port}"
        assert getattr(settings, field).removesuffix("/v1") == expected, f"{name} calls {callee} at {getattr(settings, field)}"


def test_story_service_can_delete_accounts_and_sign_in_production(config: TerraformConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    """Account deletion deletes the Firebase user (admin credentials, a real project, no emulator) and calls every
    service that holds the reader's data; the outbox and idempotency keys live in story-service's own database."""
    settings = build_settings("story-service", task_environment(config, "story-service"), monkeypatch)

    assert settings.firebase_credentials_info()["type"] == "service_account"
    assert not settings.emulator_host() and not settings.firebase_project_id.startswith("demo-")
    assert settings.signing_key_pem().startswith("-----BEGIN PRIVATE KEY-----")
    assert "story-service" in settings.trusted_public_keys()
    for field, callee in (("history_url", "history-service"), ("media_url", "media-service"), ("prompt_url", "prompt-service")):
        assert getattr(settings, field) == f"http://{callee}:{service(callee).default_port}"
    assert settings.database_url.endswith("/story")
