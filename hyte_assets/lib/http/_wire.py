"""The `requests`/`urllib3` side of `RetryingHttp`, imported only when a live transport is built.

Retries, backoff and Retry-After come from `urllib3.util.Retry` on a `requests` `HTTPAdapter`.
What urllib3 does not offer is a deadline for a whole request: its timeouts bound each socket
operation, so a server that drips one byte every 20 s, or retries that each wait their full
read timeout, never stop. `Deadline` adds that: a watchdog thread per request that shuts the
socket down when the attempt or the request runs out of time (which wakes any blocked read),
plus hooks in the connection class and in `Retry` that refuse to connect, retry or wait past
the deadline. The hooks find the request's `Deadline` through a thread-local, because urllib3
runs the whole retry loop in the calling thread.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

# 429 (throttled) and every 5xx are worth another try; other 4xx only burn the rate limit.
RETRY_STATUSES = frozenset({429, *range(500, 600)})
# PxWeb data queries are POSTs but read-only, so they are as safe to repeat as GETs.
RETRY_METHODS = frozenset({"GET", "HEAD", "POST"})

_active = threading.local()


class DeadlineExceeded(Exception):
    """The request (or one attempt of it) ran out of its time budget."""

    def __init__(self, scope: str, seconds: float, attempts: int, next_wait: float | None = None) -> None:
        self.scope, self.seconds, self.attempts = scope, seconds, attempts
        message = f"{scope} deadline of {seconds:g} s exceeded after {attempts} attempt(s)"
        if next_wait is not None:
            message += f" (the next retry would have waited {next_wait:g} s more)"
        super().__init__(message)


class Deadline:
    """Time budget of one logical request: `total` over all attempts and waits, `attempt` per try."""

    def __init__(
        self,
        total: float,
        attempt: float | None,
        *,
        sleep: Callable[[float], None],
        on_attempt: Callable[[], None],
        on_retry: Callable[[str, float], None],
        retry_after_cap: float,
    ) -> None:
        self.total, self.attempt = total, attempt
        self._sleep, self._on_attempt, self._on_retry = sleep, on_attempt, on_retry
        self.retry_after_cap = retry_after_cap
        self.retries = 0
        self.last_error = "no attempt made"
        self.expired: str | None = None  # "request" or "attempt" once the watchdog fired
        self._end = time.monotonic() + total
        self._attempt_end = self._end
        self._conn: HTTPConnection | None = None
        self._done = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._watch, name="http-deadline", daemon=True)
        self._thread.start()

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def error(self, scope: str | None = None) -> DeadlineExceeded:
        scope = scope or self.expired or "request"
        seconds = self.total if scope == "request" else float(self.attempt or self.total)
        return DeadlineExceeded(scope, seconds, self.retries + 1)

    def _watch(self) -> None:
        with self._cond:
            while not self._done:
                due = self._attempt_end
                wait = due - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                self.expired = "request" if due >= self._end else "attempt"
                sock = getattr(self._conn, "sock", None)
                if sock is not None:
                    with suppress(OSError):  # shutdown wakes a read blocked in another thread
                        sock.shutdown(socket.SHUT_RDWR)
                if self.expired == "request":
                    return
                self._attempt_end = self._end  # keep guarding the whole request

    def connecting(self, conn: HTTPConnection) -> None:
        """Before a connect: fail when no time is left, else cap the connect timeout."""
        left = self.remaining()
        if left <= 0 or self.expired == "request":
            raise self.error("request")
        if not isinstance(conn.timeout, int | float) or conn.timeout > left:
            conn.timeout = left
        with self._cond:
            self._conn = conn

    def attempt_started(self, conn: HTTPConnection) -> None:
        """A request goes on the wire: count it and arm the per-attempt deadline."""
        if self.remaining() <= 0 or self.expired == "request":
            raise self.error("request")
        self._on_attempt()
        with self._cond:
            self._conn = conn
            self.expired = None
            self._attempt_end = self._end
            if self.attempt is not None:
                self._attempt_end = min(self._end, time.monotonic() + self.attempt)
            self._cond.notify()

    def retrying(self, response: Any, error: Exception | None) -> None:
        if self.expired == "request":
            raise self.error("request")
        self.retries += 1
        if error is not None:
            cause = "watchdog cut the connection" if self.expired == "attempt" else str(error)
            self.last_error = f"{type(error).__name__}: {cause}"
        elif response is not None:
            self.last_error = f"HTTP {response.status}"

    def wait(self, seconds: float) -> None:
        """Sleep before the next attempt unless that would end past the deadline."""
        if seconds >= self.remaining():
            raise DeadlineExceeded("request", self.total, self.retries, next_wait=seconds)
        self._on_retry(self.last_error, seconds)
        self._sleep(seconds)

    def finish(self) -> None:
        with self._cond:
            self._done = True
            self._conn = None
            self._cond.notify()


@contextmanager
def active(deadline: Deadline) -> Iterator[Deadline]:
    """Make `deadline` visible to the hooks below for the duration of one request."""
    _active.deadline = deadline
    try:
        yield deadline
    finally:
        _active.deadline = None
        deadline.finish()


def _current() -> Deadline | None:
    return getattr(_active, "deadline", None)


class _DeadlineHooks:
    """Connection mixin: every connect and every request start consults the active deadline."""

    def connect(self) -> None:
        deadline = _current()
        if deadline is not None:
            deadline.connecting(self)  # type: ignore[arg-type]
        super().connect()  # type: ignore[misc]

    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline = _current()
        if deadline is not None:
            deadline.attempt_started(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_DeadlineHooks, HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineHooks, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class DeadlineRetry(Retry):
    """urllib3's Retry, plus: no retry after the deadline, capped Retry-After, injectable sleep."""

    def increment(self, *args: Any, **kwargs: Any) -> Retry:
        deadline = _current()
        if deadline is not None and deadline.expired == "request":
            raise deadline.error("request")
        new = super().increment(*args, **kwargs)  # raises MaxRetryError when spent
        if deadline is not None:
            deadline.retrying(kwargs.get("response"), kwargs.get("error"))
        return new

    def sleep(self, response: Any = None) -> None:
        deadline = _current()
        if deadline is None:
            super().sleep(response)
            return
        retry_after = self.get_retry_after(response) if self.respect_retry_after_header and response else None
        if retry_after is not None:
            deadline.wait(min(max(retry_after, 0.0), deadline.retry_after_cap))
        else:
            deadline.wait(self.get_backoff_time())


class DeadlineAdapter(HTTPAdapter):
    """An `HTTPAdapter` whose connection pools use the deadline-aware connections."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        return manager


def build_session(
    session: Any, *, max_retries: int, backoff_base: float, backoff_cap: float, pool_size: int
) -> Any:
    """Mount the retrying, deadline-aware adapter on a (new or given) `requests.Session`."""
    import requests

    session = session or requests.Session()
    retry = DeadlineRetry(
        total=max_retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=RETRY_METHODS,
        backoff_factor=backoff_base,
        backoff_max=backoff_cap,
        respect_retry_after_header=True,
        raise_on_status=False,  # the last 429/5xx comes back, so the error can quote its body
    )
    adapter = DeadlineAdapter(max_retries=retry, pool_connections=pool_size, pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
