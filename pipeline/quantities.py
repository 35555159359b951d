"""Quantities: find number+unit spans on the clean view and resolve them to value, unit, kind.

The grammar (fragments, units, qualifiers, rules, negative contexts) is data:
pipeline/data/quantity_grammar.toml, validated when loaded. This module is the mechanism:
compose the fragments, run the rules, keep the longest non-overlapping matches, resolve.
"""
from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

import regex
from pydantic import BaseModel, ConfigDict, field_validator

from schemas.records import APPROX, KINDS  # the vocabularies are defined once, in schemas

from . import numerals

GRAMMAR_PATH = Path(__file__).parent / "data" / "quantity_grammar.toml"
RESOLVERS = {"date", "percent_cn", "fraction", "tenths", "discount", "ratio", "doubling", "rank", "unit",
             "compound", "half", "height", "mixed", "score", "clock"}


# a decimal count is real only per head, per household or per game (每千人口床位数7.6张, 每万人3.3件, 场均10.4个篮板)
_PER_HEAD = regex.compile("每|人均|户均|千人|万人|百人|平均|场均")


class GrammarError(ValueError):
    """The grammar file is wrong; the message names the file and the entry."""


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    resolver: str
    pattern: str
    unit: str | None = None  # for a rule whose unit is not one span (华氏温度98.6度): the unit surface

    @field_validator("resolver")
    @classmethod
    def _known(cls, v):
        if v not in RESOLVERS:
            raise ValueError(f"unknown resolver {v!r}; known: {sorted(RESOLVERS)}")
        return v


