"""HTTP routers of prompt-service."""
