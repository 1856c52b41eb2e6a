"""The cold-start benchmark's own measuring: per-child CPU and peak memory, readiness polling."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ui.coldstart import Run, _ready, median_run, run_process


def test_a_child_is_measured_alone() -> None:
    small = run_process([sys.executable, "-c", "pass"])
    big = run_process(
        [sys.executable, "-c", "x = bytearray(120 * 2**20); x[::4096] = b'1' * len(x[::4096])"]
    )
    assert big.peak_mb >= 120 > small.peak_mb
    assert small.wall_s > 0 and small.cpu_s > 0


def test_a_failing_child_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="exited 3"):
        run_process([sys.executable, "-c", "raise SystemExit(3)"])


def test_the_median_is_taken_per_figure() -> None:
    runs = [Run(1.0, 0.5, 100), Run(3.0, 0.4, 300), Run(2.0, 0.9, 200)]
    assert median_run(runs) == Run(2.0, 0.5, 200)


@pytest.mark.parametrize(
    ("health", "page", "ready"),
    [(200, 200, True), (503, 200, False), (404, 200, True), (404, 502, False)],
)
def test_ready_follows_healthz_or_else_the_page(health: int, page: int, ready: bool) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(health if self.path == "/healthz" else page)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert _ready(f"http://127.0.0.1:{server.server_address[1]}/") is ready
    finally:
        server.shutdown()
        server.server_close()
