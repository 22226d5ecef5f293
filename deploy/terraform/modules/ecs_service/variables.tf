variable "name" {
  description = "Service name: ECS service, container, Service Connect name and internal token audience."
  type        = string
}

variable "cluster_name" {
  description = "ECS cluster name."
  type        = string
}

variable "cluster_arn" {
  description = "ECS cluster ARN."
  type        = string
}

variable "image" {
  description = "Container image, pinned by tag or digest."
  type        = string
}

variable "command" {
  description = "Container command (the image has no entrypoint)."
  type        = list(string)
}

variable "port" {
  description = "Port the service listens on and is reached at."
  type        = number
}

variable "cpu" {
  description = "Task CPU units."
  type        = number
}

variable "memory" {
  description = "Task memory (MiB)."
  type        = number
}

variable "desired_count" {
  description = "Tasks to run; also the autoscaling floor."
  type        = number
}

variable "max_count" {
  description = "Autoscaling ceiling; equal to desired_count for a fixed-size service."
  type        = number
}

variable "environment" {
  description = "Plain environment variables."
  type        = map(string)
}

variable "secrets" {
  description = "Environment variable -> Secrets Manager valueFrom (ARN, optionally with :json-key::)."
  type        = map(string)
}

variable "execution_role_arn" {
  description = "Role ECS uses to pull the image, write logs and read the injected secrets."
  type        = string
}

variable "task_role_arn" {
  description = "Role the service's code runs as."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the task network interfaces."
  type        = list(string)
}

variable "security_group_id" {
  description = "The service's own security group."
  type        = string
}

variable "log_group_name" {
  description = "CloudWatch log group of the service (and its Service Connect proxy)."
  type        = string
}

variable "aws_region" {
  description = "Region of the log group."
  type        = string
}

variable "namespace_arn" {
  description = "Service Connect namespace."
  type        = string
}

variable "serves_other_services" {
  description = "Publish the service in Service Connect under its name and port (false for the gateway, which only calls)."
  type        = bool
  default     = true
}

variable "target_group_arn" {
  description = "ALB target group to register tasks with, if any."
  type        = string
  default     = null
}

variable "gpu" {
  description = "Run on the GPU capacity provider (EC2) with this many GPUs and this much /dev/shm; null runs on Fargate."
  type = object({
    capacity_provider = string
    count             = number
    shared_memory_mib = number
  })
  default = null
}

variable "health_check_start_period_seconds" {
  description = "Grace period before failed container health checks count (model loading takes a while)."
  type        = number
  default     = 30
}

variable "stop_timeout_seconds" {
  description = "Time between SIGTERM and SIGKILL, so streams in flight can finish."
  type        = number
  default     = 60
}
