"""Statistical Chinese NER (PER / LOC / ORG) with numpy-only inference.

Model: character BiLSTM-CRF over char + char-bigram embeddings and jieba-dictionary
word-boundary (lexicon) features. Trained with ``python -m pipeline.ner.train``;
weights live in ``pipeline/ner/model/``.

    >>> from pipeline.ner import NerModel
    >>> m = NerModel.load()
    >>> m.predict(["国家主席习近平在北京会见了微软公司总裁。"])
    [[(4, 7, 'PER'), (8, 10, 'LOC'), (13, 17, 'ORG')]]
"""
from __future__ import annotations

import gzip
import json
import os
from typing import Sequence

import numpy as np

from .features import (
    LABELS,
    TAGS,
    Lexicon,
    Vocab,
    chunk_spans,
    featurize,
)

__all__ = ["NerModel", "LABELS", "DEFAULT_MODEL_DIR"]

DEFAULT_MODEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def _valid_transition_mask() -> tuple[np.ndarray, np.ndarray]:
    """BIO constraints: I-X only after B-X or I-X; never at the start."""
    T = len(TAGS)
    trans_ok = np.ones((T, T), dtype=bool)
    start_ok = np.ones(T, dtype=bool)
    for j, tj in enumerate(TAGS):
        if tj.startswith("I-"):
            start_ok[j] = False
            for i, ti in enumerate(TAGS):
                if ti[2:] != tj[2:] or ti == "O":
                    trans_ok[i, j] = False
    return trans_ok, start_ok


