# Values of the OpenAI key and the internal signing key never pass through Terraform (nor its state):
# the secrets are created empty and filled once with `aws secretsmanager put-secret-value` (README.md).

resource "aws_secretsmanager_secret" "openai_api_key" {
  #checkov:skip=CKV2_AWS_57:OpenAI keys are issued in OpenAI's dashboard, not by a Lambda; rotate by hand (README.md).
  name                    = "${local.name}/story-service/openai-api-key"
  description             = "OpenAI API key; injected into story-service only, as STORY_OPENAI_API_KEY"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = var.secret_recovery_window_days
}

# Account deletion deletes the reader's Firebase user from story-service (its durable job): a Google service-account
# key with the Firebase Authentication Admin role. The gateway's key, if it has one, only looks users up.
resource "aws_secretsmanager_secret" "firebase_credentials" {
  #checkov:skip=CKV2_AWS_57:Service-account keys are issued in Google Cloud, not by a Lambda; rotate by hand (README.md).
  name                    = "${local.name}/story-service/firebase-credentials"
  description             = "Google service-account key JSON allowed to delete Firebase users; injected into story-service only, as STORY_FIREBASE_CREDENTIALS"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = var.secret_recovery_window_days
}

# The gateway verifies ID tokens with check_revoked (a disabled, signed-out or deleted reader is refused within its
# token-cache time), which looks the user up: a service-account key with the Firebase Authentication Viewer role
# only, separate from story-service's so the public-facing gateway can never delete a user.
resource "aws_secretsmanager_secret" "gateway_firebase_credentials" {
  #checkov:skip=CKV2_AWS_57:Service-account keys are issued in Google Cloud, not by a Lambda; rotate by hand (README.md).
  name                    = "${local.name}/gateway/firebase-credentials"
  description             = "Google service-account key JSON allowed to look Firebase users up (Authentication Viewer); injected into the gateway only, as GATEWAY_FIREBASE_CREDENTIALS"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = var.secret_recovery_window_days
}

# One signing key per issuing service: a verifier maps each key (kid) to its issuer, so one service's key can
# never speak for another.
resource "aws_secretsmanager_secret" "internal_signing_key" {
  #checkov:skip=CKV2_AWS_57:Rotating a private key means deploying its public half to every service together; done by hand (README.md).
  for_each                = var.internal_public_keys_pem
  name                    = "${local.name}/${each.key}/internal-signing-key"
  description             = "PEM Ed25519 private key that signs ${each.key}'s internal tokens; injected into ${each.key} only"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = var.secret_recovery_window_days
}

# The Redis auth token is the one secret Terraform must know (ElastiCache takes it as an argument), so it
# lands in state. Generated once by Secrets Manager and pinned in terraform_data, which needs no extra
# provider; rotate with `terraform apply -replace=terraform_data.redis_auth_token`.
data "aws_secretsmanager_random_password" "redis_auth_token" {
  password_length     = 64
  exclude_punctuation = true
}

resource "terraform_data" "redis_auth_token" {
  input = sensitive(data.aws_secretsmanager_random_password.redis_auth_token.random_password)

  lifecycle {
    ignore_changes = [input]
  }
}

resource "aws_secretsmanager_secret" "redis_url" {
  #checkov:skip=CKV2_AWS_57:The token is rotated by Terraform (replace terraform_data.redis_auth_token), which updates ElastiCache and this secret together.
  name                    = "${local.name}/gateway/redis-url"
  description             = "rediss:// URL with the auth token; injected into the gateway (GATEWAY_REDIS_URL) and prompt-service (PROMPT_REDIS_URL)"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "redis_url" {
  secret_id     = aws_secretsmanager_secret.redis_url.id
  secret_string = "rediss://:${terraform_data.redis_auth_token.output}@${aws_elasticache_replication_group.redis.primary_endpoint_address}:6379/0"
}
