"""The vocabulary of the validation rules (`TableSuite` and its parts), and where the suites are.

Each source folder keeps the suites of the tables it writes in its own `suites.py`
(`defs/sources/<source>/suites.py`, a tuple `SUITES`), next to the assets they judge.
`hyte_assets.defs.checks.validation` turns a suite into Great Expectations expectations;
`quarantine.guard` applies them before the write and the asset checks of `ge_checks` re-apply them
to the stored table. docs/validation.md explains the rules in prose.
"""

import datetime as dt
import functools
import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hyte_assets.lib.ge_adapter import Expectation

if TYPE_CHECKING:
    from hyte_assets.defs.checks.context import Context

# DuckDB column types (as `describe` names them) accepted for each kind of column.
INT = ("BIGINT", "INTEGER", "SMALLINT")
NUMBER = ("DOUBLE", "FLOAT", *INT)
TEXT = ("VARCHAR",)
BOOL = ("BOOLEAN",)
TIME = ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS")
INT_LIST = ("INTEGER[]", "BIGINT[]")

LONG_FORM: dict[str, tuple[str, ...]] = {
    "measure_id": TEXT,
    "region_code": TEXT,
    "region_level": TEXT,
    "year": INT,
    "period": TEXT,
    "group_type": TEXT,
    "group_value": TEXT,
    "value": NUMBER,
    "abs_value": NUMBER,
    "sample_size": NUMBER,
    "is_demo": BOOL,
    "fetched_at": TIME,
}
LONG_KEY = ("measure_id", "region_level", "region_code", "period", "group_type", "group_value")
REGION_LEVELS = ("kunta", "maakunta", "hyvinvointialue", "koko_maa")
# Statistics Finland's area codes cover municipalities, regions and the country, not wellbeing counties.
STATFIN_LEVELS = ("kunta", "maakunta", "koko_maa")

# Row-level value rules by unit. A row breaking one is quarantined (see quarantine.py).
BOUNDED_0_100 = ("percent", "yes_no", "score_0_100")  # yes_no is stored as 0 (no) or 100 (yes)
NON_NEGATIVE = ("count", "per_10000", "per_100000", "eur_per_m2", "rate")
# Units of the monthly employment review's figures (lib/pxweb.py EMPLOYMENT_CODES, most without a
# catalog measure) and of the long-term share that employment_values derives from them.
EMPLOYMENT_UNITS = {
    "TYOTOSUUS": "percent",
    "TYOTTOMATLOPUSSA": "count",
    "TYOVOIMATK": "count",
    "TYOTTOMAT25": "count",
    "PITKAAIKAISTYOTTOMAT": "count",
    "TYOTTOMATULK": "count",
    "PITKAAIKAISTYOTTOMAT_OSUUS": "percent",
}
EMPLOYMENT_CODES = tuple(code for code in EMPLOYMENT_UNITS if code != "PITKAAIKAISTYOTTOMAT_OSUUS")
QUARANTINE_MAX_SHARE = 0.05  # more bad rows than this and the batch is rejected, not quarantined
COVERAGE_MIN_SHARE = 0.8
OUTLIER_MADS = 4.0  # a change further than this many MADs from the series' median change …
OUTLIER_MIN_CHANGE = 0.1  # … and larger than this share of the series' median level (at least 1.0)
OUTLIER_MIN_CHANGES = 4  # fewer changes than this in a series: too little history to judge


@dataclass(frozen=True)
class Calendar:
    """When a source publishes, as the oldest latest period that is still on time."""

    description: str
    expected: Callable[[dt.date], int]  # year, or yyyymm for monthly tables


def annual(lag_years: int, what: str) -> Calendar:
    return Calendar(
        f"{what}: the latest year should be at least the current year − {lag_years}",
        lambda today: today.year - lag_years,
    )


