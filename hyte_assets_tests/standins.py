"""Wire-format stand-ins for Sotkanet and StatFin as they answer *today*, written to a directory
that `StubServer` serves (`StubServer("statfin", root, strict=True)` for the StatFin one).

The recorded snapshots show the sources as they were; these show the drift a live run meets:

* Sotkanet titles in today's wording ("vastaavan ikäisestä" where 2015 wrote
  "vastaavanikäisestä", a trailing space), a gender classification with male/female/total rows,
  an indicator without the municipality level, and optionally a title whose age band changed.
* StatFin 12r5 that starts later than the partitions ask and ends two months before the
  current month, has no maakunta rows, and splits the unemployed by sex; 11re with the real
  variable structure (area, age and sex variables, where age and sex also offer `SSS`).

Everything here is generated test data (`"generated": true` in `standin.json`), never a recording.
Real values appear only where cited: Heinola's 2025 population 17,694 and the country's 5,652,881
(StatFin 11re via data/regions/regions-fi.csv), and Heinola's 12r5 figures for 2026M06.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from hyte_assets.lib.catalog import load_catalog
from hyte_assets.lib.region_table import load_region_table

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
# Hyte-kerroin outcomes with no plan measure line (data/hyte/indicators.csv): id -> 2015 title.
HYTE_ONLY_TITLES = {
    3906: "Ylipaino, % 8. ja 9. luokan oppilaista",
    306: "Työkyvyttömyyseläkettä saavat 25 - 64-vuotiaat, % vastaavanikäisestä väestöstä",
}
# Sotkanet ids of the comparison regions (verified in reference/sotkanet-indicators-verified.md);
# the stand-in's own choice for the other municipalities.
HEINOLA, PAIJAT_HAME, PH_COUNTY, COUNTRY, LAHTI = 44, 493, 975, 658, 45
NO_MUNICIPAL_LEVEL = {3558}  # as in the 2015 listing: no Kunta level
CHANGED_AGE_BAND = {
    3219: "Koulutuksen ulkopuolelle jääneet 18 - 24-vuotiaat, % vastaavan ikäisestä väestöstä"
}


def todays_wording(title: str) -> str:
    """The 2015 title as Sotkanet writes it now (compound split, a trailing space)."""
    text = title.replace("vastaavanikäisestä", "vastaavan ikäisestä")
    return text.replace("vastaavanikäistä", "vastaavan ikäistä") + " "


def _write(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")


def pinned_titles(data_dir: Path = DATA) -> dict[int, str]:
    """Every pinned Sotkanet id with its expected (2015) title: catalog pins and hyte-only ids."""
    pins = load_catalog(data_dir / "catalog").sotkanet_pins()
    return {**dict(zip(pins["indicator_id"], pins["expected_title"], strict=True)), **HYTE_ONLY_TITLES}


def write_sotkanet_standin(
    root: Path,
    *,
    years: Iterable[int] = range(2015, 2025),
    title_overrides: Mapping[int, str] | None = None,
    data_dir: Path = DATA,
) -> dict[int, str]:
    """Write regions, listing, metadata and data files; returns {id: title served}."""
    table = load_region_table(data_dir)
    heinola, lahti = table.municipality("111"), table.municipality("398")
    member = [COUNTRY, PAIJAT_HAME, PH_COUNTY]
    regions = [
        {
            "id": HEINOLA,
            "code": heinola.code,
            "category": "KUNTA",
            "title": {"fi": heinola.name},
            "memberOf": member,
        },
        {
            "id": LAHTI,
            "code": lahti.code,
            "category": "KUNTA",
            "title": {"fi": lahti.name},
            "memberOf": member,
        },
        {
            "id": PAIJAT_HAME,
            "code": "07",
            "category": "MAAKUNTA",
            "title": {"fi": heinola.maakunta_name},
            "memberOf": [COUNTRY],
        },
        {
            "id": 605,
            "code": "07",
            "category": "SAIRAANHOITOPIIRI",
            "title": {"fi": "Päijät-Hämeen shp"},
            "memberOf": [COUNTRY],
        },
        {
            "id": PH_COUNTY,
            "code": "09",
            "category": "HYVINVOINTIALUE",
            "title": {"fi": heinola.county_name},
            "memberOf": [COUNTRY],
        },
        {"id": COUNTRY, "code": "358", "category": "MAA", "title": {"fi": "Koko maa"}, "memberOf": []},
    ]
    _write(root / "regions.json", regions)
    years_ = list(years)
    served = {i: todays_wording(t) for i, t in pinned_titles(data_dir).items()}
    served.update(title_overrides or {})
    listing = []
    for offset, (indicator_id, title) in enumerate(sorted(served.items())):
        levels = ["Maakunta", "Hyvinvointialue", "Maa"]
        if indicator_id not in NO_MUNICIPAL_LEVEL:
            levels.insert(0, "Kunta")
        doc = {
            "id": indicator_id,
            "title": {"fi": title},
            "range": {"start": years_[0], "end": years_[-1]},
            "data-updated": "2026-09-01",
            "primaryValueType": {"code": "PROS"},
            "decimals": 1,
            "classifications": {
                "region": {"title": {"fi": "Alue"}, "values": levels},
                "sex": {"title": {"fi": "Sukupuoli"}, "values": ["Miehet", "Naiset", "Yhteensä"]},
            },
        }
        _write(root / "indicators" / f"{indicator_id}.json", doc)
        listing.append({k: doc[k] for k in ("id", "title", "classifications")})
        region_ids = [r["id"] for r in regions if r["category"] != "SAIRAANHOITOPIIRI"]
        if indicator_id in NO_MUNICIPAL_LEVEL:
            region_ids = [r for r in region_ids if r not in (HEINOLA, LAHTI)]
        rows = []
        for year in years_:
            for region_id in region_ids:
                total = round(8 + offset % 7 + (region_id % 5) * 0.4 + (year - years_[0]) * 0.1, 1)
                for gender, factor in (("total", 1.0), ("male", 1.08), ("female", 0.92)):
                    rows.append(
                        {
                            "indicator": indicator_id,
                            "region": region_id,
                            "year": year,
                            "gender": gender,
                            "value": round(total * factor, 1),
                        }
                    )
        _write(root / "json" / f"{indicator_id}.json", rows)
    listing.append(
        {"id": 5527, "title": {"fi": "Terveysliikuntasuosituksen mukaan liian vähän liikkuvien osuus (%)"}}
    )
    _write(root / "indicators.json", listing)
    _write(root / "standin.json", {"generated": True, "by": "hyte_assets_tests/standins.py"})
    return served


def months(first: str, last: str) -> list[str]:
    """`2024M03`..`2026M07` inclusive."""
    (y, m), (y2, m2) = (map(int, first.split("M")), map(int, last.split("M")))
    out = []
    while (y, m) <= (y2, m2):
        out.append(f"{y}M{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_before(period: str, n: int) -> str:
    y, m = map(int, period.split("M"))
    total = y * 12 + (m - 1) - n
    return f"{total // 12}M{total % 12 + 1:02d}"


def write_statfin_standin(
    root: Path, *, current_month: str, first_month: str = "2024M03", data_dir: Path = DATA
) -> dict[str, list[str]]:
    """Write ?config, 12r5 and 11re metadata and cells; returns the months and years listed."""
    table = load_region_table(data_dir)
    heinola, lahti = table.municipality("111"), table.municipality("398")
    fixture = json.loads(
        (REPO / "hyte_assets_tests/fixtures/statfin/tyonv__12r5.meta.json").read_text("utf-8")
    )
    content = next(v for v in fixture["variables"] if v["code"] == "contentscode")
    listed = months(first_month, month_before(current_month, 2))
    areas = [("SSS", "KOKO MAA"), ("KU111", heinola.name), ("KU398", lahti.name)]  # no MK rows
    meta_12r5 = {
        "title": "Työnhakijat ja työttömät kunnittain kuukausittain (stand-in)",
        "variables": [
            {
                "code": "Alue",
                "text": "Alue",
                "values": [a for a, _ in areas],
                "valueTexts": [t for _, t in areas],
            },
            {
                "code": "timeperiod_m",
                "text": "Kuukausi",
                "values": listed,
                "valueTexts": listed,
                "time": True,
            },
            {**content, "elimination": False},
        ],
    }
    cells: dict[str, float] = {}
    for area, _ in areas:
        scale = {"SSS": 300.0, "KU111": 1.0, "KU398": 7.0}[area]
        for month in listed:
            unemployed = round(1100 * scale)
            workforce = round(7300 * scale)
            base = {
                "TYOTTOMATLOPUSSA": unemployed,
                "TYOVOIMATK": workforce,
                "TYOTOSUUS": round(100 * unemployed / workforce, 1),
                "TYOTTOMATMIEHET": round(unemployed * 0.56),
                "TYOTTOMATNAISET": round(unemployed * 0.44),
                "TYOTTOMAT25": round(unemployed * 0.11),
                "PITKAAIKAISTYOTTOMAT": round(unemployed * 0.47),
                "TYOTTOMATULK": round(unemployed * 0.08),
            }
            for code, value in base.items():
                cells[f"{area}|{month}|{code}"] = value
    if "2026M06" in listed:  # real Heinola figures (12r5 export, reference §6)
        real = {
            "TYOTTOMATLOPUSSA": 1125,
            "TYOVOIMATK": 7307,
            "TYOTOSUUS": 15.4,
            "TYOTTOMAT25": 128,
            "PITKAAIKAISTYOTTOMAT": 534,
            "TYOTTOMATULK": 94,
        }
        cells.update({f"KU111|2026M06|{c}": v for c, v in real.items()})
    _write(
        root / "config.json",
        {"maxValues": 120000, "maxCells": 120000, "maxCalls": 40, "timeWindow": 60, "CORS": True},
    )
    _write(root / "tyonv__12r5.meta.json", meta_12r5)
    _write(root / "tyonv__12r5.cells.json", cells)
    years = [str(y) for y in range(1990, 2026)]
    ages = ["SSS", *[f"{a:03d}" for a in range(0, 100)], "100-"]
    meta_11re = {
        "title": "Väestö 31.12. muuttujina Alue, Ikä, Sukupuoli, Vuosi ja Tiedot (stand-in)",
        "variables": [
            {
                "code": "alue_23_20260101",
                "text": "Alue",
                "values": ["SSS", "MK07", "KU111", "KU398"],
                "valueTexts": ["KOKO MAA", "Päijät-Häme", heinola.name, lahti.name],
                "elimination": True,
            },
            {
                "code": "ikaryhma_10_20180101",
                "text": "Ikä",
                "values": ages,
                "valueTexts": ["Yhteensä", *ages[1:]],
                "elimination": True,
            },
            {
                "code": "sukupuoli_9_20180101",
                "text": "Sukupuoli",
                "values": ["SSS", "1", "2"],
                "valueTexts": ["Yhteensä", "Miehet", "Naiset"],
                "elimination": True,
            },
            {"code": "timeperiod_y", "text": "Vuosi", "values": years, "valueTexts": years, "time": True},
            {
                "code": "contentscode",
                "text": "Tiedot",
                "values": ["vaerak-vaesto"],
                "valueTexts": ["Väestö 31.12."],
            },
        ],
    }
    ph = sum(m.population for m in table.in_maakunta("07"))
    population = {"SSS": 5_652_881, "MK07": ph, "KU111": heinola.population, "KU398": lahti.population}
    cells_11re = {f"{a}|SSS|SSS|2025|vaerak-vaesto": float(v) for a, v in population.items()}
    _write(root / "vaerak__11re.meta.json", meta_11re)
    _write(root / "vaerak__11re.cells.json", cells_11re)
    _write(root / "standin.json", {"generated": True, "by": "hyte_assets_tests/standins.py"})
    return {"months": listed, "years": years}
