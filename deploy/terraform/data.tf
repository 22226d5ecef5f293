# ---------------------------------------------------------------------------
# PostgreSQL: one RDS instance per service that persists. Each service owns its tables and its
# Alembic history; separate instances keep credentials, blast radius and upgrades apart, and need
# no SQL bootstrap (RDS creates the database named db_name).
# ---------------------------------------------------------------------------

resource "aws_db_subnet_group" "main" {
  name       = "${local.name}-db"
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_db_parameter_group" "postgres" {
  # A prefix, not a name: a new major version creates the new group before dropping the old one.
  name_prefix = "${local.name}-postgres${split(".", var.db_engine_version)[0]}-"
  family      = "postgres${split(".", var.db_engine_version)[0]}"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_instance" "service" {
  for_each = local.database_services

  identifier     = "${local.name}-${each.key}"
  engine         = "postgres"
  engine_version = var.db_engine_version
  instance_class = var.db_instance_class
  db_name        = each.value.database
  username       = "storyscape"
  port           = 5432

  # RDS generates the master password, keeps it in Secrets Manager (encrypted with our key) and rotates it.
  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.main.arn

  allocated_storage     = var.db_allocated_storage_gib
  max_allocated_storage = var.db_max_allocated_storage_gib
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.main.arn

  multi_az               = var.db_multi_az
  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.database[each.key].id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.postgres.name

  backup_retention_period   = var.db_backup_retention_days
  backup_window             = "20:00-21:00"
  maintenance_window        = "sun:21:30-sun:22:30"
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${local.name}-${each.key}-final"

  auto_minor_version_upgrade          = true
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]
  performance_insights_enabled        = true
  performance_insights_kms_key_id     = aws_kms_key.main.arn
  monitoring_interval                 = 60
  monitoring_role_arn                 = aws_iam_role.rds_monitoring.arn

  depends_on = [aws_cloudwatch_log_group.database]
}

# Created before the instances so RDS's exported logs get our retention and key, not "never expire".
resource "aws_cloudwatch_log_group" "database" {
  for_each = {
    for pair in setproduct(keys(local.database_services), ["postgresql", "upgrade"]) :
    "${pair[0]}/${pair[1]}" => { service = pair[0], log = pair[1] }
  }

  name              = "/aws/rds/instance/${local.name}-${each.value.service}/${each.value.log}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

locals {
  # Secret that RDS manages for each database (JSON with "username" and "password").
  database_secret_arns = {
    for service, db in aws_db_instance.service : service => db.master_user_secret[0].secret_arn
  }

  # No password here: asyncpg reads it from PGPASSWORD, which ECS injects from the RDS-managed secret.
  database_urls = {
    for service, db in aws_db_instance.service :
    service => "postgresql://${db.username}@${db.address}:${db.port}/${db.db_name}"
  }
}

# ---------------------------------------------------------------------------
# Redis: the gateway's rate-limit counters. TLS in transit, encrypted at rest, auth token required.
# ---------------------------------------------------------------------------

resource "aws_elasticache_subnet_group" "redis" {
  name       = "${local.name}-redis"
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_elasticache_replication_group" "redis" {
  replication_group_id = "${local.name}-redis"
  description          = "${local.name} gateway rate limits"
  engine               = "redis"
  engine_version       = var.redis_engine_version
  node_type            = var.redis_node_type
  port                 = 6379
  parameter_group_name = "default.redis7"

  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
  subnet_group_name          = aws_elasticache_subnet_group.redis.name
  security_group_ids         = [aws_security_group.redis.id]

  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.main.arn
  transit_encryption_enabled = true
  auth_token                 = terraform_data.redis_auth_token.output
  auth_token_update_strategy = "ROTATE"

  snapshot_retention_limit   = 1
  snapshot_window            = "19:00-20:00"
  maintenance_window         = "sun:20:30-sun:21:30"
  auto_minor_version_upgrade = true

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.redis.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }
}

resource "aws_cloudwatch_log_group" "redis" {
  name              = "/${local.name}/redis/slow-log"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}
