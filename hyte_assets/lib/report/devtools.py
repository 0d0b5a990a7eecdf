"""One headless Chromium printing several local HTML files to PDF over the DevTools protocol.

Starting Chromium is most of a print on a small machine, so one browser prints every file (each in
its own tab, laid out side by side) instead of one `--print-to-pdf` process per file. The protocol
runs over `--remote-debugging-pipe`: Chromium reads commands from fd 3 and writes answers to fd 4,
each a JSON message ended by NUL. Only the standard library is used.
"""

from __future__ import annotations

import base64
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import IO, Any

# What `--print-to-pdf --no-pdf-header-footer` asks of Page.printToPDF (Chromium's headless command
# handler): backgrounds, the stylesheet's @page size and margins, a tagged PDF, no header or footer.
PRINT_PARAMS = {
    "printBackground": True,
    "preferCSSPageSize": True,
    "displayHeaderFooter": False,
    "generateTaggedPDF": True,
}
# Chromium's pipe fds 3 and 4 are made from our stdin and stdout by the shell, which keeps the
# spawn free of preexec_fn (unsafe in a threaded process); "$@" is the command, never parsed.
SHELL_DUP = 'exec "$@" 3<&0 4>&1 </dev/null >/dev/null'


class PrintError(RuntimeError):
    """Chromium did not print: names the file, the step and what Chromium said."""


class _Browser:
    """The pipe to one Chromium: send commands, read answers and events until a deadline."""

    def __init__(self, command: list[str], stderr: IO[bytes], deadline: float) -> None:
        to_chrome, self._to_write = os.pipe()
        self._from_read, from_chrome = os.pipe()
        try:
            self.process = subprocess.Popen(
                ["/bin/sh", "-c", SHELL_DUP, "sh", *command],
                stdin=to_chrome,
                stdout=from_chrome,
                stderr=stderr,
                start_new_session=True,  # its helper processes are killed with it
            )
        finally:
            os.close(to_chrome)
            os.close(from_chrome)
        self.deadline = deadline
        self._buffer = b""
        self._next_id = 0
        self.answers: dict[int, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:  # commands are small; a full pipe means Chromium stopped reading
            if not select.select([], [self._to_write], [], self._left())[1]:
                raise TimeoutError(f"sending {method}")
            data = data[os.write(self._to_write, data) :]
        return self._next_id

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        return self.answer(self.send(method, params, session), method)

    def answer(self, number: int, what: str) -> Any:
        while number not in self.answers:
            self._read(what)
        message = self.answers.pop(number)
        if "error" in message:
            raise PrintError(f"{what}: {message['error'].get('message', message['error'])}")
        return message.get("result", {})

    def event(self, method: str, session: str, what: str) -> dict[str, Any]:
        while True:
            for message in self.events:
                if message.get("method") == method and message.get("sessionId") == session:
                    self.events.remove(message)
                    return message
            self._read(what)

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the deadline")
        return left

    def _read(self, what: str) -> None:
        while b"\0" not in self._buffer:
            if not select.select([self._from_read], [], [], self._left())[0]:
                raise TimeoutError(what)
            chunk = os.read(self._from_read, 1 << 20)
            if not chunk:
                raise PrintError(f"{what}: Chromium exited (code {self.process.poll()})")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "id" in message:
            self.answers[message["id"]] = message
        else:
            self.events.append(message)

    def close(self) -> None:
        """Ask Chromium to quit, then kill whatever is left of it (its whole process group)."""
        try:
            if self.process.poll() is None:
                self.deadline = min(self.deadline, time.monotonic() + 5)
                self.call("Browser.close")
                self.process.wait(timeout=max(self._left(), 0.1))
        except (OSError, TimeoutError, PrintError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.process.poll() is None:
                try:
                    os.killpg(self.process.pid, 9)
                except ProcessLookupError:
                    pass
                self.process.wait()
            os.close(self._to_write)
            os.close(self._from_read)


def print_pdfs(
    binary: str, flags: tuple[str, ...], profile: Path, jobs: list[tuple[Path, Path]], timeout_s: float
) -> None:
    """Print each (html, pdf) with one Chromium, every tab loading at once; all within timeout_s.

    Raises PrintError naming the file, the step that failed or timed out, and Chromium's stderr.
    """
    # --no-pdf-header-footer (like any print switch) starts Chromium's own headless command handler,
    # which takes the first tab and lets its renderer go: the header and footer are off in PRINT_PARAMS.
    flags = tuple(flag for flag in flags if flag != "--no-pdf-header-footer")
    command = [binary, *flags, f"--user-data-dir={profile}", "--remote-debugging-pipe"]
    with open(profile.with_name(profile.name + ".stderr"), "w+b") as stderr:
        browser = _Browser(command, stderr, time.monotonic() + timeout_s)
        current = "starting Chromium"
        html_path = jobs[0][0]
        try:
            sessions = []
            for html_path, _ in jobs:
                current = "opening a tab"
                target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
                session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})
                browser.call("Page.enable", session=session["sessionId"])
                sessions.append(session["sessionId"])
            for (html_path, _), session in zip(jobs, sessions, strict=True):
                current = "loading"
                navigated = browser.call("Page.navigate", {"url": html_path.resolve().as_uri()}, session)
                if navigated.get("errorText"):
                    raise PrintError(f"loading: {navigated['errorText']}")
            for (html_path, _), session in zip(jobs, sessions, strict=True):
                current = "loading"
                browser.event("Page.loadEventFired", session, current)
            printing = [browser.send("Page.printToPDF", PRINT_PARAMS, session) for session in sessions]
            for (html_path, pdf_path), number in zip(jobs, printing, strict=True):
                current = "printing"
                data = browser.answer(number, current)["data"]
                pdf_path.write_bytes(base64.b64decode(data))
        except (TimeoutError, PrintError, OSError, ValueError, KeyError) as problem:
            browser.close()
            stderr.seek(0)
            said = stderr.read().decode(errors="replace")[-1500:]
            if isinstance(problem, TimeoutError):
                problem = f"{current} did not finish within {timeout_s:.0f} s"
            raise PrintError(f"chromium did not print {html_path} to PDF ({current}): {problem}. {said}") from None
        browser.close()
