"""Documents and observations: tables of real headers and sentences, negatives beside positives."""
import json

import pytest

from pipeline import docmeta, extract_text
from pipeline.observations import indicator_of

GWR_2026 = "2026年河南省政府工作报告\n——2026年1月26日在河南省第十四届人民代表大会第四次会议上\n各位代表：\n"
REVIEW = "一、2025年工作回顾\n"
PLAN = "二、2026年工作安排\n"


@pytest.mark.parametrize("head,expected", [
    (GWR_2026, ("河南省", "province", "2026-01-26", 2026, "gwr-provincial", "2026年河南省政府工作报告")),
    # a header broken over lines, the place given with its parents
    ("政 府 工 作 报 告\n\n——2019年3月4日在呼伦贝尔市海拉尔区第十五届人民代表大会第三次会议上\n",
     ("海拉尔区", "county", "2019-03-04", 2019, "gwr-county", "政府工作报告")),
    # digits set one by one, the State Council
    ("1998年政府工作报告\n——1 9 9 8 年3 月5 日在第九届全国人民代表大会第一次会议上\n",
     ("中国", "country", "1998-03-05", 1998, "gwr-national", "1998年政府工作报告")),
    # no header at all: the year after the year the review names
    ("各位代表：\n现在，我代表国务院，向大会报告政府工作，请予审议。\n一、2024年工作回顾\n",
     ("中国", "country", None, 2025, "gwr-national", None)),
    ("万载县2022年国民经济和社会发展统计公报\n万载县统计局\n（2023年5月）\n2022年，万载全县上下…",
     ("万载县", "county", "2023-05", 2023, "statistical-communique", "万载县2022年国民经济和社会发展统计公报")),
    ("1-2月广东经济数据出炉：工业、投资、消费同比增长均超三成\n2021年1-2月，广东经济持续稳定恢复。",
     ("广东省", "province", None, 2021, "news", "1-2月广东经济数据出炉：工业、投资、消费同比增长均超三成")),
    # a date without a year gives no year; a photo caption's full date is no reporting period
    ("1-6月，四川外商直接投资到资20.27亿美元\n8月15日，记者从四川省经济合作局获悉，今年1-6月…",
     ("四川省", "province", None, None, "news", "1-6月，四川外商直接投资到资20.27亿美元")),
    ("体育新闻一则：某队昨晚以3比1获胜，2024年11月29日摄。", (None, None, None, None, "news", None)),
    # a year after 比 is a comparison base, not the year the item reports on
    ("1-7月某市经济运行平稳\n1-7月，全市固定资产投资同比增长7.4%，比2019年1-7月增长20.5%。",
     (None, None, None, None, "news", "1-7月某市经济运行平稳")),
    # a time zone names no place
    ("北京时间4月9日，公牛队主场迎战骑士队，罗斯抢下11个篮板。", (None, None, None, None, "news", None)),
    # a place is whole words, not characters across two (梦中江苏 names 江苏, not 中江县); 商城 is a mall
    ("全队都在噩梦中江苏队今晚客场作战\n比赛于晚上7点开始。", ("江苏省", "province", None, None, "news", "全队都在噩梦中江苏队今晚客场作战")),
    ("网络商城全面上线\n公司称销售额增长一成。", (None, None, None, None, "news", "网络商城全面上线")),
    # a headline run into its body (online news) is the title; its place is the document's
    ("北京新开6条公交线 对接地铁4号线晨报讯(记者 张三)昨天，记者从市交通委获悉，" + "新线路将于下周开通运营，" * 6,
     ("北京市", "province", None, None, "news", "北京新开6条公交线 对接地铁4号线")),
])
def test_document_fields_from_the_head(head, expected):
    m = docmeta.infer(head)
    assert (m.place, m.place_level, m.date, m.year, m.genre, m.title) == expected


def test_sidecar_csv_and_jsonl(tmp_path):
    csv = tmp_path / "meta.csv"
    csv.write_text("file,genre,place,year,chars\ntexts/gwr-hailaer-2015.txt,gwr-county,"
                   "内蒙古自治区呼伦贝尔市海拉尔区,2015,9769\n", encoding="utf-8")
    side = docmeta.load_sidecar(csv)
    m = docmeta.lookup(side, "gwr-hailaer-2015.txt")
    assert (m.place, m.place_level, m.year, m.genre) == ("海拉尔区", "county", 2015, "gwr-county")
    assert docmeta.lookup(side, "other.txt") is None
    jl = tmp_path / "meta.jsonl"
    jl.write_text(json.dumps({"source": "a/b.txt", "title": "标题", "date": "2024-05-01"}, ensure_ascii=False) + "\n",
                  encoding="utf-8")
    m = docmeta.lookup(docmeta.load_sidecar(jl), "a/b.txt")
    assert (m.title, m.date, m.place) == ("标题", "2024-05-01", None)


@pytest.mark.parametrize("content,message", [
    ("file,year\na.txt,twenty\n", "not an integer"),
    ("name,year\na.txt,2020\n", "no file/source/path"),
    ("file,place_level\na.txt,city\n", "place_level"),
])
def test_a_bad_sidecar_is_a_clear_error(tmp_path, content, message):
    p = tmp_path / "m.csv"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        docmeta.load_sidecar(p)


