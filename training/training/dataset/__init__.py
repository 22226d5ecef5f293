"""Corpus I/O, cleaning, language check, deduplication, complexity scoring, splitting and the dataset card."""
