"""Parquet writer: explicit Arrow schemas, zstd, file metadata, batches, atomic replace.

All five tables are written to temporary files beside the targets and renamed into place only when
the whole run has succeeded, so a crashed run leaves the previous tables untouched.
"""
from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from schemas import SCHEMAS

from . import __version__


class OutputBusy(RuntimeError):
    """Another run is writing the same output folder."""


class TableWriter:
    """Writes the tables of one run. Holds a lock on the output folder for its whole life (a second
    run on the same folder stops at once), and removes temporary files left by runs that died."""

    def __init__(self, out_dir: Path, run_meta: dict):
        self.out_dir = out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        self._lock = open(out_dir / ".lock", "a+")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            raise OutputBusy(f"another run is writing {out_dir} (lock {out_dir / '.lock'} is held)") from None
        for stale in out_dir.glob(".*.tmp-*"):  # left by a run that was killed
            stale.unlink(missing_ok=True)
        self.tmp = {}
        self.writers = {}
        self.counts = {name: 0 for name in SCHEMAS}
        self.buffers: dict[str, list[dict]] = {name: [] for name in SCHEMAS}
        meta = {b"pipeline_version": __version__.encode(), b"run": json.dumps(run_meta).encode()}
        for name, schema in SCHEMAS.items():
            tmp = out_dir / f".{name}.parquet.tmp-{os.getpid()}"
            self.tmp[name] = tmp
            self.writers[name] = pq.ParquetWriter(tmp, schema.with_metadata(meta), compression="zstd")

    def add(self, name: str, rows: list[dict]):
        self.buffers[name].extend(rows)
        if len(self.buffers[name]) >= 50_000:
            self.flush(name)

    def flush(self, name: str):
        rows = self.buffers[name]
        if rows:
            table = pa.Table.from_pylist(rows, schema=self.writers[name].schema)
            self.writers[name].write_table(table)
            self.counts[name] += len(rows)
            self.buffers[name] = []

    def commit(self, finished_meta: dict):
        for name in SCHEMAS:
            self.flush(name)
            self.writers[name].close()
        for name in SCHEMAS:
            os.replace(self.tmp[name], self.out_dir / f"{name}.parquet")
        tmp = self.out_dir / f".run.json.tmp-{os.getpid()}"
        tmp.write_text(json.dumps(finished_meta, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.out_dir / "run.json")
        self._release()

    def abort(self):
        try:
            for name, w in self.writers.items():
                try:
                    w.close()
                finally:
                    self.tmp[name].unlink(missing_ok=True)
        finally:
            self._release()

    def _release(self):
        if not self._lock.closed:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