@pytest.mark.parametrize("metric,expected", [
    ("地区生产总值", ("gdp", None)), ("生产总值增速", ("gdp", "growth")), ("GDP", ("gdp", None)),
    ("规上工业增加值", ("va_industry_above_scale", None)), ("人口自然增长率", ("natural_growth_rate", None)),
    ("新增高新技术企业", ("high_tech_enterprises", "change")), ("新增市场主体", ("business_entities_new", None)),
    # not GDP: per head, a share of it, energy per unit of it
    ("人均地区生产总值", ("gdp_per_capita", None)), ("研发经费投入占地区生产总值比重", ("rd_expenditure", "share")),
    ("第三产业增加值占比", ("va_tertiary", "share")),
    ("投资", (None, None)),
    # a growth word at the right edge says the measure, even where no indicator fits
    ("居民消费价格上涨幅度", ("cpi", "growth")), ("商品房成交均价跌幅", (None, "growth")),
    ("城乡居民收入比", ("urban_rural_income_ratio", None)),
])
def test_indicator_of(metric, expected):
    assert indicator_of(metric) == expected


def _obs(text, figure):
    r = extract_text(text, entity_mode="rules")
    f = next(f for f in r.facts if f.text == figure)
    return f


@pytest.mark.parametrize("body,figure,expected", [
    (REVIEW + "全年地区生产总值增长5.5%。", "5.5%", ("gdp", "growth", "actual", "2025", None)),
    (PLAN + "今年经济社会发展的主要预期目标是：地区生产总值增长5%左右。", "5%左右", ("gdp", "growth", "target", "2026", None)),
    (REVIEW + "预计全年地区生产总值增长5.3%。", "5.3%", ("gdp", "growth", "estimate", "2025", None)),
    (REVIEW + "五年来，地区生产总值年均增长5.5%。", "5.5%", ("gdp", "growth", "actual", "2021/2025", "annual_average")),
    (REVIEW + "五年来，累计完成固定资产投资3万亿元。", "3万亿元", ("fai", "level", "actual", "2021/2025", "cumulative")),
    (REVIEW + "五年来，生产总值由4.3万亿元增加到6.66万亿元。", "4.3万亿元", ("gdp", "level", "actual", "2020", None)),
    (REVIEW + "五年来，生产总值由4.3万亿元增加到6.66万亿元。", "6.66万亿元", ("gdp", "level", "actual", "2025", None)),
    (REVIEW + "城镇调查失业率下降0.3个百分点。", "0.3个百分点", ("unemployment_surveyed_urban", "change", "actual", "2025", None)),
    (REVIEW + "第三产业增加值占地区生产总值比重为52%。", "52%", ("va_tertiary", "share", "actual", "2025", None)),
    (REVIEW + "新增高新技术企业6000家。", "6000家", ("high_tech_enterprises", "change", "actual", "2025", None)),
    (REVIEW + "全社会研发支出占国内生产总值比重超过2%。", "超过2%", ("rd_intensity", "level", "actual", "2025", None)),
    # a percent before 的 and a rate is no share of it
    (REVIEW + "全省农村居民人均可支配收入保持8%的增长速度。", "8%", (None, "level", "actual", "2025", None)),
    (REVIEW + "到2030年，常住人口城镇化率达到70%。", "70%", ("urbanisation_rate", "level", "target", "2030", None)),
    # a plan word inside a name is no target; a comparison date is no period
    (REVIEW + "入选国家培养计划科技领军人才409名。", "409名", (None, "level", "actual", "2025", None)),
    (REVIEW + "规模以上工业增加值比2019年同期增长11.1%。", "11.1%",
     ("va_industry_above_scale", "growth", "actual", "2025", None)),
])
def test_observation_fields(body, figure, expected):
    f = _obs(GWR_2026 + body, figure)
    assert (f.indicator, f.measure, f.modality, f.period, f.aggregation) == expected
    assert f.year == int(f.period.split("/")[-1][:4])


@pytest.mark.parametrize("body,figure,region,comparison", [
    (REVIEW + "地区生产总值同比增长5.5%。", "5.5%", "河南省", "上年同期"),
    (REVIEW + "地区生产总值比上年增长5.5%，高于全国平均水平0.5个百分点。", "0.5个百分点", "河南省", "全国平均"),
    (REVIEW + "全国居民消费价格上涨0.2%。", "0.2%", "中国", None),
    (REVIEW + "地区生产总值6.66万亿元。", "6.66万亿元", "河南省", None),  # a level has no base
])
def test_region_and_comparison(body, figure, region, comparison):
    f = _obs(GWR_2026 + body, figure)
    assert (f.region, f.comparison) == (region, comparison)


