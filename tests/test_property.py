"""Property: arbitrary text never crashes the pipeline and every row satisfies the span invariant."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import extract_text

ALPHABET = st.sampled_from(list("0123456789０１２３４５６７８９．％%.,，、。；：:-—~至到年月日季度万亿千百十一二两三四五六七八九零"
                                "元亿万个户家人项吨亩倍成分之百分点余多超约以上左右第前连续增长下降\n\r 　\u200b《》“”（）"
                                "河南省孟州市有限公司本报记者董蕾摄黄河"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(alphabet=ALPHABET, max_size=80), st.text(max_size=40)))
def test_never_crashes_and_offsets_hold(text):
    r = extract_text(text, entity_mode="rules")
    assert not r.rejects, r.rejects
    for rec in r.quantities + r.entities + r.facts:
        assert 0 <= rec.start < rec.end <= len(text)
        assert text[rec.start:rec.end] == rec.text
