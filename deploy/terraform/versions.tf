terraform {
  required_version = ">= 1.10.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # State holds resource ids and the Redis auth token: keep it in an encrypted, versioned S3 bucket.
  # Give the bucket at init time: terraform init -backend-config=backend.hcl (see README.md).
  backend "s3" {}
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project     = var.name
      Environment = "production"
      ManagedBy   = "terraform"
    }
  }
}
