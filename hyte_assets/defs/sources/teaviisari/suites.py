"""Validation rules of the tables the teaviisari assets write (see defs/checks/suites.py for the
vocabulary, docs/validation.md for the rules in prose), and their asset checks."""

from hyte_assets.defs.checks.ge_checks import checks_for
from hyte_assets.defs.checks.suites import (
    INT,
    NUMBER,
    TEXT,
    Items,
    Regions,
    TableSuite,
    annual,
    fixed,
    hyte_items,
    long_form_suite,
)

TEA_SECTORS = ("kuntajohto", "peruskoulu", "liikunta", "kulttuuri")

SUITES: tuple[TableSuite, ...] = (
    long_form_suite(
        "raw.teaviisari_values",
        "teaviisari",
        {"sector": TEXT},
        key=("sector", "region_level", "region_code", "period"),
        unit="score_0_100",
        regions=Regions(("kunta",)),
        required=(Items("sector", "the four TEAviisari sectors", fixed(TEA_SECTORS)),),
        time="year",
        calendar=annual(3, "TEAviisari, each sector every second year"),
        coverage=Items("sector", "the four TEAviisari sectors", fixed(TEA_SECTORS)),
        outliers=True,
    ),
    TableSuite(
        table="raw.teaviisari_sotkanet",
        source="teaviisari",
        columns={
            "sector_id": TEXT,
            "indicator_id": INT,
            "region_code": TEXT,
            "region_level": TEXT,
            "year": INT,
            "score": NUMBER,
        },
        key=("sector_id", "region_level", "region_code", "year"),
        # Nothing required: the offline snapshot records none of these ids, and a sector whose id
        # fails keeps its previous rows; the report falls back to the maintained file.
        required=(Items("sector_id", "no sector is required", fixed(())),),
        value="score",
        unit="score_0_100",
        time="year",
    ),
    TableSuite(
        table="raw.hyte_process_answers",
        source="teaviisari",
        columns={"municipality_code": TEXT, "indicator_id": TEXT, "collection_year": INT, "answer": INT},
        key=("municipality_code", "indicator_id", "collection_year"),
        region_columns=("municipality_code",),
        regions=Regions(("kunta",)),
        required=(hyte_items("process"),),
        time="collection_year",
        calendar=annual(3, "TEAviisari rounds, each sector every second year"),
        coverage=hyte_items("process"),
        in_sets={"answer": (0, 1)},
    ),
)

ge_checks = checks_for(SUITES)
