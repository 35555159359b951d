"""Scorer: the pipeline against the gold files (tests/gold/docs), per table, kind, label, genre, doc.

Writes outputs/metrics.json and outputs/report.md (every false positive and false negative with its
sentence), prints the tables and the change against the committed baseline
(tests/gold/baseline.json). Only predictions inside a gold file's window are scored.
"""
from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from pathlib import Path

from . import gold

BASELINE = gold.ROOT / "tests" / "gold" / "baseline.json"
TOLERANCE = 0.005
AREA_UNITS = {"亩", "平方米", "平方公里", "公顷"}
# the gold uses finer kind names than the output contract; this is the one mapping between them
GOLD_KIND = {"percentage_point": "pp", "multiple": "ratio", "fraction": "ratio"}


def gold_kind(q: dict) -> str:
    k = GOLD_KIND.get(q["kind"], q["kind"])
    if k == "measure" and q["unit"] in AREA_UNITS:
        return "area"
    return k


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    r = tp / n_gold if n_gold else (1.0 if not n_pred else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "pred": n_pred, "gold": n_gold}


class Tally:
    def __init__(self):
        self.c = defaultdict(lambda: [0, 0, 0])  # key -> [tp, pred, gold]

    def add(self, key, tp=0, pred=0, gold_=0):
        c = self.c[key]
        c[0] += tp
        c[1] += pred
        c[2] += gold_

    def prf(self, key) -> dict:
        tp, p, g = self.c[key]
        return _prf(tp, p, g)

    def keys(self, prefix):
        return sorted(k[1] for k in self.c if k[0] == prefix)


def _sentence(text: str, s: int, e: int) -> str:
    a = max(text.rfind(c, 0, s) for c in "。！？\n") + 1
    bs = [i for i in (text.find(c, e) for c in "。！？\n") if i >= 0]
    b = min(bs) + 1 if bs else len(text)
    return "".join(text[a:b].split())[:160]


def score(docs, entity_mode: str = "both") -> tuple[dict, list[str]]:
    """Every gold document through the pipeline; (metrics, report lines)."""
    from .compose import extract

    t = Tally()
    report: list[str] = []
    for d in docs:
        text, (wa, wb) = d.text, d.window
        ex = extract(text, doc_id=d.name, entity_mode=entity_mode)
        inside = lambda r: wa <= r.start and r.end <= wb  # noqa: E731
        groups = [("all",), ("genre", d.genre), ("doc", d.name)]
        report.append(f"\n## {d.name} ({d.split}, {d.genre})\n")
        gq = {(q["start"], q["end"]): q for q in d.data["quantities"]}
        report.extend(_score_quantities(t, text, gq, [q for q in ex.quantities if inside(q)], groups))
        report.extend(_score_entities(t, text, d.data["entities"], [e for e in ex.entities if inside(e)], groups))
        pf_rec = [f for f in ex.facts if inside(f)]
        lines, pairs = _score_facts(t, text, d.data["facts"], gq, pf_rec, groups)
        report.extend(lines)
        report.extend(_score_observations(t, d, ex, pairs, pf_rec, groups))
    return _metrics(t), report