class BiLstmCrf:
    """Numpy forward pass + Viterbi decoding of the exported network."""

    def __init__(self, params: dict[str, np.ndarray]):
        f32 = lambda k: np.ascontiguousarray(params[k], dtype=np.float32)  # noqa: E731
        self.emb_c = f32("emb_c")
        self.emb_b = f32("emb_b")
        self.Wih_f, self.Whh_f, self.b_f = f32("Wih_f").T.copy(), f32("Whh_f").T.copy(), f32("b_f")
        self.Wih_b, self.Whh_b, self.b_b = f32("Wih_b").T.copy(), f32("Whh_b").T.copy(), f32("b_b")
        self.W_out, self.b_out = f32("W_out").T.copy(), f32("b_out")
        self.trans, self.start, self.end = f32("trans"), f32("start"), f32("end")
        ok, sok = _valid_transition_mask()
        self.trans = np.where(ok, self.trans, -1e4).astype(np.float32)
        self.start = np.where(sok, self.start, -1e4).astype(np.float32)
        self.H = self.Whh_f.shape[0]
        dc, db = self.emb_c.shape[1], self.emb_b.shape[1]
        # split input weights by feature block so the char table can be pre-projected
        Wf, Wb = self.Wih_f, self.Wih_b
        W = np.concatenate([Wf, Wb], axis=1)  # (D, 8H)
        self.proj_c = self.emb_c @ W[:dc]  # (Vc, 8H) pre-projected char table
        self.W_bl = W[dc:dc + db]
        self.W_br = W[dc + db:dc + 2 * db]
        self.W_lex = W[dc + 2 * db:]
        self.b_in = np.concatenate([self.b_f, self.b_b])

    # -- LSTM over a padded batch (B, L, 4H) of pre-computed input projections
    def _lstm(self, xp: np.ndarray, Whh: np.ndarray) -> np.ndarray:
        B, L, _ = xp.shape
        H = self.H
        h = np.zeros((B, H), dtype=np.float32)
        c = np.zeros((B, H), dtype=np.float32)
        out = np.empty((B, L, H), dtype=np.float32)
        for t in range(L):
            g = xp[:, t] + h @ Whh
            s = _sigmoid(g[:, : 2 * H])
            i, f = s[:, :H], s[:, H:]
            gg = np.tanh(g[:, 2 * H: 3 * H])
            o = _sigmoid(g[:, 3 * H:])
            c = f * c + i * gg
            h = o * np.tanh(c)
            out[:, t] = h
        return out

    def emissions(self, cid, bl, br, lex, lengths) -> np.ndarray:
        """cid/bl/br: (B, L) int; lex: (B, L, N_LEX); lengths: (B,). Returns (B, L, T)."""
        B, L = cid.shape
        H4 = 4 * self.H
        x = self.proj_c[cid]
        x += self.emb_b[bl] @ self.W_bl
        x += self.emb_b[br] @ self.W_br
        x += lex @ self.W_lex
        x += self.b_in
        xf = x[:, :, :H4]
        # backward direction: reverse each sequence inside its own length
        t = np.arange(L)[None, :]
        ridx = lengths[:, None] - 1 - t
        valid = ridx >= 0
        ridx = np.where(valid, ridx, 0)
        bidx = np.arange(B)[:, None]
        xb = x[bidx, ridx, H4:]
        hf = self._lstm(np.ascontiguousarray(xf), self.Whh_f)
        hb_rev = self._lstm(xb, self.Whh_b)
        hb = hb_rev[bidx, ridx]  # un-reverse (same permutation is its own inverse)
        em = hf @ self.W_out[: self.H] + hb @ self.W_out[self.H:] + self.b_out
        return em

    def viterbi(self, em: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
        B, L, T = em.shape
        score = self.start[None, :] + em[:, 0]
        bps = np.empty((B, L, T), dtype=np.int8)
        bps[:, 0] = np.arange(T)
        ident = np.arange(T)[None, :]
        for t in range(1, L):
            cand = score[:, :, None] + self.trans[None]
            bp = cand.argmax(axis=1)
            best = np.take_along_axis(cand, bp[:, None, :], axis=1)[:, 0] + em[:, t]
            live = (t < lengths)[:, None]
            score = np.where(live, best, score)
            bps[:, t] = np.where(live, bp, ident)
        score = score + self.end[None, :]
        last = score.argmax(axis=1)
        path = np.empty((B, L), dtype=np.int64)
        path[:, L - 1] = last
        cur = last
        ar = np.arange(B)
        for t in range(L - 1, 0, -1):
            cur = bps[ar, t, cur]
            path[:, t - 1] = cur
        return [path[b, : lengths[b]] for b in range(B)]


class NerModel:
    """Load with ``NerModel.load()``; ``predict(texts)`` -> list of (start, end, label) per text."""

    def __init__(self, net: BiLstmCrf, vocab: Vocab, lexicon: Lexicon, meta: dict):
        self.net = net
        self.vocab = vocab
        self.lexicon = lexicon
        self.meta = meta
        self.max_chunk = int(meta.get("max_chunk", 160))
        self.batch_chars = int(meta.get("batch_chars", 8000))

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> "NerModel":
        d = os.fspath(path) if path is not None else DEFAULT_MODEL_DIR
        with open(os.path.join(d, "meta.json"), encoding="utf-8") as fh:
            meta = json.load(fh)
        with gzip.open(os.path.join(d, "vocab.json.gz"), "rt", encoding="utf-8") as fh:
            v = json.load(fh)
        vocab = Vocab(v["chars"], v["bigrams"])
        lexicon = Lexicon.load(os.path.join(d, "lexicon.txt.gz"))
        with np.load(os.path.join(d, "weights.npz")) as z:
            params = {k: z[k] for k in z.files}
        return cls(BiLstmCrf(params), vocab, lexicon, meta)

    def save(self, path: str) -> None:  # pragma: no cover - training writes files directly
        raise NotImplementedError

    # -------------------------------------------------------------- inference
    def _decode_chunks(self, feats: list[tuple]) -> list[np.ndarray]:
        """feats: list of featurize() tuples. Returns tag-id arrays in the same order."""
        out: list[np.ndarray | None] = [None] * len(feats)
        order = sorted(range(len(feats)), key=lambda i: len(feats[i][0]))
        i = 0
        while i < len(order):
            # group chunks of similar length up to batch_chars characters
            j = i
            maxlen = 0
            while j < len(order):
                ln = len(feats[order[j]][0])
                if j > i and max(maxlen, ln) * (j - i + 1) > self.batch_chars:
                    break
                maxlen = max(maxlen, ln)
                j += 1
            idx = order[i:j]
            B = len(idx)
            L = maxlen
            cid = np.zeros((B, L), dtype=np.int64)
            bl = np.zeros((B, L), dtype=np.int64)
            br = np.zeros((B, L), dtype=np.int64)
            lex = np.zeros((B, L, self.lexicon.n_feats), dtype=np.float32)
            lengths = np.zeros(B, dtype=np.int64)
            for r, k in enumerate(idx):
                c, a, b, x = feats[k]
                n = len(c)
                cid[r, :n], bl[r, :n], br[r, :n], lex[r, :n] = c, a, b, x
                lengths[r] = n
            em = self.net.emissions(cid, bl, br, lex, lengths)
            paths = self.net.viterbi(em, lengths)
            for r, k in enumerate(idx):
                out[k] = paths[r]
            i = j
        return out  # type: ignore[return-value]

    def predict_tags(self, texts: Sequence[str]) -> list[list[str]]:
        """Per-character BIO tags (used for evaluation)."""
        pieces = []  # (text index, start)
        feats = []
        for ti, text in enumerate(texts):
            for s, e in chunk_spans(text, self.max_chunk):
                pieces.append((ti, s))
                feats.append(featurize(text[s:e], self.vocab, self.lexicon))
        tags = [["O"] * len(t) for t in texts]
        if feats:
            for (ti, s), path in zip(pieces, self._decode_chunks(feats)):
                row = tags[ti]
                for k, tid in enumerate(path):
                    row[s + k] = TAGS[tid]
        return tags

    def predict(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        if isinstance(texts, str):
            raise TypeError("predict() takes a list of strings")
        from .features import tags_to_spans

        out = []
        for text, tags in zip(texts, self.predict_tags(texts)):
            spans = []
            for s, e, lab in tags_to_spans(tags):
                # never return pure-whitespace or edge-whitespace spans
                while s < e and text[s].isspace():
                    s += 1
                while e > s and text[e - 1].isspace():
                    e -= 1
                if e > s and lab in LABELS:
                    spans.append((s, e, lab))
            out.append(spans)
        return out
