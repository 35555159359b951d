"""Bad inputs and faults: every input is accounted for (a document row or a reject row), nothing hangs,
clear errors with distinct exit codes. Sizes are scaled down; the million-character case is in
test_pipeline (slow)."""
import fcntl
import os
import time

import pyarrow.parquet as pq
import pytest

from pipeline import __main__ as cli
from pipeline.reader import decode_counted, read_file, scan_inputs

TEXT = "全年地区生产总值增长5.5%，新增市场主体5900余户。"


def _run(inp, out, *extra):
    return cli.main(["extract", "--input", str(inp), "--output", str(out), "--quiet", *extra])


def _tables(out):
    docs = pq.read_table(out / "documents.parquet").to_pylist()
    rejects = pq.read_table(out / "rejects.parquet").to_pylist()
    return docs, rejects


def test_symlinked_folders_are_followed_once_and_every_skipped_path_is_a_reject(tmp_path):
    inp, elsewhere = tmp_path / "in", tmp_path / "elsewhere"
    inp.mkdir()
    elsewhere.mkdir()
    (elsewhere / "a.txt").write_text(TEXT, encoding="utf-8")
    (inp / "linked").symlink_to(elsewhere, target_is_directory=True)
    (inp / "loop").symlink_to(inp, target_is_directory=True)          # a loop back to the top
    (inp / "gone.txt").symlink_to(tmp_path / "missing.txt")           # dangling
    os.mkfifo(inp / "pipe.txt")                                       # not a regular file
    paths, skipped = scan_inputs(inp)
    assert [p.relative_to(inp).as_posix() for p in paths] == ["linked/a.txt"]
    reasons = {s.source: s.reason for s in skipped}
    assert reasons["gone.txt"] == "dangling symbolic link"
    assert reasons["pipe.txt"] == "not a regular file"
    assert reasons["loop"].startswith("symbolic link loop")
    out = tmp_path / "out"
    assert _run(inp, out) == 0
    docs, rejects = _tables(out)
    assert [d["source"] for d in docs] == ["linked/a.txt"]
    assert {r["source"] for r in rejects} == {"gone.txt", "pipe.txt", "loop"}


