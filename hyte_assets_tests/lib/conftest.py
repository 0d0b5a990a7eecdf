"""Shared fixtures for the source-client tests.

`make_httpserver` is overridden so pytest-httpserver's `httpserver` listens on 127.0.0.1 and
handles requests in threads (the concurrency and timeout tests need parallel handlers), and
`httpserver` answers unmatched requests with 404 instead of the default 500, so a missing
expectation fails at once instead of being retried.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request as WzRequest
from werkzeug import Response as WzResponse

from hyte_assets.lib.http import RetryingHttp

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(scope="session")
def make_httpserver() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def httpserver(make_httpserver: HTTPServer) -> HTTPServer:
    make_httpserver.clear()
    make_httpserver.no_handler_status_code = 404
    return make_httpserver


@pytest.fixture
def sleeps() -> list[float]:
    """Records the waits a transport asked for instead of waiting."""
    return []


@pytest.fixture
def make_http(sleeps: list[float]) -> Callable[..., RetryingHttp]:
    """A live transport that never really sleeps between retries (short timeouts, fast failures)."""

    def build(**overrides: Any) -> RetryingHttp:
        options: dict[str, Any] = {"sleep": sleeps.append, "timeout": (2.0, 5.0), "max_retries": 3}
        options.update(overrides)
        return RetryingHttp(**options)

    return build


class ConcurrencyProbe:
    """A slow handler that records how many requests the server saw at once."""

    def __init__(self, delay: float, respond: Callable[[WzRequest], WzResponse]) -> None:
        self.delay = delay
        self.respond = respond
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def __call__(self, request: WzRequest) -> WzResponse:
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            time.sleep(self.delay)
            return self.respond(request)
        finally:
            with self._lock:
                self.active -= 1
