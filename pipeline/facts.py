"""Facts: link each quantity to the indicator (metric) it measures in its clause.

Works on the clean view, sentence by sentence. The lexicons (predicates with direction, words
stripped from a metric's edges, clause breaks, count-first verbs) are data: pipeline/data/facts.toml.
"""
from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from .quantities import KINDS, Quantity
from .segment import USERDICT

DATA = Path(__file__).parent / "data" / "facts.toml"
MAX_METRIC = 16


class FactRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fact_kinds: list[str]
    predicates: dict[str, int]
    strip_left: list[str]
    strip_right: list[str]
    clause_breaks: str
    count_first_verbs: list[str]

    @field_validator("fact_kinds")
    @classmethod
    def _kinds(cls, v):
        bad = set(v) - set(KINDS)
        if bad:
            raise ValueError(f"unknown kinds: {sorted(bad)}")
        return v

    @field_validator("predicates")
    @classmethod
    def _dir(cls, v):
        bad = {k: d for k, d in v.items() if d not in (-1, 0, 1)}
        if bad:
            raise ValueError(f"direction must be -1, 0 or 1: {bad}")
        return v


@functools.lru_cache(maxsize=1)
def rules() -> FactRules:
    try:
        return FactRules.model_validate(tomllib.loads(DATA.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ValueError(f"{DATA.name}: {exc}") from None


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


def _strip(text: str, s: int, e: int, r: FactRules) -> tuple[int, int, str]:
    """Strip edge words; returns the new span and the predicate found at the right edge."""
    predicate = ""
    preds = sorted(r.predicates, key=len, reverse=True)
    left = sorted(r.strip_left, key=len, reverse=True)
    right = sorted(r.strip_right, key=len, reverse=True)
    changed = True
    while changed and s < e:
        changed = False
        seg = text[s:e]
        for w in right:
            if seg.endswith(w):
                e -= len(w)
                changed = True
                break
        else:
            for w in preds:
                if seg.endswith(w) and len(seg) > len(w) or (seg == w and not predicate):
                    if not predicate:
                        predicate = w
                    e -= len(w)
                    changed = True
                    break
        seg = text[s:e]
        for w in left:
            if seg.startswith(w):
                s += len(w)
                changed = True
                break
    return s, e, predicate


def _trim_long(text: str, s: int, e: int) -> tuple[int, int]:
    seg = text[s:e]
    for w in indicators():
        i = seg.rfind(w)
        if i >= 0:
            # keep modifiers right before a known indicator only when short (城镇居民人均可支配收入)
            return s + i, s + i + len(w)
    if e - s > MAX_METRIC:
        return e - MAX_METRIC, e
    return s, e


def link(text: str, sentences: list[tuple[int, int]], quantities: list[Quantity]) -> list[Fact]:
    r = rules()
    kinds = set(r.fact_kinds)
    breaks = set(r.clause_breaks)
    facts: list[Fact] = []
    qi = 0
    qs = sorted(quantities, key=lambda q: q.start)
    for s_start, s_end in sentences:
        in_sent = []
        while qi < len(qs) and qs[qi].start < s_end:
            if qs[qi].start >= s_start:
                in_sent.append(qs[qi])
            qi += 1
        prev_end = s_start
        pending_list: list[tuple[int, int]] = []  # metrics awaiting 分别-pairing
        pending_pred = ("", 0)
        for q in in_sent:
            left_start = prev_end
            for i in range(q.start - 1, prev_end - 1, -1):
                if text[i] in breaks:
                    left_start = i + 1
                    break
            between = text[prev_end:q.start]
            prev_end = q.end
            if q.kind not in kinds:
                continue
            # a list continues (4.5%、5.8%): pair with the metrics named before
            if pending_list and between.strip() in ("、", "和", "，", "及"):
                ms, me = pending_list.pop(0)
                facts.append(Fact(q, ms, me, pending_pred[0], _dir(pending_pred[1], q), "paired"))
                continue
            pending_list = []
            s, e, pred = _strip(text, left_start, q.start, r)
            raw_left = text[left_start:q.start]
            count_first = q.kind == "count" and (s >= e or any(
                text[s:e].endswith(v) for v in r.count_first_verbs))
            if count_first:
                if s < e:
                    for v in r.count_first_verbs:
                        if text[s:e].endswith(v):
                            pred = pred or v
                            break
                rs = q.end
                re_ = rs
                while re_ < s_end and text[re_] not in breaks and text[re_] != "、" and re_ - rs < MAX_METRIC:
                    re_ += 1
                s2, e2, _ = _strip(text, rs, re_, r)
                if s2 < e2:
                    facts.append(Fact(q, s2, e2, pred, _dir(r.predicates.get(pred, 0), q), "count_before_noun"))
                continue
            if s >= e:
                continue
            metric = text[s:e]
            coordinated = ("、" in metric) and any(w in raw_left for w in ("均", "分别", "都", "各"))
            if coordinated:
                parts, pos = [], s
                for piece in metric.split("、"):
                    ps, pe, _ = _strip(text, pos, pos + len(piece), r)
                    if ps < pe:
                        parts.append(_trim_long(text, ps, pe))
                    pos += len(piece) + 1
                direction = _dir(r.predicates.get(pred, 0), q)
                if "分别" in raw_left and len(parts) > 1:
                    ms, me = parts.pop(0)
                    facts.append(Fact(q, ms, me, pred, direction, "paired"))
                    pending_list, pending_pred = parts, (pred, r.predicates.get(pred, 0))
                else:
                    for ms, me in parts:
                        facts.append(Fact(q, ms, me, pred, direction, "coordinated"))
                continue
            if "、" in metric:
                s = s + metric.rfind("、") + 1
            s, e = _trim_long(text, s, e)
            if s < e:
                facts.append(Fact(q, s, e, pred, _dir(r.predicates.get(pred, 0), q), "left_metric"))
    return facts


def _dir(base: int, q: Quantity) -> int:
    if q.value is not None and q.value < 0:
        return -base if base else -1
    return base
