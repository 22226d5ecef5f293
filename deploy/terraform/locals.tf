data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name       = var.name
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # "123456789012.dkr.ecr.ap-south-1.amazonaws.com/storyscape/gateway:1.4.0" -> that repository's ARN,
  # so each execution role may pull its own image and nothing else.
  image_repository_arns = {
    for service, image in var.service_images : service => format(
      "arn:%s:ecr:%s:%s:repository/%s",
      local.partition,
      regex("^[0-9]{12}\\.dkr\\.ecr\\.([a-z0-9-]+)\\.", image)[0],
      regex("^([0-9]{12})\\.", image)[0],
      regex("^[^/]+/([^:@]+)", image)[0],
    )
  }
}
