# One StoryScape service on ECS: task definition, service with Service Connect, and CPU autoscaling.
# Fargate by default; on the GPU capacity provider (EC2) when var.gpu is set.

locals {
  on_gpu = var.gpu != null

  container_base = {
    name      = var.name
    image     = var.image
    essential = true
    command   = var.command

    portMappings = [{
      name          = "http"
      containerPort = var.port
      protocol      = "tcp"
      appProtocol   = "http"
    }]

    environment = [for key in sort(keys(var.environment)) : { name = key, value = var.environment[key] }]
    secrets     = [for key in sort(keys(var.secrets)) : { name = key, valueFrom = var.secrets[key] }]

    # The image never changes at run time; scratch space is the task-local /tmp volume.
    readonlyRootFilesystem = true
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]

    # ECS replaces a task whose essential container fails this `retries` times in a row. A hung event loop still
    # accepts the connection (the kernel queues it) but never answers, so the probe's own timeout fails it.
    healthCheck = {
      command     = ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${var.port}/healthz', timeout=3)"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = var.health_check_start_period_seconds
    }

    stopTimeout = var.stop_timeout_seconds

    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group_name
        awslogs-region        = var.aws_region
        awslogs-stream-prefix = "app"
      }
    }
  }

  container_fargate = local.on_gpu ? null : {
    linuxParameters = { initProcessEnabled = true }
  }

  # vLLM's worker processes exchange tensors through /dev/shm; Docker's 64 MiB default is far too small.
  container_gpu = local.on_gpu ? {
    linuxParameters      = { initProcessEnabled = true, sharedMemorySize = var.gpu.shared_memory_mib }
    resourceRequirements = [{ type = "GPU", value = tostring(var.gpu.count) }]
  } : null

  container = merge(local.container_base, local.container_fargate, local.container_gpu)
}

resource "aws_ecs_task_definition" "this" {
  family                   = "${var.cluster_name}-${var.name}"
  requires_compatibilities = [local.on_gpu ? "EC2" : "FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.cpu)
  memory                   = tostring(var.memory)
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn
  container_definitions    = jsonencode([local.container])

  volume {
    name = "tmp"
  }

  dynamic "runtime_platform" {
    for_each = local.on_gpu ? [] : [1]

    content {
      operating_system_family = "LINUX"
      cpu_architecture        = "X86_64"
    }
  }
}

resource "aws_ecs_service" "this" {
  name                               = var.name
  cluster                            = var.cluster_arn
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.desired_count
  platform_version                   = local.on_gpu ? null : "LATEST"
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  enable_execute_command             = false
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = var.target_group_arn == null ? null : 60

  capacity_provider_strategy {
    capacity_provider = local.on_gpu ? var.gpu.capacity_provider : "FARGATE"
    weight            = 1
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  dynamic "load_balancer" {
    for_each = var.target_group_arn == null ? [] : [var.target_group_arn]

    content {
      target_group_arn = load_balancer.value
      container_name   = var.name
      container_port   = var.port
    }
  }

  service_connect_configuration {
    enabled   = true
    namespace = var.namespace_arn

    dynamic "service" {
      for_each = var.serves_other_services ? [1] : []

      content {
        port_name      = "http"
        discovery_name = var.name

        client_alias {
          dns_name = var.name
          port     = var.port
        }

        # Stories stream token by token for minutes; Service Connect's default 15 s per request would cut
        # them off. Streams send a ping every 15 s, so the idle timeout still catches a stuck upstream.
        timeout {
          per_request_timeout_seconds = 0
          idle_timeout_seconds        = 300
        }
      }
    }

    log_configuration {
      log_driver = "awslogs"
      options = {
        awslogs-group         = var.log_group_name
        awslogs-region        = var.aws_region
        awslogs-stream-prefix = "service-connect"
      }
    }
  }

  # Application Auto Scaling owns the running count between desired_count and max_count.
  lifecycle {
    ignore_changes = [desired_count]
  }
}

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.desired_count
  max_capacity       = var.max_count
}

resource "aws_appautoscaling_policy" "cpu" {
  count = var.max_count > var.desired_count ? 1 : 0

  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
