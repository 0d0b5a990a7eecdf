"""Tests for the loaders of files delivered by city staff (Finnish Excel conventions)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.local_files import (
    TEMPLATES,
    detect_kind,
    load_delivery,
    parse_number,
    parse_period,
    parse_region,
    sniff_encoding,
)

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "data" / "local" / "templates"
FINNISH_ENCODINGS = ["utf-8-sig", "cp1252"]


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8-sig") -> Path:
    """Write lines the way Excel does (CRLF) in the given encoding."""
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], percent_cells: tuple[str, ...] = ()) -> Path:
    """Write a one-sheet workbook; `percent_cells` (e.g. "F2") get Excel's percent number format."""
    pd.DataFrame(rows[1:], columns=rows[0]).to_excel(path, index=False, engine="openpyxl")
    if percent_cells:
        from openpyxl import load_workbook

        workbook = load_workbook(path)
        for ref in percent_cells:
            workbook.active[ref].number_format = "0.0 %"
        workbook.save(path)
    return path


def records(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return [tuple(row) for row in frame[columns].itertuples(index=False)]


def raised(path: Path, kind: str, **kwargs: object) -> SourceError:
    with pytest.raises(SourceError) as error:
        load_delivery(path, kind, **kwargs)
    return error.value


def assert_names(error: SourceError, path: Path, row: int, column: str | None) -> None:
    """The message must let staff find the spot: file, row and (where one applies) column."""
    message = str(error)
    assert f"file={path}" in message
    assert f"row={row}" in message
    assert error.file == str(path) and error.row == row
    if column is not None:
        assert f"column={column}" in message
        assert error.column == column


# ---------------------------------------------------------------- laskennat


@pytest.mark.parametrize("encoding", FINNISH_ENCODINGS)
def test_laskennat_finnish_csv(tmp_path: Path, encoding: str) -> None:
    path = write_csv(
        tmp_path / "laskennat.csv",
        [
            "mittari_id;ajanjakso;ryhma;arvo;lisatieto",
            "ohjaamo_kavijat;12/2025;Ohjaamo;1 234,5;Kävijät, sää huono",
            "ohjaamo_kavijat;joulukuu 2025;Työpaja;2\u00a0345;",
            "ohjaamo_kavijat;tammi 2026;Ohjaamo;12,5;",
            "nuoriso_osallistujat;31.12.2025;;0;",
            "nuoriso_osallistujat;2025;;56;",
            ";;;;",
            "nuoriso_osallistujat;2024-10-31;Yhteensä;3;Lokakuun tilanne",
            "nuoriso_osallistujat;Kesäkuuta 2025;;7;",
        ],
        encoding,
    )

    frame = load_delivery(path, "laskennat", known_measure_ids={"ohjaamo_kavijat", "nuoriso_osallistujat"})

    assert list(frame.columns) == TEMPLATES["laskennat"].output_columns
    assert list(frame.columns) == [
        "measure_id",
        "period",
        "year",
        "group_value",
        "value",
        "note",
        "is_demo",
        "source_file",
        "source_row",
    ]
    assert records(frame, ["measure_id", "period", "year", "group_value", "value", "note", "source_row"]) == [
        ("ohjaamo_kavijat", "2025-12", 2025, "Ohjaamo", 1234.5, "Kävijät, sää huono", 2),
        ("ohjaamo_kavijat", "2025-12", 2025, "Työpaja", 2345.0, None, 3),
        ("ohjaamo_kavijat", "2026-01", 2026, "Ohjaamo", 12.5, None, 4),
        ("nuoriso_osallistujat", "2025-12", 2025, "total", 0.0, None, 5),
        ("nuoriso_osallistujat", "2025", 2025, "total", 56.0, None, 6),
        ("nuoriso_osallistujat", "2024-10", 2024, "total", 3.0, "Lokakuun tilanne", 8),
        ("nuoriso_osallistujat", "2025-06", 2025, "total", 7.0, None, 9),
    ]
    assert set(frame["source_file"]) == {"laskennat.csv"}
    assert frame["value"].dtype == "float64" and frame["year"].dtype == "int64"


def test_laskennat_xlsx_with_numbers_dates_and_finnish_strings(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "laskennat.xlsx",
        [
            ["Mittari ID", "Ajanjakso", "Ryhmä", "Arvo", "Lisätieto"],
            ["ohjaamo_kavijat", "12/2025", "Ohjaamo", 1234.5, "Kävijät"],
            ["ohjaamo_kavijat", dt.datetime(2026, 1, 31), "Ohjaamo", "1 234,5", None],
            ["nuoriso_osallistujat", 2025, None, "12,5", None],
            ["nuoriso_osallistujat", "helmikuu 2026", None, 3, None],
        ],
    )

    frame = load_delivery(path, "laskennat")

    assert records(frame, ["measure_id", "period", "year", "group_value", "value", "note", "source_row"]) == [
        ("ohjaamo_kavijat", "2025-12", 2025, "Ohjaamo", 1234.5, "Kävijät", 2),
        ("ohjaamo_kavijat", "2026-01", 2026, "Ohjaamo", 1234.5, None, 3),
        ("nuoriso_osallistujat", "2025", 2025, "total", 12.5, None, 4),
        ("nuoriso_osallistujat", "2026-02", 2026, "total", 3.0, None, 5),
    ]


def test_comma_separated_file_is_tolerated(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "laskennat.csv",
        ["mittari_id,ajanjakso,arvo", 'a,2025,"1 234,5"', "b,2025-12,12.5"],
        "utf-8",
    )

    frame = load_delivery(path, "laskennat")

    assert records(frame, ["measure_id", "period", "value"]) == [
        ("a", "2025", 1234.5),
        ("b", "2025-12", 12.5),
    ]


# ---------------------------------------------------------------- kyselyt


@pytest.mark.parametrize("encoding", FINNISH_ENCODINGS)
def test_kyselyt_finnish_csv(tmp_path: Path, encoding: str) -> None:
    path = write_csv(
        tmp_path / "kyselyt.csv",
        [
            "mittari_id;kysely;vuosi;alue;ryhma;arvo;vastaajia",
            "yksinaisyys;Ikäihmisten kysely;2025;111;75 vuotta täyttäneet;18,3;412",
            "yksinaisyys;Ikäihmisten kysely;2025;09;75 vuotta täyttäneet;16,9 %;1 020",
            "tyytyvaisyys;Asukaskysely;2025;KU111;;72,5;",
            "harrastus;Harrastemallikysely;2024;SSS;;45;",
            "terveys;Alueellinen hyvinvointikysely;2024;MK07;;30,1;",
        ],
        encoding,
    )

    frame = load_delivery(path, "kyselyt")

    assert list(frame.columns) == [
        "measure_id",
        "survey",
        "year",
        "period",
        "region_code",
        "region_level",
        "group_value",
        "value",
        "sample_size",
        "is_demo",
        "source_file",
        "source_row",
    ]
    rows = records(
        frame, ["survey", "year", "region_code", "region_level", "group_value", "value", "sample_size"]
    )
    assert rows[:2] == [
        ("Ikäihmisten kysely", 2025, "111", "kunta", "75 vuotta täyttäneet", 18.3, 412.0),
        ("Ikäihmisten kysely", 2025, "09", "hyvinvointialue", "75 vuotta täyttäneet", 16.9, 1020.0),
    ]
    assert rows[2][:6] == ("Asukaskysely", 2025, "111", "kunta", "total", 72.5)
    assert math.isnan(rows[2][6])
    assert records(frame, ["region_code", "region_level", "period"])[3:] == [
        ("SSS", "koko_maa", "2024"),
        ("07", "maakunta", "2024"),
    ]


def test_kyselyt_xlsx_scales_percent_formatted_cells(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "kyselyt.xlsx",
        [
            ["mittari_id", "kysely", "vuosi", "alue", "ryhma", "arvo", "vastaajia"],
            ["yksinaisyys", "Ikäihmisten kysely", 2025, 111, None, 0.183, 412],
            ["yksinaisyys", "Ikäihmisten kysely", 2025, "09", None, "16,9", "1 020"],
        ],
        percent_cells=("F2",),
    )

    frame = load_delivery(path, "kyselyt")

    assert records(frame, ["year", "region_code", "region_level", "value", "sample_size", "source_row"]) == [
        (2025, "111", "kunta", 18.3, 412.0, 2),
        (2025, "09", "hyvinvointialue", 16.9, 1020.0, 3),
    ]


# ---------------------------------------------------------------- toimenpiteet_tila


@pytest.mark.parametrize("encoding", FINNISH_ENCODINGS)
def test_toimenpiteet_tila_finnish_csv(tmp_path: Path, encoding: str) -> None:
    path = write_csv(
        tmp_path / "toimenpiteet.csv",
        [
            "toimenpide_id;tila;päivitetty;kommentti",
            "T1;käynnissä;31.12.2025;Kesän leiri siirtyi",
            "T2;Ei aloitettu;1.2.2026;",
            'T3;toteutettu;2025-11-30;"Valmis; raportoitu"',
            "T4;Viivastynyt;15.1.2026 0:00;",
            "T5;suunniteltu;2.3.2026;",
        ],
        encoding,
    )

    frame = load_delivery(path, "toimenpiteet_tila")

    assert list(frame.columns) == [
        "action_id",
        "year",
        "status",
        "updated_at",
        "comment",
        "is_demo",
        "source_file",
        "source_row",
    ]
    assert records(frame, ["action_id", "status", "updated_at", "comment"]) == [
        ("T1", "käynnissä", pd.Timestamp("2025-12-31"), "Kesän leiri siirtyi"),
        ("T2", "ei aloitettu", pd.Timestamp("2026-02-01"), None),
        ("T3", "toteutettu", pd.Timestamp("2025-11-30"), "Valmis; raportoitu"),
        ("T4", "viivästynyt", pd.Timestamp("2026-01-15"), None),
        ("T5", "suunniteltu", pd.Timestamp("2026-03-02"), None),
    ]
    assert frame["updated_at"].dtype == "datetime64[ns]"


def test_toimenpiteet_tila_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "toimenpiteet.xlsx",
        [
            ["toimenpide_id", "tila", "paivitetty", "kommentti"],
            [1, "Käynnissä", dt.datetime(2025, 12, 31), "Kävijämäärä kasvoi"],
            ["T2", "toteutettu", "31.1.2026", None],
        ],
    )

    frame = load_delivery(path, "toimenpiteet_tila")

    assert records(frame, ["action_id", "status", "updated_at", "comment", "source_row"]) == [
        ("1", "käynnissä", pd.Timestamp("2025-12-31"), "Kävijämäärä kasvoi", 2),
        ("T2", "toteutettu", pd.Timestamp("2026-01-31"), None, 3),
    ]


