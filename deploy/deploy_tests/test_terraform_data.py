"""Where data rests: S3 buckets, PostgreSQL, Redis and logs are private, encrypted and kept as long as intended."""

from __future__ import annotations

from typing import Any

from deploy_tests.utils.services import database_services
from deploy_tests.utils.terraform import Block, TerraformConfig, nested, single
from storyscape_common.registry import service as registry_service

KMS_KEY = "${aws_kms_key.main.arn}"


def buckets(config: TerraformConfig) -> list[Block]:
    found = config.resources("aws_s3_bucket")
    assert {b.name for b in found} == {"media", "logs"}
    return found


def attached_to(config: TerraformConfig, resource_type: str, bucket: Block) -> dict[str, Any]:
    """The one `resource_type` (public access block, policy, ...) configuring `bucket`."""
    matches = [b for b in config.resources(resource_type) if b.body["bucket"] == f"${{{bucket.address}.id}}"]
    assert len(matches) == 1, f"{bucket.address} needs exactly one {resource_type}"
    return matches[0].body


def test_every_bucket_blocks_all_public_access(config: TerraformConfig) -> None:
    for bucket in buckets(config):
        block = attached_to(config, "aws_s3_bucket_public_access_block", bucket)
        flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        assert all(block[flag] is True for flag in flags), bucket.address
        ownership = attached_to(config, "aws_s3_bucket_ownership_controls", bucket)
        assert single(ownership, "rule")["object_ownership"] == "BucketOwnerEnforced"


def test_every_bucket_is_encrypted_and_media_uses_our_key(config: TerraformConfig) -> None:
    for bucket in buckets(config):
        encryption = attached_to(config, "aws_s3_bucket_server_side_encryption_configuration", bucket)
        default = single(single(encryption, "rule"), "apply_server_side_encryption_by_default")
        if bucket.name == "media":
            assert (default["sse_algorithm"], default["kms_master_key_id"]) == ("aws:kms", KMS_KEY)
        else:
            assert default["sse_algorithm"] in ("AES256", "aws:kms")


def test_every_bucket_refuses_plain_http(config: TerraformConfig) -> None:
    for bucket in buckets(config):
        policy = attached_to(config, "aws_s3_bucket_policy", bucket)["policy"]
        document = config.find(policy.removeprefix("${").removesuffix(".json}")).body
        denies = [s for s in nested(document, "statement") if s.get("effect") == "Deny"]
        tls_only = [
            s for s in denies if any(c["variable"] == "aws:SecureTransport" and c["values"] == ["false"] for c in nested(s, "condition"))
        ]
        assert tls_only, f"{bucket.address} has no deny for aws:SecureTransport=false"
        statement = tls_only[0]
        assert statement["actions"] == ["s3:*"]
        assert single(statement, "principals")["identifiers"] == ["*"]
        assert set(statement["resources"]) == {f"${{{bucket.address}.arn}}", f"${{{bucket.address}.arn}}/*"}


def test_every_bucket_is_versioned_with_a_lifecycle(config: TerraformConfig) -> None:
    for bucket in buckets(config):
        versioning = attached_to(config, "aws_s3_bucket_versioning", bucket)
        assert single(versioning, "versioning_configuration")["status"] == "Enabled"
        rules = nested(attached_to(config, "aws_s3_bucket_lifecycle_configuration", bucket), "rule")
        assert any(nested(r, "noncurrent_version_expiration") for r in rules), bucket.address
        assert any(nested(r, "abort_incomplete_multipart_upload") for r in rules), bucket.address


def test_deleted_media_is_gone_for_good_within_a_day(config: TerraformConfig) -> None:
    """A deleted child's photo must not linger as a noncurrent version (versioning keeps what a delete hides)."""
    [media] = [bucket for bucket in buckets(config) if bucket.name == "media"]
    rules = nested(attached_to(config, "aws_s3_bucket_lifecycle_configuration", media), "rule")
    expirations = [single(rule, "noncurrent_version_expiration") for rule in rules if nested(rule, "noncurrent_version_expiration")]
    assert [expiration["noncurrent_days"] for expiration in expirations] == [1]
    assert all(rule.get("status") == "Enabled" and nested(rule, "filter") for rule in rules)


def test_databases_are_private_encrypted_and_backed_up(config: TerraformConfig) -> None:
    [database] = config.resources("aws_db_instance")
    db = database.body

    assert db["for_each"] == "${local.database_services}"
    assert set(config.locals["database_services"]) == database_services()
    assert db["publicly_accessible"] is False
    assert (db["storage_encrypted"], db["kms_key_id"]) == (True, KMS_KEY)
    assert db["multi_az"] == "${var.db_multi_az}"
    assert db["deletion_protection"] == "${var.deletion_protection}"
    assert db["backup_retention_period"] == "${var.db_backup_retention_days}"
    assert db["skip_final_snapshot"] is False
    assert config.find("var.db_multi_az").body["default"] is True
    assert config.find("var.deletion_protection").body["default"] is True
    assert config.find("var.db_backup_retention_days").body["default"] >= 7


