"""Tekun (特困人员救助供养): support for people with no capacity to work, no livelihood and no
obligor able to support them.

社会救助暂行办法 Art. 14; 特困人员认定办法 (民政部 2021) Art. 5 (no capacity to work), 6 (income
disregards), 8 (obligors unable to support), 9 (orphan choice), 19 (urban/rural standard), 21–23
(self-care), 24 (continuation); Tianjin 2021 measures (minors to 18). The monthly amount is the
basic standard by urban / rural institutional / rural home-based class plus the care standard by
self-care level (《特困人员认定办法》第二十一至二十三条). An unknown value makes the amount undetermined, never 0.
"""

from __future__ import annotations

import polars as pl

from jiuzhu.rules.engine import HOUSEHOLD, OBLIGOR, PERSON, Formula, Reason, ReasonSet, variable
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.programs.codes import TEKUN_STANDARD_CLASS, enum
from jiuzhu.rules.programs.common import completed_years, when_decided
from jiuzhu.rules.programs.household import counted_income_expression, disability_class_of
from jiuzhu.rules.programs.sources import TEKUN_MEASURES

BOOL, FEN, CODE = pl.Boolean(), pl.Int64(), pl.String()

REASONS = ReasonSet(
    "tekun",
    [
        Reason(
            "TEKUN_ELIGIBLE",
            "无劳动能力、无生活来源、无法定义务人或义务人无履行能力：基本生活标准 {tekun_basic_standard}"
            " + 照料护理标准 {tekun_care_standard}",
            "No capacity to work, no livelihood, no obligor able to support: basic "
            "{tekun_basic_standard} + care {tekun_care_standard}",
            "eligible",
            label="符合特困",
            label_en="Eligible",
        ),
        Reason(
            "TEKUN_CAPACITY_TO_WORK",
            "不属于无劳动能力情形（年龄、残疾类别等级）",
            "Not without capacity to work (age, disability category and grade)",
            label="有劳动能力",
            label_en="Able to work",
        ),
        Reason(
            "TEKUN_INCOME_NOT_BELOW_STANDARD",
            "本人月计算收入 {tekun_counted_income} 不低于低保标准",
            "Own counted income {tekun_counted_income} is not below the dibao standard",
            label="收入不低于标准",
            label_en="Income not below standard",
        ),
        Reason(
            "TEKUN_ASSETS_OVER_LIMIT",
            "本人货币财产 {monetary_assets} 超过限额 {tekun_asset_limit}，或有不符合规定的财产",
            "Own monetary assets {monetary_assets} over the limit {tekun_asset_limit}, or disqualifying property",
            label="财产超限",
            label_en="Assets over limit",
        ),
        Reason(
            "TEKUN_OBLIGOR_ABLE",
            "有具备赡养、抚养、扶养能力的法定义务人",
            "An obligor is able to support",
            label="义务人有扶养能力",
            label_en="Obligor able to support",
        ),
        Reason(
            "TEKUN_ORPHAN_SUPPORT_CHOSEN",
            "未成年人已选择孤儿或事实无人抚养儿童保障",
            "The minor chose orphan or de facto unsupported child support",
            label="已纳入孤儿保障",
            label_en="Orphan support chosen",
        ),
        Reason(
            "TEKUN_LIVING_APART",
            "服刑、强制隔离戒毒或宣告失踪等情形",
            "In prison, rehabilitation or declared missing",
            label="服刑、戒毒或失踪",
            label_en="In prison, rehabilitation or missing",
        ),
        Reason(
            "TEKUN_UNDETERMINED",
            "所需政策参数未知（如评估日期的照料护理标准或上年度人均可支配收入），无法认定",
            "A needed parameter is unknown (e.g. the care standard or last year's disposable income)",
            "undetermined",
            label="参数未知待定",
            label_en="Undetermined: parameter unknown",
        ),
        Reason(
            "TEKUN_STANDARD_BELOW_NATIONAL_FLOOR",
            "基本生活标准 {tekun_basic_standard} 低于国家要求的低保标准1.3倍 {tekun_national_floor}",
            "Basic standard {tekun_basic_standard} is below the national floor {tekun_national_floor}",
            "note",
            label="标准低于国家下限",
            label_en="Standard below national floor",
        ),
    ],
)


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "无劳动能力",
    "No capacity to work",
    reference=TEKUN_MEASURES
    + " 第五条、第二十四条; 天津市关于改革完善社会救助制度的措施 (2021): 未成年人扩大到18周岁",
)
def tekun_no_capacity_to_work(f: Formula) -> pl.Expr:
    """Aged 60+; a minor under the age limit (18 in Tianjin since 2021); past the limit but still
    in compulsory education, ordinary senior high or secondary vocational school; or a
    disability class in the list (intellectual or mental 1–3, physical 1–2, visual 1)."""
    age = f("age")
    minor_limit = f.param("tekun.minor_age_limit")
    in_school = f.param("tekun.continuation_student_levels", key="student_level")
    return (
        (age >= f.param("tekun.elderly_age"))
        | (age < minor_limit)
        | in_school
        | f.param("tekun.no_capacity_disability", key="disability_class")
    )


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "特困认定计算收入",
    "Counted income for tekun",
    reference=TEKUN_MEASURES + "第六条",
)
def tekun_counted_income(f: Formula) -> pl.Expr:
    """The person's own income with the tekun disregards (also the residents' basic pension,
    basic medical insurance and other social insurance, preferential payments, old-age
    allowances), at least 0."""
    return counted_income_expression(f, "tekun.income_disregarded").clip(lower_bound=0)


