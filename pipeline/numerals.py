"""Numeral readers: Arabic, Chinese and mixed numerals to numbers. Pure functions."""
from __future__ import annotations

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
# 兆 is 10^12 only as a numeral magnitude above 亿 (五兆六十二亿); as a unit prefix (兆瓦) it is mega
BIG_UNITS = {"万": 10_000, "亿": 100_000_000, "兆": 1_000_000_000_000}
# a big unit multiplies what has accumulated since the last bigger one (一万五千亿 = 1.5e12, but
# 五兆六十二亿 = 5e12 + 62e8)
_RESET = {"万": 100_000_000, "亿": 1_000_000_000_000, "兆": None}
# k/K/M after Arabic digits (15k个百分点, 40k)
LETTER_MAGNITUDE = {"k": 1000, "K": 1000, "M": 1_000_000}
MAGNITUDE = {**SMALL_UNITS, **BIG_UNITS, **LETTER_MAGNITUDE}
# financial (大写) and traditional forms, folded onto the plain simplified characters
VARIANTS = {"壹": "一", "贰": "二", "貳": "二", "叁": "三", "參": "三", "肆": "四", "伍": "五",
            "陆": "六", "陸": "六", "柒": "七", "捌": "八", "玖": "九", "拾": "十", "佰": "百",
            "仟": "千", "萬": "万", "億": "亿", "兩": "两", "倆": "两", "俩": "两", "點": "点",
            "負": "负", "幾": "几", "餘": "余"}
_FOLD = str.maketrans({**VARIANTS, " ": None})


def fold(s: str) -> str:
    """Financial/traditional numeral characters -> plain ones; spaces inside a numeral dropped."""
    return s.translate(_FOLD)


def magnitude(s: str | None) -> float:
    """百亿亿 -> 1e18: a run of magnitude characters multiplies."""
    out = 1.0
    for ch in fold(s or ""):
        out *= MAGNITUDE[ch]
    return out


def arabic(s: str) -> float:
    s = s.replace(",", "").replace("，", "").replace("−", "-")
    return float(s)