def monthly(lag_months: int, what: str) -> Calendar:
    def expected(today: dt.date) -> int:
        months = today.year * 12 + today.month - 1 - lag_months
        return (months // 12) * 100 + months % 12 + 1

    return Calendar(f"{what}: the latest month should be at least today − {lag_months} months", expected)


def odd_years(published_month: int, what: str) -> Calendar:
    def expected(today: dt.date) -> int:
        year = today.year if today.month >= published_month else today.year - 1
        return year if year % 2 else year - 1

    return Calendar(f"{what}: every odd year, published by month {published_month} of that year", expected)


@dataclass(frozen=True)
class Items:
    """A set of values that a column must contain (or, for coverage, should have recent data for)."""

    column: str
    description: str
    values: Callable[["Context"], set[str]]


@dataclass(frozen=True)
class Regions:
    """Which regions must have rows (`required` levels of the municipality's comparison set), and
    optionally which are allowed at all (`allowed` levels of the same set; None = any region)."""

    required: tuple[str, ...]
    allowed: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TableSuite:
    table: str  # schema.name; its asset key is the path, raw/sotkanet_values
    source: str  # named in error messages, like `SourceError.source`
    columns: Mapping[str, tuple[str, ...]]  # required columns → accepted DuckDB types
    key: tuple[str, ...]  # one row per key; every key column but `nullable_key` is non-null
    nullable_key: tuple[str, ...] = ()
    # Columns coalesced into the derived `series_id` column (which may then be part of the key).
    series_id: tuple[str, ...] = ()
    value: str | None = None
    # Unit of each row: "catalog" (catalog.measures.unit by measure_id), or one unit for every row.
    unit: str | None = None
    region_columns: tuple[str, ...] = ("region_level", "region_code")  # or ("municipality_code",)
    regions: Regions | None = None
    required: tuple[Items, ...] = ()
    time: str | None = None  # "year", "collection_year" or "period" (monthly, YYYY-MM)
    calendar: Calendar | None = None
    coverage: Items | None = None
    outliers: bool = False  # series = key without the time column
    in_sets: Mapping[str, tuple[object, ...]] = field(default_factory=dict)  # column → allowed values
    extra: tuple[Expectation, ...] = ()
    optional: bool = False  # may be empty or absent: nothing of this kind delivered yet

    @property
    def asset(self) -> str:
        """The key of the asset that writes the table, as a user string (`raw/sotkanet_values`)."""
        return self.table.replace(".", "/")

    @property
    def monthly(self) -> bool:
        return self.time == "period"


def ref_measures(sources: tuple[str, ...], ok_only: bool = False) -> Callable[["Context"], set[str]]:
    return lambda c: c.ref_measures(sources, ok_only=ok_only)


def catalog_measures(sources: tuple[str, ...]) -> Callable[["Context"], set[str]]:
    return lambda c: c.catalog_measures(sources)


def fixed(values: tuple[str, ...]) -> Callable[["Context"], set[str]]:
    return lambda _: set(values)


def hyte_indicators(kind: str) -> Callable[["Context"], set[str]]:
    return lambda c: c.hyte_indicators(kind)


def measures_of(source: str) -> Items:
    """Every catalog measure of `source` (a coverage rule)."""
    return Items("measure_id", f"catalog measures of source {source}", catalog_measures((source,)))


def cited_measures(source: str) -> Items:
    """The catalog measures of `source` with a cited table (a required rule)."""
    return Items(
        "measure_id", f"catalog measures of source {source} with a cited table", ref_measures((source,))
    )


def hyte_items(kind: str) -> Items:
    """The hyte-kerroin's `kind` ("process" or "outcome") indicators."""
    return Items("indicator_id", f"the hyte-kerroin's {kind} indicators", hyte_indicators(kind))


# The source folders' suites.py files are rules as data: alike in shape from folder to folder (their
# import lists and TableSuite arguments), different in values; what repeated in value is folded here.
def long_form_suite(
    table: str, source: str, extra: Mapping[str, tuple[str, ...]], **rules: Any
) -> TableSuite:
    """A long-form values table (docs/architecture.md): its columns plus `extra`, one row per
    LONG_KEY, units from the catalog; `rules` add or override the rest (regions, calendar, ...)."""
    defaults: dict[str, Any] = {"key": LONG_KEY, "value": "value", "unit": "catalog"}
    return TableSuite(table=table, source=source, columns={**LONG_FORM, **extra}, **{**defaults, **rules})


def sotkanet_values_suite(asset: str, source: str, extra: Mapping[str, tuple[str, ...]]) -> TableSuite:
    """The suite of a long-form Sotkanet values table (sotkanet, kouluterveyskysely)."""
    return long_form_suite(
        f"raw.{asset}",
        source,
        {"gender": TEXT, **extra},
        # a school-survey row keeps its school level as the group and its gender beside it
        key=(*LONG_KEY, "gender", "indicator_id"),
        nullable_key=("indicator_id",),  # demo rows have no indicator
        regions=Regions(REGION_LEVELS),
        required=(
            Items(
                "measure_id",
                f"catalog measures of source {source} whose Sotkanet id passed the title check "
                "(failed ids are listed in raw.sotkanet_indicators, measures without an id in "
                "raw.sotkanet_indicator_resolution)",
                ref_measures((source,), ok_only=True),
            ),
        ),
        time="year",
        calendar=odd_years(10, "school health survey")
        if source == "kouluterveyskysely"
        else annual(2, "annual register data"),
        coverage=measures_of(source),
        outliers=True,
    )


SOURCES_PACKAGE = "hyte_assets.defs.sources"


@functools.cache
def all_suites() -> tuple[TableSuite, ...]:
    """The suites of every source folder (`defs/sources/<source>/suites.py`), in folder order."""
    package = importlib.import_module(SOURCES_PACKAGE)
    found: list[TableSuite] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.ispkg:
            try:
                module = importlib.import_module(f"{SOURCES_PACKAGE}.{info.name}.suites")
            except ModuleNotFoundError as exc:
                if exc.name != f"{SOURCES_PACKAGE}.{info.name}.suites":
                    raise
                continue
            found.extend(module.SUITES)
    return tuple(found)


def suite_for(table: str) -> TableSuite | None:
    return next((s for s in all_suites() if s.table == table), None)


def __getattr__(name: str) -> object:
    # SUITES and SUITES_BY_TABLE are collected on first use: the source folders import this module.
    if name == "SUITES":
        return all_suites()
    if name == "SUITES_BY_TABLE":
        return {s.table: s for s in all_suites()}
    raise AttributeError(name)
