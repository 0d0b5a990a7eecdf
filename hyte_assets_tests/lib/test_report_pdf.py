"""PDF printing: one Chromium prints every file over the DevTools pipe; a failure or a hang names its
file, keeps Chromium's stderr and replaces no PDF. A fake browser speaks the protocol on fds 3 and 4;
the real Chromium, when installed, prints real pages."""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hyte_assets.lib.report.pdf import write_pdfs

# Stands in for Chromium: answers the DevTools commands on fd 3 / fd 4 (NUL-ended JSON), records
# its command line and every command, and for a page named *broken* dies, for *hang* never answers,
# for *crash* loses the tab's renderer.
FAKE = """#!{python}
import base64, json, os, sys, time
log = open(os.environ["FAKE_LOG"], "a")
log.write(json.dumps({{"argv": sys.argv[1:], "pid": os.getpid()}}) + "\\n")
inbox, outbox, buffer, url = os.fdopen(3, "rb", 0), os.fdopen(4, "wb", 0), b"", {{}}
def send(message):
    outbox.write(json.dumps(message).encode() + b"\\0")
while True:
    while b"\\0" not in buffer:
        chunk = inbox.read(65536)
        if not chunk:
            sys.exit(0)
        buffer += chunk
    raw, buffer = buffer.split(b"\\0", 1)
    command = json.loads(raw)
    log.write(json.dumps(command) + "\\n"); log.flush()
    method, params, session = command["method"], command.get("params", {{}}), command.get("sessionId")
    result = {{}}
    if method == "Target.createTarget":
        result = {{"targetId": "t%d" % command["id"]}}
    elif method == "Target.attachToTarget":
        result = {{"sessionId": "s" + params["targetId"]}}
    elif method == "Page.navigate":
        url[session] = params["url"]
        if "broken" in params["url"]:
            sys.stderr.write("page crashed\\n"); sys.exit(3)
        if "hang" in params["url"]:
            time.sleep(600)
        if "crash" in params["url"]:  # the renderer goes; the browser lives on
            reason = {{"reason": "Render process gone."}}
            send({{"method": "Inspector.detached", "sessionId": session, "params": reason}})
            continue
    elif method == "Page.printToPDF":
        result = {{"data": base64.b64encode(("%PDF-1.4 " + url[session] + "\\n%%EOF\\n").encode()).decode()}}
    elif method == "Browser.close":
        sys.exit(0)
    send({{"id": command["id"], "sessionId": session, "result": result}})
    if method == "Page.navigate":
        send({{"method": "Page.loadEventFired", "sessionId": session, "params": {{}}}})
"""


def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    script = tmp_path / "fake-chromium"
    script.write_text(text, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("HYTE_CHROMIUM", str(script))
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "fake.log"))
    return tmp_path / "fake.log"


@pytest.fixture
def fake_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return install(tmp_path, monkeypatch, FAKE.format(python=sys.executable))


def pages(tmp_path: Path, *names: str, body: str = "") -> list[Path]:
    for name in names:
        (tmp_path / name).write_text(f"<!doctype html><html><body>{body}</body></html>", encoding="utf-8")
    return [tmp_path / name for name in names]


def logged(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_one_browser_prints_each_file_to_its_own_pdf(tmp_path: Path, fake_chromium: Path) -> None:
    written = write_pdfs(pages(tmp_path, "a.html", "a_en.html"))
    assert written == [tmp_path / "a.pdf", tmp_path / "a_en.pdf"]
    assert [p.read_text().split()[1] for p in written] == [
        (tmp_path / n).as_uri() for n in ("a.html", "a_en.html")
    ]
    entries = logged(fake_chromium)
    assert len([e for e in entries if "argv" in e]) == 1  # one Chromium for both files
    argv = entries[0]["argv"]
    assert "--remote-debugging-pipe" in argv and "--no-pdf-header-footer" not in argv
    prints = [e["params"] for e in entries if e.get("method") == "Page.printToPDF"]
    # What the --print-to-pdf --no-pdf-header-footer command line asked for.
    assert prints == [{"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False,
                       "generateTaggedPDF": True}] * 2  # fmt: skip
    assert entries[-1]["method"] == "Browser.close" and not list(tmp_path.glob("*.tmp"))


def test_a_failed_print_names_its_file_keeps_stderr_and_replaces_nothing(
    tmp_path: Path, fake_chromium: Path
) -> None:
    (tmp_path / "ok.pdf").write_text("old", encoding="utf-8")
    with pytest.raises(
        RuntimeError,
        match=r"broken\.html to PDF \(loading: Chromium closed its pipe, exit code 3\): page crashed",
    ):
        write_pdfs(pages(tmp_path, "ok.html", "broken.html"))
    assert (tmp_path / "ok.pdf").read_text(encoding="utf-8") == "old"  # no half-new set of PDFs
    assert not list(tmp_path.glob("*.tmp")) and not (tmp_path / "broken.pdf").exists()


def test_a_tab_whose_renderer_went_fails_at_once_naming_its_file(tmp_path: Path, fake_chromium: Path) -> None:
    with pytest.raises(
        RuntimeError, match=r"crash\.html to PDF \(loading: its tab closed: Render process gone\.\)"
    ):
        write_pdfs(pages(tmp_path, "a.html", "crash.html"), timeout_s=60)  # not "no answer within 60 s"
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob("*.tmp"))


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")  # reaped soon


