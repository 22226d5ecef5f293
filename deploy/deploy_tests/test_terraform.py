"""deploy/terraform parses, pins its provider, and exposes only HTTPS to the internet."""

from __future__ import annotations

import re

from deploy_tests.utils.terraform import (
    TERRAFORM_DIR,
    TerraformConfig,
    as_list,
    nested,
    parse_hcl_file,
    single,
)

OPEN_CIDRS = {"0.0.0.0/0", "::/0"}
TLS12_OR_NEWER_POLICY = re.compile(r"^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-")
FILES_BY_CONCERN = {
    "versions.tf",
    "variables.tf",
    "outputs.tf",
    "network.tf",
    "alb.tf",
    "ecs.tf",
    "services.tf",
    "gpu.tf",
    "data.tf",
    "storage.tf",
    "iam.tf",
    "secrets.tf",
}


def test_every_terraform_file_parses() -> None:
    paths = [p for p in TERRAFORM_DIR.rglob("*") if p.suffix in (".tf", ".hcl") and ".terraform" not in p.parts]
    parsed = {p.relative_to(TERRAFORM_DIR).as_posix(): parse_hcl_file(p) for p in paths}

    assert FILES_BY_CONCERN <= set(parsed)
    assert all(parsed.values()), "an empty .tf file"
    assert "tests/plan.tftest.hcl" in parsed


def test_aws_provider_is_pinned_to_5x(config: TerraformConfig, service_module: TerraformConfig) -> None:
    for settings in (config.settings, service_module.settings):
        aws = single(settings[0], "required_providers")["aws"]
        assert aws["source"] == "hashicorp/aws"
        assert re.fullmatch(r"~> 5\.\d+", aws["version"]), aws["version"]
    assert [set(p) for p in config.providers] == [{"aws"}]


def test_https_listener_uses_tls12_or_newer(config: TerraformConfig) -> None:
    https = [b for b in config.resources("aws_lb_listener") if b.body["protocol"] == "HTTPS"]

    assert len(https) == 1
    listener = https[0].body
    assert listener["port"] == 443
    assert TLS12_OR_NEWER_POLICY.match(listener["ssl_policy"]), listener["ssl_policy"]
    assert listener["certificate_arn"] == "${var.certificate_arn}"
    assert single(listener, "default_action")["target_group_arn"] == "${aws_lb_target_group.gateway.arn}"


def test_plain_http_only_redirects_to_https(config: TerraformConfig) -> None:
    plain = [b for b in config.resources("aws_lb_listener") if b.body["protocol"] != "HTTPS"]

    assert [(b.body["protocol"], b.body["port"]) for b in plain] == [("HTTP", 80)]
    action = single(plain[0].body, "default_action")
    assert action["type"] == "redirect"
    redirect = single(action, "redirect")
    assert (redirect["protocol"], redirect["port"], redirect["status_code"]) == ("HTTPS", "443", "HTTP_301")
    # No rule may hang a forward off the HTTP listener.
    for rule in config.resources("aws_lb_listener_rule"):
        assert rule.body["listener_arn"] == "${aws_lb_listener.https.arn}"


def test_alb_is_public_hardened_and_behind_waf(config: TerraformConfig) -> None:
    [alb] = config.resources("aws_lb")

    assert alb.body["internal"] is False
    assert alb.body["drop_invalid_header_fields"] is True
    assert single(alb.body, "access_logs")["enabled"] is True
    [association] = config.resources("aws_wafv2_web_acl_association")
    assert association.body["resource_arn"] == "${aws_lb.main.arn}"
    [target_group] = config.resources("aws_lb_target_group")
    assert (target_group.body["target_type"], target_group.body["protocol"]) == ("ip", "HTTP")
    # The gateway keeps an idle connection longer than the ALB does, so the ALB never reuses one the gateway closed.
    gateway_keep_alive = int(config.locals["service_environment"]["gateway"]["GATEWAY_KEEP_ALIVE_TIMEOUT_SECONDS"])
    assert gateway_keep_alive > alb.body["idle_timeout"]


def test_metrics_are_not_served_to_the_internet(config: TerraformConfig) -> None:
    rule = config.find("aws_lb_listener_rule.hide_metrics").body
    action = single(rule, "action")

    assert action["type"] == "fixed-response"
    assert single(action, "fixed_response")["status_code"] == "404"
    assert "/metrics" in single(single(rule, "condition"), "path_pattern")["values"]


