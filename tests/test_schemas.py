"""Records and Arrow schemas: the contract's columns, the span invariant, finite values."""
import math

import pyarrow as pa
import pytest
from pydantic import ValidationError

from schemas import SCHEMAS, EntityRecord, FactRecord, QuantityRecord

CONTRACT = {
    "documents": ["doc_id", "source", "text", "n_chars", "sha256", "encoding"],
    "quantities": ["doc_id", "start", "end", "text", "value", "value_max", "unit", "kind", "approx", "rule"],
    "entities": ["doc_id", "start", "end", "text", "label", "source"],
    "facts": ["doc_id", "start", "end", "metric", "predicate", "direction", "value", "unit", "approx", "sentence"],
    "rejects": ["doc_id", "source", "stage", "reason"],
}
STATED = {
    "quantities": pa.schema([pa.field("doc_id", pa.string(), False), pa.field("start", pa.int64(), False),
                             pa.field("end", pa.int64(), False), pa.field("text", pa.string(), False),
                             pa.field("value", pa.float64(), True), pa.field("value_max", pa.float64(), True),
                             pa.field("unit", pa.string(), False), pa.field("kind", pa.string(), False),
                             pa.field("approx", pa.string(), False), pa.field("norm", pa.string(), True),
                             pa.field("rule", pa.string(), False), pa.field("sentence_start", pa.int64(), False),
                             pa.field("sentence_end", pa.int64(), False)]),
}


@pytest.mark.parametrize("table", list(CONTRACT))
def test_contract_columns_present(table):
    assert set(CONTRACT[table]) <= set(SCHEMAS[table].names)


def test_quantities_schema_equals_the_stated_one():
    assert SCHEMAS["quantities"] == STATED["quantities"]


Q = dict(doc_id="d", start=2, end=6, text="5.5%", value=5.5, value_max=None, unit="%", kind="percent",
         approx="exact", norm=None, rule="quantity", sentence_start=0, sentence_end=6)


def test_valid_quantity():
    QuantityRecord.model_validate(Q, context={"text": "增长5.5%"})


@pytest.mark.parametrize("change,msg", [
    ({"end": 5}, "!="), ({"start": 6}, "bad span"), ({"value": math.inf}, "finite"), ({"value": math.nan}, "finite"),
    ({"kind": "speed"}, "kind"), ({"approx": "roughly"}, "approx"), ({"value": None}, "needs a value"),
    ({"value_max": 1.0}, "below"),
])
def test_invalid_quantity(change, msg):
    with pytest.raises(ValidationError, match=msg):
        QuantityRecord.model_validate({**Q, **change}, context={"text": "增长5.5%"})


def test_entity_label_and_source():
    EntityRecord.model_validate(dict(doc_id="d", start=0, end=2, text="孟州", label="GPE", source="rule", rule="g"),
                                context={"text": "孟州市"})
    with pytest.raises(ValidationError):
        EntityRecord(doc_id="d", start=0, end=2, text="孟州", label="CITY", source="rule", rule="g")


def test_fact_metric_must_be_the_text_at_its_span():
    text = "社会消费品\n零售总额增长6.8%"
    base = dict(doc_id="d", start=12, end=16, text="6.8%", metric="社会消费品零售总额", metric_start=0, metric_end=10,
                predicate="增长", direction=1, value=6.8, value_max=None, unit="%", kind="percent", approx="exact",
                sentence=text, rule="left_metric")
    FactRecord.model_validate(base, context={"text": text})
    with pytest.raises(ValidationError, match="metric"):
        FactRecord.model_validate({**base, "metric": "零售总额"}, context={"text": text})
