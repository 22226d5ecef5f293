"""Development-only StoryScape tooling: never installed in a service image."""