def test_action_status_per_year_keeps_each_year_and_rejects_a_repeated_year(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "tila.csv",
        [
            "toimenpide_id;vuosi;tila;paivitetty",
            "a006;2026;käynnissä;30.11.2026",
            "a006;2027;toteutettu;15.1.2028",  # the 2027 status, updated early in 2028
            "a011;;suunniteltu;1.10.2026",  # no vuosi: the year of paivitetty
        ],
    )
    frame = load_delivery(path, "toimenpiteet_tila")
    assert records(frame, ["action_id", "year", "status"]) == [
        ("a006", 2026, "käynnissä"),
        ("a006", 2027, "toteutettu"),
        ("a011", 2026, "suunniteltu"),
    ]
    twice = write_csv(
        tmp_path / "twice.csv",
        [
            "toimenpide_id;vuosi;tila;paivitetty",
            "a006;2026;käynnissä;1.6.2026",
            "a006;;toteutettu;30.11.2026",
        ],
    )
    error = raised(twice, "toimenpiteet_tila")
    assert_names(error, twice, 3, "toimenpide_id+vuosi")
    assert "rows 2 and 3" in str(error)


def test_yearly_action_status_template_is_an_action_status_file() -> None:
    path = TEMPLATE_DIR / "toimenpiteet_tila_vuosittain.csv"
    assert detect_kind(path) == "toimenpiteet_tila"
    frame = load_delivery(path, "toimenpiteet_tila")
    assert records(frame, ["action_id", "year"]) == [("esimerkki_t1", 2026), ("esimerkki_t1", 2027)]


