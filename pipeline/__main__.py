"""Command line: python -m pipeline extract|evaluate ..."""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from schemas import DocumentRecord, RejectRecord


# Per-document time budget in seconds (--doc-timeout), set before the workers start.
_DOC_TIMEOUT = 0.0


class DocTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise DocTimeout()


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
                sha256=raw.sha256, encoding=raw.encoding, decode_errors=raw.decode_errors,
                control_chars=raw.control_chars)
    if _DOC_TIMEOUT > 0:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, _DOC_TIMEOUT)
    try:
        ex = extract(raw.text, doc_id=raw.doc_id, source=raw.source, meta=meta)
        doc = DocumentRecord(**base, **asdict(ex.meta))
    except DocTimeout:
        rej = RejectRecord(doc_id=raw.doc_id, source=raw.source, stage="extract",
                           reason=f"time budget exceeded: over {_DOC_TIMEOUT:g} s (--doc-timeout)",
                           start=None, end=None)
        return DocumentRecord(**base).model_dump(), {"rejects": [rej.model_dump()]}
    except Exception as exc:  # a document that breaks a stage becomes a reject; the run goes on
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        rej = RejectRecord(doc_id=raw.doc_id, source=raw.source, stage="extract", reason=tb,
                           start=None, end=None)
        return DocumentRecord(**base).model_dump(), {"rejects": [rej.model_dump()]}
    finally:
        if _DOC_TIMEOUT > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)
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
    entities.segment("")
    entities.gazetteer()
    compose.ner_model()


def _inputs(paths, skipped, inp, sidecar):
    """ReadErrors of skipped paths, then each file read once; identical bytes under a second name
    are a reject (duplicate of the first), so doc_id is unique in documents."""
    from . import docmeta
    from .reader import ReadError, read_file

    yield from ((s, None) for s in skipped)
    first: dict[str, str] = {}
    for p in paths:
        raw = read_file(p, inp)
        if not isinstance(raw, ReadError):
            if raw.doc_id in first:
                raw = ReadError(raw.source, f"duplicate of {first[raw.doc_id]} (identical bytes)", raw.doc_id)
            else:
                first[raw.doc_id] = raw.source
        yield raw, (docmeta.lookup(sidecar, raw.source) if sidecar and not isinstance(raw, ReadError) else None)


_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _one_blas_thread(workers: int) -> None:
    """One BLAS / OpenMP thread per process (with several workers always, with one unless the caller
    set a thread variable). numpy is already loaded, so its thread pools are limited at run time: the
    model's small matrix products gain ~5% from a second thread on an idle machine and run ten times
    slower when workers or runs share the cores (spinning threads)."""
    if workers > 1 or not any(k in os.environ for k in _THREAD_VARS):
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)
        for k in _THREAD_VARS:
            os.environ[k] = "1"  # and for any process started from here


def _preflight(args):
    """Options, input, sidecar, output path, rule files and model checked before any work:
    (input, output, paths, skipped, sidecar), or an exit code."""
    if args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    _one_blas_thread(args.workers)
    from . import docmeta
    from .reader import scan_inputs

    inp, out = Path(args.input), Path(args.output)
    try:
        paths, skipped = scan_inputs(inp)
        sidecar = docmeta.load_sidecar(Path(args.meta)) if args.meta else {}
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if out.exists() and not out.is_dir() or any(p.exists() and not p.is_dir() for p in out.parents):
        print(f"error: output {out} is not a folder (a file stands on its path)", file=sys.stderr)
        return 2
    try:  # rule files and the model are checked here, once, before any worker starts
        _warm()
    except Exception as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    return inp, out, paths, skipped, sidecar