@variable(
    PERSON,
    FEN,
    Unit.FEN,
    "特困货币财产限额",
    "Tekun monetary-asset limit",
    reference="天津市社会救助家庭经济状况核定暂行办法 (2013): 五保、特困救助人均不超过24个月城市低保标准",
)
def tekun_asset_limit(f: Formula) -> pl.Expr:
    """Months of the (urban) standard, for the person alone."""
    return f.param("tekun.monetary_asset_months") * f.parent("asset_limit_standard")


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "无生活来源",
    "No source of livelihood",
    reference=TEKUN_MEASURES + "第六条",
)
def tekun_no_livelihood(f: Formula) -> pl.Expr:
    """Own income below the dibao standard and assets within the tekun limit."""
    return (
        (f("tekun_counted_income") < f.parent("dibao_standard"))
        & (f("monetary_assets") <= f("tekun_asset_limit"))
        & f.parent("other_assets_test")
    )


@variable(PERSON, pl.Date(), Unit.DATE, "评估日期（个人）", "Assessment date (person)")
def person_assessment_date(f: Formula) -> pl.Expr:
    """The household's assessment date, for the person's obligors."""
    return f.date


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_YEAR,
    "上年度全市居民人均可支配收入",
    "Last year's per-capita disposable income",
    reference=TEKUN_MEASURES + "第八条",
)
def tekun_obligor_income_threshold(f: Formula) -> pl.Expr:
    """The threshold of the obligor tests (Tianjin statistics; unknown years stay unknown)."""
    return f.param("statistics.per_capita_disposable_income_previous_year")


@variable(
    OBLIGOR,
    CODE,
    Unit.CODE,
    "义务人残疾类别与等级",
    "Obligor's disability class",
    codes="disability_class",
    reference="GB/T 26341-2010",
)
def obligor_disability_class(f: Formula) -> pl.Expr:
    """The obligor's category and grade as one code, as a member's ``disability_class``."""
    return disability_class_of(f("obligor_disability_category"), f("obligor_disability_grade"))


