"""One headless Chromium printing several local HTML files to PDF over the DevTools protocol.

Starting Chromium costs about a CPU-second here, so one browser prints every file, each in its own
tab (their renderers lay out side by side), instead of one `--print-to-pdf` process per file. The
protocol runs over `--remote-debugging-pipe`: Chromium reads commands from fd 3 and writes answers
to fd 4, each a JSON message ended by NUL. Standard library only.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import signal
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
# Print switches such as --no-pdf-header-footer start Chromium's own headless command handler,
# which takes over the first tab and lets its renderer go: they are left off the command line.
CLI_ONLY = ("--no-pdf-header-footer",)
# Chromium's fds 3 and 4 are made from our stdin and stdout by the shell, which keeps the spawn free
# of preexec_fn (unsafe in a threaded process); "$@" is the command, never parsed.
SHELL_DUP = 'exec "$@" 3<&0 4>&1 </dev/null >/dev/null'


class PrintError(RuntimeError):
    """Chromium did not print: names the file, the step and what Chromium said."""


class _Pipe:
    """The pipe to one Chromium: send commands, read answers and events, all before a deadline."""

    def __init__(self, command: list[str], stderr: IO[bytes], deadline: float) -> None:
        to_chrome, self._out = os.pipe()
        self._in, from_chrome = os.pipe()
        try:
            self.process = subprocess.Popen(
                ["/bin/sh", "-c", SHELL_DUP, "sh", *command],
                stdin=to_chrome,
                stdout=from_chrome,
                stderr=stderr,
                start_new_session=True,  # its helpers are killed with it, as one process group
            )
        except OSError:
            os.close(self._out)
            os.close(self._in)
            raise
        finally:
            os.close(to_chrome)
            os.close(from_chrome)
        self.deadline = deadline
        self._buffer = b""
        self._last_id = 0
        self._answers: dict[int, dict[str, Any]] = {}
        self._events: list[dict[str, Any]] = []
        self._session_of: dict[int, str | None] = {}
        self._gone: dict[str, str] = {}  # session → why its tab's renderer went (it will never answer)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> int:
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._session_of[self._last_id] = session
        data = json.dumps(message).encode() + b"\0"
        while data:  # commands are small: a full pipe means Chromium stopped reading
            if not select.select([], [self._out], [], self._left())[1]:
                raise TimeoutError
            data = data[os.write(self._out, data) :]
        return self._last_id

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        return self.answer(self.send(method, params, session))

    def answer(self, number: int) -> Any:
        while number not in self._answers:
            self._check(self._session_of[number])
            self._read()
        message = self._answers.pop(number)
        if "error" in message:
            raise PrintError(str(message["error"].get("message", message["error"])))
        return message.get("result", {})

    def event(self, method: str, session: str) -> dict[str, Any]:
        while True:
            for message in self._events:
                if message.get("method") == method and message.get("sessionId") == session:
                    self._events.remove(message)
                    return message
            self._check(session)
            self._read()

    def _check(self, session: str | None) -> None:
        if session in self._gone:
            raise PrintError(f"its tab closed: {self._gone[session]}")

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left

    def _read(self) -> None:
        while b"\0" not in self._buffer:
            if not select.select([self._in], [], [], self._left())[0]:
                raise TimeoutError
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                try:
                    code = self.process.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    code = None
                raise PrintError(f"Chromium closed its pipe, exit code {code}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "id" in message:
            self._answers[message["id"]] = message
        elif message.get("method") == "Inspector.detached":  # e.g. "Render process gone."
            self._gone[message.get("sessionId", "")] = message.get("params", {}).get("reason", "")
        else:
            self._events.append(message)

    def close(self, politely: bool) -> None:
        """Ask Chromium to quit (politely), then kill whatever is left of its process group."""
        try:
            if politely and self.process.poll() is None:
                self.deadline = min(self.deadline, time.monotonic() + 5)
                self.send("Browser.close")
                self.process.wait(timeout=max(self.deadline - time.monotonic(), 0.1))
        except (OSError, TimeoutError, subprocess.TimeoutExpired):
            pass
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)  # helpers outliving the browser too
            self.process.wait()
            os.close(self._out)
            os.close(self._in)


def print_pdfs(
    binary: str, flags: tuple[str, ...], profile: Path, jobs: list[tuple[Path, Path]], timeout_s: float
) -> None:
    """Print each (html, pdf) with one Chromium, the tabs loading and printing at once, all within
    timeout_s. Raises PrintError naming the file, the step that failed or ran out of time, and the
    tail of Chromium's stderr; a hung Chromium is killed."""
    command = [binary, *(f for f in flags if f not in CLI_ONLY), f"--user-data-dir={profile}"]
    with open(profile.with_name(profile.name + ".stderr"), "w+b") as stderr:
        pipe = _Pipe([*command, "--remote-debugging-pipe"], stderr, time.monotonic() + timeout_s)
        step, current = "starting Chromium", jobs[0][0]  # the file an error names
        try:
            sessions = []
            for html_path, _ in jobs:
                step, current = "opening a tab", html_path
                target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
                attached = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})
                session = attached["sessionId"]
                pipe.call("Page.enable", session=session)
                sessions.append(session)
            for (html_path, _), session in zip(jobs, sessions, strict=True):
                step, current = "loading", html_path
                opened = pipe.call("Page.navigate", {"url": html_path.resolve().as_uri()}, session)
                if opened.get("errorText"):
                    raise PrintError(opened["errorText"])
            for (html_path, _), session in zip(jobs, sessions, strict=True):
                current = html_path
                pipe.event("Page.loadEventFired", session)
            printing = [pipe.send("Page.printToPDF", PRINT_PARAMS, session) for session in sessions]
            for (html_path, pdf_path), number in zip(jobs, printing, strict=True):
                step, current = "printing", html_path
                pdf_path.write_bytes(base64.b64decode(pipe.answer(number)["data"], validate=True))
        except (TimeoutError, PrintError, OSError, ValueError, KeyError) as problem:
            pipe.close(politely=False)
            stderr.seek(0)
            lines = stderr.read().decode(errors="replace").splitlines()
            said = "\n".join(line for line in lines if "dbus" not in line)[-1500:]  # no desktop bus
            why = (
                f"no answer within {timeout_s:g} s, Chromium killed"
                if isinstance(problem, TimeoutError)
                else problem
            )
            raise PrintError(f"chromium did not print {current} to PDF ({step}: {why}): {said}") from None
        pipe.close(politely=True)
