"""The Dask engine gives the same rows as the local one, and --incremental does no work twice.
Runs a LocalCluster with two worker processes (loopback only)."""
import shutil

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from pipeline import __main__ as cli
from tests.conftest import ROOT

pytest.importorskip("distributed", reason="the Dask engine is optional: pip install .[dask]")

TABLES = ("documents", "quantities", "entities", "facts", "rejects")


def _rows(table) -> list[tuple]:
    cols = sorted(table.column_names)
    return sorted(tuple(str(r[c]) for c in cols) for r in table.select(cols).to_pylist())


def test_dask_engine_matches_the_local_engine_and_incremental_skips_known_documents(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    for p in sorted((ROOT / "raw").glob("*.txt"))[:4]:
        shutil.copy(p, inp / p.name)
    (inp / "copy.txt").write_bytes((inp / sorted(p.name for p in inp.iterdir())[0]).read_bytes())  # a duplicate
    local, dask_out = tmp_path / "local", tmp_path / "dask"
    assert cli.main(["extract", "--input", str(inp), "--output", str(local), "--quiet"]) == 0
    assert cli.main(["extract", "--engine", "dask", "--workers", "2", "--input", str(inp), "--output", str(dask_out),
                     "--quiet"]) == 0
    for name in TABLES:
        a = pq.read_table(local / f"{name}.parquet")
        b = ds.dataset(dask_out / name, format="parquet").to_table()
        assert b.schema.remove_metadata() == a.schema.remove_metadata()
        assert _rows(b) == _rows(a), name
    before = {p.name for p in (dask_out / "facts").iterdir()}
    assert cli.main(["extract", "--engine", "dask", "--workers", "2", "--incremental", "--input", str(inp),
                     "--output", str(dask_out), "--quiet"]) == 0
    import json
    run = json.loads((dask_out / "run.json").read_text(encoding="utf-8"))
    assert run["partitions"] == 0 and run["documents"] == 0 and run["skipped_known"] == 5  # the copy too
    assert {p.name for p in (dask_out / "facts").iterdir()} == before  # nothing extracted or written again
