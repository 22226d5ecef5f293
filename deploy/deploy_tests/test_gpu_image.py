"""The GPU image serves a LoRA adapter only on the base it was trained on: a LoRA's deltas are meaningless (or do not
even fit) on another model. The pairing is read from the adapter's own adapter_config.json and from hindi-llm-service's
bundled adapters per offline base (the pairing `make run` serves)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from deploy_tests.utils.dockerfile import GPU_DOCKERFILE, arg_defaults, copies, environment, expand
from deploy_tests.utils.tools import REPO_ROOT
from hindi_llm_service.settings import BUNDLED_ADAPTERS

SERVED_ADAPTER = "storyscape-hi"  # the name story-service asks for (STORY_HINDI_MODEL)


def comparable(model: str) -> str:
    """`google/gemma-3-270m` and the folder `gemma3-270m` alike: no organisation, case or separators."""
    return re.sub(r"[^a-z0-9]", "", model.rsplit("/", 1)[-1].lower())


def trained_on(adapter_dir: Path) -> str:
    return str(json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))["base_model_name_or_path"])


def test_bundled_adapters_name_the_base_they_are_bundled_for() -> None:
    for base, adapters in BUNDLED_ADAPTERS.items():
        for name, adapter_dir in adapters.items():
            assert comparable(trained_on(adapter_dir)) == comparable(base), f"{name} for {base} was trained on {trained_on(adapter_dir)}"


def source_of(path: str, copied: dict[str, str]) -> Path:
    """The build-context path that the image has at `path` (through the COPY that put it there)."""
    for destination, source in sorted(copied.items(), key=lambda item: -len(item[0])):
        if path == destination or path.startswith(destination + "/"):
            return REPO_ROOT / source / path.removeprefix(destination).lstrip("/")
    raise AssertionError(f"nothing is copied to {path} in the GPU image")


def test_gpu_image_pairs_its_base_model_with_the_adapter_trained_on_it() -> None:
    args = arg_defaults(GPU_DOCKERFILE)
    env = {key: expand(value, args) for key, value in environment(GPU_DOCKERFILE).items()}
    copied = {destination.rstrip("/"): expand(source, args).rstrip("/") for source, destination in copies(GPU_DOCKERFILE)}
    adapters = {name: path.rstrip("/") for name, path in json.loads(env["HINDI_LLM_ADAPTERS"]).items()}

    assert set(adapters) == {SERVED_ADAPTER}
    base_dir = source_of(env["HINDI_LLM_MODEL_PATH"], copied)  # the build-context folder baked in as the served base
    adapter_dir = source_of(adapters[SERVED_ADAPTER], copied)
    assert adapter_dir.is_dir(), f"the GPU image bakes in {adapter_dir}, which is not in the repository"
    assert comparable(trained_on(adapter_dir)) == comparable(base_dir.name), (
        f"the GPU image serves {SERVED_ADAPTER} ({adapter_dir.name}, trained on {trained_on(adapter_dir)}) on {base_dir}"
    )
    assert adapter_dir == BUNDLED_ADAPTERS[base_dir.name][SERVED_ADAPTER], "not the adapter `make run` serves on this base"
    assert env["HINDI_LLM_MODEL_NAME"] == base_dir.name
