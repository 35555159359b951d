"""Rule files: the one loader (TOML -> Pydantic model -> "file: error") and the one check that
every regex a data file holds compiles."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TypeVar

import regex
from pydantic import BaseModel

from .errors import BadRuleFile

M = TypeVar("M", bound=BaseModel)


def load_rules(path: Path, model: type[M], section: str | None = None) -> M:
    """The rule file at ``path`` (or one top-level table of it) validated by ``model``; a bad file
    raises ValueError naming the file (and the section) and the entry."""
    where = path.name + (f" [{section}]" if section else "")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if section is not None:
            data = data[section]
        return model.model_validate(data)
    except KeyError:
        raise BadRuleFile(f"{where}: missing") from None
    except (tomllib.TOMLDecodeError, ValueError, regex.error) as exc:
        raise BadRuleFile(f"{where}: {exc}") from None


def check_compiles(patterns: list[str], what: str = "pattern") -> list[str]:
    """Return the patterns unchanged, or raise ValueError naming the first that does not compile."""
    for p in patterns:
        try:
            regex.compile(p)
        except regex.error as exc:
            raise ValueError(f"{what} {p!r}: {exc}") from None
    return patterns
