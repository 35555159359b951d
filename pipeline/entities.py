"""Entities: rule spans (bylines, 《》 titles, gazetteer, suffix rules on the segmenter's tokens) and the
statistical model's spans, combined by one named overlap policy.

Everything here works on the clean view (offsets in the view); the composer maps spans back.
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from pathlib import Path

import regex
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from .patterns import check_compiles, load_rules
from .segment import jieba_tags

RULES_PATH = Path(__file__).parent / "data" / "entity_rules.toml"
WORLD_PLACES = Path(__file__).parent / "data" / "world_places.tsv"
WORLD_CITIES = Path(__file__).parent / "data" / "world_cities.tsv"
WORLD_ALIASES = Path(__file__).parent / "data" / "world_aliases.tsv"
LABELS = ("PER", "ORG", "GPE", "LOC", "FAC", "WORK")
SUFFIX_LABELS = ("ORG", "FAC", "GPE", "LOC")
_HAN1 = r"\p{Han}"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    source: str   # "rule" or "model" (or "rule+model" after combining)
    rule: str


class _Teams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    context_words: list[str]
    names: list[str]


class _Bylines(BaseModel):
    model_config = ConfigDict(extra="forbid")
    before_names: list[str]
    after_names: list[str]


class _Suffixes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ORG: list[str]
    FAC: list[str]
    GPE: list[str]
    LOC: list[str] = []
    proper_tags: list[str]
    division_any_tag: list[str]
    not_division_endings: list[str]


class _Stop(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tokens: list[str]


class _Gazetteer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    GPE: list[str]
    ORG: list[str]
    PER: list[str]
    LOC: list[str]
    FAC: list[str] = []
    place_org_suffixes: list[str]
    not_before: list[str]
    not_entities: list[str]


class _ModelRefine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fac_heads: list[str]
    natural_heads: list[str]
    org_if_jieba_tag: list[str]
    surnames: str
    compound_surnames: list[str]
    person_tags: list[str]
    surname_ok_tags: list[str] = []
    name_tails: list[str] = []
    fused_after_name: str = ""
    generic_markers: str = ""
    fund_houses: list[str] = []
    event_heads: list[str] = []
    fund_product_words: list[str] = []
    abbreviations: str = ""
    country_pair_chars: str = ""
    work_areas: str = ""
    person_titles: list[str] = []
    transliteration_chars: str = ""
    foreign_name_tags: list[str] = []

    @field_validator("surnames", "abbreviations", "country_pair_chars", "work_areas", "transliteration_chars")
    @classmethod
    def _han_chars(cls, v: str, info) -> str:
        chars = "".join(v.split())
        if chars and (not regex.fullmatch(r"\p{Han}+", chars) or len(set(chars)) != len(chars)):
            raise ValueError(f"model.{info.field_name}: Han characters, each once")
        return chars

    @field_validator("generic_markers")
    @classmethod
    def _regex(cls, v: str) -> str:
        check_compiles([v] if v else [], "model.generic_markers pattern")
        return v


class EntityRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bylines: _Bylines
    teams: _Teams
    suffixes: _Suffixes
    stop: _Stop
    gazetteer: _Gazetteer
    model: _ModelRefine

    @model_validator(mode="after")
    def _no_dupes(self):
        for name in SUFFIX_LABELS:
            lst = getattr(self.suffixes, name)
            if len(set(lst)) != len(lst):
                raise ValueError(f"duplicate suffix in suffixes.{name}")
        _one_label(self.suffixes, SUFFIX_LABELS, "suffix")
        _one_label(self.gazetteer, ("GPE", "LOC", "ORG", "PER"), "gazetteer entry")
        return self


def _one_label(section: BaseModel, labels: tuple[str, ...], what: str) -> dict[str, str]:
    """word -> label over a section's per-label lists; a word listed under two labels is an error."""
    seen: dict[str, str] = {}
    for label in labels:
        for w in getattr(section, label):
            if seen.setdefault(w, label) != label:
                raise ValueError(f"{what} {w!r} listed under both {seen[w]} and {label}")
    return seen


