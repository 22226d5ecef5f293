"""The six services: production settings that match the code, their ports, wiring, start order and the GPU node."""

from __future__ import annotations

import re
from typing import Any

from deploy_tests.utils.services import all_settings
from deploy_tests.utils.terraform import TerraformConfig, nested, single

PORTS = {
    "gateway": 8000,
    "story-service": 8001,
    "media-service": 8002,
    "prompt-service": 8003,
    "history-service": 8004,
    "hindi-llm-service": 8005,
}
PREFIXES = {
    "gateway": "GATEWAY_",
    "story-service": "STORY_",
    "media-service": "MEDIA_",
    "prompt-service": "PROMPT_",
    "history-service": "HISTORY_",
    "hindi-llm-service": "HINDI_LLM_",
}
# Read by libraries, not by our settings: libpq-style variables for asyncpg, offline switches for vLLM, and the
# proxies uvicorn trusts for X-Forwarded-For (the gateway's ALB).
LIBRARY_VARIABLES = {"PGSSLMODE", "PGPASSWORD", "HF_HUB_OFFLINE", "VLLM_NO_USAGE_STATS", "DO_NOT_TRACK", "HOME", "FORWARDED_ALLOW_IPS"}
# Settings the deployment sets before the service code has the field; each is a no-op until then
# (extra="ignore"). Add one only with its issue, and remove it when its field lands.
AHEAD_OF_CODE: frozenset[str] = frozenset()


def test_every_service_runs_in_production(config: TerraformConfig) -> None:
    environment = config.locals["service_environment"]

    assert set(environment) == set(PORTS)
    for service, prefix in PREFIXES.items():
        env = environment[service]
        assert env[f"{prefix}ENVIRONMENT"] == "production", service
        assert env[f"{prefix}INTERNAL_PUBLIC_KEYS"] == "${jsonencode(var.internal_public_keys_pem)}", service
        strangers = {k for k in env if not k.startswith(prefix)} - LIBRARY_VARIABLES
        assert not strangers, f"{service} is given another service's settings: {strangers}"


def test_environment_names_match_each_services_settings(config: TerraformConfig) -> None:
    environment, secrets = config.locals["service_environment"], config.locals["service_secrets"]

    unknown = set()
    for service, prefix in PREFIXES.items():
        fields = all_settings(service)
        for name in {*environment[service], *secrets[service]} - LIBRARY_VARIABLES:
            if name.removeprefix(prefix).lower() not in fields:
                unknown.add(name)
    assert unknown <= AHEAD_OF_CODE, f"no settings field reads {sorted(unknown - AHEAD_OF_CODE)}"


def test_services_listen_and_are_reached_on_their_own_ports(config: TerraformConfig) -> None:
    services, environment = config.locals["services"], config.locals["service_environment"]

    assert {name: s["port"] for name, s in services.items()} == PORTS
    assert {name: s["prefix"] for name, s in services.items()} == PREFIXES
    for service, prefix in PREFIXES.items():
        assert environment[service][f"{prefix}PORT"] == str(PORTS[service])
    assert config.locals["service_urls"] == '${{for name, service in local.services : name => "http://${name}:${service.port}"}}'
    # `python -m <module>` listens on <PREFIX>HOST:<PREFIX>PORT (test_entrypoints.py checks the command itself).
    for service, prefix in PREFIXES.items():
        assert environment[service][f"{prefix}HOST"] == "0.0.0.0", service
    gateway = environment["gateway"]
    for upstream in ("story", "media", "prompt", "history"):
        assert gateway[f"GATEWAY_{upstream.upper()}_URL"] == f'${{local.service_urls["{upstream}-service"]}}'
    assert environment["story-service"]["STORY_HINDI_LLM_URL"] == '${local.service_urls["hindi-llm-service"]}/v1'
    assert environment["media-service"]["MEDIA_OBJECT_STORE"] == "s3"


def module_calls(config: TerraformConfig) -> dict[str, dict[str, Any]]:
    """Service name -> the module call that runs it (for_each calls expanded)."""
    calls: dict[str, dict[str, Any]] = {}
    for module in config.of_kind("module"):
        assert module.body["source"] == "./modules/ecs_service"
        if "for_each" in module.body:
            for name in re.findall(r'"([\w-]+)"', module.body["for_each"]):
                calls[name] = module.body
        else:
            calls[module.body["name"]] = module.body
    return calls


def test_each_service_runs_once_with_its_own_settings_roles_and_network(config: TerraformConfig) -> None:
    calls = module_calls(config)

    assert set(calls) == set(PORTS)
    wired = (
        "environment",
        "secrets",
        "execution_role_arn",
        "task_role_arn",
        "security_group_id",
        "log_group_name",
        "image",
        "command",
        "port",
    )
    for service, call in calls.items():
        key = "[each.key]" if "for_each" in call else f'["{service}"]'
        for argument in wired:
            indexes = re.findall(r"\[[^\]]*\]", call[argument])
            assert indexes and all(i == key for i in indexes), f"{service}.{argument} = {call[argument]}"


