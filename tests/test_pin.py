"""The pinning test: the tables of the whole reports corpus are identical, row for row, to the
committed digest (tests/pin/reports.json). A change of output on purpose rewrites it:
`make pin` (and the commit says what changed and why)."""
import hashlib
import json
import os

import pyarrow.parquet as pq
import pytest

from pipeline import __main__ as cli
from tests.conftest import REPORTS, ROOT, needs_shared

PIN = ROOT / "tests" / "pin" / "reports.json"
TABLES = ("documents", "quantities", "entities", "facts", "rejects")


def digest(out) -> dict:
    """Rows and a sha256 of each table's rows, sorted, every column as text."""
    result = {}
    for name in TABLES:
        t = pq.read_table(out / f"{name}.parquet")
        cols = sorted(t.column_names)
        rows = sorted(json.dumps([str(r[c]) for c in cols], ensure_ascii=False) for r in t.to_pylist())
        result[name] = {"rows": len(rows), "sha256": hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()}
    return result


@needs_shared
def test_reports_corpus_tables_are_pinned(tmp_path):
    out = tmp_path / "out"
    assert cli.main(["extract", "--input", str(REPORTS), "--output", str(out), "--workers", "2", "--quiet"]) == 0
    got = digest(out)
    if os.environ.get("PIN_WRITE"):
        PIN.parent.mkdir(exist_ok=True)
        PIN.write_text(json.dumps(got, indent=1) + "\n", encoding="utf-8")
    if not PIN.exists():
        pytest.fail("tests/pin/reports.json is missing: run make pin")
    want = json.loads(PIN.read_text(encoding="utf-8"))
    assert got == want, {k: (got[k], want.get(k)) for k in got if got[k] != want.get(k)}
