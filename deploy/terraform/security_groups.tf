# One security group per hop. Only the ALB accepts traffic from the internet (443, and 80 to redirect);
# each service accepts its own port from the services that call it (local.service_callers) and nothing else.

locals {
  service_edges = merge([
    for callee, callers in local.service_callers : {
      for caller in callers : "${caller}->${callee}" => { caller = caller, callee = callee }
    }
  ]...)

  # hindi-llm-service serves a model baked into its image: it needs no outbound internet at all
  # (on EC2 the ECS agent, not the task, pulls the image and ships the logs).
  internet_clients = toset([for name in keys(local.services) : name if name != "hindi-llm-service"])
}

resource "aws_security_group" "alb" {
  name        = "${local.name}-alb"
  description = "Public HTTPS entry: 443 from anywhere, 80 only to redirect to 443"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-alb" }
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from clients"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_ingress_rule" "alb_http_redirect" {
  #checkov:skip=CKV_AWS_260:Port 80 reaches only the listener that answers 301 to HTTPS (alb.tf); clients typing http:// still arrive.
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from clients, answered only with a redirect to HTTPS"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
}

resource "aws_vpc_security_group_egress_rule" "alb_to_gateway" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Requests and health checks to the gateway"
  referenced_security_group_id = aws_security_group.service["gateway"].id
  ip_protocol                  = "tcp"
  from_port                    = local.services["gateway"].port
  to_port                      = local.services["gateway"].port
}

resource "aws_security_group" "service" {
  for_each = local.services

  name        = "${local.name}-${each.key}"
  description = "${each.key} tasks"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-${each.key}" }
}

resource "aws_vpc_security_group_ingress_rule" "gateway_from_alb" {
  security_group_id            = aws_security_group.service["gateway"].id
  description                  = "Requests and health checks from the ALB"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = local.services["gateway"].port
  to_port                      = local.services["gateway"].port
}

resource "aws_vpc_security_group_ingress_rule" "service_from_caller" {
  for_each = local.service_edges

  security_group_id            = aws_security_group.service[each.value.callee].id
  description                  = "${each.value.caller} calls ${each.value.callee}"
  referenced_security_group_id = aws_security_group.service[each.value.caller].id
  ip_protocol                  = "tcp"
  from_port                    = local.services[each.value.callee].port
  to_port                      = local.services[each.value.callee].port
}

resource "aws_vpc_security_group_egress_rule" "caller_to_service" {
  for_each = local.service_edges

  security_group_id            = aws_security_group.service[each.value.caller].id
  description                  = "${each.value.caller} calls ${each.value.callee}"
  referenced_security_group_id = aws_security_group.service[each.value.callee].id
  ip_protocol                  = "tcp"
  from_port                    = local.services[each.value.callee].port
  to_port                      = local.services[each.value.callee].port
}

# ECR, CloudWatch Logs, Secrets Manager and Service Connect for every Fargate task; OpenAI for story-service;
# Firebase's certificates for the gateway. HTTPS only.
resource "aws_vpc_security_group_egress_rule" "service_https_out" {
  for_each = local.internet_clients

  security_group_id = aws_security_group.service[each.key].id
  description       = "HTTPS to AWS APIs and model providers"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_security_group" "database" {
  #checkov:skip=CKV2_AWS_5:Attached to aws_db_instance.service[each.key] (data.tf); checkov's graph misses some for_each instances.
  for_each = local.database_services

  name        = "${local.name}-${each.key}-db"
  description = "PostgreSQL of ${each.key}, reachable only from ${each.key}"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-${each.key}-db" }
}

resource "aws_vpc_security_group_ingress_rule" "database_from_owner" {
  for_each = local.database_services

  security_group_id            = aws_security_group.database[each.key].id
  description                  = "PostgreSQL from ${each.key}"
  referenced_security_group_id = aws_security_group.service[each.key].id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_egress_rule" "owner_to_database" {
  for_each = local.database_services

  security_group_id            = aws_security_group.service[each.key].id
  description                  = "PostgreSQL of ${each.key}"
  referenced_security_group_id = aws_security_group.database[each.key].id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_security_group" "redis" {
  name        = "${local.name}-redis"
  description = "Redis for the gateway's rate-limit counters and prompt-service's suggestion cache and locks"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-redis" }
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_gateway" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis (TLS) from the gateway"
  referenced_security_group_id = aws_security_group.service["gateway"].id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

resource "aws_vpc_security_group_egress_rule" "gateway_to_redis" {
  security_group_id            = aws_security_group.service["gateway"].id
  description                  = "Redis (TLS)"
  referenced_security_group_id = aws_security_group.redis.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

# prompt-service: the day's suggestion sets are cached and generated once per key across its tasks (a Redis lock).
resource "aws_vpc_security_group_ingress_rule" "redis_from_prompt_service" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis (TLS) from prompt-service"
  referenced_security_group_id = aws_security_group.service["prompt-service"].id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

resource "aws_vpc_security_group_egress_rule" "prompt_service_to_redis" {
  security_group_id            = aws_security_group.service["prompt-service"].id
  description                  = "Redis (TLS)"
  referenced_security_group_id = aws_security_group.redis.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

resource "aws_security_group" "gpu_instance" {
  name        = "${local.name}-gpu-instance"
  description = "GPU container instances: no inbound; HTTPS out for the ECS agent, ECR and CloudWatch"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-gpu-instance" }
}

resource "aws_vpc_security_group_egress_rule" "gpu_instance_https_out" {
  security_group_id = aws_security_group.gpu_instance.id
  description       = "HTTPS to the ECS, ECR and CloudWatch endpoints"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
