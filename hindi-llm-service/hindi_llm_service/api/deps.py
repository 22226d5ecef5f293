"""Typed dependencies for this service's endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hindi_llm_service.engine.router import ModelRouter
from hindi_llm_service.settings import Settings


def current_engine(request: Request) -> ModelRouter:
    engine: ModelRouter = request.app.state.engine
    return engine


def current_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


Engine = Annotated[ModelRouter, Depends(current_engine)]
ServiceSettings = Annotated[Settings, Depends(current_settings)]
