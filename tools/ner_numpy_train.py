"""Pure-numpy training backend for the BiLSTM-CRF (same parameters / export format as
the torch backend). Slow compared with torch; used when torch is not installed, e.g. in
tests that train a tiny model. Gradients are checked numerically in tests/test_ner.py.
"""
from __future__ import annotations

import random
import time

import numpy as np

from pipeline.ner.features import N_LEX, TAGS


def _sig(x):
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def _lse(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def init_params(cfg, n_chars, n_bigrams, rng: np.random.RandomState, dtype=np.float32):
    H = cfg["hidden"]
    dc, db = cfg["char_dim"], cfg["bigram_dim"]
    D = dc + 2 * db + cfg.get("n_lex", N_LEX)
    T = len(TAGS)
    k = 1.0 / np.sqrt(H)
    u = lambda *s, a=k: rng.uniform(-a, a, size=s).astype(dtype)  # noqa: E731
    p = {
        "emb_c": u(n_chars, dc, a=0.1),
        "emb_b": u(n_bigrams, db, a=0.1),
        "Wih_f": u(4 * H, D), "Whh_f": u(4 * H, H), "b_f": u(4 * H) * 2,
        "Wih_b": u(4 * H, D), "Whh_b": u(4 * H, H), "b_b": u(4 * H) * 2,
        "W_out": u(T, 2 * H, a=1.0 / np.sqrt(2 * H)), "b_out": u(T, a=1.0 / np.sqrt(2 * H)),
        "trans": np.zeros((T, T), dtype), "start": np.zeros(T, dtype), "end": np.zeros(T, dtype),
    }
    p["emb_c"][0] = 0
    p["emb_b"][0] = 0
    return p


def _lstm_fwd(xp, Whh):
    B, L, H4 = xp.shape
    H = H4 // 4
    h = np.zeros((B, H), xp.dtype)
    c = np.zeros((B, H), xp.dtype)
    hs = np.zeros((B, L + 1, H), xp.dtype)  # hs[:, t+1] = h_t ; hs[:, 0] = 0
    cs = np.zeros((B, L + 1, H), xp.dtype)
    gates = np.zeros((B, L, H4), xp.dtype)
    for t in range(L):
        g = xp[:, t] + h @ Whh.T
        i = _sig(g[:, :H])
        f = _sig(g[:, H:2 * H])
        gg = np.tanh(g[:, 2 * H:3 * H])
        o = _sig(g[:, 3 * H:])
        c = f * c + i * gg
        h = o * np.tanh(c)
        gates[:, t] = np.concatenate([i, f, gg, o], axis=1)
        hs[:, t + 1] = h
        cs[:, t + 1] = c
    return hs, cs, gates


def _lstm_bwd(dh_out, hs, cs, gates, Whh):
    B, L, H = dh_out.shape
    dxp = np.zeros((B, L, 4 * H), dh_out.dtype)
    dWhh = np.zeros_like(Whh)
    dh_next = np.zeros((B, H), dh_out.dtype)
    dc_next = np.zeros((B, H), dh_out.dtype)
    for t in range(L - 1, -1, -1):
        i, f, gg, o = np.split(gates[:, t], 4, axis=1)
        c = cs[:, t + 1]
        tc = np.tanh(c)
        dh = dh_out[:, t] + dh_next
        do = dh * tc
        dc = dc_next + dh * o * (1 - tc * tc)
        di = dc * gg
        dgg = dc * i
        df = dc * cs[:, t]
        dc_next = dc * f
        dg = np.concatenate([di * i * (1 - i), df * f * (1 - f), dgg * (1 - gg * gg), do * o * (1 - o)], axis=1)
        dxp[:, t] = dg
        dWhh += dg.T @ hs[:, t]
        dh_next = dg @ Whh
    return dxp, dWhh


def _crf(em, y, mask, trans, start, end):
    """Mean NLL over the batch and gradients wrt em, trans, start, end."""
    B, L, T = em.shape
    lengths = mask.sum(1)
    ar = np.arange(B)
    # gold score
    gold = start[y[:, 0]] + em[ar, 0, y[:, 0]]
    for t in range(1, L):
        gold = gold + mask[:, t] * (em[ar, t, y[:, t]] + trans[y[:, t - 1], y[:, t]])
    last = y[ar, lengths - 1]
    gold = gold + end[last]
    # forward
    alpha = np.zeros((B, L, T), em.dtype)
    alpha[:, 0] = start + em[:, 0]
    for t in range(1, L):
        nxt = _lse(alpha[:, t - 1][:, :, None] + trans[None] + em[:, t][:, None, :], axis=1)
        alpha[:, t] = np.where(mask[:, t][:, None], nxt, alpha[:, t - 1])
    logz = _lse(alpha[:, L - 1] + end, axis=1)
    # backward
    beta = np.zeros((B, L, T), em.dtype)
    beta[:, L - 1] = end
    for t in range(L - 2, -1, -1):
        rec = _lse(trans[None] + (em[:, t + 1] + beta[:, t + 1])[:, None, :], axis=2)
        beta[:, t] = np.where((t + 1 < lengths)[:, None], rec, end[None, :])
    loss = (logz - gold).sum() / B
    # marginals
    marg = np.exp(alpha + beta - logz[:, None, None]) * mask[:, :, None]
    dem = marg.copy()
    dem[ar[:, None], np.arange(L)[None, :], y] -= mask
    dtrans = np.zeros_like(trans)
    for t in range(1, L):
        pw = np.exp(alpha[:, t - 1][:, :, None] + trans[None] + (em[:, t] + beta[:, t])[:, None, :]
                    - logz[:, None, None])
        pw *= mask[:, t][:, None, None]
        dtrans += pw.sum(0)
        np.add.at(dtrans, (y[:, t - 1], y[:, t]), -mask[:, t].astype(em.dtype))
    dstart = marg[:, 0].sum(0)
    np.add.at(dstart, y[:, 0], -1.0)
    dend = np.exp(alpha[ar, lengths - 1] + end - logz[:, None]).sum(0)
    np.add.at(dend, last, -1.0)
    return loss, dem / B, dtrans / B, dstart / B, dend / B


def loss_and_grads(p, batch, cfg, rng=None, train=True):
    """Forward + backward for one padded batch. Returns (loss, grads dict)."""
    cid, bl, br, lex, y, mask = batch
    B, L = cid.shape
    dc, db = p["emb_c"].shape[1], p["emb_b"].shape[1]
    dt = p["Wih_f"].dtype
    e = np.concatenate([p["emb_c"][cid], p["emb_b"][bl], p["emb_b"][br]], axis=-1)
    if train and cfg.get("dropout_emb", 0) > 0:
        keep = 1 - cfg["dropout_emb"]
        de_mask = (rng.random_sample(e.shape) < keep).astype(dt) / keep
    else:
        de_mask = np.ones(e.shape, dt)
    X = np.concatenate([e * de_mask, lex.astype(dt)], axis=-1)
    lengths = mask.sum(1)
    tt = np.arange(L)[None, :]
    ridx = lengths[:, None] - 1 - tt
    valid = ridx >= 0
    ridx = np.where(valid, ridx, 0)
    bidx = np.arange(B)[:, None]
    Xr = X[bidx, ridx] * valid[:, :, None]
    hs_f, cs_f, g_f = _lstm_fwd(X @ p["Wih_f"].T + p["b_f"], p["Whh_f"])
    hs_b, cs_b, g_b = _lstm_fwd(Xr @ p["Wih_b"].T + p["b_b"], p["Whh_b"])
    hf = hs_f[:, 1:]
    hb = hs_b[:, 1:][bidx, ridx] * valid[:, :, None]
    Hc = np.concatenate([hf, hb], axis=-1)
    if train and cfg.get("dropout_out", 0) > 0:
        keep = 1 - cfg["dropout_out"]
        do_mask = (rng.random_sample(Hc.shape) < keep).astype(dt) / keep
    else:
        do_mask = np.ones(Hc.shape, dt)
    Hd = Hc * do_mask
    em = Hd @ p["W_out"].T + p["b_out"]
    loss, dem, dtr, dst, den = _crf(em, y, mask, p["trans"], p["start"], p["end"])
    g = {"trans": dtr, "start": dst, "end": den}
    g["W_out"] = np.einsum("blt,blh->th", dem, Hd)
    g["b_out"] = dem.sum((0, 1))
    dH = (dem @ p["W_out"]) * do_mask
    H = hf.shape[-1]
    dhf = dH[:, :, :H] * mask[:, :, None]
    dhb = dH[:, :, H:] * mask[:, :, None]
    dhb_r = dhb[bidx, ridx] * valid[:, :, None]
    dxp_f, g["Whh_f"] = _lstm_bwd(dhf, hs_f, cs_f, g_f, p["Whh_f"])
    dxp_b, g["Whh_b"] = _lstm_bwd(dhb_r, hs_b, cs_b, g_b, p["Whh_b"])
    g["Wih_f"] = np.einsum("blg,bld->gd", dxp_f, X)
    g["b_f"] = dxp_f.sum((0, 1))
    g["Wih_b"] = np.einsum("blg,bld->gd", dxp_b, Xr)
    g["b_b"] = dxp_b.sum((0, 1))
    dX = dxp_f @ p["Wih_f"]
    dXr = dxp_b @ p["Wih_b"]
    dX = dX + dXr[bidx, ridx] * valid[:, :, None]
    de = dX[:, :, : dc + 2 * db] * de_mask * mask[:, :, None]
    gc = np.zeros_like(p["emb_c"])
    gb = np.zeros_like(p["emb_b"])
    np.add.at(gc, cid, de[:, :, :dc])
    np.add.at(gb, bl, de[:, :, dc:dc + db])
    np.add.at(gb, br, de[:, :, dc + db:])
    gc[0] = 0
    gb[0] = 0
    g["emb_c"], g["emb_b"] = gc, gb
    return loss, g


def train_numpy(cfg, train_ex, vocab, seed, on_epoch):

    rs = np.random.RandomState(seed)
    p = init_params(cfg, vocab.n_chars, vocab.n_bigrams, rs)
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    b1, b2, eps = 0.9, 0.999, 1e-8
    lr = cfg["lr"]
    step = 0
    rng = random.Random(seed)
    t0 = time.time()
    for epoch in range(1, cfg["epochs"] + 1):
        tot, nb = 0.0, 0
        stop = False
        for idx in batches(train_ex, cfg["batch_size"], rng):
            batch = pad_batch(train_ex, idx)
            loss, g = loss_and_grads(p, batch, cfg, rs, train=True)
            norm = np.sqrt(sum(float((x * x).sum()) for x in g.values()))
            scale = min(1.0, cfg["clip"] / (norm + 1e-6))
            step += 1
            for k in p:
                gk = g[k] * scale
                m[k] = b1 * m[k] + (1 - b1) * gk
                v[k] = b2 * v[k] + (1 - b2) * gk * gk
                mh = m[k] / (1 - b1 ** step)
                vh = v[k] / (1 - b2 ** step)
                p[k] -= (lr * mh / (np.sqrt(vh) + eps)).astype(p[k].dtype)
            tot += loss
            nb += 1
            if (time.time() - t0) / 60 > cfg["max_minutes"]:
                stop = True
                break
        lr *= cfg["lr_decay"]
        log(f"numpy epoch {epoch} loss {tot / max(nb, 1):.3f}")
        on_epoch(epoch, {k: x.copy() for k, x in p.items()}, tot / max(nb, 1))
        if stop:
            break


# ------------------------------------------------------------------ shared with ner_train
def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def batches(examples, batch_size, rng: random.Random):
    """Length-bucketed batches in random order."""
    idx = sorted(range(len(examples)), key=lambda i: (len(examples[i][0]), rng.random()))
    bs = [idx[i:i + batch_size] for i in range(0, len(idx), batch_size)]
    rng.shuffle(bs)
    return bs


def pad_batch(examples, idx):
    B = len(idx)
    L = max(len(examples[i][0]) for i in idx)
    cid = np.zeros((B, L), dtype=np.int64)
    bl = np.zeros((B, L), dtype=np.int64)
    br = np.zeros((B, L), dtype=np.int64)
    lex = np.zeros((B, L, examples[idx[0]][3].shape[1]), dtype=np.float32)
    y = np.zeros((B, L), dtype=np.int64)
    mask = np.zeros((B, L), dtype=bool)
    for r, i in enumerate(idx):
        c, a, b, x, t = examples[i]
        n = len(c)
        cid[r, :n], bl[r, :n], br[r, :n], lex[r, :n], y[r, :n] = c, a, b, x, t
        mask[r, :n] = True
    return cid, bl, br, lex, y, mask
