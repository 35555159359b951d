"""Document metadata: place, place_level, date, year, genre and title of a document.

Two sources, in this order: a sidecar the user gives (`--meta FILE`, CSV or JSON Lines keyed by file
name), then inference from the text's head (report headers such as
“——2026年1月26日在河南省第十四届人民代表大会第四次会议上”, communiqué titles, date lines).
Unknown stays None. The patterns are data: pipeline/data/observations.toml [document].
"""
from __future__ import annotations

import csv
import functools
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import regex
from pydantic import BaseModel, ConfigDict, field_validator

from . import cleanview, divisions
from .errors import BadInput
from .patterns import check_compiles, load_rules

DATA = Path(__file__).parent / "data" / "observations.toml"
FIELDS = ("place", "place_level", "date", "year", "genre", "title")


class DocumentRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    head_chars: int
    not_title: list[str]
    not_title_patterns: list[str]
    title_max: int
    date_patterns: list[str]
    place_patterns: list[str]
    country_words: list[str]
    review_heading: str
    plan_year: str
    title_year: str
    news_year: str
    news_place_chars: int
    news_year_chars: int
    genres: dict[str, str]

    _all = field_validator("date_patterns", "place_patterns", "not_title_patterns")(check_compiles)

    @field_validator("review_heading", "plan_year", "title_year", "news_year")
    @classmethod
    def _compile(cls, v):
        return check_compiles([v])[0]


@functools.lru_cache(maxsize=1)
def rules() -> DocumentRules:
    return load_rules(DATA, DocumentRules, "document")


@dataclass(frozen=True)
class DocMeta:
    place: str | None = None
    place_level: str | None = None
    date: str | None = None
    year: int | None = None
    genre: str | None = None
    title: str | None = None

    def merged(self, other: "DocMeta") -> "DocMeta":
        """Fields of self, with the gaps filled from other."""
        return replace(self, **{k: v for k, v in asdict(other).items() if getattr(self, k) is None})


_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def _lines(head: str) -> list[str]:
    """The head's lines without spaces (政 府 工 作 报 告, １ ９ ９ ８ 年), full-width digits mapped."""
    return ["".join(ln.split()).translate(_FULLWIDTH) for ln in head.splitlines() if ln.strip()]


def _title(lines: list[str], r: DocumentRules) -> str | None:
    for ln in lines:
        if (any(ln.startswith(w) for w in r.not_title) or not regex.search(r"\p{Han}", ln)
                or "。" in ln or ln.endswith(("：", ":"))
                or any(regex.search(p, ln) for p in r.date_patterns + r.not_title_patterns)):
            continue
        return ln if len(ln) <= r.title_max else None
    return None


def _date(head: str, r: DocumentRules) -> str | None:
    for p in r.date_patterns:
        m = regex.search(p, head)
        if m:
            y, mo, d = m.group("y"), int(m.group("m")), m.groupdict().get("d")
            if not 1 <= mo <= 12:
                continue
            return f"{y}-{mo:02d}-{int(d):02d}" if d else f"{y}-{mo:02d}"
    return None


def _place(lines: list[str], title: str | None, r: DocumentRules) -> divisions.Division | None:
    flat = "".join(lines)  # a header broken over lines (在广东省第十四届\n人民代表大会)
    for p in r.place_patterns:
        m = regex.search(p, flat)
        if m:
            name = m.group("place")
            if name in r.country_words:
                return divisions.Division("中国", "country")
            name, level = _last_division(name)
            if level is not None:
                return divisions.Division(name, level)
    # a news item: the first division named in its title, else in its first lines
    for stretch in (title or "", flat[: r.news_place_chars]):
        found = divisions.find_first(stretch)
        if found:
            return found[2]
    return None


