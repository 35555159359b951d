"""Number mode: bare numerals (no unit) and ordinals, read the way a number recogniser reads them.

The quantity grammar (quantities.py) only keeps a number together with its unit; this mode finds
every numeral, unit or not: 一百五十二, 4.78万亿, 十余万, 二分之一, 1 3/5, 2^5, 40k, 第二百五十. It is
separate from the pipeline: nothing here changes what quantities.find returns.

It is built on pipeline/numerals.py (digit, unit and variant tables) and on the quantity grammar's
measure words (a lone digit such as 一 is a number before a measure word, 一只, and part of a word
elsewhere, 一切). Its own data is tools/data/numbers.toml.

Run it on the clean view (full-width digits and signs already mapped to ASCII); offsets are
half-open offsets into the string passed in.
"""
from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import NamedTuple

import regex
from pydantic import BaseModel, ConfigDict, field_validator

from pipeline import numerals, quantities
from pipeline.patterns import check_compiles

DATA = Path(__file__).parent / "data" / "numbers.toml"


class NumberSpan(NamedTuple):
    start: int
    end: int
    value: float


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")
    single_digit_followers: list[str]
    ambiguous_alone: list[str]

    @field_validator("single_digit_followers")
    @classmethod
    def _compiles(cls, v):
        return check_compiles(v, "pattern")


def _chars(table: dict) -> set[str]:
    return set(table) | {k for k, v in numerals.VARIANTS.items() if v in table}


DIGITS = _chars(numerals.CN_DIGITS) - {"零", "〇"}  # 一..九, 两, 壹..玖, 兩
ZEROS = {"零", "〇"}
SMALL = _chars(numerals.SMALL_UNITS)                 # 十百千 拾佰仟
BIG = _chars(numerals.BIG_UNITS)                     # 万亿兆 萬億
APPROX = {"多", "余", "几", "幾", "餘"}                # 十余万, 二十几万: dropped inside a numeral
POINT = {"点", "點"}
NEG = {"负", "負"}
DECIMAL_DIGITS = (DIGITS | ZEROS) - {"两", "兩", "倆", "俩"}  # 两百点两: 两 is no decimal digit
PLAIN_DIGITS = set("〇零一二三四五六七八九")                      # digit by digit: 一九九八
NUMERAL_CHARS = DIGITS | ZEROS | SMALL | BIG

_ARABIC_INT = regex.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+")  # 4,565 (the clean view maps ４，５６５)
_ARABIC_FRAC = regex.compile(r"\.\d+(?!\d)(?!\.\d)")
_EXPONENT = regex.compile(r"[eE](?:(?P<sign>[-+]*)(?P<exp>[1-9]\d*)|0(?!\d))|\^(?P<psign>[-+]*)(?P<pexp>[1-9]\d*)")
_LETTER = regex.compile(r"[kKM](?![A-Za-z])")
_SLASH = regex.compile(r"[/／](\d+)(?![\d.])")
_MIXED = regex.compile(r" (\d+)[/／](\d+)(?![\d.])")
_FRACTION = regex.compile(r" ?分 ?之 ?")
_AND = regex.compile(r" ?又 ?")


