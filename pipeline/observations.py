"""Observations: what each fact says beyond metric and number — the canonical indicator, the measure
(level, growth, change, share, rank), the modality (actual, estimate, target), the period it covers,
the region it is about and the base of a change.

Works on the clean view after the facts are linked. Cue words and patterns are data
(pipeline/data/observations.toml); the indicator catalogue is pipeline/data/indicators.toml.
"""
from __future__ import annotations

import bisect
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

import regex
from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.records import MEASURES

from . import divisions
from .docmeta import DocMeta, reference_year
from .facts import Fact
from .quantities import Quantity

DATA = Path(__file__).parent / "data" / "observations.toml"
CATALOGUE = Path(__file__).parent / "data" / "indicators.toml"
_COMPARE_BEFORE = "比较"


def _compiles(v: list[str]) -> list[str]:
    for p in v:
        regex.compile(p)
    return v


class _Measure(BaseModel):
    model_config = ConfigDict(extra="forbid")
    growth_words: list[str]
    share_words: list[str]
    to_level: list[str]


class _Modality(BaseModel):
    model_config = ConfigDict(extra="forbid")
    estimate: list[str]
    target: list[str]
    target_after: list[str]
    actual: list[str]
    plan_headings: list[str]
    _c = field_validator("plan_headings")(_compiles)


class _Period(BaseModel):
    model_config = ConfigDict(extra="forbid")
    last_year: list[str]
    this_year: list[str]
    five_years: list[str]
    plans: dict[str, str]

    @field_validator("plans")
    @classmethod
    def _spans(cls, v):
        bad = [k for k, s in v.items() if not regex.fullmatch(r"\d{4}/\d{4}", s)]
        if bad:
            raise ValueError(f"plan periods must read YYYY/YYYY: {bad}")
        return v


class _Aggregation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    annual_average: list[str]
    cumulative: list[str]


class _Comparison(BaseModel):
    model_config = ConfigDict(extra="forbid")
    patterns: list[tuple[str, str]]

    @field_validator("patterns")
    @classmethod
    def _compile(cls, v):
        for p, _ in v:
            regex.compile(p)
        return v


class _Region(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country_words: list[str]
    not_divisions: list[str]


class ObservationRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: dict = Field(default_factory=dict)  # read by pipeline/docmeta.py
    measure: _Measure
    modality: _Modality
    period: _Period
    aggregation: _Aggregation
    comparison: _Comparison
    region: _Region


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    zh: str
    en: str
    unit: str
    measure: str
    names: list[str]
    patterns: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, v):
        if not regex.fullmatch(r"[a-z][a-z0-9_]*", v):
            raise ValueError(f"id {v!r} must be lowercase snake_case")
        return v

    @field_validator("measure")
    @classmethod
    def _measure(cls, v):
        if v not in MEASURES:
            raise ValueError(f"measure {v!r} not one of {MEASURES}")
        return v

    _c = field_validator("patterns")(_compiles)


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    measure_words: dict[str, list[str]]
    indicator: list[Indicator]

    @field_validator("indicator")
    @classmethod
    def _unique(cls, v):
        ids, names = set(), {}
        for ind in v:
            if ind.id in ids:
                raise ValueError(f"duplicate id {ind.id}")
            ids.add(ind.id)
            for n in ind.names:
                if n in names and names[n] != ind.id:
                    raise ValueError(f"name {n!r} in both {names[n]} and {ind.id}")
                names[n] = ind.id
        return v


