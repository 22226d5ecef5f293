"""Typed request and response models of the internal APIs, shared by each service and its callers."""
