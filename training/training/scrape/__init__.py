"""Polite scraper for public-domain story sites: robots.txt, per-host rate limit, resumable state."""
