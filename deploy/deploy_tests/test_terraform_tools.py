"""terraform fmt / validate / test and checkov, each run where this machine has the tool.

Without a tool the test still asserts what the parsed HCL can show, so nothing is skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

from deploy_tests.utils.terraform import (
    SERVICE_MODULE_DIR,
    TERRAFORM_DIR,
    TerraformConfig,
    load_config,
    mentions,
    parse_hcl_file,
)
from deploy_tests.utils.tools import CHECKOV_CONFIG, REPO_ROOT, checkov_binary, run_tool, terraform_binary

INLINE_SKIP = re.compile(r"#\s*checkov:skip=(?P<id>CKV2?_[A-Z]+_\d+)(?::(?P<reason>.*))?")


def terraform_sources() -> list[Path]:
    return [p for p in TERRAFORM_DIR.rglob("*.tf") if ".terraform" not in p.parts]


def test_terraform_files_are_formatted(tmp_path: Path) -> None:
    terraform = terraform_binary()
    if terraform is not None:
        result = run_tool([terraform, "fmt", "-check", "-recursive", "-diff", "."], cwd=TERRAFORM_DIR, home=tmp_path)
        assert result.returncode == 0, f"run `terraform fmt -recursive deploy/terraform`:\n{result.output}"
        return
    # Without terraform: the parts of `terraform fmt` that can be checked by eye.
    for path in terraform_sources():
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n") and "\t" not in text, path
        for number, line in enumerate(text.splitlines(), 1):
            assert line == line.rstrip(), f"{path}:{number} trailing whitespace"
            assert (len(line) - len(line.lstrip(" "))) % 2 == 0, f"{path}:{number} indentation"


def unresolved_references(config: TerraformConfig, *, text: str) -> set[str]:
    """var./local./module./resource references in `text` that `config` does not declare."""
    declared = {b.address for b in config.blocks} | {f"local.{name}" for name in config.locals}
    found = set(re.findall(r"(?<![\w.])((?:var|local|module)\.[\w-]+)", text))
    found |= {m for m in re.findall(r"(?<![\w.])((?:data\.)?aws_\w+\.\w+)", text)}
    found |= {m for m in re.findall(r"(?<![\w.])(terraform_data\.\w+)", text)}
    return {ref for ref in found if ref not in declared}


def test_configuration_is_valid(initialised_copy: Path | None, tmp_path: Path) -> None:
    if initialised_copy is not None:
        result = run_tool([terraform_binary() or "terraform", "validate", "-no-color"], cwd=initialised_copy, home=tmp_path)
        assert result.returncode == 0, result.output
        return
    # Without the aws provider offline: every reference points at something declared.
    for directory in (TERRAFORM_DIR, SERVICE_MODULE_DIR):
        config = load_config(directory)
        text = "\n".join([*(b.text() for b in config.blocks), str(config.locals)])
        assert not unresolved_references(config, text=text), directory


def test_mocked_plan_and_apply_hold(initialised_copy: Path | None, tmp_path: Path) -> None:
    if initialised_copy is not None:
        result = run_tool([terraform_binary() or "terraform", "test", "-no-color"], cwd=initialised_copy, home=tmp_path)
        assert result.returncode == 0, result.output
        assert re.search(r"Success! \d+ passed, 0 failed", result.output), result.output
        return
    # Without the provider the scenarios cannot run; they must at least be well-formed and cover the guards.
    scenarios = parse_hcl_file(TERRAFORM_DIR / "tests" / "plan.tftest.hcl")
    runs = {name: body for run in scenarios["run"] for name, body in run.items()}
    assert set(runs) == {"whole_stack", "refuses_unsafe_inputs"}
    assert mentions(runs["refuses_unsafe_inputs"]["expect_failures"], "var.firebase_project_id")


def test_checkov_finds_nothing_we_have_not_accepted(tmp_path: Path) -> None:
    checkov = checkov_binary()
    skipped = accepted_checks()
    assert skipped, ".checkov.yaml lists no accepted checks"
    if checkov is None:
        # Without checkov: at least no accepted check hides a whole category of the ones tests here assert.
        assert not skipped & {"CKV_AWS_19", "CKV_AWS_16", "CKV_AWS_17", "CKV_AWS_29", "CKV_AWS_30", "CKV_AWS_103"}
        return
    args = [checkov, "-d", "deploy/terraform", "--config-file", str(CHECKOV_CONFIG), "--compact", "--quiet"]
    result = run_tool(args, cwd=REPO_ROOT, home=tmp_path, timeout=600)
    assert result.returncode == 0, result.output
    assert "Failed checks: 0" in result.output, result.output


def accepted_checks() -> set[str]:
    """Check ids in .checkov.yaml's skip-check list, each of which must follow a comment giving the reason."""
    lines = CHECKOV_CONFIG.read_text(encoding="utf-8").splitlines()
    start = lines.index("skip-check:")
    ids = set()
    for previous, line in zip(lines[start:], lines[start + 1 :], strict=False):
        match = re.fullmatch(r"\s+- (CKV2?_[A-Z]+_\d+)", line)
        if match:
            assert previous.strip().startswith("#"), f"{match.group(1)} has no reason above it"
            ids.add(match.group(1))
        elif line.strip() and not line.strip().startswith("#"):
            break
    return ids


def test_every_inline_exception_gives_its_reason() -> None:
    inline = []
    for path in terraform_sources():
        for match in INLINE_SKIP.finditer(path.read_text(encoding="utf-8")):
            assert len((match["reason"] or "").strip()) >= 20, f"{path.name}: {match['id']} without a reason"
            inline.append(match["id"])
    documented = CHECKOV_CONFIG.read_text(encoding="utf-8")
    assert all(check in documented for check in inline), "list inline exceptions in .checkov.yaml's header"
    assert not set(inline) & accepted_checks(), "a check is both skipped everywhere and inline"
