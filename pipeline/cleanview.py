"""Clean view: a normalised copy of the document text for matching, with an offset map back.

Every character of the view comes from one character of the document (one-to-one mapping such as
full-width digits, or dropped characters and layout line breaks left out), so a span of the view
maps back to a half-open span of the document text.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import regex
from pydantic import BaseModel, ConfigDict, field_validator

from .patterns import check_compiles, load_rules

DATA = Path(__file__).parent / "data" / "cleanview.toml"
_LINE = regex.compile(r"[^\r\n]*(?:\r\n|\n|\r)?")
_HEADING_MAX = 60  # an enumerated line this short is a heading and ends its line; a longer one is a
# paragraph that a layout break may cut mid-word (——着力提升发展质量效益，…全员劳动生\n产率)
_ENUM_START = regex.compile(r"[ \t　]*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）|\(\d+\)|\d+(?:[、．]|\.(?!\d))|——|--)")
_SENTENCE_END = regex.compile(r"[。！？；!?;]+[”’」』）)]*|\n")


class _Drop(BaseModel):
    model_config = ConfigDict(extra="forbid")
    chars: list[str]


class _Chrome(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: list[str]


def _patterns(v: list[str]) -> list[str]:
    return check_compiles(v, "cleanview.toml pattern")


class _Breaks(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sentence_final: str
    keep_after: list[str]
    _c = field_validator("keep_after")(_patterns)


class _Headline(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_chars: int
    max_chars: int
    min_line: int
    lead_ins: list[str]
    _c = field_validator("lead_ins")(_patterns)


class CleanRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    map: dict[str, str]
    between_digits: dict[str, str]
    between_fullwidth_digits: dict[str, str] = {}
    except_between_digits: dict[str, str] = {}
    drop: _Drop
    chrome: _Chrome
    breaks: _Breaks
    headline: _Headline | None = None

    @field_validator("map", "between_digits", "between_fullwidth_digits", "except_between_digits")
    @classmethod
    def _one_to_one(cls, v):
        bad = [k for k, t in v.items() if len(k) != 1 or len(t) != 1]
        if bad:
            raise ValueError(f"mappings must be one character to one character: {bad}")
        return v


@functools.lru_cache(maxsize=1)
def rules() -> CleanRules:
    return load_rules(DATA, CleanRules)


@functools.lru_cache(maxsize=1)
def _tables():
    r = rules()
    table = dict(r.map)
    for i in range(10):
        table[chr(0xFF10 + i)] = str(i)
    for i in range(26):
        table[chr(0xFF21 + i)] = chr(0x41 + i)
        table[chr(0xFF41 + i)] = chr(0x61 + i)
    keep = regex.compile("|".join(f"(?:{p})" for p in r.breaks.keep_after)) if r.breaks.keep_after else None
    return (table, dict(r.between_digits), set(r.drop.chars), set(r.chrome.lines),
            set(r.breaks.sentence_final), keep)


def _isdigit(ch: str) -> bool:
    return "0" <= ch <= "9" or "０" <= ch <= "９"


def _fullwidth_group(text: str, i: int) -> bool:
    """text[i] separates thousands in full-width digits: 1-3 of them before, exactly 3 after
    (３３，２１２ and １，０００，０００, but not １，３年)."""
    def fw(k: int) -> bool:
        return 0 <= k < len(text) and "０" <= text[k] <= "９"
    before = 0
    while fw(i - 1 - before):
        before += 1
    return 1 <= before <= 3 and fw(i + 1) and fw(i + 2) and fw(i + 3) and not fw(i + 4) \
        and not (i + 4 < len(text) and _isdigit(text[i + 4]))


def _spaced_digit(text: str, i: int) -> bool:
    """The space at text[i] sits between two lone digits (1 9 9 7): each digit stands alone."""
    return (i >= 1 and _isdigit(text[i - 1]) and not (i >= 2 and _isdigit(text[i - 2]))
            and i + 1 < len(text) and _isdigit(text[i + 1])
            and not (i + 2 < len(text) and (_isdigit(text[i + 2]) or text[i + 2] in "/／")))  # 1 3/5 is 1⅗


@dataclass
class CleanView:
    text: str            # the view
    offsets: list[int]   # offsets[i] = index in the document of view character i
    doc_len: int
    breaks: tuple[int, ...] = ()  # view offsets where a sentence ends with no mark (a run-in headline)

    def to_doc(self, start: int, end: int) -> tuple[int, int]:
        """Half-open view span -> half-open document span."""
        if end <= start:
            raise ValueError("empty span")
        return self.offsets[start], self.offsets[end - 1] + 1

    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans in view offsets (split at 。！？； and paragraph breaks)."""
        out, start = [], 0
        for m in _SENTENCE_END.finditer(self.text):
            end = m.end() if m.group(0) != "\n" else m.start()
            if self.text[start:end].strip():
                out.append((start, end))
            start = m.end()
        if self.text[start:].strip():
            out.append((start, len(self.text)))
        for b in self.breaks:
            k = next((k for k, (a, e) in enumerate(out) if a < b < e), None)
            if k is not None:
                a, e = out[k]
                out[k:k + 1] = [(a, b), (b, e)]
        return out


_ASCII_PUNCT = set(",;:()%. ")


def _beside_chinese(text: str, i: int) -> bool:
    """True when the nearest character on either side that is not ASCII punctuation is not ASCII
    (287.9亿元,同比; 8.9%(按…); not http://, not a,b in an English phrase)."""
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(text) and text[j] in _ASCII_PUNCT and abs(j - i) < 4:
            j += step
        if 0 <= j < len(text) and ord(text[j]) > 127 and not text[j].isspace():
            return True
    return False


_SPACES = " \t　\u00a0\u2002\u2003\u2009\u202f"


