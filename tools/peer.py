"""The one place that maps our records onto Microsoft Recognizers-Text's (RT) Chinese models.

RT's spec suites (Specs/Number/Chinese, Specs/NumberWithUnit/Chinese; a copy lives in
../shared/peer-suites/recognizers-text) are a peer benchmark for issue 3. This module says:

- which of our outputs answer which RT model (MODELS below);
- how our canonical units are named in RT (UNITS);
- the deliberate convention differences, each as code with a comment (see `_convention_*`).

It states differences; it never drops or rewrites one of our records to make a case pass. A
case we get wrong stays wrong and is listed, with its reason, in tests/peer/known_failures.json.

Offsets: RT's `End` is inclusive and its `Text` is normalised (full-width -> ASCII, lower case);
we compare our half-open spans with [Start, End + 1) and the text of that span after the same
normalisation.
"""
from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline import cleanview, quantities
from pipeline.paths import SHARED

from tools import numbers

REPO = Path(__file__).resolve().parent.parent
SUITE_DIR = SHARED / "peer-suites" / "recognizers-text" / "Specs"

# RT spec file -> RT model (its TypeName). Python has no NumberRange model: those files are
# entirely NotSupported for python and are listed only to be skipped.
FILES = {
    "Number/Chinese/NumberModel.json": "number",
    "Number/Chinese/PercentModel.json": "percentage",
    "Number/Chinese/OrdinalModel.json": "ordinal",
    "Number/Chinese/NumberRangeModel.json": "numberrange",
    "Number/Chinese/NumberRangeModelExperimentalMode.json": "numberrange",
    "NumberWithUnit/Chinese/CurrencyModel.json": "currency",
    "NumberWithUnit/Chinese/DimensionModel.json": "dimension",
    "NumberWithUnit/Chinese/AgeModel.json": "age",
    "NumberWithUnit/Chinese/TemperatureModel.json": "temperature",
}

# Which of our outputs answer which RT model:
#   number      <- numbers.find_numbers (bare numerals; our quantity tables never hold these)
#   ordinal     <- numbers.find_ordinals (any 第N; our `rank` kind is the narrower "rank in a ranking")
#   percentage  <- quantities of kind percent, pp, permille, and fractions over a bare power of ten
#   currency    <- quantities of kind money
#   dimension / age / temperature <- quantities of kind measure or area, by unit (UNITS)
# count, duration, date, rank, ratio (a:b, 倍) answer no RT model.
MODELS = ("number", "percentage", "ordinal", "currency", "dimension", "age", "temperature")

# our canonical unit -> (RT model, RT unit name, RT isoCurrency)
UNITS: dict[str, tuple[str, str, str | None]] = {
    # money
    "元": ("currency", "Chinese yuan", "CNY"),
    "美元": ("currency", "United States dollar", "USD"),
    "欧元": ("currency", "Euro", "EUR"),
    "港元": ("currency", "Hong Kong dollar", "HKD"),
    "日元": ("currency", "Japanese yen", "JPY"),
    "英镑": ("currency", "British pound", "GBP"),
    "新台币": ("currency", "New Taiwan dollar", "TWD"),
    "瑞士法郎": ("currency", "Swiss franc", "CHF"),
    "奈拉": ("currency", "Nigerian naira", "NGN"),
    "$": ("currency", "Dollar", None),          # a bare $ names no country; RT gives no ISO code
    "比特币": ("currency", "Bitcoin", None),     # RT: no ISO code
    # dimension
    "亩": ("dimension", "Mu", None),
    "平方米": ("dimension", "Square meter", None),
    "平方公里": ("dimension", "Square kilometer", None),
    "公顷": ("dimension", "Hectare", None),
    "立方米": ("dimension", "Cubic meter", None),
    "吨": ("dimension", "Ton", None),
    "公斤": ("dimension", "Kilogram", None),
    "千克": ("dimension", "Kilogram", None),
    "克": ("dimension", "Gram", None),
    "毫克": ("dimension", "Milligram", None),
    "微克": ("dimension", "Microgram", None),
    "斤": ("dimension", "Jin", None),
    "两": ("dimension", "Liang", None),
    "米": ("dimension", "Meter", None),
    "公里": ("dimension", "Kilometer", None),
    "厘米": ("dimension", "Centimeter", None),
    "毫米": ("dimension", "Millimeter", None),
    "英里": ("dimension", "Mile", None),
    "英寸": ("dimension", "Inch", None),
    "bit": ("dimension", "Bit", None),
    "kbit": ("dimension", "Kilobit", None),
    "B": ("dimension", "Byte", None),
    "KB": ("dimension", "Kilobyte", None),
    "MB": ("dimension", "Megabyte", None),
    "GB": ("dimension", "Gigabyte", None),
    "TB": ("dimension", "Terabyte", None),
    # age
    "岁": ("age", "Year", None),
    "月龄": ("age", "Month", None),
    "周龄": ("age", "Week", None),
    "日龄": ("age", "Day", None),
    # temperature
    "℃": ("temperature", "C", None),
    "℉": ("temperature", "F", None),
    "度": ("temperature", "Degree", None),   # a bare 度: RT calls it a temperature "Degree" too
}
# Units with no RT counterpart (吨标准煤, 千瓦时, 千瓦, 标准箱, 次/秒 ...) answer no RT model.

