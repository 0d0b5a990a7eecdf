"""Skip/rebuild detection knows the council-term report and the PDFs (lib/outputs.report_problems)."""

from __future__ import annotations

from pathlib import Path

from hyte_assets.lib.outputs import report_files, report_problems

HTML = "<html><body>raportti</body></html>\n"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def write(folder: Path, names: list[str]) -> None:
    for name in names:
        path = folder / name
        if name.endswith(".pdf"):
            path.write_bytes(PDF)
        else:
            path.write_text(HTML, encoding="utf-8")


def test_council_term_report_is_its_own_family(tmp_path: Path) -> None:
    write(tmp_path, ["vuosiraportti_2026.html", "vuosiraportti_2026_en.html"])
    assert report_problems(tmp_path, "annual") == []
    assert report_problems(tmp_path, "council_term") == [f"no council-term report in {tmp_path}"]
    write(tmp_path, ["hyvinvointikertomus_2025-2029.html"])
    assert report_problems(tmp_path, "council_term") == [
        f"{tmp_path / 'hyvinvointikertomus_2025-2029_en.html'} is missing"
    ]
    write(tmp_path, ["hyvinvointikertomus_2025-2029_en.html"])
    assert report_problems(tmp_path, "council_term") == []
    assert [p.name for p in report_files(tmp_path, "council_term")] == [
        "hyvinvointikertomus_2025-2029.html",
        "hyvinvointikertomus_2025-2029_en.html",
    ]


def test_pdfs_count_when_chromium_prints_them(tmp_path: Path) -> None:
    write(tmp_path, ["vuosiraportti_2026.html", "vuosiraportti_2026_en.html", "vuosiraportti_2026.pdf"])
    assert report_problems(tmp_path, "annual", pdf=False) == []  # no Chromium: no PDFs expected
    assert report_problems(tmp_path, "annual", pdf=True) == [
        f"{tmp_path / 'vuosiraportti_2026_en.pdf'} is missing"
    ]
    (tmp_path / "vuosiraportti_2026_en.pdf").write_bytes(PDF[:20])  # a print cut short
    assert report_problems(tmp_path, "annual", pdf=True) == [
        f"{tmp_path / 'vuosiraportti_2026_en.pdf'} is not a whole PDF"
    ]
    write(tmp_path, ["vuosiraportti_2026_en.pdf"])
    assert report_problems(tmp_path, "annual", pdf=True) == []
