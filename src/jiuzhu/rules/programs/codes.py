"""Code lists of the programs' inputs and parameter breakdowns.

Codes are English identifiers; the Chinese labels and the national standard codes (GB/T 4761-2008
family relationship, GB/T 26341-2010 disability category and grade) are accepted spellings, so a
caseworker's workbook can use either.
"""

from __future__ import annotations

import polars as pl

from jiuzhu.rules.engine.codes import ROUNDING, CodeList, code_list

AREA_TYPE = code_list(
    "area_type",
    "城乡类别",
    "Urban or rural",
    [
        ("urban", "城镇", "urban", ("城市", "城", "1")),
        ("rural", "农村", "rural", ("乡村", "农", "2")),
    ],
    reference="天津市民政局关于城乡低保标准的历次通知 (separate urban/rural standards until 2017-03-31)",
)

RESIDENT_GROUP = code_list(
    "resident_group",
    "居民分组（统计口径）",
    "Residents (statistical group)",
    [
        ("all", "全体居民", "all residents", ("全市居民", "全体")),
        ("urban", "城镇居民", "urban residents", ("城镇", "城市")),
        ("rural", "农村居民", "rural residents", ("农村", "乡村")),
    ],
    reference="国家统计局住户收支与生活状况调查（统计公报的全体、城镇、农村居民口径）",
)

