"""Shared text handling for the statistical NER model (numpy only, no torch).

Used both at training time (tools.ner_train) and at inference time
(pipeline.ner.NerModel), so that features are computed identically.

Features per character:
  * the character id (text normalised: full-width ASCII -> half-width, digits -> '0')
  * left and right character-bigram ids (one shared bigram table)
  * lexicon (word-boundary) bits from jieba's dictionary: for each of four word
    categories (any word, person nr*, place ns, organisation nt) whether a dictionary
    word of length 2/3/4/5+ begins here, ends here, or covers this character inside.
"""
from __future__ import annotations

import os
import re
from typing import Iterable

import numpy as np

LABELS = ("PER", "LOC", "ORG")
TAGS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG")
TAG2ID = {t: i for i, t in enumerate(TAGS)}

PAD, UNK = 0, 1
BOS, EOS = "\x02", "\x03"

# ---------------------------------------------------------------- normalisation
_WIDTH = {0x3000: " "}
for _cp in range(0xFF01, 0xFF5F):
    _WIDTH[_cp] = chr(_cp - 0xFEE0)
_WIDTH_TABLE = str.maketrans(_WIDTH)
_DIGIT_TABLE = str.maketrans({c: "0" for c in "0123456789"})


def normalize_width(text: str) -> str:
    """Full-width ASCII -> half-width; length preserving."""
    return text.translate(_WIDTH_TABLE)


def normalize_for_embedding(text_w: str) -> str:
    """Second step (after normalize_width): all ASCII digits -> '0'."""
    return text_w.translate(_DIGIT_TABLE)


# ---------------------------------------------------------------- chunking
_SENT_END = re.compile(r"[。！？!?；;\n\r]+[”’」』）)]?")
_SOFT = re.compile(r"[，,、：:]")


