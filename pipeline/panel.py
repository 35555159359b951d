"""The panel: one row per (region, period, aggregation, indicator, measure, modality), built from the
facts of an extraction (facts.parquet and documents.parquet in one output folder).

Only facts with a catalogue indicator enter the panel (the rest stay in facts.parquet). The same
figure stated twice — in one document or in several — is one row, every statement kept in
`sources`. When statements disagree (a revised figure, a two-year comparison) the row takes the
statement of the latest document, within it a year-on-year one before others, then the first;
`conflict` says that the sources disagree.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

KEY = ("region", "period", "aggregation", "indicator", "measure", "modality")
_PREFERRED_BASES = (None, "上年", "上年同期")

SOURCE = pa.struct([("doc_id", pa.string()), ("source", pa.string()), ("start", pa.int64()),
                    ("end", pa.int64()), ("text", pa.string()), ("value", pa.float64()),
                    ("value_max", pa.float64()), ("unit", pa.string()), ("comparison", pa.string()),
                    ("sentence", pa.string())])
SCHEMA = pa.schema([
    ("region", pa.string()), ("region_level", pa.string()), ("period", pa.string()), ("year", pa.int64()),
    ("aggregation", pa.string()), ("indicator", pa.string()), ("indicator_zh", pa.string()),
    ("measure", pa.string()), ("modality", pa.string()), ("value", pa.float64()), ("value_max", pa.float64()),
    ("unit", pa.string()), ("approx", pa.string()), ("comparison", pa.string()), ("doc_id", pa.string()),
    ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()), ("sentence", pa.string()),
    ("n_sources", pa.int64()), ("conflict", pa.bool_()), ("sources", pa.list_(SOURCE)),
])


def _same(a: dict, b: dict) -> bool:
    def close(x, y):
        return (x is None and y is None) or (x is not None and y is not None and math.isclose(x, y, rel_tol=1e-9))
    return close(a["value"], b["value"]) and close(a["value_max"], b["value_max"]) and a["unit"] == b["unit"]


def build(facts: list[dict], documents: list[dict]) -> list[dict]:
    """Panel rows from fact rows and document rows (dicts with the tables' columns)."""
    from .observations import catalogue

    names = {ind.id: ind.zh for ind in catalogue().indicator}
    docs = {d["doc_id"]: d for d in documents}
    groups: dict[tuple, list[dict]] = {}
    for f in facts:
        if f.get("indicator") is None:
            continue
        groups.setdefault(tuple(f[k] for k in KEY), []).append(f)
    rows = []
    for key, fs in groups.items():
        def rank(f):
            d = docs.get(f["doc_id"], {})
            when = d.get("date") or (str(d["year"]) if d.get("year") else "")
            return (when, f["comparison"] in _PREFERRED_BASES, -f["start"])
        chosen = max(fs, key=rank)
        fs.sort(key=lambda f: (docs.get(f["doc_id"], {}).get("source") or "", f["start"]))
        sources = [{"doc_id": f["doc_id"], "source": docs.get(f["doc_id"], {}).get("source"), "start": f["start"],
                    "end": f["end"], "text": f["text"], "value": f["value"], "value_max": f["value_max"],
                    "unit": f["unit"], "comparison": f["comparison"], "sentence": f["sentence"]} for f in fs]
        row = dict(zip(KEY, key))
        row.update(region_level=chosen["region_level"], year=chosen["year"],
                   indicator_zh=names.get(chosen["indicator"]), value=chosen["value"],
                   value_max=chosen["value_max"], unit=chosen["unit"], approx=chosen["approx"],
                   comparison=chosen["comparison"], doc_id=chosen["doc_id"], start=chosen["start"],
                   end=chosen["end"], text=chosen["text"], sentence=chosen["sentence"], n_sources=len(fs),
                   conflict=not all(_same(f, chosen) for f in fs), sources=sources)
        rows.append(row)
    rows.sort(key=lambda r: tuple("" if r[k] is None else str(r[k]) for k in ("region", "indicator", "measure",
                                                                             "modality", "period")))
    return rows


def write(rows: list[dict], out: Path) -> None:
    """Write the panel atomically (temporary file renamed into place)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), tmp, compression="zstd")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def coverage(rows: list[dict], documents: list[dict]) -> list[dict]:
    """For each work report: does the panel hold last year's GDP growth and this year's GDP growth
    target of the report's place (the two headline cells of a work report)?"""
    have = {(r["region"], r["period"], r["measure"], r["modality"]) for r in rows
            if r["indicator"] == "gdp" and r["aggregation"] is None}
    out = []
    for d in documents:
        if not (d.get("genre") or "").startswith("gwr") or not d.get("year"):
            continue
        y, place = d["year"], d.get("place")
        out.append({"source": d["source"], "place": place, "year": y,
                    "growth_actual": (place, str(y - 1), "growth", "actual") in have
                    or (place, str(y - 1), "growth", "estimate") in have,
                    "growth_target": (place, str(y), "growth", "target") in have})
    return out


def main(inp: Path, out: Path, show_coverage: bool = False) -> int:
    import sys
    missing = [n for n in ("facts", "documents") if not (inp / f"{n}.parquet").is_file()]
    if missing:
        print(f"error: {inp} holds no {' or '.join(m + '.parquet' for m in missing)}; run extract first",
              file=sys.stderr)
        return 2
    facts = pq.read_table(inp / "facts.parquet").to_pylist()
    docs = pq.read_table(inp / "documents.parquet",
                         columns=["doc_id", "source", "date", "year", "place", "genre"]).to_pylist()
    rows = build(facts, docs)
    write(rows, out)
    n_ind = sum(f.get("indicator") is not None for f in facts)
    print(f"{len(facts)} facts, {n_ind} with a catalogue indicator -> {len(rows)} panel rows "
          f"({sum(r['conflict'] for r in rows)} with disagreeing sources) -> {out}")
    if show_coverage:
        cov = coverage(rows, docs)
        for c in cov:
            print(f"  {c['source']:40} {c['place'] or '?':12} {c['year']}  last year's GDP growth "
                  f"{'yes' if c['growth_actual'] else 'NO '}  GDP growth target {'yes' if c['growth_target'] else 'NO'}")
        if cov:
            n = len(cov)
            print(f"work reports: {n}; last year's GDP growth in {sum(c['growth_actual'] for c in cov)}/{n}, "
                  f"GDP growth target in {sum(c['growth_target'] for c in cov)}/{n}")
    return 0
