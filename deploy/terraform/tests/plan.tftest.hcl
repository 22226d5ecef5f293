# `terraform test` against a mocked AWS provider: Terraform evaluates the whole configuration (for_each keys,
# conditionals, module wiring, rendered container definitions) without credentials or a network.
# Run by deploy/tests/test_terraform_tools.py wherever the aws provider is available offline.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }

  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }

  mock_data "aws_region" {
    defaults = { name = "ap-south-1" }
  }

  mock_data "aws_availability_zones" {
    defaults = { names = ["ap-south-1a", "ap-south-1b", "ap-south-1c"] }
  }

  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }

  mock_data "aws_elb_service_account" {
    defaults = { arn = "arn:aws:iam::718504428378:root" }
  }

  mock_data "aws_ssm_parameter" {
    defaults = { insecure_value = "ami-0123456789abcdef0" }
  }

  mock_data "aws_secretsmanager_random_password" {
    defaults = { random_password = "mockRedisTokenMockRedisTokenMockRedisTokenMockRedisToken01234567" }
  }

  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:ap-south-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
  }

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/storyscape-mock" }
  }

  mock_resource "aws_iam_instance_profile" {
    defaults = { arn = "arn:aws:iam::123456789012:instance-profile/storyscape-gpu-instance" }
  }

  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:ap-south-1:123456789012:log-group:/storyscape/mock" }
  }

  mock_resource "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:ap-south-1:123456789012:secret:storyscape/mock-AbCdEf" }
  }

  mock_resource "aws_db_instance" {
    defaults = {
      address = "storyscape-db.abcdefghijkl.ap-south-1.rds.amazonaws.com"
      master_user_secret = [{
        kms_key_id    = "arn:aws:kms:ap-south-1:123456789012:key/11111111-2222-3333-4444-555555555555"
        secret_arn    = "arn:aws:secretsmanager:ap-south-1:123456789012:secret:rds!db-mock-AbCdEf"
        secret_status = "active"
      }]
    }
  }

  mock_resource "aws_elasticache_replication_group" {
    defaults = { primary_endpoint_address = "master.storyscape-redis.abcdef.aps1.cache.amazonaws.com" }
  }

  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::storyscape-mock" }
  }

  mock_resource "aws_lb" {
    defaults = { arn = "arn:aws:elasticloadbalancing:ap-south-1:123456789012:loadbalancer/app/storyscape-alb/0123456789abcdef" }
  }

  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:ap-south-1:123456789012:targetgroup/storyscape-gateway/0123456789abcdef" }
  }

  mock_resource "aws_lb_listener" {
    defaults = { arn = "arn:aws:elasticloadbalancing:ap-south-1:123456789012:listener/app/storyscape-alb/0123456789abcdef/0123456789abcdef" }
  }

  mock_resource "aws_wafv2_web_acl" {
    defaults = { arn = "arn:aws:wafv2:ap-south-1:123456789012:regional/webacl/storyscape-alb/11111111-2222-3333-4444-555555555555" }
  }

  mock_resource "aws_service_discovery_http_namespace" {
    defaults = { arn = "arn:aws:servicediscovery:ap-south-1:123456789012:namespace/ns-mock" }
  }

  mock_resource "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:ap-south-1:123456789012:cluster/storyscape" }
  }

  mock_resource "aws_autoscaling_group" {
    defaults = { arn = "arn:aws:autoscaling:ap-south-1:123456789012:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/storyscape-gpu" }
  }

  mock_resource "aws_launch_template" {
    defaults = { id = "lt-0123456789abcdef0", latest_version = 1 }
  }

  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:ap-south-1:123456789012:task-definition/storyscape-mock:1" }
  }
}

variables {
  certificate_arn     = "arn:aws:acm:ap-south-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
  firebase_project_id = "storyscape-prod"
  internal_public_keys_pem = {
    "gateway"         = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n"
    "story-service"   = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA3d1W6Lh0y2XbO8q5lJz0m1sS0mM3n8mKcKqk5w0cY2Q=\n-----END PUBLIC KEY-----\n"
    "history-service" = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAq4m0Lr1X9v2bC8nY5s3tW7pD0eF6gH1jK2lM3nO4pQ8=\n-----END PUBLIC KEY-----\n"
  }
  service_images = {
    "gateway"           = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/gateway:1.0.0"
    "story-service"     = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/story-service:1.0.0"
    "media-service"     = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/media-service:1.0.0"
    "prompt-service"    = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/prompt-service:1.0.0"
    "history-service"   = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/history-service:1.0.0"
    "hindi-llm-service" = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/hindi-llm-service-gpu:1.0.0"
  }
}

