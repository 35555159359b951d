"""One Pydantic model per output table. Each table's grain is stated in its docstring.

Span records are validated against the document text when it is passed as validation context:
`QuantityRecord.model_validate(data, context={"text": doc_text})` checks `text[start:end] == text`.
"""
from __future__ import annotations

import math
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

KINDS = ("money", "percent", "pp", "permille", "ratio", "area", "measure", "count", "duration",
         "date", "rank")
APPROX = ("exact", "over", "under", "about")
ENTITY_LABELS = ("PER", "ORG", "GPE", "LOC", "FAC", "WORK")
VALUELESS_KINDS = ("date", "ratio")
PLACE_LEVELS = ("country", "province", "prefecture", "county", "other")
MEASURES = ("level", "growth", "change", "share", "rank")
MODALITIES = ("actual", "estimate", "target")
AGGREGATIONS = ("annual_average", "cumulative")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Span(_Record):
    doc_id: str
    start: int
    end: int
    text: str

    @model_validator(mode="after")
    def _span(self, info: ValidationInfo):
        if not 0 <= self.start < self.end:
            raise ValueError(f"bad span {self.start}:{self.end}")
        doc = (info.context or {}).get("text") if info else None
        if doc is not None and doc[self.start:self.end] != self.text:
            raise ValueError(f"text[{self.start}:{self.end}]={doc[self.start:self.end]!r} != {self.text!r}")
        return self


def _finite(v):
    if v is not None and not math.isfinite(v):
        raise ValueError("value must be finite")
    return v


class DocumentRecord(_Record):
    """One row per input document. place … title come from the --meta sidecar, else from the text."""
    doc_id: str
    source: str
    text: str
    n_chars: int
    sha256: str
    encoding: str
    decode_errors: int = 0
    control_chars: int = 0
    place: Optional[str] = None
    place_level: Optional[Literal[PLACE_LEVELS]] = None
    date: Optional[str] = None
    year: Optional[int] = None
    genre: Optional[str] = None
    title: Optional[str] = None

    @field_validator("date")
    @classmethod
    def _iso(cls, v):
        import re
        if v is not None and not re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", v):
            raise ValueError(f"date {v!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
        return v


class QuantityRecord(_Span):
    """One row per quantity mention."""
    value: Optional[float]
    value_max: Optional[float]
    unit: str
    kind: Literal[KINDS]
    approx: Literal[APPROX]
    norm: Optional[str]
    rule: str
    sentence_start: int
    sentence_end: int

    _v = field_validator("value", "value_max")(_finite)

    @model_validator(mode="after")
    def _value(self):
        if self.value is None and self.kind not in VALUELESS_KINDS:
            raise ValueError(f"kind {self.kind} needs a value")
        if self.value_max is not None and self.value is not None and self.value_max < self.value:
            raise ValueError("value_max below value")
        return self


class EntityRecord(_Span):
    """One row per entity mention."""
    label: Literal[ENTITY_LABELS]
    source: Literal["rule", "model", "rule+model"]
    rule: str


class FactRecord(_Span):
    """One row per (quantity, metric) link; start/end/text are the quantity's span."""
    metric: str
    metric_start: int
    metric_end: int
    predicate: str
    direction: int
    value: Optional[float]
    value_max: Optional[float]
    unit: str
    kind: Literal[KINDS]
    approx: Literal[APPROX]
    sentence: str
    rule: str
    indicator: Optional[str] = None
    measure: Literal[MEASURES] = "level"
    modality: Literal[MODALITIES] = "actual"
    period: Optional[str] = None
    year: Optional[int] = None
    aggregation: Optional[Literal[AGGREGATIONS]] = None
    region: Optional[str] = None
    region_level: Optional[Literal[PLACE_LEVELS]] = None
    comparison: Optional[str] = None

    _v = field_validator("value", "value_max")(_finite)

    @model_validator(mode="after")
    def _metric(self, info: ValidationInfo):
        if not 0 <= self.metric_start < self.metric_end:
            raise ValueError("bad metric span")
        if self.direction not in (-1, 0, 1):
            raise ValueError("direction must be -1, 0 or 1")
        doc = (info.context or {}).get("text") if info else None
        if doc is not None and "".join(doc[self.metric_start:self.metric_end].split()) != self.metric:
            raise ValueError("metric is not the text at its span")
        return self


class RejectRecord(_Record):
    """One row per document or record that could not be processed, with the stage and reason."""
    doc_id: Optional[str]
    source: str
    stage: str
    reason: str
    start: Optional[int]
    end: Optional[int]


TABLES = {"documents": DocumentRecord, "quantities": QuantityRecord, "entities": EntityRecord,
          "facts": FactRecord, "rejects": RejectRecord}
