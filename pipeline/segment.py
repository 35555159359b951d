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


# spaCy keeps every token string it has seen in its vocabulary, numbers included, so a long run over
# an archive would grow without end; past this many strings the (stateless) blank pipeline is built
# anew, which takes milliseconds; jieba and its user dictionary stay loaded.
MAX_VOCAB_STRINGS = 200_000


@functools.lru_cache(maxsize=1)
def load_jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = tempfile.gettempdir()
    jieba.load_userdict(str(USERDICT))
    return jieba


@functools.lru_cache(maxsize=1)
def nlp():
    import spacy

    load_jieba()
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


def make_doc(text: str):
    """spaCy Doc of ``text`` segmented by jieba (with a vocabulary that stays bounded)."""
    model = nlp()
    if len(model.vocab.strings) > MAX_VOCAB_STRINGS:
        nlp.cache_clear()
        model = nlp()
    return model.make_doc(text)


def tokens(text: str) -> list[str]:
    return [t.text for t in make_doc(text)]


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
