from pathlib import Path

import pytest

from hyte_assets.lib.region_table import (
    COUNTRY_POPULATION_2025,
    RegionTableError,
    load_region_table,
    normalise_municipality_code,
)

DATA = Path(__file__).resolve().parents[2] / "data"


def test_heinola_and_its_regions_come_from_the_file():
    table = load_region_table(DATA)
    heinola = table.municipality("111")
    assert (heinola.name, heinola.population, heinola.population_year) == ("Heinola", 17694, 2025)
    assert (heinola.maakunta_code, heinola.county_code) == ("07", "09")
    assert table.county_name("09") == "Päijät-Hämeen hyvinvointialue"
    assert len(table.in_maakunta("07")) == 10


def test_counts_and_totals_match_the_cited_figures():
    table = load_region_table(DATA)
    assert len(table.municipalities) == 308
    assert sum(m.population for m in table.municipalities) == COUNTRY_POPULATION_2025
    counties = {m.county_code for m in table.municipalities if m.has_wellbeing_county}
    assert len(counties) == 21


@pytest.mark.parametrize(("raw", "code"), [("98", "098"), (" 111 ", "111"), ("5", "005")])
def test_codes_are_zero_padded(raw, code):
    assert normalise_municipality_code(raw) == code


@pytest.mark.parametrize("raw", ["abc", "1111", "", "11a"])
def test_bad_codes_name_the_value(raw):
    with pytest.raises(RegionTableError, match="not 1–3 digits"):
        normalise_municipality_code(raw)


def test_unknown_code_and_broken_file_name_the_file(tmp_path):
    with pytest.raises(RegionTableError, match="no municipality with code '999'"):
        load_region_table(DATA).municipality("999")
    (tmp_path / "regions").mkdir()
    (tmp_path / "regions" / "regions-fi.csv").write_text(
        "municipality_code,municipality_name,maakunta_code,maakunta_name,hyvinvointialue_code,"
        "hyvinvointialue_name,population,population_year\n111,Heinola,07,P,09,P,many,2025\n",
        encoding="utf-8",
    )
    with pytest.raises(RegionTableError, match="line 2"):
        load_region_table(tmp_path)
