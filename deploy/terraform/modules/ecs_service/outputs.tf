output "service_name" {
  description = "ECS service name."
  value       = aws_ecs_service.this.name
}

output "task_definition_arn" {
  description = "Task definition revision the service runs."
  value       = aws_ecs_task_definition.this.arn
}

output "container_definitions" {
  description = "Rendered container definitions (JSON), for reviews and tests."
  value       = aws_ecs_task_definition.this.container_definitions
}
