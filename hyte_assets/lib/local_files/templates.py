"""The delivery file types (templates), what each may contain, and the limits on a delivery."""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = "local_files"
TEMPLATE_DIR = "data/local/templates"
DEMO_DIR = "demo"  # data/local/demo/: every row of a file here is demo data
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
DELIVERY_SUFFIXES = frozenset({".csv", ".xlsx", ".xlsm"})
ACTION_STATUSES = ("suunniteltu", "käynnissä", "toteutettu", "viivästynyt", "ei aloitettu")
TOTAL_GROUP = "total"
# Only measures whose catalog `source` is the city itself may come from data/local: the city's own
# counts (laskennat) and the surveys the city or its region runs (kyselyt). A row for a Sotkanet or
# employment measure would silently replace the official figure while the scorecard still cites it.
CITY_SOURCES: dict[str, frozenset[str]] = {
    "laskennat": frozenset({"local"}),
    "kyselyt": frozenset({"regional_survey", "older_people_survey", "resident_survey"}),
}


@dataclass(frozen=True)
class Limits:
    """Upper bounds on one delivered file, so a runaway export cannot stall the refresh.

    A real delivery is a few hundred rows; the bounds are two orders of magnitude above that.
    `max_groups` counts distinct (measure, group) pairs: every group becomes a chart series and a
    report row.
    """

    max_bytes: int = 20_000_000
    max_rows: int = 100_000
    max_groups: int = 2_000


LIMITS = Limits()


@dataclass(frozen=True)
class Column:
    """One column of a delivery template.

    `outputs` are the English column(s) the parsed value fills; a period fills both `period` and
    `year`, a region fills `region_code` and `region_level`.
    """

    header: str
    outputs: tuple[str, ...]
    type: str
    required: bool
    gloss: str


@dataclass(frozen=True)
class Template:
    """A delivery file type: its columns and the headers that identify a row (no duplicates)."""

    kind: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def required_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.required]

    @property
    def optional_headers(self) -> list[str]:
        return [c.header for c in self.columns if not c.required]

    @property
    def output_columns(self) -> list[str]:
        return [name for c in self.columns for name in c.outputs] + ["source_file", "source_row"]


_DEMO_COLUMN = Column(
    "is_demo", ("is_demo",), "flag", False, "demo row: kyllä/ei, true/false, 1/0; empty = ei"
)

# The templates are declarations (data): their Column lists are alike in shape by design.
TEMPLATES: dict[str, Template] = {
    "laskennat": Template(
        kind="laskennat",
        description="the city's own counts (visitors, clients, participants) per measure and period",
        columns=(
            Column("mittari_id", ("measure_id",), "measure_id", True, "measure id from the plan catalog"),
            Column("ajanjakso", ("period", "year"), "period", True, "period: year, month or date"),
            Column("ryhma", ("group_value",), "group", False, "group, e.g. service 'Ohjaamo'; empty = total"),
            Column("arvo", ("value",), "count", True, "the count, a non-negative number"),
            Column("lisatieto", ("note",), "text", False, "free-text note"),
            _DEMO_COLUMN,
        ),
        key=("mittari_id", "ajanjakso", "ryhma"),
    ),
    "kyselyt": Template(
        kind="kyselyt",
        description="survey results (regional welfare, older people's, resident, harrastemalli surveys)",
        columns=(
            Column("mittari_id", ("measure_id",), "measure_id", True, "measure id from the plan catalog"),
            Column("kysely", ("survey",), "text", True, "survey name"),
            Column("vuosi", ("year", "period"), "year", True, "survey year"),
            Column("alue", ("region_code", "region_level"), "region", True, "area code: 111, 07, 09, SSS"),
            Column("ryhma", ("group_value",), "group", False, "respondent group; empty = total"),
            Column("arvo", ("value",), "number", True, "result: percentage (12,5 = 12.5 %) or number"),
            Column("vastaajia", ("sample_size",), "count", False, "number of respondents"),
            _DEMO_COLUMN,
        ),
        key=("mittari_id", "kysely", "vuosi", "alue", "ryhma"),
    ),
    "toimenpiteet_tila": Template(
        kind="toimenpiteet_tila",
        description="status of the plan's actions per report year (one row per action and year)",
        columns=(
            Column("toimenpide_id", ("action_id",), "text", True, "action id from the plan"),
            Column(
                "vuosi",
                ("year",),
                "year_or_none",
                False,
                "report year of the status; empty = year of paivitetty",
            ),
            Column("tila", ("status",), "status", True, "status: " + ", ".join(ACTION_STATUSES)),
            Column("paivitetty", ("updated_at",), "date", True, "date of the status update"),
            Column("kommentti", ("comment",), "text", False, "free-text comment"),
            _DEMO_COLUMN,
        ),
        key=("toimenpide_id", "vuosi"),
    ),
    "resurssit": Template(
        kind="resurssit",
        description="resources for health and welfare promotion: budget lines and staff input per year",
        columns=(
            Column("vuosi", ("year",), "year_or_none", True, "budget year"),
            Column("palvelualue", ("service_area",), "text", True, "service area (palvelualue)"),
            Column("maararaha", ("budget_line",), "text", True, "budget line (määräraha)"),
            Column("euroa", ("eur",), "count", True, "euros, a non-negative number"),
            Column(
                "htv", ("person_years",), "count", False, "staff input in person-years (henkilötyövuodet)"
            ),
            Column("kommentti", ("comment",), "text", False, "free-text comment"),
            _DEMO_COLUMN,
        ),
        key=("vuosi", "palvelualue", "maararaha"),
    ),
}
