"""HTTP routers of history-service."""
