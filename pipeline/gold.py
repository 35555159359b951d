"""Gold files: loading and checking.

A gold file labels one document (or a window of one) for quantities, entities and facts.
The format and the labelling decisions are in tests/gold/GUIDELINES.md.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import regex

from .paths import REPO as ROOT, SHARED

GOLD_DIR = ROOT / "tests" / "gold" / "docs"

KINDS = {"money", "percent", "percentage_point", "permille", "multiple", "fraction", "ratio",
         "count", "measure", "date", "duration", "rank"}
from schemas.records import ENTITY_LABELS

LABELS = set(ENTITY_LABELS)
VALUELESS = {"date", "ratio"}
DOC_FIELDS = ("place", "place_level", "date", "year", "genre", "title")
OBS_FIELDS = ("indicator", "measure", "modality", "period", "year", "aggregation", "region", "region_level",
              "comparison")


class GoldError(ValueError):
    pass


@dataclass
class GoldDoc:
    path: Path
    data: dict
    text: str | None  # None when the source is not available (../shared missing)

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def split(self) -> str:
        return self.data["split"]

    @property
    def genre(self) -> str:
        return self.data["genre"]

    @property
    def window(self) -> tuple[int, int]:
        a, b = self.data["window"]
        return a, b


def source_path(source: str) -> Path:
    kind, _, rel = source.partition(":")
    if kind == "shared":
        return SHARED / rel
    if kind == "raw":
        return ROOT / "raw" / rel
    raise GoldError(f"unknown source prefix in {source!r} (want shared: or raw:)")


def load(path: Path) -> GoldDoc:
    data = json.loads(path.read_text(encoding="utf-8"))
    src = source_path(data["source"])
    text = src.read_bytes().decode("utf-8-sig") if src.exists() else None
    return GoldDoc(path, data, text)


def load_all(gold_dir: Path = GOLD_DIR) -> list[GoldDoc]:
    return [load(p) for p in sorted(gold_dir.glob("*.json"))]


def _num_or_none(x) -> bool:
    return x is None or (isinstance(x, (int, float)) and not isinstance(x, bool) and x == x
                         and abs(x) != float("inf"))


def check_doc(doc: GoldDoc) -> list[str]:
    """Every problem in one gold file, as readable strings (empty when the file is valid)."""
    d, errs = doc.data, []
    where = doc.path.name
    for key in ("name", "source", "genre", "split", "window", "quantities", "entities", "facts"):
        if key not in d:
            errs.append(f"{where}: missing key {key!r}")
    if errs:
        return errs
    if d["split"] not in ("dev", "test"):
        errs.append(f"{where}: split must be dev or test")
    if doc.path.stem != d["name"]:
        errs.append(f"{where}: name {d['name']!r} differs from the file name")
    if d["source"].startswith("raw:") and "news-" in d["source"]:
        errs.append(f"{where}: news items are read from ../shared, never from raw/")
    text = doc.text
    if text is None:
        return errs  # offsets cannot be checked without the source; the caller reports the skip
    a, b = d["window"]
    if not (0 <= a < b <= len(text)):
        errs.append(f"{where}: window {d['window']} outside text of {len(text)} chars")
    qspans, q_errs = _check_quantities(d["quantities"], text, a, b)
    problems = q_errs + _check_entities(d["entities"], text, a, b) + _check_facts(d["facts"], text, qspans)
    errs.extend(f"{where}: {e}" for e in problems)
    if "document" in d:
        errs.extend(f"{where}: document {e}" for e in _check_document(d["document"]))
    return errs


def _span_problem(kind: str, i: int, s, e, surface, text: str, a: int, b: int) -> str | None:
    if not (isinstance(s, int) and isinstance(e, int) and a <= s < e <= b):
        return f"{kind}[{i}] span {s}:{e} not inside window {a}:{b}"
    if text[s:e] != surface:
        return f"{kind}[{i}] text[{s}:{e}]={text[s:e]!r} != surface {surface!r}"
    return None


def _check_quantities(quantities: list[dict], text: str, a: int, b: int) -> tuple[set, list[str]]:
    qspans, errs = set(), []
    for i, q in enumerate(quantities):
        if (p := _span_problem("quantities", i, q.get("start"), q.get("end"), q.get("surface"), text, a, b)):
            errs.append(p)
        key = (q.get("start"), q.get("end"))
        if key in qspans:
            errs.append(f"quantities[{i}] duplicate span {key}")
        qspans.add(key)
        kind = q.get("kind")
        if kind not in KINDS:
            errs.append(f"quantities[{i}] unknown kind {kind!r}")
        if not _num_or_none(q.get("value")) or not _num_or_none(q.get("value_max")):
            errs.append(f"quantities[{i}] value/value_max must be finite numbers or null")
        if q.get("value") is None and kind not in VALUELESS:
            errs.append(f"quantities[{i}] kind {kind} needs a value")
        if kind in VALUELESS and not q.get("norm"):
            errs.append(f"quantities[{i}] kind {kind} needs a norm")
        if not isinstance(q.get("unit"), str) or not isinstance(q.get("approx"), bool):
            errs.append(f"quantities[{i}] unit must be a string and approx a bool")
    return qspans, errs


def _check_entities(entities: list[dict], text: str, a: int, b: int) -> list[str]:
    espans, errs = set(), []
    for i, en in enumerate(entities):
        if (p := _span_problem("entities", i, en.get("start"), en.get("end"), en.get("surface"), text, a, b)):
            errs.append(p)
        if en.get("label") not in LABELS:
            errs.append(f"entities[{i}] unknown label {en.get('label')!r}")
        key = (en.get("start"), en.get("end"))
        if key in espans:
            errs.append(f"entities[{i}] duplicate span {key}")
        espans.add(key)
    return errs


def _check_facts(facts: list[dict], text: str, qspans: set) -> list[str]:
    fkeys, errs = set(), []
    for i, f in enumerate(facts):
        key = (f.get("q_start"), f.get("q_end"))
        if key not in qspans:
            errs.append(f"facts[{i}] quantity span {key} is not a gold quantity")
        ms, me, metric = f.get("metric_start"), f.get("metric_end"), f.get("metric")
        if not (isinstance(ms, int) and isinstance(me, int) and 0 <= ms < me <= len(text)):
            errs.append(f"facts[{i}] bad metric span {ms}:{me}")
        elif "".join(text[ms:me].split()) != metric:
            errs.append(f"facts[{i}] metric {metric!r} != text[{ms}:{me}]={text[ms:me]!r}")
        if (key, metric) in fkeys:
            errs.append(f"facts[{i}] duplicate fact")
        fkeys.add((key, metric))
        errs.extend(f"facts[{i}] {e}" for e in _check_observation(f))
    return errs


def _check_document(doc: dict) -> list[str]:
    from schemas.records import PLACE_LEVELS
    errs = [f"missing {k!r}" for k in DOC_FIELDS if k not in doc]
    errs += [f"unknown key {k!r}" for k in doc if k not in DOC_FIELDS]
    if doc.get("place_level") not in (None, *PLACE_LEVELS):
        errs.append(f"place_level {doc.get('place_level')!r}")
    if doc.get("date") is not None and not regex.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", str(doc["date"])):
        errs.append(f"date {doc['date']!r} is not ISO")
    if doc.get("year") is not None and not isinstance(doc["year"], int):
        errs.append("year must be an integer or null")
    return errs


def _check_observation(f: dict) -> list[str]:
    """The observation fields of a gold fact, when it has them (all or none)."""
    from schemas.records import AGGREGATIONS, MEASURES, MODALITIES, PLACE_LEVELS
    present = [k for k in OBS_FIELDS if k in f]
    if not present:
        return []
    errs = [f"missing {k!r}" for k in OBS_FIELDS if k not in f]
    for key, allowed in (("measure", MEASURES), ("modality", MODALITIES), ("aggregation", (None, *AGGREGATIONS)),
                         ("region_level", (None, *PLACE_LEVELS))):
        if key in f and f[key] not in allowed:
            errs.append(f"{key} {f[key]!r} not one of {allowed}")
    p = f.get("period")
    if p is not None and not regex.fullmatch(r"(\d{4}(-(\d\d(-\d\d)?|Q\d|H\d))?|M\d\d|Q\d)"
                                            r"(/(\d{4}(-(\d\d(-\d\d)?|Q\d|H\d))?|M\d\d|Q\d))?", str(p)):
        errs.append(f"period {p!r} not in the period format")
    if f.get("year") is not None and not isinstance(f["year"], int):
        errs.append("year must be an integer or null")
    if f.get("indicator") is not None:
        from .observations import catalogue
        if f["indicator"] not in {ind.id for ind in catalogue().indicator}:
            errs.append(f"indicator {f['indicator']!r} is not in the catalogue")
    return errs


def check(paths: list[Path] | None = None) -> tuple[list[str], list[str]]:
    """(errors, skipped files) for the given gold files (all of them by default)."""
    errs, skipped = [], []
    for p in paths or sorted(GOLD_DIR.glob("*.json")):
        try:
            doc = load(p)
        except (json.JSONDecodeError, KeyError, GoldError) as exc:
            errs.append(f"{p.name}: cannot load: {exc}")
            continue
        if doc.text is None:
            skipped.append(p.name)
        errs.extend(check_doc(doc))
    return errs, skipped


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "check":
        print("usage: python -m pipeline.gold check [FILE ...]", file=sys.stderr)
        return 2
    paths = [Path(p) for p in argv[1:]] or None
    errs, skipped = check(paths)
    for e in errs:
        print(e)
    docs = load_all() if paths is None else [load(p) for p in paths]
    nq = sum(len(d.data["quantities"]) for d in docs)
    ne = sum(len(d.data["entities"]) for d in docs)
    nf = sum(len(d.data["facts"]) for d in docs)
    print(f"{len(docs)} gold files, {nq} quantities, {ne} entities, {nf} facts; "
          f"{len(errs)} problems; {len(skipped)} skipped (source missing)")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
