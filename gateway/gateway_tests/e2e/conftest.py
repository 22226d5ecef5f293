"""End-to-end tests use the session's whole stack: the `stack` fixture of the devtools pytest plugin."""