def test_resources_file_is_validated_naming_file_row_and_column(tmp_path: Path) -> None:
    good = write_csv(
        tmp_path / "resurssit.csv",
        ["vuosi;palvelualue;maararaha;euroa;htv;kommentti", "2026;hyvinvointi;koordinaattori;62 000;1,0;"],
    )
    assert detect_kind(good) == "resurssit"
    frame = load_delivery(good, "resurssit")
    assert records(frame, ["year", "service_area", "budget_line", "eur", "person_years"]) == [
        (2026, "hyvinvointi", "koordinaattori", 62000.0, 1.0)
    ]
    bad = write_csv(
        tmp_path / "huono.csv",
        ["vuosi;palvelualue;maararaha;euroa;htv", "2026;hyvinvointi;koordinaattori;n. 60 000;1"],
    )
    error = raised(bad, "resurssit")
    assert_names(error, bad, 2, "euroa")
    missing = write_csv(tmp_path / "puuttuu.csv", ["vuosi;palvelualue;maararaha;htv", "2026;a;b;1"])
    error = raised(missing, "resurssit")
    assert_names(error, missing, 1, "euroa")


# ---------------------------------------------------------------- templates and kind detection


@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_shipped_templates_load_and_are_detected(kind: str) -> None:
    path = TEMPLATE_DIR / f"{kind}.csv"

    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert detect_kind(path) == kind
    assert len(load_delivery(path, kind)) == 2


def test_detect_kind_reads_xlsx_headers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "x.xlsx", [["toimenpide_id", "tila", "paivitetty"], ["T1", "toteutettu", "1.1.2026"]]
    )

    assert detect_kind(path) == "toimenpiteet_tila"


def test_detect_kind_rejects_unknown_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", ["nimi;arvo", "a;1"])

    with pytest.raises(
        SourceError, match=r"header matches no delivery file type; found columns \['nimi', 'arvo'\]"
    ):
        detect_kind(path)


