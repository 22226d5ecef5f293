# The six StoryScape services: ports, who calls whom, and what each one is told at start-up.

locals {
  # Name (= ECS service, Service Connect name and internal token audience) -> port, Python module, env prefix.
  services = {
    "gateway"           = { port = 8000, module = "gateway", prefix = "GATEWAY_" }
    "story-service"     = { port = 8001, module = "story_service", prefix = "STORY_" }
    "media-service"     = { port = 8002, module = "media_service", prefix = "MEDIA_" }
    "prompt-service"    = { port = 8003, module = "prompt_service", prefix = "PROMPT_" }
    "history-service"   = { port = 8004, module = "history_service", prefix = "HISTORY_" }
    "hindi-llm-service" = { port = 8005, module = "hindi_llm_service", prefix = "HINDI_LLM_" }
  }

  # Callee -> callers. Security groups open exactly these hops (security_groups.tf).
  service_callers = {
    "story-service"     = ["gateway"]
    "media-service"     = ["gateway", "story-service", "history-service"]
    "prompt-service"    = ["gateway", "story-service", "history-service"]
    "history-service"   = ["gateway", "story-service"]
    "hindi-llm-service" = ["story-service"]
  }

  # Services that persist (every one whose settings have a database_url), each with its own PostgreSQL instance and
  # database (data.tf). Each migrates its own schema to Alembic head when it starts (storyscape_common.db), so a
  # new task never serves an old schema and no separate migration task is needed.
  # story-service keeps its outbox, idempotency keys and account-deletion jobs here: shared by its tasks, so a
  # story finished on one task is delivered by another, and nothing is lost when a task is replaced.
  database_services = {
    "story-service"   = { database = "story" }
    "media-service"   = { database = "media" }
    "prompt-service"  = { database = "prompt" }
    "history-service" = { database = "history" }
  }

  service_urls = { for name, service in local.services : name => "http://${name}:${service.port}" }

  # As `make run`: the service's own `python -m <module>`, which serves through storyscape_common.server (header
  # limits and deadline, connection cap, <PREFIX>KEEP_ALIVE_TIMEOUT_SECONDS, graceful drain), never plain uvicorn.
  # It listens on <PREFIX>HOST:<PREFIX>PORT from service_environment below (each service on its own port).
  service_commands = { for name, service in local.services : name => ["python", "-m", service.module] }

  # Plain environment of each service: <PREFIX>ENVIRONMENT=production everywhere, so every service refuses
  # placeholder secrets, requires the trusted internal public keys (one per issuing service), and hides /docs.
  service_environment = {
    "gateway" = {
      GATEWAY_ENVIRONMENT          = "production"
      GATEWAY_HOST                 = "0.0.0.0"
      GATEWAY_PORT                 = "8000"
      GATEWAY_LOG_LEVEL            = var.log_level
      GATEWAY_INTERNAL_PUBLIC_KEYS = jsonencode(var.internal_public_keys_pem)
      GATEWAY_FIREBASE_PROJECT_ID  = var.firebase_project_id
      GATEWAY_STORY_URL            = local.service_urls["story-service"]
      GATEWAY_MEDIA_URL            = local.service_urls["media-service"]
      GATEWAY_PROMPT_URL           = local.service_urls["prompt-service"]
      GATEWAY_HISTORY_URL          = local.service_urls["history-service"]
      # Longer than the ALB's idle timeout (60 s): the ALB, not the gateway, closes an idle connection, so it never
      # sends a request down one the gateway is closing (a 502 for the reader).
      GATEWAY_KEEP_ALIVE_TIMEOUT_SECONDS = "65"
      # Only the ALB can reach the gateway (security group), so its X-Forwarded-For is the client's address: uvicorn
      # (under storyscape_common.server) reads this when no forwarded_allow_ips is passed.
      FORWARDED_ALLOW_IPS = "*"
    }
    "story-service" = {
      STORY_ENVIRONMENT          = "production"
      STORY_HOST                 = "0.0.0.0"
      STORY_PORT                 = "8001"
      STORY_LOG_LEVEL            = var.log_level
      STORY_INTERNAL_PUBLIC_KEYS = jsonencode(var.internal_public_keys_pem)
      STORY_HISTORY_URL          = local.service_urls["history-service"]
      STORY_MEDIA_URL            = local.service_urls["media-service"]
      STORY_PROMPT_URL           = local.service_urls["prompt-service"]
      STORY_HINDI_LLM_URL        = "${local.service_urls["hindi-llm-service"]}/v1"
      STORY_HINDI_MODEL          = var.hindi_story_model
      STORY_ENGLISH_MODEL        = var.english_story_model
      # Llama 3.2 spends more tokens per Hindi word than the offline Gemma (default 2.0); an estimate: check it
      # with training evaluate's tokens-per-Devanagari-character on the Llama config.
      STORY_HINDI_TOKENS_PER_WORD = "3"
      # Account deletion deletes the reader's Firebase user (STORY_FIREBASE_CREDENTIALS below).
      STORY_FIREBASE_PROJECT_ID = var.firebase_project_id
      STORY_DATABASE_URL        = local.database_urls["story-service"]
      PGSSLMODE                 = "require"
    }
    "media-service" = {
      MEDIA_ENVIRONMENT          = "production"
      MEDIA_HOST                 = "0.0.0.0"
      MEDIA_PORT                 = "8002"
      MEDIA_LOG_LEVEL            = var.log_level
      MEDIA_INTERNAL_PUBLIC_KEYS = jsonencode(var.internal_public_keys_pem)
      MEDIA_OBJECT_STORE         = "s3"
      MEDIA_S3_BUCKET            = aws_s3_bucket.media.bucket
      MEDIA_S3_REGION            = local.region
      MEDIA_S3_CREATE_BUCKET     = "false"
      MEDIA_S3_ADDRESSING_STYLE  = "virtual"
      MEDIA_DATABASE_URL         = local.database_urls["media-service"]
      PGSSLMODE                  = "require"
    }
    "prompt-service" = {
      PROMPT_ENVIRONMENT          = "production"
      PROMPT_HOST                 = "0.0.0.0"
      PROMPT_PORT                 = "8003"
      PROMPT_LOG_LEVEL            = var.log_level
      PROMPT_INTERNAL_PUBLIC_KEYS = jsonencode(var.internal_public_keys_pem)
      PROMPT_DATABASE_URL         = local.database_urls["prompt-service"]
      PROMPT_HINDI_LLM_URL        = "${local.service_urls["hindi-llm-service"]}/v1"
      PGSSLMODE                   = "require"
    }
    "history-service" = {
      HISTORY_ENVIRONMENT          = "production"
      HISTORY_HOST                 = "0.0.0.0"
      HISTORY_PORT                 = "8004"
      HISTORY_LOG_LEVEL            = var.log_level
      HISTORY_INTERNAL_PUBLIC_KEYS = jsonencode(var.internal_public_keys_pem)
      HISTORY_DATABASE_URL         = local.database_urls["history-service"]
      HISTORY_DEFAULT_TIMEZONE     = "Asia/Kolkata"
      HISTORY_PROMPT_URL           = local.service_urls["prompt-service"]
      HISTORY_MEDIA_URL            = local.service_urls["media-service"]
      PGSSLMODE                    = "require"
    }
    "hindi-llm-service" = {
      HINDI_LLM_ENVIRONMENT          = "production"
      HINDI_LLM_HOST                 = "0.0.0.0"
      HINDI_LLM_PORT                 = "8005"
      HINDI_LLM_LOG_LEVEL            = var.log_level
      HINDI_LLM_INTERNAL_PUBLIC_KEYS = jsonencode(var.internal_public_keys_pem)
      HINDI_LLM_ENGINE               = var.hindi_llm_engine
      HINDI_LLM_MODEL_PATH           = var.hindi_llm_model_path
      HINDI_LLM_MODEL_NAME           = var.hindi_llm_model_name
      HINDI_LLM_ADAPTERS             = jsonencode(var.hindi_llm_adapters)
      HINDI_LLM_MAX_CONCURRENT       = tostring(var.hindi_llm_max_concurrent)
      # One base model per process (vLLM): not the offline English companion the settings add by default (they
      # drop it for vllm anyway; said here so the task definition shows it).
      HINDI_LLM_EXTRA_MODEL_PATHS = "[]"
      # The model is baked into the image and the task has no route to the internet: nothing may try a hub.
      HF_HUB_OFFLINE      = "1"
      VLLM_NO_USAGE_STATS = "1"
      DO_NOT_TRACK        = "1"
      # Caches (vLLM, Triton, Hugging Face) go to the writable /tmp volume; the root filesystem is read-only.
      HOME = "/tmp"
    }
  }

  # Secrets ECS injects as environment variables (valueFrom). The OpenAI key goes to story-service alone.
  service_secrets = {
    "gateway" = {
      GATEWAY_INTERNAL_SIGNING_KEY = aws_secretsmanager_secret.internal_signing_key["gateway"].arn
      GATEWAY_REDIS_URL            = aws_secretsmanager_secret.redis_url.arn
      GATEWAY_FIREBASE_CREDENTIALS = aws_secretsmanager_secret.gateway_firebase_credentials.arn
    }
    "story-service" = {
      PGPASSWORD                 = "${local.database_secret_arns["story-service"]}:password::"
      STORY_INTERNAL_SIGNING_KEY = aws_secretsmanager_secret.internal_signing_key["story-service"].arn
      STORY_OPENAI_API_KEY       = aws_secretsmanager_secret.openai_api_key.arn
      STORY_FIREBASE_CREDENTIALS = aws_secretsmanager_secret.firebase_credentials.arn
    }
    "media-service" = {
      PGPASSWORD = "${local.database_secret_arns["media-service"]}:password::"
    }
    "prompt-service" = {
      PGPASSWORD                  = "${local.database_secret_arns["prompt-service"]}:password::"
      PROMPT_INTERNAL_SIGNING_KEY = aws_secretsmanager_secret.internal_signing_key["prompt-service"].arn
      PROMPT_REDIS_URL            = aws_secretsmanager_secret.redis_url.arn
    }
    "history-service" = {
      PGPASSWORD                   = "${local.database_secret_arns["history-service"]}:password::"
      HISTORY_INTERNAL_SIGNING_KEY = aws_secretsmanager_secret.internal_signing_key["history-service"].arn
    }
    "hindi-llm-service" = {}
  }

  # The secrets each execution role may read: exactly those injected above (ARNs without the JSON key).
  service_secret_arns = {
    "gateway"           = [aws_secretsmanager_secret.internal_signing_key["gateway"].arn, aws_secretsmanager_secret.redis_url.arn, aws_secretsmanager_secret.gateway_firebase_credentials.arn]
    "story-service"     = [local.database_secret_arns["story-service"], aws_secretsmanager_secret.internal_signing_key["story-service"].arn, aws_secretsmanager_secret.openai_api_key.arn, aws_secretsmanager_secret.firebase_credentials.arn]
    "media-service"     = [local.database_secret_arns["media-service"]]
    "prompt-service"    = [local.database_secret_arns["prompt-service"], aws_secretsmanager_secret.internal_signing_key["prompt-service"].arn, aws_secretsmanager_secret.redis_url.arn]
    "history-service"   = [local.database_secret_arns["history-service"], aws_secretsmanager_secret.internal_signing_key["history-service"].arn]
    "hindi-llm-service" = []
  }
}

