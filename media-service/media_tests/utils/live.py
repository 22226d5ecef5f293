"""What fixtures hand tests about the apps they started."""

from __future__ import annotations

from dataclasses import dataclass

from media_service.settings import Settings


@dataclass(frozen=True)
class LocalMediaServer:
    """media-service on the local store, live on loopback at `url`."""

    settings: Settings
    url: str