# GB/T 4761-2008 家庭关系代码: code, Chinese name, English gloss, group (relation_group).
_RELATIONS: list[tuple[str, str, str, str]] = [
    ("01", "本人", "self", "self"),
    ("02", "户主", "head of household", "self"),
    ("10", "配偶", "spouse", "spouse"),
    ("11", "夫", "husband", "spouse"),
    ("12", "妻", "wife", "spouse"),
    ("20", "子", "son", "child"),
    ("21", "独生子", "only son", "child"),
    ("22", "长子", "eldest son", "child"),
    ("23", "次子", "second son", "child"),
    ("24", "三子", "third son", "child"),
    ("25", "四子", "fourth son", "child"),
    ("26", "五子", "fifth son", "child"),
    ("27", "养子或继子", "adopted or step son", "child"),
    ("28", "女婿", "son-in-law", "child_in_law"),
    ("29", "其他儿子", "other son", "child"),
    ("30", "女", "daughter", "child"),
    ("31", "独生女", "only daughter", "child"),
    ("32", "长女", "eldest daughter", "child"),
    ("33", "次女", "second daughter", "child"),
    ("34", "三女", "third daughter", "child"),
    ("35", "四女", "fourth daughter", "child"),
    ("36", "五女", "fifth daughter", "child"),
    ("37", "养女或继女", "adopted or step daughter", "child"),
    ("38", "儿媳", "daughter-in-law", "child_in_law"),
    ("39", "其他女儿", "other daughter", "child"),
    ("40", "孙子、孙女或外孙子、外孙女", "grandchild", "grandchild"),
    ("41", "孙子", "grandson (son's son)", "grandchild"),
    ("42", "孙女", "granddaughter (son's daughter)", "grandchild"),
    ("43", "外孙子", "grandson (daughter's son)", "grandchild"),
    ("44", "外孙女", "granddaughter (daughter's daughter)", "grandchild"),
    ("45", "孙媳妇或外孙媳妇", "grandchild's wife", "other_relative"),
    ("46", "孙女婿或外孙女婿", "grandchild's husband", "other_relative"),
    ("47", "曾孙子或外曾孙子", "great-grandson", "grandchild"),
    ("48", "曾孙女或外曾孙女", "great-granddaughter", "grandchild"),
    ("49", "其他孙子、孙女或外孙子、外孙女", "other grandchild", "grandchild"),
    ("50", "父母", "parent", "parent"),
    ("51", "父亲", "father", "parent"),
    ("52", "母亲", "mother", "parent"),
    ("53", "公公", "father-in-law (husband's)", "parent_in_law"),
    ("54", "婆婆", "mother-in-law (husband's)", "parent_in_law"),
    ("55", "岳父", "father-in-law (wife's)", "parent_in_law"),
    ("56", "岳母", "mother-in-law (wife's)", "parent_in_law"),
    ("57", "继父或养父", "step or adoptive father", "parent"),
    ("58", "继母或养母", "step or adoptive mother", "parent"),
    ("59", "其他父母关系", "other parent", "parent"),
    ("60", "祖父母或外祖父母", "grandparent", "grandparent"),
    ("61", "祖父", "paternal grandfather", "grandparent"),
    ("62", "祖母", "paternal grandmother", "grandparent"),
    ("63", "外祖父", "maternal grandfather", "grandparent"),
    ("64", "外祖母", "maternal grandmother", "grandparent"),
    ("65", "配偶的祖父母或外祖父母", "spouse's grandparent", "other_relative"),
    ("66", "曾祖父", "great-grandfather", "grandparent"),
    ("67", "曾祖母", "great-grandmother", "grandparent"),
    ("68", "配偶的曾祖父母或外曾祖父母", "spouse's great-grandparent", "other_relative"),
    ("69", "其他祖父母或外祖父母", "other grandparent", "grandparent"),
    ("70", "兄弟姐妹", "sibling", "sibling"),
    ("71", "兄", "elder brother", "sibling"),
    ("72", "嫂", "elder brother's wife", "sibling_in_law"),
    ("73", "弟", "younger brother", "sibling"),
    ("74", "弟媳", "younger brother's wife", "sibling_in_law"),
    ("75", "姐姐", "elder sister", "sibling"),
    ("76", "姐夫", "elder sister's husband", "sibling_in_law"),
    ("77", "妹妹", "younger sister", "sibling"),
    ("78", "妹夫", "younger sister's husband", "sibling_in_law"),
    ("79", "其他兄弟姐妹", "other sibling", "sibling"),
    ("80", "其他", "other", "other_relative"),
    ("81", "伯父", "uncle (father's elder brother)", "other_relative"),
    ("82", "伯母", "aunt (wife of father's elder brother)", "other_relative"),
    ("83", "叔父", "uncle (father's younger brother)", "other_relative"),
    ("84", "婶母", "aunt (wife of father's younger brother)", "other_relative"),
    ("85", "舅父", "uncle (mother's brother)", "other_relative"),
    ("86", "舅母", "aunt (wife of mother's brother)", "other_relative"),
    ("87", "姨夫", "uncle (husband of mother's sister)", "other_relative"),
    ("88", "姨母", "aunt (mother's sister)", "other_relative"),
    ("89", "姑父", "uncle (husband of father's sister)", "other_relative"),
    ("90", "姑母", "aunt (father's sister)", "other_relative"),
    ("91", "堂兄弟、堂姐妹", "paternal cousin", "other_relative"),
    ("92", "表兄弟、表姐妹", "cousin", "other_relative"),
    ("93", "侄子", "nephew (brother's son)", "other_relative"),
    ("94", "侄女", "niece (brother's daughter)", "other_relative"),
    ("95", "外甥", "nephew (sister's son)", "other_relative"),
    ("96", "外甥女", "niece (sister's daughter)", "other_relative"),
    ("97", "其他亲属", "other relative", "other_relative"),
    ("99", "非亲属", "not a relative", "non_relative"),
]

RELATION = code_list(
    "relation",
    "与申请人关系",
    "Relation to the applicant",
    [(code, name, english, (code.lstrip("0"),)) for code, name, english, _ in _RELATIONS],
    reference="GB/T 4761-2008 家庭关系代码",
)

RELATION_GROUP_OF: dict[str, str] = {code: group for code, _, _, group in _RELATIONS}
"""GB/T 4761 code → relation group (the groups 最低生活保障审核确认办法 Art. 7 distinguishes)."""

