"""reports.teaviisari: the municipality, its maakunta and the country per sector and year, as the
annual report reads them (lib/report/sections.py): Sotkanet's real scores beat the maintained file."""

from __future__ import annotations

import duckdb

from .conftest import SQL_ROOT


def test_teaviisari_report_picks_one_score_per_sector_year_and_level():
    con = duckdb.connect()
    for schema in ("raw", "meta", "staging"):
        con.execute(f"create schema {schema}")
    con.execute("create table meta.settings as select '111' as municipality_code")
    con.execute(
        "create table staging.stg_regions as select * from (values "
        "('111', 'kunta', 'Heinola', '07', '09'), ('398', 'kunta', 'Lahti', '07', '09')) "
        "as t(region_code, region_level, region_name, maakunta_code, hyvinvointialue_code)"
    )
    con.execute(
        "create table raw.teaviisari_sotkanet as select * from (values "
        "('kuntajohto', 4072, '111', 'kunta', 2023, 61.0, false, timestamp '2026-11-01'), "
        "('kuntajohto', 4072, '398', 'kunta', 2023, 80.0, false, timestamp '2026-11-01'), "
        "('kuntajohto', 4072, '07', 'maakunta', 2023, 70.0, false, timestamp '2026-11-01'), "
        "('kuntajohto', 4072, 'SSS', 'koko_maa', 2023, 72.0, false, timestamp '2026-11-01')) "
        "as t(sector_id, indicator_id, region_code, region_level, year, score, is_demo, fetched_at)"
    )
    con.execute(
        "create table raw.teaviisari_values as select * from (values "
        "('kuntajohto', 'kuntajohto', '111', 'kunta', 2023, 55.0, true), "
        "('peruskoulu', 'peruskoulu', '111', 'kunta', 2023, 66.0, true)) "
        "as t(sector, group_value, region_code, region_level, year, value, is_demo)"
    )
    sql = (SQL_ROOT / "reports" / "teaviisari.sql").read_text(encoding="utf-8")
    rows = con.execute(
        f"select sector_id, region_level, score, source, is_demo from ({sql}) order by all"
    ).fetchall()
    assert rows == [
        ("kuntajohto", "koko_maa", 72.0, "sotkanet", False),
        ("kuntajohto", "kunta", 61.0, "sotkanet", False),
        ("kuntajohto", "maakunta", 70.0, "sotkanet", False),
        ("perusopetus", "kunta", 66.0, "maintained_file", True),
    ]
