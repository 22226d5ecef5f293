"""What the gateway holds for its lifetime: the token verifier, the internal-token signer, the upstream clients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gateway.firebase import FirebaseVerifier
from storyscape_common.internal_auth import InternalTokenSigner

if TYPE_CHECKING:
    from gateway.rate_limits import StoryLimits
    from gateway.upstreams import Upstream


@dataclass(frozen=True)
class GatewayResources:
    """Built in the app's lifespan; handlers reach it only through the typed dependencies in `api/deps.py`."""

    firebase: FirebaseVerifier
    signer: InternalTokenSigner
    upstreams: dict[str, Upstream]
    story_limits: StoryLimits


def resources_of(app: Any) -> GatewayResources:
    """What the lifespan built, for the edge middleware (routes use `api/deps.py`)."""
    resources: GatewayResources = app.state.gateway
    return resources
