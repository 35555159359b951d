"""Review pages: the text of each document with every quantity, entity and fact highlighted, and the
accuracy report as HTML. Self-contained (inline CSS and a little JavaScript, no network); every
piece of text and every field is HTML-escaped.

    python -m pipeline show --input OUT [--doc DOC_ID|SOURCE] --output page.html

Each highlighted stretch carries `data-rows` (the ids of the rows that cover it: q… quantities,
e… entities, f… facts) and a `title` with their records, so hovering or focusing shows them without
JavaScript; a fact's metric and its number carry the same f… id and a badge, and the script lights
both up together.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

ENTITY_COLOURS = {"PER": "#f4b6c2", "ORG": "#b6d7f4", "GPE": "#c6ecc6", "LOC": "#e3d3f5", "FAC": "#ffd9a8",
                  "WORK": "#d9d9d9"}

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;margin:1.5em;
 line-height:1.9;color:#222;max-width:60em}
h1{font-size:1.3em} h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:2em}
.text{white-space:pre-wrap;border:1px solid #ddd;padding:1em;background:#fff}
.hl{border-radius:2px;cursor:help;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.q{background:#fff2a8;border-bottom:2px solid #d4a400}
.m{border-bottom:2px dotted #2f6fbf;background:#e4eefb}
.on{outline:2px solid #c0392b}
.hl:focus{outline:2px solid #c0392b}
.hl:focus::after{content:attr(title);white-space:pre-wrap;display:block;position:absolute;z-index:2;max-width:40em;
 background:#333;color:#fff;font-size:.8em;line-height:1.4;padding:.4em .6em;border-radius:4px}
@media print{.hl:focus::after{display:none}}
sup.f{font-size:.65em;color:#2f6fbf;margin:0 1px}
.legend span{display:inline-block;padding:0 .4em;margin-right:.5em;border-radius:2px}
table{border-collapse:collapse;font-size:.85em;margin-top:1em} td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}
th{background:#f4f4f4} .num{text-align:right}
nav a{margin-right:1em}
@media print{nav,.filter{display:none} .text{border:none}}
""" + "".join(f".e-{lab}{{background:{c}}}" for lab, c in ENTITY_COLOURS.items())

SCRIPT = """
document.querySelectorAll('[data-rows]').forEach(function(el){
  function ids(){return el.getAttribute('data-rows').split(' ').filter(function(x){return x[0]==='f'});}
  function mark(on){ids().forEach(function(id){
    document.querySelectorAll('[data-rows~="'+id+'"]').forEach(function(o){o.classList.toggle('on',on);});});}
  el.addEventListener('mouseenter',function(){mark(true)});el.addEventListener('mouseleave',function(){mark(false)});
  el.addEventListener('focus',function(){mark(true)});el.addEventListener('blur',function(){mark(false)});
});
"""

e = html.escape


def _describe(kind: str, r: dict) -> str:
    if kind == "q":
        return (f"quantity {r['text']} · value {r['value']} · unit {r['unit'] or '—'} · kind {r['kind']}"
                f" · approx {r['approx']}" + (f" · norm {r['norm']}" if r.get("norm") else ""))
    if kind == "e":
        return f"entity {r['text']} · {r['label']} · {r['source']} ({r['rule']})"
    fields = [f"predicate {r['predicate'] or '—'}"] + [
        f"{k} {r[k]}" for k in ("indicator", "measure", "modality", "period", "aggregation", "region", "comparison")
        if r.get(k) is not None]
    return f"fact {r['_id']}: {r['metric']} ← {r['text']} · " + " · ".join(fields)