# ---------------------------------------------------------------- value parsers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025", ("2025", 2025)),
        (2025, ("2025", 2025)),
        (2025.0, ("2025", 2025)),
        ("12/2025", ("2025-12", 2025)),
        ("1/2026", ("2026-01", 2026)),
        ("12.2025", ("2025-12", 2025)),
        ("2025-12", ("2025-12", 2025)),
        ("2025-1", ("2025-01", 2025)),
        ("31.12.2025", ("2025-12", 2025)),
        ("1.2.2026", ("2026-02", 2026)),
        ("2025-12-31", ("2025-12", 2025)),
        (dt.datetime(2025, 12, 31), ("2025-12", 2025)),
        ("joulukuu 2025", ("2025-12", 2025)),
        ("Joulukuu 2025", ("2025-12", 2025)),
        ("joulukuuta 2025", ("2025-12", 2025)),
        ("joulu 2025", ("2025-12", 2025)),
        ("tammi 2026", ("2026-01", 2026)),
        ("tammikuu/2026", ("2026-01", 2026)),
        ("kesäkuu 2025", ("2025-06", 2025)),
        ("heinakuu 2025", ("2025-07", 2025)),
        ("maalis 2026", ("2026-03", 2026)),
    ],
)
def test_parse_period(raw: object, expected: tuple[str, int]) -> None:
    assert parse_period(raw) == expected


@pytest.mark.parametrize(
    "raw", ["2025-13", "13/2025", "32.12.2025", "29.2.2025", "joulu", "Q4 2025", "25", "kuu 2025"]
)
def test_parse_period_rejects(raw: str) -> None:
    with pytest.raises(ValueError, match=raw.replace(".", r"\.")):
        parse_period(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12,5", 12.5),
        ("1 234,5", 1234.5),
        ("1\u00a0234,5", 1234.5),
        ("1\u202f234", 1234.0),
        ("12 345 678", 12345678.0),
        ("-3", -3.0),
        ("\u22123,5", -3.5),
        ("12,5 %", 12.5),
        ("12.5", 12.5),
        (" 7 ", 7.0),
        (7, 7.0),
        ("", None),
        (None, None),
    ],
)
def test_parse_number(raw: object, expected: float | None) -> None:
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["12,5x", "1 23", "1.234,5", "n. 40", "#DIV/0!", True])
def test_parse_number_rejects(raw: object) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_number(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("111", ("111", "kunta")),
        (111, ("111", "kunta")),
        ("KU111", ("111", "kunta")),
        ("07", ("07", "maakunta")),
        ("MK07", ("07", "maakunta")),
        ("09", ("09", "hyvinvointialue")),
        ("hva09", ("09", "hyvinvointialue")),
        ("SSS", ("SSS", "koko_maa")),
    ],
)
def test_parse_region(raw: object, expected: tuple[str, str]) -> None:
    assert parse_region(raw) == expected


@pytest.mark.parametrize("raw", ["9", 9, "11", "KU11", "MK007", "Heinola"])
def test_parse_region_rejects_ambiguous_codes(raw: object) -> None:
    with pytest.raises(ValueError, match="is not an area code"):
        parse_region(raw)


def test_sniff_encoding() -> None:
    assert sniff_encoding("mittari_id;ryhmä\n".encode("utf-8-sig")) == "utf-8-sig"
    assert sniff_encoding("mittari_id;ryhmä\n".encode()) == "utf-8"
    assert sniff_encoding("mittari_id;ryhmä\n".encode("cp1252")) == "cp1252"
    with pytest.raises(SourceError, match="cannot decode file as UTF-8 or cp1252.*UTF-16"):
        sniff_encoding("mittari_id;ryhmä\n".encode("utf-16"))
    with pytest.raises(SourceError, match="cannot decode file as UTF-8 or cp1252"):
        sniff_encoding("a;b\n".encode("utf-16-le"))  # no BOM: valid UTF-8 bytes, but NUL characters


# ---------------------------------------------------------------- bad files


def test_missing_or_renamed_column_lists_expected_and_found(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "laskennat.csv", ["mittari_id;ajanjakso;määrä", "a;2025;1"])

    error = raised(path, "laskennat")

    assert_names(error, path, 1, "arvo")
    assert "missing required column(s) ['arvo']" in str(error)
    assert "found columns ['mittari_id', 'ajanjakso', 'määrä']" in str(error)


def test_unparseable_number(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "laskennat.csv", ["mittari_id;ajanjakso;arvo", "a;2025;1", "a;2024;12,5x"])

    error = raised(path, "laskennat")

    assert_names(error, path, 3, "arvo")
    assert "'12,5x' is not a number" in str(error)


