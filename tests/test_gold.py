"""Gold files: the checker is green, the set is large enough, and the accuracy ratchet holds."""
import json

import pytest

from pipeline import evaluate, gold
from tests.conftest import needs_shared

DOCS = gold.load_all()


def test_checker_is_green():
    errs, _ = gold.check()
    assert errs == []


def test_checker_catches_a_broken_span(tmp_path):
    d = json.loads((gold.GOLD_DIR / "000_826c0860dc6de139.json").read_text(encoding="utf-8"))
    d["quantities"][0]["end"] += 1
    p = tmp_path / "000_826c0860dc6de139.json"
    p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    errs, _ = gold.check([p])
    assert any("!= surface" in e for e in errs)


def test_sample_article_is_labelled_whole():
    d = next(d for d in DOCS if d.name == "000_826c0860dc6de139")
    assert d.window == (0, len(d.text)) and d.split == "dev"
    assert len(d.data["quantities"]) >= 80 and len(d.data["facts"]) >= 60 and len(d.data["entities"]) >= 40


def test_size_and_split():
    assert len(DOCS) >= 20
    assert sum(len(d.data["quantities"]) for d in DOCS) >= 1500
    assert sum(len(d.data["facts"]) for d in DOCS) >= 300
    assert sum(len(d.data["entities"]) for d in DOCS) >= 300
    genres = {d.genre for d in DOCS if d.split == "test"}
    assert {"gwr-provincial", "gwr-national", "gwr-county", "statistical-communique", "news"} <= genres


def test_news_items_are_not_in_the_repository():
    for d in DOCS:
        if d.genre == "news":
            assert d.data["source"].startswith("shared:")


@needs_shared
def test_accuracy_ratchet_on_the_test_split():
    """Fails when a headline score on the test split drops below the committed baseline."""
    result = evaluate.run("test")
    drops = evaluate.compare_baseline(result)
    assert drops == [], "scores dropped below tests/gold/baseline.json: " + "; ".join(drops)


@needs_shared
def test_baseline_is_committed_for_the_test_split():
    base = json.loads(evaluate.BASELINE.read_text(encoding="utf-8"))
    assert set(base["test"]) == {"quantities_span_f1", "quantities_value_unit_f1", "facts_strict_f1",
                                 "facts_lenient_f1", "entities_f1", "panel_f1"} | {
        f"fact_{k}_accuracy" for k in evaluate.HEADLINE_FIELDS}