def infer(text: str) -> DocMeta:
    """What the text's head says about the document."""
    r = rules()
    lines = _lines(text[: r.head_chars])
    head_end = cleanview.headline_end(text)  # a headline run into its body (online news)
    title = text[:head_end].strip() if head_end is not None else _title(lines, r)
    date = _date("\n".join(lines), r)
    place = _place(lines, title, r)
    kind = next((g for k, g in r.genres.items() if k in "".join(lines)), None)
    year = int(date[:4]) if date else None
    if year is None and kind == "gwr":
        body = "\n".join(_lines(text[:20000]))
        if title and any(k in title for k in r.genres) and (m := regex.search(r.title_year, title)):
            year = int(m.group("y"))
        elif m := regex.search(r.review_heading, body):
            year = int(m.group("y")) + 1
        elif m := regex.search(r.plan_year, body):
            year = int(m.group("y"))
    if kind == "gwr":
        level = place.level if place else None
        genre = {"country": "gwr-national", "province": "gwr-provincial", "prefecture": "gwr-prefecture",
                 "county": "gwr-county"}.get(level, "gwr")
    else:
        genre = kind or "news"
    if year is None and genre == "news" and (m := regex.search(r.news_year, "".join(lines)[: r.news_year_chars])):
        year = int(m.group("y"))
    return DocMeta(place=place.name if place else None, place_level=place.level if place else None,
                   date=date, year=year, genre=genre, title=title)


def reference_year(meta: DocMeta) -> tuple[int | None, int | None]:
    """(the year 今年 means, the year a result stated without a date covers) for a document:
    a work report of 2026 reviews 2025; a communiqué on 2022 reports 2022; news reports its own year."""
    r = rules()
    if meta.genre == "statistical-communique":
        m = regex.search(r.title_year, meta.title or "")
        y = int(m.group("y")) if m else (meta.year - 1 if meta.year else None)
        return y, y
    if meta.genre and meta.genre.startswith("gwr"):
        return meta.year, (meta.year - 1 if meta.year else None)
    return meta.year, meta.year


# ---------------------------------------------------------------- the sidecar (--meta FILE)

def load_sidecar(path: Path) -> dict[str, DocMeta]:
    """File name -> metadata from a CSV (header row) or JSON Lines file. The key column is `file`
    (or `source`, `path`); any of place, place_level, date, year, genre, title may follow; other
    columns are ignored. A place written with its parents (内蒙古自治区呼伦贝尔市海拉尔区) keeps its
    last division."""
    if not path.is_file():
        raise BadInput(f"metadata file not found: {path}")
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        rows = []
        for i, ln in enumerate(text.splitlines(), 1):
            if ln.strip():
                try:
                    rows.append(json.loads(ln))
                except json.JSONDecodeError as exc:
                    raise BadInput(f"{path.name}:{i}: not JSON ({exc.msg})") from None
    else:
        rows = list(csv.DictReader(text.splitlines()))
    out: dict[str, DocMeta] = {}
    for i, row in enumerate(rows, 1):
        key = next((row[k] for k in ("file", "source", "path") if row.get(k)), None)
        if key is None:
            raise BadInput(f"{path.name}: row {i} has no file/source/path column")
        vals = {k: (row.get(k) if row.get(k) not in ("", None) else None) for k in FIELDS}
        if vals["year"] is not None:
            try:
                vals["year"] = int(vals["year"])
            except ValueError:
                raise BadInput(f"{path.name}: row {i}: year {vals['year']!r} is not an integer") from None
        if vals["place"]:
            vals["place"], level = _last_division(vals["place"])
            vals["place_level"] = vals["place_level"] or level
        if vals["place_level"] not in (None, *divisions.LEVELS):
            raise BadInput(f"{path.name}: row {i}: place_level {vals['place_level']!r} not one of "
                             f"{', '.join(divisions.LEVELS)}")
        out[Path(key).as_posix()] = DocMeta(**vals)
    return out


def _last_division(place: str) -> tuple[str, str | None]:
    d = divisions.resolve(place)
    if d is not None:
        return d.name, d.level
    for i in range(1, len(place) - 1):
        d = divisions.resolve(place[i:])
        if d is not None and d.name == place[i:]:
            return d.name, d.level
    return place, None


def lookup(sidecar: dict[str, DocMeta], source: str) -> DocMeta | None:
    """The sidecar row of a document: by its path relative to the input folder, else by a key that
    ends with that path or with its file name."""
    if source in sidecar:
        return sidecar[source]
    name = Path(source).name
    for key, meta in sidecar.items():
        if key.endswith("/" + source) or Path(key).name == name:
            return meta
    return None
