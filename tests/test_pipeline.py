"""End to end: raw folder -> five Parquet tables; invariants, rejects, atomic writes, workers."""
import os
import shutil

import pyarrow.parquet as pq
import pytest

from pipeline import __main__ as cli
from pipeline import extract_text
from schemas import SCHEMAS
from tests.conftest import ROOT

TABLES = ["documents", "quantities", "entities", "facts", "rejects"]
SAMPLE = ROOT / "raw" / "000_826c0860dc6de139.txt"


@pytest.fixture(scope="module")
def small_input(tmp_path_factory):
    d = tmp_path_factory.mktemp("raw")
    shutil.copy(SAMPLE, d / SAMPLE.name)
    (d / "sub").mkdir()
    (d / "sub" / "gbk.txt").write_bytes("一、综合\r\n全年地区生产总值增长5.5%，实际利用省外资金203亿元。".encode("gbk"))
    (d / "broken.txt").write_bytes(bytes([0x81, 0x30, 0xff, 0x00, 0x01, 0x02, 0xfe]) * 5)
    (d / "ignored.md").write_text("not an input")
    return d


@pytest.fixture(scope="module")
def extracted(small_input, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    assert cli.main(["extract", "--input", str(small_input), "--output", str(out), "--quiet"]) == 0
    return {name: pq.read_table(out / f"{name}.parquet") for name in TABLES}, out


def test_five_tables_with_the_contract_schema(extracted):
    tables, out = extracted
    for name in TABLES:
        assert tables[name].schema.remove_metadata() == SCHEMAS[name].remove_metadata()
        meta = pq.read_metadata(out / f"{name}.parquet")
        assert meta.row_group(0).column(0).compression == "ZSTD" if meta.num_row_groups else True
        assert b"pipeline_version" in meta.metadata
    assert (out / "run.json").exists()


def test_every_document_is_accounted_for(extracted):
    tables, _ = extracted
    docs = tables["documents"].to_pylist()
    rejects = tables["rejects"].to_pylist()
    assert {d["source"] for d in docs} == {SAMPLE.name, "sub/gbk.txt"}
    assert [r["source"] for r in rejects if r["stage"] == "read"] == ["broken.txt"]
    assert "undecodable" in rejects[0]["reason"]


def test_span_invariant_on_every_row_of_every_table(extracted):
    tables, _ = extracted
    text = {d["doc_id"]: d["text"] for d in tables["documents"].to_pylist()}
    n = 0
    for name in ("quantities", "entities", "facts"):
        for row in tables[name].to_pylist():
            assert text[row["doc_id"]][row["start"]:row["end"]] == row["text"]
            n += 1
        if name == "facts":
            for row in tables[name].to_pylist():
                t = text[row["doc_id"]]
                assert "".join(t[row["metric_start"]:row["metric_end"]].split()) == row["metric"]
    assert n > 150


def test_sample_article_headline_figures(extracted):
    tables, _ = extracted
    facts = {(f["metric"], f["text"]) for f in tables["facts"].to_pylist()}
    for pair in [("地区生产总值", "5.5%"), ("规上工业增加值", "7.8%"), ("社会消费品零售总额", "6.8%"),
                 ("实际利用省外资金", "203亿元"), ("民间投资", "20%以上"), ("工业投资", "20%以上")]:
        assert pair in facts


def test_gbk_document_offsets(extracted):
    tables, _ = extracted
    q = [r for r in tables["quantities"].to_pylist() if r["text"] == "203亿元"]
    assert q and all(r["value"] == 2.03e10 and r["unit"] == "元" for r in q)


def test_crashed_run_keeps_the_previous_tables(small_input, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert cli.main(["extract", "--input", str(small_input), "--output", str(out), "--quiet"]) == 0
    before = {n: (out / f"{n}.parquet").read_bytes() for n in TABLES}
    calls = {"n": 0}
    real = cli._process

    def crash_on_second(raw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("simulated crash")
        return real(raw)

    monkeypatch.setattr(cli, "_process", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        cli.main(["extract", "--input", str(small_input), "--output", str(out), "--quiet"])
    assert {n: (out / f"{n}.parquet").read_bytes() for n in TABLES} == before
    assert not list(out.glob(".*tmp*"))


def test_two_workers_give_the_same_rows(small_input, extracted, tmp_path):
    tables, _ = extracted
    out = tmp_path / "out2"
    assert cli.main(["extract", "--input", str(small_input), "--output", str(out), "--workers", "2", "--quiet"]) == 0
    for name in ("quantities", "facts", "entities"):
        assert pq.read_table(out / f"{name}.parquet").to_pylist() == tables[name].to_pylist()


def test_missing_input_is_a_clear_error(tmp_path, capsys):
    assert cli.main(["extract", "--input", str(tmp_path / "nope"), "--output", str(tmp_path / "o")]) == 2
    assert "input folder not found" in capsys.readouterr().err


def test_extract_text_api():
    text = "全年地区生产总值\n增长5.5%，民间投资、工业投资均增长20%以上。"
    r = extract_text(text)
    assert [q.text for q in r.quantities] == ["5.5%", "20%以上"]
    assert {(f.metric, f.text) for f in r.facts} == {("地区生产总值", "5.5%"), ("民间投资", "20%以上"),
                                                    ("工业投资", "20%以上")}
    for rec in r.quantities + r.entities + r.facts:
        assert text[rec.start:rec.end] == rec.text


def test_long_documents_are_processed_in_sentence_aligned_chunks(monkeypatch):
    """Entities run on stretches that end at sentence ends; offsets still point into the whole text."""
    from pipeline import compose

    sentence = "孟州市地区生产总值增长5.5%，新增市场主体5900余户。"
    text = sentence * 200
    whole = extract_text(text, entity_mode="rules")
    monkeypatch.setattr(compose, "CHUNK_CHARS", 100)
    chunked = extract_text(text, entity_mode="rules")
    key = lambda rs: [(r.start, r.end, r.text) for r in rs]  # noqa: E731
    assert key(chunked.quantities) == key(whole.quantities)
    assert key(chunked.entities) == key(whole.entities) and len(whole.entities) == 200
    assert key(chunked.facts) == key(whole.facts) and len(whole.facts) == 400
    assert all(text[e.start:e.end] == e.text for e in chunked.entities)


@pytest.mark.skipif(not os.environ.get("RUN_SLOW"), reason="slow (about a minute): set RUN_SLOW=1")
def test_a_document_over_a_million_characters_keeps_everything():
    sentence = "孟州市地区生产总值增长5.5%，新增市场主体5900余户。"
    n = 1_050_000 // len(sentence) + 1
    r = extract_text(sentence * n, entity_mode="rules")
    assert not r.rejects
    assert len(r.quantities) == 2 * n and len(r.facts) == 2 * n and len(r.entities) == n


def test_the_segmenter_vocabulary_stays_bounded(monkeypatch):
    """spaCy remembers every token string; past the bound the blank pipeline is rebuilt, and the
    segmentation is the same before and after."""
    from pipeline import segment
    text = "全年地区生产总值增长5.5%，孟州市谷旦镇新增市场主体5900余户。"
    before = segment.tokens(text)
    monkeypatch.setattr(segment, "MAX_VOCAB_STRINGS", 50)
    for k in range(40):
        segment.tokens(f"第{k}号文件写明{k * 7.3:.1f}亿元")
    assert len(segment.nlp().vocab.strings) <= 50 + 20
    assert segment.tokens(text) == before


@pytest.mark.parametrize("text", [
    "全年地区生产总值增长5.5%，孟州市新增市场主体5900余户。",
    "GDP 增长 5%  。\n\n  第二段\t（2025年）\u3000完 ",
    " ", "a  b\n\n c ", "\n",
])
def test_the_doc_is_the_one_spacys_chinese_tokenizer_makes(text):
    """segment.make_doc aligns jieba's words to the text in linear time; the tokens, their offsets
    and trailing spaces are those of spaCy's own tokenizer."""
    from pipeline import segment
    ours = [(t.text, t.idx, t.whitespace_) for t in segment.make_doc(text)]
    spacys = [(t.text, t.idx, t.whitespace_) for t in segment.nlp().make_doc(text)]
    assert ours == spacys and "".join(t + w for t, _, w in ours) == text


def test_peak_memory_is_the_runs_own(tmp_path):
    """run.json's peak RSS is the run's: Linux carries ru_maxrss over an exec, so a run started by
    a large process (the bench) would otherwise report that process's peak."""
    import subprocess
    import sys
    big = bytearray(400 * 2**20)
    big[::4096] = b"\x01" * len(big[::4096])  # resident, not only reserved
    out = subprocess.run([sys.executable, "-c", "from pipeline.__main__ import _peak_rss_mb; print(_peak_rss_mb())"],
                         capture_output=True, text=True, check=True).stdout
    assert float(out) < 300, out
    del big
