"""Facts: link each quantity to the indicator (metric) it measures in its clause.

Works on the clean view, sentence by sentence. The lexicons (predicates with direction, words
stripped from a metric's edges, clause breaks, count-first verbs) are data: pipeline/data/facts.toml.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import regex
from pydantic import BaseModel, ConfigDict, field_validator

from .patterns import check_compiles, load_rules, per_rules
from schemas.records import KINDS

from .quantities import Quantity
from .segment import USERDICT, jieba_tags, load_posseg

DATA = Path(__file__).parent / "data" / "facts.toml"
MAX_METRIC = 24
_HAN = regex.compile(r"[\p{Han}“”]+")


class FactRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fact_kinds: list[str]
    no_fact_rules: list[str] = []
    right_only_units: list[str] = []
    predicates: dict[str, int]
    strip_left: list[str]
    strip_right: list[str]
    right_keep: list[str] = []
    frame_words: list[str] = []
    clause_breaks: str
    count_first_verbs: list[str]
    not_metrics: list[str]
    compare_marks: list[str]
    compare_bases: list[str]
    compare_tails: list[str]
    compare_phrases: list[str]
    compound_names: list[str]
    single_char_metric_tags: list[str]
    scope_marks: list[str]
    scope_chars: str
    left_drop_tags: list[str]
    left_keep_words: list[str]
    right_drop_tags: list[str]
    right_noun_tags: list[str]
    right_stop_tags: list[str]

    @field_validator("fact_kinds")
    @classmethod
    def _kinds(cls, v):
        bad = set(v) - set(KINDS)
        if bad:
            raise ValueError(f"unknown kinds: {sorted(bad)}")
        return v

    @field_validator("compare_phrases")
    @classmethod
    def _phrases(cls, v):
        return check_compiles(v, "compare_phrases pattern")

    @field_validator("predicates")
    @classmethod
    def _dir(cls, v):
        bad = {k: d for k, d in v.items() if d not in (-1, 0, 1)}
        if bad:
            raise ValueError(f"direction must be -1, 0 or 1: {bad}")
        return v


@functools.lru_cache(maxsize=1)
def rules() -> FactRules:
    return load_rules(DATA, FactRules)


@functools.lru_cache(maxsize=1)
def indicators() -> tuple[str, ...]:
    words = [ln.split()[0] for ln in USERDICT.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return tuple(sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class Fact:
    quantity: Quantity
    metric_start: int   # view offsets
    metric_end: int
    predicate: str
    direction: int
    rule: str
    clause_start: int = -1  # view offset where the figure's clause starts (set by the linker)


@per_rules
def _edge_words(r: FactRules) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Predicates and edge words, longest first."""
    def longest(ws):
        return tuple(sorted(ws, key=len, reverse=True))
    return longest(r.predicates), longest(r.strip_left), longest(r.strip_right)


def _strip(text: str, s: int, e: int, r: FactRules) -> tuple[int, int, str]:
    """Strip edge words; returns the new span and the predicate found at an edge (right first)."""
    predicate = ""
    preds, left, right = _edge_words(r)
    keep = tuple(r.left_keep_words)
    keep_right = tuple(r.right_keep)
    changed = True
    while changed and s < e:
        changed = False
        seg = text[s:e]
        w = next((p for p in preds if seg.endswith(p) and (len(seg) > len(p) or not predicate)), None) \
            if seg.endswith(preds) else None
        if w is not None and not predicate:
            predicate = w
        elif w is not None and len(w) > 1 and r.predicates[w] and r.predicates.get(predicate) == 0:
            predicate = w + predicate  # 销售量增长达到13%: a change verb before 达到 is part of the predicate
        elif predicate and seg.endswith(keep_right) and seg not in keep_right:
            w = None  # 占比达66%: 占比 ends the metric's name once the predicate is taken
        else:
            w = next((x for x in right if seg.endswith(x)), None) if seg.endswith(right) else None
        if w is not None:
            e -= len(w)
            changed = True
            continue
        w = None if seg.startswith(keep) or not seg.startswith(left) else next(x for x in left if seg.startswith(x))
        if w is not None and len(seg) > len(w) and _runs_on(text, s, e, w):
            w = None  # 保障性住房, 供应链: the word runs on, it is not a verb before the metric
        if w is not None:
            if not predicate and w in r.predicates:
                predicate = w
            s += len(w)
            changed = True
    return s, e, predicate


