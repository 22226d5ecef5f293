"""GET /v1/catalog: what the app offers in its pickers."""

from __future__ import annotations

from fastapi import APIRouter

from prompt_service.schemas import Catalog
from prompt_service.service import build_catalog

router = APIRouter(prefix="/v1", tags=["catalog"])


@router.get("/catalog", summary="Languages, age groups and built-in genres, labelled in English and Hindi")
async def get_catalog() -> Catalog:
    return build_catalog()
