"""Tests for the statistical NER model (pipeline.ner). Run with the plain .venv (no torch)."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from pipeline.ner import DEFAULT_MODEL_DIR, LABELS, NerModel
from pipeline.ner.features import chunk_spans, read_testright, tags_to_spans

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from pipeline.paths import SHARED  # noqa: E402
MSRA = str(SHARED / "corpora" / "ner" / "msra")
need_shared = pytest.mark.skipif(
    not os.path.exists(os.path.join(MSRA, "msra_train_bio")),
    reason="../shared/corpora/ner/msra is missing (the training corpus is not in the repository)",
)


def _well_formed(texts, preds):
    assert len(preds) == len(texts)
    for text, spans in zip(texts, preds):
        assert isinstance(spans, list)
        prev_end = 0
        for s, e, lab in spans:
            assert isinstance(s, int) and isinstance(e, int)
            assert 0 <= s < e <= len(text)
            assert lab in LABELS
            assert s >= prev_end, "spans must not overlap and must be sorted"
            prev_end = e


@pytest.fixture(scope="module")
def shipped():
    return NerModel.load()


# ------------------------------------------------------------------ tiny training run
@need_shared
def test_tiny_training_run_numpy(tmp_path):
    from tools import ner_train as train

    # first 30 sentences of the real training file, through the real training entry point
    lines, n = [], 0
    with open(os.path.join(MSRA, "msra_train_bio"), encoding="utf-8") as fh:
        for line in fh:
            lines.append(line)
            if not line.strip():
                n += 1
                if n == 30:
                    break
    data = tmp_path / "tiny_bio"
    data.write_text("".join(lines), encoding="utf-8")
    cfg = json.load(open(train.CONFIG_PATH, encoding="utf-8"))
    cfg.update(char_dim=8, bigram_dim=8, hidden=8, epochs=2, batch_size=8, bigram_min_count=1, dev_size=6)
    cfg_path = tmp_path / "tiny_config.json"
    cfg_path.write_text(json.dumps(cfg), encoding="utf-8")
    out = tmp_path / "model"
    train.main(["--train", str(data), "--out", str(out), "--seed", "3", "--config", str(cfg_path),
                "--backend", "numpy"])
    for f in ("weights.npz", "meta.json", "features.npz"):
        assert (out / f).exists(), f
    model = NerModel.load(str(out))
    texts = ["国务院总理李鹏在北京会见了美国客人。", "", "abc 123", "今天。" * 200, "上海" * 300]
    _well_formed(texts, model.predict(texts))
    # reproducible from a fixed seed
    out2 = tmp_path / "model2"
    train.main(["--train", str(data), "--out", str(out2), "--seed", "3", "--config", str(cfg_path),
                "--backend", "numpy"])
    with np.load(out / "weights.npz") as a, np.load(out2 / "weights.npz") as b:
        for k in a.files:
            np.testing.assert_array_equal(a[k], b[k])


def test_numpy_backend_gradients_match_finite_differences():
    from pipeline.ner.features import N_LEX
    from tools.ner_numpy_train import init_params, loss_and_grads

    rs = np.random.RandomState(0)
    cfg = dict(hidden=3, char_dim=4, bigram_dim=3, dropout_emb=0, dropout_out=0)
    p = init_params(cfg, 10, 12, rs, dtype=np.float64)
    B, L = 3, 5
    cid, bl, br = rs.randint(1, 10, (B, L)), rs.randint(1, 12, (B, L)), rs.randint(1, 12, (B, L))
    lex = (rs.rand(B, L, N_LEX) < 0.3).astype(np.float64)
    y = rs.randint(0, 7, (B, L))
    mask = np.arange(L)[None] < np.array([5, 3, 1])[:, None]
    batch = (cid, bl, br, lex, y, mask)
    _, g = loss_and_grads(p, batch, cfg, rs, train=False)
    for k in ("Wih_f", "Whh_b", "W_out", "trans", "end", "emb_b"):
        for _ in range(5):
            ix = tuple(rs.randint(0, s) for s in p[k].shape)
            o = p[k][ix]
            p[k][ix] = o + 1e-6
            l1, _ = loss_and_grads(p, batch, cfg, rs, train=False)
            p[k][ix] = o - 1e-6
            l2, _ = loss_and_grads(p, batch, cfg, rs, train=False)
            p[k][ix] = o
            assert abs((l1 - l2) / 2e-6 - g[k][ix]) < 1e-5, (k, ix)


# ------------------------------------------------------------------ shipped model
def _texts_of(text, spans, label):
    return {text[s:e] for s, e, lab in spans if lab == label}


def test_shipped_model_finds_obvious_entities(shipped):
    texts = [
        "国务院总理李鹏今天在北京会见了日本客人。",
        "广东省去年的经济增长速度明显加快。",
        "华为技术有限公司今年在深圳发布了新产品。",
        "今天天气很好，我们一起去公园散步吧。",
        "中国人民银行宣布下调存款准备金率。",
    ]
    preds = shipped.predict(texts)
    _well_formed(texts, preds)
    assert "李鹏" in _texts_of(texts[0], preds[0], "PER")
    assert "北京" in _texts_of(texts[0], preds[0], "LOC")
    assert "日本" in _texts_of(texts[0], preds[0], "LOC")
    assert "广东省" in _texts_of(texts[1], preds[1], "LOC")
    assert "华为技术有限公司" in _texts_of(texts[2], preds[2], "ORG")
    assert "深圳" in _texts_of(texts[2], preds[2], "LOC")
    assert preds[3] == []  # nothing to find
    assert "中国人民银行" in _texts_of(texts[4], preds[4], "ORG")
    # negatives beside positives: no PER/ORG in sentence 1, no PER in sentence 2
    assert not _texts_of(texts[1], preds[1], "PER") and not _texts_of(texts[1], preds[1], "ORG")
    assert not _texts_of(texts[2], preds[2], "PER")


def test_shipped_model_long_and_odd_inputs(shipped):
    para = "新华社北京电，国务院总理李鹏今天会见了来访的客人。" * 150 + "上海市" + "，" * 500
    texts = [para, "", " ", "ＡＢＣ１２３", "a" * 5000, "李鹏\ud800在北京。\n\n上海\r\n"]
    preds = shipped.predict(texts)
    _well_formed(texts, preds)
    # decoding in small groups (memory bound for huge inputs) gives the same result
    small = NerModel(shipped.net, shipped.featurizer, dict(shipped.meta, group_chars=300))
    assert small.predict(texts) == preds
    assert preds[1] == [] and preds[2] == []
    pers = [para[s:e] for s, e, lab in preds[0] if lab == "PER"]
    assert pers.count("李鹏") >= 140
    with pytest.raises(TypeError):
        shipped.predict("李鹏")


def test_inference_network_matches_the_training_forward_pass(shipped):
    """The inference network (gate folding, per-distinct-input projection tables, time-major
    LSTM) gives the emissions of the plain forward pass the trainer differentiates."""
    from tools.ner_numpy_train import _lstm_fwd

    with np.load(os.path.join(DEFAULT_MODEL_DIR, "weights.npz")) as z:
        p = {k: z[k].astype(np.float64) for k in z.files}
    chunks = ["国务院总理李鹏今天在北京会见了日本客人。", "广东省", "华为技术有限公司今年在深圳发布了新产品，",
              "全年地区生产总值增长5.5%。", "京"]
    cid, bl, br, lex, starts, lengths = shipped.featurizer.batch(chunks)
    B, L = len(chunks), int(lengths.max())
    ar = np.arange(L)[None, :]
    valid = ar < lengths[:, None]
    pos = np.where(valid, starts[:, None] + ar, 0)
    c, a, b, x = cid[pos] * valid, bl[pos] * valid, br[pos] * valid, lex[pos] * valid[:, :, None]
    got = shipped.net.emissions(c, a, b, x, lengths)

    X = np.concatenate([p["emb_c"][c], p["emb_b"][a], p["emb_b"][b], x], axis=-1)
    ridx = np.where(lengths[:, None] - 1 - ar >= 0, lengths[:, None] - 1 - ar, 0)
    bidx = np.arange(B)[:, None]
    hf = _lstm_fwd(X @ p["Wih_f"].T + p["b_f"], p["Whh_f"])[0][:, 1:]
    hb = _lstm_fwd(X[bidx, ridx] @ p["Wih_b"].T + p["b_b"], p["Whh_b"])[0][:, 1:][bidx, ridx]
    want = np.concatenate([hf, hb], axis=-1) @ p["W_out"].T + p["b_out"]
    np.testing.assert_allclose(got[valid], want[valid], atol=2e-4, rtol=1e-4)


def test_fast_features_match_reference_implementation():
    """The vectorised featurizer gives the same ids / lexicon bits as the plain-Python reference."""
    from pipeline.ner.features import FastLexicon, FastVocab, Featurizer, Lexicon, Vocab, build_vocab, featurize

    words = {"北京": 1 | 4, "北京市": 1 | 4, "李鹏": 1 | 2, "国务院": 1 | 8, "国务院总理": 1, "总理": 1, "ＡＢ": 1}
    lex = Lexicon(words, max_len=6)
    vocab = build_vocab(["国务院总理李鹏在北京市", "李鹏说"], bigram_min=1)
    fz = Featurizer(FastVocab.from_vocab(vocab), FastLexicon.from_lexicon(lex))
    chunks = ["国务院总理李鹏在北京市。", "", "ＡＢ12北京", "京", "北京北京市李鹏"]
    cid, bl, br, lx, st, ln = fz.batch(chunks)
    for k, ch in enumerate(chunks):
        c, a, b, x = featurize(ch, vocab, lex)
        s, n = st[k], ln[k]
        np.testing.assert_array_equal(cid[s:s + n], c)
        np.testing.assert_array_equal(bl[s:s + n], a)
        np.testing.assert_array_equal(br[s:s + n], b)
        np.testing.assert_array_equal(lx[s:s + n], x)


def test_chunking_and_formats():
    text = "甲。" * 10 + "乙" * 500
    pieces = chunk_spans(text, 160)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(e - s <= 160 for s, e in pieces)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))
    assert tags_to_spans(["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-ORG"]) == [
        (0, 2, "PER"), (3, 4, "LOC"), (4, 5, "LOC"), (5, 6, "ORG")]


@pytest.mark.parametrize("tags", [
    [], ["O"], ["I-PER"], ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-ORG"],
    ["I-LOC", "I-LOC", "I-PER", "B-ORG", "I-ORG", "I-ORG"], ["B-PER", "O", "I-PER", "I-PER"],
])
def test_spans_from_tag_ids_are_those_of_the_tag_strings(tags):
    """predict reads spans off tag ids in numpy; they are tags_to_spans' (stray I- included)."""
    import numpy as np

    from pipeline.ner import TAGS, _id_spans
    ids = np.array([TAGS.index(t) for t in tags], dtype=np.int8)
    assert _id_spans(ids) == tags_to_spans(tags)


def test_testright_parser(tmp_path):
    f = tmp_path / "t.txt"
    f.write_bytes("中共中央/nt 致/o 中国致公党十一大/nt 的贺词/o \r\n李鹏/nr 在/o 北京/ns \r\n".encode("utf-8"))
    got = read_testright(str(f))
    assert got[0] == ("中共中央致中国致公党十一大的贺词", [(0, 4, "ORG"), (5, 13, "ORG")])
    assert got[1] == ("李鹏在北京", [(0, 2, "PER"), (3, 5, "LOC")])


def test_shipped_meta_describes_the_shipped_files_and_the_code():
    import hashlib

    from pipeline.ner.features import FEATURE_NAMES, TAGS
    from pipeline.paths import MODEL_DIR
    meta = json.loads((MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    assert tuple(meta["features"]) == FEATURE_NAMES
    assert tuple(meta["tags"]) == tuple(TAGS)
    for name in ("weights", "features"):
        assert meta[f"{name}_sha256"] == hashlib.sha256((MODEL_DIR / f"{name}.npz").read_bytes()).hexdigest()