def cmd_extract(args) -> int:
    global _DOC_TIMEOUT
    from .writer import OutputBusy, TableWriter, now

    checked = _preflight(args)
    if isinstance(checked, int):
        return checked
    inp, out, paths, skipped, sidecar = checked
    _DOC_TIMEOUT = float(args.doc_timeout or 0)
    if args.engine == "dask":
        return _extract_dask(args, inp, out, sidecar)
    t0 = time.perf_counter()
    started = now()
    try:
        writer = TableWriter(out, {"input": str(inp), "started": started, "workers": args.workers})
    except OutputBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4
    except OSError as exc:
        print(f"error: cannot write to {out}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        n_docs, n_chars = _run_local(args, _inputs(paths, skipped, inp, sidecar), writer,
                                     len(paths) + len(skipped), t0)
        elapsed = time.perf_counter() - t0
        for name in writer.buffers:
            writer.flush(name)
        summary = {"input": str(inp), "started": started, "finished": now(), "seconds": round(elapsed, 2),
                   "files": len(paths), "skipped_paths": len(skipped), "documents": n_docs, "characters": n_chars,
                   "rows": dict(writer.counts), "workers": args.workers, "doc_timeout": _DOC_TIMEOUT or None,
                   "chars_per_second": int(n_chars / elapsed) if elapsed else None, "engine": "local",
                   "entity_mode": "both",
                   "peak_rss_mb": _peak_rss_mb(),
                   "entity_model": "loaded" if _model_loaded() else "not loaded (rules only)"}
        writer.commit(summary)
    except BaseException:
        writer.abort()
        raise
    from .review import dataset_card
    dataset_card(out, summary)
    c = writer.counts
    print(f"{len(paths)} files, {n_docs} documents, {n_chars:,} characters in {elapsed:.1f} s: "
          f"{c['quantities']} quantities, {c['entities']} entities, {c['facts']} facts, "
          f"{c['rejects']} rejects -> {out}/")
    return 0


def _run_local(args, items, writer, total: int, t0: float) -> tuple[int, int]:
    """Process every input (in a pool of forked workers when --workers > 1) into the writer;
    returns (documents, characters). A progress bar on a terminal only."""
    n_docs = n_chars = 0
    window = None
    if args.workers > 1:
        pool = mp.get_context("fork").Pool(args.workers)  # forked after _warm: rules and model loaded once
        window = threading.BoundedSemaphore(4 * args.workers)  # documents read ahead of the writer

        def read_ahead(it):  # the pool's feeder thread would otherwise read every document at once
            for item in it:
                window.acquire()
                yield item

        results = pool.imap(_process, read_ahead(items), chunksize=1)
    else:
        pool, results = None, map(_process, items)
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm
        bar = tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True)
    for doc, rows in results:
        if window is not None:
            window.release()
        if doc is not None:
            writer.add("documents", [doc])
            n_docs += 1
            n_chars += doc["n_chars"]
        for name, rs in rows.items():
            writer.add(name, rs)
        if bar is not None:
            bar.set_postfix_str(f"{n_chars / max(1e-9, time.perf_counter() - t0):,.0f} chars/s", refresh=False)
            bar.update(1)
    if bar is not None:
        bar.close()
    if pool is not None:
        pool.close()
        pool.join()
    return n_docs, n_chars


def _extract_dask(args, inp: Path, out: Path, sidecar: dict) -> int:
    import json

    from .writer import OutputBusy, lock_output, now, unlock_output
    try:
        from . import dask_engine
        import distributed  # noqa: F401
    except ImportError:
        print("error: the Dask engine needs dask and distributed: pip install .[dask]", file=sys.stderr)
        return 2
    try:
        lock = lock_output(out)
    except OutputBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    try:
        started = now()
        summary = dask_engine.run(inp, out, args.scheduler, args.workers, args.incremental, sidecar,
                                  quiet=args.quiet or not sys.stderr.isatty())
        summary.update(started=started, finished=now(), doc_timeout=_DOC_TIMEOUT or None)
        tmp = out / f".run.json.tmp-{os.getpid()}"
        tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, out / "run.json")
    finally:
        unlock_output(lock)
    if not args.quiet and sys.stderr.isatty():
        print(file=sys.stderr)
    r = summary["rows"]
    print(f"{summary['files']} files ({summary['skipped_known']} already in the output), {summary['documents']} documents, "
          f"{summary['characters']:,} characters in {summary['seconds']:.1f} s on {summary['scheduler']}: "
          f"{r['quantities']} quantities, {r['entities']} entities, {r['facts']} facts, {r['rejects']} rejects "
          f"-> {out}/<table>/part-*.parquet")
    return 0


