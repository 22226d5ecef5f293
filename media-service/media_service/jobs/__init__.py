"""Durable media jobs: workers that claim, run, retry and recover them, and the wake-ups between them."""
