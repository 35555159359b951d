"""Rule files: the one loader (TOML -> Pydantic model -> "file: error") and the one check that
every regex a data file holds compiles."""
from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Callable, TypeVar

import regex
from pydantic import BaseModel

from .errors import BadRuleFile

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


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


def per_rules(build: Callable[[BaseModel], R]) -> Callable[[BaseModel], R]:
    """Cache ``build(rules)`` per rules object, by identity (the rule models are not hashable, and a
    reloaded rule file is a new object that gets its own entry): lexicons sorted or compiled once."""
    cache: dict[int, tuple[BaseModel, R]] = {}

    @functools.wraps(build)
    def get(rules: BaseModel) -> R:
        hit = cache.get(id(rules))
        if hit is None or hit[0] is not rules:
            hit = cache[id(rules)] = (rules, build(rules))
        return hit[1]
    return get