@functools.lru_cache(maxsize=1)
def rules() -> EntityRules:
    return load_rules(RULES_PATH, EntityRules)


@functools.lru_cache(maxsize=1)
def gazetteer() -> dict[str, str]:
    """Place names: the project's lists plus jieba's ns-tagged words that end in a division suffix."""
    r = rules()
    suffixes = tuple(r.suffixes.GPE)
    out: dict[str, str] = {}
    ns_words = {w for w, tag in jieba_tags().items() if tag == "ns"}
    for w in ns_words:
        if 2 <= len(w) <= 8 and w.endswith(suffixes) and regex.fullmatch(r"\p{Han}+", w):
            out[w] = "GPE"
            for suf in suffixes:
                stem = w[: -len(suf)]
                if w.endswith(suf) and len(stem) >= 2 and stem in ns_words:
                    out.setdefault(stem, "GPE")
    for label in ("GPE", "LOC", "ORG", "PER", "FAC"):
        for w in getattr(r.gazetteer, label):
            out[w] = label
    for w in r.gazetteer.not_entities:
        out.pop(w, None)
    return out


def _name_table(path: Path, columns: tuple[str, ...]) -> list[list[str]]:
    """Rows of a tab-separated name list (comment lines start with #, then a header)."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    if not lines or tuple(lines[0].split("\t")) != columns:
        raise ValueError(f"{path}: the header must read {' '.join(columns)}")
    rows = [ln.split("\t") for ln in lines[1:]]
    bad = [r for r in rows if len(r) != len(columns) or not regex.fullmatch(r"\p{Han}{2,10}", r[0])]
    if bad:
        raise ValueError(f"{path}: rows must read {', '.join(columns)} with a name of 2-10 Han characters: {bad[:3]}")
    return rows


@functools.lru_cache(maxsize=1)
def world_places() -> frozenset[str]:
    """Countries, their first-level divisions (data/world_places.tsv, written by tools/world_places.py),
    the press's names for some of them (data/world_aliases.tsv: 澳洲, 印尼) and major cities
    (data/world_cities.tsv) abroad by their Chinese names, the last two hand-written: a place the
    model finds there is a GPE (加拿大, 昆士兰州, 温哥华)."""
    rows = (_name_table(WORLD_PLACES, ("name", "kind", "iso")) + _name_table(WORLD_ALIASES, ("name", "iso"))
            + _name_table(WORLD_CITIES, ("name", "iso")))
    return frozenset(r[0] for r in rows)


@functools.lru_cache(maxsize=1)
def _division_words() -> frozenset[str]:
    """Words of jieba's dictionary that end in a division suffix and name a place: tagged as a
    name (合肥市/ns, 杨凌区/nr) or ending in a suffix common words do not end in (焦作市/n);
    not 产业省, 生态县, 示范县 (n)."""
    r = rules().suffixes
    suffixes, any_tag, tags = tuple(r.GPE), tuple(r.division_any_tag), set(r.proper_tags)
    return frozenset(w for w, tag in jieba_tags().items()
                     if 2 < len(w) <= 8 and w.endswith(suffixes) and (tag in tags or w.endswith(any_tag)))


def _division_stem(word: str) -> bool:
    """焦作 of 焦作市: the word plus a division suffix is a place word of jieba's dictionary."""
    return any(word + suf in _division_words() for suf in rules().suffixes.GPE)


# -- rule finders ----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _byline_regexes():
    r = rules()
    before = "|".join(regex.escape(m) for m in sorted(r.bylines.before_names, key=len, reverse=True))
    name = rf"(?!{before})\p{{Han}}(?: ?\p{{Han}}){{1,2}}"  # a marker starts the next byline, not a name
    names = rf"{name}(?:[ ]+{name})*"
    after = "|".join(regex.escape(m) for m in r.bylines.after_names)
    return (regex.compile(rf"(?:{before})[ ]*(?P<names>{names})"),
            regex.compile(rf"(?:^|(?<=[。，；\n ]))(?P<names>{names})[ ]+(?:{after})(?!\p{{Han}})"))


