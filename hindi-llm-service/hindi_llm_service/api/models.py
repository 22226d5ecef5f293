"""GET /v1/models: each base model and each LoRA adapter, in OpenAI's list shape."""

from __future__ import annotations

from fastapi import APIRouter, Request

from hindi_llm_service.api.deps import Engine
from hindi_llm_service.schemas import ModelCard, ModelList
from storyscape_common.deps import CurrentIdentity

router = APIRouter(prefix="/v1", tags=["models"])


@router.get("/models", summary="List the models this service serves", response_model=ModelList)
async def list_models(request: Request, engine: Engine, _: CurrentIdentity) -> ModelList:
    created = int(request.app.state.started_at)
    cards: list[ModelCard] = []
    for base, adapters in engine.served_models().items():
        cards.append(ModelCard(id=base, created=created, root=base))
        cards += [ModelCard(id=name, created=created, root=base, parent=base) for name in adapters]
    return ModelList(data=cards)