def test_unparseable_number_in_xlsx_names_excel_row(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "kyselyt.xlsx",
        [["mittari_id", "kysely", "vuosi", "alue", "arvo"], ["a", "K", 2025, "111", "n. 40"]],
    )

    assert_names(raised(path, "kyselyt"), path, 2, "arvo")


def test_unparseable_period(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "laskennat.csv", ["mittari_id;ajanjakso;arvo", "a;Q4/2025;1"], "cp1252")

    error = raised(path, "laskennat")

    assert_names(error, path, 2, "ajanjakso")
    assert "'Q4/2025' is not a period" in str(error)


def test_unknown_measure_id(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "laskennat.csv", ["mittari_id;ajanjakso;arvo", "known;2025;1", "typo_id;2025;2"]
    )

    error = raised(path, "laskennat", known_measure_ids={"known"})

    assert_names(error, path, 3, "mittari_id")
    assert "unknown measure id 'typo_id'" in str(error)


def test_duplicate_rows_name_both_rows(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "laskennat.csv",
        [
            "mittari_id;ajanjakso;ryhma;arvo",
            "a;12/2025;Ohjaamo;1",
            "a;12/2025;;2",
            "a;joulukuu 2025;Ohjaamo;3",
        ],
    )

    error = raised(path, "laskennat")

    assert_names(error, path, 4, "mittari_id+ajanjakso+ryhma")
    assert "duplicate row: rows 2 and 4" in str(error)


def test_duplicate_survey_rows(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "kyselyt.csv",
        ["mittari_id;kysely;vuosi;alue;arvo", "a;K;2025;111;1", "a;K;2025;SSS;1", "a;K;2025;KU111;2"],
    )

    error = raised(path, "kyselyt")

    assert_names(error, path, 4, "mittari_id+kysely+vuosi+alue+ryhma")
    assert "rows 2 and 4" in str(error)


def test_negative_count(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "laskennat.csv", ["mittari_id;ajanjakso;arvo", "a;2025;-3"])

    error = raised(path, "laskennat")

    assert_names(error, path, 2, "arvo")
    assert "negative count" in str(error)


def test_empty_required_value(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "laskennat.csv", ["mittari_id;ajanjakso;arvo", "a;2025;1", "a;2024;"])

    error = raised(path, "laskennat")

    assert_names(error, path, 3, "arvo")
    assert "required value is empty" in str(error)


def test_value_under_no_header_means_shifted_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "laskennat.csv", ["mittari_id,ajanjakso,arvo", "a,2025,12,5"], "utf-8")

    error = raised(path, "laskennat")

    assert_names(error, path, 2, "#4")
    assert "which has no header" in str(error)


def test_bad_status_and_bad_date(tmp_path: Path) -> None:
    bad_status = write_csv(tmp_path / "a.csv", ["toimenpide_id;tila;paivitetty", "T1;valmis;1.1.2026"])
    bad_date = write_csv(tmp_path / "b.csv", ["toimenpide_id;tila;paivitetty", "T1;toteutettu;31.2.2026"])

    error = raised(bad_status, "toimenpiteet_tila")
    assert_names(error, bad_status, 2, "tila")
    assert "'valmis' is not a status: use one of suunniteltu, käynnissä" in str(error)
    error = raised(bad_date, "toimenpiteet_tila")
    assert_names(error, bad_date, 2, "paivitetty")
    assert "'31.2.2026' is not a valid calendar date" in str(error)


def test_ambiguous_region_from_excel_number(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "kyselyt.xlsx", [["mittari_id", "kysely", "vuosi", "alue", "arvo"], ["a", "K", 2025, 9, 1]]
    )

    error = raised(path, "kyselyt")

    assert_names(error, path, 2, "alue")
    assert "store codes as text" in str(error)


def test_utf16_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "laskennat.csv"
    path.write_bytes("mittari_id;ajanjakso;arvo\r\na;2025;1\r\n".encode("utf-16"))

    error = raised(path, "laskennat")

    assert_names(error, path, 1, None)  # a whole-file problem: no column applies
    assert "cannot decode file as UTF-8 or cp1252" in str(error)


def test_binary_garbage_is_rejected_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "laskennat.csv"
    path.write_bytes(b"mittari_id;ajanjakso;arvo\r\na;2025;1\r\n\x81\x00\x9d\xff")

    error = raised(path, "laskennat")

    assert_names(error, path, 3, None)
    assert "cannot decode file as UTF-8 or cp1252: byte 0x81 at offset 37" in str(error)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n;;;\r\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "laskennat.csv"
    path.write_bytes(content)

    error = raised(path, "laskennat")

    assert_names(error, path, 1, None)  # no header at all; the message lists the expected columns
    assert "file is empty" in str(error) and "laskennat: mittari_id, ajanjakso, arvo" in str(error)