RELATION_GROUP = code_list(
    "relation_group",
    "亲属关系类别",
    "Relation group",
    [
        ("self", "本人", "the applicant"),
        ("spouse", "配偶", "spouse"),
        ("child", "子女", "child"),
        ("child_in_law", "子女的配偶", "child's spouse"),
        ("grandchild", "(外)孙子女", "grandchild"),
        ("parent", "父母", "parent"),
        ("parent_in_law", "配偶的父母", "spouse's parent"),
        ("grandparent", "(外)祖父母", "grandparent"),
        ("sibling", "兄弟姐妹", "sibling"),
        ("sibling_in_law", "兄弟姐妹的配偶", "sibling's spouse"),
        ("other_relative", "其他亲属", "other relative"),
        ("non_relative", "非亲属", "not a relative"),
    ],
    reference="《最低生活保障审核确认办法》（民发〔2021〕57号）第七条",
)

ABSENCE_REASON = code_list(
    "absence_reason",
    "离家原因",
    "Reason for living apart",
    [
        ("none", "无", "none", ("", "否")),
        ("prison", "服刑", "serving a prison sentence", ("在监狱内服刑", "监狱服刑")),
        (
            "compulsory_drug_rehabilitation",
            "强制隔离戒毒",
            "compulsory drug rehabilitation",
            ("戒毒", "在戒毒所强制隔离戒毒"),
        ),
        ("declared_missing", "宣告失踪", "declared missing"),
        (
            "religious_professional",
            "宗教教职人员",
            "religious professional living apart",
            ("宗教教职人员离家",),
        ),
        ("conscript", "现役义务兵", "conscript on active service", ("义务兵",)),
    ],
    reference="《最低生活保障审核确认办法》（民发〔2021〕57号）第七条; 天津市 (现役义务兵)",
)

STUDENT_LEVEL = code_list(
    "student_level",
    "在校学段",
    "Full-time education level",
    [
        ("none", "非在校生", "not in full-time education", ("无", "", "否")),
        ("preschool", "学前教育", "pre-school", ("学前", "幼儿园")),
        ("primary", "小学", "primary school"),
        ("junior_secondary", "初中", "junior secondary school"),
        ("senior_secondary", "普通高中", "ordinary senior high school", ("高中",)),
        (
            "secondary_vocational",
            "中等职业学校",
            "secondary vocational school",
            ("中职", "中专", "技校"),
        ),
        ("higher_vocational", "高职专科", "higher vocational college", ("专科", "大专", "高职")),
        ("undergraduate", "本科", "undergraduate", ("大学本科",)),
        ("postgraduate", "研究生", "postgraduate", ("硕士", "博士")),
    ],
)

DISABILITY_CATEGORY = code_list(
    "disability_category",
    "残疾类别",
    "Disability category",
    [
        ("none", "无", "none", ("", "否", "0")),
        ("visual", "视力残疾", "visual", ("视力", "1")),
        ("hearing", "听力残疾", "hearing", ("听力", "2")),
        ("speech", "言语残疾", "speech", ("言语", "3")),
        ("physical", "肢体残疾", "physical", ("肢体", "4")),
        ("intellectual", "智力残疾", "intellectual", ("智力", "5")),
        ("mental", "精神残疾", "mental", ("精神", "6")),
        ("multiple", "多重残疾", "multiple", ("多重", "7")),
    ],
    reference="GB/T 26341-2010 残疾人残疾分类和分级",
)

_GRADES = {
    1: ("一级", "grade 1"),
    2: ("二级", "grade 2"),
    3: ("三级", "grade 3"),
    4: ("四级", "grade 4"),
}

DISABILITY_CLASS = code_list(
    "disability_class",
    "残疾类别与等级",
    "Disability category and grade",
    [("none", "无残疾", "no disability")]
    + [
        (f"{cat.code}_{grade}", f"{cat.label}{label}", f"{cat.label_en} {label_en}")
        for cat in DISABILITY_CATEGORY
        if cat.code != "none"
        for grade, (label, label_en) in _GRADES.items()
    ],
    reference="GB/T 26341-2010 残疾人残疾分类和分级 (category × grade 1 极重度 … 4 轻度)",
)

