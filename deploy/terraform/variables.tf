# ---------------------------------------------------------------------------
# Where and what
# ---------------------------------------------------------------------------

variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "storyscape"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,15}$", var.name))
    error_message = "name must be 3-16 lowercase letters, digits or '-', starting with a letter (it ends up in ALB and RDS names)."
  }
}

variable "aws_region" {
  description = "Region to deploy into (Mumbai by default: most of our Hindi-speaking users are in India)."
  type        = string
  default     = "ap-south-1"
}

variable "service_images" {
  description = "Container image of each service, from ECR, pinned by tag or digest. hindi-llm-service takes the GPU (vLLM) image built from deploy/docker/hindi-llm-gpu.Dockerfile."
  type        = map(string)

  validation {
    condition = alltrue([
      for service in ["gateway", "story-service", "media-service", "prompt-service", "history-service", "hindi-llm-service"] :
      contains(keys(var.service_images), service)
    ])
    error_message = "service_images needs an image for each of gateway, story-service, media-service, prompt-service, history-service and hindi-llm-service."
  }

  validation {
    condition = alltrue([
      for image in values(var.service_images) :
      can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$", image))
    ])
    error_message = "Each image must be an ECR image pinned by tag or digest (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG)."
  }
}

# ---------------------------------------------------------------------------
# Edge
# ---------------------------------------------------------------------------