def test_header_without_data_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "laskennat.csv", ["mittari_id;ajanjakso;arvo"])

    error = raised(path, "laskennat")

    assert_names(error, path, 2, None)
    assert "no data rows" in str(error)


def test_not_an_xlsx_workbook(tmp_path: Path) -> None:
    path = tmp_path / "laskennat.xlsx"
    path.write_bytes(b"not a zip file")

    error = raised(path, "laskennat")

    assert_names(error, path, 1, None)
    assert "cannot open as an .xlsx workbook" in str(error)


def test_old_xls_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "laskennat.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")

    error = raised(path, "laskennat")

    assert_names(error, path, 1, None)
    assert "save as .xlsx or CSV" in str(error)


def test_duplicate_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "laskennat.csv", ["mittari_id;ajanjakso;arvo;Arvo", "a;2025;1;2"])

    assert_names(raised(path, "laskennat"), path, 1, "Arvo")


def test_unknown_kind_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown delivery kind 'laskenta'"):
        load_delivery(tmp_path / "x.csv", "laskenta")


# --- issue 18: deliveries that must not get in -------------------------------------------------

CATALOG = Path(__file__).resolve().parents[2] / "data" / "catalog"
CITY_COUNT = "esteettomat_reitit"  # source local
CITY_SURVEY = "turvallinen_asuinpaikka_alueellinen_kysely"  # source regional_survey


