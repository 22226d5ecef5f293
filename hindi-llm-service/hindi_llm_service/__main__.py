"""`python -m hindi_llm_service`: serve the app on the host and port from its settings."""

from hindi_llm_service.settings import Settings
from storyscape_common.app import serve

if __name__ == "__main__":
    serve("hindi_llm_service.main:create_app", Settings())
