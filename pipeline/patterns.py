"""Validation shared by the rule files: every regex a data file holds must compile."""
from __future__ import annotations

import regex


def check_compiles(patterns: list[str], what: str = "pattern") -> list[str]:
    """Return the patterns unchanged, or raise ValueError naming the first that does not compile."""
    for p in patterns:
        try:
            regex.compile(p)
        except regex.error as exc:
            raise ValueError(f"{what} {p!r}: {exc}") from None
    return patterns
