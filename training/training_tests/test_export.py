"""export: a PEFT folder with a manifest, which hindi-llm-service serves by name and which changes its stories."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import cast

import pytest
import torch
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam
from peft import PeftModel
from safetensors.torch import load_file
from storyscape_devtools.testing import LiveServer, new_test_keys
from transformers import AutoModelForCausalLM, AutoTokenizer

from hindi_llm_service.main import create_app
from hindi_llm_service.settings import Settings
from storyscape_common.story_prompts import story_messages
from training.export import MANIFEST, run_export, vllm_max_lora_rank
from training.train.examples import prompt_text
from training_tests.conftest import PipelineRun
from training_tests.utils.pipeline import adapter_tensors, same_tensors

BASE_NAME = "tiny-llama"


def export_dir(pipeline: PipelineRun) -> Path:
    return Path(pipeline.exported["adapter"])


def test_the_export_is_the_last_stages_adapter_in_peft_format(pipeline: PipelineRun) -> None:
    folder = export_dir(pipeline)
    assert folder == pipeline.config.export.out_dir / pipeline.config.export.name
    assert same_tensors(load_file(str(folder / "adapter_model.safetensors")), adapter_tensors(pipeline.config, "stage3"))
    adapter_config = json.loads((folder / "adapter_config.json").read_text(encoding="utf-8"))
    assert adapter_config["peft_type"] == "LORA" and adapter_config["r"] == 8
    assert adapter_config["base_model_name_or_path"] == BASE_NAME  # an id, not this machine's path
    assert pipeline.exported["vllm_max_lora_rank"] == 8


def test_the_manifest_records_base_stages_data_and_metrics(pipeline: PipelineRun) -> None:
    manifest = json.loads((export_dir(pipeline) / MANIFEST).read_text(encoding="utf-8"))
    prepared = json.loads((pipeline.config.prepared_dir / "prepare_report.json").read_text(encoding="utf-8"))
    assert manifest["base_model"] == BASE_NAME and manifest["quantization"] == "none"
    assert [stage["stage"] for stage in manifest["stages"]] == ["stage1", "stage2", "stage3"]
    assert manifest["stages"][1]["config"]["learning_rate"] == pipeline.config.stages[1].learning_rate
    assert manifest["data"]["data_hash"] == prepared["data_hash"]
    assert set(manifest["metrics"]) == {"base", "stage1", "stage2", "stage3"}
    assert {"torch", "transformers", "peft", "bitsandbytes"} <= manifest["library_versions"].keys()
    assert manifest["created"]


def test_vllm_incompatible_adapters_are_refused() -> None:
    assert vllm_max_lora_rank({"r": 12, "target_modules": ["q_proj", "v_proj"]}) == 16
    with pytest.raises(ValueError, match="embed_tokens"):
        vllm_max_lora_rank({"r": 8, "target_modules": ["q_proj", "embed_tokens"]})
    with pytest.raises(ValueError, match="exceeds"):
        vllm_max_lora_rank({"r": 1024, "target_modules": ["q_proj"]})


def test_merge_writes_a_full_model_that_generates_like_base_plus_adapter(pipeline: PipelineRun, tmp_path: Path) -> None:
    config = pipeline.config.model_copy(
        update={"export": pipeline.config.export.model_copy(update={"merge": True, "out_dir": tmp_path, "name": "merged-export"})}
    )
    merged_dir = Path(run_export(config)["merged"])
    tokenizer = AutoTokenizer.from_pretrained(str(merged_dir))
    record = json.loads(pipeline.config.eval_file.read_text(encoding="utf-8").splitlines()[0])
    inputs = tokenizer(prompt_text(tokenizer, record), return_tensors="pt", add_special_tokens=False)
    merged = AutoModelForCausalLM.from_pretrained(str(merged_dir)).eval()
    base = AutoModelForCausalLM.from_pretrained(pipeline.config.model.base)
    adapted = PeftModel.from_pretrained(base, str(merged_dir.parent)).eval()
    with torch.no_grad():
        assert torch.allclose(merged(**inputs).logits, adapted(**inputs).logits, atol=1e-4)


async def test_hindi_llm_service_serves_the_exported_adapter_and_it_changes_the_story(pipeline: PipelineRun) -> None:
    keys, adapter = new_test_keys(), pipeline.config.export.name
    settings = Settings(
        environment="test",
        internal_public_keys=keys.public_keys,
        model_path=Path(pipeline.config.model.base),
        model_name=BASE_NAME,
        adapters={adapter: export_dir(pipeline)},
        extra_model_paths=[],
        torch_threads=1,
    )
    token = keys.signer("story-service").sign(user_id="trainer", audience="hindi-llm-service", request_id="export-test")
    messages = cast(
        list[ChatCompletionMessageParam],
        story_messages(language="hi", age_group="6-8", genres=["animals"], prompt="एक नन्हा हाथी"),
    )
    with LiveServer(create_app(settings)) as server:
        await asyncio.to_thread(server.wait_ready)
        async with AsyncOpenAI(base_url=f"{server.url}/v1", api_key=token, max_retries=0, timeout=60) as client:
            listed = {model.id for model in (await client.models.list()).data}
            stories = {}
            for model in (BASE_NAME, adapter):
                completion = await client.chat.completions.create(model=model, messages=messages, max_tokens=24, temperature=0)
                stories[model] = completion.choices[0].message.content
    assert listed == {BASE_NAME, adapter}
    assert stories[BASE_NAME] and stories[adapter] and stories[adapter] != stories[BASE_NAME]