resource "aws_cloudwatch_log_group" "service" {
  for_each = local.services

  name              = "/${local.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

# Service Connect gives a client task only the endpoints that exist when the task starts, so services
# come up callees first: media and prompt (and hindi-llm, gpu.tf), then history, then story, then the gateway.

module "leaf_service" {
  source   = "./modules/ecs_service"
  for_each = toset(["media-service", "prompt-service"])

  name               = each.key
  cluster_name       = aws_ecs_cluster.main.name
  cluster_arn        = aws_ecs_cluster.main.arn
  image              = var.service_images[each.key]
  command            = local.service_commands[each.key]
  port               = local.services[each.key].port
  cpu                = var.service_sizes[each.key].cpu
  memory             = var.service_sizes[each.key].memory
  desired_count      = var.service_sizes[each.key].desired_count
  max_count          = var.service_sizes[each.key].max_count
  environment        = local.service_environment[each.key]
  secrets            = local.service_secrets[each.key]
  execution_role_arn = aws_iam_role.execution[each.key].arn
  task_role_arn      = aws_iam_role.task[each.key].arn
  subnet_ids         = aws_subnet.private[*].id
  security_group_id  = aws_security_group.service[each.key].id
  log_group_name     = aws_cloudwatch_log_group.service[each.key].name
  aws_region         = local.region
  namespace_arn      = aws_service_discovery_http_namespace.main.arn

  depends_on = [aws_ecs_cluster_capacity_providers.main, aws_iam_role_policy.execution]
}

# history-service calls prompt-service (readers' time zones) and media-service (pictures on reads, a photo
# story's photo, deletions), so it starts after them.
module "history_service" {
  source = "./modules/ecs_service"

  name               = "history-service"
  cluster_name       = aws_ecs_cluster.main.name
  cluster_arn        = aws_ecs_cluster.main.arn
  image              = var.service_images["history-service"]
  command            = local.service_commands["history-service"]
  port               = local.services["history-service"].port
  cpu                = var.service_sizes["history-service"].cpu
  memory             = var.service_sizes["history-service"].memory
  desired_count      = var.service_sizes["history-service"].desired_count
  max_count          = var.service_sizes["history-service"].max_count
  environment        = local.service_environment["history-service"]
  secrets            = local.service_secrets["history-service"]
  execution_role_arn = aws_iam_role.execution["history-service"].arn
  task_role_arn      = aws_iam_role.task["history-service"].arn
  subnet_ids         = aws_subnet.private[*].id
  security_group_id  = aws_security_group.service["history-service"].id
  log_group_name     = aws_cloudwatch_log_group.service["history-service"].name
  aws_region         = local.region
  namespace_arn      = aws_service_discovery_http_namespace.main.arn

  depends_on = [module.leaf_service]
}

module "story_service" {
  source = "./modules/ecs_service"

  name               = "story-service"
  cluster_name       = aws_ecs_cluster.main.name
  cluster_arn        = aws_ecs_cluster.main.arn
  image              = var.service_images["story-service"]
  command            = local.service_commands["story-service"]
  port               = local.services["story-service"].port
  cpu                = var.service_sizes["story-service"].cpu
  memory             = var.service_sizes["story-service"].memory
  desired_count      = var.service_sizes["story-service"].desired_count
  max_count          = var.service_sizes["story-service"].max_count
  environment        = local.service_environment["story-service"]
  secrets            = local.service_secrets["story-service"]
  execution_role_arn = aws_iam_role.execution["story-service"].arn
  task_role_arn      = aws_iam_role.task["story-service"].arn
  subnet_ids         = aws_subnet.private[*].id
  security_group_id  = aws_security_group.service["story-service"].id
  log_group_name     = aws_cloudwatch_log_group.service["story-service"].name
  aws_region         = local.region
  namespace_arn      = aws_service_discovery_http_namespace.main.arn

  # Streams in flight get two minutes to finish when a task is replaced.
  stop_timeout_seconds = 120

  depends_on = [module.leaf_service, module.history_service, module.hindi_llm_service]
}

module "gateway" {
  source = "./modules/ecs_service"

  name                  = "gateway"
  cluster_name          = aws_ecs_cluster.main.name
  cluster_arn           = aws_ecs_cluster.main.arn
  image                 = var.service_images["gateway"]
  command               = local.service_commands["gateway"]
  port                  = local.services["gateway"].port
  cpu                   = var.service_sizes["gateway"].cpu
  memory                = var.service_sizes["gateway"].memory
  desired_count         = var.service_sizes["gateway"].desired_count
  max_count             = var.service_sizes["gateway"].max_count
  environment           = local.service_environment["gateway"]
  secrets               = local.service_secrets["gateway"]
  execution_role_arn    = aws_iam_role.execution["gateway"].arn
  task_role_arn         = aws_iam_role.task["gateway"].arn
  subnet_ids            = aws_subnet.private[*].id
  security_group_id     = aws_security_group.service["gateway"].id
  log_group_name        = aws_cloudwatch_log_group.service["gateway"].name
  aws_region            = local.region
  namespace_arn         = aws_service_discovery_http_namespace.main.arn
  serves_other_services = false
  target_group_arn      = aws_lb_target_group.gateway.arn
  stop_timeout_seconds  = 120

  depends_on = [module.story_service, aws_lb_listener.https]
}