PERCENT_KINDS = ("percent", "pp", "permille")


@dataclass(frozen=True)
class RTResult:
    """One result in RT's shape, with a half-open span [start, end)."""
    start: int
    end: int
    text: str
    type_name: str
    value: float | None
    unit: str | None = None
    iso: str | None = None


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    model: str
    input: str
    expected: tuple[RTResult, ...]
    not_supported_python: bool
    comment: str | None


def _rt_value(v) -> float | None:
    """"6%" -> 6.0; None stays None; a NumberRange interval such as "(20,35]" is not read (the
    NumberRange files are NotSupported for python and only skipped)."""
    if v is None:
        return None
    try:
        return float(str(v).rstrip("%"))
    except ValueError:
        return math.nan


def load_cases(suite_dir: Path = SUITE_DIR) -> list[Case]:
    """Every case of the RT spec files, in file order; ids like NumberModel-073."""
    out = []
    for rel, model in FILES.items():
        path = suite_dir / rel
        cases = json.loads(path.read_text(encoding="utf-8-sig"))
        stem = Path(rel).stem
        for i, c in enumerate(cases):
            ns = ",".join(c.get(k, "") for k in ("NotSupported", "NotSupportedByDesign"))
            expected = tuple(
                RTResult(r["Start"], r["End"] + 1, r["Text"], r["TypeName"],
                         _rt_value((r.get("Resolution") or {}).get("value")),
                         (r.get("Resolution") or {}).get("unit"),
                         (r.get("Resolution") or {}).get("isoCurrency"))
                for r in c["Results"])
            out.append(Case(f"{stem}-{i:03d}", rel, model, c["Input"], expected,
                            "python" in [p.strip().lower() for p in ns.split(",")], c.get("Comment")))
    return out


# -- our side -------------------------------------------------------------------------------------
def _groups(q: quantities.Quantity, view_text: str) -> dict[str, tuple[int, int]]:
    """Spans (view offsets) of the named groups of the rule that produced q, by matching it again."""
    ext = quantities.default_extractor()
    for _, rule, rx in ext.rules:
        if rule.name == q.rule:
            m = rx.match(view_text, q.start)
            if m is None or m.end() != q.end:
                raise AssertionError(f"rule {q.rule!r} does not match {q.text!r} again")
            return {k: m.span(k) for k, v in m.groupdict().items() if v is not None}
    raise KeyError(q.rule)


def _convention_span(q: quantities.Quantity, groups: dict[str, tuple[int, int]]) -> tuple[int, int]:
    """Our span -> RT's span (view offsets).

    - We keep approximation and bound words in the span (近一吨, 20%以上, 超过5万元); RT's
      NumberWithUnit and Percent models leave them out (近一吨 -> 一吨).
    - We keep a range as one quantity (70-90天, 5-20%); RT has no ranges in these models and
      returns the part after the separator alone (90天, 20%).
    """
    start, end = q.start, q.end
    if "pre" in groups:
        start = groups["pre"][1]
    if "n2" in groups and "sep" in groups:
        start = groups["n2"][0]
        if "neg2" in groups:
            start = groups["neg2"][0]
    if "suf" in groups:
        end = groups["suf"][0]
    return start, end


def _convention_value(q: quantities.Quantity, from_range: bool) -> float | None:
    """Our value -> RT's value.

    - RT drops approximations: 十余万 -> 100000, 二十几万 -> 200000; our value is already that low
      end, and our approx / value_max are simply not compared.
    - For a range RT reads the upper part alone (see _convention_span): our value_max.
    """
    if from_range and q.value_max is not None:
        return q.value_max
    return q.value


def _percent_value(q: quantities.Quantity, v: float) -> float:
    """- RT turns 个百分点 into %: 六个百分点 -> 6% (we keep kind pp, unit 百分点, value 6).
    - RT writes 千分之 as a percentage: 千分之2.4 -> 0.24% (we keep kind permille, value 2.4).
    - RT writes 万分之三 as 0.03% (we keep the fraction 3/10000 = 0.0003, kind ratio)."""
    if q.kind == "permille":
        return v / 10
    if q.kind == "ratio":
        return v * 100
    return v


