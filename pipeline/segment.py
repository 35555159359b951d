"""Segmentation: spaCy's Chinese language class with the jieba segmenter and the project's user
dictionary (pipeline/data/userdict.txt). jieba's cache goes to the system temp folder only.

jieba cuts numerals and fuses magnitude with unit (1 / , / 234.5 / 万吨), so numbers are matched on
characters elsewhere; tokens serve names and indicator phrases.
"""
from __future__ import annotations

import functools
import logging
import tempfile
from pathlib import Path

USERDICT = Path(__file__).parent / "data" / "userdict.txt"


@functools.lru_cache(maxsize=1)
def nlp():
    import jieba
    import spacy

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = tempfile.gettempdir()
    model = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    jieba.load_userdict(str(USERDICT))
    return model


def tokens(text: str) -> list[str]:
    return [t.text for t in nlp().make_doc(text)]


@functools.lru_cache(maxsize=1)
def jieba_tags() -> dict[str, str]:
    """word -> part-of-speech tag from jieba's own dictionary ("" when the line has none)."""
    import jieba

    out = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if parts:
                out[parts[0]] = parts[2] if len(parts) > 2 else ""
    return out
