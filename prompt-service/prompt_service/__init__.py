"""StoryScape prompt-service: the catalog; user settings, custom genres and suggestions come later."""
