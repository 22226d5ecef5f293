# Copy to production.tfvars (git-ignored) and fill in. Only inputs without a default are required.

aws_region          = "ap-south-1"
certificate_arn     = "arn:aws:acm:ap-south-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
firebase_project_id = "storyscape-prod"

# Public half of each issuer's internal-token key pair (README.md, step 1). Each private half goes to that
# issuer's secret in Secrets Manager.
internal_public_keys_pem = {
  "gateway"         = <<-PEM
    -----BEGIN PUBLIC KEY-----
    MCowBQYDK2VwAyEA0000000000000000000000000000000000000000000=
    -----END PUBLIC KEY-----
  PEM
  "story-service"   = <<-PEM
    -----BEGIN PUBLIC KEY-----
    MCowBQYDK2VwAyEA1111111111111111111111111111111111111111111=
    -----END PUBLIC KEY-----
  PEM
  "history-service" = <<-PEM
    -----BEGIN PUBLIC KEY-----
    MCowBQYDK2VwAyEA2222222222222222222222222222222222222222222=
    -----END PUBLIC KEY-----
  PEM
  "prompt-service"  = <<-PEM
    -----BEGIN PUBLIC KEY-----
    MCowBQYDK2VwAyEA3333333333333333333333333333333333333333333=
    -----END PUBLIC KEY-----
  PEM
}

service_images = {
  "gateway"           = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/gateway:1.0.0"
  "story-service"     = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/story-service:1.0.0"
  "media-service"     = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/media-service:1.0.0"
  "prompt-service"    = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/prompt-service:1.0.0"
  "history-service"   = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/history-service:1.0.0"
  "hindi-llm-service" = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/hindi-llm-service-gpu:1.0.0"
}

# Cheaper, less available: one NAT gateway, single-AZ databases.
# single_nat_gateway = true
# db_multi_az        = false