def _runs_on(text: str, s: int, e: int, w: str) -> bool:
    """True when jieba's first word of text[s:e] is ``w`` and more (保障性 for 保障)."""
    first = _tagged(text, s, min(e, s + len(w) + 6))
    return bool(first) and len(first[0][2]) > len(w) and first[0][2].startswith(w)


def _tagged(text: str, s: int, e: int) -> list[tuple[int, int, str, str]]:
    """(start, end, word, tag) for the POS-tagged words of text[s:e], offsets into text."""
    out, pos = [], s
    for word, flag in _pos_words(text[s:e]):
        out.append((pos, pos + len(word), word, flag))
        pos += len(word)
    return out


@functools.lru_cache(maxsize=20_000)  # about 15 MB at most
def _pos_words(stretch: str) -> tuple[tuple[str, str], ...]:
    """jieba's POS-tagged words of a short stretch (the same stretches recur within and across
    documents: 地区生产总值, 规模以上工业增加值)."""
    return tuple((w.word, w.flag) for w in load_posseg().lcut(stretch, HMM=False))


@functools.lru_cache(maxsize=8)
def _names_holding(mark: str) -> tuple[str, ...]:
    return tuple(w for w in indicators() if mark in w)


def _clean_metric(text: str, s: int, e: int, r: FactRules) -> tuple[int, int]:
    """Cut a metric after its last verb and drop function words at its edges (POS tags from jieba)."""
    if s >= e:
        return s, e
    for mark in r.scope_marks:  # 传统产业中的纺织服装: the part before 中的 says among what
        i = text.rfind(mark, s, e)
        if i >= 0 and i + len(mark) < e and not any(w in text[s:e] for w in _names_holding(mark)):
            s = i + len(mark)  # (每百元营业收入中的成本 is one name)
    toks = _tagged(text, s, e)
    left, right = set(r.left_drop_tags), set(r.right_drop_tags)
    keep = set(r.left_keep_words)
    edge = set(r.strip_left)
    while len(toks) > 1 and ((toks[0][3] in left and text[toks[0][0]] not in "“《" and toks[0][2] not in keep)
                             or (toks[0][2] in edge and toks[0][3] == "t")):  # 我国目前实有…: a listed time word
        toks = toks[1:]
    keep_right = tuple(r.right_keep)
    while (len(toks) > 1 and toks[-1][3] in right and text[toks[-1][0]] not in "”》"
           and not text.endswith(keep_right, s, toks[-1][1])):
        toks = toks[:-1]
    if not toks:
        return s, s
    s, e = toks[0][0], toks[-1][1]
    if e - s > MAX_METRIC:
        seg = text[s:e]
        for w in indicators():
            i = seg.rfind(w)
            if i >= 0:
                return s + i, s + i + len(w)
        return e - MAX_METRIC, e
    return s, e


def _right_noun(text: str, start: int, limit: int, r: FactRules,
                verb_ok: Callable[[], bool] = lambda: False) -> tuple[int, int]:
    """The noun phrase right after a quantity (3家企业入选 -> 企业; 80%的行政村 -> 行政村); ``verb_ok()``
    says whether a verb may open it (asked only when one does)."""
    if start < limit and text[start] == "的":
        start += 1
    end = start
    while end < limit and text[end] not in "，。；、：,;:！？\n（）()" and end - start < MAX_METRIC:
        end += 1
    toks = _tagged(text, start, end)
    out = []
    if toks and toks[0][2] == "“":  # a quoted name opens the phrase: 521家“倍增计划”试点企业
        close = next((k for k, t in enumerate(toks) if t[2] == "”"), None)
        if close is None:
            return start, start
        out, toks = toks[:close + 1], toks[close + 1:]
    elif len(toks) > 1 and toks[0][3] == "v" and toks[1][3] in ("n", "nz") and verb_ok():
        pass  # 抢下13个进攻篮板: a verb modifying the noun after it, when the left names nothing but a verb
    elif not toks or toks[0][3] not in set(r.right_noun_tags):
        return start, start
    stop = set(r.right_stop_tags)
    verbs = _verb_words(r)
    for t in toks:
        set_phrase_verb = t[3] in ("i", "j", "l") and any(v in t[2] for v in verbs)
        if out and (t[3] in stop or not _HAN.fullmatch(t[2]) or set_phrase_verb):
            break  # 25个重点项目建成投产, 31个市重点项目提前完成…: a set phrase holding a predicate ends the noun
        out.append(t)
    return out[0][0], out[-1][1]


