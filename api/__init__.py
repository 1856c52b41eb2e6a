"""The HTTP API beside the web app: `/api/v1/ask`, `/api/v1/recommend`, `/healthz`.

FastAPI (which Gradio runs on); `app.py` mounts the web UI on the same application, so one
server answers both. Above `assistant` in the layers and beside `ui`: it never imports gradio.
"""