def _split_names(s: str, offset: int) -> list[tuple[int, int]]:
    """'李英俊 董 蕾' -> [李英俊, 董 蕾]: single characters separated by a space pair up."""
    parts = [(m.start(), m.end()) for m in regex.finditer(r"\p{Han}+", s)]
    out, i = [], 0
    while i < len(parts):
        a, b = parts[i]
        if b - a == 1 and i + 1 < len(parts) and parts[i + 1][1] - parts[i + 1][0] <= 2:
            out.append((offset + a, offset + parts[i + 1][1]))
            i += 2
            continue
        if 2 <= b - a <= 4:
            out.append((offset + a, offset + b))
        i += 1
    return out


def _has_surname(name: str) -> bool:
    mr = rules().model
    return bool(name) and (name[0] in mr.surnames or name.startswith(tuple(mr.compound_surnames)))


def find_bylines(text: str, toks: list[tuple[int, int]] | None = None) -> list[Span]:
    """Names after a byline marker (记者 李英俊) or before a photo credit (董 蕾 摄). With the
    segmenter's ``toks``, a name that runs straight into the text ends at a word boundary:
    记者曾坤报道 -> 曾坤, not 曾坤报."""
    out = []
    before, after = _byline_regexes()
    ends = None
    for rx, rule in ((before, "byline"), (after, "photo_credit")):
        for m in rx.finditer(text):
            if ends is None and toks is not None:
                ends = word_bounds(toks)[1]
            for s, e in _split_names(m.group("names"), m.start("names")):
                if ends is not None and e < len(text) and regex.match(r"\p{Han}", text[e]) and e not in ends:
                    e = max((b for b in range(s + 2, e) if b in ends), default=s)
                credit = next((a for a in rules().bylines.after_names if text.endswith(a, s, e)), "")
                if credit and e - len(credit) - s >= 2:
                    e -= len(credit)  # （本报记者李舸摄）
                if e - s >= 2 and _has_surname(text[s:e]):  # 记者统计发现, 记者从西安市…, 钟小韵 编辑：
                    out.append(Span(s, e, "PER", "rule", rule))
    return out


_WORK = regex.compile(r"《(?P<t>[^《》\n]{1,60})》")


def find_works(text: str) -> list[Span]:
    return [Span(m.start("t"), m.end("t"), "WORK", "rule", "book_title") for m in _WORK.finditer(text)]


def segment(text: str):
    """The spaCy Doc of ``text`` (jieba inside spaCy): the one segmentation the entity rules, the
    model's refinement and the word bounds share."""
    from .segment import make_doc
    return make_doc(text)


def token_offsets(doc) -> list[tuple[int, int]]:
    """(start, end) of each token, read in one call (iterating Token objects costs more than jieba)."""
    from spacy.attrs import IDX, LENGTH
    if len(doc) == 0:
        return []
    arr = doc.to_array([IDX, LENGTH]).astype("int64")
    return list(zip(arr[:, 0].tolist(), (arr[:, 0] + arr[:, 1]).tolist()))


_NAME_TOKEN = regex.compile(r"^[\u3400-\u9fffA-Za-z]+$")
_MAX_NAME_TOKENS = 4


@functools.lru_cache(maxsize=1)
def _suffix_labels() -> dict[str, str]:
    """suffix token -> label (a suffix belongs to one label's list: checked when the rules load)."""
    return _one_label(rules().suffixes, SUFFIX_LABELS, "suffix")


def _is_proper_token(tok: str) -> bool:
    """A token that can carry a name: listed, a division stem, unknown to jieba's dictionary or
    tagged as a name there; never a listed generic word (城市)."""
    r = rules()
    if tok in r.gazetteer.not_entities:
        return False
    tag = jieba_tags().get(tok)
    return (tok in gazetteer() or tag is None or tag in r.suffixes.proper_tags
            or _division_stem(tok))


