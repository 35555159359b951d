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
    """spaCy Doc of ``text`` segmented by jieba (with a vocabulary that stays bounded): the Doc
    spaCy's Chinese tokenizer makes, built with a linear alignment of words to text (spaCy's
    ``get_words_and_spaces`` slices the rest of the text for every word: quadratic on a report)."""
    from spacy.tokens import Doc

    model = nlp()
    if len(model.vocab.strings) > MAX_VOCAB_STRINGS:
        nlp.cache_clear()
        model = nlp()
    words = [w for w in load_jieba().cut(text, cut_all=False) if w]
    words, spaces = words_and_spaces(words, text)
    return Doc(model.vocab, words=words, spaces=spaces)


def words_and_spaces(words: list[str], text: str) -> tuple[list[str], list[bool]]:
    """spaCy's ``util.get_words_and_spaces`` in linear time, same result: whitespace words are
    dropped, a single space after a word becomes that word's trailing space, any other gap
    becomes a token of its own."""
    out_words: list[str] = []
    out_spaces: list[bool] = []
    pos, n = 0, len(text)
    for word in words:
        if word.isspace():
            continue
        start = text.find(word, pos)
        if start < 0:
            raise ValueError(f"segmenter word {word!r} not found in the text after offset {pos}")
        if start > pos:
            out_words.append(text[pos:start])
            out_spaces.append(False)
        out_words.append(word)
        out_spaces.append(False)
        pos = start + len(word)
        if pos < n and text[pos] == " ":
            out_spaces[-1] = True
            pos += 1
    if pos < n:
        out_words.append(text[pos:])
        out_spaces.append(False)
    return out_words, out_spaces


def tokens(text: str) -> list[str]:
    return [t.text for t in make_doc(text)]


@functools.lru_cache(maxsize=1)
def load_posseg():
    """jieba's part-of-speech tagger, on the dictionary load_jieba set up."""
    load_jieba()
    import jieba.posseg

    return jieba.posseg


def jieba_tags() -> dict[str, str]:
    """word -> part-of-speech tag from jieba's own dictionary (dict.txt, read once by the tagger)."""
    return load_posseg().dt.word_tag_tab