@variable(
    OBLIGOR,
    BOOL,
    Unit.BOOLEAN,
    "义务人无履行义务能力",
    "Obligor unable to support",
    reference=TEKUN_MEASURES + "第八条",
)
def obligor_unable_to_support(f: Formula) -> pl.Expr:
    """Art. 8: a tekun person; a dibao recipient aged 60+; aged 70+ with own income below last
    year's per-capita disposable income and assets within the low-income limit; severely disabled
    with such income and assets; without civil capacity, declared missing or in prison with
    assets within the limit."""
    age = completed_years(f, f("obligor_birth_date"), f.parent("person_assessment_date"))
    low_income = f("obligor_annual_income") < f.parent("tekun_obligor_income_threshold")
    assets_ok = f("obligor_assets_within_low_income_limit")
    severe = f.param(
        "household.severe_disability",
        key="obligor_disability_class",
    )
    return (
        f("obligor_is_tekun")
        | (f("obligor_is_dibao_recipient") & (age >= f.param("household.elderly_age")))
        | ((age >= f.param("tekun.obligor_age_unable")) & assets_ok & low_income)
        | (severe & assets_ok & low_income)
        | (
            (
                f("obligor_lacks_civil_capacity")
                | f("obligor_declared_missing")
                | f("obligor_in_prison")
            )
            & assets_ok
        )
    )


@variable(OBLIGOR, BOOL, Unit.BOOLEAN, "义务人有履行义务能力", "Obligor able to support")
def obligor_able_to_support(f: Formula) -> pl.Expr:
    """Not unable."""
    return ~f("obligor_unable_to_support")


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "列明的义务人均无履行能力",
    "No listed obligor able to support",
    reference="《社会救助暂行办法》（国务院令第649号）第十四条; " + TEKUN_MEASURES + "第八条",
)
def tekun_no_able_listed_obligor(f: Formula) -> pl.Expr:
    """No obligor listed for the person (living elsewhere) is able to support (true if none)."""
    return ~f.any(OBLIGOR, "obligor_able_to_support")


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "特困经济条件（不含义务人）",
    "Tekun capacity and livelihood tests",
    reference=TEKUN_MEASURES + "第五条、第六条",
)
def tekun_means_tested(f: Formula) -> pl.Expr:
    """No capacity to work and no livelihood (tekun without the obligor condition)."""
    return f("tekun_no_capacity_to_work") & f("tekun_no_livelihood")


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "可履行扶养义务的同住成员",
    "Co-resident member able to support",
    reference=TEKUN_MEASURES
    + "第八条; "
    + "《最低生活保障审核确认办法》（民发〔2021〕57号）第七条",
)
def able_to_support_household_member(f: Formula) -> pl.Expr:
    """A household member — spouse, parent, adult child, grandparent, sibling: the relations that
    make up 共同生活的家庭成员 all carry a support duty — who is an adult and not unable under
    Art. 8: not meeting the tekun capacity and livelihood tests; not 70+ or severely disabled with
    income below last year's per-capita disposable income and assets within the near-dibao limit;
    not in prison, compulsory rehabilitation or declared missing. (Art. 8's "dibao recipient aged
    60+" cannot be applied to co-members: their dibao depends on this very test.)"""
    low_income = f("counted_income") * 12 < f("tekun_obligor_income_threshold")
    asset_limit = f.param("near_dibao.monetary_asset_months") * f.parent("asset_limit_standard")
    assets_ok = f("monetary_assets") <= asset_limit
    unable = (
        f("tekun_means_tested")
        | ((f("age") >= f.param("tekun.obligor_age_unable")) & low_income & assets_ok)
        | (f("severely_disabled") & low_income & assets_ok)
    )
    return f("household_member") & ~f("minor") & ~unable


@variable(
    PERSON,
    pl.Int64(),
    Unit.PERSONS,
    "确定可履行扶养义务（计数用）",
    "Certainly able to support (0/1)",
)
def able_to_support_certain(f: Formula) -> pl.Expr:
    """1 if the member is certainly able to support, else 0 (an undetermined member counts 0)."""
    return f("able_to_support_household_member").fill_null(False).cast(pl.Int64)


