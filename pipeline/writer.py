"""Parquet writer: explicit Arrow schemas, zstd, file metadata, batches, atomic replace.

All five tables are written to temporary files beside the targets and renamed into place only when
the whole run has succeeded, so a crashed run leaves the previous tables untouched. The renames are
journalled (`.commit.json`, written atomically before the first rename): a run killed between two
renames is rolled forward by the next writer (or `recover`), so the folder holds either the
previous tables or the new ones, never a mix. Every table's file metadata names its run (`run`).
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
from .errors import OutputBusy


# rows held per table before a row group is written, and characters of document text (a documents
# row carries the whole text): bound the writer's memory whatever the corpus size
BATCH_ROWS = 10_000
BATCH_TEXT_CHARS = 1_000_000


class TableWriter:
    """Writes the tables of one run. Holds a lock on the output folder for its whole life (a second
    run on the same folder stops at once), and removes temporary files left by runs that died."""

    def __init__(self, out_dir: Path, run_meta: dict):
        self.out_dir = out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        self._lock = lock_output(out_dir)
        recover(out_dir)
        for stale in out_dir.glob(".*.tmp-*"):  # left by a run that was killed before committing
            stale.unlink(missing_ok=True)
        self.tmp = {}
        self.writers = {}
        self.counts = {name: 0 for name in SCHEMAS}
        self.buffers: dict[str, list[dict]] = {name: [] for name in SCHEMAS}
        self.text_chars = {name: 0 for name in SCHEMAS}
        meta = {b"pipeline_version": __version__.encode(), b"run": json.dumps(run_meta).encode()}
        for name, schema in SCHEMAS.items():
            tmp = out_dir / f".{name}.parquet.tmp-{os.getpid()}"
            self.tmp[name] = tmp
            self.writers[name] = pq.ParquetWriter(tmp, schema.with_metadata(meta), compression="zstd")

    def add(self, name: str, rows: list[dict]):
        self.buffers[name].extend(rows)
        self.text_chars[name] += sum(len(r.get("text") or "") for r in rows) if name == "documents" else 0
        if len(self.buffers[name]) >= BATCH_ROWS or self.text_chars[name] >= BATCH_TEXT_CHARS:
            self.flush(name)

    def flush(self, name: str):
        rows = self.buffers[name]
        if rows:
            table = pa.Table.from_pylist(rows, schema=self.writers[name].schema)
            self.writers[name].write_table(table)
            self.counts[name] += len(rows)
            self.buffers[name] = []
            self.text_chars[name] = 0

    def commit(self, finished_meta: dict):
        for name in SCHEMAS:
            self.flush(name)
            self.writers[name].close()
        run_tmp = self.out_dir / f".run.json.tmp-{os.getpid()}"
        run_tmp.write_text(json.dumps(finished_meta, ensure_ascii=False, indent=2), encoding="utf-8")
        moves = [(self.tmp[name].name, f"{name}.parquet") for name in SCHEMAS] + [(run_tmp.name, "run.json")]
        journal_tmp = self.out_dir / f".commit.json.tmp-{os.getpid()}"
        journal_tmp.write_text(json.dumps({"moves": moves}), encoding="utf-8")
        os.replace(journal_tmp, self.out_dir / JOURNAL)  # from here on the new tables win
        self.committed = True
        recover(self.out_dir)
        self._release()

    def abort(self):
        if getattr(self, "committed", False):  # the journal decides: the next writer rolls forward
            self._release()
            return
        try:
            for name, w in self.writers.items():
                try:
                    w.close()
                finally:
                    self.tmp[name].unlink(missing_ok=True)
        finally:
            self._release()

    def _release(self):
        unlock_output(self._lock)


def lock_output(out_dir: Path):
    """Hold the output folder for one run (both engines): an open lock file, or OutputBusy at once."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fh = open(out_dir / ".lock", "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise OutputBusy(f"another run is writing {out_dir} (lock {out_dir / '.lock'} is held)") from None
    return fh


def unlock_output(fh) -> None:
    if not fh.closed:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


JOURNAL = ".commit.json"


def recover(out_dir: Path) -> bool:
    """Finish a commit that a killed run had started (its journal exists): rename what is left.
    Returns True when there was one."""
    journal = out_dir / JOURNAL
    if not journal.exists():
        return False
    moves = json.loads(journal.read_text(encoding="utf-8"))["moves"]
    for src, dst in moves:
        if (out_dir / src).exists():
            os.replace(out_dir / src, out_dir / dst)
    journal.unlink()
    return True


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
