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

import json
import os
from typing import Sequence

import numpy as np

from .features import (
    LABELS,
    TAGS,
    FastLexicon,
    FastVocab,
    Featurizer,
    chunk_spans,
    tags_to_spans,
)

__all__ = ["NerModel", "LABELS", "DEFAULT_MODEL_DIR"]

DEFAULT_MODEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model")


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
        for name in ("Wih_f", "Whh_f", "b_f", "Wih_b", "Whh_b", "b_b"):
            setattr(self, name, self._fold_gates(getattr(self, name)))
        self.dc, self.db = self.emb_c.shape[1], self.emb_b.shape[1]

    def _fold_gates(self, w: np.ndarray) -> np.ndarray:
        """Scale the i, f, o gate columns (last axis, torch order i f g o) by 0.5."""
        H = self.H
        w = w.copy()
        w[..., : 2 * H] *= 0.5
        w[..., 3 * H:] *= 0.5
        return w

    # -- LSTM over a padded batch (B, L, 4H) of pre-computed input projections.
    # The i, f, o gate rows of the weights were pre-scaled by 0.5 (see _fold_gates), so a
    # single tanh gives tanh(x/2) for i, f, o (sigmoid = 0.5 * tanh(x/2) + 0.5) and tanh(x) for g.
    def _lstm(self, xp: np.ndarray, Whh: np.ndarray) -> np.ndarray:
        B, L, _ = xp.shape
        H = self.H
        h = np.zeros((B, H), dtype=np.float32)
        c = np.zeros((B, H), dtype=np.float32)
        out = np.empty((B, L, H), dtype=np.float32)
        for t in range(L):
            z = np.tanh(xp[:, t] + h @ Whh)
            i = z[:, :H] * 0.5 + 0.5
            f = z[:, H:2 * H] * 0.5 + 0.5
            o = z[:, 3 * H:] * 0.5 + 0.5
            c = f * c + i * z[:, 2 * H:3 * H]
            h = o * np.tanh(c)
            out[:, t] = h
        return out

    def emissions(self, cid, bl, br, lex, lengths) -> np.ndarray:
        """cid/bl/br: (B, L) int; lex: (B, L, N_LEX); lengths: (B,). Returns (B, L, T)."""
        B, L = cid.shape
        dc, db = self.dc, self.db
        X = np.empty((B, L, dc + 2 * db + lex.shape[2]), dtype=np.float32)
        X[:, :, :dc] = self.emb_c[cid]
        X[:, :, dc:dc + db] = self.emb_b[bl]
        X[:, :, dc + db:dc + 2 * db] = self.emb_b[br]
        X[:, :, dc + 2 * db:] = lex
        # backward direction: reverse each sequence inside its own length
        t = np.arange(L)[None, :]
        ridx = lengths[:, None] - 1 - t
        ridx = np.where(ridx >= 0, ridx, 0)
        bidx = np.arange(B)[:, None]
        xf = X @ self.Wih_f
        xf += self.b_f
        xb = X[bidx, ridx] @ self.Wih_b
        xb += self.b_b
        hf = self._lstm(xf, self.Whh_f)
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

    def __init__(self, net: BiLstmCrf, featurizer: Featurizer, meta: dict):
        self.net = net
        self.featurizer = featurizer
        self.meta = meta
        self.max_chunk = int(meta.get("max_chunk", 160))
        self.batch_chars = int(meta.get("batch_chars", 8000))
        self.group_chars = int(meta.get("group_chars", 200_000))

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> "NerModel":
        d = os.fspath(path) if path is not None else DEFAULT_MODEL_DIR
        with open(os.path.join(d, "meta.json"), encoding="utf-8") as fh:
            meta = json.load(fh)
        with np.load(os.path.join(d, "features.npz")) as z:
            featurizer = Featurizer(FastVocab.from_arrays(z), FastLexicon.from_arrays(z))
        with np.load(os.path.join(d, "weights.npz")) as z:
            params = {k: z[k] for k in z.files}
        return cls(BiLstmCrf(params), featurizer, meta)

    # -------------------------------------------------------------- inference
    def _decode_chunks(self, chunks: list[str]) -> list[np.ndarray]:
        """Tag-id arrays for each chunk string, in order."""
        cid, bl, br, lex, starts, lengths = self.featurizer.batch(chunks)
        out: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(chunks)
        order = [i for i in np.argsort(lengths, kind="stable") if lengths[i] > 0]
        i = 0
        while i < len(order):
            # group chunks of similar length, up to batch_chars padded characters
            j = i + 1
            while j < len(order) and lengths[order[j]] * (j - i + 1) <= self.batch_chars:
                j += 1
            idx = np.asarray(order[i:j])
            L = int(lengths[idx].max())
            ar = np.arange(L)[None, :]
            valid = ar < lengths[idx][:, None]
            pos = np.where(valid, starts[idx][:, None] + ar, 0)
            em = self.net.emissions(
                np.where(valid, cid[pos], 0),
                np.where(valid, bl[pos], 0),
                np.where(valid, br[pos], 0),
                lex[pos] * valid[:, :, None],
                lengths[idx],
            )
            for r, path in enumerate(self.net.viterbi(em, lengths[idx])):
                out[idx[r]] = path
            i = j
        return out

    def predict_tags(self, texts: Sequence[str]) -> list[list[str]]:
        """Per-character BIO tags (used for evaluation)."""
        pieces = []  # (text index, start)
        chunks = []
        for ti, text in enumerate(texts):
            for s, e in chunk_spans(text, self.max_chunk):
                pieces.append((ti, s))
                chunks.append(text[s:e])
        tags = [["O"] * len(t) for t in texts]
        # decode in groups of ~group_chars characters to bound memory on huge inputs
        g0, size = 0, 0
        for g in range(len(chunks) + 1):
            if g == len(chunks) or (size >= self.group_chars and g > g0):
                paths = self._decode_chunks(chunks[g0:g]) if g > g0 else []
                for (ti, s), path in zip(pieces[g0:g], paths):
                    row = tags[ti]
                    for k, tid in enumerate(path.tolist()):
                        if tid:
                            row[s + k] = TAGS[tid]
                g0, size = g, 0
            if g < len(chunks):
                size += len(chunks[g])
        return tags

    def predict(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        if isinstance(texts, str):
            raise TypeError("predict() takes a list of strings")
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
