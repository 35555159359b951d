"""Chinese economic-text extraction: quantities, entities and indicator facts with traceable offsets.

    from pipeline import extract_text
    result = extract_text("全年地区生产总值增长5.5%")
    result.quantities, result.entities, result.facts
"""
__version__ = "0.1.0"


def extract_text(text: str, entity_mode: str = "both"):
    """Extract from one text; every record's offsets index `text`."""
    from .compose import extract
    return extract(text, entity_mode=entity_mode)


__all__ = ["extract_text", "__version__"]
