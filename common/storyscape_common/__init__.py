"""Shared plumbing for every StoryScape service."""
