"""What fixtures hand tests about the apps they started."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from media_service.service import user_prefix
from media_service.settings import Settings


@dataclass(frozen=True)
class LocalMediaServer:
    """media-service on the local store, live on loopback at `url`."""

    settings: Settings
    url: str

    def stored_uploads(self, user_id: str) -> list[Path]:
        """The photo files stored for a user, straight from the local store's directory."""
        folder = Path(self.settings.local_dir) / user_prefix(user_id) / "uploads"
        return sorted(folder.glob("*")) if folder.exists() else []
