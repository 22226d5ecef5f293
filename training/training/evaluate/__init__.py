"""Scores the base model and each stage's adapter on the held-out stories, side by side."""
