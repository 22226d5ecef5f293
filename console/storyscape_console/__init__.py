"""The StoryScape developer console (Streamlit), a client of the gateway's public API only."""
