"""National scale: ~300 municipalities x 90 measures x 2000-2026 with gender groups and monthly series.

About 2.5 million values go through every model (no correlated subqueries, only window functions
and hash joins). This test checks the results at that scale; how long it takes is measured by
`make bench` (BENCHMARKS.md), not asserted here.
"""

from __future__ import annotations

import duckdb
import pytest

from .conftest import GOALS, THEMES, create_raw_tables, measure, write_catalog, write_settings

pytestmark = pytest.mark.slow  # 2.5 million values; `make test` runs it, `make test-fast` does not

MUNICIPALITIES = 300
MAAKUNNAT = 19
ANNUAL_MEASURES = 84  # m00-m83, of which m00-m49 also by gender
MONTHLY_MEASURES = 6  # m84-m89, 2006-01 .. 2026-10


def write_national_data(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""
        insert into raw.sotkanet_regions by name
        select
            i as region_id,
            case when i = 0 then '111' else lpad(cast(i + 200 as varchar), 3, '0') end as region_code,
            'kunta' as region_level,
            'Kunta ' || i as region_name,
            lpad(cast(i % {MAAKUNNAT} + 1 as varchar), 2, '0') as maakunta_code
        from range({MUNICIPALITIES}) as t(i)
        union all
        select 1000 + i, lpad(cast(i as varchar), 2, '0'), 'maakunta', 'Maakunta ' || i, null
        from range(1, {MAAKUNNAT + 1}) as t(i)
        """
    )
    regions = (
        "(select region_code, region_level from raw.sotkanet_regions union all select 'SSS', 'koko_maa')"
    )
    con.execute(
        f"""
        insert into raw.sotkanet_values by name
        select
            'm' || lpad(cast(m as varchar), 2, '0') as measure_id,
            r.region_code,
            r.region_level,
            y as year,
            cast(y as varchar) as period,
            case when g = 'total' then 'total' else 'gender' end as group_type,
            g as group_value,
            10 + (hash(m, r.region_code, y, g) % 8000) / 100.0 as value,
            100 + hash(m, y) % 50 as abs_value,
            y % 3 = 0 as is_demo,
            timestamp '2026-11-01' as fetched_at
        from range({ANNUAL_MEASURES}) as t(m)
        cross join {regions} as r
        cross join range(2000, 2027) as yy(y)
        cross join (values ('total'), ('female'), ('male')) as gg(g)
        where g = 'total' or m < 50
        """
    )
    con.execute(
        f"""
        insert into raw.employment_values (
            measure_id, region_code, region_level, year, period, group_type, group_value, value, is_demo,
            fetched_at
        )
        select
            'm' || lpad(cast(m as varchar), 2, '0'),
            r.region_code,
            r.region_level,
            y,
            cast(y as varchar) || '-' || lpad(cast(mo as varchar), 2, '0'),
            'total',
            'total',
            5 + (hash(m, r.region_code, y, mo) % 2000) / 100.0,
            true,
            timestamp '2026-11-01'
        from range({ANNUAL_MEASURES}, {ANNUAL_MEASURES + MONTHLY_MEASURES}) as t(m)
        cross join {regions} as r
        cross join range(2006, 2027) as yy(y)
        cross join range(1, 13) as mm(mo)
        where y < 2026 or mo <= 10
        """
    )


def test_national_scale_build_is_fast(tmp_path, build, failing_rows):
    con = duckdb.connect()
    con.execute("set threads = 2")
    create_raw_tables(con)
    write_settings(con)
    polarities = ("higher_better", "lower_better", "context")
    measures = [
        measure(
            f"m{i:02d}",
            polarity=polarities[i % 3],
            source="employment" if i >= ANNUAL_MEASURES else "sotkanet",
            goal_ids=("g1", "g2", "g3")[i % 3],
            unit="per_10000" if i % 4 == 0 else "percent",
        )
        for i in range(ANNUAL_MEASURES + MONTHLY_MEASURES)
    ]
    write_catalog(con, tmp_path / "catalog", {"themes": THEMES, "goals": GOALS, "measures": measures})
    write_national_data(con)

    counts = build(con)

    assert counts["marts.indicator_values"] > 2_000_000
    assert counts["reports.scorecard_indicator"] == 50 * 3 + 40
    assert all(n == 0 for n in failing_rows(con).values())
    # every municipality of Heinola's maakunta has every value, so every judged row has a rank
    unranked = con.execute(
        "select count(*) from reports.scorecard_indicator "
        "where polarity <> 'context' and rank_in_maakunta is null"
    ).fetchone()
    assert unranked == (0,)
    con.close()
