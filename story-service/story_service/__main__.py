"""`python -m story_service`: serve the app on the host and port from its settings."""

from storyscape_common.app import serve

from story_service.settings import Settings

if __name__ == "__main__":
    serve("story_service.main:create_app", Settings())