def find_suffix_spans(text: str, toks: list[tuple[int, int]]) -> list[Span]:
    """Suffix rules: one to four name tokens (Han or Latin, not a stop token) before a suffix token
    of a label's list (开发区, 公司, 市). The name starts at its first proper token
    (亮点回眸孟州开发区 -> 孟州开发区); a long unknown 'place' is usually a phrase ending in 市/区."""
    labels, stop, gaz = _suffix_labels(), set(rules().stop.tokens), gazetteer()
    words = [text[a:b] for a, b in toks]
    name_ok = [w not in stop and _NAME_TOKEN.search(w) is not None for w in words]
    out = []
    for i, w in enumerate(words):
        label = labels.get(w)
        if label is None:
            continue
        k = 0
        while k < _MAX_NAME_TOKENS and i - k - 1 >= 0 and name_ok[i - k - 1]:
            k += 1
        first = next((j for j in range(i - k, i) if _is_proper_token(words[j])), None)
        if first is None:
            continue
        s, e = toks[first][0], toks[i][1]
        if label == "GPE" and text[s:e] not in gaz and e - s > 6:
            continue
        out.append(Span(s, e, label, "rule", f"suffix_{label}"))
    return out


@functools.lru_cache(maxsize=1)
def _gazetteer_prefixes() -> frozenset[str]:
    return frozenset(w[:i] for w in gazetteer() for i in range(1, len(w) + 1))


def _gazetteer_hit(words: list[str], toks: list[tuple[int, int]], i: int) -> tuple[int, str] | None:
    """The longest run of 1-3 tokens from ``i`` whose concatenation is a gazetteer entry written
    without gaps, as (tokens, entry)."""
    gaz, prefixes = gazetteer(), _gazetteer_prefixes()
    hit, w = None, ""
    for n in range(1, min(3, len(words) - i) + 1):
        w += words[i + n - 1]
        if w not in prefixes:
            break
        if w in gaz and toks[i + n - 1][1] - toks[i][0] == len(w):
            hit = (n, w)
    return hit


def find_gazetteer(text: str, toks: list[tuple[int, int]]) -> list[Span]:
    """Gazetteer names: runs of 1-3 tokens whose concatenation is an entry (longest first).

    A place followed by a place-bound suffix (市委, 人民政府) becomes one ORG; adjacent places merge
    into one GPE (孟州市谷旦镇); a place used as an adjective (中国式) is skipped.
    """
    gaz = gazetteer()
    g = rules().gazetteer
    curated = set(g.GPE + g.LOC + g.ORG + g.PER + g.FAC)
    org_suffixes = set(g.place_org_suffixes)
    not_before = tuple(g.not_before)
    words = [text[a:b] for a, b in toks]
    prefixes = _gazetteer_prefixes()
    out: list[Span] = []
    i = 0
    while i < len(toks):
        hit = _gazetteer_hit(words, toks, i) if words[i] in prefixes else None
        if not hit:
            i += 1
            continue
        n, w = hit
        s, e, label = toks[i][0], toks[i + n - 1][1], gaz[w]
        i += n
        if label in ("GPE", "LOC") and text.startswith(not_before, e):
            continue
        if label == "GPE" and i < len(toks) and words[i] in org_suffixes and toks[i][0] == e:
            out.append(Span(s, toks[i][1], "ORG", "rule", "place_org"))
            i += 1
            continue
        if label == "GPE" and out and out[-1].label == "GPE" and out[-1].end == s and out[-1].rule in (
                "gazetteer", "jieba_place"):
            out[-1] = Span(out[-1].start, e, "GPE", "rule", "gazetteer")
            continue
        out.append(Span(s, e, label, "rule", "gazetteer" if w in curated else "jieba_place"))
    return out


@functools.lru_cache(maxsize=1)
def _team_regex() -> regex.Pattern:
    names = sorted(rules().teams.names, key=len, reverse=True)
    return regex.compile("|".join(map(regex.escape, names)))