@functools.lru_cache(maxsize=1)
def rules() -> ObservationRules:
    try:
        return ObservationRules.model_validate(tomllib.loads(DATA.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValueError, regex.error) as exc:
        raise ValueError(f"{DATA.name}: {exc}") from None


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    try:
        return Catalogue.model_validate(tomllib.loads(CATALOGUE.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValueError, regex.error) as exc:
        raise ValueError(f"{CATALOGUE.name}: {exc}") from None


@functools.lru_cache(maxsize=1)
def _index() -> tuple[dict[str, str], list[tuple[regex.Pattern, str]], tuple[str, ...]]:
    cat = catalogue()
    names = {n: ind.id for ind in cat.indicator for n in ind.names}
    pats = [(regex.compile(p), ind.id) for ind in cat.indicator for p in ind.patterns]
    words = tuple(sorted((w for ws in cat.measure_words.values() for w in ws), key=len, reverse=True))
    return names, pats, words


def indicator_of(metric: str) -> tuple[str | None, str | None]:
    """(indicator id or None, the measure a trailing measure word states or None):
    生产总值增速 -> ("gdp", "growth"); 第三产业增加值占比 -> (tertiary id, "share")."""
    names, pats, words = _index()
    m = "".join(metric.split()).strip("“”\"")
    if m in names:  # a name that ends like a measure word (人口自然增长率)
        return names[m], None
    said = None
    for w in words:
        if m.endswith(w) and len(m) > len(w):
            said = next(k for k, ws in catalogue().measure_words.items() if w in ws)
            m = m[: -len(w)].rstrip("的")
            break
    if m in names:
        return names[m], said
    for p, ind in pats:
        if p.fullmatch(m):
            return ind, said
    return None, said


@functools.lru_cache(maxsize=1)
def country_words() -> regex.Pattern:
    """Words that name the whole country in a clause (全国, 我国)."""
    return regex.compile("|".join(map(regex.escape, rules().region.country_words)))


@dataclass(frozen=True)
class Observation:
    indicator: str | None
    measure: str
    modality: str
    period: str | None
    year: int | None
    aggregation: str | None
    region: str | None
    region_level: str | None
    comparison: str | None


class _Doc:
    """The document-wide context of one extraction: sections, paragraphs, dates, places."""

    def __init__(self, text: str, sentences: list[tuple[int, int]], quantities: list[Quantity],
                 places: list[tuple[int, int]], meta: DocMeta):
        r = rules()
        self.text, self.meta, self.r = text, meta, r
        self.this_year, self.review_year = reference_year(meta)
        self.is_gwr = bool(meta.genre and meta.genre.startswith("gwr"))
        self.sentences = sentences
        self.sent_starts = [s for s, _ in sentences]
        self.dates = sorted((q for q in quantities if q.kind == "date" and q.norm), key=lambda q: q.start)
        self.date_starts = [q.start for q in self.dates]
        self.places = sorted(places)
        plan = None
        if self.is_gwr:
            hits = [m.start() for p in r.modality.plan_headings if (m := regex.search(p, text))]
            plan = min(hits) if hits else None
        self.plan_start = plan
        self.context_year = None  # news: the year the text last named

    def paragraph_start(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def in_plan(self, pos: int) -> bool:
        return self.plan_start is not None and pos >= self.plan_start

    def year_named_before(self, pos: int) -> int | None:
        i = bisect.bisect_left(self.date_starts, pos) - 1
        while i >= 0:
            m = regex.search(r"\d{4}", self.dates[i].norm)
            if m:
                return int(m.group())
            i -= 1
        return None


def _has(words: list[str], s: str) -> str | None:
    """The first cue found in s: cues of two or more characters as substrings, one-character cues
    (要, 将) only as words of their own."""
    for w in words:
        if len(w) > 1 and w in s:
            return w
    short = [w for w in words if len(w) == 1]
    if short:
        from .facts import _posseg
        toks = {t.word for t in _posseg().lcut(s, HMM=False)}
        for w in short:
            if w in toks:
                return w
    return None


def _norm_period(norm: str, year: int | None) -> str | None:
    """A date quantity's norm as a period: 2025, 2025-11, 2025-01/2025-11, 2025-Q1, 2021/2025."""
    y = str(year) if year else None
    if regex.fullmatch(r"\d{4}(-\d\d(-\d\d)?|-Q\d|-H\d)?|\d{4}/\d{4}", norm):
        return norm
    m = regex.fullmatch(r"(\d{4})?-?M(\d\d)/M(\d\d)", norm)
    if m:
        yy = m.group(1) or y
        return f"{yy}-{m.group(2)}/{yy}-{m.group(3)}" if yy else f"M{m.group(2)}/M{m.group(3)}"
    m = regex.fullmatch(r"M(\d\d)", norm)
    if m:
        return f"{y}-{m.group(1)}" if y else norm
    m = regex.fullmatch(r"Q(\d)(?:/Q(\d))?", norm)
    if m:
        if not y:
            return norm
        return f"{y}-Q{m.group(1)}" + (f"/{y}-Q{m.group(2)}" if m.group(2) else "")
    m = regex.fullmatch(r"--(\d\d)-(\d\d)(?:/--(\d\d)-(\d\d))?", norm)
    if m:
        if not y:
            return None
        return f"{y}-{m.group(1)}-{m.group(2)}" + (f"/{y}-{m.group(3)}-{m.group(4)}" if m.group(3) else "")
    return None


def _last_year(period: str | None) -> int | None:
    if not period:
        return None
    ys = regex.findall(r"\d{4}", period)
    return int(ys[-1]) if ys else None


def _period_cue(doc: _Doc, a: int, b: int) -> tuple[str | None, bool]:
    """The period named in text[a:b] (nearest to b): a date not after 比/较, or a relative time word.
    Returns (period, is_span_of_years_from_a_word)."""
    text, r = doc.text, doc.r
    best: tuple[int, str | None, bool] = (-1, None, False)
    i = bisect.bisect_left(doc.date_starts, a)
    while i < len(doc.dates) and doc.dates[i].start < b:
        q = doc.dates[i]
        if q.start == 0 or text[q.start - 1] not in _COMPARE_BEFORE and text[max(0, q.start - 2):q.start] != "相比":
            ctx_year = doc.year_named_before(q.start) if doc.meta.genre == "news" else None
            p = _norm_period(q.norm, ctx_year or doc.review_year)
            if p and q.start > best[0]:
                best = (q.start, p, False)
        i += 1
    seg = text[a:b]
    cands = []
    for words, span in ((r.period.last_year, "last"), (r.period.this_year, "this"), (r.period.five_years, "five")):
        for w in words:
            j = seg.rfind(w)
            if j >= 0 and (j == 0 or seg[j - 1] not in _COMPARE_BEFORE):
                cands.append((a + j, span))
    for w, years in r.period.plans.items():
        j = seg.rfind(w)
        if j >= 0:
            cands.append((a + j, years))
    for pos, what in cands:
        if pos <= best[0]:
            continue
        if what == "last":
            y = doc.this_year - 1 if doc.this_year else None
            best = (pos, str(y) if y else None, False)
        elif what == "this":
            best = (pos, str(doc.this_year) if doc.this_year else None, False)
        elif what == "five":
            y = doc.review_year
            best = (pos, f"{y - 4}/{y}" if y else None, True)
        else:
            best = (pos, what, True)
    return best[1], best[2]


def qualify(doc: _Doc, f: Fact, sent: tuple[int, int], clause_start: int) -> Observation:
    text, r = doc.text, doc.r
    q = f.quantity
    ss, se = sent
    left = text[ss:q.start]
    clause = text[clause_start:q.start]
    after = text[q.end:min(se, q.end + 4)]
    metric = "".join(text[f.metric_start:f.metric_end].split())

    indicator, said = indicator_of(metric)

    # period: this sentence, else the paragraph's opening sentence, else the section
    period, from_word = _period_cue(doc, ss, q.start)
    if period is None:
        ps = doc.paragraph_start(ss)
        if ps < ss:
            k = bisect.bisect_right(doc.sent_starts, ps) - 1
            first = doc.sentences[max(k, 0)]
            period, from_word = _period_cue(doc, first[0], min(first[1], ss))
    modality = "actual"
    if _has(r.modality.estimate, left):
        modality = "estimate"
    elif _has(r.modality.target, clause if (doc.is_gwr and not doc.in_plan(q.start)) else left) or \
            any(after.startswith(w) for w in r.modality.target_after):
        modality = "target"
    elif doc.in_plan(q.start) and not _has(r.modality.actual, left):
        modality = "target"
    if period is None:
        if doc.is_gwr:
            y = doc.this_year if modality == "target" else doc.review_year
        elif doc.meta.genre == "news":
            y = doc.year_named_before(q.start) or doc.this_year
        else:
            y = doc.review_year
        period = str(y) if y else None
    year = _last_year(period)
    if modality == "actual" and year and doc.this_year and year > doc.this_year and doc.is_gwr:
        modality = "target"  # 到2030年: a year still to come

    aggregation = None
    if _has(r.aggregation.annual_average, left):
        aggregation = "annual_average"
    elif _has(r.aggregation.cumulative, left) or (from_word and period and "/" in period):
        aggregation = "cumulative"

    # measure
    between = text[f.metric_end:q.start] if f.metric_end <= q.start else ""
    to_level = any(between.rstrip().endswith(w) for w in r.measure.to_level) and f.predicate not in ("", "为")
    if f.rule == "share_of_previous" or f.predicate in ("占", "占比") or said == "share" or \
            _has(r.measure.share_words, between):
        measure = "share"
    elif q.kind == "rank":
        measure = "rank"
    elif to_level:
        measure = "level"
    elif said == "growth":
        measure = "growth"
    elif q.kind == "pp":
        measure = "change"
    elif f.direction != 0:
        measure = "growth" if q.kind in ("percent", "permille", "ratio") else "change"
    else:
        measure = "level"

    comparison = None
    if measure in ("growth", "change"):
        for pat, base in r.comparison.patterns:
            m = regex.search(pat, text[clause_start:q.start])
            if m:
                comparison = m.expand(base)
                break

    region, level = doc.meta.place, doc.meta.place_level
    for a, b in doc.places:
        if clause_start <= a and b <= f.metric_start + 1 and (a == 0 or text[a - 1] not in "占比较于"):
            d = divisions.resolve(text[a:b])
            if d is not None:
                region, level = d.name, d.level
    return Observation(indicator, measure, modality, period, year, aggregation, region, level, comparison)


def observe(text: str, sentences: list[tuple[int, int]], quantities: list[Quantity], facts: list[Fact],
            places: list[tuple[int, int]], meta: DocMeta) -> list[Observation]:
    """One observation per fact (same order). ``places``: spans of GPE entities and of words that
    name the whole country (全国, 我国) in the view text."""
    doc = _Doc(text, sentences, quantities, places, meta)
    out = []
    for f in facts:
        k = max(0, bisect.bisect_right(doc.sent_starts, f.quantity.start) - 1)
        sent = sentences[k] if sentences else (0, len(text))
        out.append(qualify(doc, f, sent, f.clause_start if f.clause_start >= 0 else sent[0]))
    return out