@variable(
    PERSON,
    pl.Int64(),
    Unit.PERSONS,
    "可能可履行扶养义务（计数用）",
    "Possibly able to support (0/1)",
)
def able_to_support_possible(f: Formula) -> pl.Expr:
    """1 if the member is able or undetermined, else 0."""
    return f("able_to_support_household_member").fill_null(True).cast(pl.Int64)


@variable(
    HOUSEHOLD,
    pl.Int64(),
    Unit.PERSONS,
    "可履行扶养义务的同住成员数",
    "Co-resident members able to support",
)
def able_supporters(f: Formula) -> pl.Expr:
    """Members certainly able to support the others."""
    return f.sum(PERSON, "able_to_support_certain")


@variable(
    HOUSEHOLD,
    pl.Int64(),
    Unit.PERSONS,
    "可能可履行扶养义务的同住成员数",
    "Members possibly able to support",
)
def possible_supporters(f: Formula) -> pl.Expr:
    """Members able, or whose ability rests on an unknown parameter."""
    return f.sum(PERSON, "able_to_support_possible")


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "无法定义务人或义务人无履行能力",
    "No obligor able to support",
    reference="《社会救助暂行办法》（国务院令第649号）第十四条; " + TEKUN_MEASURES + "第八条",
)
def tekun_no_able_obligor(f: Formula) -> pl.Expr:
    """Neither a listed obligor nor another household member is able to support the person.
    Three-valued: false as soon as another member is certainly able; undetermined when the
    only candidates rest on an unknown parameter."""
    others_certain = f.parent("able_supporters") - f("able_to_support_certain")
    others_possible = f.parent("possible_supporters") - f("able_to_support_possible")
    co_resident_none = (
        pl.when(others_certain > 0)
        .then(False)
        .when(others_possible == 0)
        .then(True)
        .otherwise(None)
    )
    return f("tekun_no_able_listed_obligor") & co_resident_none


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "符合特困人员条件",
    "Eligible for tekun support",
    reference="《社会救助暂行办法》（国务院令第649号）第十四条; " + TEKUN_MEASURES,
)
def tekun_eligible(f: Formula) -> pl.Expr:
    """All three conditions, not living apart for a disqualifying reason, and not a minor who
    chose orphan support (Art. 9)."""
    orphan_choice = f("chooses_orphan_support") & f("minor")
    return (
        f("tekun_means_tested")
        & f("tekun_no_able_obligor")
        & ~f("excluded_by_absence")
        & ~orphan_choice
    )


@variable(
    PERSON,
    CODE,
    Unit.CODE,
    "特困供养标准类别",
    "Tekun standard class",
    codes="tekun_standard_class",
    reference=TEKUN_MEASURES + "第十九条",
)
def tekun_standard_class(f: Formula) -> pl.Expr:
    """Rural if the person holds contracted land or a share of collective income (unless moved to
    a town by poverty-alleviation relocation), else the household's area; rural is split by
    institutional or home-based support."""
    rural = ~f("relocated_to_town") & (
        f("holds_rural_land_or_collective_share") | (f.parent("area_type") == "rural")
    )
    institutional = f("tekun_support_form") == "institutional"
    # Index into TEKUN_STANDARD_CLASS: 0 urban, 1 rural institutional, 2 rural home-based.
    index = rural.cast(pl.UInt8) * (2 - institutional.cast(pl.UInt8))
    classes = pl.Series(TEKUN_STANDARD_CLASS.identifiers, dtype=enum(TEKUN_STANDARD_CLASS))
    return pl.lit(classes).gather(index)


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "特困基本生活标准",
    "Tekun basic living standard",
    reference="津民规〔2025〕6号 and earlier notices",
)
def tekun_basic_standard(f: Formula) -> pl.Expr:
    """By standard class."""
    return f.param("tekun.basic_standard", key="tekun_standard_class")


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "特困照料护理标准",
    "Tekun care standard",
    reference="天津日报; " + TEKUN_MEASURES + "第二十一至二十三条",
)
def tekun_care_standard(f: Formula) -> pl.Expr:
    """By self-care level: 0 / 400 / 800 (unknown before 2021-07-01)."""
    return f.param("tekun.care_standard", key="self_care")


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "国家最低基本生活标准（低保标准1.3倍）",
    "National floor (1.3 × dibao)",
    reference="国发〔2016〕14号",
)
def tekun_national_floor(f: Formula) -> pl.Expr:
    """1.3 × the dibao standard: the basic standard must not be below it."""
    return f.scale(f.parent("dibao_standard"), "tekun.national_floor_ratio")


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "特困供养金",
    "Tekun support (per month)",
    reference="《社会救助暂行办法》（国务院令第649号）第十五条; " + TEKUN_MEASURES,
)
def tekun_amount(f: Formula) -> pl.Expr:
    """Basic standard + care standard for an eligible person; null where either is unknown."""
    return when_decided(f("tekun_eligible"), f("tekun_basic_standard") + f("tekun_care_standard"))


