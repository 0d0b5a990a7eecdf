"""Bounded waits of the live transport against servers that misbehave below HTTP.

pytest-httpserver cannot be silent or send one byte at a time, so `RawServer` is a bare socket
server on 127.0.0.1. No wall-clock assertions: each test checks the error (which deadline, after
how many attempts) and the attempt counts; the deadlines are tiny so the tests stay quick.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from pytest_httpserver import HTTPServer

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http import Request, RetryingHttp

MakeHttp = Callable[..., RetryingHttp]


class RawServer:
    """A socket server on 127.0.0.1 that misbehaves below HTTP: silent, or one byte at a time."""

    def __init__(self, mode: str, gap: float = 0.05) -> None:
        self.mode, self.gap = mode, gap
        self.connections = 0
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str = "/data") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            if self.mode == "silent":
                self._stop.wait()
                return
            body = b'{"rows": [' + b"1, " * 200 + b"1]}"
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(
                body
            )
            payload = head + body if self.mode == "drip_headers" else body
            if self.mode == "drip_body":
                conn.sendall(head)
            try:
                for byte in payload:
                    if self._stop.wait(self.gap):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return  # the client hung up: that is what the deadline is for

    def close(self) -> None:
        self._stop.set()
        self._sock.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[..., RawServer]]:
    servers: list[RawServer] = []

    def start(mode: str, gap: float = 0.05) -> RawServer:
        servers.append(RawServer(mode, gap))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def raw_get(server: RawServer) -> Request:
    return Request(source="testsrc", method="GET", url=server.url(), item="item 7")


@pytest.mark.parametrize("mode", ["silent", "drip_headers", "drip_body"])
def test_request_deadline_stops_silent_and_dripping_servers(
    raw_server: Callable[..., RawServer], make_http: MakeHttp, mode: str
) -> None:
    # Per-operation timeouts (5 s) never fire: each dripped byte comes within 0.05 s.
    server = raw_server(mode)
    http = make_http(timeout=(5.0, 5.0), deadline=0.3, attempt_deadline=None, max_retries=3)
    with pytest.raises(SourceError) as err:
        http.send(raw_get(server))
    message = str(err.value)
    assert "request deadline of 0.3 s exceeded" in message
    assert "source=testsrc" in message and "item=item 7" in message and server.url() in message
    assert "RetryingHttp deadline=0.3 s" in message
    assert http.stats.retries == 0  # no retry once the whole budget is spent


def test_attempt_deadline_retries_within_the_request_deadline(
    raw_server: Callable[..., RawServer], make_http: MakeHttp
) -> None:
    server = raw_server("silent")
    http = make_http(timeout=(5.0, 5.0), deadline=3, attempt_deadline=0.2, max_retries=3, backoff_base=0.01)
    with pytest.raises(SourceError) as err:
        http.send(raw_get(server))
    # Each silent attempt was cut at 0.2 s and retried; the 4th (last allowed) one failed too.
    assert "attempt deadline of 0.2 s exceeded after 4 attempt(s)" in str(err.value)
    assert http.stats.requests_sent == 4 and server.connections == 4


def test_attempt_deadline_error_names_the_attempt_setting(
    raw_server: Callable[..., RawServer], make_http: MakeHttp
) -> None:
    server = raw_server("drip_body")
    http = make_http(timeout=(5.0, 5.0), deadline=30, attempt_deadline=0.2, max_retries=0)
    with pytest.raises(SourceError, match=r"attempt deadline of 0.2 s exceeded.*attempt_deadline=0.2 s"):
        http.send(raw_get(server))


def get(server: HTTPServer) -> Request:
    return Request(source="testsrc", method="GET", url=server.url_for("/data"), item="item 7")


def test_no_retry_wait_past_the_deadline(
    httpserver: HTTPServer, make_http: MakeHttp, sleeps: list[float]
) -> None:
    httpserver.expect_request("/data").respond_with_data("later", 429, {"Retry-After": "100"})
    http = make_http(deadline=5, retry_after_cap=300)
    with pytest.raises(
        SourceError, match=r"request deadline of 5 s exceeded after 1 attempt.*would have waited 100 s"
    ):
        http.send(get(httpserver))
    assert sleeps == [] and len(httpserver.log) == 1


def test_deadline_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="positive"):
        RetryingHttp(deadline=0)
