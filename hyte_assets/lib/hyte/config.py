"""Configuration of the hyte-kerroin model: assumption sets, indicator list, prices, vintages.

What the law and the asetus leave open is a named :class:`Assumptions` set read from
``data/hyte/assumptions.toml``; this module reads and checks every configuration file so that a broken
file fails before any scoring.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.hyte.frames import (
    _check_indicators,
)

if TYPE_CHECKING:
    import pandas as pd

CONFIG_SOURCE = "hyte_config"
DEFAULT_ASSUMPTION_SET = "default"

SCALING_METHODS = ("minmax_abs", "minmax_rel", "clipped_minmax_abs")
TARGET_RULES = ("none", "best_decile", "explicit")
WEIGHT_MODES = ("published", "exact")
BASE_PRICE_FALLBACKS = ("index_adjusted", "previous_year", "none")
DATA_YEAR_MODES = ("vintage", "fixed_lag")

# Outcome rules written to score_outcomes(...)["rule"].
RULE_SCALED = "scaled"
RULE_TARGET_MET = "target_met"
RULE_MISSING = "missing_lowest"
RULE_REL_UNDEFINED = "rel_undefined_lowest"
RULE_DEGENERATE = "degenerate_range"

INDICATOR_COLUMNS = (
    "indicator_id",
    "kind",
    "group",
    "title_fi",
    "weight",
    "polarity",
    "tea_sector",
    "sotkanet_id",
    "measure_id",
    "source_note",
)
VINTAGE_COLUMNS = ("payment_year", "indicator_id", "data_year", "status", "reasoning")
# The coefficient leads: it does not depend on the base price; the euros follow it.
KERROIN_COLUMNS = [
    "municipality_code",
    "payment_year",
    "coefficient",
    "process_score",
    "outcome_score",
    "combined_score",
    "national_weighted_avg",
    "eur_per_resident",
    "eur_total",
    "rank_national",
    "assumption_set",
]
COMPONENT_COLUMNS = [
    "municipality_code",
    "indicator_id",
    "kind",
    "value_prev",
    "value_latest",
    "change",
    "points",
    "weight",
    "contribution_to_score",
    "contribution_to_coefficient",
    "assumption_set",
]


# --------------------------------------------------------------------------------------------------
# Assumptions
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumptions:
    """One named set of choices for what the law and the asetus leave open.

    The defaults are the baseline reading documented in data/hyte/README.md; a set in assumptions.toml
    only lists what it changes. Frozen so a set cannot drift between the assets that use it.
    """

    name: str = DEFAULT_ASSUMPTION_SET
    description: str = ""
    # "scaled so that the range is 0–100" (VNA 1393/2022 § 3): min–max of the absolute change is the most
    # literal reading; relative change and outlier clipping are alternatives.
    scaling_method: str = "minmax_abs"
    clip_lower_pct: float = 5.0
    clip_upper_pct: float = 95.0
    # Municipal target levels (tavoitetilanne) are not published: default is not to apply the rule.
    target_rule: str = "none"
    target_percentile: float = 10.0
    # (indicator_id, target value) pairs; a tuple so the frozen dataclass stays hashable.
    target_levels: tuple[tuple[str, float], ...] = field(default_factory=tuple)
    # Data years: outcome years <= payment_year - outcome_latest_lag; TEA round <= payment_year -
    # process_latest_lag; population year = payment_year - population_lag (law 618/2021 § 4: t-2).
    outcome_latest_lag: int = 2
    process_latest_lag: int = 1
    population_lag: int = 2
    # "published" = 0.0333/0.0833 as printed; "exact" = 1/30 and 1/12 (exact halves).
    weights: str = "published"
    # "fixed_lag" uses the lags above; "vintage" uses data/hyte/vintages.csv: per payment year and indicator
    # the data year that was published when the coefficient was calculated. The table is attached by
    # load_assumptions; the library default stays fixed_lag so a bare Assumptions() needs no file.
    data_years: str = "fixed_lag"
    # (payment_year, indicator_id, data_year) rows of vintages.csv; a tuple so the dataclass stays hashable.
    vintages: tuple[tuple[int, str, int], ...] = field(default_factory=tuple, repr=False)
    # A payment year without a cited perushinta: the latest cited price × (1 + price_index_pct / 100) for
    # every year in between (law 618/2021 § 20: the prices follow the cost level), the latest cited price
    # unchanged, or refuse.
    base_price_fallback: str = "index_adjusted"
    price_index_name: str = "kuntien peruspalveluiden hintaindeksi (VNA 1393/2022 § 4; laki 618/2021 § 22)"
    # Yearly change in per cent; 2.2 = the cited 2024 change (HE 42/2023, 18.89 → 19.31), assumed later.
    price_index_pct: float = 2.2
    price_index_source: str = (
        "assumed: the 2026 change is not cited; 2.2 % is the 2024 indeksikorotus (HE 42/2023)"
    )

    def __post_init__(self) -> None:
        checks = (
            ("scaling_method", self.scaling_method, SCALING_METHODS),
            ("target_rule", self.target_rule, TARGET_RULES),
            ("weights", self.weights, WEIGHT_MODES),
            ("base_price_fallback", self.base_price_fallback, BASE_PRICE_FALLBACKS),
            ("data_years", self.data_years, DATA_YEAR_MODES),
        )
        for label, value, allowed in checks:
            if value not in allowed:
                raise ValueError(
                    f"assumption set {self.name!r}: {label}={value!r}, expected one of {allowed}"
                )
        if not 0 <= self.clip_lower_pct < self.clip_upper_pct <= 100:
            raise ValueError(
                f"assumption set {self.name!r}: clip percentiles must satisfy 0 <= lower < upper <= 100, "
                f"got {self.clip_lower_pct}, {self.clip_upper_pct}"
            )
        if not 0 <= self.target_percentile <= 100:
            raise ValueError(f"assumption set {self.name!r}: target_percentile must be in [0, 100]")
        for label in ("outcome_latest_lag", "process_latest_lag", "population_lag"):
            if getattr(self, label) < 0:
                raise ValueError(f"assumption set {self.name!r}: {label} must be >= 0")
        if self.target_rule == "explicit" and not self.target_levels:
            raise ValueError(f"assumption set {self.name!r}: target_rule='explicit' needs target_levels")

    def data_year_cutoff(self, indicator_id: str, kind: str, payment_year: int | None) -> int | None:
        """The latest data year the calculation for ``payment_year`` may use for one indicator.

        None without a payment year (then the latest data present is used). With ``data_years='vintage'``
        a payment year or indicator missing from the vintage table is an error, never a silent lag.
        """
        if payment_year is None:
            return None
        if self.data_years == "fixed_lag":
            lag = self.outcome_latest_lag if kind == "outcome" else self.process_latest_lag
            return payment_year - lag
        table = {(year, ind): data_year for year, ind, data_year in self.vintages}
        if (payment_year, indicator_id) not in table:
            raise ValueError(
                f"assumption set {self.name!r}: data_years='vintage' but vintages.csv has no row for "
                f"payment year {payment_year}, indicator {indicator_id!r}"
            )
        return table[(payment_year, indicator_id)]

    @property
    def target_level_map(self) -> dict[str, float]:
        """Target levels as a dict (explicit rule only)."""
        return dict(self.target_levels)


def load_assumptions(path: str | Path, vintages_path: str | Path | None = None) -> dict[str, Assumptions]:
    """Read the named assumption sets from a TOML file, failing loudly on unknown keys or values.

    Strict because a typo in an assumption key would otherwise silently fall back to the default. A set
    other than ``default`` inherits the default set's keys and lists only what it changes. Sets
    with ``data_years = "vintage"`` get the rows of ``vintages_path`` (default: vintages.csv beside the file).
    """
    path = Path(path)
    vintage_file = Path(vintages_path) if vintages_path is not None else path.parent / "vintages.csv"
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(CONFIG_SOURCE, f"cannot read assumption sets: {exc}", file=str(path)) from exc
    sets = doc.get("sets")
    if not isinstance(sets, dict) or not sets:
        raise SourceError(CONFIG_SOURCE, "no [sets.<name>] tables", file=str(path))
    known = {f.name for f in fields(Assumptions)} - {"name"}
    vintages: tuple[tuple[int, str, int], ...] | None = None  # read once, when the first set needs it
    result: dict[str, Assumptions] = {}
    for name, raw in sets.items():
        unknown = set(raw) - known
        if unknown:
            raise SourceError(CONFIG_SOURCE, f"unknown keys {sorted(unknown)}", file=str(path), item=name)
        if not str(raw.get("description", "")).strip():
            raise SourceError(
                CONFIG_SOURCE, "every assumption set needs a description", file=str(path), item=name
            )
        # Every other set is "as default, but …": it inherits the default set's keys and lists its changes.
        base = {} if name == DEFAULT_ASSUMPTION_SET else dict(sets.get(DEFAULT_ASSUMPTION_SET, {}))
        kwargs: dict[str, Any] = {**base, **raw}
        if "vintages" in kwargs:
            raise SourceError(CONFIG_SOURCE, "vintages come from vintages.csv", file=str(path), item=name)
        if kwargs.get("data_years") == "vintage":
            vintages = vintages if vintages is not None else vintage_rows(load_vintages(vintage_file))
            kwargs["vintages"] = vintages
        if "target_levels" in kwargs:
            kwargs["target_levels"] = tuple(
                sorted((str(k), float(v)) for k, v in kwargs["target_levels"].items())
            )
        try:
            result[name] = Assumptions(name=name, **kwargs)
        except (TypeError, ValueError) as exc:
            raise SourceError(CONFIG_SOURCE, str(exc), file=str(path), item=name) from exc
    if DEFAULT_ASSUMPTION_SET not in result:
        raise SourceError(CONFIG_SOURCE, f"the set {DEFAULT_ASSUMPTION_SET!r} is missing", file=str(path))
    return result


# --------------------------------------------------------------------------------------------------
# Configuration tables
# --------------------------------------------------------------------------------------------------


def load_indicators(path: str | Path) -> pd.DataFrame:
    """Read data/hyte/indicators.csv and check it, so a broken indicator list fails before any scoring."""
    import pandas as pd

    path = Path(path)
    df = pd.read_csv(
        path,
        dtype={"indicator_id": str, "sotkanet_id": "string", "measure_id": "string", "tea_sector": "string"},
        keep_default_na=True,
    )
    missing = [c for c in INDICATOR_COLUMNS if c not in df.columns]
    if missing:
        raise SourceError(CONFIG_SOURCE, f"missing columns {missing}", file=str(path))
    try:
        return _check_indicators(df)
    except ValueError as exc:
        raise SourceError(CONFIG_SOURCE, str(exc), file=str(path)) from exc


def load_base_prices(path: str | Path) -> pd.DataFrame:
    """Read data/hyte/base_prices.csv; an empty price means "not cited yet" and stays NaN (never guessed)."""
    import pandas as pd

    path = Path(path)
    df = pd.read_csv(path, dtype={"source": str})
    missing = [c for c in ("payment_year", "eur_per_resident", "source") if c not in df.columns]
    if missing:
        raise SourceError(CONFIG_SOURCE, f"missing columns {missing}", file=str(path))
    df["payment_year"] = df["payment_year"].astype(int)
    df["eur_per_resident"] = pd.to_numeric(df["eur_per_resident"], errors="raise").astype(float)
    if df["payment_year"].duplicated().any():
        raise SourceError(CONFIG_SOURCE, "duplicate payment_year", file=str(path))
    if df["source"].isna().any():
        raise SourceError(CONFIG_SOURCE, "every row needs a source (or 'unknown: ...')", file=str(path))
    return df.sort_values("payment_year").reset_index(drop=True)


def load_published(path: str | Path) -> pd.DataFrame:
    """Read data/hyte/published.csv (official figures to show beside the model, with their sources)."""
    import pandas as pd

    path = Path(path)
    df = pd.read_csv(path, dtype={"municipality_code": str, "source": str, "note": str})
    df["municipality_code"] = df["municipality_code"].str.zfill(3)
    df["payment_year"] = df["payment_year"].astype(int)
    if df["source"].isna().any():
        raise SourceError(CONFIG_SOURCE, "every published figure needs a source", file=str(path))
    return df


def base_price_for(
    base_prices: pd.DataFrame, payment_year: int, assumptions: Assumptions
) -> tuple[float, str]:
    """Perushinta (€/resident) for a payment year and a label saying where it comes from.

    A cited price is used as is. Without one, ``index_adjusted`` moves the latest earlier cited price by the
    assumption set's price index for every year in between (rounded to cents, as the asetus prints prices)
    and ``previous_year`` keeps it unchanged; both labels say "assumed", so the euro figure is never
    mistaken for an official one. The coefficient does not depend on the price.
    """
    cited = base_prices.dropna(subset=["eur_per_resident"])
    row = cited[cited["payment_year"] == payment_year]
    if len(row):
        return float(row["eur_per_resident"].iloc[0]), str(row["source"].iloc[0])
    earlier = cited[cited["payment_year"] < payment_year].sort_values("payment_year")
    if assumptions.base_price_fallback != "none" and len(earlier):
        last = earlier.iloc[-1]
        year, price = int(last["payment_year"]), float(last["eur_per_resident"])
        if assumptions.base_price_fallback == "previous_year":
            return price, f"assumed = {year} price, unverified"
        steps = payment_year - year
        adjusted = round(price * (1 + assumptions.price_index_pct / 100) ** steps, 2)
        return adjusted, (
            f"assumed = {year} price {price:.2f} × (1 + {assumptions.price_index_pct:g} %)^{steps}, "
            f"index: {assumptions.price_index_name}; {assumptions.price_index_source}"
        )
    raise ValueError(
        f"no cited perushinta for payment year {payment_year} and assumption set {assumptions.name!r} "
        f"(base_price_fallback={assumptions.base_price_fallback!r}) allows no fallback"
    )


def load_vintages(path: str | Path) -> pd.DataFrame:
    """Read data/hyte/vintages.csv: per payment year and indicator, the data year in hand at calculation."""
    import pandas as pd

    path = Path(path)
    try:
        df = pd.read_csv(path, dtype={"indicator_id": str, "status": str, "reasoning": str})
    except OSError as exc:
        raise SourceError(CONFIG_SOURCE, f"cannot read vintages: {exc}", file=str(path)) from exc
    missing = [c for c in VINTAGE_COLUMNS if c not in df.columns]
    if missing:
        raise SourceError(CONFIG_SOURCE, f"missing columns {missing}", file=str(path))
    for i, row in df.iterrows():
        where = f"row {int(str(i)) + 2}"
        if row[["payment_year", "indicator_id", "data_year", "status"]].isna().any():
            raise SourceError(
                CONFIG_SOURCE,
                "payment_year, indicator_id, data_year, status needed",
                file=str(path),
                item=where,
            )
        if row["status"] not in ("cited", "assumed"):
            raise SourceError(
                CONFIG_SOURCE, f"status {row['status']!r}, expected cited/assumed", file=str(path), item=where
            )
        if not str(row["reasoning"]).strip() or pd.isna(row["reasoning"]):
            raise SourceError(CONFIG_SOURCE, "every vintage needs its reasoning", file=str(path), item=where)
        if not 0 <= int(row["payment_year"]) - int(row["data_year"]) <= 6:
            raise SourceError(
                CONFIG_SOURCE, "data_year must be 0–6 years before payment_year", file=str(path), item=where
            )
    df["payment_year"] = df["payment_year"].astype(int)
    df["data_year"] = df["data_year"].astype(int)
    if df.duplicated(["payment_year", "indicator_id"]).any():
        raise SourceError(CONFIG_SOURCE, "duplicate payment_year × indicator_id", file=str(path))
    return df


def vintage_rows(vintages: pd.DataFrame) -> tuple[tuple[int, str, int], ...]:
    """The vintage table as hashable rows for :class:`Assumptions`."""
    return tuple(
        (int(r.payment_year), str(r.indicator_id), int(r.data_year)) for r in vintages.itertuples(index=False)
    )


def indicator_weights(indicators: pd.DataFrame, mode: str) -> pd.Series:
    """Weight per indicator_id: the published (rounded) weights, or the exact halves 0.5 / n per kind."""
    ind = _check_indicators(indicators)
    if mode == "published":
        return ind.set_index("indicator_id")["weight"].astype(float)
    if mode == "exact":
        counts = ind["kind"].value_counts()
        return ind.set_index("indicator_id")["kind"].map(lambda k: 0.5 / counts[k]).astype(float)
    raise ValueError(f"weights mode {mode!r}, expected one of {WEIGHT_MODES}")


def weight_rounding_bound(indicators: pd.DataFrame) -> float:
    """Largest possible gap (score points) between the published-weight sum and the mean of the two means.

    Points are at most 100, so the gap is at most 100 · Σ |w_published − w_exact|; for 15 + 6 indicators
    with 0.0333/0.0833 that is 0.07 points.
    """
    published = indicator_weights(indicators, "published")
    exact = indicator_weights(indicators, "exact")
    return float(100 * (published - exact).abs().sum())


def mean_of_means(process_score: pd.Series | float, outcome_score: pd.Series | float) -> pd.Series | float:
    """The asetus' own wording: the mean of the process mean and the outcome mean."""
    return (process_score + outcome_score) / 2
