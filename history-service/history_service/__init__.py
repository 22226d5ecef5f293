"""StoryScape history-service: saved stories, grouped by day in the user's time zone."""