SERIOUS_ILLNESS = code_list(
    "serious_illness",
    "重特大疾病病种",
    "Serious illness",
    [
        ("none", "无", "none", ("", "否")),
        ("uremia", "尿毒症", "uraemia"),
        (
            "organ_transplant",
            "肾、心、肝、肺、骨髓移植",
            "kidney, heart, liver, lung or marrow transplant",
            ("器官移植", "骨髓移植"),
        ),
        ("leukaemia", "白血病", "leukaemia"),
        ("gaucher_disease", "戈谢病", "Gaucher disease"),
        ("malignant_tumour", "恶性肿瘤", "malignant tumour", ("癌症",)),
        ("haemophilia", "血友病", "haemophilia"),
        ("aplastic_anaemia", "再生障碍性贫血", "aplastic anaemia"),
        ("mdr_tuberculosis", "耐多药结核", "multi-drug-resistant tuberculosis"),
        ("hemiplegia", "偏瘫", "hemiplegia"),
        ("lupus", "系统性红斑狼疮", "lupus", ("红斑狼疮",)),
        ("heart_valve_replacement", "心脏瓣膜置换", "heart-valve replacement"),
        ("vascular_stent_or_bypass", "血管支架或搭桥", "vascular stent or bypass"),
        ("nephrotic_syndrome", "肾病综合征", "nephrotic syndrome"),
        ("cirrhosis", "肝硬化", "cirrhosis"),
        ("hyperthyroidism", "甲亢", "hyperthyroidism", ("甲状腺功能亢进",)),
        ("type1_diabetes", "1型糖尿病", "type-1 diabetes"),
        ("aids", "艾滋病", "AIDS"),
        ("cerebral_infarction", "脑梗塞", "cerebral infarction", ("脑梗死",)),
        ("interstitial_cell_tumour", "间质细胞瘤", "interstitial cell tumour"),
        ("alzheimers_disease", "阿尔茨海默病", "Alzheimer's disease", ("老年痴呆",)),
        ("myasthenia_gravis", "重症肌无力", "myasthenia gravis"),
        ("sclerosis", "硬化症", "sclerosis"),
        ("epilepsy", "癫痫", "epilepsy"),
        ("cerebral_haemorrhage_sequelae", "脑出血后遗症", "sequelae of cerebral haemorrhage"),
        ("ankylosing_spondylitis", "强直性脊柱炎", "ankylosing spondylitis"),
    ],
    reference="天津日报 2025-09-26 (分类救助抵扣家庭收入)",
)

SELF_CARE = code_list(
    "self_care",
    "生活自理能力",
    "Self-care ability",
    [
        ("self_caring", "具备生活自理能力", "fully self-caring", ("完全自理", "自理", "")),
        (
            "partial_loss",
            "部分丧失生活自理能力",
            "partial loss of self-care",
            ("部分丧失", "半护理"),
        ),
        ("full_loss", "完全丧失生活自理能力", "full loss of self-care", ("完全丧失", "全护理")),
    ],
    reference="《特困人员认定办法》（民发〔2021〕43号）第二十一至二十三条 (6-item assessment)",
)

SUPPORT_FORM = code_list(
    "support_form",
    "供养方式",
    "Form of tekun support",
    [
        ("home_based", "分散供养", "home-based support", ("分散", "居家")),
        ("institutional", "集中供养", "institutional support", ("集中", "机构")),
    ],
    reference="《社会救助暂行办法》（国务院令第649号）第十九条",
)

TEKUN_STANDARD_CLASS = code_list(
    "tekun_standard_class",
    "特困供养标准类别",
    "Tekun standard class",
    [
        ("urban", "城市特困人员", "urban"),
        ("rural_institutional", "农村特困人员集中供养", "rural, institutional"),
        ("rural_home_based", "农村特困人员分散供养", "rural, home-based"),
    ],
)