@per_rules
def _verb_words(r: FactRules) -> tuple[str, ...]:
    return tuple(w for w in [*r.predicates, *r.count_first_verbs] if len(w) > 1)


_COMPARE = "比较"


@dataclass
class _Sentence:
    """What the rules of one sentence share: the text, the figures, and the state carried from one
    figure to the next (the facts so far, the metrics awaiting 分别-pairing)."""
    text: str
    start: int
    end: int
    quantities: list[Quantity]
    scope_at: dict[int, int]
    facts: list[Fact] = field(default_factory=list)
    pending: list[tuple[int, int]] = field(default_factory=list)  # metrics awaiting 分别-pairing
    pending_pred: tuple[str, int] = ("", 0)
    carried: Fact | None = None  # the last fact of the sentence before, when it ended with ；

    @property
    def q_starts(self) -> set[int]:
        return {x.start for x in self.quantities}


@dataclass
class _Clause:
    """One figure and the stretch on its left up to the previous figure or a clause break."""
    q: Quantity
    left_start: int      # after the last clause break on the left
    between: str         # text since the previous figure
    s: int               # the metric candidate on the left, edge words stripped
    e: int
    pred: str            # the predicate found at its edges
    cmp_cut: int | None  # where a comparison (比2019年同期) cut the left stretch

    @property
    def raw_left(self) -> str:
        return self.sent.text[self.left_start:self.q.start]

    sent: _Sentence = None  # type: ignore[assignment]


def _fact(c: _Clause, s: int, e: int, pred: str, rule: str) -> Fact:
    return Fact(c.q, s, e, pred, _dir(_direction(pred), c.q), rule)


def _direction(pred: str) -> int:
    """The direction a predicate states; a chain (增长达到) takes its first verb's."""
    preds = rules().predicates
    if pred in preds:
        return preds[pred]
    return next((d for w, d in preds.items() if d and pred.startswith(w)), 0)


def _prev_fact(c: _Clause) -> Fact | None:
    return c.sent.facts[-1] if c.sent.facts else c.sent.carried


def rule_paired(c: _Clause, r: FactRules) -> list[Fact] | None:
    """A list continues after 分别 (城乡居民人均可支配收入分别增长4.5%、5.8%; 水泥和化肥分别达到2.48亿吨和1988万吨):
    the next figure takes the next metric named before."""
    sent = c.sent
    if sent.pending and c.between.strip() in ("、", "和", "，", "及"):
        ms, me = sent.pending.pop(0)
        pred, base = sent.pending_pred
        return [Fact(c.q, ms, me, pred, _dir(base, c.q), "paired")]
    sent.pending = []
    return None


def rule_share_of_previous(c: _Clause, r: FactRules) -> list[Fact] | None:
    """城镇就业人员1.22万人，占全县就业人员比重为5.91%: a share clause measures the figure named
    before it, not the whole it is a share of."""
    prev = _prev_fact(c)
    if prev is not None and c.sent.text[c.left_start:c.q.start].lstrip().startswith("占"):
        return [Fact(c.q, prev.metric_start, prev.metric_end, "占", 0, "share_of_previous")]
    return None


def rule_count_before_noun(c: _Clause, r: FactRules) -> list[Fact] | None:
    """A count (or a share with 的) before its noun: 3家企业入选, 7个省重点, 80%的行政村; a count
    running straight into its noun (泰龙化工等35个亿元以上项目) names what is counted whatever stands
    on the left; 投资5亿元的万家惠农贸市场项目: money with its metric on the left keeps it."""
    text, q, s_end = c.sent.text, c.q, c.sent.end
    left_is_verb = c.s >= c.e or text[c.s:c.e].endswith(tuple(r.count_first_verbs))
    noun_follows = q.kind in ("count", "measure") and q.end < s_end and text[q.end] not in set(r.clause_breaks)
    de_noun = q.end < s_end and text[q.end] == "的" and not (q.kind == "money" and not left_is_verb)
    if not ((q.kind == "count" and left_is_verb) or noun_follows or de_noun):
        return None
    def left_is_a_bare_verb() -> bool:
        left = _tagged(text, *_clean_metric(text, c.s, c.e, r)) if c.s < c.e else []
        return len(left) == 1 and left[0][3] == "v"
    rs, re_ = _right_noun(text, q.end, s_end, r, verb_ok=left_is_a_bare_verb)
    if re_ in c.sent.q_starts:
        rs = re_  # 项目43个总投资345亿元: that noun names the next figure
    if rs >= re_:
        return None
    pred = c.pred or next((v for v in r.count_first_verbs if text[c.s:c.e].endswith(v)), "")
    return [_fact(c, rs, re_, pred, "count_before_noun")]


