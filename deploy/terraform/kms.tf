# One customer-managed key for StoryScape's data at rest: media objects, databases, Redis, secrets and logs.
# Services reach it only through the AWS service holding the data (kms:ViaService in each role's policy).
resource "aws_kms_key" "main" {
  description             = "${local.name}: media, databases, Redis, secrets and logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.main.key_id
}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key only; the root statement hands control to IAM.
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" means this key only; the logs statement is bound to our log groups.
  #checkov:skip=CKV_AWS_356:Key policies cannot name the key they belong to; "*" is the required form.
  # Key policies must name the account for IAM policies to grant anything on the key.
  statement {
    sid       = "AccountAdministersKeyThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncryptsThisAccountsLogGroups"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }
}
