"""Entity rules on real sentences (the sample article and report styles), negatives beside positives,
and the overlap policy between rules and the model."""
import pytest

from pipeline import extract_text
from pipeline.entities import Span, _balanced, combine_rules_and_model, refine_model_span, segment, token_offsets, word_bounds


def ents(text, mode="rules"):
    return {(e.text, e.label) for e in extract_text(text, entity_mode=mode).entities}


@pytest.mark.parametrize("text,expected", [
    ("本报记者 李英俊 董 蕾", {("李英俊", "PER"), ("董 蕾", "PER")}),                # spaced byline
    ("巨力索具（河南）科技产业园钢丝绳生产车间。本报记者 董 蕾 摄", {("董 蕾", "PER")}),
    ("隆丰革乐美时尚有限公司毛皮加工车间。孟 轩 摄", {("隆丰革乐美时尚有限公司", "ORG"), ("孟 轩", "PER")}),
    ("出台《孟州市工业强市实施意见》", {("孟州市工业强市实施意见", "WORK")}),
    ("全面落实党中央和省委、焦作市委各项决策部署", {("党中央", "ORG"), ("焦作市委", "ORG")}),
    ("沁伊高速黄河特大桥顺利合龙", {("沁伊高速黄河特大桥", "FAC")}),
    ("奋力谱写中国式现代化河南篇章", {("河南", "GPE")}),                              # 中国式 is an adjective
    ("孟州市谷旦镇", {("孟州市谷旦镇", "GPE")}),
    ("亮点回眸孟州开发区高质量发展", {("孟州开发区", "FAC")}),                      # the name starts at 孟州
    ("贵阳综合保税区进出口增长", {("贵阳综合保税区", "FAC")}),                    # zones, roads, segments
    ("上浦高速浦城段建成通车", {("上浦高速浦城段", "FAC")}),
    ("（作者：记者 钟小韵 编辑：杜弘禹）", {("钟小韵", "PER"), ("杜弘禹", "PER")}),
    ("本报记者曾坤报道：中共中央", {("曾坤", "PER")}),                              # the name ends at a word
    ("（本报记者李舸摄）", {("李舸", "PER")}),                                      # a credit after the name
    ("普光气田建成投产", {("普光气田", "FAC")}),
    ("雄安新区建设", {("雄安新区", "GPE")}),                                        # a new district is a division
    ("中国上海自由贸易试验区挂牌", {("中国上海自由贸易试验区", "FAC")}),              # a zone, like 综合保税区
    ("NBA常规赛：公牛93-骑士82", {("公牛", "ORG"), ("骑士", "ORG")}),                # teams, in a league report                                    # a field, like 油田
    ("推动长江经济带发展", {("长江经济带", "LOC")}),                                # regions named after a river
    ("合肥都市圈一体化", {("合肥都市圈", "LOC")}),
    ("赴欧洲参展", {("欧洲", "LOC")}),                                              # a continent is no GPE
    # companies and regulators named short in business news (a list of real names as data)
    ("佳能EOS 7D的参考价格为9000元", {("佳能", "ORG")}),
    ("博时基金旗下产品", {("博时基金", "ORG")}),
    ("央行宣布下调存款准备金率", {("央行", "ORG")}),
    ("中新网7月22日电 据商务部网站消息", {("中新网", "ORG")}),                    # a news service, not a place
    ("人力资源和社会保障部发布通知", {("人力资源和社会保障部", "ORG")}),          # a ministry holding 和
    ("二十国集团峰会在伦敦举行", {("二十国集团", "ORG")}),
    ("美国总统奥巴马表示", {("奥巴马", "PER")}),
    ("他在NBA已经打了十年", {("NBA", "ORG")}),
    ("黑龙江省工信厅、发改委等相关部门", {("黑龙江省工信厅", "ORG")}),              # a province's department
    ("三峡工程全面建成，青藏铁路建成通车", {("三峡工程", "FAC"), ("青藏铁路", "FAC")}),  # national projects (data)
    ("推动中西部地区和黄河流域发展", {("中西部地区", "LOC"), ("黄河流域", "LOC")}),      # regions and basins                                      # a league
    ("火箭主场击败湖人，姚明拿下10个篮板", {("火箭", "ORG"), ("湖人", "ORG")}),      # box-score words say it is the league
])
def test_rule_entities(text, expected):
    assert expected <= ents(text)


