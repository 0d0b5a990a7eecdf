"""Small time-series charts for the annual report and the Dagster UI, rendered to PNG bytes.

The report has about ninety of them, so one figure is reused and drawn at low dpi through the
object-oriented Agg API (no pyplot: no global state, no GUI backend). Legends are left to the
HTML around the image, so one image serves every language.
"""

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

# Line styles per region level: the municipality stands out, comparison areas recede.
STYLES: dict[str, dict[str, object]] = {
    "kunta": {"color": "#1f4e79", "linewidth": 2.2, "linestyle": "-", "zorder": 3},
    "maakunta": {"color": "#d9822b", "linewidth": 1.5, "linestyle": "-", "zorder": 2},
    "hyvinvointialue": {"color": "#d9822b", "linewidth": 1.5, "linestyle": "-", "zorder": 2},
    "koko_maa": {"color": "#7f7f7f", "linewidth": 1.3, "linestyle": "--", "zorder": 1},
}
TARGET_COLOR = "#2e7d32"


@dataclass(frozen=True)
class Line:
    """One region's series: x in (fractional) years, y the values, `level` a key of STYLES."""

    level: str
    x: Sequence[float]
    y: Sequence[float]


class ChartRenderer:
    """Renders line charts into one reused matplotlib figure and axes (not thread-safe)."""

    def __init__(self, width_in: float = 3.4, height_in: float = 1.9, dpi: int = 80) -> None:
        # Imported here: matplotlib costs ~0.3 s to import and only the report assets need it.
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        self._figure = Figure(figsize=(width_in, height_in), dpi=dpi)
        FigureCanvasAgg(self._figure)
        self._figure.subplots_adjust(left=0.16, right=0.94, top=0.95, bottom=0.14)
        # One axes for every chart: clearing or re-creating axes rebuilds all tick artists,
        # which is most of the cost of a small chart; removing the data artists is not.
        axes = self._figure.add_subplot(1, 1, 1)
        axes.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        axes.yaxis.set_major_locator(MaxNLocator(nbins=4))
        axes.tick_params(labelsize=7, length=2, pad=1)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.grid(axis="y", linewidth=0.4, color="#dddddd")
        self._axes = axes

    def line_chart(
        self,
        lines: Sequence[Line],
        *,
        target: float | None = None,
        demo: bool = False,
        decimal_comma: bool = True,
    ) -> bytes:
        """A PNG of the lines (one marker per point, so a single survey round still shows).

        `target` draws the plan's target as a horizontal line; `demo` stamps "DEMO" on the chart
        so that a copied image cannot pass for official statistics.
        """
        from matplotlib.ticker import FuncFormatter

        axes = self._axes
        for artist in [*axes.lines, *axes.texts]:
            artist.remove()
        for line in lines:
            style = STYLES.get(line.level, STYLES["koko_maa"])
            axes.plot(line.x, line.y, marker="o", markersize=2.5, **style)  # type: ignore[arg-type]
        if target is not None and math.isfinite(target):
            axes.axhline(target, color=TARGET_COLOR, linewidth=1.0, linestyle=":", zorder=0)
        if demo:
            axes.text(
                0.99,
                0.97,
                "DEMO",
                transform=axes.transAxes,
                ha="right",
                va="top",
                fontsize=7,
                color="#b00020",
                fontweight="bold",
            )
        axes.set_autoscale_on(True)  # undo the previous chart's set_xlim
        axes.relim()
        axes.autoscale_view()
        # A single survey round would otherwise get matplotlib's ±10 % of the year (1820–2226).
        xs = [x for line in lines for x in line.x]
        if xs and max(xs) - min(xs) < 2:
            axes.set_xlim(min(xs) - 1, max(xs) + 1)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _number(v, decimal_comma)))
        buffer = io.BytesIO()
        self._figure.savefig(buffer, format="png")
        return buffer.getvalue()


def _number(value: float, decimal_comma: bool) -> str:
    """Axis labels without spurious decimals: 12 not 12.0, 0.25 as 0,25 in Finnish."""
    text = f"{value:.4g}"
    return text.replace(".", ",") if decimal_comma else text
