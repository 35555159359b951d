"""Train the BiLSTM-CRF NER model.

    OMP_NUM_THREADS=1 python -m tools.ner_train --data ../shared/corpora/ner/msra \
        --out pipeline/ner/model --seed 1

Reads ``msra_train_bio`` from --data (or --train FILE), keeps the last ``dev_size``
sentences (config) as a dev split, adds synthetic name-list sentences built from the
training split's PER entities (``aug_name_lists``), and trains with torch when it is
importable (``--backend torch``, one CPU thread) or with the built-in numpy
implementation (``--backend numpy``: slow, meant for tiny models and tests). After every
epoch whose dev F1 is the best so far it exports to --out:

  weights.npz   network weights (embeddings float16, the rest float32)
  features.npz  char / bigram vocabulary keys and the hashed jieba lexicon tables
  meta.json     config, seed, epoch, dev scores

Hyper-parameters live in pipeline/ner/config.json (--config to use another file).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time

import numpy as np

from pipeline.ner.evaluate import prf
from tools.ner_numpy_train import batches, log, pad_batch
from pipeline.ner.features import (
    FEATURE_NAMES,
    LEX_CATS,
    TAG2ID,
    TAGS,
    FastLexicon,
    FastVocab,
    Featurizer,
    build_vocab,
    chunk_spans,
    jieba_words,
    read_bio,
    tags_to_spans,
)

CONFIG_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pipeline", "ner", "config.json")


# ------------------------------------------------------------------ data
def chunk_sentence(text: str, tags: list[str], max_len: int):
    allowed = lambda p: p >= len(tags) or not tags[p].startswith("I-")  # noqa: E731
    return [(text[s:e], tags[s:e]) for s, e in chunk_spans(text, max_len, allowed)]


def make_examples(sents, featurizer: Featurizer, max_len):
    pieces = [p for text, tags in sents for p in chunk_sentence(text, tags, max_len)]
    cid, bl, br, lex, starts, lengths = featurizer.batch([t for t, _ in pieces])
    ex = []
    for (t, tg), s, n in zip(pieces, starts.tolist(), lengths.tolist()):
        if n == 0:
            continue
        y = np.asarray([TAG2ID.get(x, 0) for x in tg], dtype=np.int64)
        ex.append((cid[s:s + n], bl[s:s + n], br[s:s + n], lex[s:s + n], y))
    return ex


_ETHNIC = ("藏族", "回族", "满族", "蒙古族", "维吾尔族", "壮族", "苗族", "彝族", "朝鲜族", "土家族", "白族", "女")
_LIST_PREFIX = ("", "", "委员：", "名单：", "成员：", "出席会议的有", "参加会见的有", "他们是")
_LIST_SUFFIX = ("", "。", "等。", "等人。", "，")


def name_list_sentences(sents, n, rng: random.Random):
    """Synthetic name lists (names written back to back, as in official member lists).

    The corpus has few adjacent PER entities, so a model learns to chain them into one
    span; these sentences, built from the training split's own PER entities, teach it to
    split them.
    """
    names = sorted({text[s:e] for text, tags in sents for s, e, lab in tags_to_spans(tags)
                    if lab == "PER" and e - s >= 2})
    out = []
    if not names or n <= 0:
        return out
    for _ in range(n):
        k = rng.randint(2, 20)
        sep = rng.choice(["", "", "", "、", " "])
        pre = rng.choice(_LIST_PREFIX)
        text, tags = pre, ["O"] * len(pre)
        for j in range(k):
            if j and sep:
                text += sep
                tags.append("O")
            nm = rng.choice(names)
            text += nm
            tags += ["B-PER"] + ["I-PER"] * (len(nm) - 1)
            if rng.random() < 0.08:
                extra = "（" + rng.choice(_ETHNIC) + "）"
                text += extra
                tags += ["O"] * len(extra)
        suf = rng.choice(_LIST_SUFFIX)
        text += suf
        tags += ["O"] * len(suf)
        out.append((text, tags))
    return out


# ------------------------------------------------------------------ scoring
# ------------------------------------------------------------------ export
def export(out_dir, params: dict, featurizer: Featurizer, meta: dict):
    os.makedirs(out_dir, exist_ok=True)
    tmp = {k: v for k, v in params.items()}
    # embeddings in float16 (size), the rest float32
    for k in ("emb_c", "emb_b"):
        tmp[k] = tmp[k].astype(np.float16)
    np.savez(os.path.join(out_dir, "weights.npz.tmp.npz"), **tmp)
    os.replace(os.path.join(out_dir, "weights.npz.tmp.npz"), os.path.join(out_dir, "weights.npz"))
    fpath = os.path.join(out_dir, "features.npz")
    np.savez_compressed(fpath + ".tmp.npz", **featurizer.vocab.to_arrays(), **featurizer.lexicon.to_arrays())
    os.replace(fpath + ".tmp.npz", fpath)
    for stale in ("vocab.json.gz", "lexicon.txt.gz"):  # files of an older format
        if os.path.exists(os.path.join(out_dir, stale)):
            os.remove(os.path.join(out_dir, stale))
    m = {k: v for k, v in meta.items() if not k.startswith("_")}
    m["features"] = list(FEATURE_NAMES)
    for name in ("weights", "features"):  # the files this meta describes (checked by tests/test_ner.py)
        with open(os.path.join(out_dir, f"{name}.npz"), "rb") as fh:
            m[f"{name}_sha256"] = hashlib.sha256(fh.read()).hexdigest()
    with open(os.path.join(out_dir, "meta.json"), "w", encoding="utf-8") as fh:
        json.dump(m, fh, ensure_ascii=False, indent=1)


def evaluate_examples(model, sents, max_chunk):
    """Dev F1 with the numpy inference path on raw sentences."""
    texts = [t for t, _ in sents]
    pred = model.predict(texts)
    gold = [tags_to_spans(tg) for _, tg in sents]
    return prf(gold, pred)


# ------------------------------------------------------------------ torch backend
def train_torch(cfg, train_ex, vocab, seed, on_epoch):
    import torch
    import torch.nn as nn

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    T = len(TAGS)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb_c = nn.Embedding(vocab.n_chars, cfg["char_dim"], padding_idx=0)
            self.emb_b = nn.Embedding(vocab.n_bigrams, cfg["bigram_dim"], padding_idx=0)
            nn.init.uniform_(self.emb_c.weight, -0.1, 0.1)
            nn.init.uniform_(self.emb_b.weight, -0.1, 0.1)
            D = cfg["char_dim"] + 2 * cfg["bigram_dim"] + cfg["n_lex"]
            self.drop_e = nn.Dropout(cfg["dropout_emb"])
            self.lstm = nn.LSTM(D, cfg["hidden"], batch_first=True, bidirectional=True)
            self.drop_o = nn.Dropout(cfg["dropout_out"])
            self.out = nn.Linear(2 * cfg["hidden"], T)
            self.trans = nn.Parameter(torch.zeros(T, T))
            self.start = nn.Parameter(torch.zeros(T))
            self.end = nn.Parameter(torch.zeros(T))

        def emissions(self, cid, bl, br, lex, lengths):
            x = torch.cat([self.emb_c(cid), self.emb_b(bl), self.emb_b(br)], dim=-1)
            x = self.drop_e(x)
            x = torch.cat([x, lex], dim=-1)
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=x.shape[1])
            return self.out(self.drop_o(h))

        def nll(self, em, y, mask):
            B, L, _ = em.shape
            maskf = mask.float()
            # gold path score
            s = self.start[y[:, 0]] + em[:, 0].gather(1, y[:, :1]).squeeze(1)
            e_sc = em.gather(2, y.unsqueeze(2)).squeeze(2)  # (B, L)
            tr = self.trans[y[:, :-1], y[:, 1:]]  # (B, L-1)
            s = s + ((e_sc[:, 1:] + tr) * maskf[:, 1:]).sum(1)
            last = mask.long().sum(1) - 1
            s = s + self.end[y.gather(1, last.unsqueeze(1)).squeeze(1)]
            # partition function
            alpha = self.start.unsqueeze(0) + em[:, 0]
            for t in range(1, L):
                nxt = torch.logsumexp(alpha.unsqueeze(2) + self.trans.unsqueeze(0) + em[:, t].unsqueeze(1), dim=1)
                alpha = torch.where(mask[:, t].unsqueeze(1), nxt, alpha)
            logz = torch.logsumexp(alpha + self.end.unsqueeze(0), dim=1)
            return (logz - s).sum() / B

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=cfg["lr"])
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=cfg["lr_decay"])
    rng = random.Random(seed)
    nrs = np.random.RandomState(seed)
    bigram_unk = float(cfg.get("bigram_unk", 0) or 0)

    ema_decay = float(cfg.get("ema", 0) or 0)
    ema_every = int(cfg.get("ema_every", 10))
    ema = {k: v.detach().clone() for k, v in net.state_dict().items()} if ema_decay else None

    def export_params():
        src = ema if ema is not None else net.state_dict()
        sd = {k: v.detach().cpu().numpy().copy() for k, v in src.items()}
        return {
            "emb_c": sd["emb_c.weight"],
            "emb_b": sd["emb_b.weight"],
            "Wih_f": sd["lstm.weight_ih_l0"],
            "Whh_f": sd["lstm.weight_hh_l0"],
            "b_f": sd["lstm.bias_ih_l0"] + sd["lstm.bias_hh_l0"],
            "Wih_b": sd["lstm.weight_ih_l0_reverse"],
            "Whh_b": sd["lstm.weight_hh_l0_reverse"],
            "b_b": sd["lstm.bias_ih_l0_reverse"] + sd["lstm.bias_hh_l0_reverse"],
            "W_out": sd["out.weight"],
            "b_out": sd["out.bias"],
            "trans": sd["trans"],
            "start": sd["start"],
            "end": sd["end"],
        }

    t0 = time.time()
    for epoch in range(1, cfg["epochs"] + 1):
        net.train()
        tot, nb = 0.0, 0
        bl_list = batches(train_ex, cfg["batch_size"], rng)
        stop = False
        for bi, idx in enumerate(bl_list):
            cid, bl, br, lex, y, mask = pad_batch(train_ex, idx)
            if bigram_unk > 0:
                bl = np.where((bl > 1) & (nrs.random_sample(bl.shape) < bigram_unk), 1, bl)
                br = np.where((br > 1) & (nrs.random_sample(br.shape) < bigram_unk), 1, br)
            lengths = torch.from_numpy(mask.sum(1))
            em = net.emissions(torch.from_numpy(cid), torch.from_numpy(bl), torch.from_numpy(br),
                               torch.from_numpy(lex), lengths)
            loss = net.nll(em, torch.from_numpy(y), torch.from_numpy(mask))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), cfg["clip"])
            opt.step()
            if ema is not None and bi % ema_every == 0:
                with torch.no_grad():
                    for k, v in net.state_dict().items():
                        ema[k].mul_(ema_decay).add_(v, alpha=1 - ema_decay)
            tot += loss.item()
            nb += 1
            if bi % 200 == 0:
                log(f"epoch {epoch} batch {bi}/{len(bl_list)} loss {tot / nb:.3f} elapsed {(time.time() - t0) / 60:.1f} min")
            if (time.time() - t0) / 60 > cfg["max_minutes"]:
                stop = True
                break
        sched.step()
        net.eval()
        on_epoch(epoch, export_params(), tot / max(nb, 1))
        if stop:
            log("time budget reached")
            break


# ------------------------------------------------------------------ main
def load_config(path=None, overrides=None):
    with open(path or CONFIG_PATH, encoding="utf-8") as fh:
        cfg = json.load(fh)
    for k, v in (overrides or {}).items():
        if v is not None:
            cfg[k] = v
    return cfg


def run(data=None, out="pipeline/ner/model", seed=1, config=None, train_file=None, backend="auto",
        limit=None, overrides=None):
    cfg = load_config(config, overrides)
    random.seed(seed)
    np.random.seed(seed)
    train_file = train_file or os.path.join(data, "msra_train_bio")
    sents = read_bio(train_file)
    if limit:
        sents = sents[:limit]
    dev_size = min(cfg["dev_size"], len(sents) // 5)
    train_s, dev_s = (sents[:-dev_size], sents[-dev_size:]) if dev_size else (sents, sents[:0])
    log(f"train {len(train_s)} sentences, dev {len(dev_s)}")
    vocab = FastVocab.from_vocab(build_vocab((t for t, _ in train_s), cfg["char_min_count"], cfg["bigram_min_count"]))
    cats = tuple(cfg.get("lex_cats", LEX_CATS))
    words = jieba_words(min_freq=cfg["lexicon_min_freq"], max_len=cfg["lexicon_max_len"], cats=cats)
    featurizer = Featurizer(vocab, FastLexicon.from_words(words, cfg["lexicon_max_len"], len(cats)))
    cfg["n_lex"] = featurizer.n_lex
    log(f"vocab chars {vocab.n_chars} bigrams {vocab.n_bigrams} lexicon {len(words)}")
    aug = name_list_sentences(train_s, int(cfg.get("aug_name_lists", 0)), random.Random(seed + 1))
    if aug:
        log(f"{len(aug)} synthetic name-list sentences")
    train_ex = make_examples(train_s + aug, featurizer, cfg["train_max_chunk"])
    log(f"{len(train_ex)} training chunks")

    if backend == "auto":
        try:
            import torch  # noqa: F401

            backend = "torch"
        except ImportError:
            backend = "numpy"
    log(f"backend {backend}")

    from pipeline.ner import BiLstmCrf, NerModel

    meta = {
        "model": "bilstm-crf",
        "features": ["char", "char-bigram-left", "char-bigram-right", "jieba-lexicon-bmes:" + ",".join(cats)],
        "tags": list(TAGS),
        "config": cfg,
        "seed": seed,
        "backend": backend,
        "train_sentences": len(train_s),
        "dev_sentences": len(dev_s),
        "max_chunk": cfg["max_chunk"],
    }
    best = {"f1": -1.0}
    t0 = time.time()

    def on_epoch(epoch, params, loss):
        model = NerModel(BiLstmCrf(params), featurizer, meta)
        dev = evaluate_examples(model, dev_s, cfg["max_chunk"]) if dev_s else None  # no dev split: the last epoch
        f1 = dev["overall"]["f1"] if dev else 0.0
        log(f"epoch {epoch} loss {loss:.3f} dev "
            + (json.dumps(dev["overall"]) + " " + " ".join(f"{k}={dev[k]['f1']}" for k in ("PER", "LOC", "ORG") if k in dev)
               if dev else "none"))
        if f1 > best["f1"] or not dev_s:
            best["f1"] = f1
            meta.update({"epoch": epoch, "dev": dev, "train_minutes": round((time.time() - t0) / 60, 1)})
            export(out, params, featurizer, meta)
            log(f"exported to {out}")

    if backend == "torch":
        train_torch(cfg, train_ex, vocab, seed, on_epoch)
    else:
        from tools.ner_numpy_train import train_numpy

        train_numpy(cfg, train_ex, vocab, seed, on_epoch)
    log(f"done; best dev F1 {best['f1']}")
    return best["f1"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/corpora/ner/msra", help="dir with msra_train_bio")
    ap.add_argument("--train", default=None, help="explicit BIO training file (overrides --data)")
    ap.add_argument("--out", default="pipeline/ner/model")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--config", default=None, help="JSON config (default pipeline/ner/config.json)")
    ap.add_argument("--backend", choices=["auto", "torch", "numpy"], default="auto")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N sentences")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--max-minutes", type=float, default=None)
    ap.add_argument("--hidden", type=int, default=None)
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    run(args.data, args.out, args.seed, args.config, args.train, args.backend, args.limit,
        {"epochs": args.epochs, "max_minutes": args.max_minutes, "hidden": args.hidden})


if __name__ == "__main__":
    sys.exit(main())
