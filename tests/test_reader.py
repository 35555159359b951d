"""Reader: encodings detected, doc ids from bytes, undecodable files become rejects."""
import hashlib

import pytest

from pipeline.reader import RawDocument, ReadError, decode, list_inputs, read_file

TEXT = "全年地区生产总值增长5.5%，新增市场主体5900余户。"


@pytest.mark.parametrize("enc,data", [
    ("utf-8", TEXT.encode("utf-8")),
    ("utf-8-sig", b"\xef\xbb\xbf" + TEXT.encode("utf-8")),
    ("gb18030", TEXT.encode("gb18030")),
    ("gb18030", TEXT.encode("gbk")),
    ("utf-16", TEXT.encode("utf-16")),          # with BOM
    ("utf-16-le", TEXT.encode("utf-16-le")),    # without BOM
])
def test_decode(enc, data):
    text, got = decode(data)
    assert text == TEXT and got == enc


def test_crlf_is_kept():
    text, _ = decode("一、综合\r\n初步核算".encode("utf-8"))
    assert "\r\n" in text


def test_read_file_ids_and_rejects(tmp_path):
    (tmp_path / "sub").mkdir()
    good = tmp_path / "sub" / "a.txt"
    good.write_bytes(TEXT.encode("gbk"))
    bad = tmp_path / "b.txt"
    bad.write_bytes(b"\xff\xfe\xfa" * 3 + b"\x80\x81\xfe\xff\x00")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "notes.md").write_text("ignored")
    paths = list_inputs(tmp_path)
    assert [p.name for p in paths] == ["b.txt", "empty.txt", "a.txt"] or len(paths) == 3
    doc = read_file(good, tmp_path)
    assert isinstance(doc, RawDocument)
    assert doc.source == "sub/a.txt" and doc.encoding == "gb18030"
    assert doc.doc_id == hashlib.sha256(good.read_bytes()).hexdigest()[:16]
    empty = read_file(tmp_path / "empty.txt", tmp_path)
    assert isinstance(empty, ReadError) and "empty" in empty.reason


def test_undecodable_is_a_reject(tmp_path):
    p = tmp_path / "x.txt"
    p.write_bytes(bytes([0x81, 0x30, 0xff, 0x00, 0x01, 0x02, 0xfe]) * 5)
    r = read_file(p, tmp_path)
    assert isinstance(r, ReadError) and r.reason.startswith("undecodable")


def test_missing_input_folder(tmp_path):
    from pipeline.errors import BadInput
    with pytest.raises(BadInput, match="E001"):
        list_inputs(tmp_path / "nope")
