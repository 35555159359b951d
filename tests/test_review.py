"""Review pages, the accuracy report and the dataset card; the page is checked in headless Chromium
(the Debian package; `make test` installs it when missing — without it these tests skip, saying so)."""
import html.parser
import shutil
import subprocess

import pyarrow.parquet as pq
import pytest

from pipeline import __main__ as cli
from pipeline.review import eval_report, render_document
from tests.conftest import ROOT

SEED = ROOT / "raw" / "000_826c0860dc6de139.txt"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (make browser)")


class _Rows(html.parser.HTMLParser):
    """The row ids on highlighted elements, and whether an element carries an attribute."""

    def __init__(self):
        super().__init__()
        self.ids, self.attrs = set(), set()

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            self.attrs.add(k)
            if k == "data-rows":
                self.ids.update(v.split())


def _ids(page: str) -> _Rows:
    p = _Rows()
    p.feed(page)
    return p


def _extract(tmp_path, text):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    (inp / "doc.txt").write_text(text, encoding="utf-8")
    assert cli.main(["extract", "--input", str(inp), "--output", str(out), "--quiet"]) == 0
    return out


def _counts(out):
    return sum(len(pq.read_table(out / f"{n}.parquet")) for n in ("quantities", "entities", "facts"))


def test_every_row_is_highlighted_and_text_is_escaped():
    text = "孟州市<script>alert(1)</script>全年地区生产总值增长5.5%。"
    doc = {"doc_id": "d", "source": "a<b>.txt", "text": text}
    qs, ms = text.index("5.5%"), text.index("地区生产总值")
    q = [{"start": qs, "end": qs + 4, "text": "5.5%", "value": 5.5, "unit": "%", "kind": "percent",
          "approx": "exact", "norm": None}]
    e = [{"start": 0, "end": 3, "text": "孟州市", "label": "GPE", "source": "rule", "rule": "gazetteer"}]
    f = [{"start": qs, "end": qs + 4, "text": "5.5%", "metric": "地区生产总值", "metric_start": ms, "metric_end": ms + 6,
          "predicate": "增长", "indicator": "gdp", "measure": "growth", "modality": "actual", "period": "2024",
          "aggregation": None, "region": "孟州市", "comparison": None}]
    page = render_document(doc, q, e, f)
    assert "<script>" not in page and "&lt;script&gt;" in page and "a&lt;b&gt;.txt" in page
    assert _ids(page).ids == {"q0", "e0", "f0"}


def test_extract_writes_a_dataset_card(tmp_path):
    out = _extract(tmp_path, SEED.read_text(encoding="utf-8"))
    card = (out / "README.md").read_text(encoding="utf-8")
    n = len(pq.read_table(out / "quantities.parquet"))
    assert f"`quantities.parquet` | One row per quantity mention. | {n:,} |" in card
    assert "git " in card and "sha256" in card


def test_eval_report_has_tables_a_chart_and_filterable_errors():
    m = {"quantities": {"span": {"p": 1, "r": 1, "f1": 1, "gold": 3}, "value_unit": {"p": 1, "r": 1, "f1": 1},
                        "per_kind": {"percent": {"span": {"f1": 1.0, "gold": 3}, "value_unit": {"f1": 1.0}}},
                        "per_genre": {"news": {"f1": 1.0}}},
         "facts": {"strict": {"p": .5, "r": .5, "f1": .5}, "lenient": {"p": 1, "r": 1, "f1": 1},
                   "per_genre": {"news": {"f1": .5}}},
         "entities": {"all": {"p": 1, "r": 1, "f1": 1}, "per_genre": {"news": {"f1": 1.0}}}}
    page = eval_report({"test": m}, ["# test split", "## doc-a (test, news)",
                                     "- FN fact `<b>总投资</b>` ← `345亿元`"])
    assert "<svg" in page and "<table>" in page and 'data-table="facts"' in page
    assert "<b>总投资</b>" not in page


@needs_browser
def test_the_sample_article_page_in_a_real_browser(tmp_path):
    out = _extract(tmp_path, SEED.read_text(encoding="utf-8"))
    page = out / "review.html"
    assert cli.main(["show", "--input", str(out), "--output", str(page)]) == 0
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert len(_ids(dom).ids) == _counts(out) > 100  # every quantity, entity and fact is on the page
    shot = ROOT / "outputs" / "review-screenshot.png"
    shot.parent.mkdir(exist_ok=True)
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=1000,1300", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000


@needs_browser
def test_a_script_in_a_document_does_not_run(tmp_path):
    text = "全年地区生产总值增长5.5%。<script>document.body.setAttribute('data-pwned','yes')</script><img src=x onerror=\"document.body.setAttribute('data-pwned','yes')\">"
    out = _extract(tmp_path, text)
    page = out / "review.html"
    assert cli.main(["show", "--input", str(out), "--output", str(page)]) == 0
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert "data-pwned" not in _ids(dom).attrs
    assert "&lt;script&gt;" in dom
