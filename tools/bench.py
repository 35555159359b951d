"""Benchmarks, side by side in one run, single process: python -m tools.bench --corpus DIR.

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
    ap = argparse.ArgumentParser(prog="python -m tools.bench")
    ap.add_argument("--corpus", default="../shared/corpora/reports/texts")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--full", action="store_true", help="also time the NER model and the whole extraction")
    ap.add_argument("--scaling", action="store_true",
                    help="also time one document of 0.4 M and of 1.6 M characters (linear cost: at most 5x)")
    ap.add_argument("--latency", default="../shared/corpora/ner/msra/msra_test_bio",
                    help="short sentences for extract_text latency (MSRA test; skipped when missing)")
    ap.add_argument("--workers-ratio", action="store_true", help="also time the command line with 1 and 2 workers")
    ap.add_argument("--memory", action="store_true",
                    help="also run the command line on the corpus and on 8 distinct copies of it: peak RSS")
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

    from pipeline import cleanview, quantities
    from pipeline.segment import make_doc

    ext = quantities.default_extractor()
    jieba.lcut("预热")
    rows = {}

    def q_only(t):
        v = cleanview.build(t)
        ext.find(v.text)

    rows["quantities (clean view + grammar + resolve)"] = _rate(q_only, texts, args.repeat)
    rows["quantities (grammar + resolve on a prepared view)"] = _rate(
        ext.find, [cleanview.build(t).text for t in texts], args.repeat)
    rows["jieba.lcut (HMM on)"] = _rate(jieba.lcut, texts, args.repeat)
    rows["spaCy Doc, jieba segmenter (segment.make_doc)"] = _rate(make_doc, texts, 1)
    if args.full:
        try:
            from pipeline.ner import NerModel
            t0 = time.perf_counter()
            model = NerModel.load()
            load = time.perf_counter() - t0
            rows[f"NER model predict (load {load:.2f} s)"] = _rate(lambda t: model.predict([t]), texts, args.repeat)
        except (ImportError, FileNotFoundError) as exc:
            print(f"NER model not measured: {exc}")
        from pipeline.compose import extract
        rows["whole extraction (all stages)"] = _rate(extract, texts, 1)
    scaling = {}
    if args.scaling:
        from pipeline.compose import extract
        base = "".join(texts)
        for size in (400_000, 1_600_000):
            doc = (base * (size // len(base) + 1))[:size]
            t0 = time.perf_counter()
            extract(doc)
            scaling[size] = time.perf_counter() - t0
        rows["one document of 0.4 M characters, whole extraction"] = (400_000 / scaling[400_000], scaling[400_000])
        rows["one document of 1.6 M characters, whole extraction"] = (1_600_000 / scaling[1_600_000],
                                                                       scaling[1_600_000])
    extra = {}
    if args.full:
        extra.update(_latency_and_start(Path(args.latency)))
    if args.workers_ratio:
        extra.update(_workers_ratio(corpus))
    if args.memory:
        extra.update(_memory_growth(corpus))
    print(f"{'stage':52} {'chars/s':>12} {'seconds':>8}")
    for name, (rate, secs) in rows.items():
        print(f"{name:52} {rate:12,.0f} {secs:8.2f}")
    if scaling:
        print(f"1.6 M / 0.4 M characters: {scaling[1_600_000] / scaling[400_000]:.2f}x the time for 4x the text")
    for k, v in extra.items():
        print(f"{k}: {v}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"documents": len(texts), "characters": n,
                               "chars_per_second": {k: round(v[0]) for k, v in rows.items()}, **extra},
                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def _latency_and_start(msra: Path) -> dict:
    """extract_text latency on 1,000 short MSRA test sentences (p50, p95, ms, warm) and the cold start
    of a fresh process (import and first call)."""
    import statistics
    import subprocess
    out = {}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from pipeline import extract_text; extract_text('全年地区生产总值增长5.5%')"],
                   check=True, capture_output=True)
    out["cold start (fresh process, import and first call), s"] = round(time.perf_counter() - t0, 2)
    if msra.exists():
        from pipeline.compose import extract
        sents, cur = [], []
        for line in msra.read_text(encoding="utf-8").splitlines():
            if line.strip():
                cur.append(line.split()[0])
            elif cur:
                sents.append("".join(cur))
                cur = []
        sents = [s for s in sents if 20 <= len(s) <= 150][:1000]
        times = []
        for s in sents:
            t0 = time.perf_counter()
            extract(s)
            times.append((time.perf_counter() - t0) * 1000)
        q = statistics.quantiles(times, n=20)
        out[f"extract_text latency on {len(sents)} MSRA sentences (mean {statistics.mean(len(s) for s in sents):.0f} chars), ms"] = \
            f"p50 {statistics.median(times):.1f}, p95 {q[18]:.1f}"
    return out


def _workers_ratio(corpus: Path) -> dict:
    """The command line on the corpus with one worker and with two: the speed-up."""
    import subprocess
    import tempfile
    secs, rate = {}, {}
    for w in (1, 2):
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "pipeline", "extract", "--input", str(corpus), "--output", out,
                            "--workers", str(w), "--quiet"], check=True, capture_output=True)
            secs[w] = time.perf_counter() - t0
            rate[w] = json.loads((Path(out) / "run.json").read_text(encoding="utf-8"))["chars_per_second"]
    return {"command line, 1 worker / 2 workers, s": f"{secs[1]:.1f} / {secs[2]:.1f} ({secs[1] / secs[2]:.2f}x)",
            "extraction after start-up (run.json), 1 / 2 workers, chars/s":
                f"{rate[1]:,} / {rate[2]:,} ({rate[2] / rate[1]:.2f}x)"}


def _memory_growth(corpus: Path, times: int = 8) -> dict:
    """Peak RSS (run.json) of the command line, two workers, on the corpus and on ``times`` copies of
    it, each copy's files made distinct by a first line naming the copy (the reader rejects duplicate
    texts). The copies live in a temporary folder only."""
    import subprocess
    import tempfile
    files = sorted(corpus.glob("*.txt"))
    peaks = {}
    for k in (1, times):
        with tempfile.TemporaryDirectory() as tmp:
            inp, out = Path(tmp) / "in", Path(tmp) / "out"
            inp.mkdir()
            for c in range(k):
                for f in files:
                    (inp / f"{c:02d}_{f.name}").write_text(f"副本{c}\n" + f.read_text(encoding="utf-8-sig"),
                                                           encoding="utf-8")
            subprocess.run([sys.executable, "-m", "pipeline", "extract", "--input", str(inp), "--output", str(out),
                            "--workers", "2", "--quiet"], check=True, capture_output=True)
            run = json.loads((out / "run.json").read_text(encoding="utf-8"))
            peaks[k] = (run["peak_rss_mb"], run["documents"])
    return {f"peak RSS, corpus x1 / x{times} ({peaks[1][1]} / {peaks[times][1]} documents, 2 workers), MB":
            f"{peaks[1][0]:.0f} / {peaks[times][0]:.0f}"}


if __name__ == "__main__":
    sys.exit(main())