INCOME_COMPONENT = code_list(
    "income_component",
    "收入项目",
    "Income component",
    [
        ("wage", "工资性收入", "wages"),
        ("business_net", "经营净收入", "net business income"),
        ("property_net", "财产净收入", "net property income"),
        ("support_received", "赡养、扶养、抚养费", "support received"),
        ("employee_pension", "离退休金、职工养老金", "employee pension"),
        ("unemployment_insurance", "失业保险金", "unemployment insurance benefit"),
        (
            "residents_basic_pension",
            "城乡居民基本养老保险基础养老金",
            "residents' scheme basic pension",
        ),
        ("other_transfer", "其他转移性收入", "other transfer income"),
        ("preferential_payments", "优待抚恤金", "preferential and compensation payments"),
        ("family_planning_payments", "计划生育奖励与扶助金", "family-planning reward and support"),
        ("scholarships_and_rewards", "奖学金、见义勇为等奖励性补助", "scholarships and rewards"),
        (
            "social_assistance_payments",
            "政府发放的社会救助款物",
            "government social-assistance payments",
        ),
        ("old_age_allowance", "高龄津贴", "old-age allowance"),
    ],
    reference="《最低生活保障审核确认办法》（民发〔2021〕57号）第十三条",
)

NEAR_DIBAO_FLOOR_RULE = code_list(
    "near_dibao_floor_rule",
    "低保边缘收入下限",
    "Lower bound of the near-dibao band",
    [
        ("above_standard", "超出低保标准", "per-capita income above the dibao standard"),
        ("not_dibao", "不符合低保条件", "any household not eligible for dibao"),
    ],
)

LEAP_DAY_BIRTHDAY = code_list(
    "leap_day_birthday",
    "2月29日出生者平年的周岁日",
    "Anniversary of a 29 February birth in a common year",
    [
        ("february_28", "2月28日", "28 February"),
        ("march_1", "3月1日", "1 March"),
    ],
    reference="《中华人民共和国民法典》第二百零二条",
)

NEAR_DIBAO_CASH_CATEGORY = code_list(
    "near_dibao_cash_category",
    "低保边缘救助金发放类别",
    "Near-dibao cash category",
    [
        ("disability", "家庭成员中有残疾人", "a disabled member"),
        (
            "serious_illness",
            "家庭成员患大病或门诊特殊病",
            "a member with a serious illness or 门诊特殊病",
        ),
        (
            "single_parent_student",
            "单亲家庭且子女在校",
            "single-parent family with a child in school",
        ),
        (
            "family_planning_special_support",
            "享受计划生育特别扶助",
            "family-planning special support",
        ),
        (
            "elderly_without_children",
            "家庭成员均年满60周岁且无子女",
            "all members 60+ with no children",
        ),
        (
            "district_designated",
            "区民政局、财政局确定的其他情形",
            "other cases set by the district",
        ),
    ],
    reference="关于调整城乡低收入家庭救助有关政策的通知 (天津, 2016-04-01)",
)

SUPPLEMENT_GROUP = code_list(
    "supplement_group",
    "分类施保对象",
    "Category supplement group",
    [
        ("elderly", "老年人", "elderly (60+)"),
        ("minor", "未成年人", "minor"),
        ("student", "在校学生", "full-time student up to undergraduate"),
        ("single_parent", "单亲家庭成员", "member of a single-parent family"),
        ("severe_disability", "重度残疾人", "severely disabled"),
        ("serious_illness", "重病患者", "seriously ill"),
    ],
    reference="《最低生活保障审核确认办法》（民发〔2021〕57号）第二十七条; 《社会救助暂行办法》（国务院令第649号）第十二条第二款",
)

