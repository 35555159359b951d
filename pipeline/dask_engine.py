"""The same extraction on a Dask distributed cluster.

    python -m pipeline extract --engine dask [--scheduler ADDRESS] [--incremental] --input DIR --output OUT

The client lists the inputs and reads each once to hash it (to skip documents already in the output
and second copies of the same bytes); the workers read the files again and run the extraction, the
model loaded once per worker process. Each partition of files becomes one Parquet file per table
under OUT/<table>/ (a Parquet dataset with the local engine's schemas), written to a temporary name
and renamed when complete. Without --scheduler a LocalCluster of --workers processes (one thread
each) runs on this machine. dask and distributed are optional: pip install .[dask].
"""
from __future__ import annotations

import hashlib
import os
import time
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from schemas import SCHEMAS

TABLES = tuple(SCHEMAS)


def _known_sha256(out: Path) -> set[str]:
    """sha256 of the documents already in the output dataset (for --incremental)."""
    part_dir = out / "documents"
    if not part_dir.is_dir():
        return set()
    known = set()
    for p in part_dir.glob("part-*.parquet"):
        known.update(pq.read_table(p, columns=["sha256"]).column("sha256").to_pylist())
    return known


def _write_part(out: Path, name: str, part: str, rows: list[dict]) -> None:
    d = out / name
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / f".part-{part}.parquet.tmp"
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMAS[name]), tmp, compression="zstd")
    os.replace(tmp, d / f"part-{part}.parquet")


def run_partition(files: list[tuple[str, str]], root: str, out: str, part: str, meta_rows: dict) -> dict:
    """On a worker: extract one partition of files (absolute path, source) and write its tables.
    Returns the rows written per table and the characters read."""
    from . import docmeta
    from .__main__ import _process
    from .reader import read_file

    tables: dict[str, list[dict]] = {n: [] for n in TABLES}
    chars = 0
    for path, _source in files:
        raw = read_file(Path(path), Path(root))
        meta = docmeta.DocMeta(**meta_rows[raw.source]) if raw.source in meta_rows else None
        doc, rows = _process((raw, meta))
        if doc is not None:
            tables["documents"].append(doc)
            chars += doc["n_chars"]
        for name, rs in rows.items():
            tables[name].extend(rs)
    for name, rows in tables.items():
        _write_part(Path(out), name, part, rows)
    return {"rows": {n: len(r) for n, r in tables.items()}, "characters": chars}


def _plan(inp: Path, out: Path, incremental: bool):
    """On the client: the files to extract (absolute path, source), the read rejects, how many were
    already in the output. Each input is hashed once: known documents and second copies are skipped."""
    from .reader import scan_inputs

    paths, skipped = scan_inputs(inp)
    known = _known_sha256(out) if incremental else set()
    rejects = [{"doc_id": s.doc_id, "source": s.source, "stage": "read", "reason": s.reason, "start": None,
                "end": None} for s in skipped]
    todo, first, skipped_known = [], {}, 0
    for p in paths:
        source = p.relative_to(inp).as_posix()
        try:
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
        except OSError as exc:
            rejects.append({"doc_id": None, "source": source, "stage": "read",
                            "reason": f"cannot read: {exc.strerror}", "start": None, "end": None})
            continue
        if digest in known:
            skipped_known += 1
            continue
        if digest in first:
            rejects.append({"doc_id": digest[:16], "source": source, "stage": "read",
                            "reason": f"duplicate of {first[digest]} (identical bytes)", "start": None, "end": None})
            continue
        first[digest] = source
        todo.append((str(p), source))
    return todo, rejects, skipped_known, len(paths)


def run(inp: Path, out: Path, scheduler: str | None, workers: int, incremental: bool,
        sidecar: dict, files_per_partition: int = 8, quiet: bool = False) -> dict:
    """Run the extraction of every input under ``inp`` on a Dask cluster; returns the run summary."""
    from dataclasses import asdict

    from distributed import Client, LocalCluster

    from . import docmeta

    t0 = time.perf_counter()
    todo, rejects, skipped_known, n_files = _plan(inp, out, incremental)
    meta_rows = {s: asdict(m) for _, s in todo if sidecar and (m := docmeta.lookup(sidecar, s)) is not None}
    run_id = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:6]
    out.mkdir(parents=True, exist_ok=True)
    if rejects:
        _write_part(out, "rejects", f"{run_id}-read", rejects)
    parts = [todo[i:i + files_per_partition] for i in range(0, len(todo), files_per_partition)]
    totals = {n: 0 for n in TABLES}
    totals["rejects"] += len(rejects)
    chars = 0
    cluster = None
    if parts:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
            client = Client(cluster)
        try:
            futures = [client.submit(run_partition, part, str(inp.resolve()), str(out.resolve()),
                                     f"{run_id}-{k:05d}", meta_rows, pure=False) for k, part in enumerate(parts)]
            from distributed import as_completed
            for i, fut in enumerate(as_completed(futures), 1):
                res = fut.result()
                for n, c in res["rows"].items():
                    totals[n] += c
                chars += res["characters"]
                if not quiet:
                    import sys
                    print(f"\r[{i}/{len(parts)} partitions]", end="", file=sys.stderr, flush=True)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    elapsed = time.perf_counter() - t0
    return {"engine": "dask", "scheduler": scheduler or f"LocalCluster({workers} processes)", "input": str(inp),
            "run_id": run_id, "files": n_files, "skipped_known": skipped_known, "partitions": len(parts),
            "documents": totals["documents"], "characters": chars, "rows": totals, "seconds": round(elapsed, 2),
            "chars_per_second": int(chars / elapsed) if elapsed else None}
