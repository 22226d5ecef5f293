"""Typed contracts between StoryScape services: each internal call's bodies, defined once and imported by both sides."""