@pytest.mark.parametrize("text,absent", [
    ("奋力谱写中国式现代化河南篇章", ("中国", "GPE")),
    ("全省上下坚持稳中求进", ("全省", "GPE")),
    ("在省委坚强领导下", ("省委", "ORG")),
    ("有序化解政府债务", ("有序化解政府", "ORG")),
    ("统筹省市县三级资金", ("省市县", "GPE")),
    ("实施强基工程和老旧小区改造", ("强基工程", "FAC")),                    # programmes are no built things
    ("打造现代化都市圈", ("现代化都市圈", "LOC")),                          # no name before the head
    ("长征火箭发射成功", ("火箭", "ORG")),
    ("博时主题单位净值增长率超过90%", ("博时", "ORG")),                  # a fund house inside a fund's name
    # kinds of companies and counted companies are no names (issue 10)
    ("沪上某基金公司投资总监表示", ("沪上某基金公司", "ORG")),
    ("各大基金公司纷纷发行新产品", ("各大基金公司", "ORG")),
    ("深圳多家基金公司", ("深圳多家基金公司", "ORG")),
    ("三家券商研究所发布报告", ("三家券商研究所", "ORG")),                                   # a team name only where the league is
    ("NBA球员驾驶火箭模型车", ("火箭模", "ORG")),
    ("新培育省级未来产业先导区13个", ("产业先导区", "GPE")),                 # 产业省 is a word, 产业 no place                        # a listed generic word, whatever rule finds it
    ("近日，华商报记者从西安市统计局了解到", ("从西安", "PER")),        # a byline marker in running text
    ("南方财经全媒体记者统计发现", ("统计发", "PER")),
    ("本报记者曾坤报道：中共中央", ("曾坤报", "PER")),
    ("（作者：记者 钟小韵 编辑：杜弘禹）", ("编辑", "PER")),             # a role word, not a name
])
def test_not_entities(text, absent):
    assert absent not in ents(text)


def test_entity_split_by_a_layout_break():
    text = "隆丰革乐美时尚有\n限公司毛皮加工车间。"
    found = [e for e in extract_text(text, entity_mode="rules").entities if e.label == "ORG"]
    assert [e.text for e in found] == ["隆丰革乐美时尚有\n限公司"]


@pytest.mark.parametrize("text,expected,absent", [
    ("据中国工信部统计", ("中国工信部", "ORG"), ("中国", "GPE")),       # a place before a body: one name
    ("中国和工信部", ("中国", "GPE"), ("中国和工信部", "ORG")),         # not across a word between them
    ("乘客从北京南站出发", ("北京南站", "FAC"), ("北京", "GPE")),       # ... or a facility
])
def test_a_place_before_an_organisation_or_facility_is_part_of_its_name(text, expected, absent):
    got = ents(text, "both")
    assert expected in got and absent not in got


def test_overlap_policy():
    rule = [Span(0, 2, "GPE", "rule", "gazetteer"), Span(5, 9, "PER", "rule", "byline"),
            Span(10, 14, "FAC", "rule", "suffix_FAC"), Span(30, 32, "GPE", "rule", "gazetteer"),
            Span(41, 44, "PER", "rule", "byline")]
    model = [Span(0, 2, "LOC", "model", "ner_model"),        # same span: rule label refines LOC
             Span(4, 8, "ORG", "model", "ner_model"),        # overlaps a byline: the byline wins
             Span(12, 16, "ORG", "model", "ner_model"),      # cuts across a rule span: the rule wins
             Span(20, 23, "PER", "model", "ner_model"),      # model only: kept
             Span(30, 36, "ORG", "model", "ner_model"),      # holds a gazetteer place: outermost wins
             Span(40, 46, "ORG", "model", "ner_model")]      # holds a byline: the byline wins
    got = [(s.start, s.end, s.label, s.source) for s in combine_rules_and_model(rule, model)]
    assert got == [(0, 2, "GPE", "rule+model"), (5, 9, "PER", "rule"), (10, 14, "FAC", "rule"),
                   (20, 23, "PER", "model"), (30, 36, "ORG", "model"), (41, 44, "PER", "rule")]


