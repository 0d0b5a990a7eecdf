"""Local stand-ins for Sotkanet and StatFin on 127.0.0.1, serving recorded wire-format files.

Used by the live-mode tests, the end-to-end test and the benchmark: the real HTTP clients talk to
these exactly as they would to THL and Statistics Finland. The servers add optional latency, send
ETags and answer conditional requests with 304, and record every request they see.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


@dataclass
class SeenRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int = 0


@dataclass
class StubState:
    root: Path
    latency_s: float = 0.0
    requests: list[SeenRequest] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _route_sotkanet(path: str, query: dict[str, list[str]]) -> str | None:
    """Map a Sotkanet REST 1.1 request to its recorded file."""
    parts = [p for p in path.split("/") if p]
    if parts[-1:] == ["regions"]:
        return "regions.json"
    if parts[-1:] == ["indicators"]:
        return "indicators.json"
    if len(parts) >= 2 and parts[-2] == "indicators":
        return f"indicators/{parts[-1]}.json"
    if parts[-1:] == ["json"] and query.get("indicator"):
        return f"json/{query['indicator'][0]}.json"
    return None


def _route_statfin(path: str, query: dict[str, list[str]], method: str) -> str | None:
    """Map a PxWeb v1 request (`?config`, table metadata GET, data POST) to its recorded file."""
    if "config" in query:
        return "config.json"
    if path.endswith(".px") and "/StatFin/" in path:
        stem = path.split("/StatFin/", 1)[1].removesuffix(".px").replace("/", "__")
        return f"{stem}.data.json" if method == "POST" else f"{stem}.meta.json"
    return None


def make_handler(state: StubState, kind: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _serve(self, method: str) -> None:
            parsed = urlparse(self.path)
            query = parse_qs(parsed.query, keep_blank_values=True)
            seen = SeenRequest(method, parsed.path, query, dict(self.headers))
            with state.lock:
                state.requests.append(seen)
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                if method == "POST":
                    self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if state.latency_s:
                    time.sleep(state.latency_s)
                name = (
                    _route_sotkanet(parsed.path, query)
                    if kind == "sotkanet"
                    else _route_statfin(parsed.path, query, method)
                )
                file = state.root / name if name else None
                if file is None or not file.exists():
                    seen.status = 404
                    self.send_response(404)
                    self.end_headers()
                    return
                body = file.read_bytes()
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if method == "GET" and self.headers.get("If-None-Match") == etag:
                    seen.status = 304
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                seen.status = 200
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)
            finally:
                with state.lock:
                    state.in_flight -= 1

        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

    return Handler


class StubServer:
    """A threaded HTTP server on 127.0.0.1 with a free port; use as a context manager."""

    def __init__(self, kind: str, root: Path, latency_s: float = 0.0) -> None:
        self.state = StubState(root=root, latency_s=latency_s)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.state, kind))
        self.server.daemon_threads = True
        self.kind = kind
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        base = f"http://{host}:{port}"
        return f"{base}/rest/1.1" if self.kind == "sotkanet" else f"{base}/PXWeb/api/v1/fi/StatFin"

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def main() -> None:
    """Run both stubs in the foreground (for trying live mode by hand)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshots", type=Path, default=Path("data/snapshots"))
    args = parser.parse_args()
    with (
        StubServer("sotkanet", args.snapshots / "sotkanet") as sotkanet,
        StubServer("statfin", args.snapshots / "statfin") as statfin,
    ):
        print(json.dumps({"HYTE_SOTKANET_URL": sotkanet.url, "HYTE_STATFIN_URL": statfin.url}))
        threading.Event().wait()


if __name__ == "__main__":
    main()
