"""StoryScape media-service: the object store for illustrations, narration audio and uploaded images."""
