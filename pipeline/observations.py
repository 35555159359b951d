"""Observations: what each fact says beyond metric and number — the canonical indicator, the measure
(level, growth, change, share, rank), the modality (actual, estimate, target), the period it covers,
the region it is about and the base of a change.

Works on the clean view after the facts are linked. Cue words and patterns are data
(pipeline/data/observations.toml); the indicator catalogue is pipeline/data/indicators.toml.
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from pathlib import Path

import regex
from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.records import MEASURES

from . import divisions
from .docmeta import DocMeta, reference_year
from .facts import Fact
from .patterns import check_compiles, load_rules, per_rules
from .quantities import Quantity

DATA = Path(__file__).parent / "data" / "observations.toml"
CATALOGUE = Path(__file__).parent / "data" / "indicators.toml"


def _compiles(v: list[str]) -> list[str]:
    return check_compiles(v)


class _Measure(BaseModel):
    model_config = ConfigDict(extra="forbid")
    growth_words: list[str]
    share_words: list[str]
    rate_heads: list[str] = []
    to_level: list[str]
    reached: list[str]
    new_prefixes: list[str]
    new_name_prefixes: list[str]
    paired_halves: list[tuple[str, str, str]]


class _IndicatorRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conjunctions: list[str]
    list_stops: list[str]
    bare_heads: list[str]


class _Modality(BaseModel):
    model_config = ConfigDict(extra="forbid")
    estimate: list[str]
    target: list[str]
    review_target: list[str]
    target_after: list[str]
    actual: list[str]
    plan_headings: list[str]
    _c = field_validator("plan_headings")(_compiles)


class _Period(BaseModel):
    model_config = ConfigDict(extra="forbid")
    compare_before: list[str]
    last_year: list[str]
    this_year: list[str]
    five_years: list[str]
    five_year_totals: list[str]
    end_of_span: list[str]
    start_of_span: list[str]
    plans: dict[str, str]
    five_year_sections: list[str] = []
    section_headings: list[str] = []
    _t = field_validator("five_year_totals", "five_year_sections", "section_headings")(_compiles)

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
    stock_phrases: list[str] = []


class _Comparison(BaseModel):
    model_config = ConfigDict(extra="forbid")
    patterns: list[tuple[str, str]]

    @field_validator("patterns")
    @classmethod
    def _compile(cls, v):
        check_compiles([p for p, _ in v], "comparison pattern")
        return v


class _Region(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country_words: list[str]
    not_divisions: list[str]
    not_place_phrases: list[str]


class ObservationRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: dict = Field(default_factory=dict)  # read by pipeline/docmeta.py
    measure: _Measure
    indicator: _IndicatorRules
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


_rx = functools.lru_cache(maxsize=None)(regex.compile)  # compiled once: these run for every figure


@functools.lru_cache(maxsize=1)
def rules() -> ObservationRules:
    return load_rules(DATA, ObservationRules)


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    return load_rules(CATALOGUE, Catalogue)


@functools.lru_cache(maxsize=1)
def _index() -> tuple[dict[str, str], list[tuple[regex.Pattern, str]], tuple[str, ...]]:
    cat = catalogue()
    names = {n: ind.id for ind in cat.indicator for n in ind.names}
    pats = [(regex.compile(p), ind.id) for ind in cat.indicator for p in ind.patterns]
    words = tuple(sorted((w for ws in cat.measure_words.values() for w in ws), key=len, reverse=True))
    return names, pats, words


def indicator_of(metric: str) -> tuple[str | None, str | None]:
    """(indicator id or None, the measure the metric's words state or None):
    生产总值增速 -> ("gdp", "growth"); 第三产业增加值占比 -> (tertiary id, "share");
    新增高新技术企业 -> ("high_tech_enterprises", "change") where the catalogue has no indicator of the
    new additions themselves (新增市场主体 has one: ("business_entities_new", None))."""
    ind, said = _lookup(metric)
    if ind is None and said is None:
        m = "".join(metric.split())
        for p in rules().measure.new_prefixes:
            if m.startswith(p) and len(m) > len(p) + 1:
                stock, said2 = _lookup(m[len(p):])
                if stock is not None:
                    return stock, said2 or "change"
    return ind, said


def _lookup(metric: str) -> tuple[str | None, str | None]:
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
    if said == "share" and "占" in m[1:]:  # X占Y比重: a share of X (第三产业增加值占地区生产总值比重)
        part = m[: m.index("占", 1)]
        if part in names:
            return names[part], said
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
        self._last_years: list[int | None] | None = None
        self.places = sorted(places)
        self.place_starts = [a for a, _ in self.places]
        plan = None
        if self.is_gwr:
            hits = [m.start() for p in r.modality.plan_headings if (m := regex.search(p, text))]
            plan = min(hits) if hits else None
        self.plan_start = plan
        # a work report's part that reviews five years (一、过去五年工作回顾), up to the next part
        self.five_year_parts: list[tuple[int, int]] = []
        if self.is_gwr:
            for p in r.period.five_year_sections:
                for m in regex.finditer(p, text):
                    ends = [n.start() for h in r.period.section_headings if (n := regex.compile(h).search(text, m.end()))]
                    self.five_year_parts.append((m.end(), min(ends, default=len(text))))
        # news: the period its head reports on (2021年1-2月), the default for its figures
        head = [q for q in self.dates if q.start < 300 and ("M" in q.norm or q.norm.startswith("--"))
                and not q.norm.startswith("---")]
        self.news_period = _norm_period(head[0].norm, meta.year) if head and meta.genre == "news" else None

    def paragraph_start(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def list_lead(self, ps: int) -> tuple[int, int] | None:
        """For a paragraph that is an item of a dash list (——着力提升发展质量效益…), the paragraph
        that leads the list (the nearest one before it that is no item), as (start, end)."""
        text = self.text
        if not text[ps:ps + 3].lstrip().startswith("——"):
            return None
        end = ps - 1
        while end > 0:
            start = text.rfind("\n", 0, end) + 1
            line = text[start:end].strip()
            if line and not line.startswith("——"):
                return start, end
            end = start - 1
        return None

    def year_named_before(self, pos: int) -> int | None:
        """The year of the last date before pos that is not a comparison base (a news item's context)."""
        if self._last_years is None:  # computed once: a prefix of the last year named, date by date
            last, out = None, []
            for q in self.dates:
                m = regex.match(r"\d{4}", q.norm)
                if m and not self.text[max(0, q.start - 2):q.start].endswith(tuple(self.r.period.compare_before)):
                    last = int(m.group())
                out.append(last)
            self._last_years = out
        i = bisect.bisect_left(self.date_starts, pos) - 1
        return self._last_years[i] if i >= 0 else None

    def in_plan(self, pos: int) -> bool:
        return self.plan_start is not None and pos >= self.plan_start


def _has(words: list[str], s: str) -> str | None:
    """The first cue found in s: cues of two or more characters as substrings, one-character cues
    (要, 将) only as words of their own."""
    for w in words:
        if len(w) > 1 and w in s:
            return w
    short = [w for w in words if len(w) == 1 and w in s]  # the segmenter only when a cue character is there
    if short:
        from .segment import load_posseg
        toks = {t.word for t in load_posseg().lcut(s, HMM=False)}
        for w in short:
            if w in toks:
                return w
    return None


def _norm_period(norm: str, year: int | None) -> str | None:
    """A date quantity's norm as a period: 2025, 2025-11, 2025-01/2025-11, 2025-Q1, 2021/2025. A
    period is never finer than a month: a day's figure is its month's (2001-06-14 -> 2001-06)."""
    y = str(year) if year else None
    if _rx(r"\d{4}(-\d\d|-Q\d|-H\d)?|\d{4}/\d{4}").fullmatch(norm):
        return norm
    m = _rx(r"(\d{4}-\d\d)-\d\d(?:/(\d{4}-\d\d)-\d\d)?").fullmatch(norm)
    if m:
        return m.group(1) if m.group(2) in (None, m.group(1)) else f"{m.group(1)}/{m.group(2)}"
    m = _rx(r"(\d{4})?-?M(\d\d)/M(\d\d)").fullmatch(norm)
    if m:
        yy = m.group(1) or y
        return f"{yy}-{m.group(2)}/{yy}-{m.group(3)}" if yy else f"M{m.group(2)}/M{m.group(3)}"
    m = _rx(r"M(\d\d)").fullmatch(norm)
    if m:
        return f"{y}-{m.group(1)}" if y else norm
    m = _rx(r"Q(\d)(?:/Q(\d))?").fullmatch(norm)
    if m:
        if not y:
            return norm
        return f"{y}-Q{m.group(1)}" + (f"/{y}-Q{m.group(2)}" if m.group(2) else "")
    m = _rx(r"--(\d\d)-\d\d(?:/--(\d\d)-\d\d)?").fullmatch(norm)
    if m:
        a, b = m.group(1), m.group(2) or m.group(1)
        if a == b:
            return f"{y}-{a}" if y else f"M{a}"
        return f"{y}-{a}/{y}-{b}" if y else f"M{a}/M{b}"
    return None


def _last_year(period: str | None) -> int | None:
    if not period:
        return None
    ys = _rx(r"\d{4}").findall(period)
    return int(ys[-1]) if ys else None


@per_rules
def _period_words(p: _Period) -> regex.Pattern:
    """Any of the period words and plan names (one search before the word-by-word rfind)."""
    return regex.compile("|".join(regex.escape(w) for w in [*p.last_year, *p.this_year, *p.five_years, *p.plans]))


def _period_cue(doc: _Doc, a: int, b: int) -> tuple[str | None, bool]:
    """The period named in text[a:b] (nearest to b): a date not after 比/较, or a relative time word.
    Returns (period, how a span of years was named: False for a date, True for a word such as
    五年来 (the figure decides: a level reached or a sum), "sum" for the five years' total)."""
    text, r = doc.text, doc.r
    best: tuple[int, str | None, bool] = (-1, None, False)
    i = bisect.bisect_left(doc.date_starts, a)
    while i < len(doc.dates) and doc.dates[i].start < b:
        q = doc.dates[i]
        if not text[max(0, q.start - 2):q.start].endswith(tuple(r.period.compare_before)) \
                and not text[q.end:q.end + 6].startswith(("相比", "同期相比")):
            p = _norm_period(q.norm, doc.meta.year if doc.meta.genre == "news" else doc.review_year)
            if p and text[q.end - 1] in "末底" and p.endswith("-12") and "年" in text[q.start:q.end]:
                p = p[:4]  # 2022年末: a year-end stock's period is the year (guidelines)
            if p and q.start > best[0]:
                best = (q.start, p, False)
        i += 1
    seg = text[a:b]
    cands = []
    words_here = _period_words(r.period).search(seg) is not None  # most stretches name none
    for words, span in ((r.period.last_year, "last"), (r.period.this_year, "this"), (r.period.five_years, "five")):
        for w in words if words_here else ():
            j = seg.rfind(w)
            if j >= 0 and not seg[:j].endswith(tuple(r.period.compare_before)):
                cands.append((a + j, span))
    for rx in r.period.five_year_totals:
        for m in _rx(rx).finditer(seg):
            cands.append((a + m.end(), "total"))
    for w, years in r.period.plans.items() if words_here else ():
        j = seg.rfind(w)
        if j >= 0 and not seg[max(0, j - 2):j].lstrip("“\"").endswith(tuple(r.period.compare_before)):
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
        elif what == "total":  # the five years' total, in the clause that 五年 opens only
            if not _rx(r"[，；。,;]").search(text[pos:b]):
                y = doc.review_year
                best = (pos, f"{y - 4}/{y}" if y else None, "sum")
        else:
            best = (pos, what, True)
    return best[1], best[2]


def _within_span(doc: _Doc, f: Fact, span: str) -> tuple[str, bool]:
    """A figure in a span of years named by a word (五年来, 十四五时期): its end year when the figure is
    a level reached (达到, 突破, 增加到) or a rate, the year before the span after 由/从, else the span
    itself (a sum). Returns (period, still a span)."""
    r, q, text = doc.r, f.quantity, doc.text
    first, last = (int(y) for y in span.split("/"))
    lead = text[max(f.metric_end, q.start - 6):q.start] if f.metric_end <= q.start else text[q.start - 6:q.start]
    before = text[max(0, f.metric_end if f.metric_end <= q.start else q.start - 14, q.start - 14):q.start]
    if _has(r.period.start_of_span, before) and not any(w in before for w in r.period.end_of_span):
        return str(first - 1), False  # 由11.66亿元增加到…: the level before the span
    metric = text[f.metric_start:f.metric_end]
    compared = _rx(r"(?:比|较)\d{4}年").search(text[max(0, q.start - 16):q.start])
    if any(lead.endswith(w) for w in r.period.end_of_span) or compared or "人均" in metric or (
            q.kind in ("percent", "permille") and f.direction == 0 and not _has(r.aggregation.annual_average, lead)):
        return str(last), False  # a level reached, a per-head or rate level, a change against a named year
    return span, True


def _without(s: str, phrases: list[str]) -> str:
    for p in phrases:
        s = s.replace(p, " ")
    return s


def _outside(text: str, a: int, b: int, f: Fact) -> str:
    """text[a:b] without the fact's metric (a cue word inside a name, 国家培养计划科技领军人才, is no cue)."""
    ms, me = max(a, f.metric_start), min(b, f.metric_end)
    return text[a:ms] + " " + text[me:b] if ms < me else text[a:b]


def _modality(doc: _Doc, f: Fact, left: str) -> str:
    r = doc.r
    q = f.quantity
    if _has(r.modality.estimate, left):
        return "estimate"
    if doc.is_gwr and not doc.in_plan(q.start):
        return "target" if _has(r.modality.review_target, left) else "actual"
    after = doc.text[q.end:q.end + 4]
    if _has(r.modality.target, left) or any(after.startswith(w) for w in r.modality.target_after):
        return "target"
    if doc.in_plan(q.start) and not _has(r.modality.actual, left):
        return "target"
    return "actual"


def _measure(doc: _Doc, f: Fact, indicator: str | None, said: str | None) -> str:
    r, q = doc.r, f.quantity
    between = doc.text[f.metric_end:q.start] if f.metric_end <= q.start else ""
    metric = doc.text[f.metric_start:f.metric_end]
    if said == "share" and indicator is not None and _unit_of(indicator) == "%":
        said = None  # a ratio indicator's own value (全社会研发支出占国内生产总值比重 is R&D intensity)
    named = indicator is not None and said is None  # a name of its own (研发支出占国内生产总值比重)
    pct_of = f.rule == "count_before_noun" and q.kind == "percent" and doc.text[q.end:q.end + 1] == "的" \
        and not metric.endswith(tuple(r.measure.rate_heads))  # 80%的行政村 is a share; 8%的增长速度 is not
    if f.rule == "share_of_previous" or f.predicate in ("占", "占比") or said == "share" or pct_of or \
            (not named and (_has(r.measure.share_words, between) or "占" in metric[1:])):
        return "share"
    if q.kind == "rank":
        return "rank"
    if said == "growth":
        return "growth"
    tail = _rx(r"(?:\d{4}年(?:末|底)?)的?$").sub("", between.rstrip())  # 增加到2007年的13786元: the verb decides
    if f.direction != 0 and any(tail.endswith(w) for w in r.measure.to_level) \
            and not any(tail.endswith(w) for w in r.measure.reached):
        return "level"  # 提高到2.5%: the new level
    if q.kind == "pp" or said == "change":
        return "change"
    if f.direction != 0:
        return "growth" if q.kind in ("percent", "permille", "ratio") else "change"
    return "level"


def _region(doc: _Doc, f: Fact, clause_start: int) -> tuple[str | None, str | None]:
    """The document's place, unless an area is named right before the metric (泸州经济总量, 全国居民
    消费价格): a place further left scopes something else (合肥中欧班列, 西湖区…历史经典产业)."""
    text = doc.text
    i = bisect.bisect_left(doc.place_starts, clause_start)  # the places inside the clause, not all of them
    j = bisect.bisect_left(doc.place_starts, f.metric_start)
    for a, b in doc.places[i:j]:
        if clause_start <= a and b <= f.metric_start and not text[b:f.metric_start].strip("的全 ") \
                and (a == 0 or text[a - 1] not in "占比较于"):
            d = divisions.resolve(text[a:b])
            if d is not None:
                return d.name, d.level
    return doc.meta.place, doc.meta.place_level


def _shared_head(doc: _Doc, f: Fact, metric: str) -> str | None:
    """A list's first conjuncts take the head of its last (城镇、农村居民人均可支配收入 -> 城镇 +
    居民人均可支配收入): the longest tail of the last conjunct that makes a catalogue name."""
    r = doc.r.indicator
    after = doc.text[f.metric_end:f.metric_end + 40]
    if not after.startswith(tuple(r.conjunctions)):
        return None
    m = _rx(r"[\p{Han}A-Za-z0-9][\p{Han}A-Za-z0-9、]*").match(after[1:])
    if m is None:
        return None
    span = m.group()
    stop = min((i for w in r.list_stops if (i := span.find(w)) > 0), default=len(span))
    last = regex.split("|".join(map(regex.escape, r.conjunctions)), span[:stop])[-1]
    own, _ = indicator_of(last)  # 工业、工业技改投资: 工业 + 技改投资 would be the last conjunct's own
    for k in range(1, len(last) - 1):
        ind, _ = indicator_of(metric + last[k:])
        if ind is not None and ind != own:
            return ind
    return None


def _carried(doc: _Doc, metric: str, before: tuple[str, str] | None) -> str | None:
    """A bare head or measure word takes its object from the figure before it in the sentence
    (规模以上工业企业达7.6万家、增加值增长3%; 降幅比去年同期扩大3.9个百分点)."""
    if before is None:
        return None
    prev, prev_ind = before
    _, _, words = _index()
    if metric in words:
        return prev_ind
    head = next((h for h in doc.r.indicator.bare_heads if metric.endswith(h) and len(metric) <= len(h) + 1), None)
    if head is None:
        return None
    for k in range(len(prev), 1, -1):
        ind, said2 = indicator_of(prev[:k] + head)
        if ind is not None and said2 is None:
            return ind
    return None


def _indicator(doc: _Doc, f: Fact, clause_start: int, half: int | None,
               before: tuple[str, str] | None = None) -> tuple[str | None, str | None, bool]:
    """(indicator, the measure its words state, whether the figure counts new additions to a stock)."""
    r, text = doc.r, doc.text
    metric = "".join(text[f.metric_start:f.metric_end].split())
    if half is not None:
        for both, *halves in r.measure.paired_halves:
            if both in metric:
                metric = metric.replace(both, halves[half], 1)
    # from the clause break before the metric: a 新增 heads a whole list (新增A 3家、B 4家)
    cut = max(text.rfind(ch, 0, f.metric_start) for ch in "，；：。！？\n,;:")
    lead = text[max(cut + 1, 0):f.metric_start]
    named = next((p for p in r.measure.new_name_prefixes if lead.endswith(p)), None)
    if named:  # 新登记 + 经营主体: the catalogue may name the new additions
        ind, said = indicator_of(named + metric)
        if ind is not None:
            return ind, said, False
    new = any(p in lead for p in r.measure.new_prefixes) or metric.startswith(tuple(r.measure.new_prefixes))
    ind, said = indicator_of(metric)
    if ind is None:
        ind = _shared_head(doc, f, metric) or _carried(doc, metric, before)
    if ind is not None and said is None and any(n.startswith(tuple(r.measure.new_prefixes))
                                                for n in _names_of(ind)):
        new = False  # the catalogue's own indicator of new additions (新增市场主体)
    return ind, said, new and said is None


@functools.lru_cache(maxsize=None)
def _unit_of(ind: str) -> str | None:
    return next((i.unit for i in catalogue().indicator if i.id == ind), None)


@functools.lru_cache(maxsize=None)
def _names_of(ind: str) -> tuple[str, ...]:
    return tuple(n for i in catalogue().indicator if i.id == ind for n in i.names)


def qualify(doc: _Doc, f: Fact, sent: tuple[int, int], clause_start: int, half: int | None = None,
            before: tuple[str, str] | None = None) -> Observation:
    """``before``: (metric, indicator) of the figure before this one in its sentence, if it has one."""
    text, r = doc.text, doc.r
    q = f.quantity
    ss, se = sent
    left = _outside(text, ss, q.start, f)
    metric = "".join(text[f.metric_start:f.metric_end].split())
    indicator, said, adds_to_stock = _indicator(doc, f, clause_start, half, before)

    # period: this sentence, else the first sentence of its paragraph that names one (——综合实力显著
    # 增强。五年来，…), else the document's
    period, from_word = _period_cue(doc, ss, q.start)
    if period is None:
        ps = doc.paragraph_start(ss)
        k = max(bisect.bisect_right(doc.sent_starts, ps) - 1, 0)
        last = k if doc.meta.genre == "news" else len(doc.sentences)  # news: the opening sentence only
        while period is None and k <= last and k < len(doc.sentences) and doc.sentences[k][0] < ss:
            a, b = doc.sentences[k]
            period, from_word = _period_cue(doc, max(a, ps), min(b, ss))
            k += 1
        lead = doc.list_lead(ps) if period is None and doc.is_gwr else None
        if lead is not None:  # an item of a dash list: what the list's lead paragraph names
            period, from_word = _period_cue(doc, *lead)
        if period is None and doc.review_year and any(a <= q.start < b for a, b in doc.five_year_parts):
            period, from_word = f"{doc.review_year - 4}/{doc.review_year}", True
    if from_word is True and period and "/" in period:
        period, from_word = _within_span(doc, f, period)
    modality = _modality(doc, f, left)
    if period is None:
        if doc.is_gwr:
            y = doc.this_year if modality == "target" else doc.review_year
            period = str(y) if y else None
        elif doc.meta.genre == "news":
            y = doc.this_year or doc.year_named_before(q.start) or doc.year_named_before(len(text))
            period = doc.news_period or (str(y) if y else None)
        else:
            period = str(doc.review_year) if doc.review_year else None
    year = _last_year(period)
    if modality == "actual" and year and doc.this_year and year > doc.this_year and doc.is_gwr:
        modality = "target"  # 到2030年: a year still to come

    clause = _outside(text, clause_start, q.start, f)
    aggregation = None
    if _has(r.aggregation.annual_average, clause) or _has(r.aggregation.annual_average, metric):
        aggregation = "annual_average"
        base = _rx(r"(?:比|较)(\d{4})年(?!\d{1,2}月|同期)").search(text[ss:q.start])
        if base and year and int(base.group(1)) < year and period == str(year) \
                and _has(r.aggregation.annual_average, clause):
            period = f"{int(base.group(1)) + 1}/{year}"  # 比2002年…年均增长10.6%: the years since the base
    elif _has(r.aggregation.cumulative, _without(clause, r.aggregation.stock_phrases)) or (
            from_word and period and "/" in period):
        aggregation = "cumulative"

    measure = _measure(doc, f, indicator, said)
    if adds_to_stock and measure == "level":
        measure = "change"  # 新增高新技术企业6000家: a change of the stock
    comparison = None
    if measure in ("growth", "change"):
        best = None  # the nearest base before the figure in its sentence; the longest at one place
        for pat, base in r.comparison.patterns:
            for m in _rx(pat).finditer(text[ss:q.start]):
                key = (m.end(), m.end() - m.start())
                if best is None or key > best[0]:
                    best = (key, m.expand(base))
        comparison = best[1] if best else None
    region, level = _region(doc, f, clause_start)
    return Observation(indicator, measure, modality, period, year, aggregation, region, level, comparison)


def observe(text: str, sentences: list[tuple[int, int]], quantities: list[Quantity], facts: list[Fact],
            places: list[tuple[int, int]], meta: DocMeta) -> list[Observation]:
    """One observation per fact (same order). ``places``: spans of GPE entities and of words that
    name the whole country (全国, 我国) in the view text."""
    doc = _Doc(text, sentences, quantities, places, meta)
    out = []
    seen: dict[tuple[int, int], int] = {}  # a metric paired with figures by 分别: how many so far
    for i, f in enumerate(facts):
        k = max(0, bisect.bisect_right(doc.sent_starts, f.quantity.start) - 1)
        sent = sentences[k] if sentences else (0, len(text))
        half = None
        if f.rule in ("paired", "left_metric") and "分别" in text[sent[0]:f.quantity.start]:
            key = (f.metric_start, f.metric_end)
            half = seen.get(key, 0)
            seen[key] = half + 1
            half = half if half < 2 else None
        prev = facts[i - 1] if i else None
        before = None
        if prev is not None and out[-1].indicator and sent[0] <= prev.quantity.start < f.quantity.start:
            before = ("".join(text[prev.metric_start:prev.metric_end].split()), out[-1].indicator)
        out.append(qualify(doc, f, sent, f.clause_start if f.clause_start >= 0 else sent[0], half, before))
    return out
