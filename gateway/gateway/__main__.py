"""`python -m gateway`: serve the app on the host and port from its settings."""

from storyscape_common.app import serve

from gateway.settings import Settings

if __name__ == "__main__":
    serve("gateway.main:create_app", Settings())
