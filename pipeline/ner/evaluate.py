"""Evaluate the shipped NER model.

    python -m pipeline.ner.evaluate [--model DIR] [--corpora DIR] [--out outputs/ner_metrics.json]

Exact-span precision / recall / F1 per label (PER, LOC, ORG) and overall on
  * MSRA test (msra_test_bio, 3,442 sentences),
  * the official SIGHAN 2006 MSRA test file testright1.txt (4,365 sentences, nr/ns/nt segments),
  * CLUENER2020 dev, mapped to PER/LOC/ORG (see CLUENER_MAP; other types are dropped),
plus model load time and single-process inference speed (characters per second).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from ..paths import SHARED

DEFAULT_CORPORA = str(SHARED / "corpora" / "ner")

# our entity labels -> MSRA's three (facilities and places are LOC there; titles are not entities)
PIPELINE_TO_MSRA = {"PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}


def pipeline_spans(texts):
    """The whole pipeline's entities (rules + model, the shipped overlap policy) on each text, mapped to
    MSRA labels: what a user of the tables gets, not what the model alone finds."""
    from ..compose import extract

    out = []
    for t in texts:
        ents = extract(t, entity_mode="both").entities
        out.append(sorted({(e.start, e.end, PIPELINE_TO_MSRA[e.label]) for e in ents if e.label in PIPELINE_TO_MSRA}))
    return out


CLUENER_MAP = {
    "name": "PER",
    "organization": "ORG",
    "government": "ORG",
    "company": "ORG",
    "address": "LOC",
    "scene": "LOC",
}


def read_cluener(path):
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            d = json.loads(line)
            spans = set()
            for typ, ents in (d.get("label") or {}).items():
                lab = CLUENER_MAP.get(typ)
                if lab is None:
                    continue
                for _, offs in ents.items():
                    for s, e in offs:
                        spans.add((s, e + 1, lab))  # CLUENER ends are inclusive
            out.append((d["text"], sorted(spans)))
    return out


def prf(gold_spans, pred_spans, labels=("PER", "LOC", "ORG")):
    """gold_spans/pred_spans: list (per doc) of span lists. Returns metrics dict."""
    res = {}
    tot = [0, 0, 0]
    for lab in labels:
        tp = ng = npred = 0
        for g, p in zip(gold_spans, pred_spans):
            gs = {x for x in g if x[2] == lab}
            ps = {x for x in p if x[2] == lab}
            tp += len(gs & ps)
            ng += len(gs)
            npred += len(ps)
        res[lab] = _prf(tp, ng, npred)
        tot[0] += tp
        tot[1] += ng
        tot[2] += npred
    res["overall"] = _prf(*tot)
    return res


def _prf(tp, ng, npred):
    """The project's one P/R/F1 (pipeline.evaluate._prf), with the long key names of the NER reports."""
    from ..evaluate import _prf as prf3
    m = prf3(tp, npred, ng)
    return {"precision": m["p"], "recall": m["r"], "f1": m["f1"], "gold": ng, "pred": npred, "tp": tp}


def _table(name, m):
    rows = [f"{name}"]
    rows.append(f"  {'label':8s} {'P':>7s} {'R':>7s} {'F1':>7s} {'gold':>6s} {'pred':>6s}")
    for lab in ("PER", "LOC", "ORG", "overall"):
        r = m[lab]
        rows.append(f"  {lab:8s} {r['precision']:7.4f} {r['recall']:7.4f} {r['f1']:7.4f} {r['gold']:6d} {r['pred']:6d}")
    return "\n".join(rows)