def test_model_spans_that_cut_through_a_word_are_dropped():
    text = "学习习近平总书记重要讲话"
    bounds = word_bounds(token_offsets(segment(text)))
    assert refine_model_span(Span(3, 5, "PER", "model", "ner_model"), text, bounds) is None   # 近平
    kept = refine_model_span(Span(2, 5, "PER", "model", "ner_model"), text, bounds)          # 习近平
    assert kept is not None and kept.label == "PER"


@pytest.mark.parametrize("text,span,expected", [
    ("焦作经济", (0, 2, "LOC"), "GPE"),              # 焦作市 is a word: a division
    ("滨河公园改造", (0, 4, "LOC"), "FAC"),          # a park is a built thing
    ("根河路改造", (0, 3, "LOC"), "FAC"),            # so is a road
    ("秦山核电站投产", (0, 5, "ORG"), "FAC"),        # whatever the model called it
    ("伊敏河治理", (0, 3, "LOC"), "LOC"),            # a river stays a natural place
    ("比亚迪投产", (0, 3, "LOC"), "ORG"),            # unknown to every place list: a company
    ("巴斯夫项目", (0, 3, "LOC"), "ORG"),
    ("非洲市场", (0, 2, "LOC"), "LOC"),              # jieba knows it as a place (ns)
    ("中国特色", (0, 2, "LOC"), None),               # a place used as an adjective
    ("中欧班列", (0, 2, "LOC"), None),               # a rail service is no entity
    ("在省人大监督下", (1, 4, "ORG"), None),         # generic body, no place named
    ("省长刘小涛说", (2, 5, "PER"), "PER"),          # a surname and a name
    ("赛力斯汽车", (0, 3, "PER"), None),             # no surname: a brand
    ("陆海新通道", (0, 2, "PER"), None),             # a dictionary word (ns), not a name
    ("贺兰山下", (0, 3, "PER"), None),               # a mountain
    ("宁德经济", (0, 2, "PER"), "GPE"),              # 宁德市 is a division
    ("金（义", (0, 3, "PER"), None),                 # a bracket inside is no name
    ("黄河特大桥通车", (0, 5, "LOC"), "FAC"),        # facility suffix
    ("豫北", (0, 1, "LOC"), None),                   # a lone character fused into a word is dropped
    ("粤、桂两地", (0, 1, "LOC"), "GPE"),             # a lone abbreviation of a province
    ("赴法展览", (1, 2, "LOC"), None),                # fused into a word, like 来华 (guidelines)
    ("港澳台同胞", (0, 1, "LOC"), None),              # a group name built on abbreviations
    ("文中的中字", (3, 4, "LOC"), None),              # not an abbreviation in use
    ("全省经济", (0, 2, "LOC"), None),               # a generic word is dropped
    # a name at the edge of a longer word is kept; a fragment inside one is not
    ("学习邓小平理论", (2, 5, "PER"), "PER"),
    ("实现中华民族伟大复兴", (2, 4, "LOC"), None),     # a demonym, like 中国人 (guidelines)
    ("修建万里长城", (4, 6, "LOC"), "LOC"),
    ("习近平总书记", (1, 3, "PER"), None),
    # a person without a common surname: known to the dictionary as a person, or a transliteration with ·
    ("列宁的著作", (0, 2, "PER"), "PER"),
    ("萨乌德·侯赛因奖", (0, 7, "PER"), "PER"),
    # a country or a first-level division abroad is a GPE (data/world_places.tsv); a region is not
    ("赴加拿大留学", (1, 4, "LOC"), "GPE"),
    ("昆士兰州的大学", (0, 4, "LOC"), "GPE"),
    ("昆士兰的大学", (0, 3, "LOC"), "GPE"),
    ("访问温哥华", (2, 5, "LOC"), "GPE"),                # a city abroad (data/world_cities.tsv)
    ("澳洲留学费用", (0, 2, "LOC"), "GPE"),              # the press's name (data/world_aliases.tsv)
    ("柬埔寨王国", (0, 3, "LOC"), "GPE"),                # ISO's zh_CN misspells it
    ("卡西欧Z280数码相机", (0, 3, "LOC"), "ORG"),        # a maker before its product's model code
    ("北京K3次列车", (0, 2, "LOC"), "GPE"),              # ... not a place the gazetteer knows
    ("欧洲市场", (0, 2, "LOC"), "LOC"),
    # two country abbreviations side by side: a pair of countries; not inside a place word, not a group of three
    ("中美两国关系", (0, 1, "LOC"), "GPE"),
    ("日中友好团体", (0, 1, "LOC"), "GPE"),
    ("中美洲国家", (0, 1, "LOC"), None),
    ("沪深300指数上涨", (0, 1, "LOC"), None),           # the exchanges' pair in an index name, not a place
    ("中俄蒙三国", (0, 1, "LOC"), None),
    # two work-area abbreviations before a break or 等: one GPE; as a category of people: none
    ("对台、港澳等工作", (4, 5, "LOC"), "GPE"),
    ("港澳同胞", (0, 1, "LOC"), None),
    # a person before a title, with one character or no common surname; not a fragment of a word
    ("江主席离开北京", (0, 1, "PER"), "PER"),
    ("小平同志到沈阳", (0, 2, "PER"), "PER"),
    ("江水上涨", (0, 1, "PER"), None),
    # a foreign name in transliteration characters; a place jieba knows stays out
    ("前国务卿基辛格访华", (4, 7, "PER"), "PER"),
    ("海拉尔区", (0, 3, "PER"), None),
    ("东部地区", (0, 4, "LOC"), "LOC"),
    # English words are no names for a model trained on Chinese news; acronyms stay
    ("他说the problem is", (2, 5, "ORG"), None),
    ("APEC会议在北京举行", (0, 4, "ORG"), "ORG"),
    # a fund house's short name before a fund's name is part of a product (guidelines)
    ("华夏大盘精选单位净值上涨", (0, 2, "LOC"), None),
    ("华夏文明源远流长", (0, 2, "LOC"), "LOC"),
    ("成功举办上海世博会", (4, 9, "ORG"), None),             # an event is no organisation
    # a name with a common surname that the segmenter fused with the one character after it
    ("管理中心主任李杰作了报告", (6, 8, "PER"), "PER"),
    ("第一场比赛，孙俊以１７∶１８", (6, 8, "PER"), "PER"),
    ("提高近平方米", (2, 4, "PER"), None),               # no surname, inside a word
    # built things and natural places by their heads, whatever the model called them
    ("参观永乐禅寺", (2, 6, "LOC"), "FAC"),
    ("登上卓奥友峰", (2, 6, "LOC"), "LOC"),
])
def test_model_labels_are_refined(text, span, expected):
    got = refine_model_span(Span(*span, "model", "ner_model"), text, word_bounds(token_offsets(segment(text))))
    assert (got.label if got else None) == expected


