"""Arrow schemas derived from the Pydantic records (tests compare them with the stated contract)."""
from __future__ import annotations

import typing

import pyarrow as pa

from .records import TABLES

_TYPES = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}


def _arrow_type(annotation) -> tuple[pa.DataType, bool]:
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Union and type(None) in args:
        inner = [a for a in args if a is not type(None)][0]
        return _arrow_type(inner)[0], True
    if origin is typing.Literal:
        return pa.string(), False
    return _TYPES[annotation], False


def arrow_schema(model) -> pa.Schema:
    fields = []
    for name, f in model.model_fields.items():
        typ, nullable = _arrow_type(f.annotation)
        fields.append(pa.field(name, typ, nullable=nullable))
    return pa.schema(fields)


SCHEMAS = {name: arrow_schema(model) for name, model in TABLES.items()}