def _cn_section(s: str) -> int:
    """A Chinese integer below 10,000 (no 万/亿), e.g. 五千九百 -> 5900, 十二 -> 12, 一万二 tail."""
    total, digit, last_unit = 0, None, None
    for ch in s:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in SMALL_UNITS:
            total += (1 if digit is None else digit) * SMALL_UNITS[ch]
            digit, last_unit = None, SMALL_UNITS[ch]
        else:
            raise ValueError(f"not a Chinese numeral character: {ch!r}")
    if digit is not None:
        # 三千五 = 3500: a trailing digit after a unit is one unit lower ("abbreviated" form)
        total += digit * (last_unit // 10 if last_unit and last_unit >= 100 and "零" not in s else 1)
    return total


def cn_integer(s: str) -> int:
    """Chinese integer: 五千九百 5900, 两万 20000, 一万二 12000, 三万五千 35000, 十 10, 一九九八 1998."""
    s = fold(s)
    if not s:
        raise ValueError("empty numeral")
    if all(ch in CN_DIGITS for ch in s) and len(s) > 1:
        return int("".join(str(CN_DIGITS[ch]) for ch in s))  # digit by digit: 一九九八, 二〇二四
    total, section = 0, ""
    for ch in s:
        if ch in BIG_UNITS:
            unit = BIG_UNITS[ch]
            val = _cn_section(section) if section else (0 if total else 1)
            # 万 applies to what has accumulated below the last 亿, 亿 to what is below the last 兆
            below = total % _RESET[ch] if _RESET[ch] else total
            total = total - below + (below + val) * unit
            section = ""
        else:
            section += ch
    if section:
        tail = _cn_section(section)
        # 一万二 = 12000: a lone trailing digit after 万/亿 is one step lower
        if len(section) == 1 and section in CN_DIGITS and total and s[-2] in BIG_UNITS:
            tail *= BIG_UNITS[s[-2]] // 10
        total += tail
    return total


def cn_decimal(s: str) -> float:
    """三点二 -> 3.2; 十二 -> 12; 负 handled by the caller."""
    s = fold(s)
    if "点" in s:
        whole, frac = s.split("点", 1)
        digits = "".join(str(CN_DIGITS[ch]) for ch in frac)
        return float(f"{cn_integer(whole) if whole else 0}.{digits}")
    return float(cn_integer(s))


VAGUE = {  # vague numerals: (low, high) multipliers
    "十几": (10, 19), "十多": (11, 19),
}


def vague(s: str) -> tuple[float, float]:
    """十几 -> (10, 19); 二十几 -> (20, 29); 几十 -> (10, 90); 数百 -> (100, 900); 上百 -> (100, None)."""
    if s in VAGUE:
        return VAGUE[s]
    if s.endswith("十几") and len(s) == 3:
        base = CN_DIGITS[s[0]] * 10
        return base, base + 9
    if s[0] in "几数":
        m = magnitude(s[1:])
        return m, 9 * m
    if s[0] == "上":
        m = magnitude(s[1:])
        return m, m  # 上百: at least a hundred
    raise ValueError(f"not a vague numeral: {s!r}")


# two neighbouring digits are an approximate range, not a two-digit number: 一两个 1-2, 三五天 3-5,
# 二三十 20-30, 十七八岁 17-18, 两三百万 2e6-3e6, 三两百 200-300 (一二 is left out: 一二年 is a year)
_PAIRS = {("一", "两"), ("两", "三"), ("二", "三"), ("三", "两"), ("三", "四"), ("四", "五"), ("五", "六"),
          ("六", "七"), ("七", "八"), ("八", "九"), ("三", "五")}


def vague_pair(s: str) -> tuple[int, int] | None:
    """十七八 -> (17, 18); 二三十 -> (20, 30); None when s is no such range."""
    s = fold(s)
    for i in range(len(s) - 1):
        if (s[i], s[i + 1]) in _PAIRS:
            head, tail = s[:i], s[i + 2:]
            if (head and head[-1] not in SMALL_UNITS and head[-1] not in BIG_UNITS) or \
                    any(ch not in MAGNITUDE for ch in tail) or any(ch in CN_DIGITS for ch in head[-1:]):
                return None
            a, b = cn_integer(head + s[i] + tail), cn_integer(head + s[i + 1] + tail)
            return min(a, b), max(a, b)
    return None


def number(s: str) -> tuple[float, float | None, bool]:
    """Any numeral the grammar's {number} fragment matches -> (value, value_max, vague)."""
    if not s:
        raise ValueError("empty number")
    if s[0].isdigit() or s[0] in "-−":
        return arabic(s), None, False
    s = fold(s)
    if "点" not in s:
        pair = vague_pair(s)
        if pair:
            return float(pair[0]), float(pair[1]), True
    if s[0] in "几数上" or "几" in s or s in VAGUE or s.endswith("十多"):
        if s.endswith("十多") and s not in VAGUE:
            base = CN_DIGITS[s[0]] * 10
            return base, base + 9, True
        lo, hi = vague(s)
        return lo, (hi if hi != lo else None), True
    return cn_decimal(s), None, False


class NotANumeral(ValueError):
    """The string is not a numeral this module reads (a resolver then says: no quantity here)."""


def _reads_numerals(fn):
    """Turn the lookups and conversions that fail on a non-numeral into NotANumeral, so that a
    caller catches exactly that and a bug stays a bug."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NotANumeral:
            raise
        except (KeyError, ValueError) as exc:
            raise NotANumeral(f"{args[0]!r}: {exc}") from None
    return wrapper


arabic = _reads_numerals(arabic)
cn_integer = _reads_numerals(cn_integer)
cn_decimal = _reads_numerals(cn_decimal)
magnitude = _reads_numerals(magnitude)
number = _reads_numerals(number)