def render_document(doc: dict, quantities: list[dict], entities: list[dict], facts: list[dict]) -> str:
    """One document's section: legend, highlighted text, rows with offsets."""
    text = doc["text"]
    covers: list[tuple[int, int, str, str, dict]] = []  # start, end, id, css class, record
    for i, r in enumerate(quantities):
        covers.append((r["start"], r["end"], f"q{i}", "q", r))
    for i, r in enumerate(entities):
        covers.append((r["start"], r["end"], f"e{i}", f"e-{r['label']}", r))
    for i, r in enumerate(facts):
        r = dict(r, _id=f"F{i + 1}")
        covers.append((r["metric_start"], r["metric_end"], f"f{i}", "m", r))
        covers.append((r["start"], r["end"], f"f{i}", "", r))  # the number: same id, its own class is q
    cuts = sorted({0, len(text)} | {c[0] for c in covers} | {c[1] for c in covers})
    starts: dict[int, list] = {}
    for c in covers:
        starts.setdefault(c[0], []).append(c)
    badges: dict[int, list[str]] = {}  # F-numbers after the end of a metric and of its number
    for i, r in enumerate(facts):
        for pos in (r["metric_end"], r["end"]):
            badges.setdefault(pos, []).append(f"f{i}")
    out, active = [], []
    for a, b in zip(cuts, cuts[1:]):
        active = [c for c in active if c[1] > a] + starts.get(a, [])
        for fid in badges.get(a, []):
            out.append(f'<sup class="f" data-pair="{fid}">F{int(fid[1:]) + 1}</sup>')
        piece = e(text[a:b])
        if not active:
            out.append(piece)
            continue
        ids = " ".join(dict.fromkeys(c[2] for c in active))
        classes = " ".join(dict.fromkeys(c[3] for c in active if c[3]))
        kinds = {c[2]: ("q" if c[2][0] == "q" else "e" if c[2][0] == "e" else "f") for c in active}
        tip = "\n".join(dict.fromkeys(_describe(kinds[c[2]], c[4]) for c in active))
        out.append(f'<span class="hl {classes}" data-rows="{ids}" tabindex="0" title="{e(tip)}">{piece}</span>')
    for fid in badges.get(len(text), []):
        out.append(f'<sup class="f" data-pair="{fid}">F{int(fid[1:]) + 1}</sup>')
    rows = []
    for kind, recs in (("quantity", quantities), ("entity", entities), ("fact", facts)):
        for i, r in enumerate(recs):
            rid = f"{kind[0]}{i}"
            detail = _describe("q" if kind == "quantity" else "e" if kind == "entity" else "f",
                               dict(r, _id=f"F{i + 1}"))
            rows.append(f"<tr><td>{rid}</td><td>{kind}</td><td class=num>{r['start']}</td><td class=num>{r['end']}</td>"
                        f"<td>{e(r['text'])}</td><td>{e(detail)}</td></tr>")
    head = " · ".join(f"{k} {e(str(doc[k]))}" for k in ("place", "date", "year", "genre", "title") if doc.get(k))
    return (f'<section id="{e(doc["doc_id"])}"><h2>{e(doc["source"])}</h2><p>{head}<br>'
            f'{len(quantities)} quantities, {len(entities)} entities, {len(facts)} facts</p>'
            f'<div class="text" lang="zh">{"".join(out)}</div>'
            f'<table><tr><th>row</th><th>table</th><th>start</th><th>end</th><th>text</th><th>record</th></tr>'
            f'{"".join(rows)}</table></section>')


def _legend() -> str:
    items = ['<span class="q">quantity</span>', '<span class="m">fact: metric</span>',
             '<sup class="f">F1</sup> a fact\'s metric and number']
    items += [f'<span class="e-{lab}">{lab}</span>' for lab in ENTITY_COLOURS]
    return f'<p class="legend">{"".join(items)}</p>'


def page(title: str, body: str, script: str = SCRIPT) -> str:
    return (f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f'<style>{CSS}</style></head><body><h1>{e(title)}</h1>{body}'
            f'<script>{script}</script></body></html>')


