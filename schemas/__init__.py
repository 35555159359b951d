"""Output records (Pydantic) and their Arrow schemas: the pipeline's output contract."""
from .records import (APPROX, ENTITY_LABELS, KINDS, DocumentRecord, EntityRecord, FactRecord,
                      QuantityRecord, RejectRecord, TABLES)
from .arrow import SCHEMAS, arrow_schema

__all__ = ["APPROX", "ENTITY_LABELS", "KINDS", "DocumentRecord", "EntityRecord", "FactRecord",
           "QuantityRecord", "RejectRecord", "TABLES", "SCHEMAS", "arrow_schema"]
