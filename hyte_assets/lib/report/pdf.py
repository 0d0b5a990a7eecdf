"""The report as PDF for the council's agenda system, printed by headless Chromium.

Page numbers come from the stylesheet's @page margin box (Chromium's own header and footer, which
would print the file's path, are switched off). Chromium is looked up, never installed here:
HYTE_CHROMIUM names a binary, else `chromium`, `chromium-browser` or `google-chrome` on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BINARIES = ("chromium", "chromium-browser", "google-chrome")
# Off the network and away from any user profile (the report is one self-contained file).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


def find_chromium() -> str | None:
    named = os.environ.get("HYTE_CHROMIUM")
    if named:
        return named if Path(named).exists() else shutil.which(named)
    return next((found for name in BINARIES if (found := shutil.which(name))), None)


def write_pdf(html_path: Path, pdf_path: Path | None = None, *, timeout_s: float = 180.0) -> Path | None:
    """Print html_path to PDF beside it (same name, .pdf); None when no Chromium is installed.

    Raises RuntimeError with Chromium's message when it runs but writes no PDF.
    """
    written = write_pdfs([html_path], [pdf_path or html_path.with_suffix(".pdf")], timeout_s=timeout_s)
    return written[0] if written else None


def write_pdfs(
    html_paths: list[Path], pdf_paths: list[Path] | None = None, *, timeout_s: float = 180.0
) -> list[Path]:
    """Print each HTML file to its PDF (default: beside it), one Chromium per file, all at once:
    most of a print is Chromium starting, which runs in parallel on two cores. [] without Chromium."""
    binary = find_chromium()
    if binary is None:
        return []
    targets = pdf_paths or [path.with_suffix(".pdf") for path in html_paths]
    with tempfile.TemporaryDirectory(prefix="hyte-pdf-") as profiles:
        started = []
        for number, (html_path, pdf_path) in enumerate(zip(html_paths, targets, strict=True)):
            tmp = pdf_path.with_name(pdf_path.name + ".tmp")
            command = [
                binary,
                *FLAGS,
                f"--user-data-dir={Path(profiles) / str(number)}",  # one profile per process
                f"--print-to-pdf={tmp}",
                html_path.resolve().as_uri(),
            ]
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            started.append((html_path, pdf_path, tmp, process))
        problems = []
        for html_path, _, tmp, process in started:
            try:
                _, stderr = process.communicate(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                _, stderr = process.communicate()
                stderr = f"no PDF within {timeout_s:.0f} s. {stderr}"
            if process.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
                problems.append(
                    f"chromium did not print {html_path} to PDF ({process.returncode}): {stderr[-1500:]}"
                )
    if problems:
        for _, _, tmp, _ in started:
            tmp.unlink(missing_ok=True)
        raise RuntimeError("; ".join(problems))
    for _, pdf_path, tmp, _ in started:
        os.replace(tmp, pdf_path)
    return [pdf_path for _, pdf_path, _, _ in started]
