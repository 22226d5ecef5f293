"""A tiny service run by `storyscape_common.app.serve()` in its own process, for the server-limit tests."""