def _is_power_of_ten_fraction(q: quantities.Quantity) -> bool:
    """万分之三, 百万分之五: a fraction whose denominator is a bare magnitude (no digit) is RT's
    percentage family (like 百分之, 千分之); 一千分之一 and 五分之一 are numbers."""
    return q.kind == "ratio" and q.rule == "fraction" and q.text.lstrip("约近超逾不到足大将接")[:1] in "十百千万亿佰仟萬億"


def _model_of(q: quantities.Quantity) -> tuple[str, str | None, str | None] | None:
    """- A price per unit keeps its denominator with us (每股1.95港元 -> 港元/股); RT names the currency
      alone, so the currency part is compared."""
    if q.kind in PERCENT_KINDS or _is_power_of_ten_fraction(q):
        return "percentage", None, None
    unit = q.unit.split("/")[0] if q.kind == "money" else q.unit
    if q.kind in ("money", "measure", "area") and unit in UNITS:
        return UNITS[unit]
    return None


def ours(model: str, text: str) -> list[RTResult]:
    """Our output on `text` for one RT model, in RT's shape (document offsets, half-open)."""
    view = cleanview.build(text)
    vt = view.text
    out: list[RTResult] = []
    if model in ("number", "ordinal"):
        found = numbers.find_numbers(vt) if model == "number" else numbers.find_ordinals(vt)
        for n in found:
            s, e = view.to_doc(n.start, n.end)
            out.append(RTResult(s, e, text[s:e], model, n.value))
        return out
    for q in quantities.find(vt):
        target = _model_of(q)
        if target is None or target[0] != model:
            continue
        groups = _groups(q, vt)
        vs, ve = _convention_span(q, groups)
        value = _convention_value(q, from_range="n2" in groups and "sep" in groups)
        if model == "percentage" and value is not None:
            value = _percent_value(q, value)
        s, e = view.to_doc(vs, ve)
        out.append(RTResult(s, e, text[s:e], model, value, target[1], target[2]))
    return out


# -- comparing ------------------------------------------------------------------------------------
def normalise(s: str) -> str:
    """RT's Text normalisation: full-width -> ASCII (NFKC) and lower case."""
    return unicodedata.normalize("NFKC", s).lower()


def _same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def compare(case: Case, got: list[RTResult]) -> list[str]:
    """Differences between RT's expected results and ours; empty means the case passes.
    Checked: count, order, span, text (normalised), type, value, unit and ISO code."""
    exp = list(case.expected)
    diffs = []
    if len(exp) != len(got):
        diffs.append(f"{len(got)} results, expected {len(exp)}")
    for e, g in zip(exp, got):
        where = f"expected {e.text!r}@{e.start}-{e.end}"
        if (e.start, e.end) != (g.start, g.end):
            diffs.append(f"{where}: span {g.start}-{g.end} ({g.text!r})")
            continue
        if normalise(case.input[g.start:g.end]) != normalise(e.text):
            diffs.append(f"{where}: text {g.text!r}")
        if e.type_name != g.type_name:
            diffs.append(f"{where}: type {g.type_name}")
        if not _same_value(e.value, g.value):
            diffs.append(f"{where}: value {g.value}, expected {e.value}")
        if case.model not in ("number", "ordinal", "percentage"):
            if e.unit != g.unit:
                diffs.append(f"{where}: unit {g.unit!r}, expected {e.unit!r}")
            if e.iso != g.iso:
                diffs.append(f"{where}: isoCurrency {g.iso!r}, expected {e.iso!r}")
    for g in got[len(exp):]:
        diffs.append(f"extra {g.text!r}@{g.start}-{g.end} = {g.value}")
    for e in exp[len(got):]:
        diffs.append(f"missing {e.text!r}@{e.start}-{e.end} = {e.value}")
    return diffs


def run_case(case: Case) -> list[str]:
    return compare(case, ours(case.model, case.input))


def main(argv=None) -> int:
    """python -m tools.peer [MODEL ...]: pass counts per model and the failing cases."""
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*", default=list(MODELS))
    ap.add_argument("--suite", type=Path, default=SUITE_DIR)
    ap.add_argument("-q", "--quiet", action="store_true", help="counts only")
    args = ap.parse_args(argv)
    totals = [0, 0]
    for model in args.models:
        cases = [c for c in load_cases(args.suite) if c.model == model and not c.not_supported_python]
        failed = [(c, d) for c in cases for d in [run_case(c)] if d]
        totals[0] += len(cases) - len(failed)
        totals[1] += len(cases)
        print(f"{model:12s} {len(cases) - len(failed):4d}/{len(cases)}")
        if not args.quiet:
            for c, d in failed:
                print(f"  {c.id} {c.input[:60]!r}: {'; '.join(d)}")
    print(f"{'total':12s} {totals[0]:4d}/{totals[1]} ({100 * totals[0] / max(totals[1], 1):.1f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