def test_database_passwords_are_managed_by_rds(config: TerraformConfig) -> None:
    db = config.find("aws_db_instance.service").body

    assert db["manage_master_user_password"] is True
    assert db["master_user_secret_kms_key_id"] == KMS_KEY
    assert "password" not in db
    # Services get a URL without a password; asyncpg takes it from PGPASSWORD (the RDS-managed secret).
    assert "@" in config.locals["database_urls"] and "password" not in config.locals["database_urls"]
    for service in config.locals["database_services"]:
        assert config.locals["service_secrets"][service]["PGPASSWORD"] == f'${{local.database_secret_arns["{service}"]}}:password::'


def test_every_service_that_stores_data_gets_its_own_database(config: TerraformConfig) -> None:
    """A service with a `database_url` and no database in Terraform would run on SQLite inside its task: it cannot open
    it on a read-only root filesystem, and with several tasks each would keep its own rows (story-service: outbox,
    idempotency keys, account deletions), all lost when the task is replaced."""
    stores_data = database_services()
    provisioned = config.locals["database_services"]
    environment, secrets, readable = (config.locals[name] for name in ("service_environment", "service_secrets", "service_secret_arns"))

    # Read from the services' settings: if this derivation broke, the checks below would pass on nothing.
    assert {"story-service", "history-service"} <= stores_data
    assert set(provisioned) == stores_data, "a service whose settings have a database_url needs local.database_services"
    names = [db["database"] for db in provisioned.values()]
    assert len(set(names)) == len(names), "each service has its own database"
    for name in stores_data:
        prefix = registry_service(name).env_prefix
        url, password = f'${{local.database_urls["{name}"]}}', f'${{local.database_secret_arns["{name}"]}}'
        assert environment[name].get(f"{prefix}DATABASE_URL") == url, f"{name} has no {prefix}DATABASE_URL: it would use SQLite"
        assert secrets[name].get("PGPASSWORD") == f"{password}:password::", f"{name} gets no password secret for its database"
        assert password in readable[name], f"{name}'s execution role cannot read its database secret"
    for name, env in environment.items():
        if name not in stores_data:
            assert not any(key.endswith("DATABASE_URL") or key.startswith("PG") for key in env), name

    # One RDS instance, security group and pair of rules per such service, each opening 5432 to its owner alone.
    assert config.find("aws_db_instance.service").body["vpc_security_group_ids"] == ["${aws_security_group.database[each.key].id}"]
    for address in (
        "aws_security_group.database",
        "aws_vpc_security_group_ingress_rule.database_from_owner",
        "aws_vpc_security_group_egress_rule.owner_to_database",
    ):
        assert config.find(address).body["for_each"] == "${local.database_services}", address
    ingress = config.find("aws_vpc_security_group_ingress_rule.database_from_owner").body
    egress = config.find("aws_vpc_security_group_egress_rule.owner_to_database").body
    assert ingress["security_group_id"] == egress["referenced_security_group_id"] == "${aws_security_group.database[each.key].id}"
    assert ingress["referenced_security_group_id"] == egress["security_group_id"] == "${aws_security_group.service[each.key].id}"
    assert ingress["from_port"] == ingress["to_port"] == egress["from_port"] == egress["to_port"] == 5432


def test_databases_refuse_unencrypted_connections(config: TerraformConfig) -> None:
    parameters = nested(config.find("aws_db_parameter_group.postgres").body, "parameter")

    assert {"name": "rds.force_ssl", "value": "1"} in parameters
    assert config.find("aws_db_instance.service").body["parameter_group_name"] == ("${aws_db_parameter_group.postgres.name}")
    for service in config.locals["database_services"]:
        assert config.locals["service_environment"][service]["PGSSLMODE"] == "require"


def test_redis_encrypts_everything_and_requires_a_token(config: TerraformConfig) -> None:
    [redis] = config.resources("aws_elasticache_replication_group")

    assert redis.body["transit_encryption_enabled"] is True
    assert (redis.body["at_rest_encryption_enabled"], redis.body["kms_key_id"]) == (True, KMS_KEY)
    assert redis.body["auth_token"] == "${terraform_data.redis_auth_token.output}"
    assert redis.body["automatic_failover_enabled"] is True
    assert config.find("aws_secretsmanager_secret_version.redis_url").body["secret_string"].startswith("rediss://")


def test_log_groups_are_encrypted_and_expire(config: TerraformConfig) -> None:
    groups = config.resources("aws_cloudwatch_log_group")

    assert len(groups) >= 5
    for group in groups:
        assert group.body["kms_key_id"] == KMS_KEY, group.address
        assert group.body["retention_in_days"] in ("${var.log_retention_days}", "${var.access_log_retention_days}")
    assert config.find("aws_kms_key.main").body["enable_key_rotation"] is True
