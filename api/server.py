"""Serve an ASGI application with uvicorn, blocking or in a background thread (tests)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import uvicorn


@dataclass
class Server:
    """A running server: its URL, and `close()` to stop it."""

    server: uvicorn.Server
    thread: threading.Thread | None
    url: str

    def close(self, timeout_s: float = 30) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout_s)


def run(
    app: Any,
    host: str,
    port: int,
    root_path: str = "",
    block: bool = True,
    started_timeout_s: float = 60,
) -> Server:
    """Serve `app` on host:port; with `block=False`, return once it accepts connections."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        root_path=root_path,
        log_level="warning",
        timeout_graceful_shutdown=10,
        # Behind a reverse proxy the client's address and scheme come from its X-Forwarded-*
        # headers, trusted from the addresses in $FORWARDED_ALLOW_IPS (default 127.0.0.1).
        proxy_headers=True,
        forwarded_allow_ips=None,
    )
    server = uvicorn.Server(config)
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/"  # direct; a proxy adds root_path in front
    if block:
        server.run()
        return Server(server, None, url)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + started_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server on {host}:{port} did not start")
        time.sleep(0.02)
    return Server(server, thread, url)
