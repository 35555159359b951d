"""Fact linking on the issue's examples and real sentences; negatives beside positives."""
import pytest

from pipeline import extract_text


def facts(text):
    return {(f.metric, f.predicate, f.text, f.direction) for f in extract_text(text, entity_mode="rules").facts}


@pytest.mark.parametrize("text,expected", [
    ("全年地区生产总值增长5.5%", {("地区生产总值", "增长", "5.5%", 1)}),
    ("民间投资、工业投资均增长20%以上", {("民间投资", "增长", "20%以上", 1), ("工业投资", "增长", "20%以上", 1)}),
    ("城乡居民人均可支配收入分别增长4.5%、5.8%",
     {("城乡居民人均可支配收入", "增长", "4.5%", 1), ("城乡居民人均可支配收入", "增长", "5.8%", 1)}),
    ("水泥和化肥分别达到2.48亿吨和1988万吨", {("水泥", "达到", "2.48亿吨", 0), ("化肥", "达到", "1988万吨", 0)}),
    ("实施项目43个、总投资345亿元", {("项目", "实施", "43个", 0), ("总投资", "", "345亿元", 0)}),
    ("全省地区生产总值5.3万亿元、增长5.5%", {("地区生产总值", "", "5.3万亿元", 0), ("地区生产总值", "增长", "5.5%", 1)}),
    ("城镇调查失业率下降0.3个百分点", {("城镇调查失业率", "下降", "0.3个百分点", -1)}),
    ("固定资产投资增长-2.3%", {("固定资产投资", "增长", "-2.3%", -1)}),
    ("3家企业入选省级名单", {("企业", "", "3家", 0)}),
])
def test_facts(text, expected):
    assert expected <= facts(text)


@pytest.mark.parametrize("text", [
    "2024年11月29日，沁伊高速黄河特大桥顺利合龙。",   # a date measures nothing
    "营商环境评价连续三年保持全省第一方阵",             # durations and ranks get no fact
])
def test_no_fact(text):
    assert facts(text) == set()