def find_teams(text: str, toks: list[tuple[int, int]]) -> list[Span]:
    """Sports teams (data: [teams]) in a document about the league, as whole words: 快船96-小牛107."""
    t = rules().teams
    if not any(w in text for w in t.context_words):
        return []
    starts, ends, _ = word_bounds(toks)
    return [Span(m.start(), m.end(), "ORG", "rule", "team") for m in _team_regex().finditer(text)
            if m.start() in starts and m.end() in ends]


def rule_spans(text: str, toks: list[tuple[int, int]]) -> list[Span]:
    """All rule spans, overlaps decided: bylines and titles first, then the longest. ``toks``: the
    segmenter's token offsets (token_offsets)."""
    ordered = find_bylines(text, toks) + find_works(text)
    generic = set(rules().gazetteer.not_entities)
    rest = [sp for sp in find_gazetteer(text, toks) + find_suffix_spans(text, toks) + find_teams(text, toks)
            if text[sp.start:sp.end] not in generic]
    rest.sort(key=lambda s: (s.start - s.end, s.start))
    return _non_overlapping(ordered + rest)


def _non_overlapping(spans: list[Span]) -> list[Span]:
    """The spans in order of preference, each kept unless it overlaps one kept before (a coverage map:
    linear, not all pairs)."""
    taken: list[Span] = []
    cover = bytearray(max((sp.end for sp in spans), default=0) + 1)
    for sp in spans:
        if cover.find(1, sp.start, sp.end) < 0:
            taken.append(sp)
            cover[sp.start:sp.end] = b"\x01" * (sp.end - sp.start)
    return sorted(taken, key=lambda s: s.start)


# -- the overlap policy ------------------------------------------------------------------------------
_EXACT_RULES = {"byline", "photo_credit", "book_title"}  # never replaced by an enclosing model span
_MODEL_COMPATIBLE = {"LOC": {"GPE", "LOC", "FAC"}, "ORG": {"ORG"}, "PER": {"PER"}}


def word_bounds(offs: list[tuple[int, int]]) -> tuple[frozenset[int], frozenset[int], list[int]]:
    """Start and end offsets of the segmenter's tokens (token_offsets: jieba inside spaCy), and the
    starts in order (to find the word a span cuts)."""
    starts = [a for a, _ in offs]
    return frozenset(starts), frozenset(b for _, b in offs), starts


def _cuts_a_word(sp: Span, text: str, bounds) -> bool:
    """True when the span is a fragment of a segmenter word (近平 of 习近平), not a name at the edge
    of a longer word (邓小平 of 邓小平理论, 长城 of 万里长城, 无锡 of 无锡人)."""
    starts, ends = bounds[0], bounds[1]
    s_ok, e_ok = sp.start in starts, sp.end in ends
    if s_ok and e_ok:
        return False
    if not (s_ok or e_ok) or len(bounds) < 3:
        return True
    order = bounds[2]
    i = bisect.bisect_right(order, sp.start) - 1
    if s_ok:  # ends inside a word: what is left of that word
        j = bisect.bisect_right(order, sp.end)
        word_end = order[j] if j < len(order) else len(text)
        tail = text[sp.end:word_end]
        return not (tail in rules().model.name_tails or (len(tail) >= 2 and tail in jieba_tags()))
    head = text[order[i]:sp.start]  # starts inside a word: what stands before it
    return not (len(head) >= 2 and head in jieba_tags())


def _name_before_a_char(sp: Span, text: str, bounds) -> bool:
    """A person's name of two or three characters with a common surname, at a word's start, that the
    segmenter fused with the one character after it (李/杰作了, 孙俊以, 张/蔚为): the name, not a fragment."""
    if sp.label != "PER" or not 2 <= sp.end - sp.start <= 3 or sp.start not in bounds[0] or len(bounds) < 3:
        return False
    order = bounds[2]
    j = bisect.bisect_right(order, sp.end)
    word_end = order[j] if j < len(order) else len(text)
    return (word_end == sp.end + 1 and text[sp.end] in rules().model.fused_after_name
            and _has_surname(text[sp.start:sp.end]))