@pytest.mark.parametrize("text,span,joined", [
    ("克里斯-威尔考克斯拿下了27分", (4, 9), "克里斯-威尔考克斯"),   # the model found the last part
    ("厄尔森-伊尔亚索瓦18分", (0, 3), "厄尔森-伊尔亚索瓦"),        # ... or the first
    ("萨乌德·侯赛因奖", (4, 7), "萨乌德·侯赛因"),
    ("李强-王刚", (0, 2), "李强"),                                 # Chinese names are no transliteration
])
def test_foreign_names_join_across_the_mark(text, span, joined):
    got = refine_model_span(Span(*span, "PER", "model", "ner_model"), text, word_bounds(token_offsets(segment(text))))
    assert got is not None and text[got.start:got.end] == joined


@pytest.mark.parametrize("text,span,kept", [
    ("北京南站”始发站", (0, 8), "北京南站"),          # a closing quote the span did not open ends it
    ("“免申即享”兑付", (0, 6), "“免申即享”"),         # a quote it opens and closes stays
    ("新开“金山”号", (2, 5), "金山"),                 # an opening quote it does not close starts it
])
def test_model_spans_keep_quotes_balanced(text, span, kept):
    got = _balanced(Span(*span, "ORG", "model", "ner_model"), text)
    assert got is not None and text[got.start:got.end] == kept


@pytest.mark.parametrize("section,label,word", [("suffixes", "LOC", "公司"), ("gazetteer", "ORG", "北京")])
def test_a_word_under_two_labels_is_refused_when_the_rules_load(section, label, word):
    import tomllib

    from pydantic import ValidationError

    from pipeline.entities import RULES_PATH, EntityRules
    data = tomllib.loads(RULES_PATH.read_text(encoding="utf-8"))
    data[section][label].append(word)
    with pytest.raises(ValidationError, match="listed under both"):
        EntityRules.model_validate(data)
