"""The welfare report as the council document: structure, action follow-up, safe texts, charts,
accessibility (axe-core in headless Chromium) and the PDF.

The report is rendered from the small hand-made warehouse of test_reports.py plus the optional
tables (hyte-kerroin, group gaps, TEAviisari) and the coordinator's files in a temporary data folder.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tomllib

import duckdb
import pandas as pd
import pytest

from hyte_assets.lib.actions import Due, lead_key, parse_due, read_action_keys, schedule_state, status_history
from hyte_assets.lib.report import load_report_data, render_charts, render_report, report_filename, write_pdf
from hyte_assets.lib.report.charts import ChartSpec, Line, svg_chart, y_range
from hyte_assets.lib.report.texts import TEXTS_FILE
from hyte_assets.lib.warehouse import replace_tables
from hyte_assets_tests.e2e import axe, chromium
from hyte_assets_tests.test_reports import REPO, build_small_warehouse

SECTIONS = ("tiivistelma", "resurssit", "yhteistyo", "liikunta", "elintavat", "teaviisari", "hyte")
SECTIONS += ("vahimmaistiedot", "freshness")
REPEATED = ("a035", "a085")  # "Liikuntaedut 70 vuotta täyttäneille" appears under several goals
SCRIPT_TEXT = "Kiusaamisen vastainen malli **toimii**.\n\n<script>alert('x')</script>\n"


def with_summaries(published: pd.DataFrame) -> pd.DataFrame:
    """summary_fi / summary_en as the hyte model writes them (its own sentence function)."""
    from hyte_assets.lib.hyte.what_if import published_sentences

    pairs = [published_sentences(row, "Heinola") for row in published.to_dict("records")]
    return published.assign(summary_fi=[fi for fi, _ in pairs], summary_en=[en for _, en in pairs])


def extra_tables() -> dict[str, pd.DataFrame]:
    """Optional inputs: a hyte-kerroin, two readings of the law, group gaps and TEA scores."""
    code = {"municipality_code": ["111"]}
    return {
        "reports.hyte_kerroin": pd.DataFrame(
            {
                **code,
                "payment_year": [2026],
                "coefficient": [0.62],
                "eur_per_resident": [12.4],
                "eur_total": [238_000.0],
                "rank_maakunta": [1],
                "rank_national": [40],
                "assumption_set": ["default"],
                "base_price_eur": [19.97],
                "base_price_source": ["assumed = 2025 price, unverified"],
                "is_demo": [True],
            }
        ),
        "reports.hyte_published": with_summaries(
            pd.DataFrame(
                {
                    "municipality_code": ["111", "111"],
                    "assumption_set": ["default", "relative_change"],
                    "payment_year": [2026, 2026],
                    "coefficient": [0.62, 0.58],
                    "eur_per_resident": [12.4, 11.6],
                    "base_price_eur": [19.97, 19.97],
                    "base_price_source": ["assumed = 2025 price, unverified"] * 2,
                    "delta_vs_published_eur": [-9.1, -9.9],
                    "published_eur_per_resident": [21.5, 21.5],
                    "published_source": ["Heinolan hyvinvointisuunnitelma 2026–2029"] * 2,
                    "demo_inputs": ["process_answers", "process_answers"],
                    "is_demo": [True, True],
                }
            )
        ),
        "reports.group_gaps": pd.DataFrame(  # the columns of dbt_like_sql/reports/group_gaps.sql
            {
                "measure_id": ["ktk_liikunta_enintaan_1h"] * 3,
                "region_level": ["kunta", "kunta", "koko_maa"],
                "period": ["2025"] * 3,
                "gap": [4.2, 0.3, 2.0],
                "gap_low": [1.0, -2.1, 1.1],
                "gap_high": [7.4, 2.7, 2.9],
                "is_reported_gap": [True, False, True],
                "summary_fi": [
                    "8.-9. lk tytöt: liikkuu enintään tunnin 24,2 % vs pojat 20,0 %",
                    "lukio tytöt: inside the noise",
                    "koko maa: a national gap",
                ],
                "summary_en": ["8.-9. lk girls: 24.2 % vs boys 20.0 %", "noise", "national"],
                "is_demo": [True] * 3,
            }
        ),
        "reports.teaviisari": pd.DataFrame(
            {
                "sector_id": ["kuntajohto"] * 3 + ["liikunta"] * 3,
                "region_level": ["kunta", "maakunta", "koko_maa"] * 2,
                "year": [2025] * 6,
                "score": [81.0, 70.0, 72.0, 22.0, 55.0, 60.0],
                "is_demo": [True] * 6,
            }
        ),
        "raw.resources": pd.DataFrame(
            {
                "year": [2026, 2025],
                "service_area": ["hyvinvoinnin palvelualue", "hyvinvoinnin palvelualue"],
                "budget_line": ["hyvinvointikoordinaattori", "vanha rivi"],
                "eur": [62_000.0, 1.0],
                "person_years": [1.0, None],
                "comment": ["", ""],
                "is_demo": [True, True],
            }
        ),
        "raw.action_status": pd.DataFrame(
            {
                "action_id": [REPEATED[0], REPEATED[0], "a011"],
                "status": ["ei aloitettu", "käynnissä", "suunniteltu"],
                "updated_at": pd.to_datetime(["2025-11-30", "2026-11-30", "2026-11-30"]),
                "comment": ["", "Aloitettu syksyllä", ""],
                "is_demo": [False, False, False],
            }
        ),
    }


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    work = tmp_path_factory.mktemp("document")
    data_dir = work / "data"
    shutil.copytree(REPO / "data" / "catalog", data_dir / "catalog")
    texts = data_dir / "local" / "kertomus" / "2026"
    texts.mkdir(parents=True)
    (texts / "turvallinen_arki.md").write_text(SCRIPT_TEXT, encoding="utf-8")
    db = work / "small.duckdb"
    build_small_warehouse(db, demo=True)
    con = duckdb.connect(str(db))
    try:
        replace_tables(con, extra_tables())
        data = load_report_data(con, data_dir=data_dir)
        term = load_report_data(con, data_dir=data_dir, kind="council_term")
    finally:
        con.close()
    charts = render_charts(data)
    pages = {}
    for lang in ("fi", "en"):
        path = work / report_filename(data, lang)
        path.write_text(render_report(data, charts, lang=lang), encoding="utf-8")
        pages[lang] = path
    return {"data": data, "term": term, "pages": pages, "work": work}


def page(rendered: dict[str, object], lang: str = "fi") -> str:
    return rendered["pages"][lang].read_text(encoding="utf-8")  # type: ignore[index]


# --- action follow-up ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Turvallinen koulupäivä ... käyttöönotto kaikissa kouluissa 1.8.2026 alkaen.",
            Due("1.8.2026 alkaen", start=dt.date(2026, 8, 1)),
        ),
        ("Perhekoulun järjestäminen vähintään 4 x vuodessa", Due("vähintään 4 x vuodessa", per_year=4)),
        ("Pilotointi syksy 2026", Due("syksy 2026", deadline=dt.date(2026, 11, 30))),
        ("liikuntavälinelainaamo (2027 alkaen)", Due("2027 alkaen", start=dt.date(2027, 1, 1))),
        ("Vastikkeettomat ruokajakelut viikoittain", Due("viikoittain", per_year=52)),
        ("Someturva", Due("")),
    ],
)
def test_milestones_from_the_plans_own_words(text: str, expected: Due) -> None:
    assert parse_due(text) == expected


def test_schedule_state() -> None:
    start = Due("1.8.2026 alkaen", start=dt.date(2026, 8, 1))
    assert schedule_state(start, "suunniteltu", dt.date(2026, 11, 30)) == "late"
    assert schedule_state(start, "käynnissä", dt.date(2026, 11, 30)) == "on_schedule"
    assert schedule_state(start, "suunniteltu", dt.date(2026, 6, 1)) == "on_schedule"
    assert (
        schedule_state(Due("syksy 2026", deadline=dt.date(2026, 11, 30)), "käynnissä", dt.date(2026, 12, 1))
        == "late"
    )
    assert schedule_state(Due(""), "toteutettu", dt.date(2026, 12, 1)) == "done"
    assert schedule_state(Due(""), None, dt.date(2026, 12, 1)) == "not_due"
    assert schedule_state(Due("4 x vuodessa", per_year=4), None, dt.date(2026, 12, 1)) == "unknown"
    assert schedule_state(start, None, dt.date(2026, 12, 1)) == "late"


def test_lead_key_folds_the_plans_spellings() -> None:
    a = "Kaupunkiympäristön palvelualue|Jyränkölän Setlementti|opiskeluhoolto"
    b = "Kaupunkiympäristön  palvelualue|Jyränkölän Settlementti|opiskeluhuolto"
    assert (
        lead_key(a) == lead_key(b) == "kaupunkiympäristön palvelualue|jyränkölän settlementti|opiskeluhuolto"
    )


def test_every_repeated_action_shares_one_key() -> None:
    actions = pd.read_csv(REPO / "data" / "catalog" / "actions.csv", dtype=str)
    keys = read_action_keys(REPO / "data" / "catalog" / "action_keys.csv")
    assert set(keys) == set(actions["action_id"])
    folded = actions["action_fi"].str.casefold().str.split().str.join(" ").str.rstrip(".")
    for _, group in actions.groupby(folded):
        assert len({keys[a] for a in group["action_id"]}) == 1, list(group["action_id"])
    assert keys[REPEATED[1]] == keys[REPEATED[0]]


def test_status_history_keeps_each_year() -> None:
    status = extra_tables()["raw.action_status"]
    later = pd.DataFrame(
        {
            "action_id": [REPEATED[1]],
            "status": ["toteutettu"],
            "updated_at": [pd.Timestamp("2027-11-30")],
            "comment": [""],
            "is_demo": [False],
        }
    )
    keys = read_action_keys(REPO / "data" / "catalog" / "action_keys.csv")
    history = status_history(pd.concat([status, later]), keys)
    key = keys[REPEATED[0]]
    assert [history[(key, y)]["status"] for y in (2025, 2026, 2027)] == [
        "ei aloitettu",
        "käynnissä",
        "toteutettu",
    ]


def test_report_shows_this_year_and_last_under_every_goal_of_a_repeated_action(rendered) -> None:
    report = page(rendered)
    key = read_action_keys(REPO / "data" / "catalog" / "action_keys.csv")[REPEATED[0]]
    rows = re.findall(rf"<tr data-action-key='{key}'>(.*?)</tr>", report, re.S)
    goals = pd.read_csv(REPO / "data" / "catalog" / "actions.csv", dtype=str)
    listed = goals[goals["action_fi"] == goals.set_index("action_id").loc[REPEATED[0], "action_fi"]]
    assert len(rows) == len(listed) >= 2
    for row in rows:
        now = re.search(r"class='status-now'>(.*?)<", row, re.S).group(1)
        last = re.search(r"class='status-last'>(.*?)<", row, re.S).group(1)
        assert (now, last) == ("käynnissä", "ei aloitettu")
    assert "Tila 2026" in report and "Tila 2025" in report
    # "… käyttöönotto kaikissa kouluissa 1.8.2026 alkaen", still planned in November 2026: late
    a011 = re.search(r"<tr data-action-key='a011'>(.*?)</tr>", report, re.S).group(1)
    assert "1.8.2026 alkaen" in a011 and "myöhässä" in a011


# --- texts ---------------------------------------------------------------------------------------


def test_conclusions_markdown_is_rendered_and_html_in_it_is_text(rendered) -> None:
    report = page(rendered)
    section = report.split("id='turvallinen_arki-johtopaatokset'")[1].split("</section>")[0]
    assert "<strong>toimii</strong>" in section
    assert "&lt;script&gt;alert(" in section
    assert "<script" not in report.lower()
    other = report.split("id='osallisuus-johtopaatokset'")[1].split("</section>")[0]
    assert "Ei vielä kirjoitettu." in other


def test_finnish_and_english_texts_have_the_same_keys() -> None:
    with TEXTS_FILE.open("rb") as handle:
        texts = tomllib.load(handle)
    assert set(texts["fi"]) == set(texts["en"])


def test_no_internal_identifiers_in_the_finnish_report(rendered) -> None:
    visible = re.sub(r"<[^>]+>", " ", page(rendered))
    for word in ("default", "relative_change", "assumed", "unverified", "process_answers", "measure_id"):
        assert word not in visible, word
    assert "perusoletus" in visible and "suhteellinen muutos" in visible
    assert "oletus: vuoden 2025 perushinta, vahvistamaton" in visible


def test_every_section_and_the_summary_sentences(rendered) -> None:
    report = page(rendered)
    ids = re.findall(r"id='([^']+)'", report)
    for section in SECTIONS:
        assert section in ids, section
    assert report.index("id='tiivistelma'") < report.index("class='theme'")
    toc = report.split("class='toc'")[1].split("</nav>")[0]
    assert all(f"href='#{s}'" in toc for s in SECTIONS if s != "tiivistelma")
    assert "Ennallaan satunnaisvaihtelun rajoissa" in report
    summary = report.split("id='tiivistelma'")[1].split("</section>")[0]
    # the hyte model's sentence (reports.hyte_published.summary_fi): coefficient first, euros second
    assert (
        "Heinolan hyte-kerroin maksuvuodelle 2026 on mallin mukaan 0,620 (oletukset: perusoletus)." in summary
    )
    assert summary.index("0,620") < summary.index("€/asukas")
    hyte = report.split("id='hyte'")[1].split("</section>")[0]
    assert "class='hyte-summary'>Heinolan hyte-kerroin maksuvuodelle 2026" in hyte
    resources = report.split("id='resurssit'")[1].split("</section>")[0]
    assert "hyvinvointikoordinaattori" in resources and "62\u00a0000" in resources  # raw.resources
    assert "vanha rivi" not in resources  # another year's line
    # reports.group_gaps: the municipality's gaps beyond the noise, not the ones inside it
    assert "8.-9. lk tytöt: liikkuu enintään tunnin 24,2 % vs pojat 20,0 %" in report
    assert "inside the noise" not in report and "a national gap" not in report
    assert "81 · hyvä" in report and "22 · heikko" in report  # TEA bands with words, not colour alone
    assert "Ikääntyneiden lonkkamurtumien määrä" in report  # minimum-indicator appendix
    assert "ei saatavilla" in report


def test_headings_are_in_order(rendered) -> None:
    for lang in ("fi", "en"):
        levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", page(rendered, lang))]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels


def test_council_term_report(rendered) -> None:
    term = rendered["term"]
    html_text = render_report(term, lang="fi")
    assert "Laaja hyvinvointikertomus, valtuustokausi 2025–2029" in html_text
    assert report_filename(term, "fi") == "hyvinvointikertomus_2025-2029.html"
    annual_years = set(re.findall(r"<th scope='row'>(\d{4})</th>", page(rendered)))
    term_years = set(re.findall(r"<th scope='row'>(\d{4})</th>", html_text))
    assert annual_years < term_years  # the whole series, not only the recent window


# --- charts --------------------------------------------------------------------------------------


def test_percent_axis_starts_at_zero_and_holds_target_and_band() -> None:
    spec = ChartSpec(
        [Line("kunta", (2023, 2024, 2025), (61.0, 62.0, 63.5))],
        unit="percent",
        target=70.0,
        band=(59.0, 65.0),
        band_x=(2024, 2025),
    )
    assert y_range(spec) == (0.0, 100.0)
    svg = svg_chart(spec, str, title="T <b>", desc="d", unit_label="%", target_label="Tavoite")
    assert "T &lt;b&gt;" in svg and "<b>" not in svg
    assert 'fill="#d9d9d9"' in svg  # the noise band
    assert 'stroke-dasharray="8 2 2 2"' in svg  # the target line


def test_yes_no_measures_are_a_status_not_a_line(rendered) -> None:
    data = rendered["data"]
    units = data.indicators.drop_duplicates("measure_id").set_index("measure_id")["unit"]
    yes_no = {m for m in render_charts(data) if units.get(m) == "yes_no"}
    assert not yes_no
    assert re.search(r"<p class='yes-no'>[^<]+: kyllä \(2025\)</p>", page(rendered))


def test_every_chart_has_a_text_alternative_and_a_table(rendered) -> None:
    report = page(rendered)
    figures = re.findall(r"<figure data-measure='[^']+'>(.*?)</figure>", report, re.S)
    assert figures
    for figure in figures:
        assert 'role="img"' in figure and "<desc>" in figure and "Heinola:" in figure
        assert "<details>" in figure and "<table class='data'>" in figure


# --- browser, accessibility and PDF --------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> str:
    binary, why = chromium.find_or_install()
    if binary is None:
        pytest.skip(f"headless Chromium unavailable: {why}")
    return binary


def test_report_in_chromium_has_every_section_no_console_errors_and_passes_axe(
    rendered, browser, tmp_path
) -> None:
    script, why = axe.find_or_install()
    if script is None:
        pytest.skip(f"axe-core unavailable: {why}")
    for lang in ("fi", "en"):
        path = rendered["pages"][lang]
        dom = chromium.run(browser, path.as_uri(), tmp_path / f"profile-{lang}", "--dump-dom")
        assert dom.returncode == 0, dom.stderr[-2000:]
        for section in SECTIONS:
            assert f'id="{section}"' in dom.stdout, section
        assert not [line for line in dom.stderr.splitlines() if "CONSOLE" in line]
        violations = axe.scan(browser, path, tmp_path, script)
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, bad


def test_pdf_has_page_numbers_and_the_contents_on_page_one_or_two(
    rendered, browser, tmp_path, monkeypatch
) -> None:
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.skip("poppler-utils (pdftoppm, pdftotext) not installed")
    monkeypatch.setenv("HYTE_CHROMIUM", browser)
    pdf = write_pdf(rendered["pages"]["fi"], tmp_path / "report.pdf")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "p")], check=True
    )
    assert len(list(tmp_path.glob("p-*.png"))) == 2
    first_two = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "2", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Sisällys" in first_two and "Resurssit" in first_two
    pages = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout,
        ).group(1)
    )
    assert pages > 2 and f"Sivu 1 / {pages}" in first_two
