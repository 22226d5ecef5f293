output "alb_dns_name" {
  description = "Point the public host name (the ACM certificate's) at this, with a CNAME or a Route 53 alias."
  value       = aws_lb.main.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone of the ALB, for a Route 53 alias record."
  value       = aws_lb.main.zone_id
}

output "ecs_cluster_name" {
  description = "ECS cluster running the services."
  value       = aws_ecs_cluster.main.name
}

output "media_bucket" {
  description = "S3 bucket holding media (private; media-service only)."
  value       = aws_s3_bucket.media.bucket
}

output "openai_api_key_secret_arn" {
  description = "Secret to fill with the OpenAI API key (aws secretsmanager put-secret-value)."
  value       = aws_secretsmanager_secret.openai_api_key.arn
}

output "firebase_credentials_secret_arn" {
  description = "Secret to fill with the Google service-account key JSON that may delete Firebase users (story-service)."
  value       = aws_secretsmanager_secret.firebase_credentials.arn
}

output "gateway_firebase_credentials_secret_arn" {
  description = "Secret to fill with the Google service-account key JSON that may look Firebase users up (gateway, check_revoked)."
  value       = aws_secretsmanager_secret.gateway_firebase_credentials.arn
}

output "internal_signing_key_secret_arns" {
  description = "Secret to fill with the PEM Ed25519 private key that signs internal tokens."
  value       = { for issuer, secret in aws_secretsmanager_secret.internal_signing_key : issuer => secret.arn }
}

output "database_endpoints" {
  description = "PostgreSQL endpoint of each service's database (private)."
  value       = { for service, db in aws_db_instance.service : service => db.endpoint }
}

output "database_secret_arns" {
  description = "RDS-managed master credentials of each service's database."
  value       = local.database_secret_arns
}

output "redis_primary_endpoint" {
  description = "ElastiCache primary endpoint (TLS, auth token in the gateway's redis-url secret)."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}

output "kms_key_arn" {
  description = "Customer-managed key encrypting media, databases, Redis, secrets and logs."
  value       = aws_kms_key.main.arn
}