@variable(PERSON, pl.Int64(), Unit.REASONS, "特困认定理由", "Tekun reason codes", reasons=REASONS)
def tekun_reasons(f: Formula) -> pl.Expr:
    """Reason codes of the tekun decision."""
    eligible = f("tekun_eligible")
    return REASONS.mask(
        {
            "TEKUN_ELIGIBLE": eligible,
            "TEKUN_CAPACITY_TO_WORK": ~f("tekun_no_capacity_to_work"),
            "TEKUN_INCOME_NOT_BELOW_STANDARD": f("tekun_counted_income")
            >= f.parent("dibao_standard"),
            "TEKUN_ASSETS_OVER_LIMIT": (f("monetary_assets") > f("tekun_asset_limit"))
            | ~f.parent("other_assets_test"),
            "TEKUN_OBLIGOR_ABLE": ~f("tekun_no_able_obligor"),
            "TEKUN_ORPHAN_SUPPORT_CHOSEN": f("chooses_orphan_support") & f("minor"),
            "TEKUN_LIVING_APART": f("excluded_by_absence"),
            "TEKUN_UNDETERMINED": f("tekun_undetermined"),
            "TEKUN_STANDARD_BELOW_NATIONAL_FLOOR": eligible
            & (f("tekun_basic_standard") < f("tekun_national_floor")),
        }
    )


@variable(HOUSEHOLD, pl.Int64(), Unit.PERSONS, "特困人员数", "Tekun persons in the household")
def tekun_persons(f: Formula) -> pl.Expr:
    """Persons eligible for tekun support."""
    return f.count(PERSON, where="tekun_eligible")


@variable(
    HOUSEHOLD, pl.Int64(), Unit.PERSONS, "特困待定人数", "Persons with an undetermined tekun status"
)
def tekun_undetermined_persons(f: Formula) -> pl.Expr:
    """Persons whose tekun eligibility or amount rests on an unknown parameter."""
    return f.count(PERSON, where="tekun_undetermined")


@variable(PERSON, BOOL, Unit.BOOLEAN, "特困认定待定", "Tekun undetermined")
def tekun_undetermined(f: Formula) -> pl.Expr:
    """Eligibility or amount unknown."""
    eligible = f("tekun_eligible")
    return eligible.is_null() | (eligible.fill_null(False) & f("tekun_amount").is_null())


@variable(
    HOUSEHOLD, FEN, Unit.FEN_PER_MONTH, "特困供养金合计", "Tekun support of the household's persons"
)
def tekun_household_amount(f: Formula) -> pl.Expr:
    """Sum of the members' tekun support (null if any is undetermined)."""
    return f.sum(PERSON, "tekun_amount")