@functools.lru_cache(maxsize=1)
def _data():
    try:
        d = _Data.model_validate(tomllib.loads(DATA.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ValueError(f"{DATA.name}: {exc}") from None
    g = quantities.load_grammar()
    # guarded units (两, 度, 块 ...) are ordinary words too: they do not license a lone digit
    words = [w for kind in ("count", "measure", "area", "duration") for w in g.units.get(kind, {})
             if w not in g.unit_guards]
    follow = "|".join([f"(?:{p})" for p in d.single_digit_followers] +
                      [regex.escape(w) for w in sorted(words, key=len, reverse=True)])
    return regex.compile(f"(?:{follow})"), set(d.ambiguous_alone)


class _Read(NamedTuple):
    end: int
    value: float
    single: bool      # one digit character and nothing else (一, 五, 两)
    integer: bool     # no decimal point, fraction or exponent
    tokens: int


def _fold(ch: str) -> str:
    return numerals.VARIANTS.get(ch, ch)


def _skip_space(t: str, j: int) -> int:
    return j + 1 if j < len(t) and t[j] == " " and j + 1 < len(t) and t[j + 1] in NUMERAL_CHARS | APPROX | POINT else j


def _big_ok(t: str, j: int) -> bool:
    """兆 is a numeral magnitude only with a lower section after it (五兆六十二亿); else mega (兆瓦)."""
    if _fold(t[j]) != "兆":
        return True
    k = _skip_space(t, j + 1)
    return k < len(t) and (t[k] in DIGITS | ZEROS | SMALL or t[k].isdigit())


def _arabic(t: str, j: int, decimal: bool) -> tuple[int, float, bool] | None:
    m = _ARABIC_INT.match(t, j)
    if not m:
        return None
    end, text, is_int = m.end(), m.group(0), True
    if decimal:
        f = _ARABIC_FRAC.match(t, end)
        if f:
            end, text, is_int = f.end(), text + f.group(0), False
    return end, float(text.replace(",", "")), is_int


def _read(t: str, i: int, arabic_decimal: bool = True) -> _Read | None:
    """The longest numeral starting at i: Chinese, Arabic or mixed (5万4千6百, 3万4000)."""
    n = len(t)
    total = section = 0.0
    digit: float | None = None
    digit_cn = False
    unit_before: float | None = None  # the unit right before the pending digit (一万三: 万)
    last_small: float | None = None
    last_unit: float | None = None
    prev: str | None = None           # previous token: D S B Z X
    best: _Read | None = None
    tokens = 0
    single = False
    integer = True
    j = i

    def digit_value() -> float:
        if digit is None:
            return 0.0
        if digit_cn and unit_before and unit_before >= 100:
            return digit * unit_before / 10  # 两千四 = 2400, 一万三 = 13000
        return digit

    while j < n:
        if prev is not None and prev != "A":
            j2 = _skip_space(t, j)
        else:
            j2 = j
        ch = t[j2] if j2 < n else ""
        c = _fold(ch)
        if ch.isdigit() and ch.isascii():
            if digit is not None or prev in ("X",) or (prev is not None and j2 != j):
                break
            a = _arabic(t, j2, arabic_decimal)
            if a is None:
                break
            end, v, is_int = a
            unit_before = None
            digit, digit_cn, prev = v, False, "A"
            integer = integer and is_int
            j = end
            tokens += 1
        elif ch in DIGITS:
            if digit is not None or prev == "X":
                break
            unit_before = last_unit if prev in ("S", "B") else None
            digit, digit_cn, prev = float(numerals.CN_DIGITS[c]), True, "D"
            j = j2 + 1
            tokens += 1
        elif ch in SMALL:
            u = float(numerals.SMALL_UNITS[c])
            if last_small is not None and u >= last_small and digit is not None:
                break  # 五十千: 千 cannot follow 十
            if digit is not None:
                if digit >= 10 or digit != int(digit):
                    break
                section += digit * u
                digit = None
            elif prev is None and u == 10:
                section += 10  # 十五, 拾万
            elif prev == "Z" and u == 10:
                section += 10  # 一百零十, 零十
            elif prev is None and j2 + 1 < n and t[j2 + 1] in DIGITS:
                section += u  # 百三 = 130, 千三 = 1300
            else:
                break
            if last_small is not None and u >= last_small:
                break
            last_small, last_unit, prev = u, u, "S"
            j = j2 + 1
            tokens += 1
        elif ch in BIG and prev is not None and _big_ok(t, j2):
            u = float(numerals.BIG_UNITS[c])
            val = section + (digit or 0.0)  # 四万: no abbreviation before a unit
            if val == 0 and total == 0:
                break
            reset = {10_000.0: 1e8, 1e8: 1e12}.get(u)
            below = total % reset if reset else total
            total = total - below + (below + val) * u
            section, digit, last_small, last_unit, prev = 0.0, None, None, u, "B"
            j = j2 + 1
            tokens += 1
        elif ch in ZEROS:
            if prev in ("D", "A") or (prev is None and not (j2 + 1 < n and (t[j2 + 1] in SMALL | POINT))):
                break
            prev = "Z"
            last_unit = None
            j = j2 + 1
            tokens += 1
            continue  # a trailing 零 is not part of the numeral
        elif ch in APPROX and prev in ("S", "B", "Z", "A", "D"):
            k = _skip_space(t, j2 + 1)
            if not (k < n and t[k] in BIG):
                break  # 四百多: the 多 stays outside
            prev = "X"
            j = j2 + 1
            continue
        elif ch in POINT and prev in ("D", "S", "B", "Z", "A") and prev != "A":
            k = _skip_space(t, j2 + 1)
            digits = ""
            while k < n and t[k] in DECIMAL_DIGITS:
                digits += str(numerals.CN_DIGITS[_fold(t[k])])
                k2 = _skip_space(t, k + 1)
                k = k2 if k2 < n and t[k2] in DECIMAL_DIGITS else k + 1
            if not digits:
                break
            frac = float("0." + digits)
            value = total + section + digit_value() + frac
            j = k
            integer = False
            tokens += 1
            best = _Read(j, value, False, False, tokens)
            # 三点五万: a big unit after the decimal multiplies the section
            k = _skip_space(t, j)
            while total == 0 and k < n and t[k] in BIG and _big_ok(t, k):
                value *= numerals.BIG_UNITS[_fold(t[k])]
                j = k + 1
                best = _Read(j, value, False, False, tokens + 1)
                k = _skip_space(t, j)
            return best
        else:
            break
        if prev in ("D", "S", "B", "A"):
            value = total + section + digit_value()
            single = tokens == 1 and prev == "D"
            best = _Read(j, value, single, integer, tokens)
    return best


def _start_ok(t: str, i: int) -> bool:
    ch = t[i]
    if ch.isdigit() and ch.isascii():
        return not (i > 0 and t[i - 1].isdigit())
    if ch in DIGITS or ch in ZEROS or ch in SMALL:
        return True
    return False


def _digit_by_digit(t: str, i: int) -> _Read | None:
    j = i
    while j < len(t) and t[j] in PLAIN_DIGITS:
        j += 1
    if j - i < 2 or (j < len(t) and t[j] in SMALL | BIG | POINT | APPROX | {"两"}):
        return None
    return _Read(j, float("".join(str(numerals.CN_DIGITS[c]) for c in t[i:j])), False, True, j - i)


class _Num(NamedTuple):
    end: int
    value: float
    single: bool
    fraction: bool = False


def _number_at(t: str, i: int) -> _Num | None:
    """A number starting at i (sign, numeral, fraction, exponent ...)."""
    n = len(t)
    sign, j = 1.0, i
    if t[j] in NEG:
        sign, j = -1.0, _skip_space(t, j + 1) if j + 1 < n and t[j + 1] == " " else j + 1
    elif t[j] == "-":
        if i > 0 and (t[i - 1].isdigit() or t[i - 1] == "-"):
            return None
        sign, j = -1.0, j + 1
    if j >= n:
        return None
    if t[j] == "." and j + 1 < n and t[j + 1].isdigit():
        if j > 0 and t[j - 1] in ".":
            return None
        f = _ARABIC_FRAC.match(t, j)
        if not f or (j > 0 and t[j - 1].isdigit()):
            return None
        return _Num(f.end(), sign * float("0" + f.group(0)), False)
    if not _start_ok(t, j):
        if t[j] == "半" and j + 1 < n and t[j + 1] in SMALL | BIG:
            return _Num(j + 2, sign * 0.5 * numerals.MAGNITUDE[_fold(t[j + 1])], False)  # 半百 = 50
        return None
    # a number right after "digits." is an integer: 2222.2222.22222 are three integers
    after_dot = j >= 2 and t[j - 1] == "." and t[j - 2].isdigit()
    r = _digit_by_digit(t, j) or _read(t, j, arabic_decimal=not after_dot)
    if r is None:
        return None
    end, value, single = r.end, r.value, r.single
    arabic_only = t[j].isdigit() and r.tokens == 1
    if arabic_only:
        e = _EXPONENT.match(t, end)
        if e:
            if e.group("pexp"):
                exp = int(e.group("pexp")) * (-1 if e.group("psign").count("-") % 2 else 1)
                return _Num(e.end(), sign * value ** exp, False)
            exp = int(e.group("exp") or 0) * (-1 if (e.group("sign") or "").count("-") % 2 else 1)
            return _Num(e.end(), sign * value * 10.0 ** exp, False)
        if r.integer:
            m = _MIXED.match(t, end)
            if m and int(m.group(2)) != 0:
                return _Num(m.end(), sign * (value + int(m.group(1)) / int(m.group(2))), False)
            m = _SLASH.match(t, end)
            if m and int(m.group(1)) != 0:
                return _Num(m.end(), sign * value / int(m.group(1)), False)
        m = _LETTER.match(t, end)
        if m:
            return _Num(m.end(), sign * value * numerals.MAGNITUDE[m.group(0)], False)
    if r.integer:
        # 五分之一, 一百万又五十万分之二十五, 负3分之负157
        a = _AND.match(t, end)
        if a and a.end() < n:
            frac = _number_at(t, a.end())
            if frac and frac.fraction:
                return _Num(frac.end, sign * (value + frac.value), False, True)
        f = _FRACTION.match(t, end)
        if f and f.end() < n:
            num = _number_at(t, f.end())
            if num and value != 0:
                return _Num(num.end, sign * num.value / value, False, True)
        if end < n and t[end] == "打" and not (end + 1 < n and t[end + 1] in NUMERAL_CHARS):
            return _Num(end + 1, sign * value * 12, False)  # 一打 = 12
    return _Num(end, sign * value, single and sign > 0)


def find_numbers(text: str) -> list[NumberSpan]:
    """Every bare numeral in text -> (start, end, value), half-open offsets, left to right."""
    follow, ambiguous = _data()
    out: list[NumberSpan] = []
    i, n = 0, len(text)
    while i < n:
        r = _number_at(text, i)
        if r is None:
            i += 1
            continue
        end, value, single = r.end, r.value, r.single
        word = text[i:end]
        if len(word) == 1 and word in ambiguous:
            i += 1
            continue
        if single:
            before = text[i - 1] if i else ""
            if before in DIGITS | ZEROS or not follow.match(text, end):
                i += 1
                continue
        out.append(NumberSpan(i, end, value))
        i = end
    return out


def find_ordinals(text: str) -> list[NumberSpan]:
    """第 + an integer (第二百五十, 第250, 第一名 -> 第一) -> (start, end, value)."""
    out: list[NumberSpan] = []
    for m in regex.finditer("第", text):
        j = m.end()
        if j >= len(text) or not _start_ok(text, j):
            continue
        r = _read(text, j, arabic_decimal=False)
        if r is None or not r.integer or r.value != int(r.value):
            continue
        out.append(NumberSpan(m.start(), r.end, r.value))
    return out
