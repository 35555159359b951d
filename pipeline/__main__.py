"""Command line: python -m pipeline extract|evaluate ..."""
from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
import traceback
from pathlib import Path

from schemas import DocumentRecord, RejectRecord


def _process(item):
    """Worker: (RawDocument or ReadError, sidecar metadata or None) -> (document row or None, {table: rows})."""
    from dataclasses import asdict

    from .compose import extract
    from .reader import ReadError

    raw, meta = item
    if isinstance(raw, ReadError):
        rej = RejectRecord(doc_id=raw.doc_id, source=raw.source, stage="read", reason=raw.reason,
                           start=None, end=None)
        return None, {"rejects": [rej.model_dump()]}
    base = dict(doc_id=raw.doc_id, source=raw.source, text=raw.text, n_chars=len(raw.text),
                sha256=raw.sha256, encoding=raw.encoding)
    try:
        ex = extract(raw.text, doc_id=raw.doc_id, source=raw.source, meta=meta)
        doc = DocumentRecord(**base, **asdict(ex.meta))
    except Exception as exc:  # a document that breaks a stage becomes a reject; the run goes on
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        rej = RejectRecord(doc_id=raw.doc_id, source=raw.source, stage="extract", reason=tb,
                           start=None, end=None)
        return DocumentRecord(**base).model_dump(), {"rejects": [rej.model_dump()]}
    rows = {name: [r.model_dump() for r in getattr(ex, name)]
            for name in ("quantities", "entities", "facts", "rejects")}
    return doc.model_dump(), rows


def _warm():
    from . import cleanview, compose, divisions, docmeta, entities, facts, observations, quantities
    cleanview.rules()
    facts.rules()
    docmeta.rules()
    observations.rules()
    observations.catalogue()
    divisions.table()
    quantities.default_extractor()
    entities.span_ruler_nlp()
    entities.gazetteer()
    compose.ner_model()


def cmd_extract(args) -> int:
    from .reader import list_inputs, read_file
    from .writer import TableWriter, now

    from . import docmeta

    inp, out = Path(args.input), Path(args.output)
    try:
        paths = list_inputs(inp)
        sidecar = docmeta.load_sidecar(Path(args.meta)) if args.meta else {}
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    started = now()
    writer = TableWriter(out, {"input": str(inp), "started": started, "workers": args.workers})
    n_docs = n_chars = 0
    try:
        raws = ((raw, docmeta.lookup(sidecar, raw.source) if sidecar else None)
                for raw in (read_file(p, inp) for p in paths))
        if args.workers > 1:
            pool = mp.get_context("fork").Pool(args.workers, initializer=_warm)
            results = pool.imap(_process, raws, chunksize=1)
        else:
            _warm()
            pool, results = None, map(_process, raws)
        for i, (doc, rows) in enumerate(results, 1):
            if doc is not None:
                writer.add("documents", [doc])
                n_docs += 1
                n_chars += doc["n_chars"]
            for name, rs in rows.items():
                writer.add(name, rs)
            if not args.quiet:
                name = paths[i - 1].relative_to(inp).as_posix()
                print(f"\r[{i}/{len(paths)}] {name[:60]:<60}", end="", file=sys.stderr, flush=True)
        if pool is not None:
            pool.close()
            pool.join()
        elapsed = time.perf_counter() - t0
        for name in writer.buffers:
            writer.flush(name)
        summary = {"input": str(inp), "started": started, "finished": now(), "seconds": round(elapsed, 2),
                   "files": len(paths), "documents": n_docs, "characters": n_chars,
                   "rows": dict(writer.counts), "workers": args.workers}
        writer.commit(summary)
    except BaseException:
        writer.abort()
        raise
    if not args.quiet:
        print(file=sys.stderr)
    c = writer.counts
    print(f"{len(paths)} files, {n_docs} documents, {n_chars:,} characters in {elapsed:.1f} s: "
          f"{c['quantities']} quantities, {c['entities']} entities, {c['facts']} facts, "
          f"{c['rejects']} rejects -> {out}/")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline")
    sub = ap.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("extract", help="extract every .txt under --input into Parquet tables")
    ex.add_argument("--input", default="raw")
    ex.add_argument("--output", default="outputs")
    ex.add_argument("--workers", type=int, default=1)
    ex.add_argument("--meta", default=None,
                    help="CSV or JSON Lines file: file name -> place, place_level, date, year, genre, title")
    ex.add_argument("--quiet", action="store_true")
    pa_ = sub.add_parser("panel", help="build the panel (one row per region, period, indicator, measure, "
                                       "modality) from an extraction's tables")
    pa_.add_argument("--input", default="outputs", help="folder with facts.parquet and documents.parquet")
    pa_.add_argument("--output", default=None, help="panel Parquet file (default: INPUT/panel.parquet)")
    pa_.add_argument("--coverage", action="store_true",
                     help="also print, per work report, whether last year's GDP growth and this year's target were found")
    ev = sub.add_parser("evaluate", help="score the pipeline against the gold files")
    ev.add_argument("--split", default="all", choices=["all", "dev", "test"])
    ev.add_argument("--output", default="outputs")
    ev.add_argument("--entity-mode", default="both", choices=["rules", "model", "both"])
    ev.add_argument("--check-baseline", action="store_true")
    ev.add_argument("--write-baseline", action="store_true")
    args = ap.parse_args(argv)
    if args.cmd == "extract":
        return cmd_extract(args)
    if args.cmd == "panel":
        from .panel import main as panel_main
        return panel_main(Path(args.input), Path(args.output or Path(args.input) / "panel.parquet"), args.coverage)
    from .evaluate import main as eval_main
    return eval_main(args)


if __name__ == "__main__":
    sys.exit(main())