_LATIN_WORDS = regex.compile(r"[A-Za-z][A-Za-z .'-]*")
_PERSON = regex.compile(r"\p{Han}(?:[ ·]?\p{Han})+")  # 刘小涛, 董 蕾, 阿卜杜·热合曼; no brackets or digits


_CLOSERS = {"”": "“", "》": "《", "）": "（", ")": "(", "」": "「", "』": "『"}


def _balanced(sp: Span, text: str) -> Span | None:
    """A model span that runs past a closing quote or bracket it did not open ends before it
    (北京南站”始发站 -> 北京南站); one that opens a quote it does not close starts after it."""
    s, e = sp.start, sp.end
    for i in range(s, e):
        ch = text[i]
        if ch in _CLOSERS and _CLOSERS[ch] not in text[s:i]:
            e = i
            break
    for i in range(e - 1, s - 1, -1):
        ch = text[i]
        if ch in _CLOSERS.values() and not any(c in text[i:e] for c, o in _CLOSERS.items() if o == ch):
            s = i + 1
            break
    if e - s < 1:
        return None
    return sp if (s, e) == (sp.start, sp.end) else Span(s, e, sp.label, sp.source, sp.rule)


def _run_of(text: str, s: int, e: int, chars: str) -> tuple[int, int]:
    """text[s:e] widened over the neighbouring characters in ``chars`` (中 of 中美 -> 中美)."""
    while s > 0 and text[s - 1] in chars:
        s -= 1
    while e < len(text) and text[e] in chars:
        e += 1
    return s, e


_PRODUCT_CODE = regex.compile(r"[A-Za-z]{1,4}-?\d")  # a product's model code (Z280, P40, EX-100)
_NAME_JOINS = "-·－•‧"


@functools.lru_cache(maxsize=2)
def _name_part(chars: str) -> regex.Pattern:
    return regex.compile(rf"[{regex.escape(chars)}A-Za-z]+")


def _joined_name(text: str, s: int, e: int, chars: str) -> tuple[int, int]:
    """A foreign name written with a joining mark (克里斯-威尔考克斯, 萨乌德·侯赛因): the parts on
    either side of the mark, in transliteration characters or Latin letters, join the span."""
    part = _name_part(chars)
    while s >= 2 and text[s - 1] in _NAME_JOINS:
        run = [x for x in part.finditer(text, max(0, s - 9), s - 1) if x.end() == s - 1]
        if not run:
            break
        s = run[-1].start()
    while e + 1 < len(text) and text[e] in _NAME_JOINS:
        m = part.match(text, e + 1)
        if m is None or m.end() - m.start() > 8:
            break
        e = m.end()
    return s, e