HOUSEHOLD_DEDUCTION_ITEM = code_list(
    "household_deduction_item",
    "分类救助按户抵扣情形",
    "Classified deduction items per household",
    [
        (
            "widowed_single_parent_student",
            "丧偶单亲家庭有在校子女",
            "widowed single parent with a child in school",
        ),
        ("single_parent_student", "其他单亲家庭有在校子女", "other single parent, child in school"),
        (
            "urban_double_elderly",
            "城镇“双老”家庭（均满60周岁、无子女、靠一人养老金生活）",
            "urban 双老 household (both 60+, no children, one pension)",
        ),
        (
            "family_planning_special_support",
            "享受计划生育特别扶助",
            "family-planning special support",
        ),
    ],
    reference="天津市《关于完善分类救助有关政策的通知》（市民政局、市财政局、市人力资源和社会保障局、市残联）",
)

RIGID_EXPENDITURE_CATEGORY = code_list(
    "rigid_expenditure_category",
    "刚性支出类别",
    "Rigid expenditure category",
    [
        ("medical", "医疗支出（扣除各类保险报销后）", "medical (net of insurance)"),
        ("education", "教育支出", "education"),
        ("disaster", "灾害支出", "disaster"),
        ("accident", "意外事故支出", "accident"),
        ("housing", "住房支出", "housing"),
        ("living", "生活支出", "living expenses"),
    ],
    reference="天津市刚性支出困难家庭认定办法（试行）; 刚性支出困难家庭认定办法 第五条",
)

TEMPORARY_ASSISTANCE_TYPE = code_list(
    "temporary_assistance_type",
    "临时救助类型",
    "Temporary assistance type",
    [
        ("none", "未申请临时救助", "no temporary assistance asked"),
        (
            "emergency",
            "急难型（火灾、交通事故、人身伤害、危及生命的重特大疾病等突发意外事件）",
            "emergency (fire, road accident, injury, life-threatening illness)",
        ),
        (
            "expenditure",
            "支出型（生活必需支出突然超出家庭承受能力）",
            "expenditure (necessary spending suddenly beyond the household's means)",
        ),
    ],
    reference="《民政部 财政部关于进一步加强和改进临时救助工作的意见》（民发〔2018〕23号）",
)

PARENT_SITUATION = code_list(
    "parent_situation",
    "父（母）情况",
    "Parent's situation",
    [
        ("none", "无下列情形", "none of the situations below"),
        ("deceased", "死亡（含宣告死亡）", "dead (including declared dead)"),
        ("declared_missing", "宣告失踪", "declared missing by a court"),
        ("not_found", "查找不到", "cannot be found (birth parent unknown)"),
        ("severe_disability", "重残（一、二级，或三、四级智力、精神残疾）", "severely disabled"),
        ("serious_illness", "重病（本市重特大疾病目录）", "seriously ill (the city's list)"),
        ("imprisoned", "服刑在押", "serving a sentence or held in custody"),
        ("drug_rehabilitation", "强制隔离戒毒", "in compulsory drug rehabilitation"),
        ("restricted", "被执行其他限制人身自由的措施", "under another restriction of liberty"),
        ("out_of_contact", "失联（公安机关受理报警）", "out of contact (reported to the police)"),
        ("guardianship_revoked", "被撤销监护资格", "guardianship revoked by a court"),
        ("deported", "被遣送（驱逐）出境", "deported"),
    ],
    reference="《民政部等12部门关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）",
)

CHILD_WELFARE_CATEGORY = code_list(
    "child_welfare_category",
    "儿童保障类别",
    "Child welfare category",
    [
        ("none", "不属于孤儿或事实无人抚养儿童", "neither"),
        ("orphan", "孤儿", "orphan"),
        ("de_facto_unsupported", "事实无人抚养儿童", "de facto unsupported child"),
    ],
    reference="《国务院办公厅关于加强孤儿保障工作的意见》（国办发〔2010〕54号）; 民发〔2019〕62号",
)

REFERRAL = code_list(
    "referral",
    "转介事项",
    "Referral",
    [
        ("none", "无", "none"),
        ("legal_aid", "法律援助", "legal aid"),
        ("judicial_assistance", "司法救助", "judicial assistance"),
    ],
    reference="《中华人民共和国法律援助法》第四十二条; 《关于建立完善国家司法救助制度的意见（试行）》",
)

