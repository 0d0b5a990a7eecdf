"""The shared HTTP layer against real local servers: retries, deadlines, redaction, cache, bounds.

pytest-httpserver speaks HTTP for the ordinary cases; `RawServer` is a bare socket server for
the faults a well-behaved framework cannot produce (silence, one byte at a time).
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request as WzRequest
from werkzeug import Response as WzResponse

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http import (
    DEFAULT_USER_AGENT,
    Request,
    RetryingHttp,
    SnapshotTransport,
    parse_json_body,
    redact_url,
)
from hyte_assets_tests.lib.conftest import ConcurrencyProbe

MakeHttp = Callable[..., RetryingHttp]


def get(server: HTTPServer, path: str = "/data", **kwargs: object) -> Request:
    return Request(source="testsrc", method="GET", url=server.url_for(path), item="item 7", **kwargs)


def test_sends_descriptive_user_agent_and_parses_json(httpserver: HTTPServer, make_http: MakeHttp) -> None:
    httpserver.expect_request("/data").respond_with_json([{"a": 1}])
    response = make_http().send(get(httpserver))
    assert response.data == [{"a": 1}]
    assert response.cache_status == "none" and not response.not_modified
    sent = httpserver.log[0][0]
    assert sent.headers["User-Agent"] == DEFAULT_USER_AGENT
    assert "python-requests" not in DEFAULT_USER_AGENT


def test_user_agent_is_configurable(httpserver: HTTPServer, make_http: MakeHttp) -> None:
    httpserver.expect_request("/data").respond_with_json({})
    make_http(user_agent="hyte-test/1").send(get(httpserver))
    assert httpserver.log[0][0].headers["User-Agent"] == "hyte-test/1"


def test_repeated_params_survive_on_the_wire(httpserver: HTTPServer, make_http: MakeHttp) -> None:
    httpserver.expect_request("/data").respond_with_json([])
    make_http().send(get(httpserver, params=(("years", "2019"), ("years", "2020"))))
    assert httpserver.log[0][0].query_string == b"years=2019&years=2020"


def test_429_with_retry_after_is_retried(
    httpserver: HTTPServer, make_http: MakeHttp, sleeps: list[float]
) -> None:
    httpserver.expect_oneshot_request("/data").respond_with_data("slow down", 429, {"Retry-After": "7"})
    httpserver.expect_request("/data").respond_with_json({"ok": True})
    http = make_http()
    assert http.send(get(httpserver)).data == {"ok": True}
    assert sleeps == [7.0]
    assert http.stats.retries == 1 and http.stats.requests_sent == 2


def test_retry_after_is_capped(httpserver: HTTPServer, make_http: MakeHttp, sleeps: list[float]) -> None:
    httpserver.expect_oneshot_request("/data").respond_with_data("", 429, {"Retry-After": "3600"})
    httpserver.expect_request("/data").respond_with_json({})
    make_http(retry_after_cap=30).send(get(httpserver))
    assert sleeps == [30.0]


def test_503_is_retried_with_exponential_backoff(
    httpserver: HTTPServer, make_http: MakeHttp, sleeps: list[float]
) -> None:
    httpserver.expect_oneshot_request("/data").respond_with_data("down", 503)
    httpserver.expect_oneshot_request("/data").respond_with_data("down", 503)
    httpserver.expect_request("/data").respond_with_json({"ok": 1})
    http = make_http(backoff_base=0.5)
    assert http.send(get(httpserver)).data == {"ok": 1}
    # urllib3's schedule: the first retry at once, then backoff_base * 2**(n-1).
    assert sleeps == [0.0, 1.0]
    assert http.stats.retries == 2 and http.stats.requests_sent == 3


def test_backoff_is_capped(httpserver: HTTPServer, make_http: MakeHttp, sleeps: list[float]) -> None:
    httpserver.expect_request("/data").respond_with_data("down", 502)
    with pytest.raises(SourceError, match="gave up after 5 attempts; last error: HTTP 502"):
        make_http(backoff_base=10, backoff_cap=15, max_retries=4).send(get(httpserver))
    assert sleeps == [0.0, 15.0, 15.0, 15.0]


def test_clear_error_after_retries_are_spent(
    httpserver: HTTPServer, make_http: MakeHttp, sleeps: list[float]
) -> None:
    httpserver.expect_request("/data").respond_with_data("maintenance", 503)
    with pytest.raises(SourceError) as err:
        make_http(max_retries=2).send(get(httpserver))
    message = str(err.value)
    assert "source=testsrc" in message and "item 7" in message
    assert httpserver.url_for("/data") in message
    assert "gave up after 3 attempts" in message and "HTTP 503" in message
    assert len(httpserver.log) == 3 and len(sleeps) == 2


def test_non_retryable_4xx_fails_at_once(
    httpserver: HTTPServer, make_http: MakeHttp, sleeps: list[float]
) -> None:
    httpserver.expect_request("/data").respond_with_data("no such thing", 404)
    with pytest.raises(SourceError, match=r"HTTP 404 \(not retried\)") as err:
        make_http().send(get(httpserver))
    assert err.value.url == httpserver.url_for("/data")
    assert len(httpserver.log) == 1 and sleeps == []


def _slow(delay: float) -> Callable[[WzRequest], WzResponse]:
    def handler(_: WzRequest) -> WzResponse:
        time.sleep(delay)
        return WzResponse("{}", content_type="application/json")

    return handler


def test_read_timeout_is_retried_then_fails_clearly(httpserver: HTTPServer, make_http: MakeHttp) -> None:
    httpserver.expect_request("/slow").respond_with_handler(_slow(0.4))
    http = make_http(timeout=(1.0, 0.05), max_retries=1)
    with pytest.raises(SourceError, match="gave up after 2 attempts; last error: ReadTimeoutError"):
        http.send(get(httpserver, "/slow"))
    assert http.stats.retries == 1 and http.stats.requests_sent == 2


def test_read_timeout_then_success(httpserver: HTTPServer, make_http: MakeHttp) -> None:
    httpserver.expect_oneshot_request("/slow").respond_with_handler(_slow(0.4))
    httpserver.expect_request("/slow").respond_with_json({"late": False})
    http = make_http(timeout=(1.0, 0.05))
    assert http.send(get(httpserver, "/slow")).data == {"late": False}
    assert http.stats.retries == 1


def test_connection_refused_is_retried_then_reported(make_http: MakeHttp, sleeps: list[float]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = Request(source="testsrc", method="GET", url=f"http://127.0.0.1:{port}/x")
    with pytest.raises(SourceError, match="last error: NewConnectionError: .*Connection refused"):
        make_http(max_retries=1).send(request)
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<html><body>Service unavailable</body></html>", "text/html; charset=utf-8"),
        ("  <!DOCTYPE html><html></html>", "application/json"),
    ],
)
def test_html_with_status_200_is_rejected(
    httpserver: HTTPServer, make_http: MakeHttp, body: str, content_type: str
) -> None:
    httpserver.expect_request("/data").respond_with_data(body, 200, content_type=content_type)
    with pytest.raises(SourceError, match="expected JSON, got HTML error page") as err:
        make_http().send(get(httpserver))
    assert err.value.item == "item 7" and err.value.url == httpserver.url_for("/data")


def test_truncated_json_is_rejected_with_position(httpserver: HTTPServer, make_http: MakeHttp) -> None:
    httpserver.expect_request("/data").respond_with_data(
        '[{"indicator": 181, "value": 12.', 200, content_type="application/json"
    )
    with pytest.raises(SourceError, match=r"truncated JSON at char 32"):
        make_http().send(get(httpserver))


def test_parse_json_body_edge_cases() -> None:
    where = {"content_type": "application/json", "source": "s", "url": "u", "item": "i"}
    assert parse_json_body(b"\xef\xbb\xbf[1]", **where) == [1]
    with pytest.raises(SourceError, match="empty body"):
        parse_json_body(b"  ", **where)
    with pytest.raises(SourceError, match="truncated JSON"):
        parse_json_body(b'{"title": "Heinol', **where)
    with pytest.raises(SourceError, match="invalid JSON at char 1"):
        parse_json_body(b"[x]", **where)


def _etag_handler(etag: str, payload: object) -> Callable[[WzRequest], WzResponse]:
    def handler(request: WzRequest) -> WzResponse:
        if request.headers.get("If-None-Match") == etag:
            return WzResponse(status=304, headers={"ETag": etag})
        return WzResponse(json.dumps(payload), content_type="application/json", headers={"ETag": etag})

    return handler


def test_second_fetch_is_conditional_and_not_modified(
    httpserver: HTTPServer, make_http: MakeHttp, tmp_path: Path
) -> None:
    httpserver.expect_request("/data").respond_with_handler(_etag_handler('"v1"', {"rows": [1, 2]}))
    http = make_http(cache_dir=tmp_path)
    first = http.send(get(httpserver))
    second = http.send(get(httpserver))
    assert first.cache_status == "none" and "If-None-Match" not in httpserver.log[0][0].headers
    assert httpserver.log[1][0].headers["If-None-Match"] == '"v1"'
    assert second.not_modified and second.cache_status == "not_modified" and second.status == 304
    assert second.data == {"rows": [1, 2]}
    assert http.stats.not_modified == 1 and http.stats.requests_sent == 2


def test_last_modified_is_sent_back(httpserver: HTTPServer, make_http: MakeHttp, tmp_path: Path) -> None:
    stamp = "Wed, 01 Jul 2026 10:00:00 GMT"
    httpserver.expect_request("/data").respond_with_json({"v": 1}, headers={"Last-Modified": stamp})
    http = make_http(cache_dir=tmp_path)
    http.send(get(httpserver))
    assert http.send(get(httpserver)).data == {"v": 1}
    assert httpserver.log[1][0].headers["If-Modified-Since"] == stamp


def test_fresh_cache_entry_is_used_without_a_request(
    httpserver: HTTPServer, make_http: MakeHttp, tmp_path: Path
) -> None:
    httpserver.expect_request("/data").respond_with_json({"v": 1})
    http = make_http(cache_dir=tmp_path, cache_ttl=3600)
    http.send(get(httpserver))
    again = http.send(get(httpserver))
    assert again.cache_status == "hit" and again.data == {"v": 1}
    # Only /data counts: a slow handler of an earlier test may still log its late request.
    assert [r.path for r, _ in httpserver.log].count("/data") == 1 and http.stats.cache_hits == 1


def test_changed_data_replaces_the_cached_copy(
    httpserver: HTTPServer, make_http: MakeHttp, tmp_path: Path
) -> None:
    httpserver.expect_oneshot_request("/data").respond_with_json({"v": 1}, headers={"ETag": '"a"'})
    httpserver.expect_request("/data").respond_with_handler(_etag_handler('"b"', {"v": 2}))
    http = make_http(cache_dir=tmp_path)
    http.send(get(httpserver))
    assert http.send(get(httpserver)).data == {"v": 2}
    third = http.send(get(httpserver))
    assert third.not_modified and third.data == {"v": 2}


def test_post_is_never_made_conditional(httpserver: HTTPServer, make_http: MakeHttp, tmp_path: Path) -> None:
    httpserver.expect_request("/data", method="POST").respond_with_json({"v": 1}, headers={"ETag": '"x"'})
    http = make_http(cache_dir=tmp_path)
    request = Request(source="s", method="POST", url=httpserver.url_for("/data"), json_body={"q": 1})
    http.send(request)
    http.send(request)
    assert "If-None-Match" not in httpserver.log[1][0].headers


def test_cache_key_ignores_param_order_but_not_body() -> None:
    a = Request("s", "GET", "http://h/x", params=(("years", "2019"), ("indicator", "5")))
    b = Request("s", "GET", "http://h/x", params=(("indicator", "5"), ("years", "2019")))
    assert a.cache_key() == b.cache_key()
    assert (
        Request("s", "POST", "http://h/x", json_body={"q": 1}).cache_key()
        != Request("s", "POST", "http://h/x", json_body={"q": 2}).cache_key()
    )
    assert a.cache_key() != Request("s", "POST", "http://h/x", params=a.params).cache_key()


def send_from_threads(http: RetryingHttp, request: Request, count: int) -> None:
    """Send the same request from `count` threads at once and wait for all of them."""
    threads = [threading.Thread(target=http.send, args=(request,)) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_concurrency_is_bounded(httpserver: HTTPServer, make_http: MakeHttp) -> None:
    probe = ConcurrencyProbe(0.05, lambda _: WzResponse("{}", content_type="application/json"))
    httpserver.expect_request("/data").respond_with_handler(probe)
    http = make_http(max_concurrency=2)
    send_from_threads(http, get(httpserver), 8)
    assert http.stats.requests_sent == 8
    assert http.stats.max_in_flight == 2 and probe.max_active == 2


def test_min_interval_spacing_with_injected_clock(httpserver: HTTPServer, sleeps: list[float]) -> None:
    httpserver.expect_request("/data").respond_with_json({})
    http = RetryingHttp(min_interval=0.2, sleep=sleeps.append, clock=lambda: 100.0)
    for _ in range(3):
        http.send(get(httpserver))
    assert sleeps == pytest.approx([0.2, 0.4])


def test_snapshot_transport_reads_the_named_file(tmp_path: Path) -> None:
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "181.json").write_text('[{"a": 1}]', encoding="utf-8")
    transport = SnapshotTransport(tmp_path)
    request = Request("sotkanet", "GET", "http://h/json", item="indicator 181", snapshot_path="json/181.json")
    response = transport.send(request)
    assert response.data == [{"a": 1}] and response.origin.endswith("181.json")
    assert transport.files_read == [str(tmp_path.resolve() / "json" / "181.json")]


def test_snapshot_transport_errors_name_the_file(tmp_path: Path) -> None:
    transport = SnapshotTransport(tmp_path)
    with pytest.raises(SourceError, match="snapshot file missing") as err:
        transport.send(Request("sotkanet", "GET", "http://h/regions", snapshot_path="regions.json"))
    assert err.value.file == str(tmp_path.resolve() / "regions.json")
    with pytest.raises(SourceError, match="no snapshot file name"):
        transport.send(Request("sotkanet", "GET", "http://h/regions"))
    with pytest.raises(SourceError, match="escapes"):
        transport.send(Request("sotkanet", "GET", "http://h/x", snapshot_path="../secret.json"))
    (tmp_path / "bad.json").write_text("<html>502</html>", encoding="utf-8")
    with pytest.raises(SourceError, match="HTML error page") as err:
        transport.send(Request("sotkanet", "GET", "http://h/x", snapshot_path="bad.json"))
    assert err.value.file is not None and err.value.file.endswith("bad.json")


def test_spacing_applies_to_retries_too(httpserver: HTTPServer, sleeps: list[float]) -> None:
    httpserver.expect_oneshot_request("/data").respond_with_data("busy", 429, {"Retry-After": "0"})
    httpserver.expect_request("/data").respond_with_json({})
    http = RetryingHttp(min_interval=0.5, sleep=sleeps.append, clock=lambda: 10.0)
    http.send(get(httpserver))
    # Retry-After 0, then the spacing wait before the second call (PxWeb counts retries as calls).
    assert sleeps == [0.0, 0.5] and http.stats.requests_sent == 2


# --- credentials --------------------------------------------------------------------------


def test_credentials_in_the_url_are_used_but_never_shown(
    httpserver: HTTPServer, make_http: MakeHttp, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_oneshot_request("/ok").respond_with_json({"v": 1}, headers={"ETag": '"e"'})
    httpserver.expect_request("/data").respond_with_data("echo: token=tok-SECRET-42 user s3cr3t-pw", 503)
    base = httpserver.url_for("/").replace("http://", "http://analyst:s3cr3t-pw@")
    http = make_http(cache_dir=tmp_path, max_retries=1)
    caplog.set_level(logging.DEBUG)
    ok = Request("testsrc", "GET", base + "ok?api_key=k3y-VALUE", params=(("token", "tok-SECRET-42"),))
    assert http.send(ok).origin == base.replace("s3cr3t-pw", "***") + "ok?api_key=***&token=***"
    sent = httpserver.log[0][0]
    assert sent.authorization is not None and sent.authorization.password == "s3cr3t-pw"
    assert sent.args["token"] == "tok-SECRET-42" and sent.args["api_key"] == "k3y-VALUE"

    bad = Request("testsrc", "GET", base + "data", params=(("token", "tok-SECRET-42"), ("year", "2024")))
    with pytest.raises(SourceError) as err:
        http.send(bad)
    # Our records and urllib3's (the test server's own access log is not ours to scrub).
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))
    shown = [str(err.value), err.value.url or "", logged]
    shown += [path.read_text(encoding="utf-8") for path in tmp_path.rglob("*.meta.json")]
    for text in shown:
        for secret in ("s3cr3t-pw", "tok-SECRET-42", "k3y-VALUE"):
            assert secret not in text
    assert "token=***&year=2024" in str(err.value) and "analyst:***@" in str(err.value)
    assert "HTTP 503" in str(err.value) and "retry in" in logged  # the log still says what happened


def test_redaction_of_connection_errors(make_http: MakeHttp, caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    caplog.set_level(logging.DEBUG)
    request = Request("testsrc", "GET", f"http://u:pw-XYZ@127.0.0.1:{port}/x?access_token=AT-987")
    with pytest.raises(SourceError) as err:
        make_http(max_retries=1).send(request)
    assert "ConnectionError" in str(err.value)
    for text in (str(err.value), caplog.text):
        assert "AT-987" not in text and "pw-XYZ" not in text


def test_redact_url_leaves_plain_urls_alone() -> None:
    plain = "https://sotkanet.fi/rest/1.1/json?indicator=181&years=2019&years=2020"
    assert redact_url(plain) == plain
    assert redact_url("https://h/x?Signature=abc&keyword=kept") == "https://h/x?Signature=***&keyword=kept"


# --- concurrency under retries, and a light import ----------------------------------------------


def test_concurrency_bound_holds_during_retries(httpserver: HTTPServer, make_http: MakeHttp) -> None:
    calls = {"n": 0}
    lock = threading.Lock()

    def throttled_sometimes(_: WzRequest) -> WzResponse:
        with lock:
            calls["n"] += 1
            throttle = calls["n"] % 3 == 0
        if throttle:
            return WzResponse("slow down", status=429, headers={"Retry-After": "0"})
        return WzResponse("{}", content_type="application/json")

    probe = ConcurrencyProbe(0.03, throttled_sometimes)
    httpserver.expect_request("/data").respond_with_handler(probe)
    http = make_http(max_concurrency=3)
    send_from_threads(http, get(httpserver), 12)
    assert http.stats.retries >= 1 and http.stats.requests_sent == 12 + http.stats.retries
    assert probe.max_active <= 3 and http.stats.max_in_flight <= 3


def test_importing_the_clients_does_not_import_requests() -> None:
    code = (
        "import sys, hyte_assets.lib.http, hyte_assets.lib.sotkanet, hyte_assets.lib.pxweb, "
        "hyte_assets.lib.thl_cube; print(sorted({'requests', 'urllib3'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