def _score_quantities(t: Tally, text: str, gq: dict, predicted: list, groups: list) -> list[str]:
    """Span and value+unit matches per table, kind, genre and document; overlap matches."""
    lines = []
    pq = {(q.start, q.end): q for q in predicted}
    for key in gq.keys() | pq.keys():
        g, p = gq.get(key), pq.get(key)
        vu = bool(g and p and _close(g["value"], p.value) and _close(g.get("value_max"), p.value_max)
                  and g["unit"] == p.unit)
        for grp in groups:
            t.add(("q_span",) + grp, tp=int(bool(g and p)), pred=int(bool(p)), gold_=int(bool(g)))
            t.add(("q_value",) + grp, tp=int(vu), pred=int(bool(p)), gold_=int(bool(g)))
        if g:
            t.add(("q_kind", gold_kind(g)), tp=int(bool(p)), gold_=1)
            t.add(("q_kind_value", gold_kind(g)), tp=int(vu), gold_=1)
        if p:
            t.add(("q_kind", p.kind), pred=1)
            t.add(("q_kind_value", p.kind), pred=1)
        if g and not p:
            lines.append(f"- FN quantity `{g['surface']}` ({gold_kind(g)}) — {_sentence(text, *key)}")
        elif p and not g:
            lines.append(f"- FP quantity `{p.text}` ({p.kind}) — {_sentence(text, *key)}")
        elif not vu:
            lines.append(f"- VALUE `{p.text}`: gold {g['value']} {g.get('value_max')} {g['unit']!r}, "
                         f"got {p.value} {p.value_max} {p.unit!r}")
    # overlap matching (a predicted span overlapping a gold span counts)
    gsp, psp = list(gq), list(pq)
    ov_g = sum(any(ps < ge and gs < pe for ps, pe in psp) for gs, ge in gsp)
    ov_p = sum(any(ps < ge and gs < pe for gs, ge in gsp) for ps, pe in psp)
    t.add(("q_overlap_g", "all"), tp=ov_g, gold_=len(gsp))
    t.add(("q_overlap_p", "all"), tp=ov_p, pred=len(psp))
    return lines


def _score_entities(t: Tally, text: str, gold_entities: list[dict], predicted: list, groups: list) -> list[str]:
    lines = []
    ge_ = {(e["start"], e["end"], e["label"]) for e in gold_entities}
    pe_ = {(e.start, e.end, e.label) for e in predicted}
    for key in ge_ | pe_:
        ing, inp = key in ge_, key in pe_
        for grp in groups + [("label", key[2])]:
            t.add(("ent",) + grp, tp=int(ing and inp), pred=int(inp), gold_=int(ing))
        if ing != inp:
            lines.append(f"- {'FN' if ing else 'FP'} entity `{text[key[0]:key[1]]}` {key[2]}")
    return lines


def _score_facts(t: Tally, text: str, gold_facts: list[dict], gq: dict, pf_rec: list, groups: list):
    """Strict (quantity span, value, unit, metric) and lenient (metric containment) matches, hits per
    linking rule; returns (report lines, leniently matched (gold, predicted) pairs)."""
    lines, pairs = [], []
    gf = [((f["q_start"], f["q_end"]), gq[(f["q_start"], f["q_end"])]["value"],
           gq[(f["q_start"], f["q_end"])]["unit"], f["metric"]) for f in gold_facts]
    pf = [((f.start, f.end), f.value, f.unit, f.metric) for f in pf_rec]

    def match(a, b, lenient):
        if a[0] != b[0] or not _close(a[1], b[1]) or a[2] != b[2]:
            return False
        return a[3] == b[3] or (lenient and (a[3] in b[3] or b[3] in a[3]))

    for mode in ("strict", "lenient"):
        used = set()
        tp = 0
        for gi, g in enumerate(gf):
            for j, p in enumerate(pf):
                if j not in used and match(g, p, mode == "lenient"):
                    used.add(j)
                    tp += 1
                    if mode == "strict":
                        t.add(("rule_tp", pf_rec[j].rule), tp=1)
                    else:
                        pairs.append((gold_facts[gi], pf_rec[j]))
                    break
            else:
                if mode == "strict":
                    lines.append(f"- FN fact `{g[3]}` ← `{text[g[0][0]:g[0][1]]}`")
        if mode == "strict":
            for j, p in enumerate(pf):
                t.add(("rule_tp", pf_rec[j].rule), pred=1)
                if j not in used:
                    lines.append(f"- FP fact `{p[3]}` ← `{text[p[0][0]:p[0][1]]}`")
        for grp in groups:
            t.add((f"fact_{mode}",) + grp, tp=tp, pred=len(pf), gold_=len(gf))
    return lines, pairs