STATUS_AT_DEATH = code_list(
    "status_at_death",
    "逝者生前救助身份",
    "Assistance status at death",
    [
        ("none", "无", "none"),
        ("dibao", "低保对象", "dibao recipient"),
        ("near_dibao", "低保边缘家庭成员", "near-dibao household member"),
        ("tekun", "特困人员", "tekun person"),
    ],
    reference="《天津市无丧葬补助居民丧葬补贴发放办法》; 《社会救助暂行办法》（国务院令第649号）第十五条",
)

WORK_CAPACITY = code_list(
    "work_capacity",
    "劳动能力",
    "Capacity to work",
    [
        ("able", "有劳动能力", "able to work"),
        ("partial_loss", "部分丧失劳动能力", "partly lost"),
        ("full_loss", "完全丧失劳动能力", "fully lost"),
    ],
    reference="宝坻区民政事业发展“十四五”规划（完全丧失劳动能力和部分丧失劳动能力且无法依靠产业就业帮扶脱贫的人员）",
)

HARDSHIP_CHILD_CATEGORY = code_list(
    "hardship_child_category",
    "困境儿童情形",
    "Child in hardship category",
    [
        ("poor_family", "因家庭贫困（低保、低保边缘家庭）", "poor family (dibao or near-dibao)"),
        ("disabled", "因自身残疾", "own disability"),
    ],
    reference="《国务院关于加强困境儿童保障工作的意见》（国发〔2016〕36号）",
)

MEDICAL_AID_CATEGORY = code_list(
    "medical_aid_category",
    "医疗救助对象类别",
    "Medical aid category",
    [
        ("none", "不属于医疗救助对象", "not covered"),
        ("tekun", "特困人员", "tekun person"),
        ("tekun_severely_disabled", "重度残疾的特困人员", "severely disabled tekun person"),
        ("dibao", "低保对象", "dibao household member"),
        ("near_dibao", "低保边缘家庭成员", "near-dibao household member"),
        ("impoverished_by_illness", "因病致贫重病患者", "seriously ill, impoverished by illness"),
    ],
    reference="《天津市医疗救助办法》（2021-02-10）; 津政办规〔2022〕11号",
)

APPROVAL_LEVEL = code_list(
    "approval_level",
    "审批层级",
    "Approval level",
    [
        ("township", "乡镇人民政府（街道办事处）", "township or street office"),
        ("district", "区民政局", "district civil affairs bureau"),
    ],
    reference="《社会救助暂行办法》（国务院令第649号）第四十八条",
)

CODE_LISTS: dict[str, CodeList] = {
    c.name: c
    for c in (
        ROUNDING,
        AREA_TYPE,
        RESIDENT_GROUP,
        RELATION,
        RELATION_GROUP,
        ABSENCE_REASON,
        STUDENT_LEVEL,
        DISABILITY_CATEGORY,
        DISABILITY_CLASS,
        SERIOUS_ILLNESS,
        SELF_CARE,
        SUPPORT_FORM,
        TEKUN_STANDARD_CLASS,
        INCOME_COMPONENT,
        NEAR_DIBAO_FLOOR_RULE,
        LEAP_DAY_BIRTHDAY,
        NEAR_DIBAO_CASH_CATEGORY,
        SUPPLEMENT_GROUP,
        HOUSEHOLD_DEDUCTION_ITEM,
        RIGID_EXPENDITURE_CATEGORY,
        TEMPORARY_ASSISTANCE_TYPE,
        APPROVAL_LEVEL,
        PARENT_SITUATION,
        CHILD_WELFARE_CATEGORY,
        REFERRAL,
        STATUS_AT_DEATH,
        WORK_CAPACITY,
        HARDSHIP_CHILD_CATEGORY,
        MEDICAL_AID_CATEGORY,
    )
}


def enum(codes: CodeList) -> pl.Enum:
    """The Polars Enum of a code list (the dtype of its variables, see ``with_enum_codes``)."""
    return pl.Enum(codes.identifiers)