run "whole_stack" {
  command = apply

  assert {
    condition     = length(aws_subnet.private) == 2 && length(aws_nat_gateway.main) == 2
    error_message = "Two zones by default, each with its own private subnet and NAT gateway."
  }

  assert {
    condition = alltrue([
      for module_containers in [
        module.gateway.container_definitions,
        module.story_service.container_definitions,
        module.hindi_llm_service.container_definitions,
        module.leaf_service["media-service"].container_definitions,
        module.leaf_service["prompt-service"].container_definitions,
        module.history_service.container_definitions,
      ] : length([for e in jsondecode(module_containers)[0].environment : e if endswith(e.name, "_ENVIRONMENT") && e.value == "production"]) == 1
    ])
    error_message = "Every rendered task definition sets its <PREFIX>ENVIRONMENT to production."
  }

  assert {
    condition     = [for s in jsondecode(module.story_service.container_definitions)[0].secrets : s.name] == ["PGPASSWORD", "STORY_FIREBASE_CREDENTIALS", "STORY_INTERNAL_SIGNING_KEY", "STORY_OPENAI_API_KEY"]
    error_message = "story-service gets its database password, the Firebase credentials, the signing key and the OpenAI key, nothing else."
  }

  assert {
    condition     = length(aws_db_instance.service) == 4 && startswith(one([for e in jsondecode(module.story_service.container_definitions)[0].environment : e.value if e.name == "STORY_DATABASE_URL"]), "postgresql://storyscape@")
    error_message = "story-service keeps its outbox, idempotency keys and account-deletion jobs in its own PostgreSQL, not in SQLite inside each task."
  }

  assert {
    condition     = [for s in jsondecode(module.gateway.container_definitions)[0].secrets : s.name] == ["GATEWAY_INTERNAL_SIGNING_KEY", "GATEWAY_REDIS_URL"]
    error_message = "The gateway gets the signing key and the Redis URL, nothing else."
  }

  assert {
    condition     = jsondecode(module.hindi_llm_service.container_definitions)[0].resourceRequirements == [{ type = "GPU", value = "1" }]
    error_message = "hindi-llm-service reserves one GPU."
  }

  assert {
    condition     = jsondecode(module.story_service.container_definitions)[0].portMappings[0].containerPort == 8001
    error_message = "story-service listens on 8001."
  }

  assert {
    condition     = startswith(local.database_urls["history-service"], "postgresql://storyscape@") && !strcontains(local.database_urls["history-service"], ":password")
    error_message = "Database URLs carry the user but never the password (PGPASSWORD is injected from the RDS-managed secret)."
  }

  assert {
    condition     = aws_secretsmanager_secret_version.redis_url.secret_string == "rediss://:mockRedisTokenMockRedisTokenMockRedisTokenMockRedisToken01234567@master.storyscape-redis.abcdef.aps1.cache.amazonaws.com:6379/0"
    error_message = "The gateway's Redis URL uses TLS (rediss://) and the same token ElastiCache was given."
  }
}

# One plan with every guarded input wrong at once: each validation must fire.
run "refuses_unsafe_inputs" {
  command = plan

  variables {
    firebase_project_id     = "demo-storyscape"
    availability_zone_count = 1
    service_images = {
      "gateway"           = "docker.io/library/python:3.11"
      "story-service"     = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/story-service:1.0.0"
      "media-service"     = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/media-service:1.0.0"
      "prompt-service"    = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/prompt-service:1.0.0"
      "history-service"   = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/history-service:1.0.0"
      "hindi-llm-service" = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/hindi-llm-service-gpu:1.0.0"
    }
  }

  expect_failures = [var.firebase_project_id, var.availability_zone_count, var.service_images]
}
