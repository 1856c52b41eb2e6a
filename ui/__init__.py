"""The web UI's pieces: pure logic modules (no gradio) that app.py assembles into the Gradio app."""
