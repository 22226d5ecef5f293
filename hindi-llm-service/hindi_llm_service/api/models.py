"""GET /v1/models: the base model and each LoRA adapter, in OpenAI's list shape."""

from __future__ import annotations

from fastapi import APIRouter, Request

from hindi_llm_service.api.deps import Engine
from hindi_llm_service.schemas import ModelCard, ModelList
from storyscape_common.deps import CurrentIdentity

router = APIRouter(prefix="/v1", tags=["models"])


@router.get("/models", summary="List the models this service serves", response_model=ModelList)
async def list_models(request: Request, engine: Engine, _: CurrentIdentity) -> ModelList:
    created = int(request.app.state.started_at)
    base = ModelCard(id=engine.base_model, created=created, root=engine.base_model)
    adapters = [ModelCard(id=name, created=created, root=engine.base_model, parent=engine.base_model) for name in engine.adapter_names()]
    return ModelList(data=[base, *adapters])
