"""Nothing to import: this project exists to run deploy/tests against deploy/terraform."""
