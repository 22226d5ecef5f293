# GPU capacity for hindi-llm-service on vLLM: an Auto Scaling group of ECS GPU-optimised instances,
# managed by an ECS capacity provider (it adds an instance when a task has no GPU to land on).

# Amazon's current ECS GPU-optimised Amazon Linux 2023 AMI (NVIDIA driver, container toolkit, ECS agent).
data "aws_ssm_parameter" "ecs_gpu_ami" {
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"
}

resource "aws_launch_template" "gpu" {
  name_prefix   = "${local.name}-gpu-"
  image_id      = data.aws_ssm_parameter.ecs_gpu_ami.insecure_value
  instance_type = var.gpu_instance_type

  iam_instance_profile {
    arn = aws_iam_instance_profile.gpu_instance.arn
  }

  vpc_security_group_ids = [aws_security_group.gpu_instance.id]

  # IMDSv2 only, one hop: containers cannot borrow the instance role.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = var.gpu_root_volume_gib
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  # ECS_AWSVPC_BLOCK_IMDS keeps awsvpc tasks away from the instance metadata (and its role) as well.
  user_data = base64encode(<<-EOT
    #!/bin/bash
    cat >> /etc/ecs/ecs.config <<'CONFIG'
    ECS_CLUSTER=${aws_ecs_cluster.main.name}
    ECS_ENABLE_GPU_SUPPORT=true
    ECS_AWSVPC_BLOCK_IMDS=true
    ECS_ENABLE_TASK_IAM_ROLE=true
    ECS_CONTAINER_STOP_TIMEOUT=120s
    ECS_IMAGE_PULL_BEHAVIOR=prefer-cached
    CONFIG
  EOT
  )

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = "${local.name}-gpu" }
  }

  tag_specifications {
    resource_type = "volume"
    tags          = { Name = "${local.name}-gpu" }
  }
}

resource "aws_autoscaling_group" "gpu" {
  name_prefix         = "${local.name}-gpu-"
  vpc_zone_identifier = aws_subnet.private[*].id
  min_size            = var.gpu_min_instances
  max_size            = var.gpu_max_instances
  health_check_type   = "EC2"

  # ECS decides which instances may go (managed termination protection).
  protect_from_scale_in = true

  launch_template {
    id      = aws_launch_template.gpu.id
    version = aws_launch_template.gpu.latest_version
  }

  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  tag {
    key                 = "Name"
    value               = "${local.name}-gpu"
    propagate_at_launch = true
  }

  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

resource "aws_ecs_capacity_provider" "gpu" {
  name = "${local.name}-gpu"

  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.gpu.arn
    managed_termination_protection = "ENABLED"
    managed_draining               = "ENABLED"

    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = 100
      minimum_scaling_step_size = 1
      maximum_scaling_step_size = 1
    }
  }
}

module "hindi_llm_service" {
  source = "./modules/ecs_service"

  name               = "hindi-llm-service"
  cluster_name       = aws_ecs_cluster.main.name
  cluster_arn        = aws_ecs_cluster.main.arn
  image              = var.service_images["hindi-llm-service"]
  command            = local.service_commands["hindi-llm-service"]
  port               = local.services["hindi-llm-service"].port
  cpu                = var.hindi_llm_size.cpu
  memory             = var.hindi_llm_size.memory
  desired_count      = var.hindi_llm_size.desired_count
  max_count          = var.hindi_llm_size.desired_count
  environment        = local.service_environment["hindi-llm-service"]
  secrets            = local.service_secrets["hindi-llm-service"]
  execution_role_arn = aws_iam_role.execution["hindi-llm-service"].arn
  task_role_arn      = aws_iam_role.task["hindi-llm-service"].arn
  subnet_ids         = aws_subnet.private[*].id
  security_group_id  = aws_security_group.service["hindi-llm-service"].id
  log_group_name     = aws_cloudwatch_log_group.service["hindi-llm-service"].name
  aws_region         = local.region
  namespace_arn      = aws_service_discovery_http_namespace.main.arn

  gpu = {
    capacity_provider = aws_ecs_capacity_provider.gpu.name
    count             = 1
    shared_memory_mib = 4096
  }

  # Loading the model onto the GPU takes minutes on a cold instance.
  health_check_start_period_seconds = 300
  stop_timeout_seconds              = 120

  depends_on = [aws_ecs_cluster_capacity_providers.main, aws_iam_role_policy.execution]
}