class Qualifiers(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prefix: dict[str, str]
    inner: dict[str, str]
    suffix: dict[str, str]

    @field_validator("prefix", "inner", "suffix")
    @classmethod
    def _approx(cls, v):
        bad = {k: a for k, a in v.items() if a not in APPROX}
        if bad:
            raise ValueError(f"approx must be one of {sorted(APPROX)}: {bad}")
        return v


class Negatives(BaseModel):
    model_config = ConfigDict(extra="forbid")
    block: list[str]
    lone_one_units: list[str]
    left: list[str]
    right: list[str]


class SubUnit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    of: str        # the main unit surface it divides (美分 of 美元)
    factor: float  # its worth in the main unit (0.01)


class Grammar(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fragments: dict[str, str]
    qualifiers: Qualifiers
    units: dict[str, dict[str, str]]
    unit_guards: dict[str, str] = {}
    subunits: dict[str, SubUnit] = {}
    per_units: dict[str, str] = {}
    rules: list[Rule]
    negatives: Negatives

    @field_validator("units")
    @classmethod
    def _kinds(cls, v):
        unknown = set(v) - set(KINDS)
        if unknown:
            raise ValueError(f"unit tables for unknown kinds: {sorted(unknown)}")
        seen: dict[str, str] = {}
        for kind, table in v.items():
            for surface in table:
                if surface in seen:
                    raise ValueError(f"unit {surface!r} listed under both {seen[surface]} and {kind}")
                seen[surface] = kind
        return v

    @field_validator("unit_guards")
    @classmethod
    def _guards(cls, v, info):
        known = {s for table in (info.data.get("units") or {}).values() for s in table}
        unknown = set(v) - known
        if unknown:
            raise ValueError(f"unit_guards for units not in any unit table: {sorted(unknown)}")
        for surface, guard in v.items():
            try:
                regex.compile(guard)
            except regex.error as exc:
                raise ValueError(f"unit_guards {surface!r}: {exc}") from None
        return v


@dataclass(frozen=True)
class Quantity:
    """One quantity found in a string: offsets are into that string."""
    start: int
    end: int
    text: str
    value: float | None
    value_max: float | None
    unit: str
    kind: str
    approx: str
    norm: str | None
    rule: str


def _alt(words) -> str:
    return "(?:" + "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


def _unit_alt(words, guards: dict[str, str]) -> str:
    """Unit surfaces, longest first; a surface of several Han characters may have single spaces
    between them (个 百 分 点: the clean view keeps one space of a spaced-out line), and a guarded
    surface must satisfy its guard (two as a weight only at the end of a phrase: 三十两。)."""
    out = []
    for w in sorted(words, key=len, reverse=True):
        pat = " ?".join(regex.escape(ch) for ch in w) if len(w) > 1 and regex.fullmatch(r"\p{Han}+", w) \
            else regex.escape(w)
        out.append(pat + (f"(?:{guards[w]})" if w in guards else ""))
    return "(?:" + "|".join(out) + ")"


class Extractor:
    def __init__(self, grammar: Grammar):
        self.g = grammar
        self.unit_kind: dict[str, tuple[str, str]] = {}
        for kind, table in grammar.units.items():
            for surface, canonical in table.items():
                self.unit_kind[surface] = (kind, canonical)
        q = grammar.qualifiers
        self.approx = {"pre": q.prefix, "inner0": q.inner, "inner": q.inner, "suf": q.suffix}
        frags = dict(grammar.fragments)
        frags["unit"] = _unit_alt(self.unit_kind, grammar.unit_guards)
        frags["subunit"] = _unit_alt(grammar.subunits, {})
        frags["prefix"] = _alt(q.prefix)
        frags["inner"] = _alt(q.inner)
        frags["suffix"] = _alt(q.suffix)
        # a magnitude character is never read out of a unit that starts with one (千瓦, 千米)
        tails = [u[1:] for u in self.unit_kind if u[0] in "十百千万亿兆" and len(u) > 1]
        frags["magnitude"] = ("(?:(?:[十百千万亿萬億]" + (f"(?!{_alt(tails)})" if tails else "") + ")+"
                              "|(?<=\\d)[kK](?![A-Za-z]))")  # 15k个百分点
        self.fragments = {k: self._expand(v, frags, k) for k, v in frags.items()}
        self.rules = []
        for i, rule in enumerate(grammar.rules):
            try:
                rx = regex.compile(self._expand(rule.pattern, self.fragments, rule.name))
            except regex.error as exc:
                raise GrammarError(f"{GRAMMAR_PATH.name}: rule {rule.name!r}: {exc}") from None
            self.rules.append((i, rule, rx))
        try:
            self.block = regex.compile("|".join(grammar.negatives.block))
            self.left = regex.compile("(?:" + "|".join(grammar.negatives.left) + ")$")
            self.right = regex.compile("(?:" + "|".join(grammar.negatives.right) + ")")
        except regex.error as exc:
            raise GrammarError(f"{GRAMMAR_PATH.name}: negatives: {exc}") from None
        self.lone_one = set(grammar.negatives.lone_one_units)

    @staticmethod
    def _expand(pattern: str, frags: dict[str, str], where: str, depth: int = 0) -> str:
        if depth > 10:
            raise GrammarError(f"{GRAMMAR_PATH.name}: {where}: fragments nest too deep (a cycle?)")

        def sub(m):
            name = m.group(1)
            if name not in frags:
                raise GrammarError(f"{GRAMMAR_PATH.name}: {where}: unknown fragment {{{name}}}")
            return Extractor._expand(frags[name], frags, name, depth + 1)

        return regex.sub(r"\{([a-z_]+)\}", sub, pattern)

    # -- finding -------------------------------------------------------------------------------
    def find(self, text: str) -> list[Quantity]:
        cands = []
        for i, rule, rx in self.rules:
            for m in rx.finditer(text, overlapped=False):
                if m.end() > m.start():
                    cands.append((m.start(), m.end(), i, rule, m))
        if not cands:
            return []
        # coverage maps, not all-pairs checks: the cost stays linear in the text's length
        blocked = bytearray(len(text) + 1)
        for b in self.block.finditer(text):
            blocked[b.start():b.end()] = b"\x01" * (b.end() - b.start())
        taken = bytearray(len(text) + 1)
        cands.sort(key=lambda c: (c[0] - c[1], c[2], c[0]))
        out = []
        for s, e, _, rule, m in cands:
            if taken.find(1, s, e) >= 0 or blocked.find(1, s, e) >= 0:
                continue
            if self.left.search(text, max(0, s - 2), s) or self.right.match(text, e):
                if rule.resolver not in ("date", "rank"):
                    continue
            q = self.resolve(rule, m)
            if q is None:
                continue
            taken[s:e] = b"\x01" * (e - s)
            out.append(q)
        out.sort(key=lambda q: q.start)
        return out

    # -- resolving -----------------------------------------------------------------------------
    def _approx(self, m, vague: bool) -> str:
        gd = m.groupdict()
        for key in ("pre", "inner0", "inner", "suf"):
            w = gd.get(key)
            if w:
                return self.approx[key][w]
        return "about" if vague else "exact"

    def resolve(self, rule: Rule, m) -> Quantity | None:
        if rule.resolver == "unit":
            r = self._r_unit(m, rule.unit)
        else:
            r = getattr(self, "_r_" + rule.resolver)(m)
        if r is None:
            return None
        value, value_max, unit, kind, approx, norm = r
        return Quantity(m.start(), m.end(), m.group(0), value, value_max, unit, kind, approx,
                        norm, rule.name)

    def _r_unit(self, m, rule_unit: str | None = None):
        gd = m.groupdict()
        unit_surface = rule_unit or gd["unit"].replace(" ", "")
        kind, unit = self.unit_kind[unit_surface]
        n1 = gd["n1"]
        if kind in self.lone_one and n1 == "一" and not gd.get("m1") and not gd.get("half"):
            return None
        try:
            v1, vmax, vague = numerals.number(n1)
        except numerals.NotANumeral:
            return None
        m1 = gd.get("m1")
        got = self._values(gd, v1, vmax, vague, unit_surface, kind, unit)
        if got is None:
            return None
        value, value_max, vague = got
        if unit == "度" and m1 and regex.search("[万亿萬億]", m1):
            unit = "千瓦时"  # 发电量3120亿度: a 度 counted in 万 or 亿 is electricity (kWh)
        if gd.get("mt"):  # 3万多亿元: 3万亿 and more
            if gd.get("n2"):
                return None
            value *= numerals.magnitude(gd["mt"])
        if gd.get("half"):  # 一吨半 1.5, 两年半 2.5
            if m1 or gd.get("n2"):
                return None
            value += 0.5
        if gd.get("neg"):  # 负0.2千米, 负3.9%
            value = -value
            if value_max is not None:
                value, value_max = -value_max, value
        norm = None
        if kind == "duration" and unit == "年" and not m1:
            if n1.isdigit() and len(n1) == 4 and 1800 <= v1 <= 2100:
                if gd.get("n2"):
                    return None  # 1953年到1978年: a range of years is a date (date_year_range)
                return None, None, "", "date", "exact", n1  # a calendar year, not a duration
        if gd.get("per"):  # 每股5.3元: a price per share
            unit = f"{unit}/{self.g.per_units.get(gd['per'], gd['per'])}"
        if kind == "count" and not m1 and not vague and value != int(value) and unit != "人" \
                and not _PER_HEAD.search(m.string, max(0, m.start() - 16), m.start()):
            return None  # 2.5个: a decimal count is a misread, unless per head (每千人口7.6张)
        return value, value_max, unit, kind, self._approx(m, vague), norm

    def _values(self, gd: dict, v1: float, vmax, vague: bool, unit_surface: str, kind: str, unit: str):
        """(value, value_max, vague) with magnitudes multiplied out: a range (3—5万吨, 10%至15%) or a
        single number (四亿零七百多万吨: the magnitude belongs to the section after 亿); None when the
        match is not a quantity after all (a range whose two ends name different units)."""
        m1, m2, n1 = gd.get("m1"), gd.get("m2"), gd["n1"]
        if gd.get("n2"):
            try:
                v2, v2max, vague2 = numerals.number(gd["n2"])
            except numerals.NotANumeral:
                return None
            u1 = (gd.get("u1") or "").replace(" ", "")
            if u1 and u1 != unit_surface and self.unit_kind[u1] != (kind, unit):
                return None
            mag2 = numerals.magnitude(m2)
            mag1 = numerals.magnitude(m1) if m1 else mag2
            value, value_max = v1 * mag1, (v2max or v2) * mag2
            return (value, value_max, vague or vague2) if value_max >= value else None
        mag = numerals.magnitude(m1)
        value, value_max = v1 * mag, (vmax * mag if vmax is not None else None)
        if gd.get("inner0") and m1 and not vague and not n1[0].isdigit() and regex.search("[万亿萬億]", n1):
            try:
                value = float(numerals.cn_integer(n1 + m1))
            except numerals.NotANumeral:
                return None
        return value, value_max, vague

    def _r_percent_cn(self, m):
        gd = m.groupdict()
        n1 = gd["n1"]
        pair = None if n1[0].isdigit() else numerals.vague_pair(n1)
        if pair:  # 百分之二三十: 20% to 30%
            return float(pair[0]), float(pair[1]), "%" if numerals.fold(gd["base"]) == "百分之" else "‰", \
                "percent" if numerals.fold(gd["base"]) == "百分之" else "permille", self._approx(m, True), None
        v = numerals.arabic(n1) if n1[0].isdigit() else numerals.cn_decimal(n1)
        v *= numerals.magnitude(gd.get("k"))  # 百分之15k
        if gd.get("neg"):
            v = -v
        vmax = None
        if gd.get("n2"):
            n2 = gd["n2"]
            vmax = numerals.arabic(n2) if n2[0].isdigit() else numerals.cn_decimal(n2)
        base = numerals.fold(gd["base"])
        kind, unit = ("percent", "%") if base == "百分之" else ("permille", "‰")
        return v, vmax, unit, kind, self._approx(m, False), None

    def _r_fraction(self, m):
        den, num = m.group("den"), m.group("num")
        den = int(den) if den.isdigit() else numerals.cn_integer(den)
        num = int(num) if num.isdigit() else numerals.cn_decimal(num)
        if num >= den and m.group("num").isdigit():
            return None  # 5/3 written with a slash is no share
        if den == 0:
            return None
        return num / den, None, "", "ratio", self._approx(m, False), f"{num:g}/{den}"

    def _r_tenths(self, m):
        """三成 30%, 9.5成 95%, 八点五成 85%, 十成 100%, 半成 5%, 三成半 35%, 七成六 76%."""
        n = numerals.fold(m.group("n1"))
        if n == "半":
            v = 0.5
        elif n[0].isdigit():
            v = numerals.arabic(n)
        else:
            v = numerals.cn_decimal(n)
        n2 = m.groupdict().get("n2")
        if n2:
            if "." in n or "点" in n or v >= 10:
                return None
            v += 0.5 if n2 == "半" else numerals.CN_DIGITS[numerals.fold(n2)] / 10
        if not 0 < v <= 10:
            return None
        return v * 10.0, None, "%", "percent", self._approx(m, False), None

    def _r_discount(self, m):
        """打八折: a price at 80% -> 80%; 75折 / 七五折 75%; 9.9折 / 三点一折 99% / 31%; 半折 / 对折 50%."""
        n = numerals.fold(m.group("n1")).replace(" ", "")
        if n in ("半", "对", "對"):
            return 50.0, None, "%", "percent", "exact", None
        digits = [c if c.isdigit() else str(numerals.CN_DIGITS[c]) for c in n if c not in ".点"]
        if not digits or digits[0] == "0" or len(digits) > 2:
            return None
        v = int(digits[0]) * 10.0 + (int(digits[1]) if len(digits) > 1 else 0)
        return v, None, "%", "percent", self._approx(m, False), None

    def _r_compound(self, m):
        """两美元又三美分 2.03 美元, 五元三毛 5.3 元: a main unit and a sub-unit amount."""
        gd = m.groupdict()
        q = self._r_unit(m)
        if q is None:
            return None
        value, value_max, unit, kind, approx, norm = q
        sub = self.g.subunits[gd["sub"].replace(" ", "")]
        if self.unit_kind.get(sub.of) != (kind, unit) or value_max is not None:
            return None
        try:
            n3, _, vague = numerals.number(gd["n3"])
        except numerals.NotANumeral:
            return None
        if vague:
            return None
        return value + n3 * sub.factor, None, unit, kind, approx, norm

    def _r_score(self, m):
        """以96-87击败: a score, norm 96:87."""
        return None, None, "", "ratio", "exact", f"{int(m.group('a'))}:{int(m.group('b'))}"

    def _r_clock(self, m):
        """7分49秒: 469 seconds."""
        return float(int(m.group("m")) * 60 + int(m.group("s"))), None, "秒", "duration", "exact", None

    def _r_half(self, m):
        """一半, 半数以上, 过半, 一多半: one half (过 and 多 say over)."""
        approx = "over" if m.group("pre") == "过" or "多" in m.group(0) else self._approx(m, False)
        return 0.5, None, "", "ratio", approx, None

    def _r_height(self, m):
        """1米88: 1.88 米."""
        return int(m.group("n1")) + int(m.group("cm")) / 100, None, "米", "measure", "exact", None

    def _r_mixed(self, m):
        """2万3千多户: 23,000 (and more)."""
        gd = m.groupdict()
        big, small = numerals.magnitude(gd["m1"]), numerals.magnitude(gd["m2"])
        if small >= big or int(gd["n2"]) * small >= big:
            return None
        kind, unit = self.unit_kind[gd["unit"].replace(" ", "")]
        value = int(gd["n1"]) * big + int(gd["n2"]) * small
        return float(value), None, unit, kind, self._approx(m, False), None

    def _r_ratio(self, m):
        return None, None, "", "ratio", "exact", m.group(0)

    def _r_doubling(self, m):
        n = numerals.cn_integer(m.group("n1"))
        return float(2 ** n), None, "倍", "ratio", self._approx(m, False), None

    def _r_rank(self, m):
        n = m.group("n1").lstrip("第")
        try:
            v = numerals.arabic(n) if n.isdigit() else float(numerals.cn_integer(n))
        except numerals.NotANumeral:
            return None
        if v <= 0:
            return None
        return v, None, "", "rank", "exact", ("top" if m.group(0).startswith("前") else None)

    def _r_date(self, m):
        gd = m.groupdict()

        def num(s):
            return int(numerals.arabic(s)) if s.isdigit() else numerals.cn_integer(s)

        try:
            y = num(gd["y"]) if gd.get("y") else None
            if y is not None and len(gd["y"]) == 2:  # 09年 -> 2009, 80年1月 -> 1980
                y += 2000 if y < 30 else 1900
            y2 = num(gd["y2"]) if gd.get("y2") else None
            mo = num(gd["m"]) if gd.get("m") else None
            mo2 = num(gd["m2"]) if gd.get("m2") else None
            if gd.get("mfirst"):  # 前7个月: months 1 to 7
                mo, mo2 = 1, num(gd["mfirst"])
            d = num(gd["d"]) if gd.get("d") else None
            d2 = num(gd["d2"]) if gd.get("d2") else None
        except numerals.NotANumeral:
            return None
        if (mo is not None and not 1 <= mo <= 12) or (mo2 is not None and not 1 <= mo2 <= 12):
            return None
        if d is not None and not 1 <= d <= 31:
            return None
        if d2 is not None:
            if not 1 <= d2 <= 31:
                return None
            norm = f"--{mo:02d}-{d:02d}/--{(mo2 or mo):02d}-{d2:02d}"
        elif y2 is not None:
            norm = f"{y}/{y2}"
        elif gd.get("q"):
            q = gd["q"]
            qn = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
            digits = [qn[c] for c in q if c in qn]
            part = f"Q1/Q{digits[-1]}" if (q.startswith("前") or "至" in q or "、" in q) else f"Q{digits[-1]}"
            norm = f"{y}-{part}" if y else part
        elif gd.get("h"):
            norm = f"{y}-{'H1' if gd['h'].startswith('上') else 'H2'}"
        elif mo2 is not None:
            norm = f"{y}-M{mo:02d}/M{mo2:02d}" if y else f"M{mo:02d}/M{mo2:02d}"
        elif y is not None and mo is not None and d is not None:
            norm = f"{y}-{mo:02d}-{d:02d}"
        elif y is not None and mo is not None:
            norm = f"{y}-{mo:02d}"
        elif y is not None and gd.get("yend"):
            norm = f"{y}-12"  # 2022年末: the year's last month (guidelines)
        elif y is not None:
            norm = str(y)
        elif mo is not None and d is not None:
            norm = f"--{mo:02d}-{d:02d}"
        elif d is not None:
            norm = f"---{d:02d}"  # a day of an unnamed month (ISO 8601 ---DD)
        else:
            norm = f"M{mo:02d}"
        return None, None, "", "date", "exact", norm


def load_grammar(path: Path = GRAMMAR_PATH) -> Grammar:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise GrammarError(f"{path.name}: not valid TOML: {exc}") from None
    try:
        return Grammar.model_validate(data)
    except ValueError as exc:
        raise GrammarError(f"{path.name}: {exc}") from None


@functools.lru_cache(maxsize=1)
def default_extractor() -> Extractor:
    return Extractor(load_grammar())


def find(text: str) -> list[Quantity]:
    """Quantities in a string (offsets into that string). Run it on the clean view."""
    return default_extractor().find(text)
