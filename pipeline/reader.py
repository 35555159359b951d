"""Reader: the only stage that touches the input folder. Bytes -> decoded document text.

Encodings are detected, never guessed silently: a BOM decides (UTF-8, UTF-16 LE/BE); otherwise
UTF-8 (kept when only a few bytes are invalid or a short file ends in a cut character: those bytes
become U+FFFD and are counted in `decode_errors`), then UTF-16 without BOM when the byte pattern
says so, then strict GB18030 (a superset of GBK) for text that is plausibly Chinese. A file that
decodes in none is a reject. NUL and other control characters become spaces (offsets kept) and are
counted in `control_chars`.

Folders are walked recursively; symbolic links to folders are followed once (a loop is reported,
not followed again); every path that is skipped — a dangling link, a loop, a file that is not a
regular file — is returned as a ReadError, so each input is accounted for.
"""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import regex

from .errors import BadInput

_HAN = regex.compile(r"\p{Han}")
_ESCAPED = regex.compile("[\udc80-\udcff]")
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class RawDocument:
    doc_id: str
    source: str      # path relative to the input folder
    text: str
    sha256: str
    encoding: str
    decode_errors: int = 0   # invalid bytes replaced by U+FFFD
    control_chars: int = 0   # NUL and other control characters replaced by spaces


@dataclass(frozen=True)
class ReadError:
    source: str
    reason: str
    doc_id: str | None = None


def doc_id_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# a file is UTF-8 with a few bad bytes when at most this share of its bytes are invalid
MAX_BAD_SHARE = 0.001
# more control characters than this share means another encoding (UTF-16 of mostly ASCII text
# without BOM is half NUL bytes)
MAX_CONTROL_SHARE = 0.3


def _control_share(text: str) -> float:
    return len(_CONTROL.findall(text)) / max(1, len(text))


def _utf8_lenient(data: bytes) -> tuple[str, int] | None:
    """UTF-8 with its invalid bytes replaced, when they are few (or only a character cut at the
    end); None when the file is not UTF-8."""
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError as exc:
        # surrogateescape turns each invalid byte into one lone surrogate: their number is the count
        n_bad = len(_ESCAPED.findall(data.decode("utf-8", errors="surrogateescape")))
        cut_at_end = exc.reason == "unexpected end of data"  # the first error is at the end: the only one
        if cut_at_end or n_bad <= max(3, MAX_BAD_SHARE * len(data)):
            return data.decode("utf-8", errors="replace"), n_bad
        return None


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) or raise ValueError with the reasons tried. See decode_counted."""
    text, enc, _ = decode_counted(data)
    return text, enc


def decode_counted(data: bytes) -> tuple[str, str, int]:
    """(text, encoding, invalid bytes replaced) or raise ValueError with the reasons tried."""
    if data.startswith(b"\xef\xbb\xbf"):
        got = _utf8_lenient(data[3:])
        if got is not None:
            return got[0], "utf-8-sig", got[1]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16", 0
    tried = []
    got = _utf8_lenient(data)
    if got is not None and _control_share(got[0]) <= MAX_CONTROL_SHARE:
        return got[0], "utf-8", got[1]
    tried.append("utf-8 (invalid bytes)" if got is None else "utf-8 (control characters)")
    # UTF-16 without BOM: many NUL bytes in one parity
    if len(data) >= 4 and len(data) % 2 == 0:
        even, odd = data[0::2].count(0), data[1::2].count(0)
        for enc, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
            if zeros > len(data) // 8:
                try:
                    text = data.decode(enc)
                    if _control_share(text) <= MAX_CONTROL_SHARE:
                        return text, enc, 0
                except UnicodeDecodeError:
                    pass
                tried.append(enc)
    try:
        text = data.decode("gb18030")
        if _control_share(text) <= MAX_CONTROL_SHARE and _HAN.search(text):
            return text, "gb18030", 0
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
        text, enc, n_bad = decode_counted(data)
    except ValueError as exc:
        return ReadError(source, str(exc), did)
    n_control = len(_CONTROL.findall(text))
    if n_control:
        text = _CONTROL.sub(" ", text)  # same length: offsets are kept
    if not text.strip():
        return ReadError(source, "empty document", did)
    return RawDocument(did, source, text, hashlib.sha256(data).hexdigest(), enc, n_bad, n_control)


def scan_inputs(root: Path) -> tuple[list[Path], list[ReadError]]:
    """Every .txt file under root (symbolic links to folders followed once), in a stable order, and
    a ReadError for every path skipped: dangling links, link loops, .txt entries that are not
    regular files."""
    if not root.is_dir():
        raise BadInput(f"input folder not found: {root}")
    files: list[Path] = []
    skipped: list[ReadError] = []
    seen: dict[tuple[int, int], str] = {}

    def rel(p: str) -> str:
        return Path(p).relative_to(root).as_posix()

    top = os.stat(root)
    seen[(top.st_dev, top.st_ino)] = "."
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        keep = []
        for d in sorted(dirnames):
            full = os.path.join(dirpath, d)
            try:
                st = os.stat(full)
            except OSError:
                skipped.append(ReadError(rel(full), "dangling symbolic link"))
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen:
                skipped.append(ReadError(rel(full), f"symbolic link loop: the folder is read as {seen[key]}"))
                continue
            seen[key] = rel(full)
            keep.append(d)
        dirnames[:] = keep
        for f in sorted(filenames):
            full = os.path.join(dirpath, f)
            if not os.path.exists(full):
                skipped.append(ReadError(rel(full), "dangling symbolic link"))
                continue
            if not f.lower().endswith(".txt"):
                continue
            if not stat.S_ISREG(os.stat(full).st_mode):
                skipped.append(ReadError(rel(full), "not a regular file"))
                continue
            files.append(Path(full))
    files.sort(key=lambda p: p.relative_to(root).as_posix())
    return files, skipped


def list_inputs(root: Path) -> list[Path]:
    """Every .txt file under root, recursively, in a stable order (see scan_inputs)."""
    return scan_inputs(root)[0]


def read_all(root: Path):
    paths, skipped = scan_inputs(root)
    yield from skipped
    for path in paths:
        yield read_file(path, root)