def _space_kept(text: str, i: int, j: int, body_end: int, chars: list[str]) -> bool:
    """Whether the run of spaces text[i:j] stays in the view (as one space): not at the end of a
    line, not between digits set one by one (1 9 9 7 年), not beside a number (增长 5.5%) unless after
    a comma (1, 234, 567 is three numbers)."""
    before = chars[-1] if chars else ""
    after = text[j] if j < body_end else ""
    if j == body_end:
        return False
    if j == i + 1 and _isdigit(before) and _isdigit(after) and _spaced_digit(text, i):
        return False
    if (_isdigit(before) or before == "." or _isdigit(after)) and not (_isdigit(before) and _isdigit(after)) \
            and before not in ",，、;；":
        return False
    return True


def _mapped(text: str, i: int, chars: list[str], maps: tuple) -> str:
    """The view's character for text[i]: mapped one to one (digits, full-width forms, ASCII
    punctuation beside Chinese), by the rules of cleanview.toml (``maps``: _maps())."""
    table, between, between_fw, outside = maps
    ch = text[i]
    if ch in between_fw and _fullwidth_group(text, i):
        return between_fw[ch]
    digits_around = i + 1 < len(text) and chars and _isdigit(chars[-1]) and _isdigit(text[i + 1])
    if ch in between and digits_around:
        return between[ch]
    if ch in outside:
        return outside[ch] if not digits_around and _beside_chinese(text, i) else ch
    return table.get(ch, ch)


@functools.lru_cache(maxsize=1)
def _maps() -> tuple:
    table, between = _tables()[0], _tables()[1]
    return table, between, rules().between_fullwidth_digits, rules().except_between_digits


@functools.lru_cache(maxsize=1)
def _special() -> frozenset:
    """Characters that need a look (mapped, dropped or spaces); all others are copied."""
    maps = _maps()
    return frozenset(maps[0].keys() | maps[1].keys() | maps[2].keys() | maps[3].keys() | set(_SPACES)
                     | set(_tables()[2]))


def _emit_line(text: str, i: int, body_end: int, chars: list[str], offs: list[int]) -> None:
    """Append the view of text[i:body_end] (one line's body) to chars, with its offsets."""
    drop, maps, special = _tables()[2], _maps(), _special()
    while i < body_end:
        ch = text[i]
        if ch in drop:
            i += 1
            continue
        if ch in _SPACES:
            j = i
            while j < body_end and text[j] in _SPACES:
                j += 1
            if _space_kept(text, i, j, body_end, chars):
                chars.append(" ")
                offs.append(i)
            i = j
            continue
        chars.append(ch if ch not in special else _mapped(text, i, chars, maps))
        offs.append(i)
        i += 1


@functools.lru_cache(maxsize=1)
def _lead_ins() -> regex.Pattern | None:
    h = rules().headline
    return regex.compile("|".join(f"(?:{p})" for p in h.lead_ins)) if h and h.lead_ins else None


def headline_end(text: str) -> int | None:
    """Where a headline that runs into its body without a line break ends (online news:
    三年牛熊轮回 基金赚45.80%本报讯 昨日…): the start of the body's lead-in (本报讯, 新浪体育讯, 中新网4月12日电)
    on a long first line, with no sentence end before it. None when the text has no such headline."""
    h, lead = rules().headline, _lead_ins()
    if lead is None:
        return None
    end = min(i for i in (text.find("\n"), text.find("\r"), len(text)) if i >= 0)  # the first line, not copied
    start, stop = 0, end
    while start < end and text[start].isspace():
        start += 1
    while stop > start and text[stop - 1].isspace():
        stop -= 1
    if stop - start < h.min_line:
        return None
    m = lead.search(text, start + h.min_chars, min(end, start + h.max_chars))
    if m is None or _SENTENCE_END.search(text, start, m.start()):
        return None
    return m.start()


def build(text: str) -> CleanView:
    _table, _between, _drop, chrome, final, keep_after = _tables()
    chars: list[str] = []
    offs: list[int] = []
    n = len(text)
    pending_break: int | None = None  # doc index of a line break not yet decided
    prev_line = ""
    head_end = headline_end(text)
    breaks: list[int] = []
    for lm in _LINE.finditer(text):
        if lm.start() == lm.end():
            break
        line_start, line_end = lm.start(), lm.end()
        body_end = line_end
        while body_end > line_start and text[body_end - 1] in "\r\n":
            body_end -= 1
        body = text[line_start:body_end]
        stripped = body.strip(" \t　\u00a0")
        if not stripped or stripped in chrome:
            if pending_break is None and line_end > body_end:
                pending_break = body_end
            continue
        # decide the break before this line: keep it as a paragraph break or leave it out
        if pending_break is not None and chars:
            prev = next((c for c in reversed(chars) if c not in " \n"), "")
            first = stripped[0]
            keep = (prev in final or not prev or (_isdigit(prev) and _isdigit(first))
                    or _ENUM_START.match(body) is not None
                    or (_ENUM_START.match(prev_line) is not None and len(prev_line) <= _HEADING_MAX)
                    or (keep_after is not None and keep_after.search(prev_line) is not None))
            if keep and chars[-1] != "\n":
                chars.append("\n")
                offs.append(pending_break)
        pending_break = None
        prev_line = stripped
        i = line_start
        # leading indentation is left out
        while i < body_end and text[i] in " \t　\u00a0":
            i += 1
        if head_end is not None and i < head_end < body_end:  # the headline is a sentence of its own
            _emit_line(text, i, head_end, chars, offs)
            breaks.append(len(chars))
            i, head_end = head_end, None
        _emit_line(text, i, body_end, chars, offs)
        if line_end > body_end:
            pending_break = body_end
    return CleanView("".join(chars), offs, n, tuple(breaks))
