"""China's administrative divisions: full names, short forms and levels (data: pipeline/data/divisions.tsv).

`resolve("河南")` -> Division("河南省", "province"); `resolve("孟州市")` -> Division("孟州市", "county");
`resolve("全国")` -> Division("中国", "country"). A short form that several divisions share resolves to
the highest level (吉林 -> 吉林省); a county's short form only resolves where the segmenter's
dictionary knows it as a place (孟州 yes, 东方 no).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from schemas.records import PLACE_LEVELS as LEVELS

from .patterns import load_rules

DATA = Path(__file__).parent / "data" / "divisions.tsv"
COUNTRY = ("中国", "全国", "我国", "中华人民共和国")
_RANK = {lv: i for i, lv in enumerate(LEVELS)}
# suffixes that a short form leaves out, longest first
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "地区", "省", "市", "盟",
             "县", "区", "旗")


class _NotDivisions(BaseModel):
    """The short forms that are ordinary words and the phrases whose place word names no place
    ([region] not_divisions and not_place_phrases of observations.toml)."""
    model_config = ConfigDict(extra="ignore")
    not_divisions: list[str]
    not_place_phrases: list[str] = []


@functools.lru_cache(maxsize=1)
def _stop() -> _NotDivisions:
    return load_rules(DATA.parent / "observations.toml", _NotDivisions, "region")


@dataclass(frozen=True)
class Division:
    name: str
    level: str


def _short(name: str) -> str | None:
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            stem = name[: -len(suf)]
            if "族" in stem[-4:] and stem.endswith("族"):  # 延边朝鲜族 -> 延边
                return None
            return stem
    return None


@functools.lru_cache(maxsize=1)
def table() -> dict[str, Division]:
    """Name or short form -> division. Full names win over short forms."""
    full: dict[str, Division] = {}
    short: dict[str, Division] = {}
    for ln in DATA.read_text(encoding="utf-8").splitlines():
        if not ln or ln.startswith("#") or ln.startswith("adcode"):
            continue
        try:
            _code, name, level, _province = ln.split("\t")
        except ValueError:
            raise ValueError(f"{DATA.name}: bad line {ln!r} (want adcode, name, level, province)") from None
        if level not in LEVELS:
            raise ValueError(f"{DATA.name}: unknown level {level!r} for {name}")
        d = Division(name, level)
        if name not in full or _RANK[level] < _RANK[full[name].level]:
            full[name] = d
        stem = _short(name)
        if stem and (stem not in short or _RANK[level] < _RANK[short[stem].level]):
            short[stem] = d
    from .segment import jieba_tags
    tags = jieba_tags()
    stop = set(_stop().not_divisions)
    out = {k: v for k, v in short.items()
           if k not in stop and (v.level != "county" or tags.get(k) == "ns" or (tags.get(k) == "nr" and len(k) >= 3))}
    out.update(full)
    for w in COUNTRY:
        out[w] = Division("中国", "country")
    return out


def resolve(name: str) -> Division | None:
    return table().get(name)


def find_first(text: str, max_len: int = 12) -> tuple[int, int, Division] | None:
    """The first division named in ``text`` (longest name at the earliest position), or None; a
    place word inside a phrase that names no place (北京时间) does not count."""
    t = table()
    skip = bytearray(len(text) + 1)
    for ph in _stop().not_place_phrases:
        i = text.find(ph)
        while i >= 0:
            skip[i:i + len(ph)] = b"\x01" * len(ph)
            i = text.find(ph, i + 1)
    from .segment import load_jieba
    starts = bytearray(len(text) + 1)  # a name starts a word of the segmenter and crosses no word start:
    pos = 0                            # 江苏 of 江苏队, not 中江 of 噩梦/中/江苏, 云龙 of 柳云龙
    for w in load_jieba().cut(text):
        starts[pos] = 1
        pos += len(w)
    for i in range(len(text)):
        if skip[i] or not starts[i]:
            continue
        for n in range(min(max_len, len(text) - i), 1, -1):
            d = t.get(text[i:i + n])
            if d is not None and not any(starts[i + 1:i + n]):
                return i, i + n, d
    return None
