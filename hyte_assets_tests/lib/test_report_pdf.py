"""PDF printing: every file is printed by its own Chromium at once, and a failure names its file."""

import stat
from pathlib import Path

import pytest

from hyte_assets.lib.report.pdf import write_pdfs

# Stands in for Chromium's command line: writes a PDF to --print-to-pdf=..., or fails for "broken".
FAKE = """#!/bin/sh
for arg in "$@"; do
  case "$arg" in --print-to-pdf=*) out="${arg#--print-to-pdf=}" ;; esac
  last="$arg"
done
case "$last" in *broken*) echo "page crashed" >&2; exit 3 ;; esac
printf '%%PDF-1.4 %s\\n%%%%EOF\\n' "$last" > "$out"
"""


@pytest.fixture
def fake_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "fake-chromium"
    script.write_text(FAKE, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("HYTE_CHROMIUM", str(script))


def pages(tmp_path: Path, *names: str) -> list[Path]:
    for name in names:
        (tmp_path / name).write_text("<html></html>", encoding="utf-8")
    return [tmp_path / name for name in names]


def test_each_file_gets_its_own_pdf(tmp_path: Path, fake_chromium: None) -> None:
    written = write_pdfs(pages(tmp_path, "a.html", "a_en.html"))
    assert written == [tmp_path / "a.pdf", tmp_path / "a_en.pdf"]
    assert [p.read_text().split()[1].endswith(p.with_suffix(".html").name) for p in written] == [True, True]


def test_a_failed_print_names_its_file_and_replaces_nothing(tmp_path: Path, fake_chromium: None) -> None:
    (tmp_path / "ok.pdf").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError, match=r"broken\.html to PDF \(3\): page crashed"):
        write_pdfs(pages(tmp_path, "ok.html", "broken.html"))
    assert (tmp_path / "ok.pdf").read_text(encoding="utf-8") == "old"  # no half-new set of PDFs
    assert not list(tmp_path.glob("*.tmp"))


def test_without_chromium_nothing_is_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYTE_CHROMIUM", str(tmp_path / "missing"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert write_pdfs(pages(tmp_path, "a.html")) == []
