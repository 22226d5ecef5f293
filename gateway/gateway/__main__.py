"""`python -m gateway`: serve the app on the host and port from its settings."""

from gateway.settings import Settings
from storyscape_common.app import serve

if __name__ == "__main__":
    serve("gateway.main:create_app", Settings())
