"""Whether the derived outputs (serving file, exports, annual report) are whole and current.

A refresh skips rebuilding them when their inputs did not change; that is safe only when every
file they consist of is still there and intact. `output_problems` lists what is wrong (empty: all
good), so the skip logic rebuilds a truncated serving file, a deleted export or a deleted English
report instead of reporting success over them.
"""

from __future__ import annotations

from pathlib import Path

from hyte_assets.lib.exports import FORMATS, XLSX_MAX_ROWS, export_dir
from hyte_assets.lib.publish import PUBLICATION_TABLE, serving_path, serving_problems

REPORT_GLOB = "vuosiraportti_*.html"
# The file family of each report kind (HYTE_REPORT_KIND): the annual report and the council-term one.
REPORT_GLOBS = {"annual": REPORT_GLOB, "council_term": "hyvinvointikertomus_*.html"}
REPORT_LANG_SUFFIXES = ("", "_en")  # vuosiraportti_<year>.html (Finnish) and _en.html (English)
_HTML_END = b"</html>"
_PDF_START, _PDF_END = b"%PDF-", b"%%EOF"


def output_problems(
    kind: str, data_path: Path, working: str | Path, *, report_kind: str = "annual", pdf: bool = False
) -> list[str]:
    """What is missing or broken among the outputs of `kind` ("publish", "exports", "vuosiraportti");
    for the report, of the files of `report_kind` (HYTE_REPORT_KIND) and with `pdf` their PDFs."""
    serving = serving_path(working)
    if kind == "publish":
        return serving_problems(serving, working)
    if kind == "exports":
        return export_problems(serving, data_path / "exports")
    if kind == "vuosiraportti":
        return report_problems(data_path / "reports", report_kind, pdf)
    raise ValueError(f"unknown output kind {kind!r}")


def export_problems(serving: Path, exports_root: Path) -> list[str]:
    """Every published `reports.*` table must have its Parquet, CSV and (if it fits) XLSX file."""
    from hyte_assets.lib.warehouse import connect

    try:
        with connect(serving, read_only=True) as con:
            tables = con.execute(
                f"select table_name, row_count from {PUBLICATION_TABLE} where table_name like 'reports.%'"
            ).fetchall()
    except Exception as exc:  # noqa: BLE001 - any failure to read the publication means "rebuild"
        return [f"cannot list the published tables in {serving}: {str(exc).splitlines()[0]}"]
    folder = export_dir(exports_root)
    expected = [
        folder / f"{name.partition('.')[2]}.{ext}"
        for name, rows in tables
        for ext in FORMATS
        if ext != "xlsx" or rows < XLSX_MAX_ROWS
    ]
    return [f"{path} is missing" for path in expected if not path.is_file()]


def report_files(out_dir: Path, kind: str = "annual", pdf: bool = False) -> list[Path]:
    """The files the reports of `kind` consist of: each found report in both languages, and with
    `pdf` (Chromium is installed, so the report step prints them) the PDF beside each."""
    glob = REPORT_GLOBS[kind]
    prefix = glob.partition("*")[0]
    stems = {
        p.name.removeprefix(prefix).removesuffix(".html").removesuffix("_en") for p in out_dir.glob(glob)
    }
    htmls = [
        out_dir / f"{prefix}{stem}{suffix}.html" for stem in sorted(stems) for suffix in REPORT_LANG_SUFFIXES
    ]
    return htmls + ([p.with_suffix(".pdf") for p in htmls] if pdf else [])


def report_problems(out_dir: Path, kind: str = "annual", pdf: bool = False) -> list[str]:
    """Each report (of `kind`) needs both languages, each a whole HTML file (ends with `</html>`),
    and with `pdf` a whole PDF beside it (starts with `%PDF-`, ends with `%%EOF`)."""
    files = report_files(out_dir, kind, pdf)
    if not files:
        return [f"no {'annual' if kind == 'annual' else 'council-term'} report in {out_dir}"]
    problems = []
    for path in files:
        if not path.is_file():
            problems.append(f"{path} is missing")
        elif path.suffix == ".html" and not _ends_with_html(path):
            problems.append(f"{path} is cut short (no closing </html>)")
        elif path.suffix == ".pdf" and not _whole_pdf(path):
            problems.append(f"{path} is not a whole PDF")
    return problems


def _whole_pdf(path: Path) -> bool:
    with path.open("rb") as handle:
        start = handle.read(len(_PDF_START))
        handle.seek(max(path.stat().st_size - 1024, 0))
        return start == _PDF_START and _PDF_END in handle.read()


def _ends_with_html(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(max(path.stat().st_size - 256, 0))
        return _HTML_END in handle.read().lower()