@pytest.mark.parametrize("text,figure,period,aggregation", [
    # averaged over the years after a named base; 年均 inside a name (年均浓度) averages nothing
    (GWR_2026 + REVIEW + "2025年，地区生产总值达到6.66万亿元，比2020年增长30%，年均增长5.4%。", "5.4%",
     "2021/2025", "annual_average"),
    (GWR_2026 + REVIEW + "2025年，地区生产总值达到6.66万亿元，比2020年增长30%，年均增长5.4%。", "30%", "2025", None),
    (GWR_2026 + REVIEW + "全省PM2.5年均浓度较2020年下降25%。", "25%", "2025", "annual_average"),
    # 五年 opening a clause: the five years' sum in that clause only
    (GWR_2026 + REVIEW + "五年全省新增城镇就业560万人。", "560万人", "2021/2025", "cumulative"),
    (GWR_2026 + REVIEW + "五年生产原煤65亿吨，电力装机容量达到1.64亿千瓦。", "1.64亿千瓦", "2025", None),
    # an item of a dash list takes the period its lead paragraph names
    (GWR_2026 + REVIEW + "过去五年，我们主要做了以下工作。\n——经济实力稳步提升。累计完成固定资产投资3万亿元。",
     "3万亿元", "2021/2025", "cumulative"),
    # a part headed as a five-year review: figures naming no period are the span's (a level reached: its
    # last year); the next part is not in it
    (GWR_2026 + "一、过去五年工作回顾\n降低利息负担1.2万亿元。社会养老保险覆盖9亿多人。\n" + PLAN + "完成造林300万亩。",
     "1.2万亿元", "2021/2025", "cumulative"),
    (GWR_2026 + "一、过去五年工作回顾\n降低利息负担1.2万亿元。社会养老保险覆盖9亿多人。\n" + PLAN + "完成造林300万亩。",
     "9亿多人", "2025", None),
    (GWR_2026 + "一、过去五年工作回顾\n降低利息负担1.2万亿元。\n二、2026年工作总体部署\n全年完成造林300万亩。",
     "300万亩", "2025", None),
    (GWR_2026 + REVIEW + "降低利息负担1.2万亿元。", "1.2万亿元", "2025", None),
    # a span of years written as from A to B: each figure its own year, the second a level reached
    (GWR_2026 + REVIEW + "城镇居民人均可支配收入从2020年的3.5万元增加到2025年的4.6万元。", "4.6万元", "2025", None),
    (GWR_2026 + REVIEW + "城镇居民人均可支配收入从2020年的3.5万元增加到2025年的4.6万元。", "3.5万元", "2020", None),
    # a stock counted now is no sum over time
    (GWR_2026 + REVIEW + "全省“专精特新”企业共计有1200家。", "1200家", "2025", None),
    (GWR_2026 + REVIEW + "全年共计完成投资3000亿元。", "3000亿元", "2025", "cumulative"),
    # a year-end stock's period is the year (the date's norm is its last month)
    (GWR_2026 + REVIEW + "2024年末，全省户籍人口9800万人。", "9800万人", "2024", None),
    # a period is never finer than a month
    (GWR_2026 + REVIEW + "1月14日，全省签约项目120个。", "120个", "2025-01", None),
    # a news item: its figures take the month of its dateline
    ("北京时间4月9日，公牛队主场迎战骑士队，罗斯抢下11个篮板。", "11个", "M04", None),
    ("1-7月某市经济运行平稳\n1-7月，全市固定资产投资同比增长7.4%，比2019年1-7月增长20.5%。", "20.5%", "M01/M07", None),
])
def test_period_and_aggregation(text, figure, period, aggregation):
    f = _obs(text, figure)
    assert (f.period, f.aggregation) == (period, aggregation)


@pytest.mark.parametrize("body,figure,indicator", [
    # a list's first conjuncts take the head of its last
    ("城镇、农村常住居民人均可支配收入分别增长4.4%、5.9%。", "4.4%", "income_per_capita_urban"),
    ("城镇、农村常住居民人均可支配收入分别增长4.4%、5.9%。", "5.9%", "income_per_capita_rural"),
    ("新能源汽车、集成电路、工业机器人产量分别增长49.8%、11.9%、36.4%。", "49.8%", "nev_output"),
    ("铁路、高速公路运营里程均超过10万公里。", "超过10万公里", "railway_length"),
    # ... but not the last conjunct's own name (工业 + 技改投资 is 工业技改投资)
    ("工业、制造业、工业技改投资分别增长9.4%、13.3%、5.1%。", "9.4%", "industrial_investment"),
    # a conjunct that makes no catalogue name with any tail stays without one
    ("服务器、3D打印设备产量分别增长100.3%和229.9%。", "100.3%", None),
    # a bare head takes its object from the figure before it in the sentence
    ("规模以上工业企业达7.6万家、增加值增长3%。", "3%", "va_industry_above_scale"),
    ("外贸进出口增长8.4%，总额突破8000亿元。", "8000亿元", "trade_total"),
    ("全市规模以上工业综合能源消费量同比下降13.2%，降幅比去年同期扩大3.9个百分点。", "3.9个百分点",
     "energy_consumption_industry_above_scale"),
    # ... not from a figure of another sentence
    ("外贸进出口增长8.4%。总额突破8000亿元。", "8000亿元", None),
])
def test_indicator_from_the_list_or_the_figure_before(body, figure, indicator):
    assert _obs(GWR_2026 + REVIEW + body, figure).indicator == indicator
