"""Clean view: layout breaks, full-width forms, chrome, and the offset map back to the document."""
import pytest

from pipeline.cleanview import build


@pytest.mark.parametrize("text,view", [
    ("隆丰固废综合利用项\n\n目建成投用", "隆丰固废综合利用项目建成投用"),      # a word broken by layout
    ("全年地区生产总值\n增长5.5%", "全年地区生产总值增长5.5%"),              # highlight box
    ("80%的\n\n行政村", "80%的行政村"),
    ("增长８．７％", "增长8.7%"),                                          # full-width digits
    ("１９９１年", "1991年"),
    ("增长5.5 %", "增长5.5%"),                                               # a space beside a number
    ("任务完成。\n下一段", "任务完成。\n下一段"),                              # a paragraph break stays
    ("一、工作回顾\n过去一年", "一、工作回顾\n过去一年"),                        # a short numbered heading ends its line
    ("——着力提升发展质量效益，保持经济持续健康发展。发展是解决我国一切问题的基础和关键，引导各方面把工作重点放在提高发展质量和效益上，全员劳动生\n\u200b\n产率增长",
     "——着力提升发展质量效益，保持经济持续健康发展。发展是解决我国一切问题的基础和关键，引导各方面把工作重点放在提高发展质量和效益上，全员劳动生产率增长"),  # a long item cut mid-word
    ("下载\n打印\n【字号：\n加大\n还原\n减小\n】\n正文第一句。", "正文第一句。"),  # page chrome
    ("政府工作报\u200b告", "政府工作报告"),                                   # zero-width space
    ("本报记者 李英俊 董 蕾\n聚焦工业强市", "本报记者 李英俊 董 蕾\n聚焦工业强市"),  # a byline line keeps its break
    ("孟 轩 摄\n\n隆丰革乐美", "孟 轩 摄\n隆丰革乐美"),                      # a photo credit keeps its break
    ("一、综合\r\n初步核算", "一、综合\n初步核算"),
    ("a\r\n二、工业", "a\n二、工业"),                                          # an enumerated heading starts a line
    ("１０．１：４３．５", "10.1:43.5"),
    ("到7 4 7 7 2 亿元，增长1 1 ％", "到74772亿元，增长11%"),                # digits set one by one (1998 report)
    ("寿命达到7 0 ．8 岁", "寿命达到70.8岁"),
    ("1, 234, 567", "1, 234, 567"),                                            # a list of numbers stays apart
    # ASCII punctuation reads as full-width, except between digits (thousands, ratios)
    ("达到287.9亿元,同比增长8.9%(按可比价计算);", "达到287.9亿元，同比增长8.9%（按可比价计算）；"),
    ("产量1,234.5万吨，比例8.7:48.5", "产量1,234.5万吨，比例8.7:48.5"),
    ("各位代表:", "各位代表："),
    ("访问 http://a.cn/b(c)", "访问 http://a.cn/b(c)"),                       # ASCII text keeps its own
    ("共12 34个", "共12 34个"),                                                # two numbers of several digits stay apart
])
def test_view(text, view):
    assert build(text).text == view


@pytest.mark.parametrize("text", ["全年地区生产总值\n增长５．５％，\r\n　　新增市场主体\n5900余户。", "", "\n\n", "　　"])
def test_offsets_point_back(text):
    v = build(text)
    assert len(v.offsets) == len(v.text)
    assert v.offsets == sorted(v.offsets) and len(set(v.offsets)) == len(v.offsets)
    for i, ch in enumerate(v.text):
        src = text[v.offsets[i]]
        assert src == ch or ch in "0123456789.%:\n " or src in "\r\n"


def test_span_maps_across_a_layout_break():
    text = "新增市场主体\n5900余\n户"
    v = build(text)
    i = v.text.index("5900余户")
    s, e = v.to_doc(i, i + len("5900余户"))
    assert text[s:e] == "5900余\n户"


def test_sentences():
    v = build("第一句。第二句！\n第三句")
    assert [v.text[a:b] for a, b in v.sentences()] == ["第一句。", "第二句！", "第三句"]


BODY = "，" + "记者从有关部门获悉，全市今年新开工项目一百余个，总投资超过三百亿元。" * 3


@pytest.mark.parametrize("text,headline", [
    # a headline run into its body ends where the body's lead-in starts
    ("三年轮回 基金赚45.80%本报讯 昨日" + BODY, "三年轮回 基金赚45.80%"),
    ("火箭主场击败湖人 姚明砍下30分新浪体育讯北京时间4月12日" + BODY, "火箭主场击败湖人 姚明砍下30分"),
    ("某地又现三起群聚感染事件中新网8月1日电 据报道" + BODY, "某地又现三起群聚感染事件"),
    ("楼市优惠政策可能年底终止 房价将小幅震荡2009年11月5日消息" + BODY, "楼市优惠政策可能年底终止 房价将小幅震荡"),
    ("证监局局长：适时修改完善基金法证券时报记者 徐 飞本报讯" + BODY, "证监局局长：适时修改完善基金法"),
    # none: a title on its own line, a sentence end before the lead-in, a lead-in at the very start,
    # a short text
    ("火箭主场击败湖人\n新浪体育讯北京时间4月12日" + BODY, None),
    ("火箭主场击败湖人。姚明砍下30分新浪体育讯北京时间4月12日" + BODY, None),
    ("本报讯 昨日" + BODY, None),
    ("火箭主场击败湖人新浪体育讯", None),
])
def test_headline_end(text, headline):
    from pipeline.cleanview import headline_end
    p = headline_end(text)
    assert (text[:p] if p is not None else None) == headline
    if p is not None:  # the headline is a sentence of its own
        assert build(text).sentences()[0] == (0, p)
