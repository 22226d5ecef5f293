"""`python -m common_tests.served.app`: a service with one slow stream, served exactly as services are."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter, FastAPI
from fastapi.responses import StreamingResponse
from pydantic_settings import SettingsConfigDict

from storyscape_common.app import create_service_app, serve
from storyscape_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SERVED_")

    service_name: str = "served"


def create_app() -> FastAPI:
    router = APIRouter()

    @router.get("/v1/stream")
    async def stream(ticks: int = 0) -> StreamingResponse:
        """`ticks` lines a quarter second apart, then `done`: a story stream in miniature."""

        async def lines() -> AsyncIterator[bytes]:
            for n in range(ticks):
                yield f"tick {n}\n".encode()
                await asyncio.sleep(0.25)
            yield b"done\n"

        return StreamingResponse(lines(), media_type="text/plain")

    return create_service_app(settings=Settings(), title="served", description="served", routers=[router], internal_auth=False)


if __name__ == "__main__":
    serve("common_tests.served.app:create_app", Settings())
