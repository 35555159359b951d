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
    # a conversion restates the figure before it; 每年 is time, not part of the metric
    ("每年生活费是12000澳元，约合7万元人民币", {("生活费", "是", "12000澳元", 0), ("生活费", "约合", "7万元人民币", 0)}),
    ("生活费每年4万到6万元", {("生活费", "", "4万到6万元", 0)}),
    # market moves are predicates, not part of the index's name
    ("当天上证综指大跌109.58点", {("上证综指", "大跌", "109.58点", -1)}),
    # a count or measure running straight into its noun: the noun is what is counted
    ("抓好629个省级重点工程项目，按月调度", {("省级重点工程项目", "", "629个", 0)}),
    ("实施了中心城区26公里供水改造", {("供水", "实施", "26公里", 0)}),
    # ... but a count closed by punctuation measures the metric on its left
    ("新增市场主体5900余户，", {("新增市场主体", "", "5900余户", 0)}),
    # modifiers that change what is measured stay on the metric's left edge
    ("其中城镇常住人口258266人。", {("城镇常住人口", "", "258266人", 0)}),
    ("本地农民工11.44万人，增长12%", {("本地农民工", "", "11.44万人", 0)}),
    ("其他经济类型企业下降38.5%", {("其他经济类型企业", "下降", "38.5%", -1)}),
    # place and facility scope and time words leave the metric's left edge
    ("郑州机场旅客吞吐量突破2000万人次", {("旅客吞吐量", "突破", "2000万人次", 0)}),
    ("2020年同期规模以上工业增加值同比下降23.2%", {("规模以上工业增加值", "下降", "23.2%", -1)}),
    # a comparison ends the metric; with nothing before it the figure measures the metric before
    ("涂料较去年同比增长3%", {("涂料", "增长", "3%", 1)}),
    ("水泥产量1.5亿吨，比上月增长7.6%", {("水泥产量", "", "1.5亿吨", 0), ("水泥产量", "增长", "7.6%", 1)}),
    # ... a comparison mark inside a word is no comparison
    ("第三产业比重上升到55.1%", {("第三产业比重", "上升到", "55.1%", 1)}),
    # time words and conversions leave the metric's left edge, also after a place went
    ("我国目前实有木门生产能力尚不到50万吨(约合木门面积不足3000万平方米)",
     {("实有木门生产能力", "", "不到50万吨", 0), ("木门面积", "约合", "不足3000万平方米", 0)}),
    ("未来产业先导区集聚企业超150家", {("未来产业先导区集聚企业", "", "超150家", 0)}),
    # a currency name or a hedge before the amount is no metric; a need (需) is a predicate
    ("本外币存款余额人民币1.2万亿元", {("本外币存款余额", "", "1.2万亿元", 0)}),
    ("生活费每年大概1万元", {("生活费", "", "1万元", 0)}),
    ("生活费4万元，学费每年需人民币7万元", {("生活费", "", "4万元", 0), ("学费", "需", "7万元", 0)}),
    # time words between metric and figure leave the metric (基金净值今年上涨5%)
    ("基金净值今年上涨5%", {("基金净值", "上涨", "5%", 1)}),
    ("销售额将突破300亿元，较去年增长近200%", {("销售额", "突破", "300亿元", 0), ("销售额", "增长", "近200%", 1)}),
    # ... and so does a 相比 phrase, wherever it stands in the clause
    ("偏股混合型基金平均仓位为65.27%，相比前周下降3.01%", {("偏股混合型基金平均仓位", "为", "65.27%", 0),
                                                      ("偏股混合型基金平均仓位", "下降", "3.01%", -1)}),
    ("市场售价为1620元，与前期报价相比便宜了30元", {("市场售价", "为", "1620元", 0), ("市场售价", "便宜", "30元", -1)}),
    ("出口额与上年相比增长5%", {("出口额", "增长", "5%", 1)}),
    # degree adverbs before the predicate leave the metric (同比小幅增长)
    ("净利润4735.38亿元，同比小幅增长7.5%", {("净利润", "", "4735.38亿元", 0), ("净利润", "增长", "7.5%", 1)}),
    # 高达, 可达, 多达 are predicates of their own (not 高 + 达); 降低至 stays 降低 + 至
    ("海外学生增幅高达37%", {("海外学生增幅", "高达", "37%", 0)}),
    ("专业人士年薪可达二三十万元", {("专业人士年薪", "可达", "二三十万元", 0)}),
    ("社会物流总费用与GDP比率降低至13.6%左右", {("社会物流总费用与GDP比率", "降低至", "13.6%左右", -1)}),
    # a change verb before 达到 belongs to the predicate
    ("地板销售量增长达到13%", {("地板销售量", "增长达到", "13%", 1)}),
    ("地板销售量上升增长达到13%", {("地板销售量上升", "增长达到", "13%", 1)}),  # one chain only
    # a change against an earlier date measures the metric named before it
    ("年末常住人口488403人，比上年末增加353人。", {("常住人口", "增加", "353人", 1)}),
    ("能源消费量53.20万吨标准煤，由去年同期下降5.0%转为增长21.5%",
     {("能源消费量", "下降", "5.0%", -1), ("能源消费量", "增长", "21.5%", 1)}),
    # a noun that runs into the next figure names that figure, not this one
    ("实施“三个一批”项目43个总投资345亿元", {("“三个一批”项目", "实施", "43个", 0), ("总投资", "", "345亿元", 0)}),
    # money with its metric on the left keeps it even before 的
    ("投资5亿元的万家惠农贸市场项目主体完工", {("投资", "", "5亿元", 0)}),
    ("全省80%的行政村通了宽带", {("行政村", "", "80%", 0)}),
    # a comparison date (比2019年同期) is no boundary: the metric stands before 比
    ("规模以上工业增加值比2019年同期增长11.1%，两年平均增长5.4%",
     {("规模以上工业增加值", "增长", "11.1%", 1), ("规模以上工业增加值", "增长", "5.4%", 1)}),
    # 中的 says among what; a named indicator holding 中的 stays whole
    ("传统产业中的纺织服装、家具制造投资分别增长7.6%、13.9%", {("纺织服装", "增长", "7.6%", 1)}),
    ("每百元营业收入中的成本为83.8元，增加了0.3元。",
     {("每百元营业收入中的成本", "为", "83.8元", 0), ("每百元营业收入中的成本", "增加", "0.3元", 1)}),
    # a verb before the metric leaves it; a word that only starts like that verb stays
    ("安排省级财政资金1042.8亿元", {("省级财政资金", "安排", "1042.8亿元", 0)}),
    ("供应国有建设用地37.3万亩", {("国有建设用地", "供应", "37.3万亩", 0)}),
    ("新建保障性住房12万套", {("保障性住房", "", "12万套", 0)}),
    ("培育供应链企业300家", {("供应链企业", "培育", "300家", 0)}),
    # a quoted name can open the noun a count runs into
    ("今年东莞有521家“倍增计划”试点企业", {("“倍增计划”试点企业", "有", "521家", 0)}),
    ("倍增企业数量从214家扩充至457家", {("倍增企业数量", "扩充至", "457家", 1)}),
    # a share clause measures the figure named before it
    ("其中城镇就业人员1.22万人，占全县就业人员比重为5.91%", {("城镇就业人员", "占", "5.91%", 0)}),
    ("供热用天然气4.77亿立方米，占天然气消费的77.3%。", {("供热用天然气", "占", "77.3%", 0)}),
    # an industry name with a 、 inside is one name; a plain list is cut at its last 、
    ("交通运输、仓储和邮政业实现增加值16.9亿元", {("交通运输、仓储和邮政业实现增加值", "实现", "16.9亿元", 0)}),
    # the predicate as written: 到/至/在 after it, 年均 before it, a verb opening the clause
    ("地区生产总值年均增长5.5%", {("地区生产总值", "年均增长", "5.5%", 1)}),
    ("城镇调查失业率稳定在5.5%左右", {("城镇调查失业率", "稳定在", "5.5%左右", 0)}),
    ("全年实现地区生产总值287.9亿元", {("地区生产总值", "实现", "287.9亿元", 0)}),
    ("生产总值6.66万亿元", {("生产总值", "", "6.66万亿元", 0)}),
    # a share named 占比 keeps it when a predicate follows; alone before the figure it is the predicate
    ("“三星”以上支部占比达66%", {("“三星”以上支部占比", "达", "66%", 0)}),
    ("专业点占比提高到72.2%", {("专业点占比", "提高到", "72.2%", 1)}),
    ("制造业外资占比40.9%", {("制造业外资", "占比", "40.9%", 0)}),
    # verbs of reach, cuts and works are predicates, not the end of the metric
    ("社会养老保险覆盖9亿多人", {("社会养老保险", "覆盖", "9亿多人", 0)}),
    ("办理时限压缩50%以上", {("办理时限", "压缩", "50%以上", -1)}),
    ("沙化土地面积年均缩减近2000平方公里", {("沙化土地面积", "年均缩减", "近2000平方公里", -1)}),
    ("燃气管网铺设20公里", {("燃气管网", "铺设", "20公里", 0)}),
    # a bracketed qualifier closes the metric's name; the figures after it keep that metric
    ("1-7月，西安市固定资产投资（不含农户）同比增长7.4%，比2019年1-7月增长20.5%",
     {("固定资产投资", "增长", "7.4%", 1), ("固定资产投资", "增长", "20.5%", 1)}),
    # a growth rate that speeds up or slows down
    ("规模以上工业增加值同比增长5.8%，比1-6月加快0.7个百分点",
     {("规模以上工业增加值", "加快", "0.7个百分点", 1)}),
    ("出口增速比上月放缓2.1个百分点", {("出口增速", "放缓", "2.1个百分点", -1)}),
    # market moves; a ratio named …比 keeps its 比 before a predicate
    ("温州房价飙升73%", {("房价", "飙升", "73%", 1)}),
    ("上证综指下挫2.3%", {("上证综指", "下挫", "2.3%", -1)}),
    ("货币基金规模大增169亿元", {("货币基金规模", "大增", "169亿元", 1)}),
    ("CPI微降0.1%", {("CPI", "微降", "0.1%", -1)}),
    ("家庭负担比达55.1%", {("家庭负担比", "达", "55.1%", 0)}),
    ("城乡居民收入比缩小至2.27:1", {("城乡居民收入比", "缩小至", "2.27:1", -1)}),
    # modals and adverbs before the predicate are not part of the metric
    ("今年北京市的GDP也要增长9%", {("GDP", "增长", "9%", 1)}),
    # what is said, not who says it; a noun that is no frame stays (相关报道总点击量)
    ("有的说房价还可以降40%", {("房价", "降", "40%", -1)}),
    ("相关报道总点击量超610亿次", {("相关报道总点击量", "", "超610亿次", 0)}),
    # a count after a bare verb names the noun after it, even one a verb modifies
    ("他抢下13个进攻篮板", {("进攻篮板", "", "13个", 0)}),
    ("打通12条断头路", {("断头路", "", "12条", 0)}),
    ("新能源汽车年产量130万辆", {("新能源汽车年产量", "", "130万辆", 0)}),   # a named metric keeps it
    # having so many: the verb is the predicate
    ("“4元”基金共计有5只", {("“4元”基金", "共计有", "5只", 0)}),
    # a set phrase holding a predicate ends the noun a count runs into
    ("25个重点项目建成投产", {("重点项目", "", "25个", 0)}),
    ("31个市重点项目提前完成年度投资目标", {("市重点项目", "", "31个", 0)}),
    # a date between a metric and its figure: the metric stands before the date
    ("城镇居民人均可支配收入从2002年的7703元增加到2007年的13786元",
     {("城镇居民人均可支配收入", "", "7703元", 0), ("城镇居民人均可支配收入", "增加到", "13786元", 1)}),
    ("全省生产总值3000亿元，2025年增长5%", {("生产总值", "增长", "5%", 1)}),
    # a clause of price basis is no metric; a clause after ； goes on with the figure's metric
    ("全年实现生产总值(GDP)262.6亿元，按可比价格计算，同比增长5.3％", {("生产总值", "增长", "5.3％", 1)}),
    ("规模以上工业增加值同比增长5.8%；两年平均增长5.9%", {("规模以上工业增加值", "增长", "5.9%", 1)}),
])
def test_facts(text, expected):
    assert expected <= facts(text)


def test_a_list_before_a_metric_is_cut_at_its_last_separator():
    got = facts("煤炭、钢铁产量3.5亿吨")
    assert ("钢铁产量", "", "3.5亿吨", 0) in got
    assert not any(m.startswith("煤炭") for m, *_ in got)


@pytest.mark.parametrize("text", [
    "2024年11月29日，沁伊高速黄河特大桥顺利合龙。",   # a date measures nothing
    "营商环境评价连续三年保持全省第一方阵",             # durations and ranks get no fact
    "来加拿大留学的学生在5年内增加了42%",               # a time word after a figure names nothing
    "我省在全国占比超过10%",                             # nor a scope word alone
])
def test_no_fact(text):
    assert facts(text) == set()
