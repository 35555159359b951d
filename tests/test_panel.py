"""The panel: from facts to one row per (region, period, indicator, measure, modality).

The county series test runs the command line on the eight 海拉尔区 work reports (2012–2019) and
checks the GDP series against tests/panel/hailar_gdp.csv, a table read by hand from the texts
before any observation rule was written.
"""
import csv
import math
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.__main__ import main
from pipeline.panel import build

from tests.conftest import REPORTS, needs_shared

HERE = Path(__file__).parent


def _fact(**kw):
    base = dict(doc_id="d1", start=0, end=4, text="5.5%", value=5.5, value_max=None, unit="%", approx="exact",
                sentence="全年地区生产总值增长5.5%", indicator="gdp", measure="growth", modality="actual",
                period="2025", year=2025, aggregation=None, region="河南省", region_level="province",
                comparison="上年")
    base.update(kw)
    return base


DOCS = [{"doc_id": "d1", "source": "a.txt", "date": "2026-01-26", "year": 2026},
        {"doc_id": "d2", "source": "b.txt", "date": "2027-01-20", "year": 2027}]


def test_the_same_figure_twice_is_one_row_with_both_sources():
    rows = build([_fact(), _fact(start=100, end=104)], DOCS)
    assert len(rows) == 1
    assert rows[0]["n_sources"] == 2 and not rows[0]["conflict"]
    assert [s["start"] for s in rows[0]["sources"]] == [0, 100]


def test_disagreeing_sources_keep_the_latest_document_and_say_so():
    rows = build([_fact(value=5.5), _fact(doc_id="d2", value=5.6, start=10, end=14)], DOCS)
    assert len(rows) == 1
    assert rows[0]["value"] == 5.6 and rows[0]["doc_id"] == "d2" and rows[0]["conflict"]


def test_a_year_on_year_statement_is_preferred_to_another_base():
    rows = build([_fact(value=11.1, comparison="2019年同期", start=0), _fact(value=5.4, start=50)], DOCS)
    assert rows[0]["value"] == 5.4 and rows[0]["conflict"]


@pytest.mark.parametrize("change", [dict(modality="target"), dict(period="2026", year=2026),
                                    dict(measure="level", unit="元", value=6.66e12), dict(region="中国")])
def test_a_different_key_is_a_different_row(change):
    assert len(build([_fact(), _fact(start=50, **change)], DOCS)) == 2


def test_facts_without_a_catalogue_indicator_stay_out():
    assert build([_fact(indicator=None)], DOCS) == []


def test_panel_command_says_what_is_missing(tmp_path, capsys):
    assert main(["panel", "--input", str(tmp_path)]) == 2
    assert "facts.parquet" in capsys.readouterr().err


def _reference():
    with open(HERE / "panel" / "hailar_gdp.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@needs_shared
def test_hailar_gdp_series_from_the_panel_command(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    for p in sorted(REPORTS.glob("gwr-hailaer-*.txt")):
        shutil.copy(p, inp / p.name)
    out = tmp_path / "out"
    assert main(["extract", "--input", str(inp), "--output", str(out), "--quiet"]) == 0
    assert main(["panel", "--input", str(out), "--output", str(out / "panel.parquet")]) == 0
    panel = pq.read_table(out / "panel.parquet").to_pylist()
    got = {(r["period"], r["measure"], r["modality"]): r["value"] for r in panel
           if r["region"] == "海拉尔区" and r["indicator"] == "gdp" and r["aggregation"] is None}
    # every figure of the hand-read table: GDP and its growth, actual (last year) and target (this year)
    wanted = [(r["period_year"], r["measure"], r["modality"], float(r["value"])) for r in _reference()]
    assert len(wanted) == 28
    wrong = [(y, m, mod, v, got.get((y, m, mod))) for y, m, mod, v in wanted
             if got.get((y, m, mod)) is None or not math.isclose(got[(y, m, mod)], v, rel_tol=1e-9)]
    assert not wrong, f"panel values differ from the hand-read table: {wrong}"
