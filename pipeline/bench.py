"""Benchmarks, side by side in one run, single process: python -m pipeline.bench --corpus DIR.

Speeds are measured, never asserted: these machines are shared and noisy.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _rate(fn, texts, repeat: int = 1) -> tuple[float, float]:
    n = sum(len(t) for t in texts)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        best = min(best, time.perf_counter() - t0)
    return n / best, best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.bench")
    ap.add_argument("--corpus", default="../shared/corpora/reports/texts")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--full", action="store_true", help="also time the NER model and the whole extraction")
    ap.add_argument("--scaling", action="store_true",
                    help="also time one document of 0.4 M and of 1.6 M characters (linear cost: at most 5x)")
    ap.add_argument("--out", default="outputs/bench.json")
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"error: corpus folder not found: {corpus}", file=sys.stderr)
        return 2
    texts = [p.read_bytes().decode("utf-8-sig") for p in sorted(corpus.glob("*.txt"))]
    n = sum(len(t) for t in texts)
    print(f"{len(texts)} documents, {n:,} characters, single process, best of {args.repeat}")

    import jieba

    from . import cleanview, quantities
    from .segment import nlp

    ext = quantities.default_extractor()
    tok = nlp()
    jieba.lcut("预热")
    rows = {}

    def q_only(t):
        v = cleanview.build(t)
        ext.find(v.text)

    rows["quantities (clean view + grammar + resolve)"] = _rate(q_only, texts, args.repeat)
    rows["quantities (grammar + resolve on a prepared view)"] = _rate(
        ext.find, [cleanview.build(t).text for t in texts], args.repeat)
    rows["jieba.lcut (HMM on)"] = _rate(jieba.lcut, texts, args.repeat)
    rows["spaCy zh + jieba tokenizer"] = _rate(tok.make_doc, texts, 1)
    if args.full:
        try:
            from .ner import NerModel
            t0 = time.perf_counter()
            model = NerModel.load()
            load = time.perf_counter() - t0
            rows[f"NER model predict (load {load:.2f} s)"] = _rate(lambda t: model.predict([t]), texts, args.repeat)
        except (ImportError, FileNotFoundError) as exc:
            print(f"NER model not measured: {exc}")
        from .compose import extract
        rows["whole extraction (all stages)"] = _rate(extract, texts, 1)
    scaling = {}
    if args.scaling:
        from .compose import extract
        base = "".join(texts)
        for size in (400_000, 1_600_000):
            doc = (base * (size // len(base) + 1))[:size]
            t0 = time.perf_counter()
            extract(doc)
            scaling[size] = time.perf_counter() - t0
        rows["one document of 0.4 M characters, whole extraction"] = (400_000 / scaling[400_000], scaling[400_000])
        rows["one document of 1.6 M characters, whole extraction"] = (1_600_000 / scaling[1_600_000],
                                                                       scaling[1_600_000])
    print(f"{'stage':52} {'chars/s':>12} {'seconds':>8}")
    for name, (rate, secs) in rows.items():
        print(f"{name:52} {rate:12,.0f} {secs:8.2f}")
    if scaling:
        print(f"1.6 M / 0.4 M characters: {scaling[1_600_000] / scaling[400_000]:.2f}x the time for 4x the text")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"documents": len(texts), "characters": n,
                               "chars_per_second": {k: round(v[0]) for k, v in rows.items()}},
                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
