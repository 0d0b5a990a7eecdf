"""Local stand-ins for Sotkanet, StatFin and THL's cube API on 127.0.0.1, serving wire-format files.

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
    # StatFin only: answer POSTs from `{table}.meta.json` + `{table}.cells.json` like PxWeb does,
    # with HTTP 400 for any value the metadata does not list (see standins.py).
    strict: bool = False
    # Fault injection: a path ending in one of these keys is answered with that HTTP status
    # (with `Retry-After: 0`, so a retrying client does not wait), e.g. {"/indicators/3219": 503}.
    faults: dict[str, int] = field(default_factory=dict)
    requests: list[SeenRequest] = field(default_factory=list)
    # Benchmarks only: keep each Sotkanet `/json` answer once filtered (by file and query), so the
    # stub's own parsing does not bound the client it measures; None filters every request.
    answers: dict[tuple[str, str], bytes] | None = None
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


THL_CUBE_BASE = "/pivot/prod/fi/"


def _route_thl_cube(path: str) -> str | None:
    """Map a THL cube request (`{base}/{subject}/{hydra}/fact_{cube}.json`) to its file under the root,
    as the snapshot transport names it. A file starting with `<` is served as an HTML page."""
    relative = path.partition(THL_CUBE_BASE)[2]
    return relative if relative and ".." not in relative.split("/") else None


def filter_sotkanet_rows(body: bytes, query: dict[str, list[str]]) -> bytes:
    """Like the real `/json`: only the asked years and genders (all regions) come back."""
    years = {int(y) for y in query.get("years", [])}
    genders = set(query.get("genders", []))
    rows = json.loads(body)
    kept = [
        r
        for r in rows
        if (not years or r.get("year") in years) and (not genders or r.get("gender") in genders)
    ]
    return json.dumps(kept, ensure_ascii=False).encode("utf-8")


def _filtered(state: StubState, file: Path, name: str, query: dict[str, list[str]]) -> bytes:
    key = (name, json.dumps(query, sort_keys=True))
    if state.answers is not None and key in state.answers:
        return state.answers[key]
    body = filter_sotkanet_rows(file.read_bytes(), query)
    if state.answers is not None:
        state.answers[key] = body
    return body


def answer_pxweb_query(root: Path, name: str, body: bytes) -> tuple[int, bytes]:
    """A PxWeb v1 POST answered from the table's metadata and cells, as the real service does.

    Every selected value must be listed in the metadata, else HTTP 400 (the real service
    names nothing; the client adds what it asked). Unselected variables follow `elimination`:
    eliminable ones disappear (total), others come back whole. Cells missing from
    `{table}.cells.json` are null with status "..".
    """
    stem = name.removesuffix(".data.json")
    meta_file, cells_file = root / f"{stem}.meta.json", root / f"{stem}.cells.json"
    if not meta_file.exists():
        return 404, b"Not found"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    cells = json.loads(cells_file.read_text(encoding="utf-8")) if cells_file.exists() else {}
    try:
        query = {q["code"]: q["selection"] for q in json.loads(body)["query"]}
    except (ValueError, KeyError, TypeError):
        return 400, b"Bad Request"
    dims = []
    for variable in meta["variables"]:
        code, values = variable["code"], variable["values"]
        selection = query.pop(code, None)
        if selection is None:
            if variable.get("elimination"):
                continue
            chosen = values
        elif selection["filter"] == "item":
            chosen = selection["values"]
            if any(v not in values for v in chosen):
                return 400, b"Bad Request"
        elif selection["filter"] == "top":
            chosen = values[-int(selection["values"][0]) :]
        else:
            chosen = values
        texts = dict(zip(values, variable.get("valueTexts", values), strict=False))
        dims.append((code, variable.get("text", code), [(v, texts.get(v, v)) for v in chosen]))
    if query:  # a variable the table does not have
        return 400, b"Bad Request"
    return 200, json.dumps(jsonstat2(meta.get("title", stem), dims, cells), ensure_ascii=False).encode()


def jsonstat2(
    label: str, dims: list[tuple[str, str, list[tuple[str, str]]]], cells: dict[str, float]
) -> dict[str, object]:
    """Encode a json-stat2 dataset (row-major, last dimension fastest); keys of `cells` are the
    dimension values joined with `|` in dimension order."""
    import itertools

    values: list[float | None] = []
    status: dict[str, str] = {}
    for index, combo in enumerate(itertools.product(*[[v for v, _ in d[2]] for d in dims])):
        value = cells.get("|".join(combo))
        values.append(value)
        if value is None:
            status[str(index)] = ".."
    dimension = {
        code: {
            "label": text,
            "category": {
                "index": {v: i for i, (v, _) in enumerate(items)},
                "label": dict(items),
            },
        }
        for code, text, items in dims
    }
    return {
        "version": "2.0",
        "class": "dataset",
        "label": label,
        "source": "Tilastokeskus (stand-in)",
        "id": [d[0] for d in dims],
        "size": [len(d[2]) for d in dims],
        "dimension": dimension,
        "value": values,
        "status": status,
    }


def make_handler(state: StubState, kind: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        in_flight = False

        def send_response(self, code: int, message: str | None = None) -> None:
            # A request stops counting as in flight before its answer starts: once the client has
            # the whole answer it may send the next one, possibly before this thread got here.
            self._leave()
            super().send_response(code, message)

        def _leave(self) -> None:
            if self.in_flight:
                self.in_flight = False
                with state.lock:
                    state.in_flight -= 1

        def _serve(self, method: str) -> None:
            parsed = urlparse(self.path)
            query = parse_qs(parsed.query, keep_blank_values=True)
            seen = SeenRequest(method, parsed.path, query, dict(self.headers))
            with state.lock:
                state.requests.append(seen)
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            self.in_flight = True
            try:
                body_in = b""
                if method == "POST":
                    body_in = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if state.latency_s:
                    time.sleep(state.latency_s)
                fault = next((c for k, c in state.faults.items() if parsed.path.endswith(k)), None)
                if fault is not None:
                    seen.status = fault
                    self.send_response(fault)
                    self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if kind == "thl_cube":
                    name = _route_thl_cube(parsed.path)
                elif kind == "sotkanet":
                    name = _route_sotkanet(parsed.path, query)
                else:
                    name = _route_statfin(parsed.path, query, method)
                file = state.root / name if name else None
                if kind == "statfin" and state.strict and method == "POST" and name:
                    status, payload = answer_pxweb_query(state.root, name, body_in)
                    self._send_body(seen, status, payload)
                    return
                if file is None or not file.exists():
                    seen.status = 404
                    self.send_response(404)
                    self.end_headers()
                    return
                if kind == "sotkanet" and name and name.startswith("json/"):
                    body = _filtered(state, file, name, query)
                else:
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
                html = body.lstrip().startswith(b"<")  # an error page served with 200
                self.send_header(
                    "Content-Type", f"{'text/html' if html else 'application/json'}; charset=utf-8"
                )
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)
            finally:
                self._leave()

        def _send_body(self, seen: SeenRequest, status: int, payload: bytes) -> None:
            seen.status = status
            self.send_response(status)
            kind_ = "application/json" if status == 200 else "text/plain"
            self.send_header("Content-Type", f"{kind_}; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

    return Handler


class StubServer:
    """A threaded HTTP server on 127.0.0.1 with a free port; use as a context manager."""

    def __init__(self, kind: str, root: Path, latency_s: float = 0.0, *, strict: bool = False) -> None:
        self.state = StubState(root=root, latency_s=latency_s, strict=strict)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.state, kind))
        self.server.daemon_threads = True
        self.kind = kind
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        base = f"http://{host}:{port}"
        if self.kind == "thl_cube":
            return base + THL_CUBE_BASE.rstrip("/")
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