def ingress_rules(config: TerraformConfig) -> list[dict[str, object]]:
    """Every ingress rule, whichever way it is written (standalone resources or inline blocks)."""
    rules = [b.body for b in config.resources("aws_vpc_security_group_ingress_rule")]
    rules += [b.body for b in config.resources("aws_security_group_rule") if b.body.get("type") == "ingress"]
    for group in config.resources("aws_security_group"):
        rules += [{**r, "security_group_id": f"${{{group.address}.id}}"} for r in nested(group.body, "ingress")]
    return rules


def egress_rules(config: TerraformConfig) -> list[dict[str, object]]:
    rules = [b.body for b in config.resources("aws_vpc_security_group_egress_rule")]
    rules += [b.body for b in config.resources("aws_security_group_rule") if b.body.get("type") == "egress"]
    for group in config.resources("aws_security_group"):
        rules += nested(group.body, "egress")
    return rules


def opens_to_internet(rule: dict[str, object]) -> bool:
    cidrs = {rule.get("cidr_ipv4"), rule.get("cidr_ipv6")}
    for key in ("cidr_blocks", "ipv6_cidr_blocks"):
        cidrs |= set(as_list(rule.get(key, [])))
    return bool(cidrs & OPEN_CIDRS)


def test_only_the_alb_accepts_traffic_from_the_internet(config: TerraformConfig) -> None:
    public = [r for r in ingress_rules(config) if opens_to_internet(r)]

    assert sorted((r["security_group_id"], r["from_port"], r["to_port"]) for r in public) == [
        ("${aws_security_group.alb.id}", 80, 80),
        ("${aws_security_group.alb.id}", 443, 443),
    ]
    assert all(r.get("ip_protocol", r.get("protocol")) == "tcp" for r in public)


def test_internet_egress_is_https_only(config: TerraformConfig) -> None:
    rules = egress_rules(config)
    public = [r for r in rules if opens_to_internet(r)]

    assert public, "tasks need HTTPS out (ECR, OpenAI, Firebase certificates)"
    assert all((r["ip_protocol"], r["from_port"], r["to_port"]) == ("tcp", 443, 443) for r in public)
    assert all(r.get("ip_protocol") not in ("-1", "all") for r in rules)


def test_each_service_port_opens_only_to_its_callers(config: TerraformConfig) -> None:
    callers = config.locals["service_callers"]

    assert "gateway" not in callers, "only the ALB calls the gateway"
    assert callers["hindi-llm-service"] == ["story-service"]
    assert set(callers["story-service"]) == {"gateway"}
    from_caller = config.find("aws_vpc_security_group_ingress_rule.service_from_caller").body
    assert from_caller["for_each"] == "${local.service_edges}"
    assert from_caller["referenced_security_group_id"] == "${aws_security_group.service[each.value.caller].id}"
    from_alb = config.find("aws_vpc_security_group_ingress_rule.gateway_from_alb").body
    assert from_alb["referenced_security_group_id"] == "${aws_security_group.alb.id}"
    database = config.find("aws_vpc_security_group_ingress_rule.database_from_owner").body
    assert database["referenced_security_group_id"] == "${aws_security_group.service[each.key].id}"
    redis = config.find("aws_vpc_security_group_ingress_rule.redis_from_gateway").body
    assert redis["referenced_security_group_id"] == '${aws_security_group.service["gateway"].id}'


def test_the_model_server_has_no_way_out(config: TerraformConfig) -> None:
    https_out = config.find("aws_vpc_security_group_egress_rule.service_https_out").body

    assert https_out["for_each"] == "${local.internet_clients}"
    assert 'name != "hindi-llm-service"' in config.locals["internet_clients"]


def test_nothing_gets_a_public_address(config: TerraformConfig, service_module: TerraformConfig) -> None:
    for subnet in config.resources("aws_subnet"):
        assert subnet.body.get("map_public_ip_on_launch", False) is False
    service = service_module.find("aws_ecs_service.this").body
    assert single(service, "network_configuration")["assign_public_ip"] is False
    assert single(service, "network_configuration")["subnets"] == "${var.subnet_ids}"
    for module in config.of_kind("module"):
        assert module.body["subnet_ids"] == "${aws_subnet.private[*].id}"


def test_default_security_group_allows_nothing(config: TerraformConfig) -> None:
    [default] = config.resources("aws_default_security_group")

    assert not nested(default.body, "ingress") and not nested(default.body, "egress")
