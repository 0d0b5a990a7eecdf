"""Small line charts as inline SVG, written straight from the numbers (no plotting library).

About ninety charts per report: string building takes milliseconds where matplotlib took seconds.
The axes are honest: the value axis starts at 0 for non-negative data (a 2-point wobble is not
drawn as a cliff), the noise band that decides the verdict is drawn as a grey area, the target line
always lies inside the axis range, and the unit is stated once, in the axis title. Each series has
its own marker shape and dash, so no line is told apart by colour alone. Text in the SVG is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Per region level: colour (≥ 3:1 against white), dash pattern, marker shape, stroke width.
STYLES: dict[str, tuple[str, str, str, float]] = {
    "kunta": ("#1f4e79", "", "circle", 2.4),
    "maakunta": ("#a04a00", "6 3", "square", 1.6),
    "hyvinvointialue": ("#a04a00", "6 3", "square", 1.6),
    "koko_maa": ("#595959", "2 3", "triangle", 1.4),
}
TARGET_COLOR = "#1b5e20"
BAND_FILL = "#d9d9d9"
WIDTH, HEIGHT = 320, 180
LEFT, RIGHT, TOP, BOTTOM = 46, 18, 14, 26


@dataclass(frozen=True)
class Line:
    """One region's series: x in (fractional) years, y the values, `level` a key of STYLES."""

    level: str
    x: Sequence[float]
    y: Sequence[float]


@dataclass(frozen=True)
class ChartSpec:
    """What one chart shows; `band` is the (low, high) noise band around the reference value."""

    lines: Sequence[Line]
    unit: str = ""
    target: float | None = None
    band: tuple[float, float] | None = None
    band_x: tuple[float, float] | None = None
    demo: bool = False

    @property
    def percent(self) -> bool:
        return self.unit == "percent"


def nice_ceiling(value: float) -> float:
    """The next 'round' number at or above value (1, 2, 2.5, 5 × 10^k): axis tops people can read."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-12:
            return step * power
    return 10 * power


def y_range(spec: ChartSpec) -> tuple[float, float]:
    """0 to a round top for non-negative data (0–100 for percentages near the top); otherwise
    the data's range padded to round numbers, so the reader sees the stated range."""
    values = [v for line in spec.lines for v in line.y if math.isfinite(v)]
    values += [v for v in (spec.target, *(spec.band or ())) if v is not None and math.isfinite(v)]
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    if low >= 0:
        top = nice_ceiling(high * 1.05) if high > 0 else 1.0
        return 0.0, min(top, 100.0) if spec.percent and high <= 100 else top
    span = nice_ceiling((high - low) * 1.1 or 1.0)
    bottom = math.floor(low / (span / 4)) * (span / 4)
    return bottom, bottom + span + (span / 4 if bottom + span < high else 0)


def ticks(low: float, high: float, n: int = 4) -> list[float]:
    step = (high - low) / n
    return [low + i * step for i in range(n + 1)]


def svg_chart(
    spec: ChartSpec,
    number: Callable[[float], str],
    *,
    title: str,
    desc: str,
    unit_label: str = "",
    target_label: str = "",
) -> str:
    """The chart as an <svg role="img"> with <title> and <desc> (the text alternative)."""
    lo, hi = y_range(spec)
    xs = [x for line in spec.lines for x in line.x]
    x_lo, x_hi = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if x_hi - x_lo < 2:
        x_lo, x_hi = x_lo - 1, x_hi + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return round(LEFT + (x - x_lo) / (x_hi - x_lo) * plot_w, 1)

    def py(y: float) -> float:
        return round(TOP + (hi - y) / (hi - lo) * plot_h, 1)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{_e(title)}">',
        f"<title>{_e(title)}</title><desc>{_e(desc)}</desc>",
    ]
    if spec.band is not None and spec.band_x is not None:
        b_lo, b_hi = max(min(spec.band), lo), min(max(spec.band), hi)
        x0, x1 = px(spec.band_x[0]), px(spec.band_x[1])
        out.append(
            f'<rect x="{x0}" y="{py(b_hi)}" width="{max(x1 - x0, 2)}" '
            f'height="{max(py(b_lo) - py(b_hi), 1)}" fill="{BAND_FILL}"/>'
        )
    for value in ticks(lo, hi):
        y = py(value)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="#e6e6e6"/>')
        out.append(_text(LEFT - 4, y + 3, number(value), "end"))
    for year in range(math.ceil(x_lo), math.floor(x_hi) + 1, max(1, round((x_hi - x_lo) / 5))):
        out.append(_text(px(year), HEIGHT - BOTTOM + 12, year, "middle"))
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{py(lo)}" y2="{py(lo)}" stroke="#333"/>')
    if unit_label:
        out.append(_text(LEFT, TOP - 3, unit_label, "start"))
    if spec.target is not None and math.isfinite(spec.target):
        y = py(spec.target)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="{TARGET_COLOR}" '
            'stroke-width="1.5" stroke-dasharray="8 2 2 2"/>'
        )
        out.append(_text(WIDTH - RIGHT, y - 3, target_label, "end", fill=TARGET_COLOR))
    for line in spec.lines:
        out.append(_series(line, px, py))
    if spec.demo:
        bold = ' font-weight="bold"'
        out.append(_text(WIDTH - RIGHT, TOP + 10, "DEMO", "end", fill="#b00020", extra=bold))
    out.append("</svg>")
    return "".join(out)


def _text(x: float, y: float, content: object, anchor: str, *, fill: str = "#333", extra: str = "") -> str:
    attrs = f'x="{x}" y="{y}" text-anchor="{anchor}" font-size="9" fill="{fill}"{extra}'
    return f"<text {attrs}>{_e(content)}</text>"


def _series(line: Line, px: Callable[[float], float], py: Callable[[float], float]) -> str:
    color, dash, marker, width = STYLES.get(line.level, STYLES["koko_maa"])
    points = [(px(x), py(y)) for x, y in zip(line.x, line.y, strict=True) if math.isfinite(y)]
    path = " ".join(f"{x},{y}" for x, y in points)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    parts = [f'<g data-level="{_e(line.level)}">']
    if len(points) > 1:
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="{width}"{dash_attr}/>'
        )
    parts += [_marker(marker, x, y, color) for x, y in points]
    return "".join(parts) + "</g>"


def _marker(shape: str, x: float, y: float, color: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 2.5}" y="{y - 2.5}" width="5" height="5" fill="{color}"/>'
    if shape == "triangle":
        return f'<path d="M{x},{y - 3.2}L{x + 3},{y + 2.2}L{x - 3},{y + 2.2}Z" fill="{color}"/>'
    return f'<circle cx="{x}" cy="{y}" r="2.8" fill="{color}"/>'


def legend_svg(level: str) -> str:
    """A small key for the HTML legend: the same dash and marker as in the charts."""
    color, dash, marker, width = STYLES[level]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        '<svg width="28" height="10" aria-hidden="true" focusable="false">'
        f'<line x1="0" x2="28" y1="5" y2="5" stroke="{color}" stroke-width="{width}"{dash_attr}/>'
        f"{_marker(marker, 14, 5, color)}</svg>"
    )


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)
