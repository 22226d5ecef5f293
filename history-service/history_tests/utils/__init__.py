"""Helpers for history-service tests."""
