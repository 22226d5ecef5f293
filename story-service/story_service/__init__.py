"""StoryScape story-service."""
