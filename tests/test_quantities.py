"""Quantity grammar: the spec table (tests/spec/quantities.jsonl, negatives beside positives),
numeral readers, and the grammar loader's errors."""
import json
import math

import pytest

from pipeline import numerals, quantities
from pipeline.cleanview import build
from tests.conftest import ROOT

SPEC = [json.loads(line) for line in (ROOT / "tests/spec/quantities.jsonl").read_text(encoding="utf-8").splitlines() if line]


def run(text):
    v = build(text)
    out = []
    for q in quantities.find(v.text):
        s, e = v.to_doc(q.start, q.end)
        out.append({"text": text[s:e], "value": q.value, "value_max": q.value_max, "unit": q.unit,
                    "kind": q.kind, "approx": q.approx})
    return out


@pytest.mark.parametrize("case", SPEC, ids=[c["text"] for c in SPEC])
def test_spec(case):
    got = run(case["text"])
    assert len(got) == len(case["expected"]), got
    for g, e in zip(got, case["expected"]):
        for k in ("text", "unit", "kind", "approx"):
            assert g[k] == e[k], (k, g, e)
        for k in ("value", "value_max"):
            assert (g[k] is None) == (e[k] is None) and (e[k] is None or math.isclose(g[k], e[k])), (k, g, e)


def test_spec_has_negatives_beside_positives():
    assert sum(1 for c in SPEC if not c["expected"]) >= 15
    assert sum(1 for c in SPEC if c["expected"]) >= 30


@pytest.mark.parametrize("s,v", [("五千九百", 5900), ("两万", 20000), ("一万二", 12000), ("三万五千", 35000),
                                 ("十", 10), ("十二", 12), ("一百零五", 105), ("三千五", 3500), ("一九九八", 1998),
                                 ("五万亿", 5e12), ("一亿二千万", 120_000_000), ("二〇二四", 2024)])
def test_cn_integer(s, v):
    assert numerals.cn_integer(s) == v


@pytest.mark.parametrize("s,v", [("三点二", 3.2), ("零点五", 0.5), ("十二点零五", 12.05)])
def test_cn_decimal(s, v):
    assert math.isclose(numerals.cn_decimal(s), v)


@pytest.mark.parametrize("s,v", [("万", 1e4), ("亿", 1e8), ("万亿", 1e12), ("百亿亿", 1e18), ("千", 1e3)])
def test_magnitude(s, v):
    assert numerals.magnitude(s) == v


def test_bad_grammar_names_file_and_entry(tmp_path):
    text = quantities.GRAMMAR_PATH.read_text(encoding="utf-8").replace('resolver = "date"', 'resolver = "nope"', 1)
    p = tmp_path / "quantity_grammar.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(quantities.GrammarError, match="(?s)quantity_grammar.toml.*rules.0.resolver.*nope"):
        quantities.load_grammar(p)


def test_unknown_fragment_is_an_error(tmp_path):
    text = quantities.GRAMMAR_PATH.read_text(encoding="utf-8").replace("{quarter}", "{quartre}", 1)
    p = tmp_path / "quantity_grammar.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(quantities.GrammarError, match="unknown fragment"):
        quantities.Extractor(quantities.load_grammar(p))


def test_unit_listed_twice_is_an_error(tmp_path):
    text = quantities.GRAMMAR_PATH.read_text(encoding="utf-8").replace('[units.count]\n', '[units.count]\n"亩" = "亩"\n', 1)
    p = tmp_path / "quantity_grammar.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(quantities.GrammarError, match="亩"):
        quantities.load_grammar(p)