def _metrics(t: Tally) -> dict:
    def by(prefix: str, group: str) -> dict:
        return {g: t.prf((prefix, group, g)) for g in {k[2] for k in t.c if k[:2] == (prefix, group)}}

    ov_p, ov_g = t.c[("q_overlap_p", "all")], t.c[("q_overlap_g", "all")]
    p, r = round(ov_p[0] / max(1, ov_p[1]), 4), round(ov_g[0] / max(1, ov_g[2]), 4)
    m = {
        "quantities": {"span": t.prf(("q_span", "all")), "value_unit": t.prf(("q_value", "all")),
                       "overlap": _prf(0, 0, 0) | {"p": p, "r": r,
                                                   "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0},
                       "per_kind": {k: {"span": t.prf(("q_kind", k)), "value_unit": t.prf(("q_kind_value", k))}
                                    for k in t.keys("q_kind")},
                       "per_genre": by("q_span", "genre"), "per_doc": by("q_span", "doc")},
        "entities": {"all": t.prf(("ent", "all")),
                     "per_label": {lab: t.prf(("ent", "label", lab)) for lab in
                                   sorted({k[2] for k in t.c if k[:2] == ("ent", "label")})},
                     "per_genre": by("ent", "genre")},
        "observations": _observation_metrics(t),
        "facts": {"strict": t.prf(("fact_strict", "all")), "lenient": t.prf(("fact_lenient", "all")),
                  "per_rule": {k: t.prf(("rule_tp", k)) for k in t.keys("rule_tp")},
                  "per_genre": by("fact_strict", "genre")},
    }
    m["per_doc"] = {name: _doc_scores(t, name) for name in sorted({k[2] for k in t.c if k[:2] == ("q_span", "doc")})}
    return m


def _score_observations(t: Tally, d, ex, pairs, pf_rec, groups) -> list[str]:
    """Document fields, the observation fields of matched facts, and the panel, for one gold file."""
    lines = []
    gd = d.data.get("document")
    if gd:
        for k in gold.DOC_FIELDS:
            got = getattr(ex.meta, k)
            ok = got == gd.get(k)
            t.add(("doc_field", k), tp=int(ok), gold_=1)
            if not ok and k in ("place", "place_level", "year", "date"):
                lines.append(f"- DOC {k}: gold {gd.get(k)!r}, got {got!r}")
    for g, p in pairs:
        if "measure" not in g:
            continue
        for k in gold.OBS_FIELDS + ("predicate",):
            if k == "indicator" and g.get(k) is None:
                t.add(("obs_null_indicator", "all"), tp=int(p.indicator is None), gold_=1)
                continue
            ok = getattr(p, k) == g.get(k)
            for grp in groups:
                t.add(("obs", k) + grp, tp=int(ok), gold_=1)
            if not ok:
                lines.append(f"- FIELD {k}: gold {g.get(k)!r}, got {getattr(p, k)!r} — `{p.text}` {p.metric}")
    if gd and d.data["facts"] and "measure" in d.data["facts"][0]:
        gq = {(q["start"], q["end"]): q for q in d.data["quantities"]}
        gpanel = {_panel_key(f, gq[(f["q_start"], f["q_end"])]["value"]) for f in d.data["facts"]
                  if f.get("indicator")}
        ppanel = {_panel_key(f.model_dump(), f.value) for f in pf_rec if f.indicator}
        for grp in groups:
            t.add(("panel",) + grp, tp=len(gpanel & ppanel), pred=len(ppanel), gold_=len(gpanel))
        for k in sorted(gpanel - ppanel, key=str):
            lines.append(f"- FN panel {k}")
        for k in sorted(ppanel - gpanel, key=str):
            lines.append(f"- FP panel {k}")
    return lines


def _panel_key(f: dict, value) -> tuple:
    from .panel import KEY
    return tuple(f.get(k) for k in KEY) + (None if value is None else round(value, 6),)


def _observation_metrics(t: Tally) -> dict:
    acc = {}
    for k in gold.OBS_FIELDS + ("predicate",):
        tp, _, n = t.c[("obs", k, "all")]
        acc[k] = {"accuracy": round(tp / n, 4) if n else None, "n": n}
    tp, _, n = t.c[("obs_null_indicator", "all")]
    acc["indicator_null_kept"] = {"accuracy": round(tp / n, 4) if n else None, "n": n}
    docs = {}
    for k in gold.DOC_FIELDS:
        tp, _, n = t.c[("doc_field", k)]
        docs[k] = {"accuracy": round(tp / n, 4) if n else None, "n": n}
    return {"fields": acc, "documents": docs, "panel": t.prf(("panel", "all"))}


HEADLINE_FIELDS = ("indicator", "measure", "modality", "period", "year", "region")
COLD = gold.ROOT / "tests" / "gold" / "cold.json"


def _doc_scores(t: Tally, name: str) -> dict:
    """One gold document's headline scores (for the cold record)."""
    out = {"quantities_span_f1": t.prf(("q_span", "doc", name))["f1"],
           "quantities_value_unit_f1": t.prf(("q_value", "doc", name))["f1"],
           "facts_strict_f1": t.prf(("fact_strict", "doc", name))["f1"],
           "facts_lenient_f1": t.prf(("fact_lenient", "doc", name))["f1"],
           "entities_f1": t.prf(("ent", "doc", name))["f1"]}
    for k in HEADLINE_FIELDS:
        tp, _, n = t.c[("obs", k, "doc", name)]
        if n:
            out[f"fact_{k}_accuracy"] = round(tp / n, 4)
    return out


def record_cold(result: dict, revision: str | None) -> list[str]:
    """Add every gold document not yet in tests/gold/cold.json with its scores now: its cold score,
    taken before any rule is changed for it. Returns the names added."""
    cold = json.loads(COLD.read_text(encoding="utf-8")) if COLD.exists() else {}
    added = []
    for sp in ("dev", "test"):
        for name, scores in result.get(sp, {}).get("per_doc", {}).items():
            if name not in cold:
                cold[name] = {"split": sp, "revision": revision, **scores}
                added.append(name)
    if added:
        COLD.write_text(json.dumps(dict(sorted(cold.items())), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return added


def _revision() -> str | None:
    import subprocess
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=gold.ROOT, capture_output=True,
                              text=True, check=True).stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


def headline(m: dict) -> dict:
    out = {"quantities_span_f1": m["quantities"]["span"]["f1"],
           "quantities_value_unit_f1": m["quantities"]["value_unit"]["f1"],
           "facts_strict_f1": m["facts"]["strict"]["f1"],
           "facts_lenient_f1": m["facts"]["lenient"]["f1"],
           "entities_f1": m["entities"]["all"]["f1"]}
    fields = m.get("observations", {}).get("fields", {})
    for k in HEADLINE_FIELDS:
        if fields.get(k, {}).get("accuracy") is not None:
            out[f"fact_{k}_accuracy"] = fields[k]["accuracy"]
    if m.get("observations", {}).get("panel", {}).get("gold"):
        out["panel_f1"] = m["observations"]["panel"]["f1"]
    return out


def print_tables(name: str, m: dict, out=sys.stdout):
    w = out.write
    w(f"\n=== {name} ===\n")
    w(f"{'table':32} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}\n")
    rows = [("quantities span", m["quantities"]["span"]), ("quantities value+unit", m["quantities"]["value_unit"]),
            ("quantities overlap", m["quantities"]["overlap"]), ("facts strict", m["facts"]["strict"]),
            ("facts lenient (metric contains)", m["facts"]["lenient"]), ("entities", m["entities"]["all"])]
    for label, r in rows:
        w(f"{label:32} {r['p']:6.3f} {r['r']:6.3f} {r['f1']:6.3f} {r.get('gold', ''):>6}\n")
    w("quantities per kind (span F1 / value+unit F1, gold count):\n")
    for k, r in m["quantities"]["per_kind"].items():
        w(f"  {k:18} {r['span']['f1']:6.3f} {r['value_unit']['f1']:6.3f} {r['span']['gold']:>6}\n")
    w("quantities per genre (span F1):  " + ", ".join(f"{g} {r['f1']:.3f}" for g, r in sorted(m["quantities"]["per_genre"].items())) + "\n")
    w("facts per genre (strict F1):     " + ", ".join(f"{g} {r['f1']:.3f}" for g, r in sorted(m["facts"]["per_genre"].items())) + "\n")
    o = m.get("observations")
    if o and o["fields"]["measure"]["n"]:
        w("fact fields on matched facts (accuracy, n): " + ", ".join(
            f"{k} {v['accuracy']:.3f} ({v['n']})" for k, v in o["fields"].items() if v["n"]) + "\n")
        w("document fields (accuracy, n):  " + ", ".join(
            f"{k} {v['accuracy']:.3f} ({v['n']})" for k, v in o["documents"].items() if v["n"]) + "\n")
        pnl = o["panel"]
        w(f"panel (key + value):             P {pnl['p']:.3f} R {pnl['r']:.3f} F1 {pnl['f1']:.3f} ({pnl['gold']} gold rows)\n")
    w("fact rules (strict precision, hits): " + ", ".join(
        f"{k} {v['p']:.3f} ({v['pred']})" for k, v in m["facts"]["per_rule"].items()) + "\n")
    w("entities per label (F1):         " + ", ".join(f"{g} {r['f1']:.3f} (P {r['p']:.2f} R {r['r']:.2f}, {r['gold']})" for g, r in m["entities"]["per_label"].items()) + "\n")


def run(split: str = "all", entity_mode: str = "both", out_dir: Path | None = None):
    docs = [d for d in gold.load_all() if d.text is not None]
    skipped = [d.name for d in gold.load_all() if d.text is None]
    result, report = {}, []
    for sp in (["dev", "test"] if split == "all" else [split]):
        sel = [d for d in docs if d.split == sp]
        if not sel:
            continue
        m, rep = score(sel, entity_mode)
        result[sp] = m
        report.append(f"\n# {sp} split\n")
        report.extend(rep)
    result["skipped_missing_source"] = skipped
    result["entity_mode"] = entity_mode
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "metrics.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        (out_dir / "report.md").write_text("# Errors against the gold\n" + "\n".join(report) + "\n", encoding="utf-8")
        from .review import eval_report
        (out_dir / "report.html").write_text(eval_report(result, report), encoding="utf-8")
    return result


def compare_baseline(result: dict) -> list[str]:
    """Headline drops beyond the tolerance on the test split, as readable lines."""
    if not BASELINE.exists() or "test" not in result:
        return []
    base = json.loads(BASELINE.read_text(encoding="utf-8"))
    now = headline(result["test"])
    return [f"{k}: {now[k]:.4f} < baseline {v:.4f}" for k, v in base["test"].items()
            if k in now and now[k] < v - TOLERANCE]


def main(args) -> int:
    result = run(args.split, args.entity_mode, Path(args.output))
    for sp in ("dev", "test"):
        if sp in result:
            print_tables(f"{sp} split ({'rules+model' if args.entity_mode == 'both' else args.entity_mode})", result[sp])
    if result["skipped_missing_source"]:
        print(f"skipped (source not found, ../shared missing?): {', '.join(result['skipped_missing_source'])}")
    if BASELINE.exists() and "test" in result:
        base = json.loads(BASELINE.read_text(encoding="utf-8"))["test"]
        now = headline(result["test"])
        print("\ntest split against the committed baseline:")
        for k, v in now.items():
            b = base.get(k)
            print(f"  {k:28} {v:.4f}" + (f"  (baseline {b:.4f}, {v - b:+.4f})" if b is not None else ""))
    print(f"\nwrote {args.output}/metrics.json, {args.output}/report.md and {args.output}/report.html")
    if args.split == "all" and args.entity_mode == "both":
        added = record_cold(result, _revision())
        if added:
            print(f"cold scores recorded for {len(added)} new gold document(s) in "
                  f"{COLD.relative_to(gold.ROOT)}: {', '.join(added)}")
    if args.write_baseline:
        data = {sp: headline(result[sp]) for sp in ("dev", "test") if sp in result}
        BASELINE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"baseline written to {BASELINE.relative_to(gold.ROOT)}")
    if args.check_baseline:
        drops = compare_baseline(result)
        for line in drops:
            print("DROP " + line)
        return 1 if drops else 0
    return 0
