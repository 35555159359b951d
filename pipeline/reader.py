"""Reader: the only stage that touches the input folder. Bytes -> decoded document text.

Encodings are detected, never guessed silently: a BOM decides (UTF-8, UTF-16 LE/BE); otherwise
strict UTF-8, then strict GB18030 (a superset of GBK) for text that is plausibly Chinese, then
UTF-16 without BOM when the byte pattern says so. A file that decodes in none is a reject.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import regex

_HAN = regex.compile(r"\p{Han}")
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class RawDocument:
    doc_id: str
    source: str      # path relative to the input folder
    text: str
    sha256: str
    encoding: str


@dataclass(frozen=True)
class ReadError:
    source: str
    reason: str
    doc_id: str | None = None


def doc_id_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _plausible(text: str) -> bool:
    if not text.strip():
        return True
    if _CONTROL.search(text):
        return False
    return True


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) or raise UnicodeDecodeError-like ValueError with the reasons tried."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    tried = []
    try:
        text = data.decode("utf-8")
        if _plausible(text):
            return text, "utf-8"
        tried.append("utf-8 (control characters)")
    except UnicodeDecodeError as exc:
        tried.append(f"utf-8 ({exc.reason} at byte {exc.start})")
    # UTF-16 without BOM: many NUL bytes in one parity
    if len(data) >= 4 and len(data) % 2 == 0:
        even, odd = data[0::2].count(0), data[1::2].count(0)
        for enc, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
            if zeros > len(data) // 8:
                try:
                    text = data.decode(enc)
                    if _plausible(text):
                        return text, enc
                except UnicodeDecodeError:
                    pass
                tried.append(enc)
    try:
        text = data.decode("gb18030")
        if _plausible(text) and _HAN.search(text):
            return text, "gb18030"
        tried.append("gb18030 (no Chinese text or control characters)")
    except UnicodeDecodeError as exc:
        tried.append(f"gb18030 ({exc.reason} at byte {exc.start})")
    raise ValueError("undecodable: tried " + ", ".join(tried))


def read_file(path: Path, root: Path) -> RawDocument | ReadError:
    source = path.relative_to(root).as_posix()
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ReadError(source, f"cannot read: {exc.strerror}")
    did = doc_id_of(data)
    try:
        text, enc = decode(data)
    except ValueError as exc:
        return ReadError(source, str(exc), did)
    if not text.strip():
        return ReadError(source, "empty document", did)
    return RawDocument(did, source, text, hashlib.sha256(data).hexdigest(), enc)


def list_inputs(root: Path) -> list[Path]:
    """Every .txt file under root, recursively, in a stable order."""
    if not root.is_dir():
        raise FileNotFoundError(f"input folder not found: {root}")
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() == ".txt")


def read_all(root: Path):
    for path in list_inputs(root):
        yield read_file(path, root)