def test_services_start_after_the_services_they_call(config: TerraformConfig) -> None:
    # Service Connect gives a task only the endpoints that exist when it starts.
    callers = {c for caller_list in config.locals["service_callers"].values() for c in caller_list}
    leaves = set(re.findall(r'"([\w-]+)"', config.find("module.leaf_service").body["for_each"]))

    assert callers == {"gateway", "story-service", "history-service"}
    assert leaves | {"hindi-llm-service"} == set(PORTS) - callers
    assert config.find("module.history_service").body["depends_on"] == ["${module.leaf_service}"]
    story_after = {"${module.leaf_service}", "${module.history_service}", "${module.hindi_llm_service}"}
    assert set(config.find("module.story_service").body["depends_on"]) >= story_after
    assert "${module.story_service}" in config.find("module.gateway").body["depends_on"]
    assert config.find("module.gateway").body["target_group_arn"] == "${aws_lb_target_group.gateway.arn}"
    assert config.find("module.gateway").body["serves_other_services"] is False


def test_history_service_reaches_media_and_prompt_service(config: TerraformConfig) -> None:
    # Its media deletions and a photo story's save go to media-service; without the hop they would wait for ever.
    callers, environment = config.locals["service_callers"], config.locals["service_environment"]["history-service"]

    for callee, variable in (("media-service", "HISTORY_MEDIA_URL"), ("prompt-service", "HISTORY_PROMPT_URL")):
        assert "history-service" in callers[callee]
        assert environment[variable] == f'${{local.service_urls["{callee}"]}}'


def test_streams_are_not_cut_by_service_connect(service_module: TerraformConfig) -> None:
    service = service_module.find("aws_ecs_service.this").body
    connect = single(service, "service_connect_configuration")

    assert connect["enabled"] is True
    published = single(connect, "service")
    assert single(published, "client_alias") == {"dns_name": "${var.name}", "port": "${var.port}"}
    timeout = single(published, "timeout")
    # Service Connect's default is 15 s per request; a story streams for minutes (pinging every 15 s).
    assert timeout["per_request_timeout_seconds"] == 0
    assert timeout["idle_timeout_seconds"] > 15


def test_containers_are_locked_down(service_module: TerraformConfig) -> None:
    container = service_module.locals["container_base"]
    service = service_module.find("aws_ecs_service.this").body

    assert container["readonlyRootFilesystem"] is True
    assert service["enable_execute_command"] is False
    assert single(service, "deployment_circuit_breaker") == {"enable": True, "rollback": True}
    assert "/healthz" in container["healthCheck"]["command"][-1]


def test_every_container_is_replaced_when_its_healthz_stops_answering(config: TerraformConfig, service_module: TerraformConfig) -> None:
    # ECS replaces a task whose essential container turns UNHEALTHY: a hung event loop fails the check's timeout.
    task = service_module.find("aws_ecs_task_definition.this").body
    container = service_module.locals["container_base"]
    check = container.get("healthCheck", {})

    assert not config.resources("aws_ecs_task_definition"), "task definitions come from modules/ecs_service alone"
    assert set(module_calls(config)) == set(PORTS)
    assert task["container_definitions"] == "${jsonencode([local.container])}"
    assert service_module.locals["container"].startswith("${merge(local.container_base,")
    assert not any("healthCheck" in service_module.locals[part] for part in ("container_fargate", "container_gpu"))
    assert container["essential"] is True
    assert check, "the service container has no health check"
    assert check["command"][:3] == ["CMD", "python", "-c"]
    probe = re.fullmatch(r"import urllib\.request; urllib\.request\.urlopen\('(.+)', timeout=(\d+)\)", check["command"][3])
    assert probe, check["command"]
    assert probe[1] == "http://127.0.0.1:${var.port}/healthz"
    assert int(probe[2]) < check["timeout"] < check["interval"] <= 30
    assert 2 <= check["retries"] <= 5
    assert check["startPeriod"] == "${var.health_check_start_period_seconds}"
    assert 10 <= service_module.find("var.health_check_start_period_seconds").body["default"] <= 60
    # vLLM loads and compiles the model before it listens.
    assert config.find("module.hindi_llm_service").body["health_check_start_period_seconds"] >= 120


def test_hindi_llm_service_runs_on_gpu_nodes_with_vllm(config: TerraformConfig) -> None:
    template = config.find("aws_launch_template.gpu").body
    ami = config.find("data.aws_ssm_parameter.ecs_gpu_ami").body
    call = config.find("module.hindi_llm_service").body

    assert re.fullmatch(r"/aws/service/ecs/optimized-ami/amazon-linux-20\d\d/gpu/recommended/image_id", ami["name"])
    assert template["image_id"] == "${data.aws_ssm_parameter.ecs_gpu_ami.insecure_value}"
    assert single(template, "metadata_options")["http_tokens"] == "required"
    assert single(single(template, "block_device_mappings"), "ebs")["encrypted"] is True
    assert config.find("var.gpu_instance_type").body["default"].startswith(("g5.", "g6."))
    provider = single(config.find("aws_ecs_capacity_provider.gpu").body, "auto_scaling_group_provider")
    assert single(provider, "managed_scaling")["status"] == "ENABLED"
    assert call["gpu"]["capacity_provider"] == "${aws_ecs_capacity_provider.gpu.name}"
    assert call["gpu"]["count"] >= 1
    assert config.find("var.hindi_llm_engine").body["default"] == "vllm"
    providers = config.find("aws_ecs_cluster_capacity_providers.main").body["capacity_providers"]
    assert "${aws_ecs_capacity_provider.gpu.name}" in providers
    assert nested(config.find("aws_autoscaling_group.gpu").body, "launch_template")
