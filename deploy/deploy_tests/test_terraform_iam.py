"""Least privilege: who may touch the media bucket, who gets which secret, what each role can do."""

from __future__ import annotations

import re
from typing import Any

from deploy_tests.utils.terraform import Block, TerraformConfig, mentions, nested, single

SERVICES = ("gateway", "story-service", "media-service", "prompt-service", "history-service", "hindi-llm-service")
IAM_TYPES = ("aws_iam_role", "aws_iam_role_policy", "aws_iam_policy", "aws_iam_role_policy_attachment")
SECRET_REFERENCE = re.compile(r'aws_secretsmanager_secret\.\w+|local\.database_secret_arns\[\\?"[\w-]+\\?"\]')


def policy_documents(config: TerraformConfig) -> list[Block]:
    return [b for b in config.of_kind("data", "aws_iam_policy_document")]


def allows_s3(statement: dict[str, Any]) -> bool:
    return statement.get("effect", "Allow") == "Allow" and any(a.startswith("s3:") for a in statement["actions"])


def secret_references(value: object) -> set[str]:
    return {m.replace('\\"', '"') for m in SECRET_REFERENCE.findall(str(value))}


def test_only_media_services_task_role_may_touch_the_media_bucket(config: TerraformConfig) -> None:
    # Identity policies (no principals) that allow any s3: action: only the media one.
    identity_s3 = [
        doc.name for doc in policy_documents(config) for s in nested(doc.body, "statement") if allows_s3(s) and not nested(s, "principals")
    ]
    assert set(identity_s3) == {"media_bucket_access"}
    users = config.mentioning("data.aws_iam_policy_document.media_bucket_access")
    assert [b.address for b in users] == ["aws_iam_role_policy.media_bucket_access"]
    assert users[0].body["role"] == '${aws_iam_role.task["media-service"].id}'
    # No other IAM resource or document names the bucket; the bucket's own policy only denies.
    iam_blocks = [b for b in config.blocks if b.type in IAM_TYPES or b.type == "aws_iam_policy_document"]
    naming_bucket = {b.address for b in iam_blocks if b.mentions("aws_s3_bucket.media")}
    assert naming_bucket == {
        "data.aws_iam_policy_document.media_bucket_access",
        "data.aws_iam_policy_document.media_bucket",
        "data.aws_iam_policy_document.logs_bucket",
    }
    assert all(s["effect"] == "Deny" for s in nested(config.find("data.aws_iam_policy_document.media_bucket").body, "statement"))
    log_delivery = nested(config.find("data.aws_iam_policy_document.logs_bucket").body, "statement")
    assert all(single(s, "principals")["type"] in ("Service", "AWS", "*") for s in log_delivery)


def test_no_managed_policy_widens_a_service_role(config: TerraformConfig) -> None:
    attachments = config.resources("aws_iam_role_policy_attachment")
    for attachment in attachments:
        assert not mentions(attachment.body["role"], "aws_iam_role.task"), attachment.address
        assert not mentions(attachment.body["role"], "aws_iam_role.execution"), attachment.address
    inline = [b for b in config.resources("aws_iam_role_policy") if mentions(b.body["role"], "aws_iam_role.task")]
    assert [b.address for b in inline] == ["aws_iam_role_policy.media_bucket_access"]


def test_media_bucket_name_reaches_only_media_service(config: TerraformConfig) -> None:
    environment = config.locals["service_environment"]

    holders = {service for service, env in environment.items() if mentions(env, "aws_s3_bucket.media")}
    assert holders == {"media-service"}


def test_openai_key_reaches_only_story_service(config: TerraformConfig) -> None:
    key = "aws_secretsmanager_secret.openai_api_key"

    for table in ("service_secrets", "service_secret_arns"):
        holders = {s for s, value in config.locals[table].items() if mentions(value, key)}
        assert holders == {"story-service"}, table
    assert config.locals["service_secrets"]["story-service"]["STORY_OPENAI_API_KEY"] == f"${{{key}.arn}}"
    # Outside the locals above, only an output (its ARN, to fill it) names the secret; no version holds its value.
    assert [b.address for b in config.mentioning(key)] == ["output.openai_api_key_secret_arn"]


def test_each_signing_key_reaches_only_its_own_service(config: TerraformConfig) -> None:
    key = "aws_secretsmanager_secret.internal_signing_key"
    secrets = config.locals["service_secrets"]

    assert {s for s, value in secrets.items() if mentions(value, key)} == {"gateway", "story-service", "history-service", "prompt-service"}
    assert secrets["gateway"]["GATEWAY_INTERNAL_SIGNING_KEY"] == f'${{{key}["gateway"].arn}}'
    assert secrets["story-service"]["STORY_INTERNAL_SIGNING_KEY"] == f'${{{key}["story-service"].arn}}'
    assert secrets["history-service"]["HISTORY_INTERNAL_SIGNING_KEY"] == f'${{{key}["history-service"].arn}}'
    assert secrets["prompt-service"]["PROMPT_INTERNAL_SIGNING_KEY"] == f'${{{key}["prompt-service"].arn}}'
    assert config.find(key).body["for_each"] == "${var.internal_public_keys_pem}"
    assert not config.resources("aws_secretsmanager_secret_version") or all(
        not b.mentions(key) for b in config.resources("aws_secretsmanager_secret_version")
    )


def test_execution_roles_read_only_the_secrets_they_inject(config: TerraformConfig) -> None:
    injected, readable = config.locals["service_secrets"], config.locals["service_secret_arns"]

    assert set(injected) == set(readable) == set(SERVICES)
    for service in SERVICES:
        assert secret_references(injected[service]) == secret_references(readable[service]), service
    statements = {s["sid"]: s for s in nested(config.find("data.aws_iam_policy_document.execution").body, "statement")}
    assert statements["ReadInjectedSecrets"]["resources"] == "${local.service_secret_arns[each.key]}"
    assert statements["ReadInjectedSecrets"]["actions"] == ["secretsmanager:GetSecretValue"]
    decrypt = single(statements["DecryptInjectedSecrets"], "condition")
    assert (decrypt["variable"], decrypt["values"]) == ("kms:ViaService", ["secretsmanager.${local.region}.amazonaws.com"])
    assert statements["PullOwnImage"]["resources"] == ["${local.image_repository_arns[each.key]}"]
    assert statements["WriteOwnLogs"]["resources"] == ["${aws_cloudwatch_log_group.service[each.key].arn}:*"]


def test_roles_are_per_service_and_only_ecs_may_assume_them(config: TerraformConfig) -> None:
    for role in ("execution", "task"):
        body = config.find(f"aws_iam_role.{role}").body
        assert body["for_each"] == "${local.services}"
        assert body["assume_role_policy"] == "${data.aws_iam_policy_document.ecs_tasks_assume.json}"
    assume = single(config.find("data.aws_iam_policy_document.ecs_tasks_assume").body, "statement")
    assert single(assume, "principals")["identifiers"] == ["ecs-tasks.amazonaws.com"]
    assert {c["variable"] for c in nested(assume, "condition")} == {"aws:SourceAccount", "aws:SourceArn"}


def test_secret_values_never_pass_through_terraform(config: TerraformConfig) -> None:
    versions = config.resources("aws_secretsmanager_secret_version")

    assert [v.address for v in versions] == ["aws_secretsmanager_secret_version.redis_url"]
    names = {b.name for b in config.of_kind("variable")}
    assert not {n for n in names if re.search(r"openai|password|signing_key|token|secret_value", n)}