@pytest.fixture(scope="module")
def measures() -> pd.DataFrame:
    return pd.read_csv(CATALOG / "measures.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def action_ids() -> list[str]:
    return pd.read_csv(CATALOG / "actions.csv", dtype=str)["action_id"].tolist()


def official_measure(measures: pd.DataFrame, source: str) -> str:
    return measures.loc[measures["source"] == source, "measure_id"].iloc[0]


def folder(tmp_path: Path) -> Path:
    local = tmp_path / "local"
    (local / "demo").mkdir(parents=True)
    return local


def load(local: Path, measures: pd.DataFrame, action_ids: list[str], previous=None, **kwargs):
    from hyte_assets.lib.local_files.folder import load_folder

    return load_folder(
        local, measures, action_ids, "111", previous or {}, pd.Timestamp("2026-12-01 06:00"), **kwargs
    )


@pytest.mark.parametrize("source", ["sotkanet", "employment", "kouluterveyskysely"])
def test_official_measure_is_refused_from_city_files(
    tmp_path: Path, measures: pd.DataFrame, source: str
) -> None:
    measure = official_measure(measures, source)
    sources = dict(zip(measures["measure_id"], measures["source"], strict=True))
    counts = write_csv(
        tmp_path / "l.csv", ["mittari_id;ajanjakso;arvo", f"{CITY_COUNT};2025;5", f"{measure};2025;1"]
    )
    error = raised(counts, "laskennat", measure_sources=sources)
    assert_names(error, counts, 3, "mittari_id")
    assert f"comes from '{source}'" in str(error) and "source=local_files" in str(error)
    survey = write_csv(
        tmp_path / "k.csv", ["mittari_id;kysely;vuosi;alue;arvo", f"{measure};Kysely;2025;111;12,5"]
    )
    assert_names(raised(survey, "kyselyt", measure_sources=sources), survey, 2, "mittari_id")
    ok = write_csv(
        tmp_path / "ok.csv", ["mittari_id;kysely;vuosi;alue;arvo", f"{CITY_SURVEY};Kysely;2025;111;12,5"]
    )
    assert load_delivery(ok, "kyselyt", measure_sources=sources)["value"].tolist() == [12.5]


def test_a_survey_measure_is_not_a_count(tmp_path: Path, measures: pd.DataFrame) -> None:
    sources = dict(zip(measures["measure_id"], measures["source"], strict=True))
    path = write_csv(tmp_path / "l.csv", ["mittari_id;ajanjakso;arvo", f"{CITY_SURVEY};2025;5"])
    assert "comes from 'regional_survey'" in str(raised(path, "laskennat", measure_sources=sources))


@pytest.mark.parametrize("digits", [400, 309])
def test_huge_number_is_rejected_not_infinite(tmp_path: Path, digits: int) -> None:
    path = write_csv(tmp_path / "l.csv", ["mittari_id;ajanjakso;arvo", f"x;2025;{'9' * digits}"])
    error = raised(path, "laskennat")
    assert_names(error, path, 2, "arvo")
    assert "too large" in str(error)
    with pytest.raises(ValueError, match="too large"):
        parse_number("1" * 400)
    assert parse_number("9" * 300) == float("9" * 300)  # large but finite is still a number


def test_size_limits_name_the_limit(tmp_path: Path) -> None:
    from hyte_assets.lib.local_files import Limits

    lines = ["mittari_id;ajanjakso;ryhma;arvo"] + [f"x;2025;g{i};1" for i in range(6)]
    path = write_csv(tmp_path / "l.csv", lines)
    rows = raised(path, "laskennat", limits=Limits(max_rows=5))
    assert_names(rows, path, 7, None)
    assert "6 data rows, more than the limit of 5" in str(rows)
    groups = raised(path, "laskennat", limits=Limits(max_groups=4))
    assert_names(groups, path, 6, "ryhma")
    assert "more than 4 different measure and group" in str(groups)
    size = raised(path, "laskennat", limits=Limits(max_bytes=50))
    assert f"file={path}" in str(size) and "more than the limit of 50" in str(size)
    assert len(load_delivery(path, "laskennat")) == 6


def test_xlsx_row_limit_is_checked_before_reading(tmp_path: Path) -> None:
    from hyte_assets.lib.local_files import Limits

    rows = [["mittari_id", "ajanjakso", "arvo"], *[["x", 2025 - i % 3, i] for i in range(9)]]
    path = write_xlsx(tmp_path / "l.xlsx", rows)
    assert "more than the limit of 4" in str(raised(path, "laskennat", limits=Limits(max_rows=4)))


def test_formula_without_saved_result_is_rejected(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()  # openpyxl, like many generators, saves formulas without their results
    sheet = workbook.active
    sheet.append(["mittari_id", "ajanjakso", "ryhma", "arvo"])
    sheet.append(["x", 2025, "Ohjaamo", 5])
    sheet.append(["x", 2025, '=B2&""', "=D2*2"])
    path = tmp_path / "kaava.xlsx"
    workbook.save(path)
    error = raised(path, "laskennat")
    assert_names(error, path, 3, "ryhma")
    assert "C3 holds the formula" in str(error) and "no saved result" in str(error)


@pytest.mark.parametrize("encoding", ["cp850", "mac_roman"])
def test_other_code_pages_are_rejected_with_a_hint(tmp_path: Path, encoding: str) -> None:
    path = write_csv(
        tmp_path / "l.csv", ["mittari_id;ajanjakso;ryhma;arvo", "x;2025;Päiväkoti Ööpinen;5"], encoding
    )
    error = raised(path, "laskennat")
    assert_names(error, path, 2, None)
    assert "CSV UTF-8" in str(error) and "code page" in str(error)


def test_cp1252_with_typographic_characters_still_loads(tmp_path: Path) -> None:
    line = "x;2025;Šekki – “Ääni” … €;5"
    path = write_csv(tmp_path / "l.csv", ["mittari_id;ajanjakso;ryhma;arvo", line], "cp1252")
    assert load_delivery(path, "laskennat")["group_value"].tolist() == ["Šekki – “Ääni” … €"]


def test_action_ids_match_the_catalog_case_insensitively(tmp_path: Path, action_ids: list[str]) -> None:
    path = write_csv(tmp_path / "t.csv", ["toimenpide_id;tila;paivitetty", "A001;toteutettu;1.2.2026"])
    assert load_delivery(path, "toimenpiteet_tila", action_ids=action_ids)["action_id"].tolist() == ["a001"]
    unknown = write_csv(
        tmp_path / "u.csv",
        ["toimenpide_id;tila;paivitetty", "a001;toteutettu;1.2.2026", "a999;toteutettu;1.2.2026"],
    )
    error = raised(unknown, "toimenpiteet_tila", action_ids=action_ids)
    assert_names(error, unknown, 3, "toimenpide_id")
    assert "unknown action id 'a999'" in str(error)
    twice = write_csv(
        tmp_path / "d.csv",
        ["toimenpide_id;tila;paivitetty", "a001;toteutettu;1.2.2026", "A001;toteutettu;1.2.2026"],
    )
    assert "duplicate row" in str(raised(twice, "toimenpiteet_tila", action_ids=action_ids))


def test_cross_file_collision_rejects_the_later_file_naming_both(
    tmp_path: Path, measures: pd.DataFrame, action_ids: list[str]
) -> None:
    local = folder(tmp_path)
    write_csv(
        local / "a_laskennat.csv",
        ["mittari_id;ajanjakso;arvo", f"{CITY_COUNT};2024;4", f"{CITY_COUNT};2025;5"],
    )
    write_csv(
        local / "b_laskennat.csv",
        [
            "mittari_id;ajanjakso;arvo",
            f"{CITY_COUNT};2023;3",
            f"{CITY_COUNT};12/2025;6",
            f"{CITY_COUNT};2025;7",
        ],
    )
    write_csv(local / "c_tila.csv", ["toimenpide_id;tila;paivitetty", "a001;toteutettu;1.2.2026"])
    write_csv(local / "d_tila.csv", ["toimenpide_id;tila;paivitetty", "A001;käynnissä;1.3.2026"])

    result = load(local, measures, action_ids)

    assert [(r.file, r.row, r.column) for r in result.rejected] == [
        ("b_laskennat.csv", 4, "mittari_id+ajanjakso+ryhma"),
        ("d_tila.csv", 2, "toimenpide_id+vuosi"),  # same action, same year (2026)
    ]
    assert "row 3 of a_laskennat.csv" in result.rejected[0].message
    assert f"file={local / 'b_laskennat.csv'}" in result.rejected[0].message
    assert "c_tila.csv" in result.rejected[1].message
    counts = result.tables["raw.local_counts"]
    assert sorted(zip(counts["period"], counts["value"], strict=True)) == [("2024", 4.0), ("2025", 5.0)]
    assert result.tables["raw.action_status"]["action_id"].tolist() == ["a001"]  # once, not twice


def test_rejected_file_keeps_last_rows_except_those_another_file_now_delivers(
    tmp_path: Path, measures: pd.DataFrame, action_ids: list[str]
) -> None:
    local = folder(tmp_path)
    first = write_csv(
        local / "b.csv", ["mittari_id;ajanjakso;arvo", f"{CITY_COUNT};2024;4", f"{CITY_COUNT};2025;5"]
    )
    previous = load(local, measures, action_ids).tables["raw.local_counts"]
    write_csv(local / "a.csv", ["mittari_id;ajanjakso;arvo", f"{CITY_COUNT};2025;9"])
    write_csv(first, ["mittari_id;ajanjakso;arvo", f"{CITY_COUNT};2024;4x"])

    result = load(local, measures, action_ids, {"laskennat": previous})

    assert [r.file for r in result.rejected] == ["b.csv"]
    counts = result.tables["raw.local_counts"]
    assert sorted(zip(counts["source_file"], counts["period"], counts["value"], strict=True)) == [
        ("a.csv", "2025", 9.0),
        ("b.csv", "2024", 4.0),
    ]


def test_demo_comes_from_the_folder_or_the_column_not_the_name(
    tmp_path: Path, measures: pd.DataFrame, action_ids: list[str]
) -> None:
    local = folder(tmp_path)
    write_csv(local / "demo_laskennat.csv", ["mittari_id;ajanjakso;arvo", f"{CITY_COUNT};2021;1"])
    write_csv(local / "demo" / "laskennat.csv", ["mittari_id;ajanjakso;arvo", f"{CITY_COUNT};2022;2"])
    write_csv(
        local / "sekalaiset.csv",
        [
            "mittari_id;ajanjakso;arvo;is_demo",
            f"{CITY_COUNT};2023;3;kyllä",
            f"{CITY_COUNT};2024;4;ei",
            f"{CITY_COUNT};2025;5;",
        ],
    )

    result = load(local, measures, action_ids)

    assert not result.rejected
    counts = result.tables["raw.local_counts"]
    assert sorted(zip(counts["source_file"], counts["period"], counts["is_demo"], strict=True)) == [
        ("demo/laskennat.csv", "2022", True),
        ("demo_laskennat.csv", "2021", False),
        ("sekalaiset.csv", "2023", True),
        ("sekalaiset.csv", "2024", False),
        ("sekalaiset.csv", "2025", False),
    ]


def test_symlinks_in_the_delivery_folder_are_ignored(
    tmp_path: Path, measures: pd.DataFrame, action_ids: list[str]
) -> None:
    from hyte_assets.lib.local_files.folder import delivery_files

    local = folder(tmp_path)
    outside = write_csv(tmp_path / "outside.csv", ["mittari_id;ajanjakso;arvo", f"{CITY_COUNT};2025;5"])
    (local / "linkki.csv").symlink_to(outside)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write_csv(elsewhere / "x.csv", ["mittari_id;ajanjakso;arvo", f"{CITY_COUNT};2024;5"])
    (local / "demo").rmdir()
    (local / "demo").symlink_to(elsewhere, target_is_directory=True)
    real = write_csv(local / "oikea.csv", ["mittari_id;ajanjakso;arvo", f"{CITY_COUNT};2023;3"])

    assert delivery_files(local) == [real]
    assert load(local, measures, action_ids).files == ["oikea.csv"]


def test_shipped_demo_deliveries_live_in_the_demo_folder(
    measures: pd.DataFrame, action_ids: list[str]
) -> None:
    local = TEMPLATE_DIR.parent
    assert not list(local.glob("demo_*")), "demo status no longer comes from a file-name prefix"
    result = load(local, measures, action_ids)
    assert not result.rejected, [r.message for r in result.rejected]
    assert result.tables["raw.local_counts"]["is_demo"].all()
    assert result.tables["raw.survey_values"]["is_demo"].all()
    assert not result.tables["raw.action_status"]["is_demo"].any()
