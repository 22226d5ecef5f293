"""The one list of StoryScape services: names, default ports, settings prefixes, public paths, and who may call whom.

The dev stack, the gateway's routing and settings, the typed clients and the internal-token verifiers all read it,
so a service's name or port is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GATEWAY = "gateway"
STORY_SERVICE = "story-service"
MEDIA_SERVICE = "media-service"
PROMPT_SERVICE = "prompt-service"
HISTORY_SERVICE = "history-service"
HINDI_LLM_SERVICE = "hindi-llm-service"


@dataclass(frozen=True)
class PublicRoute:
    """A public `/v1` path the gateway relays: `/v1/genres` matches itself and what is below it; a prefix ending
    in `/` only what is below it; `exact` only itself; with `suffix`, one segment between prefix and suffix
    (`/v1/stories/{id}/audio`); `methods` None means every method."""

    prefix: str
    methods: frozenset[str] | None = None
    exact: bool = False
    suffix: str = ""

    @property
    def specific(self) -> bool:
        """Narrower than a plain prefix, so tried first."""
        return self.exact or bool(self.suffix) or self.methods is not None

    def matches(self, *, method: str, path: str) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        if self.suffix:
            middle = path[len(self.prefix) : -len(self.suffix)]
            return path.startswith(self.prefix) and path.endswith(self.suffix) and bool(middle) and "/" not in middle
        if self.exact:
            return path == self.prefix
        if self.prefix.endswith("/"):
            return path.startswith(self.prefix)
        return path == self.prefix or path.startswith(self.prefix + "/")


@dataclass(frozen=True)
class ServiceInfo:
    """One service: how it is named, run and reached, and which services its internal tokens may address."""

    name: str
    directory: str
    module: str
    env_prefix: str
    default_port: int
    public_routes: tuple[PublicRoute, ...] = ()
    may_address: frozenset[str] = field(default_factory=frozenset)

    @property
    def issuer(self) -> str:
        return self.name


def _routes(*prefixes: str) -> tuple[PublicRoute, ...]:
    return tuple(PublicRoute(prefix) for prefix in prefixes)


# The dev stack starts services in this order (dependencies first).
SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo(
        HISTORY_SERVICE,
        "history-service",
        "history_service",
        "HISTORY_",
        8004,
        public_routes=(PublicRoute("/v1/stories"), PublicRoute("/v1/favorites")),
        may_address=frozenset({MEDIA_SERVICE, PROMPT_SERVICE}),
    ),
    ServiceInfo(
        PROMPT_SERVICE,
        "prompt-service",
        "prompt_service",
        "PROMPT_",
        8003,
        public_routes=_routes("/v1/catalog", "/v1/me/", "/v1/genres", "/v1/prompts/"),
        may_address=frozenset({HINDI_LLM_SERVICE}),
    ),
    ServiceInfo(
        MEDIA_SERVICE,
        "media-service",
        "media_service",
        "MEDIA_",
        8002,
        public_routes=(PublicRoute("/v1/media/"), PublicRoute("/v1/stories/", suffix="/audio")),
    ),
    ServiceInfo(HINDI_LLM_SERVICE, "hindi-llm-service", "hindi_llm_service", "HINDI_LLM_", 8005),
    ServiceInfo(
        STORY_SERVICE,
        "story-service",
        "story_service",
        "STORY_",
        8001,
        public_routes=(PublicRoute("/v1/stories", methods=frozenset({"POST"}), exact=True),),
        may_address=frozenset({HISTORY_SERVICE, HINDI_LLM_SERVICE, MEDIA_SERVICE, PROMPT_SERVICE}),
    ),
    ServiceInfo(
        GATEWAY,
        "gateway",
        "gateway",
        "GATEWAY_",
        8000,
        may_address=frozenset({STORY_SERVICE, MEDIA_SERVICE, PROMPT_SERVICE, HISTORY_SERVICE}),
    ),
)
SERVICES_BY_NAME: dict[str, ServiceInfo] = {service.name: service for service in SERVICES}


def service(name: str) -> ServiceInfo:
    """The registry entry for `name` (KeyError for a name that is not a StoryScape service)."""
    return SERVICES_BY_NAME[name]


def allowed_audiences(issuer: str) -> frozenset[str]:
    """The services an issuer's internal tokens may address (empty for an unknown issuer)."""
    info = SERVICES_BY_NAME.get(issuer)
    return info.may_address if info else frozenset()


def public_route_table() -> tuple[tuple[PublicRoute, str], ...]:
    """(route, owning service) in the order the gateway must try them: narrow routes before broad prefixes."""
    owned = [(route, info.name) for info in SERVICES for route in info.public_routes]
    return tuple(sorted(owned, key=lambda entry: not entry[0].specific))