def rule_same_metric(c: _Clause, r: FactRules) -> list[Fact] | None:
    """全省地区生产总值5.3万亿元、增长5.5%: a figure with only predicates (and time figures) before it
    measures the metric of the figure before. With nothing on the left and no such figure: no fact."""
    if c.s < c.e:
        return None
    prev = _prev_fact(c)
    if prev is not None and _only_predicates(c.sent.text, prev.quantity.end, c.q.start, c.sent.quantities, r):
        return [_fact(c, prev.metric_start, prev.metric_end, c.pred, "same_metric")]
    return []


def rule_coordinated(c: _Clause, r: FactRules) -> list[Fact] | None:
    """民间投资、工业投资均增长20%以上: coordinated metrics share the figure; with 分别 the metrics are
    paired with this and the following figures in order."""
    text, s, raw_left = c.sent.text, c.s, c.raw_left
    metric = text[c.s:c.e]
    sep = "、" if "、" in metric else ("和" if "分别" in raw_left and "和" in metric else None)
    if sep is None or not any(w in raw_left for w in ("均", "分别", "都", "各")):
        return None
    parts, pos = [], s
    for piece in metric.split(sep):
        ps, pe, _ = _strip(text, pos, pos + len(piece), r)
        ps, pe = _clean_metric(text, ps, pe, r)
        if ps < pe:
            parts.append((ps, pe))
        pos += len(piece) + 1
    if "分别" in raw_left and len(parts) > 1:
        ms, me = parts.pop(0)
        c.sent.pending, c.sent.pending_pred = parts, (c.pred, r.predicates.get(c.pred, 0))
        return [_fact(c, ms, me, c.pred, "paired")]
    return [_fact(c, ms, me, c.pred, "coordinated") for ms, me in parts]


def rule_left_metric(c: _Clause, r: FactRules) -> list[Fact] | None:
    """全年地区生产总值增长5.5%: the metric is the noun phrase on the figure's left, cut after the last
    、 of a list (煤炭、钢铁产量3.5亿吨 -> 钢铁产量) unless the 、 is inside an industry name
    (交通运输、仓储和邮政业). With 分别 and one metric, each following figure takes it too."""
    text, s, e = c.sent.text, c.s, c.e
    metric = text[s:e]
    if "、" in metric:
        cut = metric.rfind("、")
        for name in r.compound_names:
            i = metric.rfind(name)
            if "、" in name and 0 <= i <= cut < i + len(name):
                cut = min(cut, metric.rfind("、", 0, i))
                break
        s = s + cut + 1
    s, e = _clean_metric(text, s, e, r)
    if s >= e:
        return []
    if "分别" in c.raw_left:  # one metric, a list of figures: each gets it
        c.sent.pending, c.sent.pending_pred = [(s, e)] * 8, (c.pred, r.predicates.get(c.pred, 0))
    return [_fact(c, s, e, c.pred, "left_metric")]


# The linking rules, tried in this order for each figure; the first that applies decides (a rule
# returns None when it does not apply, a list of facts, possibly empty, when it does).
RULES = (rule_paired, rule_share_of_previous, rule_count_before_noun, rule_same_metric,
         rule_coordinated, rule_left_metric)
RULE_NAMES = ("paired", "share_of_previous", "count_before_noun", "same_metric", "coordinated", "left_metric")


def _drop_scope(s: int, e: int, scope_at: dict[int, int], text: str, r: FactRules) -> int:
    """Move a metric's start past places and facilities named at its left edge (万载县农业机械总动力,
    宁波舟山港集装箱吞吐量): the guidelines drop place scope from an indicator's name."""
    while s in scope_at and scope_at[s] < e:
        s, _, _ = _strip(text, scope_at[s], e, r)
    return s


