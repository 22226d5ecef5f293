"""HTTP routers of media-service, one per concern."""
