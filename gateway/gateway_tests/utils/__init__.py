"""Helpers for the gateway's tests: a Firebase token issuer, its cert server, and an upstream test service."""