_PRED_TAIL = "到至在"
_PRED_HEAD = ("年均",)


def _as_written(text: str, c: _Clause, f: Fact) -> str:
    """The predicate as the text writes it: with 到/至/在 after it (增加到, 稳定在) and 年均 before it
    (年均增长); when none stands between metric and figure, the verb that opens the clause before
    the metric (全年实现地区生产总值…: 实现)."""
    pred = f.predicate
    q = f.quantity
    if pred:
        zone_start = f.metric_end if f.metric_end <= q.start else c.left_start
        i = text.rfind(pred, zone_start, q.start)
        if i >= 0:
            e = i + len(pred)
            if e < q.start and text[e] in _PRED_TAIL:
                pred += text[e]
            head = next((h for h in _PRED_HEAD if text[max(0, i - len(h)):i] == h), "")
            pred = head + pred
        return pred
    if f.rule == "left_metric" and c.left_start < f.metric_start <= q.start:
        verbs = [t for t in _tagged(text, c.left_start, f.metric_start) if t[3].startswith("v")]
        if verbs:
            return verbs[-1][2]
    # 服务业实现增加值: the name keeps its verb (guidelines), which is also what ties it to the figure
    inner = [t[2] for t in _tagged(text, f.metric_start, f.metric_end) if t[3].startswith("v")]
    return next((w for w in inner if rules().predicates.get(w) == 0 and len(w) > 1), pred)


def _clause(sent: _Sentence, q: Quantity, prev_end: int, cmp_cut: int | None, r: FactRules,
            date_before: tuple[int, int] | None = None) -> _Clause:
    text = sent.text
    left_start = prev_end
    breaks = set(r.clause_breaks)
    for i in range(q.start - 1, prev_end - 1, -1):
        if text[i] in breaks:
            left_start = i + 1
            break
    left_start = _after_frame(text, left_start, q.start, r)
    s, e, pred = _strip(text, left_start, q.start, r)
    if s >= e and left_start > prev_end and text[left_start - 1] in "）)":
        # 固定资产投资（不含农户）同比增长7.4%: a qualifier in brackets closes the metric's name
        j = max(text.rfind("（", prev_end, left_start - 1), text.rfind("(", prev_end, left_start - 1))
        if j > prev_end:
            outer = next((i + 1 for i in range(j - 1, prev_end - 1, -1) if text[i] in breaks), prev_end)
            ps, pe, _ = _strip(text, outer, j, r)
            if ps < pe:
                left_start, s, e = outer, ps, pe
    if s >= e and date_before is not None and left_start == prev_end:
        # 城镇居民人均可支配收入从2002年的7703元增加到2007年的13786元: a date between the metric and its
        # figure; the metric (or the predicate) stands before the date
        a, b = date_before
        outer = next((i + 1 for i in range(b - 1, a - 1, -1) if text[i] in breaks), a)
        ps, pe, pred2 = _strip(text, outer, b, r)
        pred = pred or pred2
        if ps < pe:
            left_start, s, e = outer, ps, pe
    if cmp_cut is None:  # searched before the edge words went (相比's 比 is one of them)
        m = _comparison(r).search(text, left_start, q.start)
        cmp_cut = m.start() if m else None
        if m and m.start() < s < m.end():  # 与前期报价相比便宜了: the comparison opens the clause
            s, e = (_strip(text, m.end(), e, r)[:2]) if m.end() < e else (e, e)
    if cmp_cut is not None and s <= cmp_cut < e:
        s, e, _ = _strip(text, s, cmp_cut, r)
    s = _drop_scope(s, e, sent.scope_at, text, r)
    c = _Clause(q, left_start, text[prev_end:q.start], s, e, pred, cmp_cut)
    c.sent = sent
    return c


def _after_frame(text: str, a: int, b: int, r: FactRules) -> int:
    """Where text[a:b] goes on after its last framing verb (审计署公告称北京奥运会收支结余, 有的说房价: what is
    said, not who says it); ``a`` when it has none. Whole words of the segmenter only (说明书 is no frame)."""
    words, seg = _frame_words(r), text[a:b]
    if not any(w in seg for w in words):
        return a
    toks = _tagged(text, a, b)
    k = max((i for i, t in enumerate(toks[:-1]) if t[2] in words), default=-1)
    return toks[k][1] if k >= 0 else a


