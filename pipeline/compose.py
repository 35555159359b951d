"""The one place that composes the stages and decides overlaps.

document text -> clean view -> sentences -> quantities (characters) -> tokens (spaCy + jieba)
-> entities (rules + model) -> facts -> validated records (offsets into the document text).
"""
from __future__ import annotations

import enum
import functools
import os
from dataclasses import dataclass, field

from pydantic import ValidationError

from schemas import EntityRecord, FactRecord, QuantityRecord, RejectRecord

from . import cleanview, docmeta, entities, facts, observations, quantities
from .errors import BadOption



class EntityMode(str, enum.Enum):
    """Which entity sources run: the rules, the statistical model, or both (the overlap policy)."""
    RULES = "rules"
    MODEL = "model"
    BOTH = "both"


def entity_mode_of(value) -> EntityMode:
    try:
        return EntityMode(value)
    except ValueError:
        raise BadOption(f"unknown entity mode {value!r}; one of {', '.join(m.value for m in EntityMode)}") from None


def model_wanted() -> bool:
    """PIPELINE_NER=0 runs on rules alone (read when the model is first asked for, not at import)."""
    return os.environ.get("PIPELINE_NER", "1") != "0"


@dataclass
class Extraction:
    quantities: list[QuantityRecord] = field(default_factory=list)
    entities: list[EntityRecord] = field(default_factory=list)
    facts: list[FactRecord] = field(default_factory=list)
    rejects: list[RejectRecord] = field(default_factory=list)
    meta: docmeta.DocMeta = field(default_factory=docmeta.DocMeta)


@functools.lru_cache(maxsize=1)
def ner_model():
    """The statistical NER model behind one interface (pipeline.ner.NerModel), or None if disabled."""
    if not model_wanted():
        return None
    try:
        from .ner import NerModel
    except ImportError as exc:  # the model package is missing: say so, run on rules alone
        import sys
        print(f"warning: NER model unavailable ({exc}); entities come from rules only", file=sys.stderr)
        return None
    return NerModel.load()


def _validated(model, data: dict, text: str, out: Extraction, source: str, stage: str):
    try:
        return model.model_validate(data, context={"text": text})
    except ValidationError as exc:
        reason = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in exc.errors())
        out.rejects.append(RejectRecord(doc_id=data.get("doc_id"), source=source, stage=stage,
                                        reason=reason, start=data.get("start"), end=data.get("end")))
        return None


def extract(text: str, doc_id: str = "text", source: str = "<text>",
            entity_mode: str = "both", meta: docmeta.DocMeta | None = None) -> Extraction:
    """Run every stage on one document text. entity_mode: "rules", "model" or "both". ``meta``: what
    is known of the document (a sidecar row); the gaps are inferred from the text."""
    entity_mode = entity_mode_of(entity_mode).value
    out = Extraction()
    out.meta = (meta or docmeta.DocMeta()).merged(docmeta.infer(text))
    view = cleanview.build(text)
    vt = view.text
    sents = view.sentences()
    sent_of = _sentence_index(sents)

    # quantities
    qs = quantities.find(vt)
    for q in qs:
        s, e = view.to_doc(q.start, q.end)
        ss, se = sents[sent_of(q.start)] if sents else (q.start, q.end)
        ds, de = view.to_doc(ss, se)
        rec = _validated(QuantityRecord, dict(
            doc_id=doc_id, start=s, end=e, text=text[s:e], value=q.value, value_max=q.value_max,
            unit=q.unit, kind=q.kind, approx=q.approx, norm=q.norm, rule=q.rule,
            sentence_start=ds, sentence_end=de), text, out, source, "quantities")
        if rec:
            out.quantities.append(rec)

    # entities, in sentence-aligned chunks (spaCy's length limit; memory flat on long documents)
    spans = []
    for a, b in _chunks(sents, len(vt)):
        spans.extend(entities.Span(sp.start + a, sp.end + a, sp.label, sp.source, sp.rule)
                     for sp in _entity_spans(vt[a:b], entity_mode))
    for sp in spans:
        s, e = view.to_doc(sp.start, sp.end)
        rec = _validated(EntityRecord, dict(doc_id=doc_id, start=s, end=e, text=text[s:e], label=sp.label,
                                            source=sp.source, rule=sp.rule), text, out, source, "entities")
        if rec:
            out.entities.append(rec)

    # facts
    scopes = [(sp.start, sp.end) for sp in spans if sp.label in ("GPE", "FAC")]
    linked = facts.link(vt, sents, qs, scopes)
    places = [(sp.start, sp.end) for sp in spans if sp.label == "GPE"]
    places += [(m.start(), m.end()) for m in observations.country_words().finditer(vt)]
    obs = observations.observe(vt, sents, qs, linked, places, out.meta)
    for f, o in zip(linked, obs):
        q = f.quantity
        s, e = view.to_doc(q.start, q.end)
        ms, me = view.to_doc(f.metric_start, f.metric_end)
        ss, se = sents[sent_of(q.start)]
        ds, de = view.to_doc(ss, se)
        rec = _validated(FactRecord, dict(
            doc_id=doc_id, start=s, end=e, text=text[s:e], metric="".join(text[ms:me].split()),
            metric_start=ms, metric_end=me, predicate=f.predicate, direction=f.direction,
            value=q.value, value_max=q.value_max, unit=q.unit, kind=q.kind, approx=q.approx,
            sentence="".join(text[ds:de].split()), rule=f.rule, **vars(o)),  # flat: vars is asdict
            text, out, source, "facts")
        if rec:
            out.facts.append(rec)
    return out


CHUNK_CHARS = 100_000  # well under spaCy's max_length (1,000,000)


def _chunks(sents: list[tuple[int, int]], n: int, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """Stretches of the view of at most ``size`` characters that end at sentence boundaries (a
    sentence longer than ``size`` is cut)."""
    ends = [e for _, e in sents if e <= n]
    if not ends or ends[-1] < n:
        ends.append(n)
    out, start, prev = [], 0, 0
    for e in ends:
        if e - start > size:
            if prev > start:
                out.append((start, prev))
                start = prev
            while e - start > size:
                out.append((start, start + size))
                start += size
        prev = e
    if start < n:
        out.append((start, n))
    return out


def _entity_spans(vt: str, entity_mode: str) -> list:
    """Entity spans of one stretch of the view (offsets into that stretch)."""
    if not vt:
        return []
    toks = entities.token_offsets(entities.segment(vt))  # one segmentation for rules and model
    rule_spans = entities.rule_spans(vt, toks) if entity_mode != "model" else []
    if entity_mode == "rules":
        return rule_spans
    model = ner_model()
    model_spans = [entities.Span(s, e, lab, "model", "ner_model")
                   for s, e, lab in model.predict([vt])[0]] if model is not None else []
    bounds = entities.word_bounds(toks)
    if entity_mode == "model":
        return [sp for sp in (entities.refine_model_span(m, vt, bounds) for m in model_spans) if sp is not None]
    return entities.combine_rules_and_model(rule_spans, model_spans, vt, bounds)


def _sentence_index(sents: list[tuple[int, int]]):
    import bisect
    starts = [s for s, _ in sents]

    def find(pos: int) -> int:
        return max(0, bisect.bisect_right(starts, pos) - 1)

    return find
