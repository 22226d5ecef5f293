"""`python -m prompt_service`: serve the app on the host and port from its settings."""

from prompt_service.settings import Settings
from storyscape_common.app import serve

if __name__ == "__main__":
    serve("prompt_service.main:create_app", Settings())