def refine_model_span(sp: Span, text: str, bounds: tuple[frozenset[int], frozenset[int]] | None = None
                      ) -> Span | None:
    """The model knows PER/ORG/LOC; our tables use GPE/LOC/FAC for places. A model span that the
    gazetteer knows takes the gazetteer's label; a model LOC ending in a facility suffix (大桥, 水库)
    is FAC, one ending in a division suffix (市, 县, 镇) is GPE; generic words (全省) and lone characters are dropped.
    With the segmenter's ``bounds`` (word_bounds), a span that cuts through a word is dropped as a
    fragment (近平 of 习近平, 海康威 of 海康威视)."""
    sp = _balanced(sp, text)
    if sp is None:
        return None
    surface = text[sp.start:sp.end]
    r = rules()
    pairs = r.model.country_pair_chars
    if sp.label == "LOC" and len(surface) == 1 and surface in pairs:
        a, b = _run_of(text, sp.start, sp.end, pairs)
        in_word = (bounds is not None and a not in bounds[0]) or jieba_tags().get(text[a:b + 1]) == "ns"  # 中美洲
        if b - a == 2 and not in_word and (a == 0 or text[a - 1] not in r.model.abbreviations) and (
                b == len(text) or text[b] not in r.model.abbreviations):
            return Span(sp.start, sp.end, "LOC" if surface == "欧" else "GPE", sp.source, sp.rule)  # 中美关系
    if sp.label == "LOC" and len(surface) == 1 and surface in r.model.work_areas:
        a, b = _run_of(text, sp.start, sp.end, r.model.work_areas)
        if b - a == 2 and (b == len(text) or not regex.match(r"\p{Han}", text[b]) or text[b] in "等和及"):
            return Span(a, b, "GPE", sp.source, sp.rule)  # 对台、港澳等工作: the pair as one work area
    if sp.label == "LOC" and len(surface) == 1 and surface in r.model.abbreviations:
        near = text[max(0, sp.start - 1):sp.start] + text[sp.end:sp.end + 1]
        if any(ch in r.model.abbreviations for ch in near) or (
                bounds is not None and (sp.start not in bounds[0] or sp.end not in bounds[1])):
            return None  # 港澳台, 中俄蒙 (group names), 豫北, 粤韵 (fused into a word): not labelled
        return Span(sp.start, sp.end, "GPE", sp.source, sp.rule)  # 赴法, 粤
    titled = sp.label == "PER" and text.startswith(tuple(r.model.person_titles), sp.end) and _PERSON.fullmatch(
        surface * 2 if len(surface) == 1 else surface) and (len(surface) > 1 or _has_surname(surface))
    if titled and (len(surface) == 1 or bounds is None or not _cuts_a_word(sp, text, bounds)):
        return sp  # 江主席, 小平同志
    if surface in r.gazetteer.not_entities or len(surface.strip()) < 2:
        return None  # generic words; other lone characters are fragments
    if sp.label == "ORG" and surface.endswith(tuple(r.model.event_heads)):
        return None  # 上海世博会, 残奥会: events, not organisations
    if surface in r.model.fund_houses and text.startswith(tuple(r.model.fund_product_words), sp.end):
        return None  # 华夏大盘精选, 长城稳健增利: a fund's name, a product, not an entity
    if sp.label in ("ORG", "LOC") and r.model.generic_markers and regex.search(r.model.generic_markers, surface):
        return None  # 深圳多家基金公司, 三家券商研究所: a kind of company, no name
    if _LATIN_WORDS.fullmatch(surface) and not surface.isupper():
        return None  # the, International, obmgame: the model saw no English text (acronyms stay: APEC, NCAA)
    if bounds is not None and _cuts_a_word(sp, text, bounds) and not _name_before_a_char(sp, text, bounds):
        return None
    if sp.label == "LOC" and text.startswith(tuple(r.gazetteer.not_before), sp.end):
        return None  # a place used as an adjective (中国式, 中国特色), as the rules skip it
    label = gazetteer().get(surface)
    mr = r.model
    if sp.label == "LOC" and label is None and _PRODUCT_CODE.match(text, sp.end):
        return Span(sp.start, sp.end, "ORG", sp.source, sp.rule)  # 卡西欧Z280: a maker before its product's code
    if sp.label == "PER" and label is None:
        if _division_stem(surface):
            return Span(sp.start, sp.end, "GPE", sp.source, sp.rule)  # 宁德 (宁德市), 邵阳
        tag = jieba_tags().get(surface)
        heads = tuple(mr.natural_heads + mr.fac_heads + r.suffixes.FAC + r.suffixes.GPE)
        joined = _joined_name(text, sp.start, sp.end, mr.transliteration_chars)
        if joined != (sp.start, sp.end):
            return Span(*joined, "PER", sp.source, sp.rule)  # 克里斯-威尔考克斯, JJ-巴里亚
        foreign = (tag is None or tag in mr.person_tags or tag in mr.foreign_name_tags) and all(
            ch in mr.transliteration_chars for ch in surface.replace("·", ""))  # 基辛格, 塞迪略
        looks_like_name = (_PERSON.fullmatch(surface) is not None and not surface.endswith(heads) and (
            (_has_surname(surface) and (tag is None or tag in mr.person_tags or tag in mr.surname_ok_tags))
            or tag in mr.person_tags or "·" in surface or foreign))  # 列宁, 巴赫 (nr), 萨乌德·侯赛因
        if not looks_like_name:
            return None  # 海拉尔, 赛力斯, 陆海, 贺兰山: places, brands and words, not persons
    if label is None and sp.label == "LOC" and surface.endswith(tuple(r.suffixes.not_division_endings)):
        return sp  # 东部地区, 中西部地区: a region
    if label is None and sp.label in ("LOC", "ORG") and surface.endswith(tuple(r.suffixes.FAC + mr.fac_heads)):
        label = "FAC"  # 秦山核电站, 根河路, 滨河公园: built things, whatever the model called them
    elif label is None and sp.label == "LOC" and (
            surface.endswith(tuple(r.suffixes.GPE)) or _division_stem(surface) or surface in world_places()):
        label = "GPE"  # 焦作 (焦作市 is a word), 合肥
    elif (label is None and sp.label == "LOC" and not surface.endswith(tuple(mr.natural_heads))
          and jieba_tags().get(surface, "") in mr.org_if_jieba_tag):
        label = "ORG"  # 比亚迪, 巴斯夫, 华洋高塔复合肥
    if label is None or label == sp.label:
        return sp
    return Span(sp.start, sp.end, label, sp.source, sp.rule)


