"""Helpers for prompt-service tests."""