def chunk_spans(text: str, max_len: int = 160, allowed=None) -> list[tuple[int, int]]:
    """Split text into [start, end) pieces at sentence punctuation, each <= max_len.

    ``allowed(pos)`` (optional) says whether a cut before position ``pos`` is allowed
    (training uses it so that cuts never fall inside an entity).
    """
    n = len(text)
    if n == 0:
        return []
    cuts = [m.end() for m in _SENT_END.finditer(text)]
    bounds = []
    start = 0
    for c in cuts:
        if c <= start or c >= n:
            continue
        if allowed is not None and not allowed(c):
            continue
        bounds.append((start, c))
        start = c
    bounds.append((start, n))
    out = []
    for s, e in bounds:
        if e - s <= max_len:
            out.append((s, e))
            continue
        # too long: cut at soft punctuation, then hard
        cur = s
        while e - cur > max_len:
            best = None
            for m in _SOFT.finditer(text, cur + max_len // 3, cur + max_len):
                p = m.end()
                if allowed is None or allowed(p):
                    best = p
            if best is None:
                best = cur + max_len
                if allowed is not None:
                    # move back to a position where a cut is allowed
                    q = best
                    while q > cur + 1 and not allowed(q):
                        q -= 1
                    if q > cur + 1:
                        best = q
            out.append((cur, best))
            cur = best
        if cur < e:
            out.append((cur, e))
    return [(s, e) for s, e in out if e > s]


# ---------------------------------------------------------------- lexicon
# The input features of the model, as the trainer writes them into meta.json.
FEATURE_NAMES = ("char", "char-bigram-left", "char-bigram-right", "jieba-lexicon-bmes-4cat")
N_LEX_BITS = 9  # B2 B3 B4 B5+  E2 E3 E4 E5+  M
# word categories from jieba's POS tags; a word can be in several (bit c <-> LEX_CATS[c])
LEX_CAT_POS = {
    "any": None,  # every word
    "per": ("nr", "nrt", "nrfg"),
    "loc": ("ns",),
    "org": ("nt",),
    "nz": ("nz",),  # other proper nouns (brands, companies, events)
    "abbr": ("j",),  # abbreviations (many organisation short names)
}
LEX_CATS = ("any", "per", "loc", "org")  # default set (first shipped model)
N_LEX = len(LEX_CATS) * N_LEX_BITS


def jieba_dict_path() -> str:
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise RuntimeError("jieba is required for the NER lexicon (pip install jieba==0.42.1)")
    return os.path.join(os.path.dirname(spec.origin), "dict.txt")


def _cat_mask(pos: str, cats=LEX_CATS) -> int:
    m = 0
    for c, name in enumerate(cats):
        tags = LEX_CAT_POS[name]
        if tags is None or pos in tags:
            m |= 1 << c
    return m


def jieba_words(path: str | None = None, min_freq: int = 1, max_len: int = 12, cats=LEX_CATS) -> dict[str, int]:
    """word -> category bit mask, from jieba's dict.txt (word freq POS per line)."""
    path = path or jieba_dict_path()
    words: dict[str, int] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 2:
                continue
            w = normalize_width(parts[0])
            if len(w) < 2 or len(w) > max_len:
                continue
            if int(parts[1]) < min_freq:
                continue
            pos = parts[2] if len(parts) > 2 else "x"
            words[w] = words.get(w, 0) | _cat_mask(pos, cats)
    return words


class Lexicon:
    """Word-boundary features from a word list (jieba's dictionary by default).

    ``words`` maps a word (width-normalised, length >= 2) to a category bit mask
    (bit c set for LEX_CATS[c]).
    """

    def __init__(self, words: dict[str, int], max_len: int = 12, prefixes: set[str] | None = None,
                 n_cats: int = len(LEX_CATS)):
        self.max_len = max_len
        self.n_cats = n_cats
        self.n_feats = n_cats * N_LEX_BITS
        self.words = {w: m for w, m in words.items() if 2 <= len(w) <= max_len}
        table: dict[tuple[int, int], tuple[int, int, int]] = {}
        for m in set(self.words.values()):
            for L in range(2, max_len + 1):
                lb = min(L, 5) - 2
                b = e = mid = 0
                for c in range(n_cats):
                    if m >> c & 1:
                        base = c * N_LEX_BITS
                        b |= 1 << (base + lb)
                        e |= 1 << (base + 4 + lb)
                        mid |= 1 << (base + 8)
                table[(m, L)] = (b, e, mid)
        self.entries = {w: table[(m, len(w))] for w, m in self.words.items()}
        if prefixes is None:
            prefixes = set(self.words)
            for w in self.words:
                for k in range(2, len(w)):
                    prefixes.add(w[:k])
        self.prefixes = prefixes
        self._shifts = np.arange(self.n_feats, dtype=np.uint64)

    @classmethod
    def from_jieba(cls, path: str | None = None, min_freq: int = 1, max_len: int = 12, cats=LEX_CATS) -> "Lexicon":
        return cls(jieba_words(path, min_freq, max_len, cats), max_len=max_len, n_cats=len(cats))

    def save(self, path: str) -> None:
        """Compact gzip text: line 1 max_len; then 'word<TAB>mask' lines; then prefix-only lines."""
        import gzip

        only_prefix = sorted(self.prefixes - set(self.words))
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
            fh.write(f"{self.max_len}\t{len(self.words)}\t{len(only_prefix)}\t{self.n_cats}\n")
            for w in sorted(self.words):
                fh.write(f"{w}\t{self.words[w]:x}\n")
            fh.write("\n".join(only_prefix))

    @classmethod
    def load(cls, path: str) -> "Lexicon":
        import gzip

        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = fh.read()
        lines = data.split("\n")
        head = [int(x) for x in lines[0].split("\t")]
        max_len, n_words, n_pref = head[:3]
        n_cats = head[3] if len(head) > 3 else len(LEX_CATS)
        wl = lines[1:1 + n_words]
        words = {}
        for line in wl:
            w, _, m = line.partition("\t")
            words[w] = int(m, 16)
        prefixes = set(words)
        prefixes.update(lines[1 + n_words:1 + n_words + n_pref])
        return cls(words, max_len=max_len, prefixes=prefixes, n_cats=n_cats)

    def masks(self, text_w: str) -> list[int]:
        n = len(text_w)
        masks = [0] * n
        entries = self.entries
        prefixes = self.prefixes
        maxl = self.max_len
        for i in range(n - 1):
            lim = min(n, i + maxl)
            j = i + 2
            while j <= lim:
                w = text_w[i:j]
                if w not in prefixes:
                    break
                v = entries.get(w)
                if v is not None:
                    b, e, mid = v
                    masks[i] |= b
                    masks[j - 1] |= e
                    for k in range(i + 1, j - 1):
                        masks[k] |= mid
                j += 1
        return masks

    def features(self, text_w: str) -> np.ndarray:
        """(len, n_feats) float32 0/1 matrix."""
        m = np.array(self.masks(text_w), dtype=np.uint64)
        return ((m[:, None] >> self._shifts) & np.uint64(1)).astype(np.float32)


# ---------------------------------------------------------------- vocab / encoding
class Vocab:
    def __init__(self, chars: list[str], bigrams: list[str]):
        # ids 0 = PAD, 1 = UNK
        self.chars = list(chars)
        self.bigrams = list(bigrams)
        self.char2id = {c: i + 2 for i, c in enumerate(self.chars)}
        self.bi2id = {b: i + 2 for i, b in enumerate(self.bigrams)}

    @property
    def n_chars(self) -> int:
        return len(self.chars) + 2

    @property
    def n_bigrams(self) -> int:
        return len(self.bigrams) + 2

    def encode(self, text_e: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """char ids, left-bigram ids, right-bigram ids for an embedding-normalised text."""
        c2i = self.char2id
        b2i = self.bi2id
        cid = [c2i.get(c, UNK) for c in text_e]
        t = BOS + text_e + EOS
        bid = [b2i.get(t[i:i + 2], UNK) for i in range(len(t) - 1)]
        return (
            np.asarray(cid, dtype=np.int64),
            np.asarray(bid[:-1], dtype=np.int64),
            np.asarray(bid[1:], dtype=np.int64),
        )


def build_vocab(texts: Iterable[str], char_min: int = 1, bigram_min: int = 2) -> Vocab:
    from collections import Counter

    cc: Counter = Counter()
    bc: Counter = Counter()
    for t in texts:
        te = normalize_for_embedding(normalize_width(t))
        cc.update(te)
        tt = BOS + te + EOS
        bc.update(tt[i:i + 2] for i in range(len(tt) - 1))
    chars = sorted(c for c, n in cc.items() if n >= char_min)
    bigrams = sorted(b for b, n in bc.items() if n >= bigram_min)
    return Vocab(chars, bigrams)


def featurize(text: str, vocab: Vocab, lexicon: Lexicon):
    """Return (char_ids, left_bigram_ids, right_bigram_ids, lex_feats) for one chunk."""
    tw = normalize_width(text)
    te = normalize_for_embedding(tw)
    c, bl, br = vocab.encode(te)
    return c, bl, br, lexicon.features(tw)


# ---------------------------------------------------------------- data / spans
def read_bio(path: str) -> list[tuple[str, list[str]]]:
    sents: list[tuple[str, list[str]]] = []
    chars: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n").rstrip("\r")
            if not line:
                if chars:
                    sents.append(("".join(chars), tags))
                    chars, tags = [], []
                continue
            ch, _, tag = line.partition("\t")
            if not tag:  # tolerate space separated files
                parts = line.split()
                ch, tag = (parts[0], parts[-1]) if len(parts) >= 2 else (" ", parts[0])
            chars.append(ch[:1] if ch else " ")
            tags.append(tag.strip())
    if chars:
        sents.append(("".join(chars), tags))
    return sents


def tags_to_spans(tags) -> list[tuple[int, int, str]]:
    """BIO tags (strings) -> half-open spans. A stray I- starts a new span."""
    spans = []
    start, label = None, None
    for i, t in enumerate(list(tags) + ["O"]):
        if t == "O" or t.startswith("B-") or (t.startswith("I-") and t[2:] != label):
            if start is not None:
                spans.append((start, i, label))
                start, label = None, None
            if t != "O":
                start, label = i, t[2:]
    return spans


def read_testright(path: str) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Parse SIGHAN 2006 'TEXT/TAG' segment format (nr/ns/nt/o) into (text, spans)."""
    mapping = {"nr": "PER", "ns": "LOC", "nt": "ORG"}
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            text = []
            spans = []
            pos = 0
            for seg in line.split():
                word, _, tag = seg.rpartition("/")
                if not word:
                    word, tag = seg, "o"
                lab = mapping.get(tag.lower())
                if lab:
                    spans.append((pos, pos + len(word), lab))
                text.append(word)
                pos += len(word)
            out.append(("".join(text), spans))
    return out


# ---------------------------------------------------------------- vectorised runtime path
_FNV_BASIS = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


def _lookup(keys: np.ndarray, q: np.ndarray) -> np.ndarray:
    """ids (index + 2) of q in sorted keys, UNK (1) when absent."""
    if len(keys) == 0:
        return np.full(q.shape, UNK, dtype=np.int64)
    idx = np.searchsorted(keys, q)
    idx[idx >= len(keys)] = 0
    return np.where(keys[idx] == q, idx + 2, UNK).astype(np.int64)


class FastLexicon:
    """Lexicon matching with numpy: 64-bit FNV-1a hashes of every word, one sorted
    table per word length; all substrings of a batch are hashed and looked up at once.
    Gives the same bits as Lexicon.masks()."""

    FILTER_BITS = 22  # a presence filter over the low hash bits: one bit per word length

    def __init__(self, tables: dict[int, tuple[np.ndarray, np.ndarray]], max_len: int, n_cats: int):
        self.tables = tables
        self.max_len = max_len
        self.n_cats = n_cats
        self.n_feats = n_cats * N_LEX_BITS
        # most substrings are no word: the filter answers them without a binary search
        self.mask = np.uint64((1 << self.FILTER_BITS) - 1)
        self.filter = np.zeros(1 << self.FILTER_BITS, dtype=np.uint16)
        for L, (keys, _) in tables.items():
            self.filter[(keys & self.mask).astype(np.intp)] |= np.uint16(1 << (L - 2))

    @classmethod
    def from_words(cls, words: dict[str, int], max_len: int, n_cats: int) -> "FastLexicon":
        by_len: dict[int, list[tuple[str, int]]] = {}
        for w, m in words.items():
            if 2 <= len(w) <= max_len:
                by_len.setdefault(len(w), []).append((w, m))
        tables = {}
        with np.errstate(over="ignore"):
            for L, items in by_len.items():
                cps = _codepoints("".join(w for w, _ in items)).reshape(len(items), L)
                h = np.full(len(items), _FNV_BASIS, dtype=np.uint64)
                for k in range(L):
                    h = (h ^ cps[:, k].astype(np.uint64)) * _FNV_PRIME
                m = np.asarray([m for _, m in items], dtype=np.uint8)
                order = np.argsort(h, kind="stable")
                tables[L] = (h[order], m[order])
        return cls(tables, max_len, n_cats)

    @classmethod
    def from_lexicon(cls, lex: "Lexicon") -> "FastLexicon":
        return cls.from_words(lex.words, lex.max_len, lex.n_cats)

    def to_arrays(self) -> dict[str, np.ndarray]:
        out = {"lex_info": np.asarray([self.max_len, self.n_cats], dtype=np.int64)}
        for L, (h, m) in self.tables.items():
            out[f"lex_h{L}"] = h
            out[f"lex_m{L}"] = m
        return out

    @classmethod
    def from_arrays(cls, z) -> "FastLexicon":
        max_len, n_cats = (int(x) for x in z["lex_info"])
        tables = {}
        for L in range(2, max_len + 1):
            if f"lex_h{L}" in z:
                tables[L] = (np.asarray(z[f"lex_h{L}"]), np.asarray(z[f"lex_m{L}"]))
        return cls(tables, max_len, n_cats)

    def features(self, cp: np.ndarray, chunk_id: np.ndarray) -> np.ndarray:
        """cp: codepoints of the concatenated (width-normalised) chunks; chunk_id per position."""
        N = len(cp)
        feats = np.zeros((N, self.n_feats), dtype=np.float32)
        if N < 2:
            return feats
        cpu = cp.astype(np.uint64)
        with np.errstate(over="ignore"):
            h = (np.full(N, _FNV_BASIS, dtype=np.uint64) ^ cpu) * _FNV_PRIME
            for L in range(2, min(self.max_len, N) + 1):
                n = N - L + 1
                h = (h[:n] ^ cpu[L - 1:]) * _FNV_PRIME
                tab = self.tables.get(L)
                if tab is None:
                    continue
                keys, masks = tab
                cand = np.flatnonzero(self.filter[(h & self.mask).astype(np.intp)] & np.uint16(1 << (L - 2)))
                idx = np.searchsorted(keys, h[cand])
                idx[idx >= len(keys)] = 0
                hit = (keys[idx] == h[cand]) & (chunk_id[cand] == chunk_id[cand + L - 1])
                pos = cand[hit]
                if len(pos) == 0:
                    continue
                mk = masks[idx[hit]]
                lb = min(L, 5) - 2
                for c in range(self.n_cats):
                    sel = pos[(mk >> c) & 1 == 1]
                    if len(sel) == 0:
                        continue
                    base = c * N_LEX_BITS
                    feats[sel, base + lb] = 1.0
                    feats[sel + L - 1, base + 4 + lb] = 1.0
                    for k in range(1, L - 1):
                        feats[sel + k, base + 8] = 1.0
        return feats


class FastVocab:
    """Char / bigram ids by binary search over sorted codepoint keys."""

    def __init__(self, char_keys: np.ndarray, bigram_keys: np.ndarray):
        self.char_keys = char_keys
        self.bigram_keys = bigram_keys

    @classmethod
    def from_vocab(cls, v: "Vocab") -> "FastVocab":
        ck = np.asarray([ord(c) for c in v.chars], dtype=np.int64)
        bk = np.asarray([(ord(b[0]) << 21) | ord(b[1]) for b in v.bigrams], dtype=np.int64)
        assert np.all(np.diff(ck) > 0) and np.all(np.diff(bk) > 0), "vocab must be sorted"
        return cls(ck, bk)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"char_keys": self.char_keys, "bigram_keys": self.bigram_keys}

    @classmethod
    def from_arrays(cls, z) -> "FastVocab":
        return cls(np.asarray(z["char_keys"]), np.asarray(z["bigram_keys"]))

    @property
    def n_chars(self) -> int:
        return len(self.char_keys) + 2

    @property
    def n_bigrams(self) -> int:
        return len(self.bigram_keys) + 2


class Featurizer:
    """Features for a list of chunks at once (the only feature path, train and runtime)."""

    def __init__(self, vocab: FastVocab, lexicon: FastLexicon):
        self.vocab = vocab
        self.lexicon = lexicon

    @property
    def n_lex(self) -> int:
        return self.lexicon.n_feats

    def batch(self, chunks: list[str]):
        """Returns flat arrays (cid, bl, br, lex) over the concatenated chunks, plus starts, lengths."""
        lengths = np.fromiter((len(c) for c in chunks), dtype=np.int64, count=len(chunks))
        starts = np.zeros(len(chunks), dtype=np.int64)
        if len(chunks) > 1:
            starts[1:] = np.cumsum(lengths)[:-1]
        tw = normalize_width("".join(chunks))
        te = normalize_for_embedding(tw)
        cpw = _codepoints(tw)
        cpe = _codepoints(te)
        N = len(cpe)
        chunk_id = np.repeat(np.arange(len(chunks)), lengths)
        lex = self.lexicon.features(cpw, chunk_id)
        cid = _lookup(self.vocab.char_keys, cpe)
        prev = np.empty(N, dtype=np.int64)
        br = np.empty(N, dtype=np.int64)
        if N:
            prev[1:] = cpe[:-1]
            ne = lengths > 0
            prev[starts[ne]] = ord(BOS)
        bl = _lookup(self.vocab.bigram_keys, (prev << 21) | cpe)
        if N:
            # the right bigram of a character is the left bigram of the next one, except at a
            # chunk's end, where it closes with EOS
            br[:-1] = bl[1:]
            ends = starts[ne] + lengths[ne] - 1
            br[ends] = _lookup(self.vocab.bigram_keys, (cpe[ends] << 21) | ord(EOS))
        return cid, bl, br, lex, starts, lengths
