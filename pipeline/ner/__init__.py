"""Statistical Chinese NER (PER / LOC / ORG) with numpy-only inference.

Model: character BiLSTM-CRF over char + char-bigram embeddings and jieba-dictionary
word-boundary (lexicon) features. Trained with ``python -m tools.ner_train`` (make train-ner);
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
        # the LSTM carries h2 = 2h (see _lstm): the recurrent weights and the output layer take h2 / 2
        self.Whh = np.stack([self.Whh_f, self.Whh_b]) * np.float32(0.5)
        self.W_out *= np.float32(0.5)
        self.dc, self.db = self.emb_c.shape[1], self.emb_b.shape[1]

    def _fold_gates(self, w: np.ndarray) -> np.ndarray:
        """Reorder the gate columns (last axis) from torch's i f g o to i f o g and halve i, f, o,
        so that one tanh of the pre-activation gives every gate: sigmoid(x) = (tanh(x / 2) + 1) / 2."""
        H = self.H
        i, f, g, o = (w[..., k * H:(k + 1) * H] for k in range(4))
        return np.ascontiguousarray(np.concatenate([i * 0.5, f * 0.5, o * 0.5, g], axis=-1), dtype=np.float32)

    # -- both directions of the LSTM at once over a padded batch (2, L, B, 4H) of pre-computed
    # input projections (direction 1 runs over the reversed sequences; weights folded by _fold_gates).
    def _lstm(self, xp: np.ndarray) -> np.ndarray:
        """Returns h2 = 2h, shape (2, L, B, H). With t = tanh(z) of the folded pre-activation,
        i2 = t_i + 1 = 2 sigmoid(.), likewise f2 and o2, and g = t_g:
        c = (f2 c + i2 g) / 2 and h2 = o2 tanh(c)."""
        _, L, B, _ = xp.shape
        H = self.H
        h = np.zeros((2, B, H), dtype=np.float32)
        c = np.zeros((2, B, H), dtype=np.float32)
        z = np.empty((2, B, 4 * H), dtype=np.float32)
        tmp = np.empty((2, B, H), dtype=np.float32)
        out = np.empty((2, L, B, H), dtype=np.float32)
        zi, zf, zo, zg = z[..., :H], z[..., H:2 * H], z[..., 2 * H:3 * H], z[..., 3 * H:]
        zifo = z[..., :3 * H]
        Whh = self.Whh
        for t in range(L):
            np.matmul(h, Whh, out=z)
            z += xp[:, t]
            np.tanh(z, out=z)
            zifo += 1.0
            c *= zf
            np.multiply(zi, zg, out=tmp)
            c += tmp
            c *= 0.5
            np.tanh(c, out=tmp)
            np.multiply(zo, tmp, out=h)
            out[:, t] = h
        return out

    @staticmethod
    def _distinct(ids: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(distinct values, index of each element among them) for ids in [0, n): a presence map
        over [0, n) for large batches, a sort for small ones (the cost follows the text, not n)."""
        if len(ids) * 16 < n:
            u, inv = np.unique(ids, return_inverse=True)
            return u, inv.reshape(-1)
        present = np.zeros(n, dtype=bool)
        present[ids] = True
        u = np.flatnonzero(present)
        rank = np.cumsum(present, dtype=np.intp) - 1
        return u, rank[ids]

    def input_tables(self, cid, bl, br, lex):
        """Input projections of the distinct (char, lexicon pattern) pairs and bigrams of a batch.

        The LSTM input is [emb_c[cid], emb_b[bl], emb_b[br], lex] @ Wih + b, linear in each
        part, so each part is projected once per distinct value and gathered per position:
        text repeats its characters, bigrams and lexicon patterns many times over.
        Returns per direction three tables and the per-position row index into each.
        """
        dc, db = self.dc, self.db
        bits = np.packbits(lex.astype(bool), axis=1, bitorder="little")
        keys8 = np.zeros((len(lex), 8), dtype=np.uint8)
        keys8[:, : bits.shape[1]] = bits
        _, lex_rank = np.unique(keys8.view(np.uint64).ravel(), return_inverse=True)
        pair = lex_rank.reshape(-1).astype(np.int64) * len(self.emb_c) + cid
        _, first, inv_cl = np.unique(pair, return_index=True, return_inverse=True)
        parts = [(np.concatenate([self.emb_c[cid[first]], lex[first]], axis=1),
                  np.r_[0:dc, dc + 2 * db:dc + 2 * db + lex.shape[1]], inv_cl.reshape(-1))]
        for ids, lo in ((bl, dc), (br, dc + db)):
            u, inv = self._distinct(ids, len(self.emb_b))
            parts.append((self.emb_b[u], np.r_[lo:lo + db], inv))
        tables = {"f": [], "b": []}
        index = []
        for k, (x, rows, inv) in enumerate(parts):
            index.append(inv.astype(np.intp))
            for d, W, b in (("f", self.Wih_f, self.b_f), ("b", self.Wih_b, self.b_b)):
                P = x @ W[rows]
                if k == 0:
                    P += b
                tables[d].append(np.ascontiguousarray(P, dtype=np.float32))
        return tables, index

    @staticmethod
    def _gather(tables, index, pos, out):
        """Sum of table rows for positions ``pos`` (any shape) into out (pos.shape + (4H,))."""
        np.take(tables[0], index[0][pos], axis=0, out=out, mode="clip")
        buf = np.empty_like(out)
        for P, ix in zip(tables[1:], index[1:]):
            np.take(P, ix[pos], axis=0, out=buf, mode="clip")
            out += buf
        return out

    def emissions_at(self, tables, index, pos: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """pos: (B, L) flat positions into the arrays given to input_tables (padding: any
        valid position); lengths: (B,). Returns emissions (B, L, T)."""
        B, L = pos.shape
        t = np.arange(L)[None, :]
        ridx = lengths[:, None] - 1 - t
        ridx = np.where(ridx >= 0, ridx, 0)
        bidx = np.arange(B)[:, None]
        # time-major so that each LSTM step reads one contiguous block per direction
        xp = np.empty((2, L, B, 4 * self.H), dtype=np.float32)
        self._gather(tables["f"], index, pos.T, xp[0])
        self._gather(tables["b"], index, pos[bidx, ridx].T, xp[1])
        h = self._lstm(xp)
        em = h[0] @ self.W_out[: self.H]
        em += (h[1] @ self.W_out[self.H:])[ridx.T, bidx.T]  # un-reverse (self-inverse)
        em += self.b_out
        return em.transpose(1, 0, 2)

    def emissions(self, cid, bl, br, lex, lengths) -> np.ndarray:
        """cid/bl/br: (B, L) int; lex: (B, L, N_LEX); lengths: (B,). Returns (B, L, T)."""
        B, L = cid.shape
        tables, index = self.input_tables(cid.reshape(-1), bl.reshape(-1), br.reshape(-1),
                                          lex.reshape(B * L, -1))
        return self.emissions_at(tables, index, np.arange(B * L).reshape(B, L), lengths)

    def viterbi(self, em: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
        B, L, T = em.shape
        score = self.start[None, :] + em[:, 0]
        bps = np.empty((B, L, T), dtype=np.int8)
        bps[:, 0] = np.arange(T)
        ident = np.arange(T)[None, :]
        shortest = int(lengths.min()) if B else 0
        trans = self.trans[None]
        for t in range(1, L):
            cand = score[:, :, None] + trans
            bp = cand.argmax(axis=1)
            best = cand.max(axis=1) + em[:, t]
            if t < shortest:  # every sequence of the batch is still running
                score = best
                bps[:, t] = bp
                continue
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
        self.batch_chars = int(meta.get("batch_chars", 4000))
        self.group_chars = int(meta.get("group_chars", 50_000))

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
        tables, index = self.net.input_tables(cid, bl, br, lex)
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
            pos = np.where(valid, starts[idx][:, None] + ar, starts[idx][:, None])
            em = self.net.emissions_at(tables, index, pos, lengths[idx])
            for r, path in enumerate(self.net.viterbi(em, lengths[idx])):
                out[idx[r]] = path
            i = j
        return out

    def predict_ids(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Per-character tag ids (indices into TAGS) of each text."""
        pieces = []  # (text index, start)
        chunks = []
        for ti, text in enumerate(texts):
            for s, e in chunk_spans(text, self.max_chunk):
                pieces.append((ti, s))
                chunks.append(text[s:e])
        ids = [np.zeros(len(t), dtype=np.int8) for t in texts]
        # decode in groups of ~group_chars characters to bound memory on huge inputs
        g0, size = 0, 0
        for g in range(len(chunks) + 1):
            if g == len(chunks) or (size >= self.group_chars and g > g0):
                paths = self._decode_chunks(chunks[g0:g]) if g > g0 else []
                for (ti, s), path in zip(pieces[g0:g], paths):
                    ids[ti][s:s + len(path)] = path
                g0, size = g, 0
            if g < len(chunks):
                size += len(chunks[g])
        return ids

    def predict_tags(self, texts: Sequence[str]) -> list[list[str]]:
        """Per-character BIO tags (used for evaluation)."""
        return [[TAGS[i] for i in row.tolist()] for row in self.predict_ids(texts)]

    def predict(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        if isinstance(texts, str):
            raise TypeError("predict() takes a list of strings")
        out = []
        for text, ids in zip(texts, self.predict_ids(texts)):
            spans = []
            for s, e, lab in _id_spans(ids):
                # never return pure-whitespace or edge-whitespace spans
                while s < e and text[s].isspace():
                    s += 1
                while e > s and text[e - 1].isspace():
                    e -= 1
                if e > s and lab in LABELS:
                    spans.append((s, e, lab))
            out.append(spans)
        return out


_LABEL_OF = np.array([0] + [1 + LABELS.index(t[2:]) if t[2:] in LABELS else 1 + len(LABELS) for t in TAGS[1:]])
_IS_B = np.array([t.startswith("B-") for t in TAGS])


def _id_spans(ids: np.ndarray) -> list[tuple[int, int, str]]:
    """features.tags_to_spans on tag ids, in numpy: a span starts at a B- tag, or at an I- tag
    after O or after a tag of another label (a stray I- starts a span); it runs to the next start
    or O."""
    if len(ids) == 0:
        return []
    lab = _LABEL_OF[ids]
    prev = np.concatenate([[0], lab[:-1]])
    starts = (lab > 0) & (_IS_B[ids] | (lab != prev))
    nxt_start = np.concatenate([starts[1:], [True]])
    nxt_lab = np.concatenate([lab[1:], [0]])
    ends = (lab > 0) & (nxt_start | (nxt_lab == 0))
    s_idx, e_idx = np.flatnonzero(starts), np.flatnonzero(ends) + 1
    return [(s, e, TAGS[ids[s]][2:]) for s, e in zip(s_idx.tolist(), e_idx.tolist())]