def test_a_hung_page_is_killed_at_the_deadline_and_named(tmp_path: Path, fake_chromium: Path) -> None:
    (tmp_path / "a.pdf").write_text("old", encoding="utf-8")
    with pytest.raises(
        RuntimeError, match=r"hang\.html to PDF \(loading: no answer within 1 s, Chromium killed\)"
    ):
        write_pdfs(pages(tmp_path, "a.html", "hang.html"), timeout_s=1)
    assert (tmp_path / "a.pdf").read_text(encoding="utf-8") == "old"
    assert gone(logged(fake_chromium)[0]["pid"]) and not list(tmp_path.glob("*.tmp"))


def test_a_chromium_that_never_answers_is_killed_at_the_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(tmp_path, monkeypatch, '#!/bin/sh\necho "starting up" >&2\nexec sleep 600\n')
    with pytest.raises(
        RuntimeError, match=r"a\.html to PDF \(opening a tab: no answer within 1 s.*\): starting up"
    ):
        write_pdfs(pages(tmp_path, "a.html"), timeout_s=1)
    assert not (tmp_path / "a.pdf").exists()


def test_without_chromium_nothing_is_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYTE_CHROMIUM", str(tmp_path / "missing"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert write_pdfs(pages(tmp_path, "a.html")) == []


# --- the real Chromium -----------------------------------------------------------------------------

A5_RED = "<style>@page{size:A5;margin:10mm} html,body{background:#f00} p{break-after:page}</style>"


@pytest.fixture
def real_chromium(monkeypatch: pytest.MonkeyPatch) -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.skip(
            "chromium not installed (hyte_assets_tests/test_report_document.py installs it when root)"
        )
    monkeypatch.setenv("HYTE_CHROMIUM", found)
    return found


def test_real_chromium_prints_both_files_with_the_css_page_size(tmp_path: Path, real_chromium: str) -> None:
    (tmp_path / "b_en.pdf").write_bytes(b"old")
    fi = pages(tmp_path, "b.html", body=A5_RED + "<p>yksi</p><p>kaksi</p><p>kolme</p>")
    en = pages(tmp_path, "b_en.html", body=A5_RED + "<p>one</p>")
    written = write_pdfs(fi + en, timeout_s=120)
    counts = []
    for pdf in written:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
        counts.append(len(re.findall(rb"/Type\s*/Page\b(?!s)", data)))
        boxes = {
            tuple(round(float(v)) for v in box.split())
            for box in re.findall(rb"/MediaBox\s*\[([^\]]+)\]", data)
        }
        assert boxes == {(0, 0, 420, 595)}  # A5 in points, from the stylesheet's @page
        assert b"/StructTreeRoot" in data  # tagged, as the command line printed it
    assert counts == [3, 1]
    if shutil.which("pdftoppm"):  # backgrounds printed: the middle of page 1 is red
        ppm = subprocess.run(["pdftoppm", "-r", "10", "-f", "1", "-l", "1", str(written[0])],
                             capture_output=True, check=True).stdout  # fmt: skip
        magic, width, height, _, pixels = ppm.split(maxsplit=4)
        middle = 3 * (int(height) // 2 * int(width) + int(width) // 2)
        assert magic == b"P6" and pixels[middle : middle + 3] == b"\xff\x00\x00"


def test_real_chromium_names_a_missing_file(tmp_path: Path, real_chromium: str) -> None:
    (tmp_path / "c.pdf").write_bytes(b"old")
    with pytest.raises(RuntimeError, match=r"missing\.html to PDF \(loading: net::ERR_FILE_NOT_FOUND\)"):
        write_pdfs([*pages(tmp_path, "c.html"), tmp_path / "missing.html"], timeout_s=120)
    assert (tmp_path / "c.pdf").read_bytes() == b"old" and not list(tmp_path.glob("*.tmp"))