def _measure(model, corpora: str, speed_repeats: int, metrics: dict) -> None:
    """MSRA test (model alone and whole pipeline, with speed), the SIGHAN file, MSRA test as long
    paragraphs and CLUENER dev, into ``metrics``."""
    from .features import read_bio, read_testright, tags_to_spans

    msra = os.path.join(corpora, "msra")
    # MSRA test (BIO) + speed
    test = read_bio(os.path.join(msra, "msra_test_bio"))
    texts = [t for t, _ in test]
    n_chars = sum(len(t) for t in texts)
    best = None
    for _ in range(max(1, speed_repeats)):
        t0 = time.perf_counter()
        pred = model.predict(texts)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    gold = [tags_to_spans(tg) for _, tg in test]
    metrics["msra_test"] = prf(gold, pred)
    t0 = time.perf_counter()
    metrics["msra_test_whole_pipeline"] = prf(gold, pipeline_spans(texts))
    metrics["msra_test_whole_pipeline"]["seconds"] = round(time.perf_counter() - t0, 1)
    metrics["pipeline_label_map"] = PIPELINE_TO_MSRA
    metrics["speed"] = {"chars": n_chars, "seconds": round(best, 3), "chars_per_second": int(n_chars / best),
                        "processes": 1, "note": "MSRA test sentences, one predict() call, single process"}

    # official SIGHAN 2006 test file: predict on its own sentences
    tr = read_testright(os.path.join(msra, "sighan2006_original_test", "testright1.txt"))
    pred_tr = model.predict([t for t, _ in tr])
    metrics["testright1"] = prf([s for _, s in tr], pred_tr)

    # long-paragraph check: whole test stream in ~2,000-char paragraphs
    stream = "".join(texts)
    paras = [stream[i:i + 2000] for i in range(0, len(stream), 2000)]
    pred_p = model.predict(paras)
    flat_pred = [(i * 2000 + s, i * 2000 + e, lab) for i, sp in enumerate(pred_p) for s, e, lab in sp]
    flat_gold, off = [], 0
    for t, g in zip(texts, gold):
        flat_gold.extend((off + s, off + e, lab) for s, e, lab in g)
        off += len(t)
    metrics["msra_test_as_2000char_paragraphs"] = prf([flat_gold], [flat_pred])

    # CLUENER2020 dev, mapped
    cl_path = os.path.join(corpora, "cluener2020", "dev.json")
    if os.path.exists(cl_path):
        cl = read_cluener(cl_path)
        pred_cl = model.predict([t for t, _ in cl])
        metrics["cluener_dev_mapped"] = prf([s for _, s in cl], pred_cl)
        metrics["cluener_mapping"] = CLUENER_MAP | {"_dropped": "book, game, movie, position (and any other type)"}


def _ensure_single_thread(argv):
    """Speed is measured on one core: re-exec with BLAS / OpenMP pinned to one thread."""
    want = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if all(os.environ.get(k) == v for k, v in want.items()):
        return
    env = dict(os.environ, **want)
    os.execve(sys.executable, [sys.executable, "-m", "pipeline.ner.evaluate", *argv], env)


def main(argv=None):
    if argv is None:
        _ensure_single_thread(sys.argv[1:])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="model dir (default: shipped pipeline/ner/model)")
    ap.add_argument("--corpora", default=DEFAULT_CORPORA, help="dir holding msra/ and cluener2020/")
    ap.add_argument("--out", default=os.path.join("outputs", "ner_metrics.json"))
    ap.add_argument("--speed-repeats", type=int, default=1)
    args = ap.parse_args(argv)

    from . import NerModel

    t0 = time.perf_counter()
    model = NerModel.load(args.model)
    load_s = time.perf_counter() - t0

    metrics = {
        "model_dir": args.model or "pipeline/ner/model",
        "model_meta": {k: model.meta.get(k) for k in ("model", "features", "epoch", "seed", "train_minutes")},
        "load_seconds": round(load_s, 3),
        "threads": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
    }

    _measure(model, args.corpora, args.speed_repeats, metrics)
    print(f"model load: {load_s:.3f} s")
    sp = metrics["speed"]
    print(f"speed: {sp['chars_per_second']:,} chars/s (single process, {sp['chars']:,} chars in {sp['seconds']:.2f} s)")
    print(_table("MSRA test (msra_test_bio, 3,442 sentences)", metrics["msra_test"]))
    print(_table("MSRA test, whole pipeline (rules + model, overlap policy; GPE/LOC/FAC -> LOC)",
                 metrics["msra_test_whole_pipeline"]))
    print(_table("MSRA official test (testright1.txt, 4,365 sentences)", metrics["testright1"]))
    print(_table("MSRA test as 2,000-char paragraphs", metrics["msra_test_as_2000char_paragraphs"]))
    if "cluener_dev_mapped" in metrics:
        print(_table("CLUENER2020 dev mapped: name->PER; organization, government, company->ORG; "
                     "address, scene->LOC; book, game, movie, position dropped", metrics["cluener_dev_mapped"]))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(metrics, fh, ensure_ascii=False, indent=1)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