def test_identical_bytes_under_two_names_are_one_document(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    for name in ("a.txt", "b.txt"):
        (inp / name).write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    assert _run(inp, out) == 0
    docs, rejects = _tables(out)
    assert [d["source"] for d in docs] == ["a.txt"]
    assert len({d["doc_id"] for d in docs}) == len(docs)
    assert rejects[0]["source"] == "b.txt" and rejects[0]["reason"].startswith("duplicate of a.txt")


@pytest.mark.parametrize("data,text,encoding,bad", [
    (TEXT.encode("utf-8")[:6] + b"\xff" + TEXT.encode("utf-8")[6:] * 20, None, "utf-8", 1),  # one stray byte
    ("增长5.5%".encode("utf-8")[:-1] + "户".encode("utf-8")[:2], None, "utf-8", 2),            # cut at the end
])
def test_a_few_bad_utf8_bytes_are_replaced_and_counted(data, text, encoding, bad):
    got, enc, n_bad = decode_counted(data)
    assert enc == encoding and n_bad == bad and got.count("\ufffd") >= 1


def test_nul_and_control_characters_become_spaces_and_are_counted(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(("全年\x00地区生产总值\x07增长5.5%").encode("utf-8"))
    raw = read_file(p, tmp_path)
    assert raw.control_chars == 2 and raw.text == "全年 地区生产总值 增长5.5%"


def test_stale_temporary_files_are_removed_and_a_concurrent_run_is_refused(tmp_path, capsys):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    out.mkdir()
    (inp / "a.txt").write_text(TEXT, encoding="utf-8")
    stale = out / ".facts.parquet.tmp-99999"
    stale.write_bytes(b"half a table")
    with open(out / ".lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)   # another run holds the folder
        assert _run(inp, out) == 4
        assert "another run is writing" in capsys.readouterr().err
    assert stale.exists()                                  # untouched while the other run held it
    assert _run(inp, out) == 0
    assert not stale.exists() and not list(out.glob(".*.tmp-*"))


def test_output_under_a_file_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "file").write_text("x")
    assert _run(tmp_path / "in", tmp_path / "file" / "out") == 2
    assert "not a folder" in capsys.readouterr().err


def test_a_bad_rule_file_stops_the_run_before_any_worker_starts(tmp_path, monkeypatch, capsys):
    from pipeline import facts
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(TEXT, encoding="utf-8")

    def broken():
        raise ValueError("facts.toml: predicates: direction must be -1, 0 or 1: {'增长': 7}")
    monkeypatch.setattr(facts, "rules", broken)
    t0 = time.perf_counter()
    assert _run(tmp_path / "in", tmp_path / "out", "--workers", "2") == 3
    assert time.perf_counter() - t0 < 30
    assert "facts.toml" in capsys.readouterr().err


def test_a_runaway_document_becomes_a_reject_and_the_run_goes_on(tmp_path, monkeypatch):
    from pipeline import compose
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.txt").write_text(TEXT, encoding="utf-8")
    (inp / "slow.txt").write_text("慢" + TEXT, encoding="utf-8")
    real = compose.extract

    def extract(text, **kw):
        if text.startswith("慢"):
            time.sleep(5)
        return real(text, **kw)
    monkeypatch.setattr(compose, "extract", extract)
    assert _run(inp, tmp_path / "out", "--doc-timeout", "0.5") == 0
    docs, rejects = _tables(tmp_path / "out")
    assert sorted(d["source"] for d in docs) == ["a.txt", "slow.txt"]
    assert rejects[0]["source"] == "slow.txt" and "time budget" in rejects[0]["reason"]


def _runs(out):
    """The run each table (and run.json) belongs to."""
    import json
    names = ("documents", "quantities", "entities", "facts", "rejects")
    runs = {json.loads(pq.read_schema(out / f"{n}.parquet").metadata[b"run"])["started"] for n in names}
    runs.add(json.loads((out / "run.json").read_text(encoding="utf-8"))["started"])
    return runs


def test_a_commit_cut_between_two_renames_is_rolled_forward(tmp_path, monkeypatch):
    from pipeline import writer as w
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    (inp / "a.txt").write_text(TEXT, encoding="utf-8")
    assert _run(inp, out) == 0
    real, calls = os.replace, []

    def dying_replace(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # killed after the journal and one table were renamed
            raise KeyboardInterrupt
        return real(src, dst)
    monkeypatch.setattr(w.os, "replace", dying_replace)
    (inp / "b.txt").write_text("新增" + TEXT, encoding="utf-8")
    time.sleep(1.1)  # a new run start time
    with pytest.raises(KeyboardInterrupt):
        _run(inp, out)
    monkeypatch.setattr(w.os, "replace", real)
    assert (out / w.JOURNAL).exists()
    assert w.recover(out)
    assert len(_runs(out)) == 1
    assert len(pq.read_table(out / "documents.parquet")) == 2


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_killing_a_real_run_at_random_moments_never_leaves_a_mix(tmp_path):
    import random
    import signal
    import subprocess
    import sys
    from pipeline import writer as w
    from tests.conftest import REPORTS, ROOT
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    srcs = sorted(REPORTS.glob("news-*.txt"))[:4] if REPORTS.is_dir() else []
    for i in range(4):
        (inp / f"{i}.txt").write_text(srcs[i].read_text(encoding="utf-8") if srcs else TEXT * (i + 1),
                                      encoding="utf-8")
    cmd = [sys.executable, "-m", "pipeline", "extract", "--input", str(inp), "--output", str(out), "--quiet"]
    env = dict(os.environ, PIPELINE_NER="0")
    assert subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True).returncode == 0
    rng = random.Random(7)
    for _ in range(4):
        p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 4.0))
        p.send_signal(signal.SIGKILL)
        p.wait()
        w.recover(out)  # what the next run does first
        assert len(_runs(out)) == 1
    assert subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True).returncode == 0
    assert not list(out.glob(".*.tmp-*"))