def combine_rules_and_model(rule: list[Span], model: list[Span], text: str = "",
                            bounds: tuple[frozenset[int], frozenset[int]] | None = None) -> list[Span]:
    """The overlap policy `rule_first_model_fills`:

    - model spans are refined first (refine_model_span: place labels; generic words and spans
      that cut through a word of the segmenter dropped);
    - same span from both: one row, source "rule+model", the rule's finer label;
    - outermost name wins: a model span that strictly contains every name-lookup rule span
      (gazetteer, suffix pattern) it overlaps replaces them (温州医科大学 over the place 温州,
      孟州市谷旦镇 over 孟州市 + 谷旦镇);
    - otherwise a rule span wins over any model span it overlaps: the rules are exact by
      construction (bylines, titles, gazetteer names, suffix patterns);
    - a place known only from jieba's dictionary (rule jieba_place, not a curated list) is kept
      only where a model span overlaps it: jieba tags common words (上市, 新建) as places too;
    - a model span that overlaps no rule span is kept: names nobody listed.
    """
    model = [m for m in (refine_model_span(m, text, bounds) if text else m for m in model) if m is not None]
    by_span = {(m.start, m.end): m for m in model}
    merged: list[Span] = []
    for r in rule:
        m = by_span.pop((r.start, r.end), None)
        if m is not None and r.label in _MODEL_COMPATIBLE.get(m.label, {m.label}):
            merged.append(Span(r.start, r.end, r.label, "rule+model", r.rule))
        else:
            merged.append(r)
    outer = []
    for m in by_span.values():
        inner = [r for r in merged if r.start < m.end and m.start < r.end]
        if inner and all(m.start <= r.start and r.end <= m.end and r.rule not in _EXACT_RULES
                         and r.source == "rule" for r in inner):
            outer.append(m)
    merged = [r for r in merged if not any(m.start <= r.start and r.end <= m.end for m in outer)]
    # a place known only from jieba's dictionary tags (上市, 新建 are ns words too) needs the
    # model to see a name there
    merged = [r for r in merged if r.rule != "jieba_place" or r.source != "rule"
              or any(m.start < r.end and r.start < m.end for m in model)]
    rest = sorted(by_span.values(), key=lambda s: (s.start - s.end, s.start))
    return _place_and_body(_non_overlapping(outer + merged + rest))


def _place_and_body(spans: list[Span]) -> list[Span]:
    """A place written right before an organisation or a facility is part of its name (中国工信部,
    美国国务院: one ORG; 北京南站, 郑州机场: one FAC)."""
    spans = sorted(spans, key=lambda s: s.start)
    out: list[Span] = []
    for sp in spans:
        if out and out[-1].label == "GPE" and sp.label in ("ORG", "FAC") and out[-1].end == sp.start:
            prev = out.pop()
            sp = Span(prev.start, sp.end, sp.label, sp.source, sp.rule)
        out.append(sp)
    return out
