"""Times the report's PDF printing: one Chromium per file (`--print-to-pdf`, the way before) against
one Chromium for all files over the DevTools pipe (`write_pdfs` now), on the same HTML files,
alternating which goes first, in one process. Wall clock and the CPU time of every descendant
process (sampled from /proc, as Chromium's renderers are not reaped into our rusage).

    .venv/bin/python -m hyte_assets_tests.lib.bench_report_pdf data/reports/vuosiraportti_2026*.html
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from hyte_assets.lib.report.pdf import FLAGS, find_chromium, write_pdfs

TICK = os.sysconf("SC_CLK_TCK")


def print_each_with_cli(binary: str, html_paths: list[Path], pdf_paths: list[Path]) -> None:
    """The way before: one `chromium --print-to-pdf` per file, all started at once."""
    with tempfile.TemporaryDirectory() as profiles:
        started = [
            subprocess.Popen(
                [
                    binary,
                    *FLAGS,
                    f"--user-data-dir={profiles}/{n}",
                    f"--print-to-pdf={pdf}",
                    html.resolve().as_uri(),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for n, (html, pdf) in enumerate(zip(html_paths, pdf_paths, strict=True))
        ]
        for process in started:
            process.wait(timeout=300)


class DescendantCpu:
    """CPU seconds of this process's descendants, sampled every 50 ms (the last 50 ms may be lost)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[int, int], float] = {}
        threading.Thread(target=self._scan, daemon=True).start()

    def total(self) -> float:
        return sum(self.seen.values())

    def _scan(self) -> None:
        me = os.getpid()
        while True:
            parents, cpu = {}, {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    pid = int(entry)
                    parents[pid] = int(fields[1])
                    cpu[pid] = ((int(fields[11]) + int(fields[12])) / TICK, int(fields[19]))
            for pid, (seconds, start) in cpu.items():
                ancestor = parents.get(pid)
                while ancestor and ancestor != me and ancestor in parents:
                    ancestor = parents[ancestor]
                if ancestor == me:
                    self.seen[(pid, start)] = seconds
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", nargs="+", type=Path)
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--pipe-binary", help="another browser for the pipe, e.g. chromium-headless-shell")
    args = parser.parse_args()
    binary = find_chromium()
    if binary is None:
        raise SystemExit("no Chromium: set HYTE_CHROMIUM or install chromium")
    if args.pipe_binary:
        os.environ["HYTE_CHROMIUM"] = args.pipe_binary  # write_pdfs looks it up; the CLI way keeps binary
    out = Path(tempfile.mkdtemp(prefix="hyte-pdf-bench-"))
    ways = {
        "one Chromium per file (CLI)": lambda: print_each_with_cli(
            binary, args.html, [out / f"cli-{h.stem}.pdf" for h in args.html]
        ),
        "one Chromium, DevTools pipe": lambda: write_pdfs(
            args.html, [out / f"pipe-{h.stem}.pdf" for h in args.html]
        ),
    }
    cpu = DescendantCpu()
    wall: dict[str, list[float]] = {name: [] for name in ways}
    used: dict[str, list[float]] = {name: [] for name in ways}
    for repeat in range(args.repeats):
        order = list(ways) if repeat % 2 == 0 else list(reversed(ways))
        for name in order:
            before, started = cpu.total(), time.perf_counter()
            ways[name]()
            wall[name].append(time.perf_counter() - started)
            time.sleep(0.1)  # the last sample
            used[name].append(cpu.total() - before)
        load = Path("/proc/loadavg").read_text().split()[0]
        print(
            f"{repeat}: "
            + ", ".join(f"{n} {wall[n][-1]:.2f} s ({used[n][-1]:.2f} CPU-s)" for n in ways)
            + f"; load {load}"
        )
    old, new = ways
    for label, figures in (("wall", wall), ("CPU", used)):
        o, n = statistics.median(figures[old]), statistics.median(figures[new])
        print(f"median {label}: {old} {o:.2f} s, {new} {n:.2f} s, ratio {n / o:.2f}")
    print(f"CLI {binary}, pipe {find_chromium()}, {os.cpu_count()} cores, PDFs in {out}")


if __name__ == "__main__":
    main()