def _peak_rss_mb() -> float:
    """Peak resident memory of this process and of its finished children (the workers), in MB.
    This process's own peak is read from /proc (VmHWM) where there is one: Linux carries
    ru_maxrss over an exec, so a run started from a large process would report that one's peak."""
    import resource
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            own = next(int(ln.split()[1]) for ln in fh if ln.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        pass
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)


def _model_loaded() -> bool:
    from . import compose
    return compose.ner_model() is not None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline")
    sub = ap.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("extract", help="extract every .txt under --input into Parquet tables",
                        description="Extract every .txt file under INPUT (recursively) into documents, "
                                    "quantities, entities, facts and rejects Parquet tables in OUTPUT. "
                                    "Exit codes: 0 done, 2 bad input or option, 3 bad rule file or model, "
                                    "4 another run is writing OUTPUT.")
    ex.add_argument("--input", default="raw", help="folder of .txt files, read recursively (default: raw)")
    ex.add_argument("--output", default="outputs", help="folder for the tables (default: outputs)")
    ex.add_argument("--workers", type=int, default=1, help="processes on this machine (default: 1)")
    ex.add_argument("--doc-timeout", type=float, default=600.0,
                    help="seconds one document may take before it becomes a reject row (default: 600; 0: none)")
    ex.add_argument("--meta", default=None,
                    help="CSV or JSON Lines file: file name -> place, place_level, date, year, genre, title")
    ex.add_argument("--engine", choices=["local", "dask"], default="local",
                    help="local: processes on this machine, tables OUTPUT/*.parquet; dask: a Dask cluster, "
                         "a Parquet dataset OUTPUT/<table>/part-*.parquet (pip install .[dask])")
    ex.add_argument("--scheduler", default=None,
                    help="Dask scheduler address (tcp://host:8786); default: a LocalCluster of --workers processes")
    ex.add_argument("--incremental", action="store_true",
                    help="dask engine: skip documents whose sha256 is already in the output dataset")
    ex.add_argument("--quiet", action="store_true", help="no progress line")
    pa_ = sub.add_parser("panel", help="build the panel (one row per region, period, indicator, measure, "
                                       "modality) from an extraction's tables")
    pa_.add_argument("--input", default="outputs", help="folder with facts.parquet and documents.parquet")
    pa_.add_argument("--output", default=None, help="panel Parquet file (default: INPUT/panel.parquet)")
    pa_.add_argument("--coverage", action="store_true",
                     help="also print, per work report, whether last year's GDP growth and this year's target were found")
    sh = sub.add_parser("show", help="an HTML review page of an extraction: the text with every quantity, "
                                     "entity and fact highlighted")
    sh.add_argument("--input", default="outputs", help="folder with the tables (default: outputs)")
    sh.add_argument("--doc", default=None, help="one document, by doc_id or source (default: all, with a list)")
    sh.add_argument("--output", default=None, help="HTML file (default: INPUT/review.html)")
    ev = sub.add_parser("evaluate", help="score the pipeline against the gold files")
    ev.add_argument("--split", default="all", choices=["all", "dev", "test"])
    ev.add_argument("--output", default="outputs")
    ev.add_argument("--entity-mode", default="both", choices=["rules", "model", "both"])
    ev.add_argument("--check-baseline", action="store_true")
    ev.add_argument("--write-baseline", action="store_true")
    args = ap.parse_args(argv)
    if args.cmd == "extract":
        return cmd_extract(args)
    if args.cmd == "show":
        from .review import show
        return show(Path(args.input), Path(args.output or Path(args.input) / "review.html"), args.doc)
    if args.cmd == "panel":
        from .panel import main as panel_main
        return panel_main(Path(args.input), Path(args.output or Path(args.input) / "panel.parquet"), args.coverage)
    from .evaluate import main as eval_main
    return eval_main(args)


if __name__ == "__main__":
    sys.exit(main())