def show(inp: Path, out: Path, doc: str | None = None) -> int:
    import sys

    import pyarrow.parquet as pq
    missing = [n for n in ("documents", "quantities", "entities", "facts") if not (inp / f"{n}.parquet").is_file()]
    if missing:
        print(f"error: {inp} holds no {', '.join(m + '.parquet' for m in missing)}; run extract first", file=sys.stderr)
        return 2
    docs = pq.read_table(inp / "documents.parquet").to_pylist()
    if doc:
        docs = [d for d in docs if doc in (d["doc_id"], d["source"])]
        if not docs:
            print(f"error: no document {doc!r} in {inp}", file=sys.stderr)
            return 2
    tables = {n: pq.read_table(inp / f"{n}.parquet").to_pylist() for n in ("quantities", "entities", "facts")}
    by = {n: {} for n in tables}
    for n, rows in tables.items():
        for r in rows:
            by[n].setdefault(r["doc_id"], []).append(r)
    sections, nav = [], []
    for d in docs:
        q, en, f = (sorted(by[n].get(d["doc_id"], []), key=lambda r: r["start"]) for n in ("quantities", "entities", "facts"))
        sections.append(render_document(d, q, en, f))
        nav.append(f'<a href="#{e(d["doc_id"])}">{e(d["source"])}</a>')
    body = (f'<nav>{"".join(nav)}</nav>' if len(docs) > 1 else "") + _legend() + "".join(sections)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page(f"Extraction review: {inp}", body), encoding="utf-8")
    print(f"{len(docs)} document(s) -> {out}")
    return 0


# ---------------------------------------------------------------------------------------------- eval report

def _bars(result: dict) -> str:
    """An inline SVG bar chart of the headline F1 per split."""
    from .evaluate import headline
    keys = ["quantities_span_f1", "facts_strict_f1", "facts_lenient_f1", "entities_f1", "panel_f1"]
    splits = [s for s in ("dev", "test") if s in result]
    w, bh, gap = 520, 14, 6
    y, parts = 10, []
    colours = {"dev": "#7aa6d8", "test": "#d88a7a"}
    for k in keys:
        parts.append(f'<text x="0" y="{y + 11}" font-size="11">{e(k)}</text>')
        for s in splits:
            v = headline(result[s]).get(k)
            if v is None:
                continue
            parts.append(f'<rect x="170" y="{y}" width="{v * (w - 220):.0f}" height="{bh}" fill="{colours[s]}">'
                         f'<title>{s} {k} {v:.3f}</title></rect>'
                         f'<text x="{175 + v * (w - 220):.0f}" y="{y + 11}" font-size="10">{s} {v:.3f}</text>')
            y += bh + 2
        y += gap
    return f'<svg width="{w}" height="{y}" role="img" aria-label="F1 per table and split">{"".join(parts)}</svg>'


def _score_table(name: str, m: dict) -> str:
    rows = [("quantities span", m["quantities"]["span"]), ("quantities value+unit", m["quantities"]["value_unit"]),
            ("facts strict", m["facts"]["strict"]), ("facts lenient", m["facts"]["lenient"]),
            ("entities", m["entities"]["all"])]
    body = "".join(f"<tr><td>{e(k)}</td><td class=num>{r['p']:.3f}</td><td class=num>{r['r']:.3f}</td>"
                   f"<td class=num>{r['f1']:.3f}</td><td class=num>{r.get('gold', '')}</td></tr>" for k, r in rows)
    kinds = "".join(f"<tr><td>{e(k)}</td><td class=num>{r['span']['f1']:.3f}</td><td class=num>{r['value_unit']['f1']:.3f}"
                    f"</td><td class=num>{r['span']['gold']}</td></tr>" for k, r in m["quantities"]["per_kind"].items())
    genres = "".join(f"<tr><td>{e(g)}</td><td class=num>{m['quantities']['per_genre'][g]['f1']:.3f}</td>"
                     f"<td class=num>{m['facts']['per_genre'].get(g, {}).get('f1', 0):.3f}</td>"
                     f"<td class=num>{m['entities']['per_genre'].get(g, {}).get('f1', 0):.3f}</td></tr>"
                     for g in sorted(m["quantities"]["per_genre"]))
    return (f"<h2>{e(name)}</h2><table><tr><th>table</th><th>P</th><th>R</th><th>F1</th><th>gold</th></tr>{body}</table>"
            f"<table><tr><th>quantity kind</th><th>span F1</th><th>value+unit F1</th><th>gold</th></tr>{kinds}</table>"
            f"<table><tr><th>genre</th><th>quantities F1</th><th>facts strict F1</th><th>entities F1</th></tr>{genres}</table>")