variable "certificate_arn" {
  description = "ACM certificate (in aws_region) for the public host name the iOS app and console call."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "waf_requests_per_5_minutes_per_ip" {
  description = "Requests one client IP may make in 5 minutes before WAF blocks it (a coarse flood guard; the gateway rate-limits per user)."
  type        = number
  default     = 3000
}

variable "deletion_protection" {
  description = "Protect the load balancer and databases from deletion. Turn off only to tear the stack down on purpose."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR of the VPC; public subnets take /24s at its start, private subnets /20s after them."
  type        = string
  default     = "10.40.0.0/16"
}

variable "availability_zone_count" {
  description = "How many availability zones to spread subnets, tasks and databases over."
  type        = number
  default     = 2

  validation {
    condition     = var.availability_zone_count >= 2 && var.availability_zone_count <= 3
    error_message = "Use 2 or 3 availability zones: the ALB, RDS multi-AZ and ElastiCache failover need at least two."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper; outbound traffic stops if that zone fails) instead of one per zone."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------
# Identity and secrets
# ---------------------------------------------------------------------------

variable "firebase_project_id" {
  description = "Firebase project whose ID tokens the gateway accepts."
  type        = string

  validation {
    condition     = !startswith(var.firebase_project_id, "demo-")
    error_message = "demo-* projects are for the auth emulator, whose tokens are unsigned; use the real Firebase project."
  }
}

variable "internal_public_keys_pem" {
  description = "Issuing service name -> its PEM Ed25519 public key (one pair per issuer; each private half goes into that issuer's secret, see README.md)."
  type        = map(string)

  validation {
    condition     = alltrue([for pem in values(var.internal_public_keys_pem) : can(regex("-----BEGIN PUBLIC KEY-----", pem))])
    error_message = "every value of internal_public_keys_pem must be a PEM public key (-----BEGIN PUBLIC KEY-----)."
  }

  validation {
    condition     = alltrue([for issuer in ["gateway", "story-service", "history-service", "prompt-service"] : contains(keys(var.internal_public_keys_pem), issuer)])
    error_message = "internal_public_keys_pem needs a key for each issuer that runs: gateway, story-service, history-service and prompt-service."
  }
}

variable "secret_recovery_window_days" {
  description = "Days a deleted secret can still be restored."
  type        = number
  default     = 30
}

# ---------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------

variable "service_sizes" {
  description = "Fargate CPU units, memory (MiB) and task counts of each CPU service; tasks scale on CPU between desired_count and max_count."
  type = map(object({
    cpu           = number
    memory        = number
    desired_count = number
    max_count     = number
  }))
  default = {
    "gateway"         = { cpu = 512, memory = 1024, desired_count = 2, max_count = 6 }
    "story-service"   = { cpu = 512, memory = 1024, desired_count = 2, max_count = 6 }
    "media-service"   = { cpu = 1024, memory = 2048, desired_count = 2, max_count = 4 }
    "prompt-service"  = { cpu = 256, memory = 512, desired_count = 2, max_count = 4 }
    "history-service" = { cpu = 256, memory = 512, desired_count = 2, max_count = 4 }
  }

  validation {
    condition = alltrue([
      for service in ["gateway", "story-service", "media-service", "prompt-service", "history-service"] :
      contains(keys(var.service_sizes), service)
    ])
    error_message = "service_sizes needs an entry for each Fargate service."
  }
}

variable "log_level" {
  description = "Log level of every service."
  type        = string
  default     = "INFO"
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps service, flow, database, cache and WAF logs."
  type        = number
  default     = 90
}

variable "english_story_model" {
  description = "OpenAI model story-service uses for English stories."
  type        = string
  default     = "gpt-4o"
}

# ---------------------------------------------------------------------------
# GPU node group for hindi-llm-service (vLLM)
# ---------------------------------------------------------------------------

variable "gpu_instance_type" {
  description = "GPU instance type for vLLM: one NVIDIA L4 (g6) or A10G (g5) with 24 GB holds Llama 3.2 3B plus its LoRA adapter."
  type        = string
  default     = "g6.xlarge"

  validation {
    condition     = can(regex("^(g4dn|g5|g6|g6e|p4d|p5)\\.", var.gpu_instance_type))
    error_message = "gpu_instance_type must be an NVIDIA GPU instance type (g4dn, g5, g6, g6e, p4d, p5)."
  }
}

variable "gpu_min_instances" {
  description = "GPU instances kept running."
  type        = number
  default     = 1
}

variable "gpu_max_instances" {
  description = "Upper bound of GPU instances (a rolling deployment briefly needs one more than the running tasks)."
  type        = number
  default     = 2
}

variable "gpu_root_volume_gib" {
  description = "Root volume of each GPU instance: holds the vLLM image with the model baked in."
  type        = number
  default     = 150
}

variable "hindi_llm_size" {
  description = "CPU units, memory (MiB) and task count of hindi-llm-service on one GPU instance."
  type = object({
    cpu           = number
    memory        = number
    desired_count = number
  })
  default = { cpu = 3072, memory = 12288, desired_count = 1 }
}

variable "hindi_llm_engine" {
  description = "hindi-llm-service engine (HINDI_LLM_ENGINE): vllm on GPU nodes; transformers is the embedded CPU engine."
  type        = string
  default     = "vllm"

  validation {
    condition     = contains(["vllm", "transformers"], var.hindi_llm_engine)
    error_message = "hindi_llm_engine must be vllm or transformers (the values hindi-llm-service's settings accept)."
  }
}

variable "hindi_llm_model_path" {
  description = "Base model folder inside the hindi-llm-service image."
  type        = string
  default     = "/models/llama-3.2-3b-instruct"
}

variable "hindi_llm_model_name" {
  description = "Name clients use for the base model."
  type        = string
  default     = "llama-3.2-3b-instruct"
}

variable "hindi_llm_adapters" {
  description = "LoRA adapter name -> folder inside the hindi-llm-service image."
  type        = map(string)
  default     = { "storyscape-hi" = "/models/adapters/storyscape-hi" }
}

variable "hindi_llm_max_concurrent" {
  description = "Generations hindi-llm-service runs at once."
  type        = number
  default     = 32
}

variable "hindi_story_model" {
  description = "Model or adapter name story-service asks hindi-llm-service for Hindi stories."
  type        = string
  default     = "storyscape-hi"
}

# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

variable "db_instance_class" {
  description = "RDS instance class of each service database."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_engine_version" {
  description = "PostgreSQL major version (minor versions upgrade automatically in the maintenance window)."
  type        = string
  default     = "16"
}

variable "db_allocated_storage_gib" {
  description = "Initial storage of each database; it grows on its own up to db_max_allocated_storage_gib."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage_gib" {
  description = "Storage autoscaling ceiling of each database."
  type        = number
  default     = 200
}

variable "db_multi_az" {
  description = "Keep a synchronous standby of each database in a second zone."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_days >= 7 && var.db_backup_retention_days <= 35
    error_message = "Keep 7 to 35 days of backups."
  }
}

variable "redis_node_type" {
  description = "ElastiCache node type (two nodes: primary and replica in different zones)."
  type        = string
  default     = "cache.t4g.small"
}

variable "redis_engine_version" {
  description = "Redis engine version."
  type        = string
  default     = "7.1"
}

variable "access_log_retention_days" {
  description = "Days ALB and S3 access logs are kept."
  type        = number
  default     = 90
}
