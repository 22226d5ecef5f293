"""StoryScape gateway: the only public entry to the services."""