def _error_kind(line: str) -> tuple[str, str]:
    parts = line[2:].split(" ", 2)
    head = parts[0]
    if head == "FIELD":
        return "fields", parts[1].rstrip(":")
    if head in ("FN", "FP"):
        return {"quantity": "quantities", "entity": "entities", "fact": "facts", "panel": "panel"}.get(parts[1], parts[1]), head
    return head.lower(), head


def eval_report(result: dict, report: list[str]) -> str:
    """outputs/report.html: score tables, a bar chart and every error in its sentence, filterable."""
    parts = [_bars(result)]
    for s in ("dev", "test"):
        if s in result:
            parts.append(_score_table(f"{s} split", result[s]))
    items, doc, split, docs, tables = [], "", "", set(), set()
    for line in report:
        if line.startswith("# "):
            split = line[2:].split()[0]
        elif line.startswith("## "):
            doc = line[3:].split()[0]
            docs.add(doc)
        elif line.startswith("- "):
            table, kind = _error_kind(line)
            tables.add(table)
            items.append(f'<li data-table="{e(table)}" data-doc="{e(doc)}" data-split="{e(split)}">'
                         f'<b>{e(split)}</b> {e(doc)} — {e(line[2:])}</li>')
    filt = ('<p class="filter">table <select id="ft"><option value="">all</option>'
            + "".join(f"<option>{e(t)}</option>" for t in sorted(tables))
            + '</select> document <select id="fd"><option value="">all</option>'
            + "".join(f"<option>{e(d)}</option>" for d in sorted(docs)) + "</select></p>")
    parts.append(f"<h2>Errors (false negatives, false positives, wrong values and fields)</h2>{filt}<ul>{''.join(items)}</ul>")
    script = """
function apply(){var t=document.getElementById('ft').value,d=document.getElementById('fd').value;
 document.querySelectorAll('li[data-table]').forEach(function(li){
  li.style.display=((!t||li.dataset.table===t)&&(!d||li.dataset.doc===d))?'':'none';});}
document.getElementById('ft').onchange=apply;document.getElementById('fd').onchange=apply;
"""
    return page("Accuracy against the gold", "".join(parts), script)


def dataset_card(out: Path, summary: dict) -> str:
    """OUT/README.md: what the folder holds, for a researcher who only receives the folder."""
    import hashlib
    import subprocess

    from schemas import SCHEMAS, TABLES

    from . import __version__
    root = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                             check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        rev = "unknown"
    weights = Path(__file__).parent / "ner" / "model" / "weights.npz"
    model_sha = hashlib.sha256(weights.read_bytes()).hexdigest()[:16] if weights.exists() else "no model file"
    lines = ["# Extraction output", "",
             f"Made by the Chinese economic-text extraction pipeline {__version__} (git {rev}); NER model "
             f"weights sha256 {model_sha}. Input: `{summary.get('input')}`, run {summary.get('started')} – "
             f"{summary.get('finished')}, {summary.get('documents')} documents, {summary.get('characters'):,} characters.",
             "", "Offsets are half-open character offsets into `documents.text`; for every row with a span, "
             "`text[start:end]` equals the row's `text`.", "", "| table | grain | rows |", "|---|---|---|"]
    for name, model in TABLES.items():
        grain = (model.__doc__ or "").strip().splitlines()[0]
        lines.append(f"| `{name}.parquet` | {grain} | {summary.get('rows', {}).get(name, 0):,} |")
    lines += ["", "## Columns", ""]
    for name, schema in SCHEMAS.items():
        lines.append(f"- **{name}**: " + ", ".join(f"`{f.name}` ({f.type})" for f in schema))
    base = root / "tests" / "gold" / "baseline.json"
    if base.exists():
        b = json.loads(base.read_text(encoding="utf-8")).get("test", {})
        lines += ["", "## Accuracy (committed baseline, gold test split)", "",
                  ", ".join(f"{k} {v:.3f}" for k, v in b.items())]
    lines += ["", "See the project README for what each column means and how it is found."]
    text = "\n".join(lines) + "\n"
    (out / "README.md").write_text(text, encoding="utf-8")
    return text