@per_rules
def _frame_words(r: FactRules) -> frozenset[str]:
    return frozenset(r.frame_words)


@per_rules
def _comparison(r: FactRules) -> regex.Pattern:
    """A comparison: 比/较 and its base (涂料较去年, 产量比上月) or a 相比 phrase (与前期报价相比,
    相比前周): the metric ends before it."""
    def alt(ws):
        return "|".join(map(regex.escape, sorted(ws, key=len, reverse=True)))
    based = f"(?:{alt(r.compare_marks)})(?:{alt(r.compare_bases)})(?:{alt(r.compare_tails)})?"
    return regex.compile("|".join([based, *r.compare_phrases]))


def _link_sentence(sent: _Sentence, r: FactRules) -> list[Fact]:
    kinds = set(r.fact_kinds)
    prev_end, cmp_cut, date_before = sent.start, None, None
    for q in sent.quantities:
        if q.kind not in kinds and q.start > sent.start and sent.text[q.start - 1] in _COMPARE:
            # 规模以上工业增加值比2019年同期增长11.1%: a comparison date is no boundary; the metric
            # ends before 比
            cmp_cut = q.start - 1
            continue
        if q.kind not in kinds or q.rule in r.no_fact_rules:
            date_before = (prev_end, q.start) if q.kind == "date" else None
            prev_end = q.end
            continue
        c = _clause(sent, q, prev_end, cmp_cut, r, date_before)
        prev_end, cmp_cut, date_before = q.end, None, None
        rules_here = RULES if q.unit not in r.right_only_units else (rule_count_before_noun,)
        for rule in rules_here:
            found = rule(c, r)
            if found is not None:
                sent.facts.extend(replace(f, clause_start=c.left_start, predicate=_as_written(sent.text, c, f))
                                  for f in found)
                break
    return sent.facts


def link(text: str, sentences: list[tuple[int, int]], quantities: list[Quantity],
         scopes: list[tuple[int, int]] = ()) -> list[Fact]:
    """Facts of one text. ``scopes``: spans of places and facilities (GPE, FAC entities) that a
    metric does not start with."""
    r = rules()
    scope_at: dict[int, int] = {}
    for a, b in scopes:
        scope_at[a] = max(b, scope_at.get(a, b))
    facts: list[Fact] = []
    qi, prev_sent_start = 0, 0
    qs = sorted(quantities, key=lambda q: q.start)
    for s_start, s_end in sentences:
        in_sent = []
        while qi < len(qs) and qs[qi].start < s_end:
            if qs[qi].start >= s_start:
                in_sent.append(qs[qi])
            qi += 1
        i = s_start - 1
        while i >= 0 and text[i].isspace():
            i -= 1
        carried = facts[-1] if facts and i >= 0 and text[i] in "；;" and facts[-1].quantity.end > prev_sent_start \
            else None  # 增长5.8%；两年平均增长5.9%: a clause after ； goes on with the figure's metric
        prev_sent_start = s_start
        facts.extend(_link_sentence(_Sentence(text, s_start, s_end, in_sent, scope_at, carried=carried), r))
    not_metrics = set(r.not_metrics)
    return [f for f in facts if (f.metric_end - f.metric_start > 1 or _noun_char(text[f.metric_start], r))
            and text[f.metric_start:f.metric_end] not in not_metrics]


def _noun_char(ch: str, r: FactRules) -> bool:
    return ch not in r.scope_chars and jieba_tags().get(ch) in r.single_char_metric_tags


def _only_predicates(text: str, a: int, b: int, quantities: list[Quantity], r: FactRules) -> bool:
    """True when text[a:b] holds only predicates, hedges, comparisons and time quantities (，两年平均增长;
    比2019年同期增长; 比上月增长)."""
    cuts = [(q.start, q.end) for q in quantities if a <= q.start and q.end <= b and q.kind not in r.fact_kinds]
    cuts = sorted(cuts + [m.span() for m in _comparison(r).finditer(text, a, b)])
    pos = a
    for s, e in cuts + [(b, b)]:
        ps, pe, _ = _strip(text, pos, s, r)
        if ps < pe:
            return False
        pos = e
    return True


def _dir(base: int, q: Quantity) -> int:
    if q.value is not None and q.value < 0:
        return -base if base else -1
    return base
