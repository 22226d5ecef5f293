"""Typed clients for calling other StoryScape services with the caller's internal identity."""
