"""Fixtures: the parsed configuration, and an initialised copy of it where terraform can run offline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deploy_tests.utils.terraform import SERVICE_MODULE_DIR, TERRAFORM_DIR, TerraformConfig, load_config
from deploy_tests.utils.tools import aws_provider_mirror, run_tool, terraform_binary


@pytest.fixture(scope="session")
def config() -> TerraformConfig:
    return load_config(TERRAFORM_DIR)


@pytest.fixture(scope="session")
def service_module() -> TerraformConfig:
    return load_config(SERVICE_MODULE_DIR)


@pytest.fixture(scope="session")
def initialised_copy(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """deploy/terraform copied out of the repo and initialised from a local provider mirror; None if impossible."""
    terraform, mirror = terraform_binary(), aws_provider_mirror()
    if terraform is None or mirror is None:
        return None
    workdir = tmp_path_factory.mktemp("terraform") / "terraform"
    shutil.copytree(TERRAFORM_DIR, workdir, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
    result = run_tool(
        [terraform, "init", "-backend=false", "-input=false", f"-plugin-dir={mirror}"],
        cwd=workdir,
        home=workdir.parent,
    )
    assert result.returncode == 0, result.output
    return workdir
