"""The validation rules of every source table, as data: read this file to know what is checked.

One `TableSuite` per table that a source asset writes. `hyte_assets.defs.checks.validation` turns a
suite into Great Expectations expectations; `quarantine.guard` applies them before the write and the
asset checks of `ge_checks` re-apply them to the stored table. docs/validation.md explains the rules
in prose.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hyte_assets.lib.ge_adapter import Expectation

if TYPE_CHECKING:
    from hyte_assets.defs.checks.validation import Context

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
# Units of the monthly employment review's figures (sources/statfin.py EMPLOYMENT_CODES, most without a
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
TEA_SECTORS = ("kuntajohto", "peruskoulu", "liikunta", "kulttuuri")
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
    asset: str
    table: str
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
    optional: bool = False  # the asset writes the table only when it has rows

    @property
    def monthly(self) -> bool:
        return self.time == "period"


def _ref_measures(sources: tuple[str, ...], ok_only: bool = False) -> Callable[["Context"], set[str]]:
    return lambda c: c.ref_measures(sources, ok_only=ok_only)


def _catalog_measures(sources: tuple[str, ...]) -> Callable[["Context"], set[str]]:
    return lambda c: c.catalog_measures(sources)


def _fixed(values: tuple[str, ...]) -> Callable[["Context"], set[str]]:
    return lambda _: set(values)


def _hyte_indicators(kind: str) -> Callable[["Context"], set[str]]:
    return lambda c: c.hyte_indicators(kind)


def _sotkanet_values(asset: str, source: str, extra: Mapping[str, tuple[str, ...]]) -> TableSuite:
    return TableSuite(
        asset=asset,
        table=f"raw.{asset}",
        source=source,
        columns={**LONG_FORM, **extra},
        key=(*LONG_KEY, "indicator_id"),
        nullable_key=("indicator_id",),  # demo rows have no indicator
        value="value",
        unit="catalog",
        regions=Regions(REGION_LEVELS),
        required=(
            Items(
                "measure_id",
                f"catalog measures of source {source} whose Sotkanet id passed the title check "
                "(failed ids are listed in raw.sotkanet_indicators, measures without an id in "
                "raw.sotkanet_indicator_resolution)",
                _ref_measures((source,), ok_only=True),
            ),
        ),
        time="year",
        calendar=odd_years(10, "school health survey")
        if source == "kouluterveyskysely"
        else annual(2, "annual register data"),
        coverage=Items("measure_id", f"catalog measures of source {source}", _catalog_measures((source,))),
        outliers=True,
    )


SUITES: tuple[TableSuite, ...] = (
    TableSuite(
        asset="sotkanet_regions",
        table="raw.sotkanet_regions",
        source="sotkanet",
        columns={
            "region_id": INT,
            "region_code": TEXT,
            "region_level": TEXT,
            "region_name": TEXT,
            "member_of": INT_LIST,
            "maakunta_code": TEXT,
            "hyvinvointialue_code": TEXT,
            "is_demo": BOOL,
            "fetched_at": TIME,
        },
        key=("region_id",),
        regions=Regions(REGION_LEVELS),
        in_sets={"region_level": REGION_LEVELS},
        extra=(
            Expectation(
                "expect_compound_columns_to_be_unique",
                {"column_list": ["region_level", "region_code"]},
                "one region per level and official code",
            ),
        ),
    ),
    TableSuite(
        asset="sotkanet_indicators",
        table="raw.sotkanet_indicators",
        source="sotkanet",
        columns={"indicator_id": INT, "measure_id": TEXT, "status": TEXT, "fetched_at": TIME},
        key=("indicator_id",),
        required=(
            Items(
                "measure_id",
                "catalog measures with a Sotkanet id (sources sotkanet, kouluterveyskysely)",
                _ref_measures(("sotkanet", "kouluterveyskysely")),
            ),
        ),
        in_sets={"status": ("ok", "title_mismatch", "error")},
    ),
    TableSuite(
        asset="sotkanet_indicator_resolution",
        table="raw.sotkanet_indicator_resolution",
        source="sotkanet",
        columns={"measure_id": TEXT, "source": TEXT, "status": TEXT, "note": TEXT},
        key=("measure_id",),
        required=(
            Items(
                "measure_id",
                "every catalog measure of sources sotkanet and kouluterveyskysely",
                _catalog_measures(("sotkanet", "kouluterveyskysely")),
            ),
        ),
        in_sets={"status": ("pinned", "reviewed", "matched", "ambiguous", "unmatched")},
    ),
    _sotkanet_values("sotkanet_values", "sotkanet", {"indicator_id": INT, "region_id": INT, "gender": TEXT}),
    _sotkanet_values("kouluterveyskysely_values", "kouluterveyskysely", {"indicator_id": INT}),
    TableSuite(
        asset="statfin_values",
        table="raw.statfin_values",
        source="statfin",
        columns={**LONG_FORM, "table_id": TEXT, "content_code": TEXT},
        key=LONG_KEY,
        value="value",
        unit="catalog",
        regions=Regions(STATFIN_LEVELS),
        required=(
            Items(
                "measure_id",
                "catalog measures of source statfin with a cited table",
                _ref_measures(("statfin",)),
            ),
        ),
        time="year",
        calendar=annual(2, "annual statistics"),
        coverage=Items("measure_id", "catalog measures of source statfin", _catalog_measures(("statfin",))),
        outliers=True,
    ),
    TableSuite(
        asset="population",
        table="raw.population",
        source="statfin",
        columns={"municipality_code": TEXT, "year": INT, "population": NUMBER, "is_demo": BOOL},
        key=("municipality_code", "year"),
        value="population",
        unit="count",
        region_columns=("municipality_code",),
        regions=Regions(("kunta",)),
        time="year",
        calendar=annual(2, "population at year end"),
        outliers=True,
    ),
    TableSuite(
        asset="employment_monthly",
        table="raw.employment_monthly",
        source="employment",
        columns={**LONG_FORM, "table_id": TEXT, "content_code": TEXT},
        key=("content_code", "region_level", "region_code", "period", "group_type", "group_value"),
        value="value",
        unit="catalog",
        # Runs in its own job, possibly before raw.sotkanet_regions exists to name the maakunta.
        regions=Regions(("kunta", "koko_maa")),
        required=(Items("content_code", "the monthly review's figures", _fixed(EMPLOYMENT_CODES)),),
        time="period",
        calendar=monthly(2, "monthly employment review, published the following month"),
        outliers=True,
    ),
    TableSuite(
        asset="employment_values",
        table="raw.employment_values",
        source="employment",
        columns={**LONG_FORM, "table_id": TEXT, "content_code": TEXT},
        key=("series_id", "region_level", "region_code", "period", "group_type", "group_value"),
        series_id=("measure_id", "content_code"),
        value="value",
        unit="catalog",
        regions=Regions(STATFIN_LEVELS),
        required=(
            Items(
                "measure_id",
                "catalog measures of source employment with a cited table",
                _ref_measures(("employment",)),
            ),
        ),
        time="year",
        calendar=annual(2, "annual employment measures"),
        coverage=Items(
            "measure_id", "catalog measures of source employment", _catalog_measures(("employment",))
        ),
        outliers=True,
    ),
    TableSuite(
        asset="teaviisari_values",
        table="raw.teaviisari_values",
        source="teaviisari",
        columns={**LONG_FORM, "sector": TEXT},
        key=("sector", "region_level", "region_code", "period"),
        value="value",
        unit="score_0_100",
        regions=Regions(("kunta",)),
        required=(Items("sector", "the four TEAviisari sectors", _fixed(TEA_SECTORS)),),
        time="year",
        calendar=annual(3, "TEAviisari, each sector every second year"),
        coverage=Items("sector", "the four TEAviisari sectors", _fixed(TEA_SECTORS)),
        outliers=True,
    ),
    TableSuite(
        asset="hyte_process_answers",
        table="raw.hyte_process_answers",
        source="teaviisari",
        columns={"municipality_code": TEXT, "indicator_id": TEXT, "collection_year": INT, "answer": INT},
        key=("municipality_code", "indicator_id", "collection_year"),
        region_columns=("municipality_code",),
        regions=Regions(("kunta",)),
        required=(
            Items("indicator_id", "the hyte-kerroin's process indicators", _hyte_indicators("process")),
        ),
        time="collection_year",
        calendar=annual(3, "TEAviisari rounds, each sector every second year"),
        coverage=Items("indicator_id", "the hyte-kerroin's process indicators", _hyte_indicators("process")),
        in_sets={"answer": (0, 1)},
    ),
    TableSuite(
        asset="hyte_outcome_values",
        table="raw.hyte_outcome_values",
        source="hyte",
        columns={"municipality_code": TEXT, "indicator_id": TEXT, "year": INT, "value": NUMBER},
        key=("municipality_code", "indicator_id", "year"),
        value="value",
        unit="rate",
        region_columns=("municipality_code",),
        regions=Regions(("kunta",)),
        required=(
            Items("indicator_id", "the hyte-kerroin's outcome indicators", _hyte_indicators("outcome")),
        ),
        time="year",
        calendar=annual(2, "annual register and survey data"),
        coverage=Items("indicator_id", "the hyte-kerroin's outcome indicators", _hyte_indicators("outcome")),
        outliers=True,
    ),
    TableSuite(
        asset="local_deliveries",
        table="raw.local_counts",
        source="local_files",
        columns={**LONG_FORM, "source_file": TEXT, "source_row": INT},
        key=LONG_KEY,
        value="value",
        unit="catalog",
        regions=Regions(("kunta",), allowed=("kunta",)),
        time="year",
        calendar=annual(1, "the city's own annual counts"),
        coverage=Items("measure_id", "catalog measures of source local", _catalog_measures(("local",))),
        outliers=True,
        optional=True,
    ),
    TableSuite(
        asset="local_deliveries",
        table="raw.survey_values",
        source="local_files",
        columns={**LONG_FORM, "survey": TEXT, "survey_name": TEXT, "source_file": TEXT, "source_row": INT},
        key=(*LONG_KEY, "survey_name"),
        value="value",
        unit="catalog",
        # Each survey covers its own levels; the delivery parser accepts only 111, 07, 09 and SSS.
        time="year",
        calendar=annual(3, "surveys every two to three years"),
        coverage=Items(
            "measure_id",
            "catalog measures of the survey sources",
            _catalog_measures(("regional_survey", "older_people_survey", "resident_survey")),
        ),
        optional=True,
    ),
)

SUITES_BY_TABLE: dict[str, TableSuite] = {s.table: s for s in SUITES}
